package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.backstore.StoreOutcome;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskResponse;

/** SANITIZE (SBC-4 5.30): OVERWRITE, BLOCK ERASE, EXIT FAILURE MODE, and the logical unit while one runs. */
class SanitizeTest {
    static final long BLOCKS = 6000; // 3 MiB less a little: several steps, the last one short
    static final int OVERWRITE = 0x01;
    static final int BLOCK_ERASE = 0x02;
    static final int EXIT_FAILURE_MODE = 0x1F;

    MemoryBlockStore memory = new MemoryBlockStore(BLOCKS * 512);
    DiskHarness h = new DiskHarness(memory, DiskConfig.defaults());

    @AfterEach
    void close() {
        h.close();
    }

    static Cdb sanitize(int serviceAction, boolean immediate, boolean ause, int parameterListLength) {
        return Cdb.of(0x48, (immediate ? 0x80 : 0) | (ause ? 0x20 : 0) | serviceAction, 0, 0, 0, 0, 0,
                parameterListLength >> 8, parameterListLength & 0xFF, 0);
    }

    /** OVERWRITE parameter data: INVERT, OVERWRITE COUNT and the initialization pattern. */
    static byte[] overwrite(boolean invert, int count, byte[] pattern) {
        byte[] p = new byte[4 + pattern.length];
        p[0] = (byte) ((invert ? 0x80 : 0) | count);
        p[2] = (byte) (pattern.length >> 8);
        p[3] = (byte) pattern.length;
        System.arraycopy(pattern, 0, p, 4, pattern.length);
        return p;
    }

    static Cdb testUnitReady() {
        return Cdb.of(0x00, 0, 0, 0, 0, 0);
    }

    byte[] readAll() {
        return h.run(read16(0, BLOCKS), BLOCKS * 512).dataIn();
    }

    /** Each logical block starts the pattern afresh: block byte i is pattern[i % length]. */
    static void assertPatterned(byte[] data, byte[] pattern, boolean inverted) {
        for (int i = 0; i < data.length; i++) {
            byte want = pattern[(i % 512) % pattern.length];
            assertEquals((byte) (inverted ? ~want : want), data[i], "byte " + i);
        }
    }

