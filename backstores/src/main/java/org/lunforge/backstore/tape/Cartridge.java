package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.lunforge.backstore.AtomicFileReplacement;

/**
 * One cartridge of a {@link FileCartridgeStore}: what it is (its immutable header), its medium auxiliary memory
 * ({@link CartridgeAttributes}), and the door to its recorded data, {@link #load}. A cartridge is loaded in at most one
 * drive at a time, in this process or any other: {@code load} takes an exclusive lock that {@link TapeMedium#close}
 * gives back.
 *
 * <p>Files, all named by barcode in the pool's folder: {@code <barcode>.tape} (header and record journal, see
 * {@link TapeMedium}), {@code <barcode>.idx} (index checkpoint), {@code <barcode>.mam} (attributes).
 */
public final class Cartridge {
    /** Loaded cartridges of this process, by journal path: the in-process half of the one-drive rule. */
    private static final Map<Path, Cartridge> LOADED = new ConcurrentHashMap<>();

    private final Path folder;
    private final CartridgeHeader header;
    private final CartridgeAttributes attributes;

    Cartridge(Path folder, CartridgeHeader header, CartridgeAttributes attributes) {
        this.folder = folder;
        this.header = header;
        this.attributes = attributes;
    }

    public String barcode() {
        return header.spec().barcode();
    }

    public CartridgeSpec spec() {
        return header.spec();
    }

    /** The recording format; null for a cleaning cartridge. */
    public TapeFormat format() {
        return header.spec().format();
    }

    /** A cleaning cartridge: it records nothing; each load is one of its {@link CartridgeSpec#CLEANING_USES} uses. */
    public boolean cleaning() {
        return header.spec().cleaning();
    }

    /** Cleaning uses left: {@link CartridgeSpec#CLEANING_USES} less the loads its memory counted; 0 when expired. */
    public int cleaningUsesLeft() {
        return (int) Math.max(0, CartridgeSpec.CLEANING_USES - attributes.loadCount());
    }

    public boolean worm() {
        return header.spec().worm();
    }

    public long createdMillis() {
        return header.createdMillis();
    }

    /** The live attributes; change them through this cartridge's methods, which save them. */
    public CartridgeAttributes attributes() {
        return attributes;
    }

    /** True while some drive has it loaded. */
    public boolean isLoaded() {
        return LOADED.containsKey(key());
    }

    /**
     * Loads the cartridge's medium for one drive: locks it, recovers the journal after a crash (see
     * {@link TapeMedium}), and positions at BOP.
     *
     * @throws CartridgeInUseException if another drive has it loaded
     */
    public TapeMedium load() throws IOException {
        return load(TapeMedium.SYNC_INTERVAL, TapeMedium.CHECKPOINT_INTERVAL);
    }

    /** {@link #load()} with other sync and checkpoint intervals (tests make them small). */
    public TapeMedium load(long syncInterval, long checkpointInterval) throws IOException {
        return load(syncInterval, checkpointInterval, FileRecordJournal.FLUSH_BEHIND, null);
    }

    /** {@link #load(long, long)} with the journal's flush-behind distance and its executor (null: the shared one). */
    TapeMedium load(long syncInterval, long checkpointInterval, long flushBehind, Executor flusher)
            throws IOException {
        if (cleaning()) {
            throw new IOException("cartridge " + barcode() + " is a cleaning cartridge: it records nothing");
        }
        Path key = key();
        FileChannel channel = claim();
        try {
            Runnable release = () -> LOADED.remove(key, this);
            FileRecordJournal journal = flusher == null
                    ? new FileRecordJournal(this, channel, release, checkpointInterval)
                    : new FileRecordJournal(this, channel, release, checkpointInterval, flushBehind, flusher);
            return new TapeMedium(this, journal, syncInterval);
        } catch (IOException | RuntimeException e) {
            channel.close();
            LOADED.remove(key, this);
            throw e;
        }
    }

    /**
     * Deletes the cartridge's files, holding it as a load does while it does: refused if a drive has it loaded, here or
     * in another process, and no drive can load it meanwhile (the check and the deletion are one claim, not a check
     * followed by an act).
     *
     * @throws CartridgeInUseException if a drive has it loaded
     */
    void delete() throws IOException {
        FileChannel channel = claim();
        try (channel) {
            AtomicFileReplacement.delete(checkpointPath());
            AtomicFileReplacement.delete(journalPath());
            AtomicFileReplacement.delete(attributesPath());
        } finally {
            LOADED.remove(key(), this);
        }
    }

    /**
     * Takes the cartridge for this process (the LOADED map) and for this host (an exclusive lock on the journal,
     * released when the returned channel is closed); both or neither.
     */
    private FileChannel claim() throws IOException {
        Path key = key();
        if (LOADED.putIfAbsent(key, this) != null) {
            throw new CartridgeInUseException(barcode());
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(journalPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new CartridgeInUseException(barcode());
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            LOADED.remove(key, this);
            throw e;
        }
    }

    /** A drive loaded the cartridge: LOAD COUNT and the last-loaded-by ring (MAM 0003h, 020Ah..020Dh) record it. */
    public void recordLoad(String deviceVendorSerial) throws IOException {
        attributes.loaded(deviceVendorSerial);
        saveAttributes();
    }

    /** Sets the write-protect tab. */
    public void setWriteProtected(boolean on) throws IOException {
        attributes.setWriteProtected(on);
        saveAttributes();
    }

    /** WRITE ATTRIBUTE: sets (an empty value removes) host type attributes, durably, all or nothing. */
    public void putHostAttributes(List<CartridgeAttributes.Attribute> values) throws IOException {
        attributes.putHostAttributes(values);
        saveAttributes();
    }

    void countTransfer(long written, long read) throws IOException {
        if (written != 0 || read != 0) {
            attributes.countTransfer(written, read);
            saveAttributes();
        }
    }

    private void saveAttributes() throws IOException {
        AtomicFileReplacement.replace(attributesPath(), attributes.encode());
    }

    Path journalPath() {
        return folder.resolve(barcode() + FileCartridgeStore.JOURNAL_SUFFIX);
    }

    Path checkpointPath() {
        return folder.resolve(barcode() + ".idx");
    }

    Path attributesPath() {
        return folder.resolve(barcode() + ".mam");
    }

    private Path key() {
        return journalPath().toAbsolutePath().normalize();
    }

    @Override
    public String toString() {
        return "Cartridge[" + barcode() + ", " + (cleaning() ? "cleaning" : format()) + (worm() ? ", WORM" : "") + "]";
    }
}
