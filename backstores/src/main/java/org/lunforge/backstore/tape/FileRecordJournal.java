package org.lunforge.backstore.tape;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;
import org.lunforge.backstore.AtomicFileReplacement;
import org.lunforge.backstore.StoreLoan;

/**
 * The journal of a cartridge in the {@code file} store: {@code <barcode>.tape} (the header, then the records) and the
 * checkpoint of its index, {@code <barcode>.idx}. Loading reads the checkpoint and verifies (full CRC) only the records
 * after it, then truncates the file to the last whole record; a checkpoint always describes a synced prefix of the
 * journal, so it is deleted (durably) before the file is ever truncated below its end, and rewritten only at a
 * {@link #force} once at least the checkpoint interval was appended since the last one, and at close.
 *
 * <h2>Flush-behind</h2>
 * Like a drive that writes its buffer to tape while the host keeps sending, the journal starts an fdatasync on a
 * background thread whenever {@code flushBehind} bytes were appended beyond what is durable or being made so: a
 * {@link #force} then has only the last few of them left to wait for, instead of everything since the last one.
 * What is durable is still exactly what a force, or a background fdatasync that completed, covered. The bookkeeping
 * of {@link #durableEnd} is guarded by {@link #durability}: a background fdatasync begun before a {@link #truncate}
 * proves nothing about the bytes appended after it (the truncation's generation tells), and {@link #close} waits for
 * the one in flight. An fdatasync that fails in the background is the journal's deferred error: every later
 * {@link #force} throws it (Linux reports a writeback error to one fdatasync only, so it is not retried into a
 * success), and the drive reports it on the command that asked for durability.
 *
 * <h2>Loans</h2>
 * {@link #lend} maps the file's pages ({@link LentPages}) so that a stream's blocks go to the network without being
 * copied into the process. Every cut of the file (a {@link #truncate}, the dropped tail at loading) first waits for the
 * loans of the file to come back, at most {@link #LOAN_PATIENCE}, and fails rather than cut under one.
 */