    void awaitReady() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (h.run(testUnitReady()).status() != ScsiStatus.GOOD) {
            assertTrue(System.nanoTime() < until, "the sanitize does not end");
            Thread.sleep(5);
        }
    }

    // ---- OVERWRITE

    @Test
    void overwriteWritesThePatternFromEachBlocksStart() {
        h.run(write16(0, 8), fill(8 * 512, 0x11)).assertGood();
        h.run(write16(BLOCKS - 8, 8), fill(8 * 512, 0x11)).assertGood();
        byte[] pattern = {1, 2, 3}; // 512 is not a multiple of 3: the pattern restarts at every block
        h.run(sanitize(OVERWRITE, false, false, 7), overwrite(false, 1, pattern)).assertGood();
        assertPatterned(readAll(), pattern, false);
    }

    @Test
    void overwriteWithInvertAlternatesThePatternBetweenPasses() {
        byte[] pattern = fill(512, 0xA5);
        h.run(sanitize(OVERWRITE, false, false, 516), overwrite(true, 2, pattern)).assertGood();
        assertPatterned(readAll(), pattern, true);
        h.run(sanitize(OVERWRITE, false, false, 516), overwrite(true, 3, pattern)).assertGood();
        assertPatterned(readAll(), pattern, false);
    }

    @Test
    void overwriteParameterListLengthIsMoreThanFourAndAtMostTheBlockLengthPlusFour() {
        byte[] p = overwrite(false, 1, fill(512, 0xAA));
        for (int length = 0; length <= 4; length++) {
            h.run(sanitize(OVERWRITE, false, false, length), Arrays.copyOf(p, length)).assertInvalidField(7, 7);
        }
        h.run(sanitize(OVERWRITE, false, false, 517), Arrays.copyOf(p, 517)).assertInvalidField(7, 7);
        assertArrayEquals(new byte[512], h.run(read10(0, 1), 512).dataIn(), "nothing was written");
    }

    @Test
    void overwriteParameterDataErrorsPointIntoTheParameterList() {
        byte[] p = overwrite(false, 0, fill(512, 0xAA));
        Sense s = h.run(sanitize(OVERWRITE, false, false, 516), p).sense();
        assertEquals(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, s.code(), "OVERWRITE COUNT 0");
        assertEquals(Sense.FieldPointer.parameterList(0, 4), s.fieldPointer());
        p = overwrite(false, 1, fill(512, 0xAA));
        p[3] = 0;
        p[2] = 0;
        h.run(sanitize(OVERWRITE, false, false, 516), p).assertSense(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        p[2] = 0x02;
        p[3] = 0x04; // 516 > the block length
        h.run(sanitize(OVERWRITE, false, false, 516), p).assertSense(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        p = overwrite(false, 1, fill(8, 0xAA));
        p[0] |= 0x20; // TEST
        h.run(sanitize(OVERWRITE, false, false, 12), p).assertSense(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        p = overwrite(false, 1, fill(8, 0xAA));
        h.run(sanitize(OVERWRITE, false, false, 10), Arrays.copyOf(p, 10))
                .assertSense(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST); // the pattern runs past the list
    }

    @Test
    void overwriteKeepsWhatALoanWasLent() {
        byte[] data = fill(128 * 512, 0x3C);
        h.run(write10(0, 128), data).assertGood();
        DiskHarness.Task read = h.runTakingLoans(read10(0, 128), 128 * 512);
        assertNotNull(read.lent);
        h.run(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {7})).assertGood();
        assertArrayEquals(data, read.lent.toByteArray(), "the loan still holds the bytes it was lent");
        read.giveBack.run();
        assertArrayEquals(fill(128 * 512, 7), h.run(read10(0, 128), 128 * 512).dataIn());
    }

    // ---- BLOCK ERASE

    @Test
    void blockEraseDeallocatesEveryBlock() {
        h.run(write16(0, 8), fill(8 * 512, 0x11)).assertGood();
        h.run(write16(BLOCKS - 8, 8), fill(8 * 512, 0x11)).assertGood();
        h.run(sanitize(BLOCK_ERASE, false, false, 0)).assertGood();
        assertArrayEquals(new byte[(int) BLOCKS * 512], readAll());
        assertEquals(0, memory.allocatedBytes());
        h.run(sanitize(BLOCK_ERASE, false, false, 8), new byte[8]).assertInvalidField(7, 7);
    }

    @Test
    void blockEraseIsOfferedOnlyWhereBlocksCanBeDeallocated() {
        try (DiskHarness thick = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withThinProvisioned(false))) {
            thick.run(sanitize(BLOCK_ERASE, false, false, 0)).assertInvalidField(1, 4);
            byte[] b1 = thick.run(Cdb.of(0x12, 1, 0xB1, 0, 64, 0), 64).dataIn();
            assertEquals(0, b1[7] & 0xF0, "WABEREQ and WACEREQ 0");
            thick.run(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {1})).assertGood();
        }
        byte[] b1 = h.run(Cdb.of(0x12, 1, 0xB1, 0, 64, 0), 64).dataIn();
        assertEquals(0x40, b1[7] & 0xF0, "WABEREQ 01b, WACEREQ 00b");
    }

    @Test
    void cryptoEraseAndOtherServiceActionsAreInvalid() {
        for (int sa = 0; sa < 0x1F; sa++) {
            if (sa != OVERWRITE && sa != BLOCK_ERASE) {
                h.run(sanitize(sa, false, false, 0)).assertInvalidField(1, 4);
            }
        }
        h.run(sanitize(EXIT_FAILURE_MODE, false, false, 8), new byte[8]).assertInvalidField(7, 7);
        h.run(sanitize(EXIT_FAILURE_MODE, false, false, 0)).assertGood(); // not in failure mode: nothing to leave
    }

    @Test
    void writeProtectedLogicalUnitsRefuseSanitize() {
        try (DiskHarness ro = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withWriteProtected(true))) {
            ro.run(sanitize(BLOCK_ERASE, false, false, 0)).assertSense(SenseCode.WRITE_PROTECTED);
            ro.run(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {1}))
                    .assertSense(SenseCode.WRITE_PROTECTED);
        }
    }

    @Test
    void overwriteAndBlockEraseOnASparseFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (DiskHarness f = new DiskHarness(org.lunforge.backstore.FileBlockStore.open(dir.resolve("s.img"),
                BLOCKS * 512, false), DiskConfig.defaults())) {
            f.run(sanitize(OVERWRITE, false, false, 6), overwrite(false, 1, new byte[] {0x5A, 0x3C})).assertGood();
            assertPatterned(f.run(read16(0, BLOCKS), BLOCKS * 512).dataIn(), new byte[] {0x5A, 0x3C}, false);
            assertEquals(0, f.run(getLbaStatus(0, 24), 24).dataIn()[20], "written: mapped");
            f.run(sanitize(BLOCK_ERASE, false, false, 0)).assertGood();
            assertArrayEquals(new byte[(int) BLOCKS * 512], f.run(read16(0, BLOCKS), BLOCKS * 512).dataIn());
            assertEquals(1, f.run(getLbaStatus(0, 24), 24).dataIn()[20], "erased: deallocated (holes)");
        }
    }

    // ---- while it runs

    /** A disk whose sanitize takes about a second (3 MiB at 3 MiB/s). */
    DiskHarness slow() {
        h.close();
        memory = new MemoryBlockStore(BLOCKS * 512);
        h = new DiskHarness(memory, DiskConfig.defaults().withSanitizeBytesPerSecond(3 << 20));
        return h;
    }

    @Test
    void whileItRunsOnlyInquiryReportLunsAndRequestSenseAreServed() throws Exception {
        slow();
        DiskHarness.Task task = h.start(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {9}));
        h.run(testUnitReady()).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        h.run(read10(0, 1), 512).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        h.run(Cdb.of(0x1B, 0, 0, 0, 1, 0)).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        h.run(sanitize(BLOCK_ERASE, false, false, 0))
                .assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        h.run(Cdb.of(0x12, 0, 0, 0, 36, 0), 36).assertGood();
        h.run(Cdb.of(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0), 16).assertGood();
        DiskHarness.Response sense = h.run(Cdb.of(0x03, 0, 0, 0, 18, 0), 18);
        sense.assertGood();
        assertEquals(0x02, sense.dataIn()[2] & 0x0F);
        assertEquals(0x04, sense.dataIn()[12]);
        assertEquals(0x1B, sense.dataIn()[13]);
        assertFalse(task.done.isDone(), "without IMMED the command ends with the operation");
        assertEquals(TaskResponse.good(0), task.done.get(30, TimeUnit.SECONDS));
        h.run(testUnitReady()).assertGood();
        assertPatterned(readAll(), new byte[] {9}, false);
    }

    @Test
    void sanitizeInProgressComesBeforeAUnitAttention() {
        slow();
        h.run(sanitize(BLOCK_ERASE, true, false, 0)).assertGood();
        h.lu.unitAttentions().establishForAllExcept(null, SenseCode.CAPACITY_DATA_HAS_CHANGED);
        h.run(testUnitReady()).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
    }

    @Test
    void immediateAnswersAtOnceAndTheOperationGoesOn() throws Exception {
        slow();
        h.run(sanitize(OVERWRITE, true, false, 5), overwrite(false, 1, new byte[] {4})).assertGood();
        h.run(testUnitReady()).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        awaitReady();
        assertPatterned(readAll(), new byte[] {4}, false);
    }

    @Test
    void abortingTheCommandDoesNotStopTheOperation() throws Exception {
        slow();
        DiskHarness.Task task = h.start(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {6}));
        task.aborted = true;
        assertEquals(ScsiStatus.TASK_ABORTED, task.done.get(5, TimeUnit.SECONDS).status());
        h.lu.reset(NEXUS);
        h.run(testUnitReady()).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        awaitReady();
        h.clearAttention(NEXUS);
        assertPatterned(readAll(), new byte[] {6}, false);
    }

    // ---- failure mode

    /** A store whose writes fail once {@code failing} is set. */
    static final class FailingStore implements BlockStore {
        final MemoryBlockStore real = new MemoryBlockStore(BLOCKS * 512);
        volatile boolean failing;

        @Override
        public long size() {
            return real.size();
        }

        @Override
        public void read(long offset, SgList dst) {
            real.read(offset, dst);
        }

        @Override
        public StoreLoan lend(long offset, long length) {
            return real.lend(offset, length);
        }

        @Override
        public void write(long offset, SgList src, boolean fua) {
            if (failing) {
                throw new BlockStoreException(StoreOutcome.WRITE_ERROR, "failing on purpose");
            }
            real.write(offset, src, fua);
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean mayBlock() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFailedSanitizeLeavesFailureModeUntilExitFailureModeWhenAuseAllowsIt() {
        FailingStore store = new FailingStore();
        try (DiskHarness f = new DiskHarness(store, DiskConfig.defaults())) {
            store.failing = true;
            f.run(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {1}))
                    .assertSense(SenseCode.SANITIZE_COMMAND_FAILED);
            f.run(read10(0, 1), 512).assertSense(SenseCode.SANITIZE_COMMAND_FAILED);
            f.run(Cdb.of(0x12, 0, 0, 0, 36, 0), 36).assertGood();
            f.run(sanitize(EXIT_FAILURE_MODE, false, false, 0)).assertInvalidField(1, 4); // AUSE was 0
            f.run(sanitize(OVERWRITE, false, true, 5), overwrite(false, 1, new byte[] {1}))
                    .assertSense(SenseCode.SANITIZE_COMMAND_FAILED);
            f.run(sanitize(EXIT_FAILURE_MODE, false, false, 0)).assertGood();
            f.run(read10(0, 1), 512).assertGood();
            store.failing = false;
            f.run(sanitize(OVERWRITE, false, false, 5), overwrite(false, 1, new byte[] {2})).assertGood();
            assertArrayEquals(fill(512, 2), f.run(read10(0, 1), 512).dataIn());
        }
    }
}
