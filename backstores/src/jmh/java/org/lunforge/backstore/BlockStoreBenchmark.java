package org.lunforge.backstore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.SgList;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stores' data paths with the buffers a frontend hands them (one native segment, as a TCMU iovec or a direct
 * Netty buffer is): random aligned offsets over a 256 MiB working set, already allocated (memory) or in the page
 * cache (file), so what is measured is our path, not the disk.
 *
 * <p>Run: {@code mvn -B -Pjmh -pl backstores -am test -DskipTests} (see the profile in backstores/pom.xml).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BlockStoreBenchmark {
    private static final long WORKING_SET = 256L << 20;

    @Param({"memory", "file"})
    public String store;

    @Param({"4096", "1048576"})
    public int ioSize;

    private BlockStore blockStore;
    private Path file;
    private SgList buffer;
    private final SplittableRandom random = new SplittableRandom(42);
    private long slots;

    @Setup(Level.Trial)
    public void open() throws Exception {
        if (store.equals("memory")) {
            blockStore = new MemoryBlockStore(WORKING_SET);
        } else {
            // tmpfs when there is one, as the peers were measured: the page cache without writeback throttling
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            file = Files.createTempFile(dir, "lunforge-bench", ".img");
            blockStore = FileBlockStore.open(file, WORKING_SET, false);
        }
        MemorySegment seg = Arena.ofShared().allocate(ioSize, 4096);
        seg.fill((byte) 0x5A);
        buffer = SgList.of(seg);
        MemorySegment fill = Arena.ofShared().allocate(1 << 20, 4096);
        fill.fill((byte) 0xA5);
        for (long at = 0; at < WORKING_SET; at += fill.byteSize()) {
            blockStore.write(at, SgList.of(fill), false);
        }
        slots = WORKING_SET / ioSize;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        blockStore.close();
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    private long offset() {
        return random.nextLong(slots) * ioSize;
    }

    @Benchmark
    public SgList read() {
        blockStore.read(offset(), buffer);
        return buffer;
    }

    @Benchmark
    public SgList write() {
        blockStore.write(offset(), buffer, false);
        return buffer;
    }
}
