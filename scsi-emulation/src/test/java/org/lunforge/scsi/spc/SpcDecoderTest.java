package org.lunforge.scsi.spc;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** Every SPC row: its usage data, what it decodes to, and the field pointer of each bad field. */
class SpcDecoderTest {
    private final CommandTable table = new CommandTable(List.of(SpcOperation.values()));

    private SpcCommand decode(int... cdb) {
        Cdb c = Cdb.of(cdb);
        return (SpcCommand) table.lookup(c).decode(c);
    }

    private static void assertPointer(int byteIndex, int bit, Runnable decoding) {
        CheckCondition e = assertThrows(CheckCondition.class, decoding::run);
        assertEquals(SenseCode.INVALID_FIELD_IN_CDB, e.sense().code());
        assertEquals(Sense.FieldPointer.cdb(byteIndex, bit), e.sense().fieldPointer());
    }

    @ParameterizedTest
    @EnumSource(SpcOperation.class)
    void usageDataStartsWithTheOpcodeAndTheServiceAction(SpcOperation op) {
        byte[] usage = op.cdbUsage();
        assertEquals(op.opcode(), usage[0] & 0xFF);
        if (op.serviceAction() != Operation.NO_SERVICE_ACTION) {
            assertEquals(op.serviceAction(), usage[1] & 0x1F);
        }
        assertEquals(0, usage[usage.length - 1] & 0x07, "NACA and LINK are never evaluated");
        // A CDB with every evaluated bit clear (service action kept) must look up to this row.
        byte[] cdb = new byte[usage.length];
        cdb[0] = usage[0];
        if (op.serviceAction() != Operation.NO_SERVICE_ACTION) {
            cdb[1] = (byte) op.serviceAction();
        }
        assertSame(op, table.lookup(new Cdb(cdb)));
    }

    @Test
    void inquiry() {
        assertEquals(new SpcCommand.Inquiry(true, 0x83, 0x1FF), decode(0x12, 1, 0x83, 1, 0xFF, 0));
        assertPointer(2, 7, () -> decode(0x12, 0, 0x80, 0, 36, 0));
    }

    @Test
    void requestSenseAndTestUnitReady() {
        assertEquals(new SpcCommand.RequestSense(true, 252), decode(0x03, 1, 0, 0, 252, 0));
        assertEquals(new SpcCommand.TestUnitReady(), decode(0, 0, 0, 0, 0, 0));
        assertPointer(1, 1, () -> decode(0x03, 2, 0, 0, 252, 0));
        assertPointer(1, 0, () -> decode(0x00, 1, 0, 0, 0, 0));
    }

    @Test
    void modeSenseAndSelect() {
        assertEquals(new SpcCommand.ModeSense(false, true, false, 2, 0x3F, 0xFF, 255),
                decode(0x1A, 0x08, 0xBF, 0xFF, 255, 0));
        assertEquals(new SpcCommand.ModeSense(true, false, true, 0, 0x0A, 0, 0x200),
                decode(0x5A, 0x10, 0x0A, 0, 0, 0, 0, 2, 0, 0));
        assertEquals(new SpcCommand.ModeSelect(false, true, true, 24), decode(0x15, 0x11, 0, 0, 24, 0));
        assertEquals(new SpcCommand.ModeSelect(true, true, false, 0x104),
                decode(0x55, 0x10, 0, 0, 0, 0, 0, 1, 4, 0));
        assertPointer(1, 4, () -> decode(0x1A, 0x10, 0x3F, 0, 255, 0));
        assertPointer(2, 7, () -> decode(0x15, 0x10, 0x80, 0, 24, 0));
    }

    @Test
    void logSenseAndSelect() {
        assertEquals(new SpcCommand.LogSense(1, 0x2E, 0, 3, 0x400), decode(0x4D, 0, 0x6E, 0, 0, 0, 3, 4, 0, 0));
        assertPointer(1, 0, () -> decode(0x4D, 1, 0x40, 0, 0, 0, 0, 0, 255, 0));
        assertPointer(1, 1, () -> decode(0x4D, 2, 0x40, 0, 0, 0, 0, 0, 255, 0));
        assertEquals(new SpcCommand.LogSelect(true, 3, 0, 0, 0), decode(0x4C, 2, 0xC0, 0, 0, 0, 0, 0, 0, 0));
        assertPointer(1, 1, () -> decode(0x4C, 2, 0xC0, 0, 0, 0, 0, 0, 4, 0));
        assertPointer(1, 0, () -> decode(0x4C, 1, 0xC0, 0, 0, 0, 0, 0, 0, 0));
        assertPointer(4, 0, () -> decode(0x4D, 0, 0x40, 0, 1, 0, 0, 0, 255, 0));
    }

