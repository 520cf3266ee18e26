package org.lunforge.device.tape;

import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.lunforge.backstore.tape.Cartridge;
import org.lunforge.backstore.tape.FileCartridgeStore;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskResponse;

/**
 * A logical unit over a {@link TapeDrive} whose commands run on the caller's thread, a cartridge pool in a temporary
 * folder, and the commands the tests send, spelled as the st driver and mt spell them.
 */
final class TapeHarness implements AutoCloseable {
    static final TargetPort PORT = TargetPort.iscsi(1, "iqn.2025-01.org.lunforge:tape", 1);

    final FileCartridgeStore pool;
    final TapeDrive drive;
    final LogicalUnit lu;
    final Nexus nexus;
    /** The LUN map the tasks carry: what their nexus addresses, and how. */
    LunMap lunMap = LunMap.none();

    TapeHarness(Path folder) throws IOException {
        this(folder, TapeDriveModel.IBM_LTO8);
    }

    TapeHarness(Path folder, TapeDriveModel model) throws IOException {
        this.pool = FileCartridgeStore.open(folder);
        this.drive = new TapeDrive(model, "1013000001", Runnable::run);
        this.lu = new LogicalUnit("tape0", drive.identity(), drive, StateStore.inMemory());
        this.nexus = nexus("iqn.1994-05.com.redhat:host");
    }

    static Nexus nexus(String initiator) {
        return new Nexus(InitiatorPort.iscsi(initiator, 0x23D000000001L), PORT);
    }

    /** Creates a cartridge, loads it, and clears the nexus's unit attentions. */
    Cartridge loadNew(CartridgeSpec spec) throws IOException {
        Cartridge c = pool.create(spec);
        drive.load(c);
        clearAttentions(nexus);
        return c;
    }

    Cartridge loadNew(String barcode) throws IOException {
        return loadNew(CartridgeSpec.ofBarcode(barcode));
    }

    RecordingTask in(int dataInLength, int... cdb) {
        return in(nexus, dataInLength, cdb);
    }

    RecordingTask in(Nexus n, int dataInLength, int... cdb) {
        RecordingTask t = new RecordingTask(n, Cdb.of(cdb), SgList.EMPTY, dataInLength).withLunMap(lunMap);
        lu.execute(t);
        return t;
    }

    RecordingTask run(int... cdb) {
        return in(0, cdb);
    }

    RecordingTask out(byte[] data, int... cdb) {
        RecordingTask t = new RecordingTask(nexus, Cdb.of(cdb), SgList.wrap(data.clone()), 0).withLunMap(lunMap);
        lu.execute(t);
        return t;
    }

    /** Consumes the power-on unit attention of a nexus on a drive that may have no cartridge. */
    void clearAttentionsOrNotReady() {
        clearAttentionsOrNotReady(nexus);
    }

    void clearAttentionsOrNotReady(Nexus n) {
        for (int i = 0; i < 10; i++) {
            TaskResponse r = in(n, 0, 0x00, 0, 0, 0, 0, 0).response();
            if (r.status() == ScsiStatus.GOOD || Sense.decode(r.sense()).key() != org.lunforge.scsi.SenseKey.UNIT_ATTENTION) {
                return;
            }
        }
        throw new AssertionError("unit attentions never cleared");
    }

    void clearAttentions(Nexus n) {
        for (int i = 0; i < 10; i++) {
            if (in(n, 0, 0x00, 0, 0, 0, 0, 0).response().status() == ScsiStatus.GOOD) {
                return;
            }
        }
        throw new AssertionError("unit attentions never cleared");
    }

    // ------------------------------------------------------------ commands as st sends them

    RecordingTask writeVariable(byte[] block) {
        return out(block, 0x0A, 0, block.length >> 16, block.length >> 8, block.length, 0);
    }

    RecordingTask writeFixed(byte[] data, int blocks) {
        return out(data, 0x0A, 1, blocks >> 16, blocks >> 8, blocks, 0);
    }

    RecordingTask readVariable(int length) {
        return in(length, 0x08, 0, length >> 16, length >> 8, length, 0);
    }

