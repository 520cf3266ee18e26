package org.lunforge.scsi.spc;

import static java.lang.System.Logger.Level.WARNING;
import static org.lunforge.scsi.spc.SpcCommand.PersistentReserveOut.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ReservationClass;
import org.lunforge.scsi.ReservationConflict;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.spc.ReservationState.Registration;

/**
 * The reservations of one logical unit: persistent reservations (SPC-4 5.13, PERSISTENT RESERVE OUT) and the SPC-2
 * RESERVE/RELEASE logical unit reservation, with the compatible reservation handling of SPC-4 5.13.3 (CRH) between
 * them, and the reservation part of the access check.
 *
 * <p>Concurrency: PERSISTENT RESERVE OUT, RESERVE and RELEASE run one at a time under {@code lock}; each computes the
 * next immutable {@link ReservationState}, saves it when APTPL asks (SPC-4 5.13.5: before it takes effect, so a failed
 * save changes nothing), publishes it through a volatile field and then establishes its unit attentions. The access
 * check of every other command reads the two volatile fields only: with no reservation of either kind that is all it
 * does.
 *
 * <p>Not done: PREEMPT AND ABORT preempts like PREEMPT but cannot abort the preempted nexuses' tasks, which the
 * frontends own (SAM-5 task sets are not modelled here).
 */
final class PersistentReservations {
    static final String STORE_KEY = "persistent-reservations";
    /** Registrations beyond this are refused with INSUFFICIENT REGISTRATION RESOURCES. */
    static final int MAX_REGISTRATIONS = 1024;
    private static final System.Logger LOG = System.getLogger(PersistentReservations.class.getName());
    /** The basic PERSISTENT RESERVE OUT parameter list (SPC-4 6.14.3). */
    private static final int BASIC_LENGTH = 24;

    private final LogicalUnit lu;
    private final Object lock = new Object();
    private volatile ReservationState state;
    /** The I_T nexus holding an SPC-2 reservation, or null. */
    private volatile Nexus spc2Holder;

    /** A unit attention for every I_T nexus a registrant covers, except the one that caused it. */
    private record Attention(Registrant registrant, SenseCode code) {
    }

    PersistentReservations(LogicalUnit lu) {
        this.lu = lu;
        this.state = restore(lu);
    }

    ReservationState state() {
        return state;
    }

    Nexus spc2Holder() {
        return spc2Holder;
    }

    /**
     * The reservation part of the access check (SPC-4 5.13.1 table 61, SPC-2 5.5.1); see {@link ReservationClass}
     * for the table.
     */
    void checkAccess(Nexus nexus, ReservationClass rc) {
        Nexus reserver = spc2Holder;
        if (reserver != null && rc != ReservationClass.ALLOWED && rc != ReservationClass.RESERVATION_COMMAND
                && !reserver.equals(nexus)) {
            throw new ReservationConflict("reserved by " + reserver);
        }
        ReservationState s = state;
        ReservationType type = s.type();
        if (type == null || rc == ReservationClass.ALLOWED || rc == ReservationClass.ALLOWED_UNLESS_RESERVED
                || rc == ReservationClass.RESERVATION_COMMAND || (rc == ReservationClass.READ && !type.exclusiveAccess())) {
            return;
        }
        Registration r = s.registrationOf(nexus);
        if (s.holds(r) || (r != null && type.registrantsHaveAccess())) {
            return;
        }
        throw new ReservationConflict(type + " reservation");
    }

    // ---- SPC-2 RESERVE and RELEASE -------------------------------------------------------------------------

    /**
     * RESERVE(6)/(10): the logical unit becomes reserved for this I_T nexus; another nexus's reservation is a
     * conflict. With persistent reservation state present, CRH: GOOD without action for a reservation holder, and for
     * a registrant under a registrants-only or all-registrants reservation; a conflict for everyone else.
     */
    void reserve(Nexus nexus) {
        synchronized (lock) {
            if (compatibleReservationHandling(nexus)) {
                return;
            }
            Nexus reserver = spc2Holder;
            if (reserver != null && !reserver.equals(nexus)) {
                throw new ReservationConflict("reserved by " + reserver);
            }
            spc2Holder = nexus;
        }
    }

