package org.lunforge.device.tape;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.lunforge.backstore.tape.Cartridge;
import org.lunforge.backstore.tape.CartridgePool;
import org.lunforge.backstore.tape.MediumException;
import org.lunforge.backstore.tape.TapeFormat;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.BlockDescriptor;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogPage;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.spc.SpcOperation;

/**
 * An SSC-4 LTO tape drive (peripheral device type 01h, removable medium) over a {@link CartridgePool}. It identifies
 * as a real drive model ({@link TapeDriveModel}) and serves what the Linux st driver, mt, tar, Bacula and Amanda send:
 * READ/WRITE(6) in fixed and variable block mode, WRITE FILEMARKS, SPACE(6/16), LOCATE(10/16), READ POSITION (short,
 * long and extended forms), REWIND, LOAD UNLOAD, ERASE, READ BLOCK LIMITS, REPORT DENSITY SUPPORT, READ/WRITE ATTRIBUTE,
 * PREVENT ALLOW MEDIUM REMOVAL, its mode pages (data compression 0Fh, device configuration 10h, medium partition 11h)
 * and log pages (02h, 03h, 0Ch, 1Bh, 2Eh, 31h).
 *
 * <h2>The medium interface, for a changer or a stand-alone configuration</h2>
 * <ul>
 * <li>{@link #load(Cartridge)}: a cartridge is inserted and loaded (the changer's MOVE MEDIUM into the drive). The
 *     drive becomes ready at BOP and every I_T nexus gets NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED on its
 *     next command. A cartridge this model cannot read stays in the drive, not ready (INCOMPATIBLE MEDIUM
 *     INSTALLED).</li>
 * <li>{@link #unload()}: the changer takes the cartridge out (MOVE MEDIUM from the drive). Buffered data is written
 *     and synced first. Throws {@link CheckCondition} ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED while any I_T nexus
 *     has PREVENT ALLOW MEDIUM REMOVAL in force: the changer fails its MOVE MEDIUM with that sense. Returns the
 *     cartridge, or null if the drive was empty. A cartridge the application unloaded (LOAD UNLOAD with LOAD 0) is
 *     still in the drive until this is called, as in a real library.</li>
 * <li>{@link #cartridge()}, {@link #isReady()}, {@link #isMediumRemovalPrevented()}: what the changer's READ ELEMENT
 *     STATUS reports (FULL, the barcode of the cartridge, ACCESS).</li>
 * <li>{@link #model()}, {@link #serialNumber()}, {@link #identity()}: vendor, product and serial number, for the
 *     changer's device identifier of the data transfer element and for the logical unit's INQUIRY data.</li>
 * </ul>
 * A stand-alone drive is {@link #standalone}: a drive with one cartridge of a pool loaded at start.
 *
 * <h2>Threads</h2>
 * Commands run one at a time, in arrival order, on the drive's executor (one thread per drive: file I/O never runs on
 * a frontend's event loop), and complete from it. The medium interface methods and commands exclude each other on the
 * drive's monitor. Mode parameters arrive on the frontend's thread through the {@link DeviceServer} callbacks and are
 * kept in volatile fields.
 *
 * <h2>Buffered mode and what is durable</h2>
 * In buffered mode 1 (the default, as on real LTO drives) a WRITE completes once its block is in the medium's write
 * buffer or the page cache; a synchronous WRITE FILEMARKS (IMMED 0, any count, 0 included), REWIND, READ POSITION,
 * LOAD UNLOAD and unload sync the medium (fdatasync) before they complete. In buffered mode 0 every WRITE and WRITE
 * FILEMARKS syncs. After a crash the cartridge ends after the last object acknowledged by one of those, or later
 * (see {@link TapeMedium}).
 */
public final class TapeDrive implements DeviceServer {
    private static final System.Logger LOG = System.getLogger(TapeDrive.class.getName());

    private final TapeDriveModel model;
    private final String serialNumber;
    private final Executor executor;
    /** The executor is the drive's own thread, stopped by {@link #close}. */
    private boolean ownsExecutor;
    private final TapeLogPages logPages = new TapeLogPages(this::medium);
    private final Set<Nexus> preventers = ConcurrentHashMap.newKeySet();
    private volatile LogicalUnit lu;

