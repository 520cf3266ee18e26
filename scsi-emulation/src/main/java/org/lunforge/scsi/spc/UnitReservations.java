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
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TargetPort;

/**
 * Both kinds of reservation of a logical unit at one moment: the persistent reservation state and the I_T nexus
 * holding an SPC-2 reservation (null if none). Several nodes serving one logical unit share this as one value (see
 * {@link org.lunforge.scsi.SharedState}); the nexus of another node never equals one of this node's, since relative
 * target port identifiers are unique across the nodes, so its reservation conflicts here as it should.
 */
record UnitReservations(ReservationState persistent, Nexus spc2Holder) {
    static final UnitReservations NONE = new UnitReservations(ReservationState.EMPTY, null);
    private static final int FORMAT = 1;

    UnitReservations {
        Objects.requireNonNull(persistent, "persistent");
    }

    /**
     * A unit attention for every I_T nexus a registrant covers, except the one that caused it (SPC-4 5.13: PREEMPT,
     * CLEAR, RELEASE of a registrants-only or all-registrants reservation); a null registrant means every I_T nexus
     * (a logical unit reset, SAM-5 6.3.3).
     */
    record Attention(Registrant registrant, SenseCode code) {
        Attention {
            Objects.requireNonNull(code, "code");
        }
    }

    /** The shared form: a format number, the persistent state's own stored form, then the SPC-2 holder. */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            byte[] pr = persistent.encode();
            out.writeInt(pr.length);
            out.write(pr);
            out.writeBoolean(spc2Holder != null);
            if (spc2Holder != null) {
                InitiatorPort i = spc2Holder.initiator();
                TargetPort t = spc2Holder.target();
                out.writeByte(i.protocol().identifier());
                out.writeUTF(i.name());
                out.writeUTF(i.portIdentifier());
                out.writeByte(t.protocol().identifier());
                out.writeShort(t.relativeId());
                out.writeUTF(t.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The shared value; null (nothing stored yet) and an empty value are no reservations at all. */
    static UnitReservations decode(byte[] stored) throws IOException {
        if (stored == null || stored.length == 0) {
            return NONE;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            if (in.readInt() != FORMAT) {
                throw new IOException("unknown shared reservation format");
            }
            int length = in.readInt();
            if (length < 0 || length > stored.length) {
                throw new IOException("corrupt shared reservation state");
            }
            ReservationState pr = ReservationState.decode(in.readNBytes(length));
            Nexus holder = null;
            if (in.readBoolean()) {
                InitiatorPort i = new InitiatorPort(ReservationState.protocol(in.readUnsignedByte()), in.readUTF(),
                        in.readUTF());
                var protocol = ReservationState.protocol(in.readUnsignedByte());
                int relativeId = in.readUnsignedShort();
                holder = new Nexus(i, new TargetPort(relativeId, in.readUTF(), protocol));
            }
            return new UnitReservations(pr, holder);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt shared reservation state", e);
        }
    }

    /** The unit attentions in the form another node establishes them from. */
    static byte[] encode(List<Attention> attentions) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(attentions.size());
            for (Attention a : attentions) {
                Registrant r = a.registrant();
                out.writeBoolean(r != null);
                out.writeUTF(a.code().name());
                if (r == null) {
                    continue;
                }
                out.writeByte(r.protocol().identifier());
                out.writeUTF(r.name());
                out.writeBoolean(r.portIdentifier() != null);
                out.writeUTF(r.portIdentifier() == null ? "" : r.portIdentifier());
                out.writeShort(r.relativeTargetPortId());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<Attention> decodeAttentions(byte[] notice) throws IOException {
        if (notice.length == 0) {
            return List.of();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(notice))) {
            int count = in.readInt();
            if (count < 0 || count > notice.length) {
                throw new IOException("corrupt reservation notice");
            }
            List<Attention> list = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                boolean scoped = in.readBoolean();
                SenseCode code = SenseCode.valueOf(in.readUTF());
                if (!scoped) {
                    list.add(new Attention(null, code));
                    continue;
                }
                var protocol = ReservationState.protocol(in.readUnsignedByte());
                String name = in.readUTF();
                boolean hasPort = in.readBoolean();
                String port = in.readUTF();
                int relativeId = in.readUnsignedShort();
                list.add(new Attention(new Registrant(protocol, name, hasPort ? port : null, relativeId), code));
            }
            return list;
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt reservation notice", e);
        }
    }
}
