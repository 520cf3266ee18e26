package org.lunforge.backstore.tape;


import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.scsi.SgList;

/**
 * The drive's half of a loaded cartridge: one partition of logical objects (blocks and filemarks) as records of the
 * format below, the cursor (the logical position) and the drive's write buffer, over the cartridge store's half, a
 * {@link RecordJournal} (the records' bytes, their index, durability, recovery and checkpoints). Positions are
 * logical object identifiers (SSC-4 4.2.3): object n is the n-th block or filemark from the beginning of the
 * partition; {@link #endOfData()} is the number of objects, the position of EOD.
 *
 * <h2>The journal</h2>
 * The cartridge file is the {@link CartridgeHeader} followed by records, back to back:
 * <pre>
 * header (24 bytes)   magic "LFTB" u32 | type u8 (1 block, 2 filemark) | flags u8 (bit 0: compressed, bit 1:
 *                     encrypted) | 0 u16 | stored length u32 | logical length u32 | logical object identifier u64
 * payload             stored length bytes (LZ4 block if compressed; sealed by a {@link BlockCipher} if encrypted,
 *                     after compression)
 * trailer (8 bytes)   CRC32C of header and payload u32 | record length u32 (32 + stored length)
 * </pre>
 * The trailer's record length lets the cursor step backward one record without an index. Writing at a position
 * before EOD truncates the file there first (SSC-4 4.2.? : writing makes everything after the new object unreadable).
 *
 * <h2>Damaged records</h2>
 * Nothing read from the file is trusted before it is checked against the format's bounds: a header's logical length
 * is at most {@link #MAX_BLOCK_LENGTH}; its stored length equals the logical one (uncompressed), is below it
 * (compressed: a block is stored compressed only when that is smaller), is at most {@link #MAX_SEAL_OVERHEAD} above
 * it (encrypted), or is 0 (filemark); and the whole record lies
 * within the journal. A trailer's record length must land on or after the first record. Only then is a buffer sized or
 * a read placed by them, so a damaged cartridge costs a {@link MediumException} (the drive's MEDIUM ERROR), never a
 * large allocation. Every read of a block verifies the CRC of the whole record, the part not transferred included,
 * before it returns.
 *
 * <h2>The crash rule</h2>
 * After a crash the partition ends exactly after the last object that was synced: {@link #sync} (fdatasync) returns
 * only once every record written before it is durable. Objects written since the last sync may be lost; a record
 * that was torn (partly written, or with holes where pages never reached the disk) fails its CRC and is dropped, with
 * everything after it, when the cartridge is next loaded, and the file is truncated to the last whole record. So the
 * partition after a crash is always a prefix of what was written, at least as long as what was synced. The drive syncs
 * on a synchronous WRITE FILEMARKS, REWIND, LOAD UNLOAD, READ POSITION and in unbuffered mode on every write; and the
 * medium itself syncs every {@link #SYNC_INTERVAL} bytes of appended records, which bounds both what a crash can lose
 * of a long buffered write and what the next load must verify. Between syncs the journal flushes behind the writes
 * in the background ({@link FileRecordJournal}), so a sync waits only for the last few megabytes, and what a crash
 * loses is in practice far less than the bound.
 *
 * <h2>Constant-cost appends</h2>
 * An append is one write of header, payload and trailer (gathered straight from the task's buffers for large blocks;
 * small records collect in a 1 MiB write buffer first). No index is rewritten: the in-memory {@link TapeIndex} grows by
 * one entry every 64 objects, and a checkpoint of it ({@code <barcode>.idx}, replaced atomically) is written only at a
 * sync once at least {@link #CHECKPOINT_INTERVAL} bytes were appended since the last one, and at unload
 * ({@link FileRecordJournal}). Loading reads the checkpoint and verifies (full CRC) only the records after it. A
 * checkpoint always describes a synced prefix of the journal: it is deleted (durably) before the file is ever
 * truncated below its end.
 *
 * <p>Not thread-safe: the drive serializes its commands.
 */
