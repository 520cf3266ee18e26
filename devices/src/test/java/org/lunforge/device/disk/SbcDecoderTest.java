package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** Every SBC operation code decodes; every bit outside its CDB usage data and every bad field value is refused. */
class SbcDecoderTest {
    private static final CommandTable TABLE = new CommandTable(List.of(SbcOperation.values()));

    static Cdb blank(Operation op) {
        byte[] b = new byte[op.cdbLength()];
        b[0] = (byte) op.opcode();
        if (op.serviceAction() != Operation.NO_SERVICE_ACTION) {
            b[1] = (byte) op.serviceAction();
        }
        return new Cdb(b);
    }

    static Cdb with(Cdb cdb, int index, int value) {
        byte[] b = cdb.bytes();
        b[index] = (byte) value;
        return new Cdb(b);
    }

    static CheckCondition refused(Cdb cdb) {
        return assertThrows(CheckCondition.class, () -> TABLE.lookup(cdb).decode(cdb), cdb::toString);
    }

    static void assertPointer(Cdb cdb, int byteIndex, int bit) {
        CheckCondition e = refused(cdb);
        assertEquals(SenseCode.INVALID_FIELD_IN_CDB, e.sense().code(), cdb::toString);
        assertEquals(Sense.FieldPointer.cdb(byteIndex, bit), e.sense().fieldPointer(), cdb::toString);
    }

    @ParameterizedTest
    @EnumSource(SbcOperation.class)
    void aBlankCdbDecodesToItsRecord(SbcOperation op) {
        Cdb cdb = blank(op);
        assertSame(op, TABLE.lookup(cdb));
        assertInstanceOf(SbcCommand.class, op.decode(cdb));
    }

