package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiConstants.RESERVED_TAG;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text Request/Response exchanges in full feature phase (RFC 7143 11.10, 11.11): SendTargets (12.3, appendix C)
 * and the few keys that may change after login (MaxRecvDataSegmentLength, the aliases). Long texts travel in
 * pieces both ways: the initiator's with the C bit (answered by empty responses carrying a TTT), ours cut at the
 * initiator's MaxRecvDataSegmentLength (fetched by empty requests carrying our TTT).
 */
final class IscsiTextExchange {
    /** More than any sane discovery reply; a longer request is refused. */
    private static final int MAX_TEXT = 64 * 1024;

    private final IscsiSessionHandler h;
    private ByteArrayOutputStream incoming;
    private int exchangeItt = RESERVED_TAG;
    private int exchangeTtt = RESERVED_TAG;
    private byte[] outgoing;
    private int outgoingOffset;

    IscsiTextExchange(IscsiSessionHandler handler) {
        this.h = handler;
    }

    void request(IscsiTextRequest r) {
        ByteBuf data = r.data();
        try {
            if (r.targetTransferTag() != RESERVED_TAG) {
                if (r.targetTransferTag() != exchangeTtt || r.initiatorTaskTag() != exchangeItt) {
                    reset();
                    respond(r, new byte[0], 0, 0, true); // an exchange we do not know: end it (11.10.4)
                    return;
                }
                if (outgoing != null && data.readableBytes() == 0) {
                    sendNext(r);
                    return;
                }
            } else if (r.initiatorTaskTag() != exchangeItt) {
                reset(); // a new exchange supersedes an unfinished one
            }
            if (incoming == null) {
                incoming = new ByteArrayOutputStream();
            }
            if (incoming.size() + data.readableBytes() > MAX_TEXT) {
                reset();
                respond(r, "X-lunforge-Error=TextTooLong\0".getBytes(StandardCharsets.US_ASCII), 0, 0, true);
                return;
            }
            byte[] bytes = new byte[data.readableBytes()];
            data.readBytes(bytes);
            incoming.writeBytes(bytes);
            exchangeItt = r.initiatorTaskTag();
            if (r.continueFlag()) {
                exchangeTtt = h.newTag();
                h.write(new IscsiTextResponse(false, false, r.lun(), r.initiatorTaskTag(), exchangeTtt,
                        h.advanceStatSN(), h.expCmdSN(), h.maxCmdSN(), Unpooled.EMPTY_BUFFER));
                return;
            }
            byte[] text = incoming.toByteArray();
            incoming = null;
            Map<String, String> answers = new LinkedHashMap<>();
            StringBuilder targets = new StringBuilder();
            try {
                Map<String, String> keys = IscsiText.parse(text);
                for (Map.Entry<String, String> e : keys.entrySet()) {
                    answer(e.getKey(), e.getValue(), answers, targets);
                }
            } catch (IscsiText.MalformedTextException e) {
                reset();
                respond(r, "X-lunforge-Error=MalformedText\0".getBytes(StandardCharsets.US_ASCII), 0, 0, true);
                return;
            }
            byte[] negotiated = IscsiText.encode(answers);
            byte[] listed = targets.toString().getBytes(StandardCharsets.UTF_8);
            outgoing = java.util.Arrays.copyOf(negotiated, negotiated.length + listed.length);
            System.arraycopy(listed, 0, outgoing, negotiated.length, listed.length);
            outgoingOffset = 0;
            sendNext(r);
        } finally {
            data.release();
        }
    }

    private void answer(String key, String value, Map<String, String> answers, StringBuilder targets) {
        if (key.equals(IscsiKey.SEND_TARGETS.wireName())) {
            sendTargets(value, targets);
            return;
        }
        int length = IscsiNegotiation.fullFeature(key, value, answers);
        if (length > 0) {
            h.params(h.params().withInitiatorMaxRecvDataSegmentLength(length));
        } else if (key.equals(IscsiKey.INITIATOR_ALIAS.wireName())) {
            h.params(h.params().withInitiatorAlias(value));
        }
    }

    /**
     * 12.3: All (discovery sessions) lists every target the initiator may log in to; a name lists that target;
     * an empty value lists the session's own target. Each target comes with a TargetAddress per portal of the
     * portal groups that would let the initiator in: a group whose ACLs do not name it stays out of its view.
     */
    private void sendTargets(String value, StringBuilder sb) {
        IscsiSession s = h.session();
        InetSocketAddress local = (InetSocketAddress) s.channel.localAddress();
        for (IscsiTarget t : s.server.targets()) {
            boolean wanted = value.equals("All") ? s.discovery() || t == s.target
                    : value.isEmpty() ? t == s.target : IscsiTarget.normalize(value).equals(t.name());
            if (!wanted || !t.visibleTo(s.initiatorName) || !s.discovery() && t != s.target) {
                continue;
            }
            sb.append("TargetName=").append(t.name()).append('\0');
            for (String address : t.targetAddresses(local, s.initiatorName)) {
                sb.append("TargetAddress=").append(address).append('\0');
            }
        }
    }

    private void sendNext(IscsiTextRequest r) {
        byte[] text = outgoing;
        int limit = h.params().initiatorMaxRecvDataSegmentLength();
        int length = Math.min(limit, text.length - outgoingOffset);
        boolean last = outgoingOffset + length == text.length;
        int offset = outgoingOffset;
        outgoingOffset += length;
        if (last) {
            reset();
        } else {
            exchangeItt = r.initiatorTaskTag();
            exchangeTtt = h.newTag();
        }
        respond(r, text, offset, length, last);
    }

    private void respond(IscsiTextRequest r, byte[] text, int offset, int length, boolean last) {
        ByteBuf data = length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(text, offset, length);
        h.write(new IscsiTextResponse(last, !last, r.lun(), r.initiatorTaskTag(), last ? RESERVED_TAG : exchangeTtt,
                h.advanceStatSN(), h.expCmdSN(), h.maxCmdSN(), data));
    }

    private void reset() {
        incoming = null;
        outgoing = null;
        outgoingOffset = 0;
        exchangeItt = RESERVED_TAG;
        exchangeTtt = RESERVED_TAG;
    }

    void release() {
        reset();
    }
}
