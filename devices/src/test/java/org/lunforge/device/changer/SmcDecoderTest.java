package org.lunforge.device.changer;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.ReservationClass;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.spc.SpcCommand;
import org.lunforge.scsi.spc.SpcOperation;

/** Every SMC row: its usage data, what it decodes to, and the field pointer of each bad field. */
class SmcDecoderTest {
    private final CommandTable table = table();

    private static CommandTable table() {
        List<Operation> ops = new ArrayList<>(List.of(SmcOperation.values()));
        for (SpcOperation op : SpcOperation.values()) {
            if (op != SpcOperation.MODE_SENSE_6 && op != SpcOperation.SET_TARGET_PORT_GROUPS) {
                ops.add(op);
            }
        }
        return new CommandTable(ops);
    }

    private Command decode(int... cdb) {
        Cdb c = Cdb.of(cdb);
        return table.lookup(c).decode(c);
    }

    private static void assertPointer(int byteIndex, int bit, Runnable decoding) {
        CheckCondition e = assertThrows(CheckCondition.class, decoding::run);
        assertEquals(SenseCode.INVALID_FIELD_IN_CDB, e.sense().code());
        assertEquals(Sense.FieldPointer.cdb(byteIndex, bit), e.sense().fieldPointer());
    }

    @ParameterizedTest
    @EnumSource(SmcOperation.class)
    void usageDataStartsWithTheOpcodeAndNeverAllowsNacaOrLink(SmcOperation op) {
        byte[] usage = op.cdbUsage();
        assertEquals(op.opcode(), usage[0] & 0xFF);
        assertEquals(Operation.NO_SERVICE_ACTION, op.serviceAction());
        assertEquals(0, usage[usage.length - 1] & 0x07, "NACA and LINK are never accepted");
        byte[] cdb = new byte[usage.length];
        cdb[0] = usage[0];
        assertSame(op, table.lookup(new Cdb(cdb)));
    }

    @ParameterizedTest
    @EnumSource(SmcOperation.class)
    void theObsoleteLunBitsThatLinuxChSendsAreAccepted(SmcOperation op) {
        byte[] cdb = new byte[op.cdbLength()];
        cdb[0] = (byte) op.opcode();
        cdb[1] = (byte) (5 << 5); // ch.c: cmd[1] = (lun & 7) << 5
        if (op == SmcOperation.MODE_SENSE_6) {
            cdb[2] = 0x1D;
        }
        assertSame(op, table.lookup(new Cdb(cdb)));
        assertNotNull(op.decode(new Cdb(cdb)));
    }

    @Test
    void readElementStatus() {
        assertEquals(new SmcCommand.ReadElementStatus(ElementType.DATA_TRANSFER, true, 0x0100, 2, true, true, 0x10203),
                decode(0xB8, 0x14, 0x01, 0x00, 0x00, 0x02, 0x03, 0x01, 0x02, 0x03, 0, 0));
        assertEquals(new SmcCommand.ReadElementStatus(null, false, 0, 0xFFFF, false, false, 0xFFFFFF),
                decode(0xB8, 0x00, 0, 0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0, 0));
        for (int code = 5; code <= 15; code++) {
            int c = code;
            assertPointer(1, 3, () -> decode(0xB8, c, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0));
        }
        assertPointer(6, 2, () -> decode(0xB8, 0, 0, 0, 0, 1, 0x04, 0, 1, 0, 0, 0)); // reserved bit of byte 6
        assertPointer(10, 0, () -> decode(0xB8, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0x01, 0)); // reserved byte 10
        assertPointer(11, 2, () -> decode(0xB8, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0x04)); // NACA
    }

    @Test
    void moveMedium() {
        assertEquals(new SmcCommand.MoveMedium(0, 0x0400, 0x0101),
                decode(0xA5, 0, 0, 0, 0x04, 0x00, 0x01, 0x01, 0, 0, 0, 0));
        // mtx's "eepos 1" sets the vendor specific bits of the control byte.
        assertEquals(new SmcCommand.MoveMedium(0, 0x0400, 0x0010),
                decode(0xA5, 0, 0, 0, 0x04, 0x00, 0x00, 0x10, 0, 0, 0, 1 << 6));
        assertPointer(10, 0, () -> decode(0xA5, 0, 0, 0, 0x04, 0, 0x01, 0x01, 0, 0, 0x01, 0)); // INVERT
        assertPointer(8, 7, () -> decode(0xA5, 0, 0, 0, 0x04, 0, 0x01, 0x01, 0x80, 0, 0, 0)); // reserved
        assertPointer(1, 4, () -> decode(0xA5, 0x10, 0, 0, 0x04, 0, 0x01, 0x01, 0, 0, 0, 0)); // reserved
        assertPointer(11, 2, () -> decode(0xA5, 0, 0, 0, 0x04, 0, 0x01, 0x01, 0, 0, 0, 0x04)); // NACA
    }

