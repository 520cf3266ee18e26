package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Where the logical objects of a medium are, in memory: the file offset of every {@link #STRIDE}th object (a sparse
 * index, so an 18 TB tape of 256 KiB blocks needs about 9 MB, not the 560 MB a full one would), and the logical object
 * identifier of every filemark, ascending. Positioning to object n reads at most {@code STRIDE - 1} record headers
 * after the indexed one; counting and finding filemarks is a binary search.
 *
 * <p>The checkpoint file ({@code <barcode>.idx}) is this index for a synced prefix of the journal, so opening a
 * cartridge scans only the records written after it. Format: magic "LFIDX001", journal end u64, object count u64,
 * stride u32, sparse count u32, sparse offsets u64..., filemark count u64, filemark identifiers u64..., CRC32C u32.
 *
 * <p>Not thread-safe: the medium that owns it serializes access.
 */
final class TapeIndex {
    static final int STRIDE = 64;
    private static final byte[] MAGIC = "LFIDX001".getBytes(StandardCharsets.US_ASCII);

    private long[] sparse = new long[1024];
    private int sparseCount;
    private long[] filemarks = new long[64];
    private int filemarkCount;
    private long objectCount;

    long objectCount() {
        return objectCount;
    }

    /** Records that object {@code id} (== objectCount) starts at {@code offset}. */
    void add(long id, long offset, boolean filemark) {
        if (id != objectCount) {
            throw new IllegalStateException("object " + id + " appended at count " + objectCount);
        }
        if (id % STRIDE == 0) {
            if (sparseCount == sparse.length) {
                sparse = Arrays.copyOf(sparse, sparse.length * 2);
            }
            sparse[sparseCount++] = offset;
        }
        if (filemark) {
            if (filemarkCount == filemarks.length) {
                filemarks = Arrays.copyOf(filemarks, filemarks.length * 2);
            }
            filemarks[filemarkCount++] = id;
        }
        objectCount++;
    }

    /** Drops objects {@code count} and later (writing in the middle of the partition ends it there). */
    void truncate(long count) {
        if (count >= objectCount) {
            return;
        }
        objectCount = count;
        sparseCount = (int) ((count + STRIDE - 1) / STRIDE);
        filemarkCount = filemarksBefore(count);
    }

    /** The indexed object at or before {@code id}: its identifier is {@code (id / STRIDE) * STRIDE}. */
    long indexedOffset(long id) {
        return sparse[(int) (id / STRIDE)];
    }

    int filemarkCount() {
        return filemarkCount;
    }

    /** The logical object identifier of filemark {@code i} (0-based, ascending). */
    long filemark(int i) {
        return filemarks[i];
    }

    /** How many filemarks lie before object {@code id}: the LOGICAL FILE IDENTIFIER of position {@code id}. */
    int filemarksBefore(long id) {
        int lo = 0;
        int hi = filemarkCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (filemarks[mid] < id) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    ByteBuffer encode(long journalEnd) {
        int length = MAGIC.length + 8 + 8 + 4 + 4 + 8 * sparseCount + 8 + 8 * filemarkCount + 4;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(MAGIC).putLong(journalEnd).putLong(objectCount).putInt(STRIDE).putInt(sparseCount);
        for (int i = 0; i < sparseCount; i++) {
            b.putLong(sparse[i]);
        }
        b.putLong(filemarkCount);
        for (int i = 0; i < filemarkCount; i++) {
            b.putLong(filemarks[i]);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * The longest checkpoint a journal of {@code journalLength} bytes can have: every record at least
     * {@link TapeMedium#OVERHEAD} bytes, each one a filemark.
     */
    static long maxEncodedLength(long journalLength) {
        long objects = Math.max(0, journalLength - CartridgeHeader.LENGTH) / TapeMedium.OVERHEAD;
        return MAGIC.length + 8 + 8 + 4 + 4 + 8 * ((objects + STRIDE - 1) / STRIDE) + 8 + 8 * objects + 4;
    }

    /**
     * A checkpoint's index and the journal end it covers; throws if the file is damaged or of another layout. Every
     * count is checked against the bytes that remain before an array is sized by it, and every offset and identifier
     * against the journal it describes, so a checkpoint that passes can only send the medium to record boundaries
     * inside the journal or to records whose headers it checks anyway.
     */
    static Checkpoint decode(ByteBuffer b) throws IOException {
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, b.limit() - 4);
            if (!Arrays.equals(magic, MAGIC) || (int) crc.getValue() != b.getInt(b.limit() - 4)) {
                throw new IOException("checkpoint damaged");
            }
            b.limit(b.limit() - 4);
            long journalEnd = b.getLong();
            TapeIndex index = new TapeIndex();
            index.objectCount = b.getLong();
            if (index.objectCount < 0 || journalEnd < CartridgeHeader.LENGTH
                    || index.objectCount > (journalEnd - CartridgeHeader.LENGTH) / TapeMedium.OVERHEAD) {
                throw new IOException("checkpoint counts more objects than its journal can hold");
            }
            if (b.getInt() != STRIDE) {
                throw new IOException("checkpoint of another stride");
            }
            index.sparseCount = b.getInt();
            if (index.sparseCount != (index.objectCount + STRIDE - 1) / STRIDE
                    || index.sparseCount > b.remaining() / 8) {
                throw new IOException("checkpoint sparse index does not match its object count");
            }
            index.sparse = new long[Math.max(1024, index.sparseCount)];
            long previous = -1;
            for (int i = 0; i < index.sparseCount; i++) {
                long offset = b.getLong();
                if (i == 0 ? offset != CartridgeHeader.LENGTH : offset <= previous || offset >= journalEnd) {
                    throw new IOException("checkpoint offset outside its journal");
                }
                index.sparse[i] = offset;
                previous = offset;
            }
            long filemarks = b.getLong();
            if (filemarks < 0 || filemarks > index.objectCount || filemarks != b.remaining() / 8
                    || b.remaining() % 8 != 0) {
                throw new IOException("checkpoint filemark count does not match its length");
            }
            index.filemarkCount = (int) filemarks;
            index.filemarks = new long[Math.max(64, index.filemarkCount)];
            previous = -1;
            for (int i = 0; i < index.filemarkCount; i++) {
                long id = b.getLong();
                if (id <= previous || id >= index.objectCount) {
                    throw new IOException("checkpoint filemark outside its objects");
                }
                index.filemarks[i] = id;
                previous = id;
            }
            return new Checkpoint(index, journalEnd);
        } catch (RuntimeException e) {
            throw new IOException("checkpoint damaged", e);
        }
    }

    record Checkpoint(TapeIndex index, long journalEnd) {
    }
}
