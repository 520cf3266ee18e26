package org.lunforge.scsi.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskResponse;
import org.lunforge.scsi.fault.ArmedFault;
import org.lunforge.scsi.fault.Fault;
import org.lunforge.scsi.fault.FaultCommands;
import org.lunforge.scsi.fault.FaultEffect;
import org.lunforge.scsi.fault.LbaRange;
import org.lunforge.scsi.fault.LogicalUnitFaults;
import org.lunforge.scsi.testing.RecordingTask;

/** Faults armed on a logical unit, as the shell and the control socket arm them: what each does to a command. */
class LogicalUnitFaultsTest {
    private final Nexus nexus = Harness.nexus("iqn.1994-05.com.redhat:a");
    private final Nexus otherPort = Harness.nexus("iqn.1994-05.com.redhat:a", 0x23D000000001L, Harness.PORT_2);
    private Harness h;
    private LogicalUnitFaults faults;

    @BeforeEach
    void setUp() {
        h = new Harness();
        h.clearAttentions(nexus);
        h.clearAttentions(otherPort);
        faults = h.lu.faults();
    }

    private static int[] read10(long lba, int blocks) {
        return new int[] {0x28, 0, (int) (lba >>> 24) & 0xFF, (int) (lba >>> 16) & 0xFF, (int) (lba >>> 8) & 0xFF,
                (int) lba & 0xFF, 0, (blocks >>> 8) & 0xFF, blocks & 0xFF, 0};
    }

    private static int[] write10(long lba, int blocks) {
        int[] cdb = read10(lba, blocks);
        cdb[0] = 0x2A;
        return cdb;
    }

    private static Sense sense(RecordingTask t) {
        assertEquals(ScsiStatus.CHECK_CONDITION, t.response().status(), () -> "response " + t.response());
        return Sense.decode(t.response().sense());
    }

    private static Fault fault(FaultEffect effect, FaultCommands commands) {
        return new Fault(effect, commands, null, null, 0);
    }

    @Test
    void mediumErrorHitsExactlyItsRange() {
        faults.arm(new Fault(new FaultEffect.MediumError(), FaultCommands.READS_AND_WRITES, new LbaRange(100, 107),
                null, 0));
        assertEquals(ScsiStatus.GOOD, h.run(nexus, read10(92, 8)).response().status(), "just before");
        assertEquals(ScsiStatus.GOOD, h.run(nexus, read10(108, 8)).response().status(), "just after");
        Sense inside = sense(h.run(nexus, read10(100, 8)));
        assertEquals(SenseCode.UNRECOVERED_READ_ERROR, inside.code());
        assertEquals(100L, inside.information());
        Sense overlapping = sense(h.run(nexus, read10(96, 8)));
        assertEquals(100L, overlapping.information(), "the first block inside the range, not the command's");
        Sense write = sense(h.out(nexus, new byte[0], write10(107, 1)));
        assertEquals(SenseCode.WRITE_ERROR, write.code());
        assertEquals(107L, write.information());
        assertEquals(3, faults.armed().getFirst().fired());
    }

    @Test
    void theFiredTotalKeepsTheFiringsOfDisarmedFaults() {
        int id = faults.arm(fault(new FaultEffect.MediumError(), FaultCommands.READS));
        faults.arm(fault(new FaultEffect.Answer(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE),
                FaultCommands.WRITES));
        assertEquals(2, faults.armedCount());
        h.run(nexus, read10(0, 1));
        h.run(nexus, read10(1, 1));
        assertTrue(faults.disarm(id));
        h.out(nexus, new byte[0], write10(0, 1));
        assertEquals(1, faults.armedCount());
        assertEquals(3, faults.firedTotal(), "a counter for metrics: it never goes down when a fault is disarmed");
    }

    @Test
    void readsOnlyLeavesWrites() {
        faults.arm(new Fault(new FaultEffect.MediumError(), FaultCommands.READS, new LbaRange(0, 10), null, 0));
        assertEquals(ScsiStatus.GOOD, h.out(nexus, new byte[0], write10(0, 1)).response().status());
        assertEquals(SenseCode.UNRECOVERED_READ_ERROR, sense(h.run(nexus, read10(0, 1))).code());
    }

    @Test
    void chosenSenseAndStatusAnswers() {
        int ua = faults.arm(fault(new FaultEffect.Answer(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED),
                FaultCommands.ALL));
        assertEquals(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED, sense(h.run(nexus, 0, 0, 0, 0, 0, 0))
                .code(), "TEST UNIT READY too: every command");
        assertTrue(faults.disarm(ua));
        faults.arm(fault(new FaultEffect.Answer(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE),
                FaultCommands.READS));
        assertEquals(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE, sense(h.run(nexus, read10(0, 1))).code());
        faults.disarmAll();
        faults.arm(fault(new FaultEffect.Status(ScsiStatus.BUSY), FaultCommands.READS_AND_WRITES));
        assertEquals(ScsiStatus.BUSY, h.run(nexus, read10(0, 1)).response().status());
        faults.disarmAll();
        faults.arm(fault(new FaultEffect.Status(ScsiStatus.TASK_SET_FULL), FaultCommands.READS_AND_WRITES));
        assertEquals(ScsiStatus.TASK_SET_FULL, h.run(nexus, read10(0, 1)).response().status());
        faults.disarmAll();
        assertEquals(ScsiStatus.GOOD, h.run(nexus, read10(0, 1)).response().status(), "disarmed: as before");
    }

