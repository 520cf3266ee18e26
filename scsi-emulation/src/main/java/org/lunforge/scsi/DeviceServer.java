package org.lunforge.scsi;

import java.util.Collection;
import java.util.List;

/**
 * The device-type specific part of a logical unit: an SBC disk, an SSC tape drive, an SMC changer. The
 * {@link LogicalUnit} runs the checks every device shares and the SPC commands, and hands the device its own
 * commands, already decoded, through {@link #execute}.
 *
 * <p>A device server completes each task exactly once through {@link LogicalUnit#good} or
 * {@link LogicalUnit#fail}, synchronously or later from another thread; a {@link ScsiException} thrown from
 * {@code execute} completes the task with that status.
 */
public interface DeviceServer {
    PeripheralDeviceType deviceType();

    /** The RMB bit of standard INQUIRY data. */
    boolean removableMedium();

    /** The device's own command table rows; the logical unit adds the SPC rows {@link #supportsSpc} accepts. */
    Collection<? extends Operation> operations();

    /** Which SPC rows this device type serves (a changer has no WRITE BUFFER, say). Default: all of them. */
    default boolean supportsSpc(Operation spcOperation) {
        return true;
    }

    /** Called once, before the first command, with the logical unit this device server belongs to. */
    void attach(LogicalUnit logicalUnit);

    void execute(ScsiTask task, Command command);

    /**
     * Throws NOT READY (MEDIUM NOT PRESENT, INITIALIZING COMMAND REQUIRED after STOP, ...) if the device cannot
     * serve medium access now. TEST UNIT READY and every operation with {@link OperationTrait#NEEDS_MEDIUM} call it.
     */
    default void checkReady() {
    }

    /**
     * Throws while an operation on the whole medium owns the logical unit (NOT READY, SANITIZE IN PROGRESS) or after
     * one failed (MEDIUM ERROR, SANITIZE COMMAND FAILED), for {@code op} (null if the opcode is unknown). The logical
     * unit asks before anything else, unit attentions included, for every command but INQUIRY, REPORT LUNS and
     * REQUEST SENSE (SBC-4 4.11: those are served during a sanitize operation).
     */
    default void checkMediumOperation(Operation op) {
    }

    /** True if the medium is write protected (hardware or cartridge); WRITES_MEDIUM operations then fail. */
    default boolean writeProtected() {
        return false;
    }

    /** The 3PC bit of standard INQUIRY data: the device server supports EXTENDED COPY (third-party copy). */
    default boolean thirdPartyCopy() {
        return false;
    }

    /**
     * The VERSION DESCRIPTORS of the device's command sets, for standard INQUIRY data (SPC-4 6.6.2). The
     * logical unit adds SAM-5, SPC-4 and the transport's; by default the command set of the device type.
     */
    default int[] versionDescriptors() {
        return switch (deviceType()) {
            case DIRECT_ACCESS_BLOCK -> new int[] {0x04C0}; // SBC-3: iscsi-test-cu enables its SBC-3 tests on it
            case SEQUENTIAL_ACCESS -> new int[] {0x0400}; // SSC-3
            case MEDIUM_CHANGER -> new int[] {0x0480}; // SMC-3
            case UNKNOWN -> new int[0];
        };
    }

    /** VPD pages beyond those the logical unit builds itself (0x00, 0x80, 0x83, 0x86): disks add 0xB0-0xB2. */
    default List<VpdPage> vpdPages() {
        return List.of();
    }

    /** Mode pages beyond the shared ones (control 0x0A, informational exceptions 0x1C). */
    default List<ModePageDefinition> modePages() {
        return List.of();
    }

    /**
     * A mode page was changed by MODE SELECT: the device adopts the new current values. Throw
     * {@link CheckCondition} (INVALID FIELD IN PARAMETER LIST) to refuse a combination the changeable mask allows.
     */
    default void modePageChanged(ModePageDefinition page, byte[] current) {
    }

    /** Log pages beyond the shared ones (supported pages 0x00, informational exceptions 0x2F). */
    default List<LogPage> logPages() {
        return List.of();
    }

    /** The mode parameter block descriptor (SPC-4 7.5.5), or null if the device has none. */
    default BlockDescriptor blockDescriptor() {
        return null;
    }

    /** MODE SELECT carried a block descriptor; by default only the current values are accepted. */
    default void selectBlockDescriptor(BlockDescriptor descriptor, int parameterListOffset) {
        BlockDescriptor current = blockDescriptor();
        if (current == null || !current.equals(descriptor)) {
            throw CheckCondition.invalidFieldInParameterList(parameterListOffset, -1);
        }
    }

    /** The DEVICE-SPECIFIC PARAMETER of the mode parameter header (SBC: WP and DPOFUA; SSC: WP, buffered mode). */
    default int deviceSpecificParameter() {
        return 0;
    }

    /**
     * MODE SELECT carried this DEVICE-SPECIFIC PARAMETER (SSC: BUFFERED MODE and SPEED are set this way). By default
     * it is ignored, as SBC-4 6.5.2 says for disks. Throw INVALID FIELD IN PARAMETER LIST at {@code parameterListOffset}
     * to refuse a value.
     */
    default void selectDeviceSpecificParameter(int value, int parameterListOffset) {
    }

    /** Task management reached the logical unit (LOGICAL UNIT RESET, a target reset): drop volatile state. */
    default void reset() {
    }

    /**
     * The I_T nexus is gone (session closed, connection lost): state kept per nexus ends with it, such as a
     * PREVENT ALLOW MEDIUM REMOVAL it established (SBC-4 5.13, SMC-3) or held EXTENDED COPY results (SPC-4 6.4).
     */
    default void nexusLost(Nexus nexus) {
    }

    /** The logical unit is being removed or the daemon stops: flush and release the backstore. */
    default void close() {
    }
}
