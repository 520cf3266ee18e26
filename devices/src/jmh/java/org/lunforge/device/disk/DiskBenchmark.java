package org.lunforge.device.disk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.FileBlockStore;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskResponse;
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
 * One READ (16) or WRITE (16) through the whole logical unit (fixed checks, decode, device server, store) with the
 * buffers a frontend hands over, at queue depth 1: the per-command cost a frontend adds its own to. Random aligned
 * LBAs over a 256 MiB working set that is allocated (memory) or in the page cache (file).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DiskBenchmark {
    private static final long WORKING_SET = 256L << 20;
    private static final Nexus NEXUS = new Nexus(InitiatorPort.iscsi("iqn.2024-01.bench:init", 1),
            TargetPort.iscsi(1, "iqn.2024-01.org.lunforge:bench", 1));

    @Param({"memory", "file"})
    public String store;

    @Param({"4096", "1048576"})
    public int ioSize;

    private LogicalUnit lu;
    private Path file;
    private BenchTask readTask;
    private BenchTask writeTask;
    private final SplittableRandom random = new SplittableRandom(7);
    private long slots;

    /** A reusable task: the CDB bytes are rewritten per call, completion is a volatile write. */
    static final class BenchTask implements ScsiTask {
        final byte[] cdb = new byte[16];
        final SgList dataOut;
        final SgList dataIn;
        volatile TaskResponse response;

        BenchTask(int opcode, SgList dataOut, SgList dataIn, int blocks) {
            cdb[0] = (byte) opcode;
            BigEndian.put32(cdb, 10, blocks);
            this.dataOut = dataOut;
            this.dataIn = dataIn;
        }

        @Override
        public Nexus nexus() {
            return NEXUS;
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
            return new Cdb(cdb);
        }

        @Override
        public long expectedTransferLength() {
            return Math.max(dataOut.length(), dataIn.length());
        }

        @Override
        public SgList dataOut() {
            return dataOut;
        }

        @Override
        public SgList dataIn() {
            return dataIn;
        }

        @Override
        public void complete(TaskResponse r) {
            response = r;
        }

        @Override
        public boolean isAborted() {
            return false;
        }

        TaskResponse run(LogicalUnit lu, long lba) {
            BigEndian.put64(cdb, 2, lba);
            response = null;
            lu.execute(this);
            TaskResponse r;
            while ((r = response) == null) {
                Thread.onSpinWait();
            }
            if (r.status() != ScsiStatus.GOOD) {
                throw new IllegalStateException("status " + r.status());
            }
            return r;
        }
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        BlockStore blockStore;
        if (store.equals("memory")) {
            blockStore = new MemoryBlockStore(WORKING_SET);
        } else {
            // tmpfs when there is one, as the peers were measured: the page cache without writeback throttling
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            file = Files.createTempFile(dir, "lunforge-bench", ".img");
            blockStore = FileBlockStore.open(file, WORKING_SET, false);
        }
        SbcDisk disk = new SbcDisk("bench", blockStore, DiskConfig.defaults());
        lu = new LogicalUnit("bench", LogicalUnitIdentity.of("LUNFORGE", "bench", "0001", UUID.randomUUID()), disk,
                StateStore.inMemory());
        MemorySegment fill = Arena.ofShared().allocate(1 << 20, 4096);
        fill.fill((byte) 0xA5);
        for (long at = 0; at < WORKING_SET; at += fill.byteSize()) {
            blockStore.write(at, SgList.of(fill), false);
        }
        int blocks = ioSize / 512;
        MemorySegment out = Arena.ofShared().allocate(ioSize, 4096);
        out.fill((byte) 0x5A);
        MemorySegment in = Arena.ofShared().allocate(ioSize, 4096);
        readTask = new BenchTask(0x88, SgList.EMPTY, SgList.of(in), blocks);
        writeTask = new BenchTask(0x8A, SgList.of(out), SgList.EMPTY, blocks);
        slots = WORKING_SET / ioSize;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        lu.close();
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    private long lba() {
        return random.nextLong(slots) * (ioSize / 512);
    }

    @Benchmark
    public TaskResponse read16() {
        return readTask.run(lu, lba());
    }

    @Benchmark
    public TaskResponse write16() {
        return writeTask.run(lu, lba());
    }
}
