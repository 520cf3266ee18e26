package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.scsi.TaskResponse;

/** A logical unit over a {@link FakeDisk}, and the I_T nexuses and commands the tests send it. */
final class Harness {
    static final String TARGET = "iqn.2025-01.org.lunforge:disk";
    static final TargetPort PORT_1 = TargetPort.iscsi(1, TARGET, 1);
    static final TargetPort PORT_2 = TargetPort.iscsi(2, TARGET, 2);
    static final UUID UNIT = UUID.fromString("6b1f3c52-0d5e-4a8f-9c2b-7e4d1a0f3b21");

    final FakeDisk disk;
    final StateStore store;
    final LogicalUnit lu;

    Harness() {
        this(new FakeDisk(), StateStore.inMemory(), TargetPortGroups.single());
    }

    Harness(FakeDisk disk, StateStore store, TargetPortGroups groups) {
        this.disk = disk;
        this.store = store;
        this.lu = new LogicalUnit("lun0", LogicalUnitIdentity.of("LUNFORGE", "disk", "0001", UNIT), disk, store,
                groups);
    }

    /** A fresh logical unit over the same state store: what a daemon restart sees. */
    Harness restarted() {
        return new Harness(new FakeDisk(), store, TargetPortGroups.single());
    }

    static Nexus nexus(String initiator, long isid, TargetPort port) {
        return new Nexus(InitiatorPort.iscsi(initiator, isid), port);
    }

    static Nexus nexus(String initiator) {
        return nexus(initiator, 0x23D000000001L, PORT_1);
    }

    /** Runs a data-in or no-data command with a data-in buffer of {@code dataInLength} bytes. */
    RecordingTask in(Nexus nexus, int dataInLength, int... cdb) {
        RecordingTask t = new RecordingTask(nexus, Cdb.of(cdb), new byte[0], dataInLength);
        lu.execute(t);
        return t;
    }

    RecordingTask run(Nexus nexus, int... cdb) {
        return in(nexus, 4096, cdb);
    }

    /** Runs a data-out command. */
    RecordingTask out(Nexus nexus, byte[] data, int... cdb) {
        RecordingTask t = new RecordingTask(nexus, Cdb.of(cdb), data, 0);
        lu.execute(t);
        return t;
    }

    /** Sends TEST UNIT READY until GOOD (at most 10 times), as libiscsi's login does: consumes unit attentions. */
    void clearAttentions(Nexus nexus) {
        for (int i = 0; i < 10; i++) {
            if (in(nexus, 0, 0x00, 0, 0, 0, 0, 0).response().status() == ScsiStatus.GOOD) {
                return;
            }
        }
        throw new AssertionError("unit attentions never cleared for " + nexus);
    }

    /** Takes one pending unit attention with REQUEST SENSE (which no reservation or ALUA state refuses). */
    SenseCode requestSense(Nexus nexus) {
        RecordingTask t = in(nexus, 252, 0x03, 0, 0, 0, 252, 0);
        assertGood(t);
        return Sense.decode(t.data()).code();
    }

    /** A nexus that has logged in: known to the logical unit, its power-on unit attention consumed. */
    Nexus login(Nexus nexus) {
        clearAttentions(nexus);
        return nexus;
    }

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

    /** CHECK CONDITION with this code and field pointer (bit -1: no bit pointer). */
    static void assertField(RecordingTask t, SenseCode code, boolean inCdb, int byteIndex, int bit) {
        Sense s = assertCheck(t, code);
        assertEquals(new Sense.FieldPointer(inCdb, byteIndex, bit), s.fieldPointer());
    }

    static void assertInvalidCdbField(RecordingTask t, int byteIndex, int bit) {
        assertField(t, SenseCode.INVALID_FIELD_IN_CDB, true, byteIndex, bit);
    }

    static void assertInvalidParameter(RecordingTask t, int byteIndex, int bit) {
        assertField(t, SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, false, byteIndex, bit);
    }

    static void assertConflict(RecordingTask t) {
        assertEquals(ScsiStatus.RESERVATION_CONFLICT, t.response().status(),
                () -> "expected RESERVATION CONFLICT, got " + describe(t.response()));
    }

    static String describe(TaskResponse r) {
        return r.status() + (r.sense().length > 0 ? " " + Sense.decode(r.sense()) : "");
    }
}
