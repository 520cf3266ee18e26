package org.lunforge.device.tape;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskResponse;

/**
 * Sequential WRITE(6)/READ(6) throughput through the logical unit, the drive and the file cartridge store, with data
 * in native memory as TCMU hands it over. Not a test: run it by hand.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp devices/target/test-classes:devices/target/classes:... \
 *     org.lunforge.device.tape.TapeBenchmark [folder] [MiB per run]
 * </pre>
 * Prints MiB/s for writes (closed by a synchronous WRITE FILEMARKS, so the figure includes the fdatasync) and reads,
 * per block size and compression setting, and the write rate of the first and last quarter of each run (a long write
 * must not slow down).
 */
public final class TapeBenchmark {
    private static final class BenchTask implements ScsiTask {
        final Nexus nexus;
        Cdb cdb;
        SgList out = SgList.EMPTY;
        SgList in = SgList.EMPTY;
        TaskResponse response;

        BenchTask(Nexus nexus) {
            this.nexus = nexus;
        }

        @Override
        public Nexus nexus() {
            return nexus;
        }

        @Override
        public long tag() {
            return 1;
        }

        @Override
        public TaskAttribute attribute() {
            return TaskAttribute.SIMPLE;
        }

        @Override
        public Cdb cdb() {
            return cdb;
        }

        @Override
        public long expectedTransferLength() {
            return Math.max(out.length(), in.length());
        }

        @Override
        public SgList dataOut() {
            return out;
        }

        @Override
        public SgList dataIn() {
            return in;
        }

        @Override
        public void complete(TaskResponse r) {
            response = r;
        }

        @Override
        public boolean isAborted() {
            return false;
        }
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : "/tmp/lunforge-tape-bench");
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 2048;
        System.out.printf("%-6s %-11s %8s %8s %10s %10s %6s %12s%n", "block", "data", "write", "read",
                "write/cpu", "read/cpu", "ratio", "q1/q4 write");
        System.out.printf("%-6s %-11s %8s %8s %10s %10s %6s %12s%n", "", "", "MiB/s", "MiB/s", "MiB/cpu-s",
                "MiB/cpu-s", "", "MiB/s");
        for (int block : new int[] {256 << 10, 1 << 20}) {
            for (String kind : new String[] {"plain", "random-lz4", "text-lz4"}) {
                run(folder, block, kind, mib);
            }
        }
    }

    private static void run(Path folder, int block, String kind, long mib) throws IOException {
        if (Files.exists(folder)) {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        TapeHarness h = new TapeHarness(folder);
        h.loadNew(CartridgeSpec.ofBarcode("BENCH0L8"));
        LogicalUnit lu = h.lu;
        boolean compress = !kind.equals("plain");
        if (!compress) {
            byte[] list = new byte[20];
            byte[] page = TapeModePages.dataCompression().defaults();
            page[2] = 0x40; // DCC only
            System.arraycopy(page, 0, list, 4, 16);
            h.out(list, 0x15, 0x10, 0, 0, 20, 0);
        }
        Arena arena = Arena.ofShared();
        int sources = 16;
        MemorySegment source = arena.allocate((long) block * sources, 4096);
        Random r = new Random(42);
        byte[] words = "the quick brown fox jumps over the lazy dog; backup chunk ".getBytes();
        for (long i = 0; i < source.byteSize(); i++) {
            byte b = kind.equals("text-lz4") ? (byte) (words[(int) (i % words.length)] + (r.nextInt(8) == 0 ? 1 : 0))
                    : (byte) r.nextInt();
            source.set(ValueLayout.JAVA_BYTE, i, b);
        }
        long blocks = mib * (1L << 20) / block;
        BenchTask t = new BenchTask(h.nexus);
        Cdb write = Cdb.of(0x0A, 0, block >> 16, block >> 8, block, 0);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long quarter = blocks / 4;
        long q1 = 0;
        long q4Start = 0;
        for (long i = 0; i < blocks; i++) {
            if (i == quarter) {
                q1 = System.nanoTime() - start;
            }
            if (i == blocks - quarter) {
                q4Start = System.nanoTime();
            }
            t.cdb = write;
            t.out = SgList.of(source.asSlice((i % sources) * block, block));
            t.in = SgList.EMPTY;
            lu.execute(t);
            check(t);
        }
        long q4 = System.nanoTime() - q4Start;
        t.cdb = Cdb.of(0x10, 0, 0, 0, 1, 0);
        t.out = SgList.EMPTY;
        lu.execute(t);
        check(t);
        long writeNanos = System.nanoTime() - start;
        long writeCpu = cpu.getCurrentThreadCpuTime() - cpuStart;
        double ratio = (double) h.drive.medium().bytesAppended() / h.drive.medium().storedBytesAppended();
        t.cdb = Cdb.of(0x01, 0, 0, 0, 0, 0);
        lu.execute(t);
        check(t);
        MemorySegment target = arena.allocate(block, 4096);
        Cdb read = Cdb.of(0x08, 0, block >> 16, block >> 8, block, 0);
        cpuStart = cpu.getCurrentThreadCpuTime();
        start = System.nanoTime();
        for (long i = 0; i < blocks; i++) {
            t.cdb = read;
            t.in = SgList.of(target);
            lu.execute(t);
            check(t);
        }
        long readNanos = System.nanoTime() - start;
        long readCpu = cpu.getCurrentThreadCpuTime() - cpuStart;
        double total = blocks * (double) block / (1 << 20);
        System.out.printf("%-6s %-11s %8.0f %8.0f %10.0f %10.0f %6.2f %6.0f/%-6.0f%n", (block >> 10) + "K", kind,
                total / (writeNanos / 1e9), total / (readNanos / 1e9), total / (writeCpu / 1e9),
                total / (readCpu / 1e9), ratio, total / 4 / (q1 / 1e9), total / 4 / (q4 / 1e9));
        h.close();
        arena.close();
    }

    private static void check(BenchTask t) {
        if (t.response == null || t.response.status() != ScsiStatus.GOOD) {
            throw new IllegalStateException("command failed: " + t.cdb + " " + t.response);
        }
        t.response = null;
    }
}