    /** RELEASE(6)/(10): releases this nexus's reservation; from any other nexus it is GOOD and does nothing. */
    void release(Nexus nexus) {
        synchronized (lock) {
            if (compatibleReservationHandling(nexus)) {
                return;
            }
            if (nexus.equals(spc2Holder)) {
                spc2Holder = null;
            }
        }
    }

    /** SPC-4 5.13.3: true if the command completes without action; throws the conflict it prescribes. */
    private boolean compatibleReservationHandling(Nexus nexus) {
        ReservationState s = state;
        if (!s.reserved() && s.registrations().isEmpty()) {
            return false;
        }
        Registration r = s.registrationOf(nexus);
        if (s.holds(r) || (r != null && s.reserved() && s.type().registrantsHaveAccess())) {
            return true;
        }
        throw new ReservationConflict("persistent reservations present");
    }

    /** Logical unit reset (SAM-5 6.3.3): the SPC-2 reservation is released; persistent reservations stay. */
    void reset() {
        spc2Holder = null;
    }

    /** I_T nexus loss releases that nexus's SPC-2 reservation (SPC-2 5.5.1). */
    void nexusLost(Nexus nexus) {
        synchronized (lock) {
            if (nexus.equals(spc2Holder)) {
                spc2Holder = null;
            }
        }
    }

    // ---- PERSISTENT RESERVE OUT --------------------------------------------------------------------------------

    /** Runs one PERSISTENT RESERVE OUT with its parameter list (as much of it as arrived). */
    void out(Nexus nexus, SpcCommand.PersistentReserveOut c, byte[] data) {
        if (data.length < c.parameterListLength()) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        synchronized (lock) {
            Nexus reserver = spc2Holder;
            if (reserver != null && !reserver.equals(nexus)) {
                throw new ReservationConflict("reserved by " + reserver);
            }
            if (c.serviceAction() == REGISTER_AND_MOVE) {
                registerAndMove(nexus, data);
                return;
            }
            if (data.length < BASIC_LENGTH) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            long key = BigEndian.s64(data, 0);
            long saKey = BigEndian.s64(data, 8);
            boolean specIpt = (data[20] & 0x08) != 0;
            boolean allTgPt = (data[20] & 0x04) != 0;
            boolean aptpl = (data[20] & 0x01) != 0;
            if (specIpt && c.serviceAction() != REGISTER) {
                throw CheckCondition.invalidFieldInParameterList(20, 3);
            }
            if (!specIpt && data.length != BASIC_LENGTH) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            ReservationType type = ReservationType.of(c.type());
            switch (c.serviceAction()) {
                case REGISTER -> register(nexus, key, saKey, false, specIpt, allTgPt, aptpl, data);
                case REGISTER_AND_IGNORE_EXISTING_KEY -> register(nexus, key, saKey, true, false, allTgPt, aptpl, data);
                case RESERVE -> reserve(nexus, key, type);
                case RELEASE -> release(nexus, key, type);
                case CLEAR -> clear(nexus, key);
                case PREEMPT, PREEMPT_AND_ABORT -> preempt(nexus, key, saKey, type);
                default -> throw CheckCondition.invalidFieldInCdb(1, 4);
            }
        }
    }

    /** The issuer's registration, which must exist and carry {@code key} (else RESERVATION CONFLICT). */
    private static Registration registered(ReservationState s, Nexus nexus, long key) {
        Registration mine = s.registrationOf(nexus);
        if (mine == null || mine.key() != key) {
            throw new ReservationConflict(mine == null ? "not registered" : "reservation key mismatch");
        }
        return mine;
    }