final class FileRecordJournal implements RecordJournal {
    private static final System.Logger LOG = System.getLogger(FileRecordJournal.class.getName());
    /**
     * The default flush-behind distance: small against the 1 GiB a sync interval lets pile up, so a synchronous
     * filemark waits for tens of milliseconds of disk writes, not a second; large enough that the fdatasyncs (each an
     * ext4 journal commit) stay a few per second at a drive's streaming rate.
     */
    static final long FLUSH_BEHIND = 64L << 20;
    /** Runs the background fdatasyncs of every journal: idle threads end after a minute. */
    private static final ExecutorService FLUSHER = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("tape-flush-", 0).factory());

    private final Cartridge cartridge;
    private final Path journalPath;
    private final Path checkpointPath;
    private final FileChannel channel;
    private final Runnable release;
    private final long checkpointInterval;
    /** Appended bytes beyond what is durable or being made so that start a background fdatasync. */
    private final long flushBehind;
    private final Executor flusher;

    private TapeIndex index;
    /** End of the journal: what was appended, durable or not. Written by the drive's thread only. */
    private long end;
    /** Guards {@link #durableEnd}'s updates, {@link #generation}, {@link #flushing} and {@link #deferredError}. */
    private final Object durability = new Object();
    /** The journal is durable up to here; read by the drive's thread without the lock. */
    private volatile long durableEnd;
    /** Counts truncations: a background fdatasync of an earlier generation does not advance {@link #durableEnd}. */
    private long generation;
    /** The end a background fdatasync in flight covers, or -1 if none is. */
    private long flushing = -1;
    /** A background fdatasync failed: the data it covered may never reach the disk. */
    private IOException deferredError;
    /** The checkpoint file covers the journal up to here (CartridgeHeader.LENGTH: there is none). */
    private long checkpointEnd;
    /** The channel's own position, where the scattering reads and gathering writes move it; -1 if not known. */
    private long channelPosition = -1;
    /** The file's pages lent to hosts. */
    private final LentPages lent;
    /** How long a cut waits for the file's loans to come back before it fails. */
    private static final Duration LOAN_PATIENCE = Duration.ofSeconds(30);

    /** Opens the locked journal of {@code cartridge} and recovers it; {@code release} gives the lock back on close. */
    FileRecordJournal(Cartridge cartridge, FileChannel channel, Runnable release, long checkpointInterval)
            throws IOException {
        this(cartridge, channel, release, checkpointInterval, FLUSH_BEHIND, FLUSHER);
    }

    /** With another flush-behind distance and the executor that runs its fdatasyncs (tests control both). */
    FileRecordJournal(Cartridge cartridge, FileChannel channel, Runnable release, long checkpointInterval,
                      long flushBehind, Executor flusher) throws IOException {
        if (flushBehind <= 0) {
            throw new IllegalArgumentException("flush-behind distance " + flushBehind);
        }
        this.cartridge = cartridge;
        this.journalPath = cartridge.journalPath();
        this.checkpointPath = cartridge.checkpointPath();
        this.channel = channel;
        this.release = release;
        this.checkpointInterval = checkpointInterval;
        this.flushBehind = flushBehind;
        this.flusher = flusher;
        this.lent = new LentPages(journalPath, channel);
        recover();
    }

    /** Loads the checkpoint, verifies every record after it (full CRC) and drops a torn tail. */
    private void recover() throws IOException {
        long size = channel.size();
        long start = CartridgeHeader.LENGTH;
        TapeIndex idx = null;
        TapeIndex.Checkpoint cp = readCheckpoint(size);
        if (cp != null) {
            idx = cp.index();
            start = cp.journalEnd();
        }
        if (idx == null) {
            idx = new TapeIndex();
        }
        long end = start;
        ByteBuffer head = ByteBuffer.allocate(TapeMedium.HEADER);
        ByteBuffer scratch = ByteBuffer.allocateDirect(1 << 20);
        CRC32C check = new CRC32C();
        while (size - end >= TapeMedium.OVERHEAD) {
            head.clear();
            readFully(head, end);
            long id = idx.objectCount();
            if (!TapeMedium.validHeader(head, id, size - end)) {
                break;
            }
            int stored = head.getInt(8);
            check.reset();
            check.update(head.array(), 0, TapeMedium.HEADER);
            long at = end + TapeMedium.HEADER;
            long left = stored;
            while (left > 0) {
                scratch.clear().limit((int) Math.min(scratch.capacity(), left));
                readFully(scratch, at);
                check.update(scratch);
                at += scratch.limit();
                left -= scratch.limit();
            }
            ByteBuffer tail = ByteBuffer.allocate(TapeMedium.TRAILER);
            readFully(tail, at);
            if (tail.getInt(0) != (int) check.getValue() || tail.getInt(4) != TapeMedium.OVERHEAD + stored) {
                break;
            }
            idx.add(id, end, head.get(4) == TapeMedium.TYPE_FILEMARK);
            end += TapeMedium.OVERHEAD + stored;
        }
        if (end < size) {
            String message = ("%s: dropped %d bytes after the last whole record at %d (an unsynced tail, or a damaged"
                    + " record)").formatted(cartridge.barcode(), size - end, end);
            LOG.log(WARNING, message);
            LentPages.awaitNone(journalPath, LOAN_PATIENCE);
            channel.truncate(end);
        }
        channel.force(false);
        this.index = idx;
        this.end = end;
        this.durableEnd = end;
        this.checkpointEnd = cp == null ? CartridgeHeader.LENGTH : cp.journalEnd();
        if (end != checkpointEnd) {
            writeCheckpoint();
        }
    }

    /** The checkpoint if it is intact and agrees with the journal it claims to describe, else null. */
    private TapeIndex.Checkpoint readCheckpoint(long size) {
        ByteBuffer b;
        try {
            b = AtomicFileReplacement.read(checkpointPath, TapeIndex.maxEncodedLength(size));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(WARNING, () -> cartridge.barcode() + ": checkpoint unreadable; scanning the journal", e);
            return null;
        }
        try {
            TapeIndex.Checkpoint cp = TapeIndex.decode(b);
            long end = cp.journalEnd();
            long count = cp.index().objectCount();
            if (end < CartridgeHeader.LENGTH || end > size || (count == 0) != (end == CartridgeHeader.LENGTH)) {
                throw new IOException("checkpoint beyond the journal");
            }
            if (count > 0) {
                // The last record it covers must end exactly at its journal end and carry the last identifier.
                ByteBuffer tail = ByteBuffer.allocate(TapeMedium.TRAILER);
                readFully(tail, end - TapeMedium.TRAILER);
                long start = end - tail.getInt(4);
                if (!TapeMedium.validTrailerLength(tail.getInt(4), end)) {
                    throw new IOException("checkpoint does not match the journal");
                }
                ByteBuffer head = ByteBuffer.allocate(TapeMedium.HEADER);
                readFully(head, start);
                if (!TapeMedium.validHeader(head, count - 1, end - start)
                        || TapeMedium.OVERHEAD + head.getInt(8) != end - start) {
                    throw new IOException("checkpoint does not match the journal");
                }
            }
            return cp;
        } catch (IOException e) {
            LOG.log(WARNING, () -> cartridge.barcode() + ": " + e.getMessage() + "; scanning the journal");
            return null;
        }
    }

    @Override
    public TapeIndex index() {
        return index;
    }

    @Override
    public long end() {
        return end;
    }

    @Override
    public long durableEnd() {
        return durableEnd;
    }

    @Override
    public void read(ByteBuffer dst, long at) throws IOException {
        long off = at;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, off);
            if (n < 0) {
                throw new MediumException(journalPath.getFileName() + ": unexpected end of file at " + off);
            }
            off += n;
        }
        dst.flip();
    }

    /** Sequential reads of a stream find the channel where the last one left it: no seek between them. */
    @Override
    public void read(ByteBuffer[] dst, long at) throws IOException {
        long want = 0;
        for (ByteBuffer b : dst) {
            want += b.remaining();
        }
        if (channelPosition != at) {
            channelPosition = -1;
            channel.position(at);
        }
        long done = 0;
        try {
            while (done < want) {
                long n = channel.read(dst);
                if (n < 0) {
                    throw new MediumException(journalPath.getFileName() + ": unexpected end of file at " + (at + done));
                }
                done += n;
            }
        } finally {
            channelPosition = at + done;
        }
    }

    @Override
    public StoreLoan lend(long at, long length) throws IOException {
        return lent.lend(at, length, end);
    }

    @Override
    public void append(ByteBuffer... src) throws IOException {
        long length = 0;
        for (ByteBuffer b : src) {
            length += b.remaining();
        }
        if (src.length == 1) {
            long at = end;
            while (src[0].hasRemaining()) {
                at += channel.write(src[0], at);
            }
        } else {
            channelPosition = -1;
            channel.position(end);
            long left = length;
            while (left > 0) {
                left -= channel.write(src);
            }
            channelPosition = end + length;
        }
        end += length;
        flushBehind();
    }

    /** Starts a background fdatasync once {@link #flushBehind} bytes lie beyond what is durable or being made so. */
    private void flushBehind() {
        long target = end;
        if (target - durableEnd < flushBehind) {
            return; // the common case, per appended block: no lock (durableEnd is volatile; checked again below)
        }
        long gen;
        synchronized (durability) {
            if (flushing >= 0 || deferredError != null || target - durableEnd < flushBehind) {
                return;
            }
            flushing = target;
            gen = generation;
        }
        try {
            flusher.execute(() -> flushInBackground(target, gen));
        } catch (RuntimeException e) {
            // No thread to run it (the process is stopping): the next force covers these bytes as it always did.
            synchronized (durability) {
                flushing = -1;
                durability.notifyAll();
            }
        }
    }

    private void flushInBackground(long target, long gen) {
        IOException failure = null;
        try {
            channel.force(false);
        } catch (IOException e) {
            failure = e;
        }
        synchronized (durability) {
            if (failure != null) {
                // A closed channel is a journal unloaded meanwhile: its close forced and reported for itself.
                if (channel.isOpen() && deferredError == null) {
                    deferredError = failure;
                }
            } else if (gen == generation && target > durableEnd) {
                durableEnd = target;
            }
            flushing = -1;
            durability.notifyAll();
        }
        if (failure != null) {
            IOException f = failure;
            LOG.log(WARNING, () -> cartridge.barcode() + ": background fdatasync failed", f);
        }
    }

    /** Waits until no background fdatasync is in flight. */
    private void awaitFlush() throws IOException {
        synchronized (durability) {
            boolean interrupted = false;
            while (flushing >= 0) {
                try {
                    durability.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void throwDeferredError() throws IOException {
        IOException e;
        synchronized (durability) {
            e = deferredError;
        }
        if (e != null) {
            throw new IOException(cartridge.barcode() + ": an earlier background fdatasync failed", e);
        }
    }

    @Override
    public void truncate(long at, long objectCount) throws IOException {
        LentPages.awaitNone(journalPath, LOAN_PATIENCE); // before anything changes: a failed wait leaves all as it was
        lent.retire();
        if (checkpointEnd > at) {
            AtomicFileReplacement.delete(checkpointPath);
            checkpointEnd = CartridgeHeader.LENGTH;
        }
        synchronized (durability) {
            generation++;
        }
        channelPosition = -1; // a truncation below the channel's position moves it
        channel.truncate(at);
        channel.force(false);
        index.truncate(objectCount);
        end = at;
        synchronized (durability) {
            durableEnd = at;
        }
    }

    /**
     * Also writes a checkpoint of the index once enough was appended since the last one; throws the journal's
     * deferred error, if a background fdatasync failed.
     */
    @Override
    public void force() throws IOException {
        throwDeferredError();
        if (durableEnd != end) {
            channel.force(false);
            throwDeferredError();
            synchronized (durability) {
                durableEnd = end;
            }
        }
        if (durableEnd - checkpointEnd >= checkpointInterval) {
            writeCheckpoint();
        }
    }

    private void writeCheckpoint() throws IOException {
        AtomicFileReplacement.replace(checkpointPath, index.encode(durableEnd));
        checkpointEnd = durableEnd;
    }

    @Override
    public void close() throws IOException {
        try {
            awaitFlush();
            force();
            if (checkpointEnd != durableEnd) {
                writeCheckpoint();
            }
        } finally {
            lent.retire();
            try {
                channel.close();
            } finally {
                release.run();
            }
        }
    }

    private void readFully(ByteBuffer dst, long at) throws IOException {
        read(dst, at);
    }
}
