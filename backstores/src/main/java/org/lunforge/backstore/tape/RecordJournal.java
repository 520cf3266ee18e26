package org.lunforge.backstore.tape;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.lunforge.backstore.StoreLoan;

/**
 * The cartridge store's half of a loaded cartridge: its records as one append-only byte sequence after the cartridge
 * header, the {@link TapeIndex} of their logical objects, and what is durable. The drive's half sits above it in
 * {@link TapeMedium}: the cursor, the write buffer and the encoding of each record (format in {@link TapeMedium}).
 *
 * <p>Offsets are journal offsets (the first record is at {@link CartridgeHeader#LENGTH}). The crash rule: after a
 * crash the journal ends exactly after a whole record at or after {@link #durableEnd()}; anything torn is dropped when
 * the cartridge is next loaded. Records are verified when read by the medium, not here; a read past the end is a
 * {@link MediumException}. Not thread-safe: the medium's drive serializes its commands (an implementation's own
 * background work, such as flushing behind the appends, is its own to guard).
 */
interface RecordJournal extends Closeable {
    /** The index of the records: the medium adds an entry per record it appends. */
    TapeIndex index();

    /** The length of the journal: the end of what was appended, durable or not. */
    long end();

    /** The journal is durable up to here; an implementation may advance it in the background (flush-behind). */
    long durableEnd();

    /** Fills {@code dst} from offset {@code at} and flips it. */
    void read(ByteBuffer dst, long at) throws IOException;

    /**
     * Fills the buffers in order from offset {@code at} in one scattering read where the journal can (their positions
     * advance to their limits; they are not flipped): a whole record and the next one's header in one call.
     */
    void read(ByteBuffer[] dst, long at) throws IOException;

    /**
     * Lends {@code length} bytes at {@code at} (below {@link #end()}) instead of reading them: a read-only view of the
     * journal's own storage, holding those bytes until the loan is given back, whatever the journal does meanwhile.
     * Null where the journal cannot lend; the caller reads then.
     */
    default StoreLoan lend(long at, long length) throws IOException {
        return null;
    }

    /** Appends the buffers' remaining bytes at {@link #end()} (not yet durable). */
    void append(ByteBuffer... src) throws IOException;

    /** Cuts the journal at {@code at}, which ends object {@code objectCount - 1}; durable before it returns. */
    void truncate(long at, long objectCount) throws IOException;

    /** Makes every appended byte durable (fdatasync). */
    void force() throws IOException;

    /** Forces the journal, checkpoints its index, and releases the cartridge. */
    @Override
    void close() throws IOException;
}
