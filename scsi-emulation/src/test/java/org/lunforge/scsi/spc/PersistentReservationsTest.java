package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;
import static org.lunforge.scsi.spc.Pr.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.StateStore;

/** The PR state machine, after the scenarios of libiscsi's Prin* and Prout* suites and then some. */
class PersistentReservationsTest {
    private final Harness h = new Harness();
    private final Pr pr = new Pr(h);
    private final Nexus a = h.login(nexus("iqn.1994-05.com.redhat:a"));
    private final Nexus b = h.login(nexus("iqn.1994-05.com.redhat:b"));
    private final Nexus c = h.login(nexus("iqn.1994-05.com.redhat:c"));
    private static final long K1 = 0x1111_2222_3333_4444L;
    private static final long K2 = 0x5555_6666_7777_8888L;
    private static final long K3 = 0x0102_0304_0506_0708L;

    @Test
    void registerReadKeysReregisterFailsUnregister() {
        long g0 = pr.generation(a);
        assertGood(pr.registerAndIgnore(a, K1));
        assertEquals(List.of(K1), pr.keys(a));
        assertEquals(g0 + 1, pr.generation(a));
        assertConflict(pr.out(a, REGISTER, 0, 0, K1 + 1, 0)); // RESERVATION KEY 0 is not ours
        assertGood(pr.register(a, K1, 0));
        assertEquals(List.of(), pr.keys(a));
        assertEquals(g0 + 2, pr.generation(a));
    }

    @Test
    void registerChangesTheKeyAndRegisterAndIgnoreIgnoresTheOldOne() {
        assertGood(pr.register(a, 0, K1));
        assertGood(pr.register(a, K1, K2));
        assertEquals(List.of(K2), pr.keys(a));
        assertGood(pr.out(a, REGISTER_AND_IGNORE, 0, 0x9999, K3, 0));
        assertEquals(List.of(K3), pr.keys(a));
    }

    @Test
    void unregisteringAnUnregisteredNexusChangesNothing() {
        long g0 = pr.generation(a);
        assertGood(pr.register(a, 0, 0));
        assertEquals(g0, pr.generation(a));
        assertConflict(pr.register(a, K1, 0)); // unregistered with a non-zero RESERVATION KEY
    }

    @ParameterizedTest
    @ValueSource(ints = {WE, EA, WERO, EARO, WEAR, EAAR})
    void reserveReadReservationRelease(int type) {
        assertGood(pr.registerAndIgnore(a, K1));
        long g = pr.generation(a);
        assertGood(pr.reserve(a, K1, type));
        long[] r = pr.reservation(a);
        assertNotNull(r);
        assertEquals(type == WEAR || type == EAAR ? 0 : K1, r[0]); // all registrants: key 0
        assertEquals(type, r[1]);
        assertGood(pr.reserve(a, K1, type)); // the same reservation again
        assertGood(pr.release(a, K1, type));
        assertNull(pr.reservation(a));
        assertEquals(g, pr.generation(a)); // RESERVE and RELEASE leave PRgeneration alone
    }

    @Test
    void reserveNeedsARegistrationWithItsKeyAndNoOtherReservation() {
        assertConflict(pr.reserve(a, K1, EA));
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertConflict(pr.reserve(a, K2, EA));
        assertGood(pr.reserve(a, K1, EA));
        assertConflict(pr.reserve(a, K1, WE)); // another type
        assertConflict(pr.reserve(b, K2, EA)); // another holder
    }

