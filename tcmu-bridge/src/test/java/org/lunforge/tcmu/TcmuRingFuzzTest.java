package org.lunforge.tcmu;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.lunforge.scsi.SgList;

/**
 * Fuzz target: the ring entry reader, over a mapping whose command ring the kernel filled with arbitrary bytes (the
 * mailbox itself is valid: {@link TcmuRingTest} covers a bad one). The input is the ring's content from cmdr_off, and
 * cmd_head sits at the input's length (rounded down to the entry alignment). The reader hands out commands whose
 * CDB and iovecs lie inside the mapping, reports malformed commands, or throws TcmuProtocolException; any other
 * exception, or a data view that cannot be read end to end, is a bug.
 */
class TcmuRingFuzzTest {
    private static final int RING = 4096;
    private static final int DATA_BLOCKS = 4;

    @FuzzTest(maxDuration = "30s")
    void entries(byte[] input) {
        KernelSimulator kernel = new KernelSimulator(RING, DATA_BLOCKS);
        try {
            MemorySegment map = kernel.map;
            int ringSize = kernel.ringSize();
            int length = Math.min(input.length, ringSize);
            MemorySegment.copy(input, 0, map, ValueLayout.JAVA_BYTE, TcmuAbi.MAILBOX_SIZE, length);
            int head = length / TcmuAbi.ALIGN * TcmuAbi.ALIGN;
            TcmuAbi.cmdHeadRelease(map, head == ringSize ? 0 : head);
            TcmuRing ring = new TcmuRing(map);
            try {
                ring.read(new Reader(), RingHarness.NEXUS, command -> { });
            } catch (TcmuProtocolException rejected) {
                // a corrupt ring stops the device
            }
        } finally {
            kernel.free();
        }
    }

    /** Reads every byte of every command's CDB and buffers: a view outside the mapping would throw here. */
    private static final class Reader implements TcmuRing.EntryHandler {
        @Override
        public void onCommand(TcmuCommand command, boolean endOfBatch) {
            command.cdb().bytes();
            touch(command.dataOut());
        }

        @Override
        public void onMalformed(int cmdId, String reason) {
        }

        @Override
        public void onTaskManagement(int type, int[] cmdIds) {
        }

        private static void touch(SgList data) {
            for (int i = 0; i < data.segmentCount(); i++) {
                MemorySegment s = data.segment(i);
                if (s.byteSize() > 0) {
                    s.get(ValueLayout.JAVA_BYTE, 0);
                    s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1);
                }
            }
        }
    }

    /** Writes the seed corpus: rings as the kernel simulator fills them (-Dlunforge.writeSeeds=true, by hand). */
    @Test
    @EnabledIfSystemProperty(named = "lunforge.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path seeds = Path.of("src/test/resources/org/lunforge/tcmu/TcmuRingFuzzTestInputs/entries");
        Files.createDirectories(seeds);
        KernelSimulator kernel = new KernelSimulator(RING, DATA_BLOCKS);
        try {
            kernel.queue(new byte[] {0, 0, 0, 0, 0, 0}, KernelSimulator.Direction.NONE, new byte[0], 0);
            dump(kernel, seeds.resolve("test-unit-ready"));
            byte[] write10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 16, 0};
            kernel.queue(write10, KernelSimulator.Direction.TO_DEVICE, new byte[8192], 8192);
            dump(kernel, seeds.resolve("tur-and-write"));
            byte[] read16 = {(byte) 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
            kernel.queue(read16, KernelSimulator.Direction.FROM_DEVICE, new byte[0], 4096);
            kernel.queueTmr(1, 0, 1);
            dump(kernel, seeds.resolve("tur-write-read-tmr"));
        } finally {
            kernel.free();
        }
    }

    private static void dump(KernelSimulator kernel, Path file) throws IOException {
        int head = TcmuAbi.cmdHeadAcquire(kernel.map);
        byte[] ring = new byte[head];
        MemorySegment.copy(kernel.map, ValueLayout.JAVA_BYTE, TcmuAbi.MAILBOX_SIZE, ring, 0, head);
        Files.write(file, Arrays.copyOf(ring, head));
    }
}
