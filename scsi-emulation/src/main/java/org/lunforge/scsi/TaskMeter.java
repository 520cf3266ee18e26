package org.lunforge.scsi;

/**
 * What a frontend reports of the tasks it hands to a logical unit or that pass one of its target ports, for the
 * daemon's metrics. Called on the I/O path, once per task each: an implementation counts into lock-free adders and
 * neither allocates, locks nor builds strings. {@link #started} and {@link #completed} pair up exactly, so that their
 * difference is the number of tasks in the task set (the queue depth).
 */
public interface TaskMeter {
    /** Counts nothing: a logical unit or port whose daemon has no metrics. */
    TaskMeter NONE = new TaskMeter() {
        @Override
        public void started() {
        }

        @Override
        public void completed(int opcode, long dataInBytes, long dataOutBytes, long nanos, ScsiStatus status,
                              byte[] sense) {
        }
    };

    /** A task entered the task set (was handed to the device server). */
    void started();

    /**
     * A task {@link #started} earlier completed.
     *
     * @param opcode the CDB's OPERATION CODE
     * @param dataInBytes the Data-In bytes sent to the initiator
     * @param dataOutBytes the Data-Out bytes received from the initiator and handed to the device server
     * @param nanos from the command's arrival to its completion
     * @param sense the sense bytes of a CHECK CONDITION (fixed or descriptor format), else empty
     */
    void completed(int opcode, long dataInBytes, long dataOutBytes, long nanos, ScsiStatus status, byte[] sense);

    /**
     * The SENSE KEY of encoded sense data, fixed (SPC-4 4.5.3: byte 2) or descriptor format (4.5.2: byte 1); -1 for
     * none or an unknown RESPONSE CODE.
     */
    static int senseKey(byte[] sense) {
        if (sense.length < 3) {
            return -1;
        }
        return switch (sense[0] & 0x7F) {
            case 0x70, 0x71 -> sense[2] & 0x0F;
            case 0x72, 0x73 -> sense[1] & 0x0F;
            default -> -1;
        };
    }
}