    /** libiscsi ProutReserve.Access*: what a registered and an unregistered second initiator may do. */
    @ParameterizedTest
    @CsvSource({"1,1,0,1,0", "3,0,0,0,0", "5,1,1,1,0", "6,1,1,0,0", "7,1,1,1,0", "8,1,1,0,0"})
    void accessOfTheOtherInitiator(int type, int regRead, int regWrite, int unregRead, int unregWrite) {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, type));
        assertGood(pr.read(a));
        assertGood(pr.write(a));
        expect(regRead, pr.read(b));
        expect(regWrite, pr.write(b));
        assertGood(pr.register(b, K2, 0));
        expect(unregRead, pr.read(b));
        expect(unregWrite, pr.write(b));
        // Commands every reservation allows.
        assertGood(h.run(b, 0x00, 0, 0, 0, 0, 0));
        assertGood(h.in(b, 96, 0x12, 0, 0, 0, 96, 0));
        assertGood(pr.in(b, 0, 255));
        assertGood(pr.release(a, K1, type));
        assertGood(pr.register(a, K1, 0));
        assertGood(pr.write(b));
    }

    private static void expect(int allowed, RecordingTask t) {
        if (allowed == 1) {
            assertGood(t);
        } else {
            assertConflict(t);
        }
    }

    /** libiscsi ProutReserve.Ownership*: the holder unregisters. */
    @ParameterizedTest
    @ValueSource(ints = {WE, EA, WERO, EARO, WEAR, EAAR})
    void theHolderUnregisters(int type) {
        boolean shared = type == WEAR || type == EAAR;
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, type));
        assertGood(pr.register(a, K1, 0));
        if (shared) {
            assertArrayEquals(new long[] {0, type}, pr.reservation(a));
            assertGood(pr.release(b, K2, type));
        } else {
            assertNull(pr.reservation(a));
            h.run(b, 0x00, 0, 0, 0, 0, 0); // one TUR clears a possible unit attention
        }
        assertGood(pr.register(b, K2, 0)); // no second unit attention may be pending
        assertEquals(List.of(), pr.keys(a));
    }

    @Test
    void releasingARegistrantsOnlyReservationTellsTheOtherRegistrants() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, WERO));
        assertGood(pr.release(a, K1, WERO));
        assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.RESERVATIONS_RELEASED);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
        assertGood(h.run(c, 0x00, 0, 0, 0, 0, 0)); // not registered: not told
        // A plain Write Exclusive release tells nobody.
        assertGood(pr.reserve(a, K1, WE));
        assertGood(pr.release(a, K1, WE));
        assertGood(h.run(b, 0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void releaseOfAnotherTypeIsInvalidReleaseAndFromANonHolderDoesNothing() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, EA));
        assertCheck(pr.release(a, K1, WE), SenseCode.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        assertGood(pr.release(b, K2, EA));
        assertArrayEquals(new long[] {K1, EA}, pr.reservation(a));
        assertConflict(pr.release(c, 0, EA)); // not registered
    }

    /** libiscsi ProutClear.Simple. */
    @Test
    void clearRemovesEverythingAndCountsOnce() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        long g = pr.generation(a);
        assertGood(pr.reserve(a, K1, EA));
        assertGood(pr.clear(a, K1));
        assertNull(pr.reservation(a));
        assertEquals(List.of(), pr.keys(a));
        assertEquals(g + 1, pr.generation(a));
        assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.RESERVATIONS_PREEMPTED);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
    }

    /** libiscsi ProutPreempt.RemoveRegistration: no reservation, the second initiator removes the first's key. */
    @Test
    void preemptWithoutReservationRemovesTheRegistration() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        long g = pr.generation(a);
        assertGood(pr.preempt(b, K2, K1, EA));
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.REGISTRATIONS_PREEMPTED);
        assertGood(h.run(b, 0x00, 0, 0, 0, 0, 0));
        assertEquals(List.of(K2), pr.keys(a));
        assertEquals(g + 1, pr.generation(a));
        assertNull(pr.reservation(a));
    }

    @Test
    void preemptTheHolderTakesTheReservationOverAndTellsTheRest() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.registerAndIgnore(c, K3));
        assertGood(pr.reserve(a, K1, WERO));
        assertGood(pr.preempt(b, K2, K1, EA));
        assertArrayEquals(new long[] {K2, EA}, pr.reservation(b));
        assertEquals(List.of(K2, K3), pr.keys(b));
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.REGISTRATIONS_PREEMPTED);
        assertCheck(h.run(c, 0x00, 0, 0, 0, 0, 0), SenseCode.RESERVATIONS_RELEASED); // the type changed
        assertConflict(pr.read(c));
        assertConflict(pr.read(a));
        assertGood(pr.read(b));
    }

    @Test
    void preemptAnotherRegistrantLeavesTheReservation() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.registerAndIgnore(c, K3));
        assertGood(pr.reserve(a, K1, WERO));
        assertGood(pr.preempt(a, K1, K3, WERO));
        assertEquals(List.of(K1, K2), pr.keys(a));
        assertArrayEquals(new long[] {K1, WERO}, pr.reservation(a));
        assertCheck(h.run(c, 0x00, 0, 0, 0, 0, 0), SenseCode.REGISTRATIONS_PREEMPTED);
        assertConflict(pr.write(c));
    }

    @Test
    void preemptAllRegistrantsWithKeyZeroTakesItAllAlone() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.registerAndIgnore(c, K3));
        assertGood(pr.reserve(a, K1, EAAR));
        assertGood(pr.preempt(b, K2, 0, WE));
        assertEquals(List.of(K2), pr.keys(b));
        assertArrayEquals(new long[] {K2, WE}, pr.reservation(b));
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.REGISTRATIONS_PREEMPTED);
        assertCheck(h.run(c, 0x00, 0, 0, 0, 0, 0), SenseCode.REGISTRATIONS_PREEMPTED);
    }

    @Test
    void preemptErrors() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertConflict(pr.preempt(c, 0, K1, EA)); // not registered
        assertConflict(pr.preempt(b, K2, K3, EA)); // nobody has that key
        assertConflict(pr.preempt(b, K2, K2, EA)); // only the preempter has it
        assertInvalidParameter(pr.preempt(b, K2, 0, EA), 8, -1); // zero without an all-registrants reservation
        assertInvalidCdbField(pr.out(b, PREEMPT, 2, K2, K1, 0), 2, 3); // TYPE 2 is reserved
        assertEquals(List.of(K1, K2), pr.keys(a));
    }

    @Test
    void preemptAndAbortPreemptsLikePreempt() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, EA));
        assertGood(pr.out(b, PREEMPT_AND_ABORT, EA, K2, K1, 0));
        assertArrayEquals(new long[] {K2, EA}, pr.reservation(b));
    }

    private static byte[] iscsiTransportId(String name, long isid) {
        String text = isid < 0 ? name : name + ",i,0x%012x".formatted(isid);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int additional = (utf8.length + 1 + 3) & ~3;
        byte[] t = new byte[4 + additional];
        t[0] = (byte) ((isid < 0 ? 0 : 0x40) | 0x05);
        BigEndian.put16(t, 2, additional);
        System.arraycopy(utf8, 0, t, 4, utf8.length);
        return t;
    }

    private static byte[] registerAndMoveList(long key, long saKey, int flags, int port, byte[] transportId) {
        byte[] d = new byte[24 + transportId.length];
        BigEndian.put64(d, 0, key);
        BigEndian.put64(d, 8, saKey);
        d[17] = (byte) flags;
        BigEndian.put16(d, 18, port);
        BigEndian.put32(d, 20, transportId.length);
        System.arraycopy(transportId, 0, d, 24, transportId.length);
        return d;
    }

    @Test
    void registerAndMoveHandsTheReservationToAnotherNexus() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.reserve(a, K1, EA));
        byte[] toB = registerAndMoveList(K1, K2, 0x02, 1, iscsiTransportId(b.initiator().name(), 0x23D000000001L));
        long g = pr.generation(a);
        assertGood(pr.out(a, REGISTER_AND_MOVE, 0, toB));
        assertArrayEquals(new long[] {K2, EA}, pr.reservation(b));
        assertEquals(List.of(K2), pr.keys(b)); // UNREG: the issuer is gone
        assertEquals(g + 1, pr.generation(b));
        assertGood(pr.write(b));
        assertConflict(pr.write(a));
    }

    @Test
    void registerAndMoveToARegisteredNexusGivesItTheNewKey() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, WE));
        byte[] toB = registerAndMoveList(K1, K3, 0, 1, iscsiTransportId(b.initiator().name(), 0x23D000000001L));
        assertGood(pr.out(a, REGISTER_AND_MOVE, 0, toB));
        assertEquals(List.of(K1, K3), pr.keys(a));
        assertArrayEquals(new long[] {K3, WE}, pr.reservation(a));
        assertConflict(pr.write(a)); // registered, no longer the holder, Write Exclusive
    }

    @Test
    void registerAndMoveErrors() {
        byte[] toB = registerAndMoveList(K1, K2, 0, 1, iscsiTransportId(b.initiator().name(), 0x23D000000001L));
        assertConflict(pr.out(a, REGISTER_AND_MOVE, 0, toB)); // not registered
        assertGood(pr.registerAndIgnore(a, K1));
        assertConflict(pr.out(a, REGISTER_AND_MOVE, 0, toB)); // not a holder
        assertGood(pr.reserve(a, K1, EA));
        byte[] zeroKey = registerAndMoveList(K1, 0, 0, 1, iscsiTransportId(b.initiator().name(), 0x23D000000001L));
        assertInvalidParameter(pr.out(a, REGISTER_AND_MOVE, 0, zeroKey), 8, -1);
        byte[] noPort = registerAndMoveList(K1, K2, 0, 9, iscsiTransportId(b.initiator().name(), 0x23D000000001L));
        assertInvalidParameter(pr.out(a, REGISTER_AND_MOVE, 0, noPort), 18, -1);
        byte[] toSelf = registerAndMoveList(K1, K2, 0, 1, iscsiTransportId(a.initiator().name(), 0x23D000000001L));
        assertInvalidParameter(pr.out(a, REGISTER_AND_MOVE, 0, toSelf), 24, -1);
        assertArrayEquals(new long[] {K1, EA}, pr.reservation(a));
        assertGood(pr.release(a, K1, EA));
        assertGood(pr.reserve(a, K1, WEAR));
        assertConflict(pr.out(a, REGISTER_AND_MOVE, 0, toB)); // all registrants cannot move
    }

    @Test
    void specIptRegistersTheNamedInitiatorsToo() {
        byte[] ids = concat(iscsiTransportId(b.initiator().name(), 0x23D000000001L),
                iscsiTransportId(c.initiator().name(), -1));
        byte[] list = concat(Pr.basic(0, K1, SPEC_I_PT), new byte[4], ids);
        BigEndian.put32(list, 24, ids.length);
        assertGood(pr.out(a, REGISTER, 0, list));
        assertEquals(List.of(K1, K1, K1), pr.keys(a));
        assertGood(pr.reserve(b, K1, WERO));
        Nexus otherPortOfC = nexus(c.initiator().name(), 0x23D000000099L, PORT_1);
        h.login(otherPortOfC);
        assertGood(pr.write(otherPortOfC)); // format 00b: every port of the initiator
        byte[] full = pr.inData(a, 3);
        assertEquals(3, countDescriptors(full));
    }

    @Test
    void specIptErrors() {
        byte[] id = iscsiTransportId(b.initiator().name(), 0x23D000000001L);
        byte[] list = concat(Pr.basic(0, K1, SPEC_I_PT), new byte[4], id);
        BigEndian.put32(list, 24, id.length + 4); // claims more than there is
        assertCheck(pr.out(a, REGISTER, 0, list), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        byte[] self = iscsiTransportId(a.initiator().name(), -1);
        byte[] overlapping = concat(Pr.basic(0, K1, SPEC_I_PT), new byte[4], self);
        BigEndian.put32(overlapping, 24, self.length);
        assertInvalidParameter(pr.out(a, REGISTER, 0, overlapping), 28, -1);
        byte[] garbage = concat(Pr.basic(0, K1, SPEC_I_PT), new byte[4], new byte[] {0x45, 0, 0, 4, 0, 0, 0, 0});
        BigEndian.put32(garbage, 24, 8);
        assertInvalidParameter(pr.out(a, REGISTER, 0, garbage), 28, -1);
        assertEquals(List.of(), pr.keys(a)); // nothing half done
        assertInvalidParameter(pr.out(a, REGISTER_AND_IGNORE, 0, Pr.basic(0, K1, SPEC_I_PT)), 20, 3);
        assertGood(pr.registerAndIgnore(a, K1));
        assertInvalidParameter(pr.out(a, REGISTER, 0, concat(Pr.basic(K1, K2, SPEC_I_PT), new byte[4])), 20, 3);
    }

    @Test
    void allTargetPortsCoversTheOtherPath() {
        assertGood(pr.out(a, REGISTER, 0, 0, K1, ALL_TG_PT));
        Nexus aViaPort2 = h.login(nexus(a.initiator().name(), 0x23D000000001L, PORT_2));
        assertGood(pr.reserve(aViaPort2, K1, EA)); // registered through port 2 as well
        assertGood(pr.write(a));
        byte[] full = pr.inData(a, 3);
        assertEquals(0x03, full[8 + 12]); // ALL_TG_PT, R_HOLDER
        assertEquals(0, BigEndian.u16(full, 8 + 18));
        // Without ALL_TG_PT the registration is for one path only.
        assertGood(pr.out(b, REGISTER, 0, 0, K2, 0));
        Nexus bViaPort2 = h.login(nexus(b.initiator().name(), 0x23D000000001L, PORT_2));
        assertConflict(pr.reserve(bViaPort2, K2, EA));
    }

    @Test
    void readFullStatusNamesEachRegistrationWithItsTransportId() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(b, K2, WERO));
        byte[] d = pr.inData(a, 3);
        assertEquals(d.length - 8, BigEndian.u32(d, 4));
        int at = 8;
        assertEquals(K1, BigEndian.s64(d, at));
        assertEquals(0, d[at + 12] & 0x01);
        assertEquals(1, BigEndian.u16(d, at + 18));
        int idLength = (int) BigEndian.u32(d, at + 20);
        String id = new String(d, at + 28, idLength - 4, StandardCharsets.UTF_8).trim().replace("\0", "");
        assertEquals(0x45, d[at + 24] & 0xFF); // format 01b, iSCSI
        assertEquals(a.initiator().portName(), id);
        at += 24 + idLength;
        assertEquals(K2, BigEndian.s64(d, at));
        assertEquals(0x01, d[at + 12]); // R_HOLDER
        assertEquals(WERO, d[at + 13]);
    }

    @Test
    void reportCapabilities() {
        byte[] d = pr.inData(a, 2);
        assertEquals(8, d.length);
        assertEquals(8, BigEndian.u16(d, 0));
        assertEquals(0x1D, d[2]); // CRH SIP_C ATP_C PTPL_C
        assertTrue(((d[3] >> 4) & 0x07) <= 5);
        assertEquals(0, d[3] & 0x01); // PTPL_A
        assertEquals(0xEA, d[4] & 0xFF);
        assertEquals(0x01, d[5]);
        assertGood(pr.out(a, REGISTER, 0, 0, K1, APTPL));
        assertEquals(1, pr.inData(a, 2)[3] & 0x01);
    }

    /** libiscsi PrinReadKeys.Truncate: ADDITIONAL LENGTH is the whole list's even when cut. */
    @Test
    void readKeysTruncated() {
        assertGood(pr.registerAndIgnore(a, K1));
        RecordingTask t = pr.in(a, 0, 8);
        assertEquals(8, t.data().length);
        assertEquals(8, BigEndian.u32(t.data(), 4));
    }

    /** libiscsi PrinServiceactionRange. */
    @Test
    void onlyTheFourServiceActionsOfPersistentReserveInExist() {
        for (int sa = 0; sa < 4; sa++) {
            assertGood(pr.in(a, sa, 16384));
        }
        for (int sa = 4; sa < 0x20; sa++) {
            assertInvalidCdbField(pr.in(a, sa, 16384), 1, 4);
        }
    }

    @Test
    void parameterListAndCdbErrors() {
        assertCheck(pr.out(a, REGISTER, 0, new byte[20]), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        assertCheck(pr.out(a, REGISTER, 0, new byte[28]), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        assertGood(pr.registerAndIgnore(a, K1));
        assertInvalidParameter(pr.out(a, RESERVE, EA, K1, 0, SPEC_I_PT), 20, 3);
        assertInvalidCdbField(pr.out(a, RESERVE, 0x10 | EA, K1, 0, 0), 2, 7); // SCOPE
        assertInvalidCdbField(pr.out(a, RESERVE, 0, K1, 0, 0), 2, 3); // TYPE 0
    }

    @Test
    void aptplSurvivesARestartAndClearingItForgets() {
        assertGood(pr.out(a, REGISTER, 0, 0, K1, APTPL));
        assertGood(pr.out(b, REGISTER, 0, 0, K2, APTPL));
        assertGood(pr.reserve(a, K1, WERO));
        long g = pr.generation(a);
        Harness after = h.restarted();
        Pr pr2 = new Pr(after);
        Nexus a2 = after.login(a);
        Nexus c2 = after.login(c);
        assertEquals(List.of(K1, K2), pr2.keys(a2));
        assertArrayEquals(new long[] {K1, WERO}, pr2.reservation(a2));
        assertEquals(g, pr2.generation(a2));
        assertConflict(pr2.write(c2));
        assertGood(pr2.write(a2));
        // The last APTPL received decides: 0 drops the saved state.
        assertGood(pr2.out(a2, REGISTER, 0, K1, K1, 0));
        Harness again = after.restarted();
        assertEquals(List.of(), new Pr(again).keys(again.login(a)));
    }

    /** A state store that does I/O (as the file one does, with fsync) and remembers the threads that saved. */
    static class SlowStore implements StateStore {
        final StateStore memory = StateStore.inMemory();
        final List<Thread> savedOn = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public byte[] load(String key) throws java.io.IOException {
            return memory.load(key);
        }

        @Override
        public void save(String key, byte[] value) throws java.io.IOException {
            savedOn.add(Thread.currentThread());
            memory.save(key, value);
        }
    }

    /**
     * Saving APTPL state means fsync: on a store that may block, PERSISTENT RESERVE OUT is served off the caller's
     * thread (a network event loop), one at a time and in arrival order, so each sees what the one before it left.
     */
    @Test
    void aptplIsSavedOffTheCallersThreadInOrder() throws InterruptedException {
        SlowStore store = new SlowStore();
        Harness disk = new Harness(new FakeDisk(), store, org.lunforge.scsi.TargetPortGroups.single());
        Pr pr2 = new Pr(disk);
        Nexus a2 = disk.login(a);
        RecordingTask register = pr2.out(a2, REGISTER, 0, 0, K1, APTPL);
        RecordingTask reserve = pr2.reserve(a2, K1, WE);
        assertEquals(ScsiStatus.GOOD, register.await().status());
        assertEquals(ScsiStatus.GOOD, reserve.await().status(), "the reservation saw the registration before it");
        assertNotSame(Thread.currentThread(), register.completedOn());
        assertNotSame(Thread.currentThread(), reserve.completedOn());
        assertEquals(2, store.savedOn.size());
        assertFalse(store.savedOn.contains(Thread.currentThread()), "fsync on the caller's thread");
        disk.lu.close();
        Harness after = disk.restarted();
        assertArrayEquals(new long[] {K1, WE}, new Pr(after).reservation(after.login(a)));
        after.lu.close();
    }

    /**
     * A RESERVE(6) queued behind a save, then the loss of its nexus: the loss is handled after the RESERVE, so the
     * reservation does not outlive the nexus that took it, and the caller (a session's event loop) does not wait for
     * the save. Latches order the steps; nothing is timed.
     */
    @Test
    void aNexusLostAfterItsQueuedReserveLeavesNoReservation() throws Exception {
        java.util.concurrent.CountDownLatch saving = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch mayFinish = new java.util.concurrent.CountDownLatch(1);
        Thread test = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean saved = new java.util.concurrent.atomic.AtomicBoolean();
        SlowStore store = new SlowStore() {
            @Override
            public void save(String key, byte[] value) throws java.io.IOException {
                // The second save waits until the test has queued what follows it (30 s: a safety net against a
                // hang should the order be wrong, not a timing assertion); on the test's own thread it cannot.
                if (!savedOn.isEmpty() && Thread.currentThread() != test) {
                    saving.countDown();
                    try {
                        mayFinish.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    saved.set(true);
                }
                super.save(key, value);
            }
        };
        Harness disk = new Harness(new FakeDisk(), store, org.lunforge.scsi.TargetPortGroups.single());
        Pr pr2 = new Pr(disk);
        Nexus a2 = disk.login(a);
        Nexus b2 = disk.login(b);
        Nexus c2 = disk.login(c);
        assertEquals(ScsiStatus.GOOD, pr2.out(a2, REGISTER, 0, 0, K1, APTPL).await().status());
        RecordingTask unregister = pr2.out(a2, REGISTER, 0, K1, 0, APTPL); // leaves no persistent state
        assertTrue(saving.await(30, java.util.concurrent.TimeUnit.SECONDS), "not saved off the caller's thread");
        RecordingTask reserve = disk.run(b2, 0x16, 0, 0, 0, 0, 0); // RESERVE(6), queued behind the save
        disk.lu.nexusLost(b2);
        assertFalse(saved.get(), "the nexus loss waited for the save (its lock) on the caller's thread");
        mayFinish.countDown();
        assertEquals(ScsiStatus.GOOD, unregister.await().status());
        assertEquals(ScsiStatus.GOOD, reserve.await().status());
        disk.lu.close(); // drains the lane: the nexus loss has been handled
        RecordingTask write = pr2.write(c2);
        assertEquals(ScsiStatus.GOOD, write.response().status(), "b's reservation outlived b");
    }

    @Test
    void withoutAptplNothingSurvivesARestart() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.reserve(a, K1, EA));
        Harness after = h.restarted();
        assertEquals(List.of(), new Pr(after).keys(after.login(b)));
    }

    @Test
    void threeInitiatorsUnderWriteExclusiveRegistrantsOnly() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.registerAndIgnore(b, K2));
        assertGood(pr.reserve(a, K1, WERO));
        assertGood(pr.write(b));
        assertConflict(pr.write(c));
        assertGood(pr.read(c));
        assertConflict(h.out(c, new byte[0], 0x15, 0x10, 0, 0, 0, 0)); // MODE SELECT writes
        assertGood(h.in(c, 255, 0x1A, 0x08, 0x3F, 0, 255, 0)); // MODE SENSE reads
        assertGood(pr.registerAndIgnore(c, K3));
        assertGood(pr.write(c));
    }

    @Test
    void preventAllowIsClassifiedPerCommand() {
        assertGood(pr.registerAndIgnore(a, K1));
        assertGood(pr.reserve(a, K1, EA));
        assertGood(h.run(b, 0x1E, 0, 0, 0, 0, 0)); // PREVENT 0: allowed
        assertConflict(h.run(b, 0x1E, 0, 0, 0, 1, 0));
    }

    @Test
    void persistentReserveCommandsConflictUnderAnotherNexussReserve6() {
        assertGood(h.run(a, 0x16, 0, 0, 0, 0, 0));
        assertConflict(pr.registerAndIgnore(b, K2));
        assertConflict(pr.in(b, 0, 255));
        assertEquals(ScsiStatus.GOOD, pr.registerAndIgnore(a, K1).response().status());
    }

    private static int countDescriptors(byte[] full) {
        int n = 0;
        for (int at = 8; at < full.length; at += 24 + (int) BigEndian.u32(full, at + 20)) {
            n++;
        }
        return n;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
