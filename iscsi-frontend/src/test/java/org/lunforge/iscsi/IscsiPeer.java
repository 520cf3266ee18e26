package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.Cdb;

/**
 * An initiator talking to the target's real pipeline (decoder, encoder, login, session) over an EmbeddedChannel:
 * PDUs are encoded to bytes on the way in and the target's bytes decoded on the way out, digests included.
 */
final class IscsiPeer implements AutoCloseable {
    static final String INITIATOR = "iqn.2026-11.org.example:initiator";
    static final long ISID = 0x23_0000_0001_0001L;

    /** An EmbeddedChannel that claims to be a TCP connection to a portal (127.0.0.1:3260 unless told). */
    static final class TcpChannel extends EmbeddedChannel {
        private final InetSocketAddress local;

        TcpChannel(InetSocketAddress local) {
            super(false, false);
            this.local = local;
        }

        @Override
        protected SocketAddress localAddress0() {
            return local;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }
    }

    final IscsiServer server;
    final TcpChannel channel;
    private final IscsiDecoder responses = new IscsiDecoder();
    private final EmbeddedChannel decoding;
    private boolean headerDigest;
    private boolean dataDigest;
    int itt = 0x1000;
    int cmdSN = 100;
    int expStatSN;
    int tsih;
    long isid = ISID;

    IscsiPeer(IscsiServer server) {
        this(server, new InetSocketAddress("127.0.0.1", 3260));
    }

    /** A connection accepted at {@code local}: the portal decides the portal group. */
    IscsiPeer(IscsiServer server, InetSocketAddress local) {
        this.server = server;
        this.channel = new TcpChannel(local);
        channel.pipeline().addLast("decoder", new IscsiDecoder()).addLast("encoder", new IscsiEncoder())
                .addLast("login", new IscsiLoginHandler(server, server.options()));
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        responses.maxDataSegmentLength(IscsiConstants.MAX_DATA_SEGMENT_LENGTH);
        decoding = new EmbeddedChannel(responses);
    }

    void digests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
        responses.digests(header, data);
    }

    /** Sends one PDU to the target as bytes (ownership of its data passes on). */
    void send(IscsiPdu pdu) {
        channel.writeInbound(IscsiCodecTest.encode(headerDigest, dataDigest, pdu));
        channel.runPendingTasks();
    }

    /** Sends raw bytes (for corrupted PDUs). */
    void sendRaw(ByteBuf bytes) {
        channel.writeInbound(bytes);
        channel.runPendingTasks();
    }

    ByteBuf encode(IscsiPdu pdu) {
        return IscsiCodecTest.encode(headerDigest, dataDigest, pdu);
    }

    /** Everything the target has written so far, decoded. */
    List<IscsiPdu> received() {
        channel.runPendingTasks();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            decoding.writeInbound(b);
        }
        List<IscsiPdu> out = new ArrayList<>();
        for (Object o; (o = decoding.readInbound()) != null; ) {
            IscsiPdu pdu = (IscsiPdu) o;
            track(pdu);
            out.add(pdu);
        }
        return out;
    }

    private final java.util.ArrayDeque<IscsiPdu> pending = new java.util.ArrayDeque<>();

    /** The next PDU, from what was already received or from the channel. */
    @SuppressWarnings("unchecked")
    <T extends IscsiPdu> T next(Class<T> type) {
        if (pending.isEmpty()) {
            pending.addAll(received());
        }
        assertFalse(pending.isEmpty(), "expected a " + type.getSimpleName() + ", the target sent nothing");
        IscsiPdu pdu = pending.removeFirst();
        assertInstanceOf(type, pdu, "got " + pdu);
        return (T) pdu;
    }

    /** Asserts the target has nothing more to say, releasing anything pending. */
    void assertSilent() {
        pending.addAll(received());
        List<IscsiPdu> extra = new ArrayList<>(pending);
        pending.clear();
        extra.forEach(IscsiPdu::release);
        assertTrue(extra.isEmpty(), "unexpected PDUs: " + extra);
    }

    void drain() {
        pending.addAll(received());
        pending.forEach(IscsiPdu::release);
        pending.clear();
    }

    private void track(IscsiPdu pdu) {
        int statSN = switch (pdu) {
            case IscsiScsiResponse r -> r.statSN();
            case IscsiDataIn d -> d.statusPresent() ? d.statSN() : expStatSN - 1;
            case IscsiTaskManagementResponse t -> t.statSN();
            case IscsiTextResponse t -> t.statSN();
            case IscsiLogoutResponse l -> l.statSN();
            case IscsiLoginResponse l -> l.statusClass() == 0 ? l.statSN() : expStatSN - 1;
            case IscsiNopIn n -> n.initiatorTaskTag() == IscsiConstants.RESERVED_TAG ? expStatSN - 1 : n.statSN();
            default -> expStatSN - 1;
        };
        if (IscsiSerial.greaterThan(statSN + 1, expStatSN) || expStatSN == 0) {
            expStatSN = statSN + 1;
        }
    }

    // ---- login helpers

    static ByteBuf text(Map<String, String> keys) {
        return Unpooled.wrappedBuffer(IscsiText.encode(keys));
    }

    static Map<String, String> keys(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, String> parse(ByteBuf text) {
        byte[] b = new byte[text.readableBytes()];
        text.getBytes(text.readerIndex(), b);
        try {
            return IscsiText.parse(b);
        } catch (IscsiText.MalformedTextException e) {
            throw new AssertionError(e);
        }
    }

    IscsiLoginResponse login(int csg, int nsg, boolean transit, Map<String, String> keys) {
        send(new IscsiLoginRequest(transit, false, csg, nsg, 0, 0, isid, tsih, itt, 0, cmdSN, expStatSN, text(keys)));
        return next(IscsiLoginResponse.class);
    }

    /** Logs straight into the operational stage and on to full feature phase with these extra keys. */
    Map<String, String> loginNormal(String target, String... extra) {
        Map<String, String> keys = keys("InitiatorName", INITIATOR, "TargetName", target, "SessionType", "Normal");
        keys.putAll(keys(extra));
        IscsiLoginResponse r = login(1, 3, true, keys);
        assertEquals(0, r.statusClass(), () -> "login refused: %02x%02x".formatted(r.statusClass(),
                r.statusDetail()));
        assertTrue(r.transit());
        assertEquals(3, r.nextStage());
        tsih = r.tsih();
        Map<String, String> answers = parse(r.data());
        r.release();
        expStatSN = r.statSN() + 1;
        return answers;
    }

    // ---- full feature helpers

    IscsiScsiCommand command(Cdb cdb, boolean read, boolean write, int edtl, ByteBuf immediate, boolean finalPdu) {
        return new IscsiScsiCommand(false, finalPdu, read, write, 1, 0, ++itt, edtl, cmdSN++, expStatSN, cdb, -1,
                immediate);
    }

    static Cdb cdb10(int opcode, long lba, int blocks) {
        return Cdb.of(opcode, 0, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba, 0,
                blocks >>> 8, blocks, 0, 0, 0, 0, 0, 0, 0);
    }

    static ByteBuf pattern(int length, int seed) {
        ByteBuf b = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
            b.writeByte(seed * 31 + i);
        }
        return b;
    }

    static String ascii(ByteBuf b) {
        return b.toString(StandardCharsets.US_ASCII);
    }

    void advanceTime(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
    }

    @Override
    public void close() {
        drain();
        channel.close();
        channel.runPendingTasks();
        drain();
        channel.finishAndReleaseAll();
        decoding.finishAndReleaseAll();
    }
}