    @Test
    void reserveAndRelease() {
        assertEquals(new SpcCommand.Reserve(), decode(0x16, 0, 0, 0, 0, 0));
        assertEquals(new SpcCommand.Release(), decode(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertPointer(1, 4, () -> decode(0x17, 0x10, 0, 0, 0, 0));
        assertPointer(3, 7, () -> decode(0x56, 0, 0, 0x80, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void persistentReserveInAndOut() {
        assertEquals(new SpcCommand.PersistentReserveIn(3, 0x4000), decode(0x5E, 3, 0, 0, 0, 0, 0, 0x40, 0, 0));
        assertPointer(1, 4, () -> decode(0x5E, 4, 0, 0, 0, 0, 0, 0, 8, 0));
        assertPointer(1, 5, () -> decode(0x5E, 0x20, 0, 0, 0, 0, 0, 0, 8, 0));
        assertEquals(new SpcCommand.PersistentReserveOut(1, 0, 3, 24), decode(0x5F, 1, 3, 0, 0, 0, 0, 0, 24, 0));
        assertEquals(new SpcCommand.PersistentReserveOut(0, 0, 0, 24), decode(0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0));
        assertPointer(2, 7, () -> decode(0x5F, 4, 0x13, 0, 0, 0, 0, 0, 24, 0));
        assertPointer(2, 3, () -> decode(0x5F, 2, 0x04, 0, 0, 0, 0, 0, 24, 0));
        assertPointer(1, 4, () -> decode(0x5F, 8, 0, 0, 0, 0, 0, 0, 24, 0));
        assertPointer(3, 7, () -> decode(0x5F, 0, 0, 0xFF, 0, 0, 0, 0, 24, 0));
    }

    @Test
    void maintenanceIn() {
        assertEquals(new SpcCommand.ReportSupportedOperationCodes(true, 2, 0x5E, 3, 0x1000),
                decode(0xA3, 0x0C, 0x82, 0x5E, 0, 3, 0, 0, 0x10, 0, 0, 0));
        assertPointer(2, 2, () -> decode(0xA3, 0x0C, 0x05, 0, 0, 0, 0, 0, 1, 0, 0, 0));
        assertPointer(2, 6, () -> decode(0xA3, 0x0C, 0x40, 0, 0, 0, 0, 0, 1, 0, 0, 0));
        assertEquals(new SpcCommand.ReportTargetPortGroups(true, 300),
                decode(0xA3, 0x2A, 0, 0, 0, 0, 0, 0, 1, 44, 0, 0));
        assertPointer(1, 7, () -> decode(0xA3, 0xCA, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0));
        assertEquals(new SpcCommand.ReportSupportedTaskManagementFunctions(false, 4),
                decode(0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0));
        assertPointer(6, 7, () -> decode(0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0));
        assertPointer(1, 4, () -> decode(0xA3, 0x05, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)); // no such service action
        assertPointer(10, 7, () -> decode(0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0x80, 0));
    }

    @Test
    void maintenanceOut() {
        assertEquals(new SpcCommand.SetTargetPortGroups(8), decode(0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0));
        assertPointer(2, 0, () -> decode(0xA4, 0x0A, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0));
    }

    @Test
    void reportLuns() {
        assertEquals(new SpcCommand.ReportLuns(2, 16), decode(0xA0, 0, 2, 0, 0, 0, 0, 0, 0, 16, 0, 0));
        assertPointer(2, 7, () -> decode(0xA0, 0, 3, 0, 0, 0, 0, 0, 0, 16, 0, 0));
        assertPointer(6, 7, () -> decode(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0));
    }

    @Test
    void shortCdbIsRefusedAtTheOpcode() {
        assertPointer(0, 7, () -> decode(0x5A, 0, 0x3F));
    }
}
