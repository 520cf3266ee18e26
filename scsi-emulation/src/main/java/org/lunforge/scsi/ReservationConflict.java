package org.lunforge.scsi;

/** RESERVATION CONFLICT status (SPC-4 5.13): no sense data. */
public final class ReservationConflict extends ScsiException {
    public ReservationConflict(String why) {
        super(why);
    }

    @Override
    public ScsiStatus status() {
        return ScsiStatus.RESERVATION_CONFLICT;
    }
}
