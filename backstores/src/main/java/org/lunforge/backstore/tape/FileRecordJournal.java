package org.lunforge.backstore.tape;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.lunforge.backstore.AtomicFileReplacement;

/**
 * The journal of a cartridge in the {@code file} store: {@code <barcode>.tape} (the header, then the records) and the
 * checkpoint of its index, {@code <barcode>.idx}. Loading reads the checkpoint and verifies (full CRC) only the records
 * after it, then truncates the file to the last whole record; a checkpoint always describes a synced prefix of the
 * journal, so it is deleted (durably) before the file is ever truncated below its end, and rewritten only at a
 * {@link #force} once at least the checkpoint interval was appended since the last one, and at close.
 */
final class FileRecordJournal implements RecordJournal {
    private static final System.Logger LOG = System.getLogger(FileRecordJournal.class.getName());

    private final Cartridge cartridge;
    private final Path journalPath;
    private final Path checkpointPath;
    private final FileChannel channel;
    private final Runnable release;
    private final long checkpointInterval;

    private TapeIndex index;
    /** End of the journal: what was appended, durable or not. */
    private long end;
    /** The journal is durable up to here. */
    private long durableEnd;
    /** The checkpoint file covers the journal up to here (CartridgeHeader.LENGTH: there is none). */
    private long checkpointEnd;

    /** Opens the locked journal of {@code cartridge} and recovers it; {@code release} gives the lock back on close. */
    FileRecordJournal(Cartridge cartridge, FileChannel channel, Runnable release, long checkpointInterval)
            throws IOException {
        this.cartridge = cartridge;
        this.journalPath = cartridge.journalPath();
        this.checkpointPath = cartridge.checkpointPath();
        this.channel = channel;
        this.release = release;
        this.checkpointInterval = checkpointInterval;
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
            channel.position(end);
            long left = length;
            while (left > 0) {
                left -= channel.write(src);
            }
        }
        end += length;
    }

    @Override
    public void truncate(long at, long objectCount) throws IOException {
        if (checkpointEnd > at) {
            AtomicFileReplacement.delete(checkpointPath);
            checkpointEnd = CartridgeHeader.LENGTH;
        }
        channel.truncate(at);
        channel.force(false);
        index.truncate(objectCount);
        end = at;
        durableEnd = at;
    }

    /** Also writes a checkpoint of the index once enough was appended since the last one. */
    @Override
    public void force() throws IOException {
        if (durableEnd == end) {
            return;
        }
        channel.force(false);
        durableEnd = end;
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
            force();
            if (checkpointEnd != durableEnd) {
                writeCheckpoint();
            }
        } finally {
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