    /** SPC-4 5.13.7: REGISTER and REGISTER AND IGNORE EXISTING KEY. */
    private void register(Nexus nexus, long key, long saKey, boolean ignoreExisting, boolean specIpt,
                          boolean allTgPt, boolean aptpl, byte[] data) {
        ReservationState s = state;
        Registration mine = s.registrationOf(nexus);
        if (mine == null) {
            if (!ignoreExisting && key != 0) {
                throw new ReservationConflict("not registered, RESERVATION KEY not zero");
            }
            if (saKey == 0) {
                return; // unregistering an unregistered nexus: nothing happens, PRgeneration unchanged
            }
            List<Registration> list = new ArrayList<>(s.registrations());
            add(list, new Registration(Registrant.of(nexus, allTgPt), saKey), 20, 2);
            if (specIpt) {
                addTransportIds(list, nexus, allTgPt, saKey, data);
            }
            if (list.size() > MAX_REGISTRATIONS) {
                throw new CheckCondition(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
            }
            commit(s, s.withRegistrations(list).withAptpl(aptpl).withGeneration(s.generation() + 1), nexus, List.of());
            return;
        }
        if (!ignoreExisting && key != mine.key()) {
            throw new ReservationConflict("reservation key mismatch");
        }
        if (specIpt) {
            throw CheckCondition.invalidFieldInParameterList(20, 3); // SPEC_I_PT from a registered I_T nexus
        }
        if (saKey != 0) {
            List<Registration> list = new ArrayList<>(s.registrations());
            list.set(list.indexOf(mine), new Registration(mine.registrant(), saKey));
            commit(s, s.withRegistrations(list).withAptpl(aptpl).withGeneration(s.generation() + 1), nexus, List.of());
            return;
        }
        // Unregister (SPC-4 5.13.11.3): the holder of a registrants-only reservation releases it as it goes.
        ReservationState next = s.without(r -> r == mine).withAptpl(aptpl).withGeneration(s.generation() + 1);
        List<Attention> attentions = new ArrayList<>();
        if (s.reserved() && !next.reserved() && s.type().registrantsOnly()) {
            for (Registration r : next.registrations()) {
                attentions.add(new Attention(r.registrant(), SenseCode.RESERVATIONS_RELEASED));
            }
        }
        commit(s, next, nexus, attentions);
    }

    /** Adds a registration; one that overlaps an existing one is INVALID FIELD IN PARAMETER LIST at the field. */
    private static void add(List<Registration> list, Registration added, int fieldOffset, int bit) {
        for (Registration r : list) {
            if (r.registrant().overlaps(added.registrant())) {
                throw CheckCondition.invalidFieldInParameterList(fieldOffset, bit);
            }
        }
        list.add(added);
    }

    /** SPEC_I_PT: the TRANSPORTID PARAMETER DATA LENGTH at byte 24, then the TransportIDs (SPC-4 6.14.3). */
    private static void addTransportIds(List<Registration> list, Nexus nexus, boolean allTgPt, long saKey,
                                        byte[] data) {
        if (data.length < BASIC_LENGTH + 4 || BASIC_LENGTH + 4 + BigEndian.u32(data, 24) != data.length) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int at = BASIC_LENGTH + 4;
        while (at < data.length) {
            TransportId id = TransportId.read(data, at, data.length - at);
            if (id == null) {
                throw CheckCondition.invalidFieldInParameterList(at, -1);
            }
            int port = allTgPt ? Registrant.ALL_TARGET_PORTS : nexus.target().relativeId();
            add(list, new Registration(new Registrant(id.protocol(), id.name(), id.portIdentifier(), port), saKey),
                    at, -1);
            at += id.length();
        }
    }

    /** SPC-4 5.13.9: RESERVE. The same reservation again is GOOD; any other while one exists is a conflict. */
    private void reserve(Nexus nexus, long key, ReservationType type) {
        ReservationState s = state;
        Registration mine = registered(s, nexus, key);
        if (s.reserved()) {
            if (s.holds(mine) && s.type() == type) {
                return;
            }
            throw new ReservationConflict("already reserved");
        }
        commit(s, s.withReservation(mine.registrant(), type), nexus, List.of());
    }

    /**
     * SPC-4 5.13.11.2: RELEASE by a holder, with the reservation's type; from a non-holder it does nothing. Releasing
     * a registrants-only or all-registrants reservation tells the other registrants (RESERVATIONS RELEASED).
     */
    private void release(Nexus nexus, long key, ReservationType type) {
        ReservationState s = state;
        Registration mine = registered(s, nexus, key);
        if (!s.holds(mine)) {
            return;
        }
        if (s.type() != type) {
            throw new CheckCondition(SenseCode.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        }
        List<Attention> attentions = new ArrayList<>();
        if (type.registrantsHaveAccess()) {
            for (Registration r : s.registrations()) {
                attentions.add(new Attention(r.registrant(), SenseCode.RESERVATIONS_RELEASED));
            }
        }
        commit(s, s.withReservation(null, null), nexus, attentions);
    }

    /** SPC-4 5.13.11.6: CLEAR removes every registration and the reservation; the others learn RESERVATIONS PREEMPTED. */
    private void clear(Nexus nexus, long key) {
        ReservationState s = state;
        registered(s, nexus, key);
        List<Attention> attentions = new ArrayList<>();
        for (Registration r : s.registrations()) {
            attentions.add(new Attention(r.registrant(), SenseCode.RESERVATIONS_PREEMPTED));
        }
        ReservationState next = new ReservationState(s.generation(), List.of(), null, null, s.aptpl());
        commit(s, next.withGeneration(s.generation() + 1), nexus, attentions);
    }

    /**
     * SPC-4 5.13.11.4: PREEMPT removes the registrations whose key is the SERVICE ACTION RESERVATION KEY and, when
     * that key is the holder's (or zero under an all-registrants reservation), takes the reservation over with the
     * TYPE given. Removed registrants learn REGISTRATIONS PREEMPTED; when the type changes, the remaining ones learn
     * RESERVATIONS RELEASED.
     */
    private void preempt(Nexus nexus, long key, long saKey, ReservationType type) {
        ReservationState s = state;
        Registration mine = registered(s, nexus, key);
        ReservationState next;
        if (s.reserved() && s.type().allRegistrants() && saKey == 0) {
            next = s.without(r -> r != mine).withReservation(mine.registrant(), type);
        } else {
            if (saKey == 0) {
                throw CheckCondition.invalidFieldInParameterList(8, -1);
            }
            Registration holder = s.reserved() && !s.type().allRegistrants() ? s.holderRegistration() : null;
            boolean takeOver = holder != null && holder.key() == saKey;
            // The preempting I_T nexus never preempts its own registration, even when it shares the key.
            if (s.registrations().stream().noneMatch(r -> r.key() == saKey && r != mine)) {
                throw new ReservationConflict("no other registration with the SERVICE ACTION RESERVATION KEY");
            }
            next = s.without(r -> r.key() == saKey && r != mine);
            if (takeOver) {
                next = next.withReservation(mine.registrant(), type);
            }
        }
        List<Attention> attentions = new ArrayList<>();
        for (Registration r : s.registrations()) {
            if (!next.registrations().contains(r)) {
                attentions.add(new Attention(r.registrant(), SenseCode.REGISTRATIONS_PREEMPTED));
            } else if (s.reserved() && next.reserved() && s.type() != next.type()) {
                attentions.add(new Attention(r.registrant(), SenseCode.RESERVATIONS_RELEASED));
            }
        }
        commit(s, next.withGeneration(s.generation() + 1), nexus, attentions);
    }

    /**
     * SPC-4 5.13.8: REGISTER AND MOVE. The holder registers another I_T nexus (TransportID and RELATIVE TARGET PORT
     * IDENTIFIER) with the SERVICE ACTION RESERVATION KEY (a registered one takes that key: registering it again is not
     * an error) and moves the reservation, same type, to it; UNREG also unregisters the issuer.
     */
    private void registerAndMove(Nexus nexus, byte[] data) {
        if (data.length < BASIC_LENGTH || BASIC_LENGTH + BigEndian.u32(data, 20) > data.length) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        ReservationState s = state;
        Registration mine = registered(s, nexus, BigEndian.s64(data, 0));
        if (!s.holds(mine) || s.type().allRegistrants()) {
            throw new ReservationConflict("not the reservation holder");
        }
        long saKey = BigEndian.s64(data, 8);
        if (saKey == 0) {
            throw CheckCondition.invalidFieldInParameterList(8, -1);
        }
        boolean unreg = (data[17] & 0x02) != 0;
        boolean aptpl = (data[17] & 0x01) != 0;
        int port = BigEndian.u16(data, 18);
        TransportId id = TransportId.read(data, BASIC_LENGTH, (int) BigEndian.u32(data, 20));
        if (id == null) {
            throw CheckCondition.invalidFieldInParameterList(BASIC_LENGTH, -1);
        }
        if (lu.portGroups().port(port) == null) {
            throw CheckCondition.invalidFieldInParameterList(18, -1);
        }
        Registrant destination = new Registrant(id.protocol(), id.name(), id.portIdentifier(), port);
        if (destination.overlaps(mine.registrant())) {
            throw CheckCondition.invalidFieldInParameterList(BASIC_LENGTH, -1); // moving to itself
        }
        List<Registration> list = new ArrayList<>(s.registrations());
        Registration existing = null;
        for (Registration r : list) {
            if (r.registrant().overlaps(destination)) {
                if (!r.registrant().equals(destination)) {
                    throw CheckCondition.invalidFieldInParameterList(BASIC_LENGTH, -1);
                }
                existing = r;
            }
        }
        if (existing != null) {
            list.set(list.indexOf(existing), new Registration(destination, saKey));
        } else if (list.size() >= MAX_REGISTRATIONS) {
            throw new CheckCondition(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
        } else {
            list.add(new Registration(destination, saKey));
        }
        if (unreg) {
            list.remove(mine);
        }
        ReservationState next = new ReservationState(s.generation(), list, destination, s.type(), aptpl);
        commit(s, next.withGeneration(s.generation() + 1), nexus, List.of());
    }

    /**
     * Saves (when APTPL was or is set), publishes, then establishes the unit attentions for every known I_T nexus
     * a registrant covers, except the issuer's.
     */
    private void commit(ReservationState previous, ReservationState next, Nexus issuer, List<Attention> attentions) {
        if (previous.aptpl() || next.aptpl()) {
            try {
                lu.stateStore().save(STORE_KEY, next.encode());
            } catch (IOException e) {
                LOG.log(WARNING, () -> lu.name() + ": saving persistent reservations failed", e);
                throw new CheckCondition(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
            }
        }
        state = next;
        for (Attention a : attentions) {
            lu.unitAttentions().establishFor(n -> !n.equals(issuer) && a.registrant().matches(n), a.code());
        }
    }

    /** The saved state when the logical unit is built: restored if it was saved with APTPL (SPC-4 5.13.5). */
    private static ReservationState restore(LogicalUnit lu) {
        try {
            byte[] stored = lu.stateStore().load(STORE_KEY);
            if (stored == null) {
                return ReservationState.EMPTY;
            }
            ReservationState s = ReservationState.decode(stored);
            return s.aptpl() ? s : ReservationState.EMPTY;
        } catch (IOException e) {
            LOG.log(WARNING, () -> lu.name() + ": saved persistent reservations unreadable; starting without", e);
            return ReservationState.EMPTY;
        }
    }
}