    @ParameterizedTest
    @EnumSource(SbcOperation.class)
    void everyBitOutsideTheUsageDataIsRefusedAtThatBit(SbcOperation op) {
        byte[] usage = op.cdbUsage();
        for (int i = 1; i < usage.length; i++) {
            int allowed = usage[i] & 0xFF;
            if (i == 1 && op.serviceAction() != Operation.NO_SERVICE_ACTION) {
                allowed |= 0x1F;
            }
            for (int bit = 0; bit < 8; bit++) {
                if ((allowed & (1 << bit)) == 0) {
                    Cdb cdb = blank(op);
                    assertPointer(with(cdb, i, (cdb.u8(i)) | (1 << bit)), i, bit);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SbcOperation.class)
    void usageDataNamesTheOpcodeAndHasAControlByte(SbcOperation op) {
        byte[] usage = op.cdbUsage();
        assertEquals(op.opcode(), usage[0] & 0xFF);
        assertEquals(0, usage[usage.length - 1], "NACA and LINK are never evaluated");
        assertTrue(op.displayName().matches("[A-Z -]+( \\(\\d+\\))?"), op.displayName());
    }

    static Stream<Operation> dpoFua() {
        return Stream.of(SbcOperation.READ_10, SbcOperation.READ_12, SbcOperation.READ_16, SbcOperation.WRITE_10,
                SbcOperation.WRITE_12, SbcOperation.WRITE_16, SbcOperation.COMPARE_AND_WRITE,
                SbcOperation.ORWRITE_16, SbcOperation.WRITE_ATOMIC_16);
    }

    @ParameterizedTest
    @MethodSource("dpoFua")
    void dpoAndFuaAreInTheUsageDataBecauseDpofuaIsSet(Operation op) {
        assertEquals(0x18, op.cdbUsage()[1] & 0x18);
    }

    @Test
    void read6TransferLengthZeroMeans256() {
        SbcCommand.Read r = (SbcCommand.Read) TABLE.lookup(Cdb.of(0x08, 0x1F, 0xFF, 0xFF, 0, 0))
                .decode(Cdb.of(0x08, 0x1F, 0xFF, 0xFF, 0, 0));
        assertEquals(0x1FFFFF, r.lba());
        assertEquals(256, r.blocks());
    }

    @Test
    void read16CarriesAll64BitsOfTheLba() {
        Cdb cdb = DiskHarness.read16(-1L, 0xFFFFFFFFL);
        SbcCommand.Read r = (SbcCommand.Read) TABLE.lookup(cdb).decode(cdb);
        assertEquals(-1L, r.lba());
        assertEquals(0xFFFFFFFFL, r.blocks());
        assertEquals(10, r.lengthField());
    }

    @Test
    void protectionFieldsAreRefusedBecauseThereIsNoProtectionInformation() {
        assertPointer(DiskHarness.cdb10(0x28, 0x20, 0, 1), 1, 5); // RDPROTECT 001b
        assertPointer(DiskHarness.cdb10(0x2A, 0xE0, 0, 1), 1, 7); // WRPROTECT 111b
        assertPointer(DiskHarness.cdb10(0x2F, 0x40, 0, 1), 1, 6); // VRPROTECT 010b
        assertPointer(DiskHarness.cdb16(0x8B, 0x20, 0, 1), 1, 5); // ORPROTECT
    }

    @Test
    void verifyByteCheck10bIsReserved() {
        assertPointer(DiskHarness.cdb10(0x2F, 0x04, 0, 1), 1, 2);
        assertInstanceOf(SbcCommand.Verify.class, TABLE.lookup(DiskHarness.cdb10(0x2F, 0x06, 0, 1))
                .decode(DiskHarness.cdb10(0x2F, 0x06, 0, 1)));
    }

    @Test
    void writeAndVerifyByteCheckAbove01bIsRefused() {
        assertPointer(DiskHarness.cdb10(0x2E, 0x04, 0, 1), 1, 2);
        assertPointer(DiskHarness.cdb16(0x8E, 0x06, 0, 1), 1, 2);
    }

    @Test
    void writeSameAnchorIsRefusedAndNdobOnlyIn16() {
        assertPointer(DiskHarness.cdb10(0x41, 0x10, 0, 1), 1, 4); // ANCHOR: ANC_SUP is 0
        assertPointer(DiskHarness.cdb10(0x41, 0x01, 0, 1), 1, 0); // no NDOB in WRITE SAME (10)
        Cdb ndob = DiskHarness.cdb16(0x93, 0x09, 5, 7);
        SbcCommand.WriteSame w = (SbcCommand.WriteSame) TABLE.lookup(ndob).decode(ndob);
        assertTrue(w.noDataOut());
        assertTrue(w.unmap());
    }

    @Test
    void writeAtomicBoundaryMustBeZero() {
        Cdb cdb = with(blank(SbcOperation.WRITE_ATOMIC_16), 11, 1);
        assertPointer(cdb, 11, 0);
    }

    @Test
    void readCapacity10LbaWithoutPmiIsRefused() {
        assertPointer(Cdb.of(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0), 2, 7);
        TABLE.lookup(Cdb.of(0x25, 0, 0, 0, 0, 1, 0, 0, 1, 0)).decode(Cdb.of(0x25, 0, 0, 0, 0, 1, 0, 0, 1, 0));
    }

    @Test
    void reservedDefectListFormatsAreRefused() {
        for (int format : new int[] {1, 2, 7}) {
            assertPointer(Cdb.of(0x37, 0, format, 0, 0, 0, 0, 0, 32, 0), 2, 2);
            assertPointer(Cdb.of(0xB7, format, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 1, 2);
        }
        SbcCommand.ReadDefectData d = (SbcCommand.ReadDefectData) TABLE.lookup(Cdb.of(0x37, 0, 0x1D, 0, 0, 0, 0, 0,
                32, 0)).decode(Cdb.of(0x37, 0, 0x1D, 0, 0, 0, 0, 0, 32, 0));
        assertTrue(d.primary() && d.grown());
        assertEquals(5, d.format());
    }

    @Test
    void preventAllowObsoleteValuesAreRefused() {
        assertPointer(Cdb.of(0x1E, 0, 0, 0, 2, 0), 4, 1);
        assertPointer(Cdb.of(0x1E, 0, 0, 0, 3, 0), 4, 1);
    }

    @Test
    void unknownServiceActionPointsAtTheServiceActionField() {
        assertPointer(Cdb.of(0x9E, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 1, 4);
        assertPointer(Cdb.of(0x84, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 1, 4);
    }

    @Test
    void shortCdbIsRefusedAtTheOpcode() {
        assertPointer(Cdb.of(0x28, 0, 0, 0, 0, 0), 0, 7);
    }

    @Test
    void startStopUnitFields() {
        Cdb cdb = Cdb.of(0x1B, 1, 0, 0x0F, 0x37, 0);
        SbcCommand.StartStopUnit s = (SbcCommand.StartStopUnit) TABLE.lookup(cdb).decode(cdb);
        assertTrue(s.immediate());
        assertEquals(3, s.powerCondition());
        assertTrue(s.noFlush() && s.loadEject() && s.start());
    }
}
