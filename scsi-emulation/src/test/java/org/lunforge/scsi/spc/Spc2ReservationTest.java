package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;
import static org.lunforge.scsi.spc.Pr.*;

import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** RESERVE(6)/(10) and RELEASE, after libiscsi's Reserve6 suite, and their meeting with persistent reservations. */
class Spc2ReservationTest {
    private final Harness h = new Harness();
    private final Pr pr = new Pr(h);
    private final Nexus a = h.login(nexus("iqn.1994-05.com.redhat:a"));
    private final Nexus b = h.login(nexus("iqn.1994-05.com.redhat:b"));

    private RecordingTask reserve6(Nexus n) {
        return h.run(n, 0x16, 0, 0, 0, 0, 0);
    }

    private RecordingTask release6(Nexus n) {
        return h.run(n, 0x17, 0, 0, 0, 0, 0);
    }

    private RecordingTask modeSense(Nexus n) {
        return h.in(n, 255, 0x1A, 0, 0x3F, 0, 255, 0);
    }

    /** Reserve6.Simple and Reserve6.2Initiators. */
    @Test
    void twoInitiators() {
        assertGood(reserve6(a));
        assertGood(reserve6(a)); // the holder may reserve again
        assertConflict(reserve6(b));
        assertGood(release6(b)); // not the holder: GOOD, nothing happens
        assertGood(modeSense(a));
        assertConflict(modeSense(b));
        assertConflict(h.run(b, 0x00, 0, 0, 0, 0, 0)); // TEST UNIT READY too
        assertGood(h.in(b, 96, 0x12, 0, 0, 0, 96, 0)); // INQUIRY is allowed
        assertGood(h.in(b, 18, 0x03, 0, 0, 0, 18, 0)); // REQUEST SENSE is allowed
        assertConflict(reserve6(b));
        assertGood(release6(a));
        assertGood(reserve6(b));
        assertGood(release6(b));
    }

    @Test
    void tenByteFormsShareTheReservation() {
        assertGood(h.run(a, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertConflict(reserve6(b));
        assertGood(h.run(a, 0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertGood(reserve6(b));
    }

    @Test
    void thirdPartyFormsAreRefused() {
        assertInvalidCdbField(h.run(a, 0x16, 0x10, 0, 0, 0, 0), 1, 4); // 3RDPTY
        assertInvalidCdbField(h.run(a, 0x56, 0x12, 0, 0x07, 0, 0, 0, 0, 0, 0), 1, 4); // 3RDPTY, LONGID
        assertInvalidCdbField(h.run(a, 0x56, 0, 0, 0, 0, 0, 0, 0, 8, 0), 8, 3); // PARAMETER LIST LENGTH
    }

    /** Reserve6.Logout and Reserve6.ITNexusLoss: the session ends, the reservation goes. */
    @Test
    void nexusLossReleases() {
        assertGood(reserve6(a));
        assertConflict(reserve6(b));
        h.lu.nexusLost(a);
        assertGood(reserve6(b));
        assertGood(release6(b));
    }

    @Test
    void lossOfAnotherNexusKeepsIt() {
        assertGood(reserve6(a));
        h.lu.nexusLost(b);
        assertEquals(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED, h.requestSense(b));
        assertConflict(reserve6(b));
    }

    /** Reserve6.LUNReset (and the target resets, which reset every logical unit). */
    @Test
    void logicalUnitResetReleases() {
        assertGood(reserve6(a));
        h.lu.reset(a);
        Nexus fresh = h.login(nexus("iqn.1994-05.com.redhat:fresh"));
        assertGood(reserve6(fresh));
        assertGood(release6(fresh));
    }

    /** SPC-4 5.13.3 (CRH): RESERVE and RELEASE meet persistent reservations. */
    @Test
    void compatibleReservationHandling() {
        assertGood(pr.registerAndIgnore(a, 1));
        assertGood(pr.registerAndIgnore(b, 2));
        assertConflict(reserve6(a)); // registrations exist, no reservation: conflict
        assertGood(pr.reserve(a, 1, WE));
        assertGood(reserve6(a)); // the holder: GOOD, no action
        assertGood(release6(a));
        assertConflict(reserve6(b));
        assertConflict(release6(b));
        assertArrayEquals(new long[] {1, WE}, pr.reservation(a));
        assertGood(pr.release(a, 1, WE));
        assertGood(pr.reserve(a, 1, WERO));
        assertGood(reserve6(b)); // a registrant under registrants only: GOOD, no action
        assertGood(pr.write(b));
        assertGood(pr.clear(a, 1));
        assertEquals(SenseCode.RESERVATIONS_PREEMPTED, h.requestSense(b));
        assertGood(reserve6(b)); // nothing persistent left: a real reservation
        assertConflict(pr.write(a));
    }
}