public final class TapeMedium implements Closeable {
    static final int RECORD_MAGIC = 0x4C465442; // "LFTB"
    static final int HEADER = 24;
    static final int TRAILER = 8;
    static final int OVERHEAD = HEADER + TRAILER;
    private static final ValueLayout.OfInt BIG_ENDIAN_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final byte TYPE_BLOCK = 1;
    static final byte TYPE_FILEMARK = 2;
    static final int FLAG_COMPRESSED = 1;
    static final int FLAG_ENCRYPTED = 2;
    /** The most a {@link BlockCipher}'s payload may add to the block it seals (key-associated data, nonce, tag). */
    public static final int MAX_SEAL_OVERHEAD = 1024;
    /** The largest logical block the journal accepts (the drive's READ BLOCK LIMITS maximum is below this). */
    public static final int MAX_BLOCK_LENGTH = 16 << 20;
    /** Appended bytes after which the medium syncs by itself. */
    static final long SYNC_INTERVAL = 1L << 30;
    /** Appended bytes after which a sync also writes a checkpoint. */
    static final long CHECKPOINT_INTERVAL = 1L << 30;
    /** Records with a payload below this are copied into the write buffer; larger ones are written in place. */
    private static final int SMALL_RECORD = 64 << 10;
    private static final int WRITE_BUFFER = 1 << 20;
    /**
     * The head of a block compressed first to decide whether the block compresses at all: large enough for LZ4 to
     * find the repeats of real data (its window is 64 KiB), small against the 256 KiB - 1 MiB blocks of backups.
     */
    static final int COMPRESSION_PROBE = 64 << 10;
    private static final int VERIFY_CHUNK = 1 << 20;

    /** What the cursor is in front of. */
    public enum Kind { BLOCK, FILEMARK }

    /**
     * One logical object as its record header describes it.
     *
     * @param length the logical (uncompressed) block length; 0 for a filemark
     * @param storedLength the payload bytes on the medium
     */
    public record TapeObject(Kind kind, int length, int storedLength, boolean compressed, boolean encrypted) {
    }

    private final Cartridge cartridge;
    /** The store's half: the records, their index, and what is durable. */
    private final RecordJournal journal;
    private final TapeIndex index;
    private final long capacity;
    private final long earlyWarning;
    private final long syncInterval;

    /** End of the journal, including records still in the write buffer. */
    private long journalEnd;
    /** The journal end at the last {@link #sync} (or load, or erase): the sync interval counts from here. */
    private long syncedEnd;

