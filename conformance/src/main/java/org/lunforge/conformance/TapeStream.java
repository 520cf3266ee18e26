package org.lunforge.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The streaming initiator of {@code conformance/bench/tape-stream-vs-tgt}: writes or reads variable-length blocks
 * (SSC-4 WRITE(6)/READ(6), FIXED=0) on one or more tape drives at once over iSCSI, a few commands in flight per
 * drive as st with its write buffer keeps them, each drive on its own session and thread.
 * <pre>
 *   TapeStream load  HOST:PORT IQN CHANGER_LUN SOURCE DESTINATION   MOVE MEDIUM (SMC-3) by element address
 *   TapeStream write HOST:PORT IQN LUN[,LUN..] BLOCK SECONDS [BLOCKS] from BOT for SECONDS (and at most BLOCKS
 *                                                                 each), then one filemark
 *   TapeStream read  HOST:PORT IQN LUN[,LUN..] BLOCK SECONDS BLOCKS[,BLOCKS..]   from BOT, at most BLOCKS each
 * </pre>
 * System properties: {@code queue} (commands in flight per drive, default 4), {@code data} ({@code random}, the
 * default: incompressible; {@code text}: compresses about 3:1 with LZ4).
 *
 * <p>Prints {@code mbps=TOTAL per_drive=A,B blocks=N,M}, MB being 10^6 bytes as tape drives are rated. The time
 * runs from the first command to the last one's status, the closing WRITE FILEMARKS included for a write (it is
 * where a drive commits its buffer). A read checks the block number stamped in each block's first 8 bytes.
 */
public final class TapeStream {
    private static final int QUEUE = Integer.getInteger("queue", 4);
    private static final String DATA = System.getProperty("data", "random");

    private TapeStream() {
    }