    /** A variable-mode READ through a frontend that takes lent Data-In (as iSCSI does). */
    RecordingTask readVariableTakingLoans(int length, boolean sili) {
        RecordingTask t = new RecordingTask(nexus, Cdb.of(0x08, sili ? 2 : 0, length >> 16, length >> 8, length, 0),
                SgList.EMPTY, length).withLunMap(lunMap).takingLentDataIn();
        lu.execute(t);
        return t;
    }

    RecordingTask readVariableSili(int length) {
        return in(length, 0x08, 2, length >> 16, length >> 8, length, 0);
    }

    RecordingTask readFixed(int blocks, int blockLength) {
        return in(blocks * blockLength, 0x08, 1, blocks >> 16, blocks >> 8, blocks, 0);
    }

    RecordingTask writeFilemarks(int count, boolean immediate) {
        return run(0x10, immediate ? 1 : 0, count >> 16, count >> 8, count, 0);
    }

    /** SPACE(6): code 0 blocks, 1 filemarks, 2 sequential filemarks, 3 EOD; count signed 24 bits. */
    RecordingTask space(int code, int count) {
        return run(0x11, code, count >> 16, count >> 8, count, 0);
    }

    RecordingTask space16(int code, long count) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x91;
        c[1] = (byte) code;
        BigEndian.put64(c, 4, count);
        return raw(c, 0);
    }

    RecordingTask rewind() {
        return run(0x01, 0, 0, 0, 0, 0);
    }

    /** LOCATE(10) with BT set, as st's MTSEEK sends it. */
    RecordingTask locate10(long block) {
        return run(0x2B, 0x04, 0, (int) (block >> 24), (int) (block >> 16), (int) (block >> 8), (int) block, 0, 0,
                0);
    }

    RecordingTask locate16(int destType, long id) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x92;
        c[1] = (byte) (destType << 3);
        BigEndian.put64(c, 4, id);
        return raw(c, 0);
    }

    RecordingTask readPosition(int serviceAction, int allocation) {
        return in(64, 0x34, serviceAction, 0, 0, 0, 0, 0, allocation >> 8, allocation, 0);
    }

    RecordingTask raw(byte[] cdb, int dataIn) {
        RecordingTask t = new RecordingTask(nexus, new Cdb(cdb), SgList.EMPTY, dataIn);
        lu.execute(t);
        return t;
    }

    /** The short-form logical object identifier of the position (st's "tell"). */
    long tell() {
        RecordingTask t = readPosition(1, 0);
        assertGood(t);
        return BigEndian.u32(t.data(), 4);
    }

    // ------------------------------------------------------------ assertions

    static void assertGood(RecordingTask t) {
        TaskResponse r = t.response();
        assertEquals(ScsiStatus.GOOD, r.status(), () -> "expected GOOD, got " + describe(r));
    }

    static Sense assertCheck(RecordingTask t, SenseCode code) {
        TaskResponse r = t.response();
        assertEquals(ScsiStatus.CHECK_CONDITION, r.status(), () -> "expected " + code + ", got " + describe(r));
        Sense s = Sense.decode(r.sense());
        assertEquals(code, s.code());
        return s;
    }

    /** CHECK CONDITION with this code, stream bits and INFORMATION (as the signed 32-bit value st reads). */
    static Sense assertStream(RecordingTask t, SenseCode code, boolean fm, boolean eom, boolean ili, long information) {
        Sense s = assertCheck(t, code);
        assertEquals(fm, s.filemark(), "FILEMARK");
        assertEquals(eom, s.endOfMedium(), "EOM");
        assertEquals(ili, s.incorrectLength(), "ILI");
        assertEquals(information, (long) (int) (long) s.information(), "INFORMATION");
        return s;
    }

    static void assertInvalidCdbField(RecordingTask t, int byteIndex, int bit) {
        Sense s = assertCheck(t, SenseCode.INVALID_FIELD_IN_CDB);
        assertEquals(new Sense.FieldPointer(true, byteIndex, bit), s.fieldPointer());
    }

    static String describe(TaskResponse r) {
        return r.status() + (r.sense().length > 0 ? " " + Sense.decode(r.sense()) : "");
    }

    @Override
    public void close() {
        lu.close();
    }
}
