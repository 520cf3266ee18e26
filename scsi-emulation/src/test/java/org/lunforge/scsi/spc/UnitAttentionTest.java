package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;
import org.lunforge.scsi.UnitAttentions;

class UnitAttentionTest {
    private final Harness h = new Harness();
    private final Nexus a = nexus("iqn.1994-05.com.redhat:a");
    private final Nexus b = nexus("iqn.1994-05.com.redhat:b");

    @Test
    void aNewNexusSeesPowerOnOnceButInquiryDoesNotConsumeIt() {
        assertGood(h.in(a, 96, 0x12, 0, 0, 0, 96, 0));
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void requestSenseReportsAndClearsThePendingAttentionWithGoodStatus() {
        RecordingTask t = h.in(a, 252, 0x03, 0, 0, 0, 252, 0);
        assertGood(t);
        assertEquals(18, t.data().length);
        assertEquals(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED, Sense.decode(t.data()).code());
        RecordingTask again = h.in(a, 252, 0x03, 0x01, 0, 0, 252, 0); // DESC
        assertEquals(0x72, again.data()[0]);
        assertEquals(SenseCode.NO_ADDITIONAL_SENSE, Sense.decode(again.data()).code());
    }

    @Test
    void requestSenseReportsNotReadyWhenNothingIsPending() {
        h.login(a);
        h.disk.ready = false;
        RecordingTask t = h.in(a, 252, 0x03, 0, 0, 0, 252, 0);
        assertGood(t);
        assertEquals(SenseCode.MEDIUM_NOT_PRESENT, Sense.decode(t.data()).code());
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.MEDIUM_NOT_PRESENT);
        assertCheck(h.run(a, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), SenseCode.MEDIUM_NOT_PRESENT);
    }

    @Test
    void logicalUnitResetReachesEveryNexusTheRequesterToo() {
        h.login(a);
        h.login(b);
        h.lu.reset(a);
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void aResetReplacesEverythingPendingSoOneCommandClearsIt() {
        UnitAttentions ua = new UnitAttentions();
        ua.register(a);
        ua.establish(a, SenseCode.MODE_PARAMETERS_CHANGED);
        ua.establish(a, SenseCode.CAPACITY_DATA_HAS_CHANGED);
        ua.establish(a, SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertEquals(SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED, ua.take(a));
        assertNull(ua.take(a));
        assertFalse(ua.isPending(a));
    }

    @Test
    void conditionsQueueOldestFirstOncePerCode() {
        UnitAttentions ua = new UnitAttentions();
        assertTrue(ua.register(a));
        assertFalse(ua.register(a));
        ua.establish(a, SenseCode.MODE_PARAMETERS_CHANGED);
        ua.establish(a, SenseCode.CAPACITY_DATA_HAS_CHANGED);
        ua.establish(a, SenseCode.MODE_PARAMETERS_CHANGED);
        assertEquals(SenseCode.MODE_PARAMETERS_CHANGED, ua.take(a));
        assertEquals(SenseCode.CAPACITY_DATA_HAS_CHANGED, ua.take(a));
        assertNull(ua.take(a));
        assertThrows(IllegalArgumentException.class, () -> ua.establish(a, SenseCode.WRITE_PROTECTED));
    }

    @Test
    void capacityChangedReachesEveryKnownNexus() {
        h.login(a);
        h.login(b);
        h.lu.capacityChanged();
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.CAPACITY_DATA_HAS_CHANGED);
        assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.CAPACITY_DATA_HAS_CHANGED);
    }

    @Test
    void reportedLunsChangedReachesTheSelectedNexuses() {
        h.login(a);
        h.login(b);
        h.lu.reportedLunsChanged(n -> n.equals(b));
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
        Sense s = assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
        assertEquals(SenseKey.UNIT_ATTENTION, s.key());
    }

    @Test
    void nexusLossForgetsItsAttentionsAndItComesBackAsNew() {
        h.login(a);
        h.lu.capacityChanged();
        h.lu.nexusLost(a);
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void testUnitReadyAsksTheDevice() {
        h.login(a);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
        h.disk.ready = false;
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.MEDIUM_NOT_PRESENT);
    }

    @Test
    void anUnknownOpcodeStillReportsThePendingAttentionFirst() {
        assertCheck(h.run(a, 0xEE, 0, 0, 0, 0, 0), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertCheck(h.run(a, 0xEE, 0, 0, 0, 0, 0), SenseCode.INVALID_COMMAND_OPERATION_CODE);
    }
}