    @Test
    void exchangeMedium() {
        assertEquals(new SmcCommand.ExchangeMedium(0, 0x0400, 0x0100, 0x0401),
                decode(0xA6, 0, 0, 0, 0x04, 0, 0x01, 0x00, 0x04, 0x01, 0, 0));
        assertPointer(10, 0, () -> decode(0xA6, 0, 0, 0, 0x04, 0, 0x01, 0, 0x04, 0x01, 0x01, 0)); // INV1
        assertPointer(10, 1, () -> decode(0xA6, 0, 0, 0, 0x04, 0, 0x01, 0, 0x04, 0x01, 0x02, 0)); // INV2
        // mtx "invert2 exchange" puts INV1 into byte 1 bit 0, which is reserved.
        assertPointer(1, 0, () -> decode(0xA6, 0x01, 0, 0, 0x04, 0, 0x01, 0, 0x04, 0x01, 0, 0));
    }

    @Test
    void positionToElement() {
        assertEquals(new SmcCommand.PositionToElement(0, 0x0010), decode(0x2B, 0, 0, 0, 0, 0x10, 0, 0, 0, 0));
        assertPointer(8, 0, () -> decode(0x2B, 0, 0, 0, 0, 0x10, 0, 0, 0x01, 0)); // INVERT
        assertPointer(6, 7, () -> decode(0x2B, 0, 0, 0, 0, 0x10, 0x80, 0, 0, 0)); // reserved
    }

    @Test
    void initializeElementStatusBothForms() {
        assertEquals(new SmcCommand.InitializeElementStatus(false, 0, 0, false), decode(0x07, 0, 0, 0, 0, 0));
        assertPointer(4, 7, () -> decode(0x07, 0, 0, 0, 0x80, 0));
        assertEquals(new SmcCommand.InitializeElementStatus(true, 0x0400, 5, true),
                decode(0x37, 0x03, 0x04, 0x00, 0, 0, 0, 5, 0, 0));
        assertEquals(new SmcCommand.InitializeElementStatus(false, 0x0400, 5, false),
                decode(0x37, 0x00, 0x04, 0x00, 0, 0, 0, 5, 0, 0));
        assertPointer(4, 7, () -> decode(0x37, 0x01, 0x04, 0x00, 0x80, 0, 0, 5, 0, 0));
    }

    @Test
    void preventAllowMediumRemoval() {
        assertEquals(new SmcCommand.PreventAllowMediumRemoval(true), decode(0x1E, 0, 0, 0, 1, 0));
        assertEquals(new SmcCommand.PreventAllowMediumRemoval(false), decode(0x1E, 0, 0, 0, 0, 0));
        assertPointer(4, 1, () -> decode(0x1E, 0, 0, 0, 2, 0));
        assertPointer(4, 1, () -> decode(0x1E, 0, 0, 0, 3, 0));
        assertPointer(4, 7, () -> decode(0x1E, 0, 0, 0, 0x80, 0)); // PREEMPT is not supported
    }

    @Test
    void preventZeroIsAllowedUnderReservationsPreventOneIsNot() {
        SmcOperation op = SmcOperation.PREVENT_ALLOW_MEDIUM_REMOVAL;
        assertEquals(ReservationClass.ALLOWED, op.reservationClass(new SmcCommand.PreventAllowMediumRemoval(false)));
        assertEquals(ReservationClass.WRITE, op.reservationClass(new SmcCommand.PreventAllowMediumRemoval(true)));
        assertEquals(ReservationClass.READ, SmcOperation.READ_ELEMENT_STATUS.reservationClass());
        assertEquals(ReservationClass.WRITE, SmcOperation.MOVE_MEDIUM.reservationClass());
    }

    @Test
    void modeSense6DecodesToTheSpcRecordWithLunBitsAccepted() {
        assertEquals(new SpcCommand.ModeSense(false, true, false, 0, 0x1D, 0, 136),
                decode(0x1A, 0x08, 0x1D, 0, 136, 0));
        assertEquals(new SpcCommand.ModeSense(false, false, false, 0, 0x1D, 0, 255),
                decode(0x1A, 0x20, 0x1D, 0, 255, 0));
        assertPointer(1, 4, () -> decode(0x1A, 0x10, 0x1D, 0, 255, 0));
    }
}