    @Test
    void limitSpendsTheFault() {
        faults.arm(new Fault(new FaultEffect.Status(ScsiStatus.BUSY), FaultCommands.READS, null, null, 2));
        assertEquals(ScsiStatus.BUSY, h.run(nexus, read10(0, 1)).response().status());
        assertEquals(ScsiStatus.BUSY, h.run(nexus, read10(0, 1)).response().status());
        assertEquals(ScsiStatus.GOOD, h.run(nexus, read10(0, 1)).response().status());
        ArmedFault a = faults.armed().getFirst();
        assertEquals(2, a.fired());
        assertTrue(a.spent());
    }

    @Test
    void onlyThroughTheNamedPort() {
        faults.arm(new Fault(new FaultEffect.Status(ScsiStatus.BUSY), FaultCommands.READS, null,
                Harness.PORT_2.name().toUpperCase(), 0));
        assertEquals(ScsiStatus.GOOD, h.run(nexus, read10(0, 1)).response().status());
        assertEquals(ScsiStatus.BUSY, h.run(otherPort, read10(0, 1)).response().status());
    }

    @Test
    void latencyDelaysThenRuns() throws InterruptedException {
        faults.arm(fault(new FaultEffect.Latency(Duration.ofMillis(20)), FaultCommands.READS));
        RecordingTask t = h.run(nexus, read10(0, 1));
        assertEquals(ScsiStatus.GOOD, t.await().status());
        assertTrue(t.completedOn().isVirtual(), "completed later, off the caller's thread");
    }

    @Test
    void heldUntilDisarmed() throws InterruptedException {
        int id = faults.arm(fault(new FaultEffect.Hold(), FaultCommands.READS));
        Abortable t = new Abortable(nexus, read10(0, 1));
        h.lu.execute(t);
        assertEquals(1, faults.held());
        assertFalse(t.done.await(0, TimeUnit.MILLISECONDS));
        assertTrue(faults.disarm(id));
        assertTrue(t.done.await(30, TimeUnit.SECONDS));
        assertEquals(ScsiStatus.GOOD, t.response.status());
    }

    @Test
    void heldUntilAborted() throws InterruptedException {
        faults.arm(fault(new FaultEffect.Hold(), FaultCommands.READS));
        Abortable t = new Abortable(nexus, read10(0, 1));
        h.lu.execute(t);
        t.aborted = true; // what ABORT TASK, LOGICAL UNIT RESET or a dropped connection do to a frontend's task
        assertTrue(t.done.await(30, TimeUnit.SECONDS));
        assertEquals(ScsiStatus.TASK_ABORTED, t.response.status());
        assertEquals(0, faults.held());
        assertEquals(1, faults.armed().getFirst().fired());
    }

    @Test
    void boundedAndValidated() {
        for (int i = 0; i < LogicalUnitFaults.MAX_ARMED; i++) {
            faults.arm(fault(new FaultEffect.Hold(), FaultCommands.READS));
        }
        assertThrows(IllegalStateException.class, () -> faults.arm(fault(new FaultEffect.Hold(),
                FaultCommands.READS)));
        assertEquals(LogicalUnitFaults.MAX_ARMED, faults.disarmAll());
        assertFalse(faults.disarm(1));
        assertThrows(IllegalArgumentException.class, () -> new FaultEffect.Status(ScsiStatus.GOOD));
        assertThrows(IllegalArgumentException.class, () -> new FaultEffect.Answer(SenseCode.NO_ADDITIONAL_SENSE));
        assertThrows(IllegalArgumentException.class, () -> new FaultEffect.Latency(Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> new Fault(new FaultEffect.MediumError(),
                FaultCommands.ALL, null, null, 0));
        assertThrows(IllegalArgumentException.class, () -> LbaRange.parse("9-3"));
        assertThrows(IllegalArgumentException.class, () -> LbaRange.parse("x"));
    }

    /** A task whose frontend can abort it, completed on any thread. */
    private static final class Abortable implements ScsiTask {
        final Nexus nexus;
        final Cdb cdb;
        final CountDownLatch done = new CountDownLatch(1);
        final SgList in = SgList.allocate(512);
        volatile boolean aborted;
        volatile TaskResponse response;

        Abortable(Nexus nexus, int[] cdb) {
            this.nexus = nexus;
            this.cdb = Cdb.of(cdb);
        }

        @Override
        public Nexus nexus() {
            return nexus;
        }

        @Override
        public long tag() {
            return 9;
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
            return 512;
        }

        @Override
        public SgList dataOut() {
            return SgList.EMPTY;
        }

        @Override
        public SgList dataIn() {
            return in;
        }

        @Override
        public LunMap lunMap() {
            return LunMap.none();
        }

        @Override
        public void complete(TaskResponse r) {
            if (response != null) {
                throw new AssertionError("completed twice");
            }
            response = r;
            done.countDown();
        }

        @Override
        public boolean isAborted() {
            return aborted;
        }
    }
}
