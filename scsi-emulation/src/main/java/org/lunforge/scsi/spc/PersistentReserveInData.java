package org.lunforge.scsi.spc;

import java.io.ByteArrayOutputStream;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.spc.ReservationState.Registration;

/** The parameter data of PERSISTENT RESERVE IN (SPC-4 6.13), built from one {@link ReservationState}. */
final class PersistentReserveInData {
    static final int READ_KEYS = 0;
    static final int READ_RESERVATION = 1;
    static final int REPORT_CAPABILITIES = 2;
    static final int READ_FULL_STATUS = 3;

    private PersistentReserveInData() {
    }

    static byte[] of(int serviceAction, ReservationState s) {
        return switch (serviceAction) {
            case READ_KEYS -> readKeys(s);
            case READ_RESERVATION -> readReservation(s);
            case REPORT_CAPABILITIES -> reportCapabilities(s);
            case READ_FULL_STATUS -> readFullStatus(s);
            default -> throw new IllegalArgumentException("service action " + serviceAction);
        };
    }

    /**
     * SPC-4 6.13.2: PRGENERATION, ADDITIONAL LENGTH, one key per registration. ADDITIONAL LENGTH is that of the whole
     * list even when the allocation length cuts it (iscsi-test-cu PrinReadKeys.Truncate checks).
     */
    static byte[] readKeys(ReservationState s) {
        byte[] d = new byte[8 + 8 * s.registrations().size()];
        BigEndian.put32(d, 0, s.generation());
        BigEndian.put32(d, 4, 8L * s.registrations().size());
        int at = 8;
        for (Registration r : s.registrations()) {
            BigEndian.put64(d, at, r.key());
            at += 8;
        }
        return d;
    }

    /**
     * SPC-4 6.13.3: the reservation, if any: the holder's key (zero under the all-registrants types, 5.13.9), SCOPE
     * (logical unit) and TYPE.
     */
    static byte[] readReservation(ReservationState s) {
        byte[] d = new byte[s.reserved() ? 24 : 8];
        BigEndian.put32(d, 0, s.generation());
        if (s.reserved()) {
            BigEndian.put32(d, 4, 16);
            Registration holder = s.type().allRegistrants() ? null : s.holderRegistration();
            BigEndian.put64(d, 8, holder == null ? 0 : holder.key());
            d[21] = (byte) s.type().code(); // SCOPE 0h: logical unit
        }
        return d;
    }

    /**
     * SPC-4 6.13.4: CRH, SIP_C, ATP_C, PTPL_C; TMV with ALLOW COMMANDS 001b (TEST UNIT READY is allowed through
     * Write Exclusive and Exclusive Access reservations); PTPL_A as the last APTPL received; every type in the mask.
     */
    static byte[] reportCapabilities(ReservationState s) {
        byte[] d = new byte[8];
        BigEndian.put16(d, 0, 8);
        d[2] = 0x10 | 0x08 | 0x04 | 0x01; // CRH, SIP_C, ATP_C, PTPL_C
        d[3] = (byte) (0x80 | 0x10 | (s.aptpl() ? 0x01 : 0)); // TMV, ALLOW COMMANDS 001b, PTPL_A
        d[4] = (byte) (0x80 | 0x40 | 0x20 | 0x08 | 0x02); // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        d[5] = 0x01; // EX_AC_AR
        return d;
    }

    /**
     * SPC-4 6.13.5: one full status descriptor per registration: key, ALL_TG_PT, R_HOLDER with SCOPE and TYPE, the
     * RELATIVE TARGET PORT IDENTIFIER, and the initiator's TransportID.
     */
    static byte[] readFullStatus(ReservationState s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[8]);
        for (Registration r : s.registrations()) {
            Registrant g = r.registrant();
            byte[] id = TransportId.write(g.protocol(), g.name(), g.portIdentifier());
            byte[] d = new byte[24 + id.length];
            BigEndian.put64(d, 0, r.key());
            boolean holder = s.holds(r);
            d[12] = (byte) ((g.allTargetPorts() ? 0x02 : 0) | (holder ? 0x01 : 0));
            d[13] = (byte) (holder ? s.type().code() : 0);
            BigEndian.put16(d, 18, g.allTargetPorts() ? 0 : g.relativeTargetPortId());
            BigEndian.put32(d, 20, id.length);
            System.arraycopy(id, 0, d, 24, id.length);
            out.writeBytes(d);
        }
        byte[] data = out.toByteArray();
        BigEndian.put32(data, 0, s.generation());
        BigEndian.put32(data, 4, data.length - 8);
        return data;
    }
}