    /** What one drive moved, and in how long. */
    record DriveResult(long blocks, long bytes, long nanos) {
        double megabytesPerSecond() {
            return nanos == 0 ? 0 : bytes / 1e6 / (nanos / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: TapeStream load|write|read HOST:PORT IQN LUN[,LUN..] ... (see the javadoc)");
            System.exit(2);
        }
        String mode = args[0];
        String host = args[1].substring(0, args[1].lastIndexOf(':'));
        int port = Integer.parseInt(args[1].substring(args[1].lastIndexOf(':') + 1));
        String iqn = args[2];
        if (mode.equals("load")) {
            load(host, port, iqn, Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            return;
        }
        String[] luns = args[3].split(",");
        int block = Integer.parseInt(args[4]);
        double seconds = Double.parseDouble(args[5]);
        String[] limits = args.length > 6 ? args[6].split(",") : null;
        List<StreamingSession> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < luns.length; i++) {
                StreamingSession s = StreamingSession.open(host, port, iqn, Integer.parseInt(luns[i]), QUEUE, i + 1);
                sessions.add(s);
                ready(s);
                expectGood(s, "REWIND", s.call(new byte[] {0x01, 0, 0, 0, 0, 0}));
            }
            System.err.println(sessions.getFirst().negotiated());
            CyclicBarrier start = new CyclicBarrier(luns.length);
            DriveResult[] results = new DriveResult[luns.length];
            List<Thread> threads = new ArrayList<>();
            IOException[] errors = new IOException[luns.length];
            for (int i = 0; i < luns.length; i++) {
                int d = i;
                long limit = limits == null ? Long.MAX_VALUE : Long.parseLong(limits[Math.min(i, limits.length - 1)]);
                threads.add(Thread.ofPlatform().name("drive-" + luns[i]).start(() -> {
                    try {
                        start.await();
                        results[d] = stream(sessions.get(d), mode.equals("write"), block, seconds, limit);
                    } catch (Exception e) {
                        errors[d] = e instanceof IOException io ? io : new IOException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            for (IOException e : errors) {
                if (e != null) {
                    throw e;
                }
            }
            double total = 0;
            StringBuilder perDrive = new StringBuilder();
            StringBuilder blocks = new StringBuilder();
            for (DriveResult r : results) {
                total += r.megabytesPerSecond();
                perDrive.append(perDrive.isEmpty() ? "" : ",").append(Math.round(r.megabytesPerSecond()));
                blocks.append(blocks.isEmpty() ? "" : ",").append(r.blocks());
            }
            System.out.printf("mbps=%d per_drive=%s blocks=%s%n", Math.round(total), perDrive, blocks);
        } finally {
            for (StreamingSession s : sessions) {
                s.close();
            }
        }
    }

    /** Moves a cartridge with MOVE MEDIUM (SMC-3 6.9) through the medium transport element at address 0. */
    private static void load(String host, int port, String iqn, int lun, int source, int destination)
            throws IOException {
        try (StreamingSession s = StreamingSession.open(host, port, iqn, lun, 1, 0x100)) {
            ready(s);
            byte[] cdb = new byte[12];
            cdb[0] = (byte) 0xA5;
            cdb[4] = (byte) (source >>> 8);
            cdb[5] = (byte) source;
            cdb[6] = (byte) (destination >>> 8);
            cdb[7] = (byte) destination;
            expectGood(s, "MOVE MEDIUM", s.call(cdb));
        }
    }

    /** TEST UNIT READY until GOOD: the unit attention of a new nexus, and a drive becoming ready, pass. */
    private static void ready(StreamingSession s) throws IOException {
        String last = "";
        for (int i = 0; i < 120; i++) {
            last = s.call(new byte[6]);
            if (last.equals("GOOD")) {
                return;
            }
            try {
                Thread.sleep(i < 3 ? 0 : 250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("the unit does not become ready: " + last);
    }

    private static void expectGood(StreamingSession s, String what, String outcome) throws IOException {
        if (!outcome.equals("GOOD")) {
            throw new IOException(what + ": " + outcome);
        }
    }

    /** One drive's stream: blocks for {@code seconds} (and at most {@code limit}), then drained. */
    static DriveResult stream(StreamingSession s, boolean write, int block, double seconds, long limit)
            throws IOException, InterruptedException {
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUE);
        for (int i = 0; i < QUEUE; i++) {
            free.add(fill(new byte[block], i));
        }
        AtomicLong misplaced = new AtomicLong(-1);
        long begin = System.nanoTime();
        long end = begin + (long) (seconds * 1e9);
        byte[] cdb = {(byte) (write ? 0x0A : 0x08), 0, (byte) (block >>> 16), (byte) (block >>> 8), (byte) block, 0};
        long n = 0;
        while (n < limit && System.nanoTime() < end) {
            byte[] buffer;
            while ((buffer = free.poll(100, TimeUnit.MILLISECONDS)) == null) {
                s.failed();                                            // a failed task never gives its buffer back
            }
            long number = n++;
            if (write) {
                byte[] b = buffer;
                ByteBuffer.wrap(b).putLong(0, number);
                s.submit(cdb, true, b, block, () -> free.add(b));
            } else {
                byte[] b = buffer;
                s.submit(cdb, false, b, block, () -> {
                    if (ByteBuffer.wrap(b).getLong(0) != number) {
                        misplaced.compareAndSet(-1, number);
                    }
                    free.add(b);
                });
            }
        }
        s.drain(QUEUE);
        if (write) {
            expectGood(s, "WRITE FILEMARKS", s.call(new byte[] {0x10, 0, 0, 0, 1, 0}));
        }
        long nanos = System.nanoTime() - begin;
        if (misplaced.get() >= 0) {
            throw new IOException("block " + misplaced.get() + " read back is not the block written there");
        }
        return new DriveResult(n, n * block, nanos);
    }

    /** A block's content: random bytes (incompressible), or text that LZ4 compresses about 3:1. */
    static byte[] fill(byte[] b, int seed) {
        SplittableRandom random = new SplittableRandom(0x7A9E5EEDL + seed);
        if (DATA.equals("random")) {
            random.nextBytes(b);
            return b;
        }
        String[] words = {"backup ", "catalog ", "volume ", "lunforge ", "tape ", "record ", "file ", "block "};
        int at = 0;
        while (at < b.length) {
            byte[] w = (random.nextInt(4) == 0 ? Integer.toString(random.nextInt(100_000)) + " "
                    : words[random.nextInt(words.length)]).getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(w.length, b.length - at);
            System.arraycopy(w, 0, b, at, n);
            at += n;
        }
        return b;
    }
}