    /** The cartridge in the drive, loaded or not; guarded by this. */
    private Cartridge cartridge;
    /** The loaded medium: non-null exactly when the drive is ready. */
    private volatile TapeMedium medium;
    /** Fixed block length of the block descriptor; 0 is variable block mode. */
    private volatile int blockLength;
    /** BUFFERED MODE of the device-specific parameter (SSC-4 8.3.1): 0 unbuffered, 1 or 2 buffered. */
    private volatile int bufferedMode = 1;
    private volatile boolean compressionEnabled = true;
    private volatile boolean compressionSelected = true;

    /**
     * A drive of this model with its own command thread.
     *
     * @param serialNumber the drive's serial number (VPD 80h, and in the changer's device identifier)
     */
    public TapeDrive(TapeDriveModel model, String serialNumber) {
        this(model, serialNumber, Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("tape-" + serialNumber).factory()));
        this.ownsExecutor = true;
    }

    /** A drive whose commands run on {@code executor}, which must run them one at a time in order. */
    public TapeDrive(TapeDriveModel model, String serialNumber, Executor executor) {
        this.model = model;
        this.serialNumber = serialNumber;
        this.executor = executor;
        if (serialNumber.isEmpty() || serialNumber.length() > 32
                || serialNumber.chars().anyMatch(c -> c < 0x21 || c > 0x7E)) {
            throw new IllegalArgumentException("serial number must be 1 to 32 printable ASCII characters");
        }
    }

    /** A stand-alone drive with the cartridge {@code barcode} of {@code pool} loaded. */
    public static TapeDrive standalone(TapeDriveModel model, String serialNumber, CartridgePool pool, String barcode)
            throws IOException {
        TapeDrive drive = new TapeDrive(model, serialNumber);
        drive.load(pool.cartridge(barcode));
        return drive;
    }

    // ---------------------------------------------------------------- identity and medium interface

    public TapeDriveModel model() {
        return model;
    }

    public String serialNumber() {
        return serialNumber;
    }

    /**
     * What the logical unit says it is: the model's vendor, product and revision, this serial number, and an NAA
     * designator derived from the serial number (stable across restarts).
     */
    public LogicalUnitIdentity identity() {
        UUID id = UUID.nameUUIDFromBytes(("lunforge-tape:" + model.vendor() + ":" + serialNumber)
                .getBytes(StandardCharsets.US_ASCII));
        LogicalUnitIdentity derived = LogicalUnitIdentity.of(model.vendor(), model.product(), model.revision(), id);
        return new LogicalUnitIdentity(model.vendor(), model.product(), model.revision(), serialNumber,
                derived.naa());
    }

    /** Inserts and loads a cartridge; see the class comment. */
    public synchronized void load(Cartridge c) throws IOException {
        if (cartridge != null) {
            throw new IllegalStateException("drive " + serialNumber + " already holds " + cartridge.barcode());
        }
        cartridge = c;
        try {
            mount(null);
        } catch (IOException | RuntimeException e) {
            cartridge = null;
            throw e;
        }
    }

    /** Takes the cartridge out; see the class comment. */
    public synchronized Cartridge unload() throws IOException {
        if (cartridge == null) {
            return null;
        }
        if (!preventers.isEmpty()) {
            logPages.alert(TapeLogPages.TAPEALERT_NO_REMOVAL);
            throw new CheckCondition(SenseCode.MEDIUM_REMOVAL_PREVENTED);
        }
        dismount();
        Cartridge out = cartridge;
        cartridge = null;
        return out;
    }

    public synchronized Cartridge cartridge() {
        return cartridge;
    }

    /** True if a cartridge is loaded and the drive is ready. */
    public boolean isReady() {
        return medium != null;
    }

    public boolean isMediumRemovalPrevented() {
        return !preventers.isEmpty();
    }

    /** The loaded medium, or null (for log pages, tests and benchmarks). */
    public TapeMedium medium() {
        return medium;
    }

    /** Loads the cartridge in the drive; tells every I_T nexus but the requester (null: all) the medium changed. */
    private void mount(Nexus requester) throws IOException {
        if (!model.canRead(cartridge.format())) {
            logPages.alert(TapeLogPages.TAPEALERT_UNSUPPORTED_FORMAT);
            return; // stays in the drive, not ready: checkReady reports INCOMPATIBLE MEDIUM INSTALLED
        }
        TapeMedium m = cartridge.load();
        try {
            cartridge.recordLoad(String.format("%-8s%s", model.vendor(), serialNumber));
        } catch (IOException e) {
            m.close();
            throw e;
        }
        logPages.reset();
        medium = m;
        LogicalUnit unit = lu;
        if (unit != null) {
            unit.unitAttentions().establishForAllExcept(requester,
                    SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED);
        }
    }

    private void dismount() throws IOException {
        TapeMedium m = medium;
        medium = null;
        if (m != null) {
            m.close();
        }
    }

    // ---------------------------------------------------------------- DeviceServer

    @Override
    public PeripheralDeviceType deviceType() {
        return PeripheralDeviceType.SEQUENTIAL_ACCESS;
    }

    @Override
    public boolean removableMedium() {
        return true;
    }

    @Override
    public Collection<? extends Operation> operations() {
        return List.of(TapeOperation.values());
    }

    /** The drive answers REQUEST SENSE itself (its EOM bit depends on the position); the other SPC rows serve. */
    @Override
    public boolean supportsSpc(Operation spcOperation) {
        return spcOperation != SpcOperation.REQUEST_SENSE;
    }

    @Override
    public void attach(LogicalUnit logicalUnit) {
        this.lu = logicalUnit;
    }

    @Override
    public int[] versionDescriptors() {
        return new int[] {0x0500}; // SSC-4 (no version claimed)
    }

    @Override
    public void execute(ScsiTask task, Command command) {
        executor.execute(() -> run(task, (TapeCommand) command));
    }

    @Override
    public void checkReady() {
        if (medium == null) {
            Cartridge c;
            synchronized (this) {
                c = cartridge;
            }
            if (c != null && !model.canRead(c.format())) {
                throw new CheckCondition(SenseCode.INCOMPATIBLE_MEDIUM_INSTALLED);
            }
            throw new CheckCondition(SenseCode.MEDIUM_NOT_PRESENT);
        }
    }

    /** The cartridge's write-protect tab, or a format this model reads but does not write. */
    @Override
    public boolean writeProtected() {
        TapeMedium m = medium;
        return m != null && (m.cartridge().attributes().writeProtected() || !model.canWrite(m.cartridge().format()));
    }

    @Override
    public List<ModePageDefinition> modePages() {
        return TapeModePages.all(model.nativeFormat());
    }

    @Override
    public void modePageChanged(ModePageDefinition page, byte[] current) {
        switch (page.pageCode()) {
            case TapeModePages.DATA_COMPRESSION -> compressionEnabled = TapeModePages.compressionEnabled(current);
            case TapeModePages.DEVICE_CONFIGURATION ->
                    compressionSelected = TapeModePages.compressionSelected(current);
            default -> { }
        }
    }

    @Override
    public List<LogPage> logPages() {
        return logPages.pages();
    }

    /**
     * SSC-4 8.3.3: DENSITY CODE of the loaded medium (0 without one), NUMBER OF BLOCKS 0, BLOCK LENGTH the fixed block
     * length (0: variable block mode).
     */
    @Override
    public BlockDescriptor blockDescriptor() {
        TapeMedium m = medium;
        return new BlockDescriptor(m == null ? 0 : m.cartridge().format().densityCode(), 0, blockLength);
    }

    /**
     * MODE SELECT's block descriptor sets the block length (0 variable, else fixed, up to the maximum block length).
     * DENSITY CODE may be 0 (default), 7Fh (no change) or the loaded medium's own; the drive does not reformat a
     * medium to another density. NUMBER OF BLOCKS is ignored, as SSC-4 allows.
     */
    @Override
    public void selectBlockDescriptor(BlockDescriptor descriptor, int parameterListOffset) {
        int density = descriptor.densityCode();
        TapeMedium m = medium;
        boolean known = density == 0 || density == 0x7F
                || (m != null ? density == m.cartridge().format().densityCode()
                        : TapeFormat.ofDensityCode(density) != null
                                && model.canRead(TapeFormat.ofDensityCode(density)));
        if (!known) {
            throw CheckCondition.invalidFieldInParameterList(parameterListOffset, -1);
        }
        if (descriptor.blockLength() > TapeCommand.MAX_BLOCK_LENGTH) {
            throw CheckCondition.invalidFieldInParameterList(parameterListOffset + 5, -1);
        }
        blockLength = descriptor.blockLength();
    }

    /** SSC-4 8.3.1: WP (bit 7), BUFFERED MODE (bits 6..4), SPEED (bits 3..0, 0: the default and only speed). */
    @Override
    public int deviceSpecificParameter() {
        return (writeProtected() ? 0x80 : 0) | (bufferedMode << 4);
    }

    @Override
    public void selectDeviceSpecificParameter(int value, int parameterListOffset) {
        int mode = (value >> 4) & 0x07;
        if (mode > 2) {
            throw CheckCondition.invalidFieldInParameterList(parameterListOffset, 6);
        }
        bufferedMode = mode;
    }

    /** Logical unit reset: the medium removal prevention ends (SPC-4 6.15); position and buffer are kept. */
    @Override
    public void reset() {
        preventers.clear();
    }

    /** Syncs and releases the loaded cartridge (it stays in the drive) and stops the drive's own thread. */
    @Override
    public synchronized void close() {
        try {
            dismount();
        } catch (IOException e) {
            LOG.log(WARNING, () -> "tape drive " + serialNumber + ": closing the medium failed", e);
        }
        if (ownsExecutor && executor instanceof java.util.concurrent.ExecutorService service) {
            service.shutdown();
        }
    }

    // ---------------------------------------------------------------- commands

    private synchronized void run(ScsiTask task, TapeCommand command) {
        LogicalUnit unit = lu;
        try {
            long transferred = switch (command) {
                case TapeCommand.RequestSense r -> requestSense(task, r);
                case TapeCommand.ReadBlockLimits r -> readBlockLimits(task, r);
                case TapeCommand.Read r -> read(task, r);
                case TapeCommand.Write w -> write(task, w);
                case TapeCommand.WriteFilemarks w -> writeFilemarks(w);
                case TapeCommand.Space s -> space(s);
                case TapeCommand.Locate l -> locate(l);
                case TapeCommand.ReadPosition r -> readPosition(task, r);
                case TapeCommand.Rewind r -> {
                    TapeMedium m = ready();
                    m.sync();
                    m.rewind();
                    yield 0;
                }
                case TapeCommand.Erase e -> erase();
                case TapeCommand.LoadUnload l -> loadUnload(task.nexus(), l);
                case TapeCommand.PreventAllowMediumRemoval p -> {
                    if (p.prevent()) {
                        preventers.add(task.nexus());
                    } else {
                        preventers.remove(task.nexus());
                    }
                    yield 0;
                }
                case TapeCommand.ReportDensitySupport r -> reportDensitySupport(task, r);
                case TapeCommand.ReadAttribute r -> returnData(task, MediumAuxiliaryMemory.read(r,
                        MediumAuxiliaryMemory.attributes(ready(), model, serialNumber, logPages.tapeAlerts())),
                        r.allocationLength());
                case TapeCommand.WriteAttribute w -> {
                    ready();
                    MediumAuxiliaryMemory.write(cartridge, parameterList(task, w.parameterListLength()));
                    yield 0;
                }
            };
            unit.good(task, transferred);
        } catch (MediumException e) {
            LOG.log(WARNING, () -> "tape drive " + serialNumber + ": " + e.getMessage());
            unit.fail(task, new CheckCondition(SenseCode.UNRECOVERED_READ_ERROR));
        } catch (IOException e) {
            LOG.log(WARNING, () -> "tape drive " + serialNumber + ": " + command + " failed", e);
            unit.fail(task, new CheckCondition(SenseCode.WRITE_ERROR));
        } catch (RuntimeException e) {
            unit.fail(task, e);
        }
    }

    private TapeMedium ready() {
        TapeMedium m = medium;
        if (m == null) {
            checkReady();
        }
        return m;
    }

    /**
     * REQUEST SENSE (SPC-4 6.39, SSC-4): a pending unit attention (taken), else NOT READY without a medium, else NO
     * SENSE, with the EOM bit while the position is past early warning.
     */
    private long requestSense(ScsiTask task, TapeCommand.RequestSense r) {
        SenseCode pending = lu.unitAttentions().take(task.nexus());
        Sense sense;
        if (pending != null) {
            sense = Sense.of(pending);
        } else if (medium == null) {
            try {
                checkReady();
                sense = Sense.of(SenseCode.NO_ADDITIONAL_SENSE);
            } catch (CheckCondition notReady) {
                sense = notReady.sense();
            }
        } else {
            sense = Sense.of(SenseCode.NO_ADDITIONAL_SENSE)
                    .withStreamBits(false, positionBeyondEarlyWarning(medium), false);
        }
        return returnData(task, sense.encode(r.descriptorFormat()), r.allocationLength());
    }

    /**
     * SSC-4 READ BLOCK LIMITS: GRANULARITY 0 (any length), MAXIMUM BLOCK LENGTH LIMIT 8 MiB, MINIMUM 1; with MLOI the
     * 20-byte form with the MAXIMUM LOGICAL OBJECT IDENTIFIER.
     */
    private long readBlockLimits(ScsiTask task, TapeCommand.ReadBlockLimits r) {
        byte[] d;
        if (r.maximumLogicalObjectIdentifier()) {
            d = new byte[20];
            BigEndian.put64(d, 12, Long.MAX_VALUE);
        } else {
            d = new byte[6];
            BigEndian.put24(d, 1, TapeCommand.MAX_BLOCK_LENGTH);
            BigEndian.put16(d, 4, 1);
        }
        return returnData(task, d, d.length);
    }

    /**
     * READ(6). Variable mode reads one block: a shorter block is an incorrect length (NO SENSE, ILI, INFORMATION the
     * residue) unless SILI; a longer one always is (INFORMATION negative: requested minus actual, two's complement in
     * the 4-byte field). Fixed mode reads TRANSFER LENGTH blocks of the block length and stops after a block of
     * another length (ILI). A filemark stops the read after it (FILEMARK, INFORMATION the residue); EOD stops it where
     * it is (BLANK CHECK, END-OF-DATA DETECTED). The data read so far is returned with the sense.
     */
    private long read(ScsiTask task, TapeCommand.Read r) throws IOException {
        TapeMedium m = ready();
        if (r.transferLength() == 0) {
            return 0;
        }
        SgList in = task.dataIn(r.fixed() ? r.transferLength() * blockLength : r.transferLength());
        if (!r.fixed()) {
            long want = r.transferLength();
            TapeMedium.TapeObject o = m.peek();
            if (o == null) {
                throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false, want, 0);
            }
            if (o.kind() == TapeMedium.Kind.FILEMARK) {
                m.skip();
                throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false, want, 0);
            }
            int length = m.read(in, want);
            countRead(length, o.storedLength());
            if (length == want || (length < want && r.suppressIncorrectLength())) {
                return length;
            }
            throw streamCondition(SenseCode.NO_ADDITIONAL_SENSE, false, false, true, want - length,
                    Math.min(length, want));
        }
        int size = blockLength;
        if (size == 0) {
            throw CheckCondition.invalidFieldInCdb(1, 0); // FIXED in variable block mode
        }
        long count = r.transferLength();
        for (long i = 0; i < count; i++) {
            long done = i * size;
            TapeMedium.TapeObject o = m.peek();
            if (o == null) {
                throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false, count - i, done);
            }
            if (o.kind() == TapeMedium.Kind.FILEMARK) {
                m.skip();
                throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false, count - i, done);
            }
            SgList slot = done >= in.length() ? SgList.EMPTY : in.slice(done, Math.min(size, in.length() - done));
            int length = m.read(slot, size);
            countRead(length, o.storedLength());
            if (length != size) {
                throw streamCondition(SenseCode.NO_ADDITIONAL_SENSE, false, false, true, count - i, done);
            }
        }
        return count * size;
    }

    private void countRead(long length, long stored) {
        logPages.hostBytesRead += length;
        logPages.mediumBytesRead += stored;
    }

    /**
     * WRITE(6) at the position (which truncates the partition there; refused on WORM unless at EOD). A block that does
     * not fit before the physical end is not written: VOLUME OVERFLOW with EOM and INFORMATION the blocks (fixed) or
     * bytes (variable) not written. A write that ends past early warning succeeds and reports NO SENSE, END-OF-
     * PARTITION/MEDIUM DETECTED with EOM and INFORMATION 0: Linux st then returns ENOSPC on the next write, which is
     * how tar -M learns to ask for the next volume.
     */
    private long write(ScsiTask task, TapeCommand.Write w) throws IOException {
        TapeMedium m = ready();
        if (w.transferLength() == 0) {
            return 0;
        }
        checkWormAppend(m);
        SgList out = task.dataOut();
        boolean compress = compressionEnabled && compressionSelected;
        if (!w.fixed()) {
            int length = w.transferLength();
            if (length > TapeCommand.MAX_BLOCK_LENGTH) {
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            if (out.length() < length) {
                throw CheckCondition.invalidFieldInCdb(2, 7); // less data than the transfer length
            }
            long before = m.storedBytesAppended();
            if (m.writeBlock(out.slice(0, length), compress) < 0) {
                throw streamCondition(SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false,
                        length, 0);
            }
            countWrite(length, m.storedBytesAppended() - before);
        } else {
            int size = blockLength;
            if (size == 0) {
                throw CheckCondition.invalidFieldInCdb(1, 0); // FIXED in variable block mode
            }
            long count = w.transferLength();
            if (out.length() < count * size) {
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            for (long i = 0; i < count; i++) {
                long before = m.storedBytesAppended();
                if (m.writeBlock(out.slice(i * size, size), compress) < 0) {
                    afterWrite(m);
                    throw streamCondition(SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false,
                            count - i, i * size);
                }
                countWrite(size, m.storedBytesAppended() - before);
            }
        }
        afterWrite(m);
        if (m.beyondEarlyWarning()) {
            throw streamCondition(SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 0,
                    w.fixed() ? (long) w.transferLength() * blockLength : w.transferLength());
        }
        return w.fixed() ? (long) w.transferLength() * blockLength : w.transferLength();
    }

    private void countWrite(long length, long stored) {
        logPages.hostBytesWritten += length;
        logPages.mediumBytesWritten += stored;
    }

    /** Unbuffered mode: the block is on the medium before the command completes. */
    private void afterWrite(TapeMedium m) throws IOException {
        if (bufferedMode == 0) {
            m.sync();
        }
    }

    /** WORM (SSC-4 4.2.?): objects are appended at EOD only; anything else would overwrite. */
    private void checkWormAppend(TapeMedium m) {
        if (m.cartridge().worm() && !m.atEndOfData()) {
            throw new CheckCondition(SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        }
    }

    /**
     * WRITE FILEMARKS(6): COUNT filemarks at the position, then (IMMED 0) a sync: every object written before it is
     * durable when it completes, which is what a backup application's "end of file" relies on. COUNT 0 only syncs.
     * Early warning and the physical end are reported as for WRITE.
     */
    private long writeFilemarks(TapeCommand.WriteFilemarks w) throws IOException {
        TapeMedium m = ready();
        if (w.count() > 0) {
            checkWormAppend(m);
        }
        for (int i = 0; i < w.count(); i++) {
            if (!m.writeFilemark()) {
                m.sync();
                throw streamCondition(SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false,
                        w.count() - i, 0);
            }
        }
        if (!w.immediate() || bufferedMode == 0) {
            m.sync();
        }
        if (w.count() > 0 && m.beyondEarlyWarning()) {
            throw streamCondition(SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 0, 0);
        }
        return 0;
    }

    /** ERASE(6): EOD at the position (LONG or not: the rest of the partition is gone either way). */
    private long erase() throws IOException {
        TapeMedium m = ready();
        if (m.cartridge().worm()) {
            throw new CheckCondition(SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        }
        m.eraseFromPosition();
        m.sync();
        return 0;
    }

    /**
     * LOAD UNLOAD (SSC-4 7.2). LOAD (re)loads the cartridge in the drive and positions at BOP (RETEN likewise);
     * unload syncs and unloads it, refused with MEDIUM REMOVAL PREVENTED while prevention is in force. An unloaded
     * cartridge stays in the drive for the changer, or for the next LOAD.
     */
    private long loadUnload(Nexus nexus, TapeCommand.LoadUnload l) throws IOException {
        if (cartridge == null) {
            throw new CheckCondition(SenseCode.MEDIUM_NOT_PRESENT);
        }
        if (l.load()) {
            if (medium == null) {
                mount(nexus);
                checkReady();
            }
            medium.sync();
            medium.rewind();
            return 0;
        }
        if (!preventers.isEmpty()) {
            logPages.alert(TapeLogPages.TAPEALERT_NO_REMOVAL);
            throw new CheckCondition(SenseCode.MEDIUM_REMOVAL_PREVENTED);
        }
        dismount();
        return 0;
    }

    /**
     * SPACE(6) and SPACE(16) (SSC-4 7.?). Over blocks: a filemark stops the motion after it (forward) or before it
     * (backward) with FILEMARK and INFORMATION the blocks not spaced; EOD stops it with BLANK CHECK, END-OF-DATA
     * DETECTED; BOP with NO SENSE, BEGINNING-OF-PARTITION/MEDIUM DETECTED and EOM. Over filemarks: EOD and BOP
     * likewise. INFORMATION is the magnitude of what was not spaced. Sequential filemarks: to after the first run of
     * COUNT consecutive filemarks (before the last such run, backward). End of data: to EOD.
     */
    private long space(TapeCommand.Space s) throws IOException {
        TapeMedium m = ready();
        long n = s.count();
        long pos = m.position();
        long eod = m.endOfData();
        switch (s.code()) {
            case END_OF_DATA -> m.locate(eod);
            case BLOCKS -> {
                if (n > 0) {
                    int next = m.filemarksBefore(pos);
                    long mark = next < m.filemarkCount() ? m.filemark(next) : Long.MAX_VALUE;
                    if (mark < pos + n) {
                        m.locate(mark + 1);
                        throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false, n - (mark - pos), 0);
                    }
                    if (pos + n > eod) {
                        m.locate(eod);
                        throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false,
                                n - (eod - pos), 0);
                    }
                    m.locate(pos + n);
                } else if (n < 0) {
                    long want = -n;
                    int previous = m.filemarksBefore(pos) - 1;
                    long mark = previous >= 0 ? m.filemark(previous) : -1;
                    if (previous >= 0 && mark >= pos - want) {
                        m.locate(mark);
                        throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false,
                                want - (pos - 1 - mark), 0);
                    }
                    if (pos - want < 0) {
                        m.locate(0);
                        throw streamCondition(SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED, false, true, false,
                                want - pos, 0);
                    }
                    m.locate(pos - want);
                }
            }
            case FILEMARKS -> {
                int before = m.filemarksBefore(pos);
                if (n > 0) {
                    long target = before + n - 1;
                    if (target >= m.filemarkCount()) {
                        m.locate(eod);
                        throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false,
                                n - (m.filemarkCount() - before), 0);
                    }
                    m.locate(m.filemark((int) target) + 1);
                } else if (n < 0) {
                    long want = -n;
                    long target = before - want;
                    if (target < 0) {
                        m.locate(0);
                        throw streamCondition(SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED, false, true, false,
                                want - before, 0);
                    }
                    m.locate(m.filemark((int) target));
                }
            }
            case SEQUENTIAL_FILEMARKS -> spaceSequentialFilemarks(m, n, pos, eod);
        }
        return 0;
    }

    private void spaceSequentialFilemarks(TapeMedium m, long n, long pos, long eod) throws IOException {
        if (n == 0) {
            return;
        }
        int count = m.filemarkCount();
        long run = Math.abs(n);
        if (n > 0) {
            for (int i = m.filemarksBefore(pos); i + run - 1 < count; i++) {
                if (m.filemark((int) (i + run - 1)) - m.filemark(i) == run - 1) {
                    m.locate(m.filemark((int) (i + run - 1)) + 1);
                    return;
                }
            }
            m.locate(eod);
            throw new CheckCondition(SenseCode.END_OF_DATA_DETECTED);
        }
        for (int last = m.filemarksBefore(pos) - 1; last - run + 1 >= 0; last--) {
            int first = (int) (last - run + 1);
            if (m.filemark(last) - m.filemark(first) == run - 1) {
                m.locate(m.filemark(first));
                return;
            }
        }
        m.locate(0);
        throw new CheckCondition(Sense.of(SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED)
                .withStreamBits(false, true, false));
    }

    /**
     * LOCATE(10) and LOCATE(16) (SSC-4 7.3, 7.4): to a logical object identifier, to the start of a logical file (after
     * its preceding filemark), or to EOD. A destination beyond EOD ends at EOD with BLANK CHECK, END-OF-DATA DETECTED.
     */
    private long locate(TapeCommand.Locate l) throws IOException {
        TapeMedium m = ready();
        long eod = m.endOfData();
        long target = switch (l.destination()) {
            case LOGICAL_OBJECT -> l.identifier();
            case LOGICAL_FILE -> l.identifier() == 0 ? 0
                    : l.identifier() <= m.filemarkCount() ? m.filemark((int) (l.identifier() - 1)) + 1
                    : Long.MAX_VALUE;
            case END_OF_DATA -> eod;
        };
        if (target > eod) {
            m.locate(eod);
            throw new CheckCondition(SenseCode.END_OF_DATA_DETECTED);
        }
        m.locate(target);
        return 0;
    }

    /** READ POSITION (SSC-4 7.7): syncs the buffer, then reports the position in the requested form. */
    private long readPosition(ScsiTask task, TapeCommand.ReadPosition r) throws IOException {
        TapeMedium m = ready();
        m.sync();
        PositionData p = new PositionData(m.position(), m.filemarksBeforePosition(), m.position() == 0,
                positionBeyondEarlyWarning(m));
        return switch (r.form()) {
            case SHORT_FORM_BLOCK_ID, SHORT_FORM_VENDOR_SPECIFIC -> returnData(task, p.shortForm(), Long.MAX_VALUE);
            case LONG_FORM -> returnData(task, p.longForm(), Long.MAX_VALUE);
            case EXTENDED_FORM -> returnData(task, p.extendedForm(), r.allocationLength());
        };
    }

    private static boolean positionBeyondEarlyWarning(TapeMedium m) {
        return m.usedBeforePosition() > m.capacity() - m.cartridge().spec().earlyWarningZone();
    }

    /** REPORT DENSITY SUPPORT: the densities (or medium types) this model reads; with MEDIA, the loaded medium's. */
    private long reportDensitySupport(ScsiTask task, TapeCommand.ReportDensitySupport r) {
        List<TapeFormat> formats = model.readableFormats();
        if (r.media()) {
            formats = DensitySupport.only(ready().cartridge().format());
        }
        byte[] data = r.mediumType() ? DensitySupport.mediumTypes(formats) : DensitySupport.densities(model, formats);
        return returnData(task, data, r.allocationLength());
    }

    /** A NO SENSE/BLANK CHECK/VOLUME OVERFLOW condition with stream bits, INFORMATION, and the data moved so far. */
    private static CheckCondition streamCondition(SenseCode code, boolean filemark, boolean endOfMedium,
                                                  boolean incorrectLength, long information, long transferred) {
        // The 4-byte INFORMATION field of fixed sense is two's complement for a negative residue (SSC-4 4.2.?).
        Sense sense = Sense.of(code).withStreamBits(filemark, endOfMedium, incorrectLength)
                .withInformation(information & 0xFFFF_FFFFL);
        return new CheckCondition(sense, transferred);
    }

    private static long returnData(ScsiTask task, byte[] data, long allocationLength) {
        int length = (int) Math.min(data.length, allocationLength);
        task.dataIn(length).put(0, length == data.length ? data : Arrays.copyOf(data, length));
        return length;
    }

    private static byte[] parameterList(ScsiTask task, long length) {
        long available = Math.min(length, task.dataOut().length());
        return task.dataOut().toByteArray(0, (int) Math.min(available, 1 << 20));
    }
}
