package org.lunforge.conformance;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A minimal iSCSI initiator session for streaming benchmarks (RFC 7143): one connection on a blocking socket, login
 * with AuthMethod=None, then SCSI commands kept in flight up to a queue depth, as Linux st keeps its write buffer
 * flowing. No digests, ErrorRecoveryLevel 0, one outstanding R2T; a task that ends in anything but GOOD fails the
 * session, since a benchmark has nothing to recover.
 *
 * <p>Data out goes as ImmediateData then unsolicited Data-Out up to FirstBurstLength (when InitialR2T=No), the rest
 * in answer to R2Ts, every PDU at most the target's MaxRecvDataSegmentLength (RFC 7143 13.12, 13.13, 13.14). Data in
 * lands in the task's buffer at each Data-In's buffer offset; a length beyond the buffer fails the session.
 *
 * <p>Threads: the caller issues commands; one reader thread receives every PDU and answers R2Ts and NOP-Ins; writes to
 * the socket hold {@link #out}'s lock, one PDU at a time.
 */
final class StreamingSession implements AutoCloseable {
    static final int BHS = 48;
    private static final int NO_TASK_TAG = 0xFFFFFFFF;

    /** One command in flight: its buffer (data out or in) and what completes it. */
    private static final class Task {
        final byte[] buffer;
        final int length;
        final Runnable done;
        /** Set for a command whose status the caller judges ({@link #call}); null for streaming ones. */
        final CompletableFuture<String> outcome;

        Task(byte[] buffer, int length, Runnable done, CompletableFuture<String> outcome) {
            this.buffer = buffer;
            this.length = length;
            this.done = done;
            this.outcome = outcome;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long lun;
    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private Thread reader;
    private int itt = 1;
    private volatile int cmdSn = 1;
    private volatile int expStatSn;
    private volatile int maxCmdSn = 1;
    private final Object window = new Object();
    // Negotiated (RFC 7143 13): what the target accepts per Data-Out PDU, and the data-out burst rules.
    private int targetMaxRecv = 8192;
    private int firstBurst = 65536;
    private boolean immediateData;
    private boolean initialR2t = true;

    private StreamingSession(Socket socket, long lun, int queueDepth) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 20));
        this.out = socket.getOutputStream();
        this.lun = lun;
        this.slots = new Semaphore(queueDepth);
    }

    /** Logs in to {@code target} at host:port for LUN {@code lun}, and starts receiving. */
    static StreamingSession open(String host, int port, String target, int lun, int queueDepth, int isidQualifier)
            throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setReceiveBufferSize(4 << 20);
        s.setSendBufferSize(4 << 20);
        s.connect(new InetSocketAddress(host, port), 10_000);
        StreamingSession session = new StreamingSession(s, lun, queueDepth);
        session.login(target, isidQualifier);
        session.reader = Thread.ofPlatform().daemon().name("iscsi-rx-" + port + "-" + lun).start(session::receive);
        return session;
    }

    private void login(String target, int isidQualifier) throws IOException {
        Map<String, String> security = new LinkedHashMap<>();
        security.put("InitiatorName", "iqn.2026-11.org.lunforge:tape-stream");
        security.put("TargetName", target);
        security.put("SessionType", "Normal");
        security.put("AuthMethod", "None");
        Map<String, String> operational = new LinkedHashMap<>();
        operational.put("HeaderDigest", "None");
        operational.put("DataDigest", "None");
        operational.put("ImmediateData", "Yes");
        operational.put("InitialR2T", "No");
        operational.put("MaxBurstLength", Integer.toString(16 << 20));
        operational.put("FirstBurstLength", Integer.toString(1 << 20));
        operational.put("MaxRecvDataSegmentLength", Integer.toString(1 << 20));
        operational.put("MaxOutstandingR2T", "1");
        operational.put("MaxConnections", "1");
        operational.put("ErrorRecoveryLevel", "0");
        operational.put("DataPDUInOrder", "Yes");
        operational.put("DataSequenceInOrder", "Yes");
        Map<String, String> answers = new LinkedHashMap<>();
        int stage = 0;
        Map<String, String> keys = security;
        short tsih = 0;
        for (int round = 0; round < 8; round++) {
            int next = stage == 0 ? 1 : 3;
            ByteBuffer bhs = ByteBuffer.allocate(BHS);
            bhs.put(0, (byte) 0x43);                                   // Login Request, immediate
            bhs.put(1, (byte) (0x80 | stage << 2 | next));              // T, CSG, NSG
            bhs.put(8, (byte) 0x80).put(9, (byte) 0x4C).put(10, (byte) 0x46); // ISID: type 2 (random), "LF"
            bhs.putShort(12, (short) isidQualifier).putShort(14, tsih);
            bhs.putInt(16, 0).putInt(24, cmdSn).putInt(28, expStatSn);
            byte[] data = text(keys);
            send(bhs, data, 0, data.length);
            byte[] head = in.readNBytes(BHS);
            ByteBuffer r = ByteBuffer.wrap(head);
            byte[] body = readData(r);
            if ((head[0] & 0x3F) != 0x23) {
                throw new IOException("login: opcode " + (head[0] & 0x3F) + " instead of Login Response");
            }
            if (head[36] != 0) {
                throw new IOException("login refused: status class " + head[36] + " detail " + head[37]);
            }
            answers.putAll(parse(body));
            tsih = r.getShort(14);
            expStatSn = r.getInt(24) + 1;
            maxCmdSn = r.getInt(32);
            boolean transit = (head[1] & 0x80) != 0;
            int answeredNext = head[1] & 0x03;
            keys = Map.of();
            if (transit && answeredNext == 3) {
                apply(answers);
                return;
            }
            if (transit && answeredNext == 1) {
                stage = 1;
                keys = operational;
            }
        }
        throw new IOException("login did not reach full feature phase: " + answers);
    }

    private void apply(Map<String, String> answers) {
        targetMaxRecv = Integer.parseInt(answers.getOrDefault("MaxRecvDataSegmentLength", "8192"));
        firstBurst = Integer.parseInt(answers.getOrDefault("FirstBurstLength", "65536"));
        immediateData = "Yes".equals(answers.getOrDefault("ImmediateData", "Yes"));
        initialR2t = !"No".equals(answers.getOrDefault("InitialR2T", "Yes"));
    }

    /** What the login settled, for the benchmark's log. */
    String negotiated() {
        return "MaxRecvDataSegmentLength(target)=" + targetMaxRecv + " FirstBurstLength=" + firstBurst
                + " ImmediateData=" + (immediateData ? "Yes" : "No") + " InitialR2T=" + (initialR2t ? "Yes" : "No");
    }

    private static byte[] text(Map<String, String> keys) {
        StringBuilder b = new StringBuilder();
        keys.forEach((k, v) -> b.append(k).append('=').append(v).append('\0'));
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, String> parse(byte[] body) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("\0")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return m;
    }

    private byte[] readData(ByteBuffer bhs) throws IOException {
        int ahs = (bhs.get(4) & 0xFF) * 4;
        int length = bhs.getInt(4) & 0xFFFFFF;
        in.skipNBytes(ahs);
        byte[] data = in.readNBytes(length);
        in.skipNBytes(pad(length));
        return data;
    }

    private static int pad(int length) {
        return (4 - (length & 3)) & 3;
    }

    private void send(ByteBuffer bhs, byte[] data, int offset, int length) throws IOException {
        bhs.put(5, (byte) (length >>> 16)).put(6, (byte) (length >>> 8)).put(7, (byte) length);
        synchronized (out) {
            out.write(bhs.array(), 0, BHS);
            if (length > 0) {
                out.write(data, offset, length);
                out.write(new byte[4], 0, pad(length));
            }
            out.flush();
        }
    }

    /**
     * Issues a command once a queue slot and the CmdSN window allow; {@code done} runs on the reader thread when it
     * ends in GOOD. {@code buffer} holds the data out (write) or receives the data in (read) of {@code length} bytes.
     */
    void submit(byte[] cdb, boolean write, byte[] buffer, int length, Runnable done) throws IOException {
        submit(cdb, write, buffer, length, done, null);
    }

    /**
     * Runs a command without data and waits for it: "GOOD", or its status and sense (a unit attention after login,
     * a drive becoming ready), for the caller to judge.
     */
    String call(byte[] cdb) throws IOException {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        submit(cdb, false, new byte[0], 0, () -> { }, outcome);
        try {
            return outcome.get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("no answer to opcode 0x" + Integer.toHexString(cdb[0] & 0xFF));
        }
    }

    private void submit(byte[] cdb, boolean write, byte[] buffer, int length, Runnable done,
                        CompletableFuture<String> outcome) throws IOException {
        acquire();
        int tag;
        int sn;
        synchronized (this) {
            tag = itt++;
            sn = cmdSn;
            cmdSn = sn + 1;
        }
        tasks.put(tag, new Task(buffer, length, () -> {
            slots.release();
            done.run();
        }, outcome));
        ByteBuffer bhs = ByteBuffer.allocate(BHS);
        bhs.put(0, (byte) 0x01);
        bhs.put(1, (byte) (0x80 | (write && length > 0 ? 0x20 : 0) | (!write && length > 0 ? 0x40 : 0) | 1));
        bhs.putLong(8, lun << 48);
        bhs.putInt(16, tag).putInt(20, length).putInt(24, sn).putInt(28, expStatSn);
        bhs.put(32, cdb);
        int immediate = write && immediateData ? Math.min(length, Math.min(firstBurst, targetMaxRecv)) : 0;
        int unsolicited = write && !initialR2t ? Math.min(length, firstBurst) - immediate : 0;
        if (unsolicited <= 0) {
            // No unsolicited Data-Out follows the command: the F bit of the command is its last word.
            send(bhs, buffer, 0, immediate);
            return;
        }
        bhs.put(1, (byte) (bhs.get(1) & 0x7F));                       // F=0: unsolicited Data-Out follows
        synchronized (out) {
            send(bhs, buffer, 0, immediate);
            dataOut(tag, NO_TASK_TAG, buffer, immediate, unsolicited);
        }
    }

    private void acquire() throws IOException {
        try {
            slots.acquire();
            synchronized (window) {
                while (cmdSn - maxCmdSn > 0 && failure.get() == null) {
                    window.wait(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        failed();
    }

    /** Sends {@code length} bytes from {@code offset} as one Data-Out sequence, PDUs of the target's size. */
    private void dataOut(int tag, int ttt, byte[] buffer, int offset, int length) throws IOException {
        int dataSn = 0;
        for (int sent = 0; sent < length; ) {
            int n = Math.min(targetMaxRecv, length - sent);
            ByteBuffer bhs = ByteBuffer.allocate(BHS);
            bhs.put(0, (byte) 0x05).put(1, (byte) (sent + n == length ? 0x80 : 0));
            bhs.putLong(8, lun << 48);
            bhs.putInt(16, tag).putInt(20, ttt).putInt(28, expStatSn).putInt(36, dataSn++).putInt(40, offset + sent);
            send(bhs, buffer, offset + sent, n);
            sent += n;
        }
    }

    /** Waits until every command issued has ended. */
    void drain(int queueDepth) throws IOException {
        try {
            slots.acquire(queueDepth);
            slots.release(queueDepth);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        failed();
    }

    /** Throws the reason the session failed, if it has. */
    void failed() throws IOException {
        String f = failure.get();
        if (f != null) {
            throw new IOException(f);
        }
    }

    private void fail(String why) {
        if (failure.compareAndSet(null, why)) {
            slots.release(1 << 20);                                  // wake every waiter; they see the failure
        }
    }

    private void receive() {
        try {
            byte[] head = new byte[BHS];
            ByteBuffer r = ByteBuffer.wrap(head);
            while (true) {
                in.readFully(head);
                int opcode = head[0] & 0x3F;
                int length = r.getInt(4) & 0xFFFFFF;
                in.skipNBytes((head[4] & 0xFF) * 4L);
                int tag = r.getInt(16);
                if (opcode == 0x25 || opcode == 0x21 || opcode == 0x31 || opcode == 0x20) {
                    window(r.getInt(28), r.getInt(32));
                }
                switch (opcode) {
                    case 0x25 -> {                                     // SCSI Data-In
                        Task t = tasks.get(tag);
                        int offset = r.getInt(40);
                        if (t == null || offset < 0 || offset + length > t.length) {
                            throw new IOException("Data-In beyond the task's buffer: tag " + tag);
                        }
                        in.readFully(t.buffer, offset, length);
                        in.skipNBytes(pad(length));
                        if ((head[1] & 0x01) != 0) {
                            expStatSn = r.getInt(24) + 1;
                            end(tag, head[3] & 0xFF, null);
                        }
                    }
                    case 0x21 -> {                                     // SCSI Response
                        byte[] data = readData(length);
                        expStatSn = r.getInt(24) + 1;
                        end(tag, head[2] != 0 ? -1 : head[3] & 0xFF, data);
                    }
                    case 0x31 -> {                                     // R2T
                        readData(length);
                        Task t = tasks.get(tag);
                        int offset = r.getInt(40);
                        int want = r.getInt(44);
                        if (t == null || offset < 0 || want < 0 || offset + want > t.length) {
                            throw new IOException("R2T beyond the task's buffer: tag " + tag);
                        }
                        dataOut(tag, r.getInt(20), t.buffer, offset, want);
                    }
                    case 0x20 -> {                                     // NOP-In
                        byte[] ping = readData(length);
                        if (r.getInt(20) != NO_TASK_TAG) {
                            ByteBuffer nop = ByteBuffer.allocate(BHS);
                            nop.put(0, (byte) 0x40).put(1, (byte) 0x80);
                            nop.putInt(16, NO_TASK_TAG).putInt(20, r.getInt(20)).putInt(24, cmdSn)
                                    .putInt(28, expStatSn);
                            send(nop, ping, 0, ping.length);
                        }
                    }
                    case 0x32 -> readData(length);                     // Asynchronous Message: nothing to do here
                    default -> throw new IOException("unexpected PDU, opcode 0x" + Integer.toHexString(opcode));
                }
            }
        } catch (IOException e) {
            fail(socket.isClosed() ? "session closed" : "receive: " + e.getMessage());
        }
    }

    private byte[] readData(int length) throws IOException {
        byte[] data = in.readNBytes(length);
        in.skipNBytes(pad(length));
        return data;
    }

    private void window(int expCmdSn, int max) {
        // RFC 7143 4.2.2.1: MaxCmdSN - ExpCmdSN < -1 would be an invalid window; serial arithmetic otherwise.
        if (max - expCmdSn >= -1 && max - maxCmdSn > 0) {
            synchronized (window) {
                maxCmdSn = max;
                window.notifyAll();
            }
        }
    }

    private void end(int tag, int status, byte[] data) {
        Task t = tasks.remove(tag);
        if (t == null) {
            fail("response for an unknown task " + tag);
            return;
        }
        if (t.outcome != null) {
            slots.release();
            t.outcome.complete(status == 0 ? "GOOD" : "status 0x" + Integer.toHexString(status) + sense(data));
            return;
        }
        if (status != 0) {
            fail("task " + tag + " ended with " + (status < 0 ? "a service response failure" : "status 0x"
                    + Integer.toHexString(status)) + sense(data));
            return;
        }
        t.done.run();
    }

    private static String sense(byte[] data) {
        if (data == null || data.length < 2 + 14) {
            return "";
        }
        // The data segment is a 2-byte SenseLength, then fixed-format sense (SPC-4 4.5.3).
        return String.format(" sense key %x ASC %02x ASCQ %02x", data[2 + 2] & 0x0F, data[2 + 12] & 0xFF,
                data[2 + 13] & 0xFF);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (reader != null) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
