package org.lunforge.scsi.spc;

import static java.lang.System.Logger.Level.WARNING;
import static org.lunforge.scsi.spc.SpcCommand.PersistentReserveOut.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ReservationClass;
import org.lunforge.scsi.ReservationConflict;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SharedState;
import org.lunforge.scsi.spc.ReservationState.Registration;
import org.lunforge.scsi.spc.UnitReservations.Attention;

/**
 * The reservations of one logical unit: persistent reservations (SPC-4 5.13, PERSISTENT RESERVE OUT) and the SPC-2
 * RESERVE/RELEASE logical unit reservation, with the compatible reservation handling of SPC-4 5.13.3 (CRH) between
 * them, and the reservation part of the access check.
 *
 * <p>Concurrency: PERSISTENT RESERVE OUT, RESERVE and RELEASE run one at a time under {@code lock}; each computes the
 * next immutable {@link UnitReservations}, saves it when APTPL asks (SPC-4 5.13.5: before it takes effect, so a failed
 * save changes nothing), publishes it through volatile fields and then establishes its unit attentions. The access
 * check of every other command reads the two volatile fields only: with no reservation of either kind that is all it
 * does.
 *
 * <p>Several nodes serving one logical unit: when the state store offers a {@link SharedState} for the reservations,
 * that is where they live. Each command then runs as a guarded read-modify-write of the shared value (run again on a
 * lost race, so of two nodes racing to reserve one wins and the other conflicts), completes only after the other
 * nodes have taken the new value (or been fenced), and the other nodes establish its unit attentions for their own
 * nexuses. The fields here are then a cache that the other nodes' changes refresh before they are acknowledged;
 * {@code published} orders the refreshes by the shared value's version. The shared value is not cleared at a start
 * without APTPL: other nodes may be serving the logical unit, and to the initiators it never lost power.
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
    /** The reservations every node shares, or null when this node alone serves the logical unit. */
    private final SharedState shared;
    /** Guards {@code version} and the publication of the two volatile fields together. */
    private final Object published = new Object();
    private long version;
    private volatile ReservationState state;
    /** The I_T nexus holding an SPC-2 reservation, or null. */
    private volatile Nexus spc2Holder;

    /** A persistent reservation command's result: the next state and the unit attentions it causes. */
    private record Outcome(ReservationState next, List<Attention> attentions) {
    }

    /** Any reservation command's result. */
    private record Step(UnitReservations next, List<Attention> attentions) {
    }

    PersistentReservations(LogicalUnit lu) {
        this.lu = lu;
        this.shared = lu.stateStore().shared(STORE_KEY);
        if (shared == null) {
            this.state = restore(lu);
            return;
        }
        UnitReservations current;
        try {
            current = UnitReservations.decode(shared.read());
        } catch (IOException e) {
            throw new UncheckedIOException(lu.name() + ": reading the shared reservations failed", e);
        }
        this.state = current.persistent();
        this.spc2Holder = current.spc2Holder();
        shared.listen(this::changedElsewhere);
    }

    /** True if the reservations are shared with other nodes (every change then waits for them). */
    boolean shared() {
        return shared != null;
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
        apply(nexus, s -> {
            if (compatibleReservationHandling(s.persistent(), nexus)) {
                return null;
            }
            Nexus reserver = s.spc2Holder();
            if (reserver != null && !reserver.equals(nexus)) {
                throw new ReservationConflict("reserved by " + reserver);
            }
            return reserver != null ? null : new Step(new UnitReservations(s.persistent(), nexus), List.of());
        });
    }

    /** RELEASE(6)/(10): releases this nexus's reservation; from any other nexus it is GOOD and does nothing. */
    void release(Nexus nexus) {
        apply(nexus, s -> {
            if (compatibleReservationHandling(s.persistent(), nexus)) {
                return null;
            }
            return releaseSpc2(s, nexus);
        });
    }

    /** The SPC-2 reservation released if {@code holder} holds it (any holder if null); else no change. */
    private static Step releaseSpc2(UnitReservations s, Nexus holder) {
        if (s.spc2Holder() == null || holder != null && !holder.equals(s.spc2Holder())) {
            return null;
        }
        return new Step(new UnitReservations(s.persistent(), null), List.of());
    }

    /** SPC-4 5.13.3: true if the command completes without action; throws the conflict it prescribes. */
    private static boolean compatibleReservationHandling(ReservationState s, Nexus nexus) {
        if (!s.reserved() && s.registrations().isEmpty()) {
            return false;
        }
        Registration r = s.registrationOf(nexus);
        if (s.holds(r) || (r != null && s.reserved() && s.type().registrantsHaveAccess())) {
            return true;
        }
        throw new ReservationConflict("persistent reservations present");
    }

    /**
     * Logical unit reset (SAM-5 6.3.3): the SPC-2 reservation is released; persistent reservations stay. With shared
     * reservations this waits for the shared store: call it where blocking is allowed.
     */
    void reset() {
        try {
            if (shared != null) { // the other nodes' nexuses hear of the reset too (SAM-5 6.3.3)
                apply(null, s -> new Step(new UnitReservations(s.persistent(), null),
                        List.of(new Attention(null, SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED))));
                return;
            }
            apply(null, s -> releaseSpc2(s, null));
        } catch (CheckCondition e) {
            LOG.log(WARNING, () -> lu.name() + ": releasing the SPC-2 reservation at a reset failed: " + e);
        }
    }

    /** I_T nexus loss releases that nexus's SPC-2 reservation (SPC-2 5.5.1). */
    void nexusLost(Nexus nexus) {
        if (!nexus.equals(spc2Holder)) {
            return; // the holder only changes through this node's lane or another node: neither is this nexus
        }
        try {
            apply(nexus, s -> releaseSpc2(s, nexus));
        } catch (CheckCondition e) {
            LOG.log(WARNING, () -> lu.name() + ": releasing the SPC-2 reservation of a lost nexus failed: " + e);
        }
    }

    // ---- PERSISTENT RESERVE OUT --------------------------------------------------------------------------------

    /** Runs one PERSISTENT RESERVE OUT with its parameter list (as much of it as arrived). */
    void out(Nexus nexus, SpcCommand.PersistentReserveOut c, byte[] data) {
        if (data.length < c.parameterListLength()) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (c.serviceAction() == REGISTER_AND_MOVE) {
            applyPersistent(nexus, s -> registerAndMove(s, nexus, data));
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
        applyPersistent(nexus, s -> switch (c.serviceAction()) {
            case REGISTER -> register(s, nexus, key, saKey, false, specIpt, allTgPt, aptpl, data);
            case REGISTER_AND_IGNORE_EXISTING_KEY -> register(s, nexus, key, saKey, true, false, allTgPt, aptpl, data);
            case RESERVE -> reserve(s, nexus, key, type);
            case RELEASE -> release(s, nexus, key, type);
            case CLEAR -> clear(s, nexus, key);
            case PREEMPT, PREEMPT_AND_ABORT -> preempt(s, nexus, key, saKey, type);
            default -> throw CheckCondition.invalidFieldInCdb(1, 4);
        });
    }

    /** A persistent reservation command, refused while another nexus holds an SPC-2 reservation. */
    private void applyPersistent(Nexus nexus, Function<ReservationState, Outcome> command) {
        apply(nexus, s -> {
            Nexus reserver = s.spc2Holder();
            if (reserver != null && !reserver.equals(nexus)) {
                throw new ReservationConflict("reserved by " + reserver);
            }
            Outcome o = command.apply(s.persistent());
            return o == null ? null : new Step(new UnitReservations(o.next(), reserver), o.attentions());
        });
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
    private static Outcome register(ReservationState s, Nexus nexus, long key, long saKey, boolean ignoreExisting,
                                    boolean specIpt, boolean allTgPt, boolean aptpl, byte[] data) {
        Registration mine = s.registrationOf(nexus);
        if (mine == null) {
            if (!ignoreExisting && key != 0) {
                throw new ReservationConflict("not registered, RESERVATION KEY not zero");
            }
            if (saKey == 0) {
                return null; // unregistering an unregistered nexus: nothing happens, PRgeneration unchanged
            }
            List<Registration> list = new ArrayList<>(s.registrations());
            add(list, new Registration(Registrant.of(nexus, allTgPt), saKey), 20, 2);
            if (specIpt) {
                addTransportIds(list, nexus, allTgPt, saKey, data);
            }
            if (list.size() > MAX_REGISTRATIONS) {
                throw new CheckCondition(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
            }
            return new Outcome(s.withRegistrations(list).withAptpl(aptpl).withGeneration(s.generation() + 1),
                    List.of());
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
            return new Outcome(s.withRegistrations(list).withAptpl(aptpl).withGeneration(s.generation() + 1),
                    List.of());
        }
        // Unregister (SPC-4 5.13.11.3): the holder of a registrants-only reservation releases it as it goes.
        ReservationState next = s.without(r -> r == mine).withAptpl(aptpl).withGeneration(s.generation() + 1);
        List<Attention> attentions = new ArrayList<>();
        if (s.reserved() && !next.reserved() && s.type().registrantsOnly()) {
            for (Registration r : next.registrations()) {
                attentions.add(new Attention(r.registrant(), SenseCode.RESERVATIONS_RELEASED));
            }
        }
        return new Outcome(next, attentions);
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
    private static Outcome reserve(ReservationState s, Nexus nexus, long key, ReservationType type) {
        Registration mine = registered(s, nexus, key);
        if (s.reserved()) {
            if (s.holds(mine) && s.type() == type) {
                return null;
            }
            throw new ReservationConflict("already reserved");
        }
        return new Outcome(s.withReservation(mine.registrant(), type), List.of());
    }

    /**
     * SPC-4 5.13.11.2: RELEASE by a holder, with the reservation's type; from a non-holder it does nothing. Releasing
     * a registrants-only or all-registrants reservation tells the other registrants (RESERVATIONS RELEASED).
     */
    private static Outcome release(ReservationState s, Nexus nexus, long key, ReservationType type) {
        Registration mine = registered(s, nexus, key);
        if (!s.holds(mine)) {
            return null;
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
        return new Outcome(s.withReservation(null, null), attentions);
    }

    /** SPC-4 5.13.11.6: CLEAR removes every registration and the reservation; the others learn RESERVATIONS PREEMPTED. */
    private static Outcome clear(ReservationState s, Nexus nexus, long key) {
        registered(s, nexus, key);
        List<Attention> attentions = new ArrayList<>();
        for (Registration r : s.registrations()) {
            attentions.add(new Attention(r.registrant(), SenseCode.RESERVATIONS_PREEMPTED));
        }
        ReservationState next = new ReservationState(s.generation(), List.of(), null, null, s.aptpl());
        return new Outcome(next.withGeneration(s.generation() + 1), attentions);
    }

    /**
     * SPC-4 5.13.11.4: PREEMPT removes the registrations whose key is the SERVICE ACTION RESERVATION KEY and, when
     * that key is the holder's (or zero under an all-registrants reservation), takes the reservation over with the
     * TYPE given. Removed registrants learn REGISTRATIONS PREEMPTED; when the type changes, the remaining ones learn
     * RESERVATIONS RELEASED.
     */
    private static Outcome preempt(ReservationState s, Nexus nexus, long key, long saKey, ReservationType type) {
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
        return new Outcome(next.withGeneration(s.generation() + 1), attentions);
    }

    /**
     * SPC-4 5.13.8: REGISTER AND MOVE. The holder registers another I_T nexus (TransportID and RELATIVE TARGET PORT
     * IDENTIFIER) with the SERVICE ACTION RESERVATION KEY (a registered one takes that key: registering it again is not
     * an error) and moves the reservation, same type, to it; UNREG also unregisters the issuer.
     */
    private Outcome registerAndMove(ReservationState s, Nexus nexus, byte[] data) {
        if (data.length < BASIC_LENGTH || BASIC_LENGTH + BigEndian.u32(data, 20) > data.length) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
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
        return new Outcome(next.withGeneration(s.generation() + 1), List.of());
    }

    /**
     * Runs one reservation command and makes its result the logical unit's: alone, saved (when APTPL was or is set)
     * and published; shared, stored and acknowledged by every other node. Then establishes its unit attentions for
     * every nexus of this node a registrant covers, except the issuer's.
     */
    private void apply(Nexus issuer, Function<UnitReservations, Step> command) {
        synchronized (lock) {
            Step step;
            if (shared == null) {
                UnitReservations before = new UnitReservations(state, spc2Holder);
                step = command.apply(before);
                if (step == null) {
                    return;
                }
                ReservationState previous = before.persistent(), next = step.next().persistent();
                if (previous != next && (previous.aptpl() || next.aptpl())) {
                    try {
                        lu.stateStore().save(STORE_KEY, next.encode());
                    } catch (IOException e) {
                        LOG.log(WARNING, () -> lu.name() + ": saving persistent reservations failed", e);
                        throw new CheckCondition(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
                    }
                }
                synchronized (published) {
                    publish(version + 1, step.next());
                }
            } else {
                step = applyShared(command);
                if (step == null) {
                    return;
                }
            }
            for (Attention a : step.attentions()) {
                if (a.registrant() != null) { // one for every nexus is the caller's to establish here
                    lu.unitAttentions().establishFor(n -> !n.equals(issuer) && a.registrant().matches(n), a.code());
                }
            }
        }
    }

    /** The command run on the shared value until it is stored; null if it changed nothing. */
    private Step applyShared(Function<UnitReservations, Step> command) {
        Step[] taken = new Step[1];
        long stored;
        try {
            stored = shared.update(current -> {
                UnitReservations s;
                try {
                    s = UnitReservations.decode(current);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Step step = command.apply(s);
                taken[0] = step;
                return step == null ? null : new SharedState.Change(step.next().encode(),
                        UnitReservations.encode(step.attentions()));
            });
        } catch (IOException | UncheckedIOException e) {
            // Not known to have taken effect everywhere: the initiator retries (ABORTED COMMAND) and reads back.
            LOG.log(WARNING, () -> lu.name() + ": the shared reservations could not be updated", e);
            throw new CheckCondition(SenseCode.ABORTED_COMMAND_LOGICAL_UNIT_COMMUNICATION_FAILURE);
        }
        if (taken[0] == null || stored < 0) {
            return null;
        }
        synchronized (published) {
            publish(stored, taken[0].next());
        }
        return taken[0];
    }

    /** Another node's change, taken before it is acknowledged: the new value and its unit attentions here. */
    private void changedElsewhere(long changeVersion, byte[] value, byte[] notice) {
        try {
            UnitReservations next = UnitReservations.decode(value);
            synchronized (published) {
                publish(changeVersion, next);
            }
            for (Attention a : UnitReservations.decodeAttentions(notice)) {
                Registrant r = a.registrant();
                lu.unitAttentions().establishFor(n -> r == null || r.matches(n), a.code());
            }
        } catch (IOException e) {
            LOG.log(WARNING, () -> lu.name() + ": another node's reservation change is unreadable", e);
        }
    }

    /** Makes {@code next} current unless a later version already is (caller holds {@code published}). */
    private void publish(long nextVersion, UnitReservations next) {
        if (nextVersion <= version) {
            return;
        }
        version = nextVersion;
        state = next.persistent();
        spc2Holder = next.spc2Holder();
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