    /** Write buffer: holds the journal bytes [pendingStart, journalEnd) not yet appended to the journal. */
    private final ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER).order(ByteOrder.BIG_ENDIAN);
    private long pendingStart;

    /** The cursor: logical object identifier and the file offset of its record (journalEnd at EOD). */
    private long position;
    private long positionOffset;
    /** The header of the record at {@link #peekedOffset}, or -1. */
    private final ByteBuffer peeked = ByteBuffer.allocate(HEADER);
    private long peekedOffset = -1;

    private final ByteBuffer header = ByteBuffer.allocateDirect(HEADER);
    private final ByteBuffer trailer = ByteBuffer.allocateDirect(TRAILER);
    /** The header of the record after the one a read transfers, read with it (see {@link #readThrough}). */
    private final ByteBuffer ahead = ByteBuffer.allocateDirect(HEADER);
    private final CRC32C crc = new CRC32C();
    /** Scratch for compression: the gathered block and its compressed form; grown on demand, then reused. */
    private ByteBuffer plain = ByteBuffer.allocateDirect(0);
    private ByteBuffer packed = ByteBuffer.allocateDirect(0);
    /** Scratch for verifying the part of a block a short read does not transfer: {@link #VERIFY_CHUNK} once used. */
    private ByteBuffer untransferred = ByteBuffer.allocateDirect(0);

    private long bytesAppended;
    private long bytesOfferedToCompressor;
    private long storedBytesAppended;
    private long bytesRead;
    private long journalReads;
    private boolean closed;

    /** The medium over a recovered journal, the cursor at BOP. */
    TapeMedium(Cartridge cartridge, RecordJournal journal, long syncInterval) {
        this.cartridge = cartridge;
        this.journal = journal;
        this.index = journal.index();
        this.capacity = cartridge.spec().capacity();
        this.earlyWarning = capacity - cartridge.spec().earlyWarningZone();
        this.syncInterval = syncInterval;
        this.journalEnd = journal.end();
        this.syncedEnd = journalEnd;
        this.pendingStart = journalEnd;
        this.position = 0;
        this.positionOffset = CartridgeHeader.LENGTH;
    }

    /**
    // ---------------------------------------------------------------- the record format

    /**
     * True if the header is one the format can hold for object {@code expectedId} with {@code room} bytes of journal
     * from its first byte: the magic, a known type, the identifier, lengths within the bounds of the class comment,
     * and the whole record (header, payload, trailer) within {@code room}.
     */
    static boolean validHeader(ByteBuffer head, long expectedId, long room) {
        byte type = head.get(4);
        boolean compressed = (head.get(5) & FLAG_COMPRESSED) != 0;
        boolean encrypted = (head.get(5) & FLAG_ENCRYPTED) != 0;
        int stored = head.getInt(8);
        int length = head.getInt(12);
        boolean lengths = switch (type) {
            case TYPE_BLOCK -> length >= 0 && length <= MAX_BLOCK_LENGTH && (head.get(5) & ~3) == 0
                    && (encrypted ? stored > 0 && stored <= length + MAX_SEAL_OVERHEAD
                            : compressed ? stored > 0 && stored < length : stored == length);
            case TYPE_FILEMARK -> stored == 0 && length == 0 && head.get(5) == 0;
            default -> false;
        };
        return head.getInt(0) == RECORD_MAGIC && head.getLong(16) == expectedId && lengths
                && OVERHEAD + (long) stored <= room;
    }

    /** True if a trailer's record length, read in the trailer that ends at {@code recordEnd}, can be a record's. */
    static boolean validTrailerLength(int length, long recordEnd) {
        return length >= OVERHEAD && length <= OVERHEAD + MAX_BLOCK_LENGTH + MAX_SEAL_OVERHEAD
                && recordEnd - length >= CartridgeHeader.LENGTH;
    }

    // ---------------------------------------------------------------- state

    public Cartridge cartridge() {
        return cartridge;
    }

    /** The logical object identifier of the cursor. */
    public long position() {
        return position;
    }

    /** The number of logical objects: the position of EOD. */
    public long endOfData() {
        return index.objectCount();
    }

    public boolean atEndOfData() {
        return position == index.objectCount();
    }

    /** Bytes of the partition in use (records as stored, overhead included), write buffer included. */
    public long used() {
        return journalEnd - CartridgeHeader.LENGTH;
    }

    public long capacity() {
        return capacity;
    }

    /** True once the records reach past the early-warning point (SSC-4 4.2.5). */
    public boolean beyondEarlyWarning() {
        return used() > earlyWarning;
    }

    /** Bytes used up to the cursor: how far along the partition the cursor is. */
    public long usedBeforePosition() {
        return (position == index.objectCount() ? journalEnd : positionOffset) - CartridgeHeader.LENGTH;
    }

    /** The number of filemarks before the cursor: its LOGICAL FILE IDENTIFIER (SSC-4 4.2.3). */
    public long filemarksBeforePosition() {
        return index.filemarksBefore(position);
    }

    public int filemarkCount() {
        return index.filemarkCount();
    }

    /** The logical object identifier of filemark {@code i}, counted from BOP. */
    public long filemark(int i) {
        return index.filemark(i);
    }

    /** How many filemarks lie before object {@code id}. */
    public int filemarksBefore(long id) {
        return index.filemarksBefore(id);
    }

    /** Bytes the application wrote since load (logical) and what they took on the medium (stored). */
    public long bytesAppended() {
        return bytesAppended;
    }

    public long storedBytesAppended() {
        return storedBytesAppended;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** True if records were written since the last sync. */
    public boolean unsynced() {
        return journal.durableEnd() != journalEnd;
    }

    /** Objects in the write buffer that the file has not seen yet (READ POSITION's buffer fields). */
    public long bufferedBytes() {
        return journalEnd - journal.durableEnd();
    }

    // ---------------------------------------------------------------- positioning and reading

    /** The object at the cursor, or null at EOD. */
    public TapeObject peek() throws IOException {
        if (position == index.objectCount()) {
            return null;
        }
        ByteBuffer h = peekHeader();
        Kind kind = h.get(4) == TYPE_FILEMARK ? Kind.FILEMARK : Kind.BLOCK;
        return new TapeObject(kind, h.getInt(12), h.getInt(8), (h.get(5) & FLAG_COMPRESSED) != 0,
                (h.get(5) & FLAG_ENCRYPTED) != 0);
    }

    private ByteBuffer peekHeader() throws IOException {
        if (peekedOffset != positionOffset) {
            drain();
            peeked.clear();
            readFully(peeked, positionOffset);
            if (!validHeader(peeked, position, journalEnd - positionOffset)) {
                peekedOffset = -1;
                throw new MediumException(cartridge.barcode() + ": damaged record header at object " + position);
            }
            peekedOffset = positionOffset;
        }
        return peeked;
    }

    /** Moves the cursor over the object in front of it (toward EOD). */
    public void skip() throws IOException {
        TapeObject o = peek();
        if (o == null) {
            throw new IllegalStateException("at end of data");
        }
        positionOffset += OVERHEAD + o.storedLength();
        position++;
    }

    /** Moves the cursor back over the object behind it (toward BOP). */
    public void stepBack() throws IOException {
        if (position == 0) {
            throw new IllegalStateException("at beginning of partition");
        }
        drain();
        trailer.clear();
        readFully(trailer, positionOffset - TRAILER);
        int length = trailer.getInt(4);
        if (!validTrailerLength(length, positionOffset)) {
            throw new MediumException(cartridge.barcode() + ": damaged record trailer before object " + position);
        }
        positionOffset -= length;
        position--;
    }

    /** Positions the cursor at logical object {@code id}, 0 (BOP) to {@link #endOfData()} (EOD). */
    public void locate(long id) throws IOException {
        long eod = index.objectCount();
        if (id < 0 || id > eod) {
            throw new IllegalArgumentException("object " + id + " outside 0.." + eod);
        }
        if (id == position) {
            return;
        }
        drain();
        if (id == eod) {
            position = eod;
            positionOffset = journalEnd;
            return;
        }
        if (id < position && position - id <= 4) {
            while (position > id) {
                stepBack();
            }
            return;
        }
        if (id < position || id - position >= TapeIndex.STRIDE || position == eod) {
            long base = (id / TapeIndex.STRIDE) * TapeIndex.STRIDE;
            position = base;
            positionOffset = index.indexedOffset(base);
        }
        while (position < id) {
            skip();
        }
    }

    public void rewind() throws IOException {
        locate(0);
    }

    /**
     * Reads the block at the cursor into {@code dst}, at most {@code max} bytes of it, and moves past it. Returns the
     * block's full logical length, which may be more or less than what was transferred (the drive reports the
     * difference as an incorrect length). The whole record is checked against its CRC, however little of it is
     * transferred, each byte read once; {@code dst} holds the block only if this returns.
     *
     * @throws MediumException if the record is damaged (the cursor stays in front of it)
     */
    public int read(SgList dst, long max) throws IOException {
        return read(dst, max, null);
    }

    /**
     * {@link #read(SgList, long)} for a block that may be encrypted: its payload is verified, then opened by
     * {@code cipher}. An encrypted block without a cipher is an {@link IllegalStateException} (the drive decides what
     * a block it cannot decrypt means, before reading); a failure of the cipher propagates, and the cursor stays in
     * front of the block either way.
     */
    public int read(SgList dst, long max, BlockCipher cipher) throws IOException {
        ByteBuffer h = peekHeader();
        if (h.get(4) != TYPE_BLOCK) {
            throw new IllegalStateException("not a block");
        }
        int length = h.getInt(12);
        int stored = h.getInt(8);
        boolean compressed = (h.get(5) & FLAG_COMPRESSED) != 0;
        boolean encrypted = (h.get(5) & FLAG_ENCRYPTED) != 0;
        int n = (int) Math.min(length, Math.min(max, dst.length()));
        long payloadAt = positionOffset + HEADER;
        if (encrypted) {
            if (cipher == null) {
                throw new IllegalStateException("block " + position + " is encrypted");
            }
            ByteBuffer opened = cipher.open(verifiedPayload(h), position, length, compressed);
            if (compressed) {
                plain = ensure(plain, length);
                plain.clear();
                if (BlockCodec.decompress(opened, opened.remaining(), plain) != length) {
                    throw new MediumException(cartridge.barcode() + ": block " + position + " does not decompress");
                }
                opened = plain;
            } else if (opened.remaining() != length) {
                throw new MediumException(cartridge.barcode() + ": block " + position + " opens to another length");
            }
            dst.copyFrom(0, MemorySegment.ofBuffer(opened).asSlice(0, n));
        } else if (!compressed && n == stored) {
            crc.reset();
            crc.update(h.array(), 0, HEADER);
            boolean readAhead = readThrough(dst, n, payloadAt);
            updateCrc(dst, n);
            if (trailer.getInt(0) != (int) crc.getValue()) {
                throw new MediumException(cartridge.barcode() + ": CRC mismatch in block " + position);
            }
            movePast(length, stored, readAhead);
            return length;
        } else if (!compressed) {
            readInto(dst, n, payloadAt);
            crc.reset();
            crc.update(h.array(), 0, HEADER);
            int left = n;
            for (int i = 0; i < dst.segmentCount() && left > 0; i++) {
                MemorySegment s = dst.segment(i);
                int take = (int) Math.min(s.byteSize(), left);
                crc.update(s.asSlice(0, take).asByteBuffer());
                left -= take;
            }
            // The part of the record not transferred (a short read) counts toward the CRC all the same.
            long at = payloadAt + n;
            long rest = stored - n;
            while (rest > 0) {
                if (untransferred.capacity() == 0) {
                    untransferred = ByteBuffer.allocateDirect(VERIFY_CHUNK);
                }
                untransferred.clear().limit((int) Math.min(rest, untransferred.capacity()));
                readFully(untransferred, at);
                crc.update(untransferred);
                at += untransferred.limit();
                rest -= untransferred.limit();
            }
            checkCrc(payloadAt + stored);
        } else {
            packed = ensure(packed, stored);
            packed.clear().limit(stored);
            readFully(packed, payloadAt);
            crc.reset();
            crc.update(h.array(), 0, HEADER);
            crc.update(packed);
            checkCrc(payloadAt + stored);
            if (n == length && dst.segmentCount() == 1) {
                // The whole block into one destination segment: decompress straight into it.
                if (BlockCodec.decompress(packed, stored, dst.segment(0).asSlice(0, length).asByteBuffer())
                        != length) {
                    throw new MediumException(cartridge.barcode() + ": block " + position + " does not decompress");
                }
            } else {
                plain = ensure(plain, length);
                plain.clear();
                if (BlockCodec.decompress(packed, stored, plain) != length) {
                    throw new MediumException(cartridge.barcode() + ": block " + position
                            + " does not decompress");
                }
                dst.copyFrom(0, MemorySegment.ofBuffer(plain).asSlice(0, n));
            }
        }
        bytesRead += length;
        positionOffset += OVERHEAD + stored;
        position++;
        return length;
    }

    /**
     * Lends the block at the cursor instead of reading it, and moves past it: a read-only view of the journal's own
     * storage ({@link RecordJournal#lend}), held until the loan is given back, its whole record verified against the
     * CRC first. Only a block stored as it is (neither compressed nor encrypted) of at most {@code max} bytes is lent;
     * null otherwise, or where the journal cannot lend, and the cursor stays (the caller reads the block then).
     *
     * @throws MediumException if the record is damaged (nothing lent, the cursor stays in front of it)
     */
    public StoreLoan lend(long max) throws IOException {
        ByteBuffer h = peekHeader();
        if (h.get(4) != TYPE_BLOCK) {
            throw new IllegalStateException("not a block");
        }
        int length = h.getInt(12);
        int stored = h.getInt(8);
        if ((h.get(5) & (FLAG_COMPRESSED | FLAG_ENCRYPTED)) != 0 || stored != length || length > max || length == 0) {
            return null;
        }
        long payloadAt = positionOffset + HEADER;
        // The trailer, and the next record's header where the journal holds one, come in the same view.
        boolean readAhead = payloadAt + stored + TRAILER + HEADER <= journal.end();
        StoreLoan loan = journal.lend(payloadAt, stored + TRAILER + (readAhead ? HEADER : 0));
        if (loan == null) {
            return null;
        }
        MemorySegment view = loan.data().segment(0);
        try {
            crc.reset();
            crc.update(h.array(), 0, HEADER);
            crc.update(view.asSlice(0, stored).asByteBuffer());
            if (view.get(BIG_ENDIAN_INT, stored) != (int) crc.getValue()) {
                throw new MediumException(cartridge.barcode() + ": CRC mismatch in block " + position);
            }
            if (readAhead) {
                ahead.clear();
                ahead.put(0, view.asSlice(stored + TRAILER, HEADER).asByteBuffer(), 0, HEADER);
            }
        } catch (IOException | RuntimeException e) {
            loan.giveBack().run();
            throw e;
        }
        movePast(length, stored, readAhead);
        return new StoreLoan(SgList.of(view.asSlice(0, stored)), loan.giveBack());
    }

    /**
     * Moves the cursor past the block just read, {@code stored} bytes on the medium; with {@code readAhead}, the next
     * record's header came in the same read (in {@link #ahead}) and is the peeked one if it checks.
     */
    private void movePast(int length, int stored, boolean readAhead) {
        bytesRead += length;
        positionOffset += OVERHEAD + stored;
        position++;
        if (readAhead && validHeader(ahead, position, journalEnd - positionOffset)) {
            peeked.clear();
            peeked.put(0, ahead, 0, HEADER);
            peekedOffset = positionOffset;
        }
    }

    /**
     * The recorded payload of the block at the cursor, its CRC verified, without moving: what an encrypted block's
     * cipher opens, and what a drive returns in raw decryption mode. The buffer is reused by the next read.
     */
    public ByteBuffer storedPayload() throws IOException {
        ByteBuffer h = peekHeader();
        if (h.get(4) != TYPE_BLOCK) {
            throw new IllegalStateException("not a block");
        }
        return verifiedPayload(h);
    }

    private ByteBuffer verifiedPayload(ByteBuffer h) throws IOException {
        int stored = h.getInt(8);
        long payloadAt = positionOffset + HEADER;
        packed = ensure(packed, stored);
        packed.clear().limit(stored);
        readFully(packed, payloadAt);
        crc.reset();
        crc.update(h.array(), 0, HEADER);
        crc.update(packed.duplicate());
        checkCrc(payloadAt + stored);
        return packed.slice(0, stored);
    }

    private void checkCrc(long trailerAt) throws IOException {
        trailer.clear();
        readFully(trailer, trailerAt);
        if (trailer.getInt(0) != (int) crc.getValue()) {
            throw new MediumException(cartridge.barcode() + ": CRC mismatch in block " + position);
        }
    }

    /**
     * Reads a whole payload of {@code n} bytes at {@code at} straight into the destination's segments, its trailer
     * into {@link #trailer} and, if the journal holds one, the next record's header into {@link #ahead}: one
     * scattering read per block of a stream, where a header, a payload and a trailer took three. Returns true if it
     * read the next header (which is checked, like any header, before it is used).
     */
    private boolean readThrough(SgList dst, int n, long at) throws IOException {
        int segments = 0;
        for (long covered = 0; covered < n; segments++) {
            covered += dst.segment(segments).byteSize();
        }
        boolean readAhead = at + n + TRAILER + HEADER <= journal.end();
        ByteBuffer[] into = new ByteBuffer[segments + (readAhead ? 2 : 1)];
        int left = n;
        for (int i = 0; i < segments; i++) {
            MemorySegment s = dst.segment(i);
            int take = (int) Math.min(s.byteSize(), left);
            into[i] = s.asSlice(0, take).asByteBuffer();
            left -= take;
        }
        into[segments] = trailer.clear();
        if (readAhead) {
            into[segments + 1] = ahead.clear();
        }
        journal.read(into, at);
        journalReads++;
        return readAhead;
    }

    private void updateCrc(SgList data, int n) {
        int left = n;
        for (int i = 0; i < data.segmentCount() && left > 0; i++) {
            MemorySegment s = data.segment(i);
            int take = (int) Math.min(s.byteSize(), left);
            crc.update(s.asSlice(0, take).asByteBuffer());
            left -= take;
        }
    }

    /** Scatter-reads {@code n} bytes at {@code at} straight into the destination's segments. */
    private void readInto(SgList dst, int n, long at) throws IOException {
        long off = at;
        int left = n;
        for (int i = 0; i < dst.segmentCount() && left > 0; i++) {
            MemorySegment s = dst.segment(i);
            int take = (int) Math.min(s.byteSize(), left);
            readFully(s.asSlice(0, take).asByteBuffer(), off);
            off += take;
            left -= take;
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a block at the cursor, compressed with LZ4 if {@code compress}, its first {@link #COMPRESSION_PROBE} bytes
     * shrink and the whole gets smaller, and leaves the cursor
     * after it at the new EOD. A cursor before EOD truncates the partition there first. Returns the bytes the block
     * took on the medium, or -1 if it does not fit before the physical end of the partition (nothing is written then).
     */
    public long writeBlock(SgList data, boolean compress) throws IOException {
        return writeBlock(data, compress, null);
    }

    /**
     * {@link #writeBlock(SgList, boolean)}, the block sealed by {@code cipher} (after compression) when it is not null:
     * the record is flagged encrypted and holds only the cipher's payload.
     */
    public long writeBlock(SgList data, boolean compress, BlockCipher cipher) throws IOException {
        int length = Math.toIntExact(data.length());
        if (length > MAX_BLOCK_LENGTH) {
            throw new IllegalArgumentException("block of " + length + " bytes");
        }
        ByteBuffer[] payload;
        int stored = length;
        int flags = 0;
        if (compress && length > 0) {
            // Like an LTO drive's compression, which passes data that does not compress through as it came: the
            // block's head is tried first, and a head that does not shrink sends the block to the medium unchanged,
            // gathered straight from the task's buffers, without copying or compressing the rest.
            int probe = Math.min(length, COMPRESSION_PROBE);
            packed = ensure(packed, BlockCodec.maxCompressedLength(length));
            packed.clear();
            int n = BlockCodec.compress(contiguous(data, probe), probe, packed);
            bytesOfferedToCompressor += probe;
            boolean shrinks = n < probe;
            if (shrinks && probe < length) {
                n = BlockCodec.compress(contiguous(data, length), length, packed);
                bytesOfferedToCompressor += length;
                shrinks = n < length;
            }
            if (shrinks) {
                stored = n;
                flags = FLAG_COMPRESSED;
                payload = new ByteBuffer[] {packed.slice(0, n)};
            } else {
                payload = data.asByteBuffers();
            }
        } else {
            payload = data.asByteBuffers();
        }
        if (cipher != null) {
            ByteBuffer block;
            if (payload.length == 1) {
                block = payload[0];
            } else {
                plain = ensure(plain, length);
                plain.clear();
                data.copyTo(0, MemorySegment.ofBuffer(plain).asSlice(0, length));
                block = plain.slice(0, length);
            }
            ByteBuffer sealed = cipher.seal(block.duplicate(), position, length, flags == FLAG_COMPRESSED);
            if (sealed.remaining() == 0 || sealed.remaining() > stored + MAX_SEAL_OVERHEAD) {
                throw new IllegalStateException("a sealed payload of " + sealed.remaining() + " bytes");
            }
            flags |= FLAG_ENCRYPTED;
            stored = sealed.remaining();
            payload = new ByteBuffer[] {sealed};
        }
        if (!fits(stored)) {
            return -1;
        }
        append(TYPE_BLOCK, flags, stored, length, payload);
        bytesAppended += length;
        storedBytesAppended += stored;
        return OVERHEAD + stored;
    }

    /**
     * The first {@code length} bytes of {@code data} in one piece, as LZ4 needs them: the first segment itself when
     * it holds them, else gathered into {@link #plain}.
     */
    private ByteBuffer contiguous(SgList data, int length) {
        if (data.segment(0).byteSize() >= length) {
            return data.segment(0).asByteBuffer();
        }
        plain = ensure(plain, length);
        plain.clear();
        data.copyTo(0, MemorySegment.ofBuffer(plain).asSlice(0, length));
        return plain;
    }

    /** Read calls to the journal since load: what reading a stream of blocks costs, for tests. */
    long journalReads() {
        return journalReads;
    }

    /** Bytes handed to the compressor since load (probes included): what a block's compression cost, for tests. */
    long bytesOfferedToCompressor() {
        return bytesOfferedToCompressor;
    }

    /** Writes a filemark at the cursor (truncating as {@link #writeBlock} does); false if it does not fit. */
    public boolean writeFilemark() throws IOException {
        if (!fits(0)) {
            return false;
        }
        append(TYPE_FILEMARK, 0, 0, 0, new ByteBuffer[0]);
        return true;
    }

    /** True if a record with this payload fits, counting the partition as it will be once the cursor's tail goes. */
    private boolean fits(int stored) {
        long usedAfterTruncation = (position == index.objectCount() ? journalEnd : positionOffset)
                - CartridgeHeader.LENGTH;
        return usedAfterTruncation + OVERHEAD + stored <= capacity;
    }

    /**
     * Erases from the cursor to the end of the partition: EOD is at the cursor afterwards (SSC-4 ERASE, and what a
     * write in the middle of the partition does first). Durable before it returns, so nothing written later can sit
     * beside the old tail after a crash.
     */
    public void eraseFromPosition() throws IOException {
        if (position == index.objectCount()) {
            return;
        }
        drain();
        long cut = positionOffset;
        journal.truncate(cut, position);
        journalEnd = cut;
        syncedEnd = cut;
        pendingStart = cut;
        peekedOffset = -1;
    }

    private void append(byte type, int flags, int stored, int length, ByteBuffer[] payload) throws IOException {
        if (position != index.objectCount()) {
            eraseFromPosition();
        }
        header.clear();
        header.putInt(RECORD_MAGIC).put(type).put((byte) flags).putShort((short) 0).putInt(stored).putInt(length)
                .putLong(position).flip();
        crc.reset();
        crc.update(header.duplicate());
        for (ByteBuffer p : payload) {
            crc.update(p.duplicate());
        }
        trailer.clear();
        trailer.putInt((int) crc.getValue()).putInt(OVERHEAD + stored).flip();
        long offset = journalEnd;
        int recordLength = OVERHEAD + stored;
        if (stored < SMALL_RECORD) {
            if (pending.remaining() < recordLength) {
                drain();
            }
            pending.put(header);
            for (ByteBuffer p : payload) {
                pending.put(p.duplicate());
            }
            pending.put(trailer);
        } else {
            drain();
            ByteBuffer[] all = new ByteBuffer[payload.length + 2];
            all[0] = header;
            for (int i = 0; i < payload.length; i++) {
                all[i + 1] = payload[i].duplicate();
            }
            all[all.length - 1] = trailer;
            journal.append(all);
            pendingStart = offset + recordLength;
        }
        index.add(position, offset, type == TYPE_FILEMARK);
        journalEnd = offset + recordLength;
        position++;
        positionOffset = journalEnd;
        if (journalEnd - syncedEnd >= syncInterval) {
            sync();
        }
    }

    /** Hands the write buffer to the file (not yet durable). */
    private void drain() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        journal.append(pending);
        pending.clear();
        pendingStart = journal.end();
    }

    /**
     * Makes every record written so far durable (fdatasync); the drive's "flush to the medium". Writes a checkpoint of
     * the index when enough was appended since the last one.
     */
    public void sync() throws IOException {
        drain();
        journal.force();
        syncedEnd = journalEnd;
    }

    /** Syncs, writes the checkpoint, counts the transfers in the cartridge's attributes and releases the cartridge. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            sync();
            cartridge.countTransfer(bytesAppended, bytesRead);
        } catch (IOException | RuntimeException e) {
            try {
                journal.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        journal.close();
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- helpers

    private void readFully(ByteBuffer dst, long at) throws IOException {
        journal.read(dst, at);
        journalReads++;
    }

    private static ByteBuffer ensure(ByteBuffer b, int capacity) {
        if (b.capacity() >= capacity) {
            return b;
        }
        return ByteBuffer.allocateDirect(Math.max(capacity, b.capacity() * 2));
    }

    /** The size of the cartridge's files on disk, for tests and listings. */
    static long fileSize(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }
}
