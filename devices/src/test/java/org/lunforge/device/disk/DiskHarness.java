package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lunforge.backstore.BlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskResponse;

/** A disk behind a logical unit, and a task that records its one completion: what the frontends will see. */
final class DiskHarness implements AutoCloseable {
    static final Nexus NEXUS = new Nexus(InitiatorPort.iscsi("iqn.2024-01.test:init1", 0x23D000000001L),
            TargetPort.iscsi(1, "iqn.2024-01.org.lunforge:disk", 1));
    static final Nexus OTHER = new Nexus(InitiatorPort.iscsi("iqn.2024-01.test:init2", 0x23D000000002L),
            TargetPort.iscsi(1, "iqn.2024-01.org.lunforge:disk", 1));

    final SbcDisk disk;
    final LogicalUnit lu;
    final BlockStore store;

    /** The LUN map the tasks of this harness carry: what their nexus addresses besides this disk. */
    volatile LunMap lunMap = LunMap.none();

    DiskHarness(BlockStore store, DiskConfig config) {
        this(store, config, org.lunforge.scsi.TargetPortGroups.single());
    }

    /** A disk reached through the ports of {@code portGroups} (NEXUS and OTHER come in through relative port 1). */
    DiskHarness(BlockStore store, DiskConfig config, org.lunforge.scsi.TargetPortGroups portGroups) {
        this.store = store;
        this.disk = new SbcDisk("test", store, config);
        this.lu = new LogicalUnit("lun0", LogicalUnitIdentity.of("LUNFORGE", "disk", "0001", UUID.randomUUID()),
                disk, StateStore.inMemory(), portGroups);
        clearAttention(NEXUS);
        clearAttention(OTHER);
    }

    /** What a task ended with. */
    record Response(ScsiStatus status, Sense sense, long transferLength, byte[] dataIn) {
        void assertGood() {
            assertEquals(ScsiStatus.GOOD, status, () -> "sense " + sense);
        }

        void assertSense(SenseCode code) {
            assertEquals(ScsiStatus.CHECK_CONDITION, status);
            assertEquals(code, sense.code());
        }

        void assertInvalidField(int byteIndex, int bit) {
            assertSense(SenseCode.INVALID_FIELD_IN_CDB);
            assertEquals(Sense.FieldPointer.cdb(byteIndex, bit), sense.fieldPointer());
        }
    }

    static final class Task implements ScsiTask {
        final Nexus nexus;
        final Cdb cdb;
        final SgList dataOut;
        final SgList dataIn;
        final long expected;
        final CompletableFuture<TaskResponse> done = new CompletableFuture<>();
        final AtomicBoolean completedTwice = new AtomicBoolean();
        /** Whether this task plays a frontend that sends lent memory (iSCSI) or one that cannot (TCMU). */
        final boolean takesLent;
        boolean dataInAsked;
        LunMap lunMap = LunMap.none();
        /** The thread that completed the task (the last one, if it was completed twice). */
        volatile Thread completedOn;
        volatile SgList lent;
        volatile Runnable giveBack;

        Task(Nexus nexus, Cdb cdb, SgList dataOut, long dataInLength) {
            this(nexus, cdb, dataOut, dataInLength, false);
        }

        Task(Nexus nexus, Cdb cdb, SgList dataOut, long dataInLength, boolean takesLent) {
            this.nexus = nexus;
            this.cdb = cdb;
            this.dataOut = dataOut;
            this.dataIn = SgList.allocate(dataInLength);
            this.expected = dataOut.length() > 0 ? dataOut.length() : dataInLength;
            this.takesLent = takesLent;
        }

        @Override
        public boolean takesLentDataIn() {
            return takesLent && !dataInAsked && lent == null;
        }

        @Override
        public void lendDataIn(SgList data, Runnable giveBackWhenSent) {
            assertTrue(takesLentDataIn(), "lent to a task that does not take it");
            assertTrue(data.length() <= expected, "lent more than the expected transfer length");
            this.lent = data;
            this.giveBack = giveBackWhenSent;
        }

        @Override
        public LunMap lunMap() {
            return lunMap;
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
            return expected;
        }

        @Override
        public SgList dataOut() {
            return dataOut;
        }

        @Override
        public SgList dataIn() {
            assertNull(lent, "Data-In asked for after lending");
            dataInAsked = true;
            return dataIn;
        }

        @Override
        public void complete(TaskResponse response) {
            completedOn = Thread.currentThread();
            if (!done.complete(response)) {
                completedTwice.set(true);
            }
        }

        /** Set by a test playing task management. */
        volatile boolean aborted;

        @Override
        public boolean isAborted() {
            return aborted;
        }
    }

    /** The thread that completed the last task {@link #run} ran. */
    volatile Thread lastCompletedOn;

    Response run(Nexus nexus, Cdb cdb, SgList dataOut, long dataInLength) {
        Task task = new Task(nexus, cdb, dataOut, dataInLength);
        task.lunMap = lunMap;
        lu.execute(task);
        TaskResponse r;
        try {
            r = task.done.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task did not complete: " + cdb, e);
        }
        assertFalse(task.completedTwice.get(), "completed twice");
        lastCompletedOn = task.completedOn;
        Sense sense = r.sense().length == 0 ? null : Sense.decode(r.sense());
        long n = Math.min(r.transferLength(), dataInLength);
        return new Response(r.status(), sense, r.transferLength(), task.dataIn.toByteArray(0, (int) n));
    }

    Response run(Cdb cdb, SgList dataOut, long dataInLength) {
        return run(NEXUS, cdb, dataOut, dataInLength);
    }

