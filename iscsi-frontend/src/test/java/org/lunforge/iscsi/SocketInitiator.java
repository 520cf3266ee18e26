package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.lunforge.scsi.Cdb;

/** A blocking initiator over a real TCP connection, for tests against a started {@link IscsiServer}. */
final class SocketInitiator implements AutoCloseable {
    final String name;
    final long isid;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder;
    int itt = 1;
    int cmdSN = 1;
    int expStatSN;
    int tsih;

    SocketInitiator(int port, String name, long isid) throws IOException {
        this.name = name;
        this.isid = isid;
        this.socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        IscsiDecoder d = new IscsiDecoder();
        d.maxDataSegmentLength(IscsiConstants.MAX_DATA_SEGMENT_LENGTH);
        this.decoder = new EmbeddedChannel(d);
    }

    void send(IscsiPdu pdu) throws IOException {
        ByteBuf wire = IscsiCodecTest.encode(false, false, pdu);
        try {
            byte[] bytes = new byte[wire.readableBytes()];
            wire.readBytes(bytes);
            out.write(bytes);
            out.flush();
        } finally {
            wire.release();
        }
    }

    /** Reads one PDU (no digests); fails on EOF. */
    IscsiPdu read() throws IOException {
        byte[] bhs = new byte[48];
        in.readFully(bhs);
        int ahs = (bhs[4] & 0xFF) * 4;
        int dsl = ((bhs[5] & 0xFF) << 16) | ((bhs[6] & 0xFF) << 8) | (bhs[7] & 0xFF);
        byte[] rest = new byte[ahs + dsl + IscsiCodecUtil.padding(dsl)];
        in.readFully(rest);
        decoder.writeInbound(Unpooled.wrappedBuffer(bhs, rest));
        IscsiPdu pdu = decoder.readInbound();
        assertNotNull(pdu);
        int statSN = switch (pdu) {
            case IscsiScsiResponse r -> r.statSN();
            case IscsiDataIn d when d.statusPresent() -> d.statSN();
            case IscsiTaskManagementResponse t -> t.statSN();
            case IscsiLogoutResponse l -> l.statSN();
            case IscsiTextResponse t -> t.statSN();
            default -> expStatSN - 1;
        };
        expStatSN = Math.max(expStatSN, statSN + 1);
        return pdu;
    }

    <T extends IscsiPdu> T read(Class<T> type) throws IOException {
        IscsiPdu pdu = read();
        if (!type.isInstance(pdu)) {
            pdu.release();
            fail("expected " + type.getSimpleName() + ", got " + pdu);
        }
        return type.cast(pdu);
    }

    /** True if the target closed the connection (reads EOF within the timeout). */
    boolean closedByTarget(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    IscsiLoginResponse login(String target) throws IOException {
        Map<String, String> keys = IscsiPeer.keys("InitiatorName", name, "SessionType", target == null
                ? "Discovery" : "Normal");
        if (target != null) {
            keys.put("TargetName", target);
        }
        keys.put("MaxRecvDataSegmentLength", "65536");
        send(new IscsiLoginRequest(true, false, 1, 3, 0, 0, isid, 0, itt++, 0, cmdSN, 0, IscsiPeer.text(keys)));
        IscsiLoginResponse r = read(IscsiLoginResponse.class);
        if (r.statusClass() == 0) {
            tsih = r.tsih();
            expStatSN = r.statSN() + 1;
        }
        return r;
    }

    void loginOk(String target) throws IOException {
        IscsiLoginResponse r = login(target);
        int status = (r.statusClass() << 8) | r.statusDetail();
        r.release();
        assertEquals(0, status, "login status");
    }

    /** Runs a command with optional immediate data; returns the reassembled Data-In and the final status. */
    record Result(int status, ByteBuf data, byte[] sense) {
    }

    /**
     * TEST UNIT READY until GOOD, as initiators do after login: a new I_T nexus first sees POWER ON, RESET, OR BUS
     * DEVICE RESET OCCURRED (and whatever else is pending for it).
     */
    void clearUnitAttentions(long lun) throws IOException {
        for (int i = 0; i < 8; i++) {
            Result r = command(lun, Cdb.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false, 0,
                    Unpooled.EMPTY_BUFFER);
            r.data().release();
            if (r.status() == 0) {
                return;
            }
        }
        throw new IOException("unit attentions on LUN " + lun + " do not clear");
    }

    Result command(long lun, Cdb cdb, boolean read, int edtl, ByteBuf immediate) throws IOException {
        int tag = itt++;
        boolean write = immediate.isReadable();
        send(new IscsiScsiCommand(false, true, read, write, 1, lun, tag, edtl, cmdSN++, expStatSN, cdb, -1,
                immediate));
        ByteBuf data = Unpooled.buffer();
        while (true) {
            IscsiPdu pdu = read();
            switch (pdu) {
                case IscsiDataIn d -> {
                    assertEquals(tag, d.initiatorTaskTag());
                    data.writeBytes(d.data());
                    d.release();
                    if (d.statusPresent()) {
                        return new Result(d.status(), data, new byte[0]);
                    }
                }
                case IscsiScsiResponse r -> {
                    assertEquals(tag, r.initiatorTaskTag());
                    byte[] sense = new byte[Math.max(0, r.data().readableBytes() - 2)];
                    if (sense.length > 0) {
                        r.data().getBytes(r.data().readerIndex() + 2, sense);
                    }
                    r.release();
                    return new Result(r.status(), data, sense);
                }
                case IscsiNopIn n -> {
                    if (n.targetTransferTag() != IscsiConstants.RESERVED_TAG) {
                        send(new IscsiNopOut(true, 0, IscsiConstants.RESERVED_TAG, n.targetTransferTag(), cmdSN,
                                expStatSN, Unpooled.EMPTY_BUFFER));
                    }
                    n.release();
                }
                default -> {
                    pdu.release();
                    fail("unexpected " + pdu);
                }
            }
        }
    }

    void logout() throws IOException {
        send(new IscsiLogoutRequest(true, IscsiConstants.LOGOUT_CLOSE_SESSION, itt++, 0, cmdSN, expStatSN));
        IscsiLogoutResponse r = read(IscsiLogoutResponse.class);
        assertEquals(IscsiConstants.LOGOUT_CLOSED, r.response());
    }

    @Override
    public void close() throws IOException {
        socket.close();
        decoder.finishAndReleaseAll();
    }
}
