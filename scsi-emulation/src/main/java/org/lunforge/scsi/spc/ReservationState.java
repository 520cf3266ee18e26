package org.lunforge.scsi.spc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.TransportProtocol;

/**
 * The persistent reservation state of a logical unit at one moment (SPC-4 5.13): the PRgeneration, the registrations
 * in the order they were made, the reservation if any, and whether it persists through power loss (APTPL). Immutable:
 * each PERSISTENT RESERVE OUT computes the next state, which is saved (when APTPL) and then published.
 *
 * @param holder the registrant holding the reservation; null when there is no reservation, and for the all
 *     registrants types, whose holders are every registrant (SPC-4 5.13.9)
 * @param type the reservation's type, or null when there is none
 */
record ReservationState(long generation, List<Registration> registrations, Registrant holder, ReservationType type,
                        boolean aptpl) {
    static final ReservationState EMPTY = new ReservationState(0, List.of(), null, null, false);
    private static final int STORE_VERSION = 1;

    /** One registration: the I_T nexuses it covers and their reservation key. */
    record Registration(Registrant registrant, long key) {
        Registration {
            Objects.requireNonNull(registrant, "registrant");
        }
    }

    ReservationState {
        registrations = List.copyOf(registrations);
        boolean needsHolder = type != null && !type.allRegistrants();
        if (needsHolder != (holder != null)) {
            throw new IllegalArgumentException("holder " + holder + " with type " + type);
        }
    }

    boolean reserved() {
        return type != null;
    }

    /** The registration covering this I_T nexus, or null. */
    Registration registrationOf(Nexus nexus) {
        for (Registration r : registrations) {
            if (r.registrant().matches(nexus)) {
                return r;
            }
        }
        return null;
    }

    /** True if the registration is a reservation holder (every registrant, under the all registrants types). */
    boolean holds(Registration r) {
        return r != null && type != null && (type.allRegistrants() || r.registrant().equals(holder));
    }

    boolean isHolder(Nexus nexus) {
        return holds(registrationOf(nexus));
    }

    /** The holder's registration (non all-registrants types), or null. */
    Registration holderRegistration() {
        for (Registration r : registrations) {
            if (r.registrant().equals(holder)) {
                return r;
            }
        }
        return null;
    }

    ReservationState withGeneration(long g) {
        return new ReservationState(g & 0xFFFF_FFFFL, registrations, holder, type, aptpl);
    }

    ReservationState withRegistrations(List<Registration> list) {
        return new ReservationState(generation, list, holder, type, aptpl);
    }

    ReservationState withReservation(Registrant newHolder, ReservationType newType) {
        Registrant h = newType != null && newType.allRegistrants() ? null : newHolder;
        return new ReservationState(generation, registrations, h, newType, aptpl);
    }

    ReservationState withAptpl(boolean persist) {
        return new ReservationState(generation, registrations, holder, type, persist);
    }

    /** The state without the registrations the predicate selects, and without a reservation that lost its holder. */
    ReservationState without(Predicate<Registration> removed) {
        List<Registration> kept = new ArrayList<>();
        for (Registration r : registrations) {
            if (!removed.test(r)) {
                kept.add(r);
            }
        }
        ReservationState next = withRegistrations(kept);
        boolean lost = type != null && (type.allRegistrants() ? kept.isEmpty()
                : kept.stream().noneMatch(r -> r.registrant().equals(holder)));
        return lost ? next.withReservation(null, null) : next;
    }

    /** The state in the StateStore form (a version, then fields in order). */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(STORE_VERSION);
            out.writeLong(generation);
            out.writeBoolean(aptpl);
            out.writeInt(registrations.size());
            int holderIndex = -1;
            for (int i = 0; i < registrations.size(); i++) {
                Registration r = registrations.get(i);
                Registrant g = r.registrant();
                out.writeLong(r.key());
                out.writeByte(g.protocol().identifier());
                out.writeUTF(g.name());
                out.writeBoolean(g.portIdentifier() != null);
                out.writeUTF(g.portIdentifier() == null ? "" : g.portIdentifier());
                out.writeShort(g.relativeTargetPortId());
                if (g.equals(holder)) {
                    holderIndex = i;
                }
            }
            out.writeByte(type == null ? 0 : type.code());
            out.writeInt(holderIndex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The saved state; throws IOException if the bytes are not a state we wrote. */
    static ReservationState decode(byte[] stored) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            if (in.readInt() != STORE_VERSION) {
                throw new IOException("unknown persistent reservation state format");
            }
            long generation = in.readLong();
            boolean aptpl = in.readBoolean();
            int count = in.readInt();
            List<Registration> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long key = in.readLong();
                TransportProtocol protocol = protocol(in.readUnsignedByte());
                String name = in.readUTF();
                boolean hasPort = in.readBoolean();
                String port = in.readUTF();
                int rel = in.readUnsignedShort();
                list.add(new Registration(new Registrant(protocol, name, hasPort ? port : null, rel), key));
            }
            int typeCode = in.readUnsignedByte();
            int holderIndex = in.readInt();
            ReservationType type = typeCode == 0 ? null : ReservationType.of(typeCode);
            if (typeCode != 0 && type == null || holderIndex >= count) {
                throw new IOException("corrupt persistent reservation state");
            }
            Registrant holder = type == null || type.allRegistrants() || holderIndex < 0
                    ? null : list.get(holderIndex).registrant();
            if (type != null && !type.allRegistrants() && holder == null) {
                type = null; // a reservation whose holder is gone is no reservation
            }
            return new ReservationState(generation, list, holder, type, aptpl);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt persistent reservation state", e);
        }
    }

    static TransportProtocol protocol(int id) throws IOException {
        for (TransportProtocol p : TransportProtocol.values()) {
            if (p.identifier() == id) {
                return p;
            }
        }
        throw new IOException("unknown protocol identifier " + id);
    }
}