    /** Starts a command without waiting for it: {@code task.done} completes when the device answers. */
    Task start(Cdb cdb, byte[] dataOut) {
        Task task = new Task(NEXUS, cdb, SgList.wrap(dataOut), 0);
        lu.execute(task);
        return task;
    }

    /** Runs a command as a frontend that takes lent Data-In would; the task tells what was lent. */
    Task runTakingLoans(Cdb cdb, long dataInLength) {
        Task task = new Task(NEXUS, cdb, SgList.EMPTY, dataInLength, true);
        lu.execute(task);
        try {
            task.done.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task did not complete: " + cdb, e);
        }
        return task;
    }

    Response run(Cdb cdb, byte[] dataOut) {
        return run(NEXUS, cdb, SgList.wrap(dataOut), 0);
    }

    Response run(Cdb cdb, long dataInLength) {
        return run(NEXUS, cdb, SgList.EMPTY, dataInLength);
    }

    Response run(Cdb cdb) {
        return run(NEXUS, cdb, SgList.EMPTY, 0);
    }

    /**
     * Consumes the unit attentions a nexus has pending, the way initiators do at login: TEST UNIT READY until GOOD
     * (a new nexus first sees POWER ON, RESET, OR BUS DEVICE RESET OCCURRED).
     */
    void clearAttention(Nexus nexus) {
        for (int i = 0; i < 8; i++) {
            Response r = run(nexus, Cdb.of(0x00, 0, 0, 0, 0, 0), SgList.EMPTY, 0);
            if (r.status() == ScsiStatus.GOOD || r.sense() == null
                    || r.sense().key() != org.lunforge.scsi.SenseKey.UNIT_ATTENTION) {
                return;
            }
        }
        throw new AssertionError("unit attentions do not drain");
    }

    @Override
    public void close() {
        lu.close();
    }

    /** A LUN map with these logical units at LUNs 0, 1, ...; those in {@code writeProtected} mapped read-only. */
    static LunMap lunMap(java.util.List<LogicalUnit> luns, java.util.Set<LogicalUnit> writeProtected) {
        return new LunMap() {
            @Override
            public LogicalUnit logicalUnit(int lun) {
                return lun >= 0 && lun < luns.size() ? luns.get(lun) : null;
            }

            @Override
            public int[] luns() {
                return java.util.stream.IntStream.range(0, luns.size()).toArray();
            }

            @Override
            public boolean writeProtected(LogicalUnit lu) {
                return writeProtected.contains(lu);
            }
        };
    }

    // ---- CDB builders (big-endian fields, as SBC-4 lays them out)

    static Cdb read10(long lba, int blocks) {
        return cdb10(0x28, 0, lba, blocks);
    }

    static Cdb write10(long lba, int blocks) {
        return cdb10(0x2A, 0, lba, blocks);
    }

    static Cdb cdb10(int opcode, int byte1, long lba, int length) {
        byte[] b = new byte[10];
        b[0] = (byte) opcode;
        b[1] = (byte) byte1;
        BigEndian.put32(b, 2, lba);
        BigEndian.put16(b, 7, length);
        return new Cdb(b);
    }

    static Cdb cdb12(int opcode, int byte1, long lba, long length) {
        byte[] b = new byte[12];
        b[0] = (byte) opcode;
        b[1] = (byte) byte1;
        BigEndian.put32(b, 2, lba);
        BigEndian.put32(b, 6, length);
        return new Cdb(b);
    }

    static Cdb cdb16(int opcode, int byte1, long lba, long length) {
        byte[] b = new byte[16];
        b[0] = (byte) opcode;
        b[1] = (byte) byte1;
        BigEndian.put64(b, 2, lba);
        BigEndian.put32(b, 10, length);
        return new Cdb(b);
    }

    static Cdb read16(long lba, long blocks) {
        return cdb16(0x88, 0, lba, blocks);
    }

    static Cdb write16(long lba, long blocks) {
        return cdb16(0x8A, 0, lba, blocks);
    }

    static Cdb compareAndWrite(long lba, int blocks) {
        byte[] b = new byte[16];
        b[0] = (byte) 0x89;
        BigEndian.put64(b, 2, lba);
        b[13] = (byte) blocks;
        return new Cdb(b);
    }

    static Cdb readCapacity16(int allocationLength) {
        byte[] b = new byte[16];
        b[0] = (byte) 0x9E;
        b[1] = 0x10;
        BigEndian.put32(b, 10, allocationLength);
        return new Cdb(b);
    }

    static Cdb getLbaStatus(long lba, int allocationLength) {
        byte[] b = new byte[16];
        b[0] = (byte) 0x9E;
        b[1] = 0x12;
        BigEndian.put64(b, 2, lba);
        BigEndian.put32(b, 10, allocationLength);
        return new Cdb(b);
    }

    static Cdb unmap(int parameterListLength) {
        byte[] b = new byte[10];
        b[0] = 0x42;
        BigEndian.put16(b, 7, parameterListLength);
        return new Cdb(b);
    }

    /** An UNMAP parameter list with one 16-byte descriptor per {lba, blocks} pair. */
    static byte[] unmapList(long... lbaBlocks) {
        int n = lbaBlocks.length / 2;
        byte[] p = new byte[8 + 16 * n];
        BigEndian.put16(p, 0, p.length - 2);
        BigEndian.put16(p, 2, 16 * n);
        for (int i = 0; i < n; i++) {
            BigEndian.put64(p, 8 + 16 * i, lbaBlocks[2 * i]);
            BigEndian.put32(p, 16 + 16 * i, lbaBlocks[2 * i + 1]);
        }
        return p;
    }

    static byte[] fill(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
