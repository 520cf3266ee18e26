package org.lunforge.device.tape;

import static java.lang.System.Logger.Level.WARNING;
import static org.lunforge.device.tape.TapeOutcomes.streamCondition;

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
import org.lunforge.backstore.tape.CartridgeStore;
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
import org.lunforge.scsi.spc.SpcOperation;

/**
 * An SSC-4 LTO tape drive (peripheral device type 01h, removable medium) over a {@link CartridgeStore}. It identifies
 * as a real drive model ({@link TapeDriveModel}) and serves what the Linux st driver, mt, tar, Bacula and Amanda send:
 * READ/WRITE(6) in fixed and variable block mode, WRITE FILEMARKS, SPACE(6/16), LOCATE(10/16), READ POSITION (short,
 * long and extended forms), REWIND, LOAD UNLOAD, ERASE, READ BLOCK LIMITS, REPORT DENSITY SUPPORT, READ/WRITE ATTRIBUTE,
 * PREVENT ALLOW MEDIUM REMOVAL, SECURITY PROTOCOL IN/OUT (tape data encryption, {@link TapeDataEncryption}), its mode
 * pages (data compression 0Fh, device configuration 10h, medium partition 11h)
 * and log pages (02h, 03h, 0Ch, 1Bh, 2Eh, 31h).
 *
 * <h2>The medium interface, for a changer or a stand-alone configuration</h2>
 * <ul>
 * <li>{@link #load(Cartridge)}: a cartridge is inserted and loaded (the changer's MOVE MEDIUM into the drive). The
 *     drive becomes ready at BOP and every I_T nexus gets NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED on its
 *     next command. A cartridge this model cannot read stays in the drive, not ready (INCOMPATIBLE MEDIUM
 *     INSTALLED). A cleaning cartridge cleans the drive and stays in it, not ready (CLEANING CARTRIDGE INSTALLED),
 *     until it is unloaded; each load is one of its uses, and an expired one does not clean (CLEANING FAILURE,
 *     TapeAlert EXPIRED CLEANING MEDIA).</li>
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
    private final DriveCleaning cleaning = new DriveCleaning();
    private final TapeLogPages logPages = new TapeLogPages(this::medium, cleaning);
    /** The next READ or WRITE fails with a medium error (an operator's injection, for backup software's error path). */
    private volatile boolean mediumErrorInjected;
    /** The cleaning cartridge in the drive had no uses left when it was loaded. */
    private volatile boolean expiredCleaningCartridge;
    private final TapeReadWrite readWrite = new TapeReadWrite(this);
    private final TapePositioning positioning = new TapePositioning(this);
    private final TapeDataEncryption encryption = new TapeDataEncryption();
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
    private final TapeDriveStatistics statistics = new TapeDriveStatistics();
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
    public static TapeDrive standalone(TapeDriveModel model, String serialNumber, CartridgeStore pool, String barcode)
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
            logPages.alert(TapeAlertFlag.NO_REMOVAL);
            throw new CheckCondition(SenseCode.MEDIUM_REMOVAL_PREVENTED);
        }
        dismount();
        logPages.loadChanged();
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
        logPages.loadChanged();
        if (cartridge.cleaning()) {
            clean();
            return; // stays in the drive, not ready: checkReady reports why
        }
        if (!model.canRead(cartridge.format())) {
            logPages.alert(TapeAlertFlag.UNSUPPORTED_FORMAT);
            return; // stays in the drive, not ready: checkReady reports INCOMPATIBLE MEDIUM INSTALLED
        }
        if (!model.canWrite(cartridge.format())) {
            logPages.alert(TapeAlertFlag.READ_ONLY_FORMAT);
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
        statistics.mounts.increment();
        LogicalUnit unit = lu;
        if (unit != null) {
            unit.unitAttentions().establishForAllExcept(requester,
                    SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED);
        }
    }

    /**
     * A cleaning cartridge was loaded: with uses left, one is used (its memory's LOAD COUNT) and the heads are clean;
     * expired, nothing happens but TapeAlert EXPIRED CLEANING MEDIA. Either way TapeAlert CLEANING MEDIA: it is not a
     * data cartridge.
     */
    private void clean() throws IOException {
        logPages.alert(TapeAlertFlag.CLEANING_MEDIA);
        expiredCleaningCartridge = cartridge.cleaningUsesLeft() == 0;
        if (expiredCleaningCartridge) {
            logPages.alert(TapeAlertFlag.EXPIRED_CLEANING_MEDIA);
            LOG.log(WARNING, () -> "tape drive " + serialNumber + ": cleaning cartridge " + cartridge.barcode()
                    + " is expired");
            return;
        }
        cartridge.recordLoad(String.format("%-8s%s", model.vendor(), serialNumber));
        logPages.reset();
        cleaning.cleaned();
    }

    /** Bytes of tape between cleanings; 0 (the default): the drive never asks to be cleaned. */
    public void setCleaningInterval(long bytes) {
        cleaning.setInterval(bytes);
    }

    /** True once the cleaning interval has passed, until a cleaning cartridge with uses left is loaded. */
    public boolean cleaningRequired() {
        return logPages.cleaningRequired();
    }

    /** Times a cleaning cartridge cleaned this drive since it started. */
    public int cleanings() {
        return cleaning.cleanings();
    }

    /** The TapeAlert flags set and not yet read by a LOG SENSE of page 2Eh, flag n as bit n-1. */
    public long tapeAlerts() {
        return logPages.tapeAlerts();
    }

    /** Sets TapeAlert flag 1..64 as if the drive had raised it (an operator's injection). */
    public void injectTapeAlert(int flag) {
        logPages.alert(flag);
    }

    /**
     * The next READ or WRITE (of any initiator) fails: MEDIUM ERROR, UNRECOVERED READ ERROR or WRITE ERROR, with
     * TapeAlert HARD ERROR, MEDIA and READ or WRITE FAILURE. It fails once; the position does not move.
     */
    public void injectMediumError() {
        mediumErrorInjected = true;
    }

    /** True while an injected medium error waits for a READ or WRITE. */
    public boolean mediumErrorInjected() {
        return mediumErrorInjected;
    }

    /** The injected medium error, if one waits and this command reads or writes; consumed. */
    private void failIfInjected(TapeCommand command) {
        boolean read = command instanceof TapeCommand.Read;
        if (!(read || command instanceof TapeCommand.Write) || !mediumErrorInjected) {
            return;
        }
        ready();
        mediumErrorInjected = false;
        logPages.alert(TapeAlertFlag.HARD_ERROR);
        logPages.alert(TapeAlertFlag.MEDIA);
        logPages.alert(read ? TapeAlertFlag.READ_FAILURE : TapeAlertFlag.WRITE_FAILURE);
        throw new CheckCondition(read ? SenseCode.UNRECOVERED_READ_ERROR : SenseCode.WRITE_ERROR);
    }

    private void dismount() throws IOException {
        TapeMedium m = medium;
        medium = null;
        cleaning.counted(TapeLogPages.loadBytes(m));
        encryption.volumeDemounted();
        if (m != null) {
            m.close();
        }
    }

    // ---------------------------------------------------------------- settings the command families read

    /** Fixed block length of the block descriptor; 0 is variable block mode. */
    int blockLength() {
        return blockLength;
    }

    /** BUFFERED MODE of the device-specific parameter: 0 unbuffered, 1 or 2 buffered. */
    int bufferedMode() {
        return bufferedMode;
    }

    /** True if written blocks are compressed: DCE of page 0Fh and SELECT DATA COMPRESSION ALGORITHM of page 10h. */
    boolean compressing() {
        return compressionEnabled && compressionSelected;
    }

    TapeLogPages logCounters() {
        return logPages;
    }

    /** The data encryption parameters of the I_T nexuses and the keys (SSC-4 tape data encryption). */
    TapeDataEncryption encryption() {
        return encryption;
    }

    /** The drive's running totals since it was made (bytes, blocks, filemarks, mounts), for metrics. */
    public TapeDriveStatistics statistics() {
        return statistics;
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
            if (c != null && c.cleaning()) {
                throw new CheckCondition(expiredCleaningCartridge
                        ? SenseCode.CLEANING_FAILURE : SenseCode.CLEANING_CARTRIDGE_INSTALLED);
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

    /**
     * Logical unit reset: the medium removal prevention ends (SPC-4 6.15) and every data encryption key is forgotten
     * (SSC-4: the parameters return to their defaults, as at power on); position and buffer are kept.
     */
    @Override
    public void reset() {
        preventers.clear();
        encryption.reset();
    }

    /** I_T nexus loss: that nexus's LOCAL data encryption parameters go with it. */
    @Override
    public void nexusLost(Nexus nexus) {
        encryption.nexusLost(nexus);
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
            failIfInjected(command);
            long transferred = switch (command) {
                case TapeCommand.RequestSense r -> requestSense(task, r);
                case TapeCommand.ReadBlockLimits r -> readBlockLimits(task, r);
                case TapeCommand.Read r -> readWrite.read(task, r);
                case TapeCommand.Write w -> readWrite.write(task, w);
                case TapeCommand.WriteFilemarks w -> readWrite.writeFilemarks(w);
                case TapeCommand.Space s -> positioning.space(s);
                case TapeCommand.Locate l -> positioning.locate(l);
                case TapeCommand.ReadPosition r -> positioning.readPosition(task, r);
                case TapeCommand.Rewind r -> {
                    TapeMedium m = ready();
                    m.sync();
                    m.rewind();
                    yield 0;
                }
                case TapeCommand.Erase e -> readWrite.erase();
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
                case TapeCommand.SecurityProtocolIn s -> returnData(task,
                        encryption.securityProtocolIn(task.nexus(), s, medium, this::checkReady),
                        s.allocationLength());
                case TapeCommand.SecurityProtocolOut s -> {
                    if (encryption.securityProtocolOut(task.nexus(), s, parameterList(task, s.transferLength()))) {
                        unit.unitAttentions().establishForAllExcept(task.nexus(),
                                SenseCode.DATA_ENCRYPTION_PARAMETERS_CHANGED_BY_ANOTHER_I_T_NEXUS);
                    }
                    yield 0;
                }
                case TapeCommand.WriteAttribute w -> {
                    ready();
                    MediumAuxiliaryMemory.write(cartridge, parameterList(task, w.parameterListLength()));
                    yield 0;
                }
            };
            unit.good(task, transferred);
        } catch (MediumException | EncryptedBlockException e) {
            LOG.log(WARNING, () -> "tape drive " + serialNumber + ": " + e.getMessage());
            unit.fail(task, TapeOutcomes.checkCondition(e, command));
        } catch (IOException e) {
            LOG.log(WARNING, () -> "tape drive " + serialNumber + ": " + command + " failed", e);
            unit.fail(task, TapeOutcomes.checkCondition(e, command));
        } catch (RuntimeException e) {
            unit.fail(task, e);
        }
    }

    /** The loaded medium; NOT READY (as {@link #checkReady}) without one. */
    TapeMedium ready() {
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
                    .withStreamBits(false, TapePositioning.positionBeyondEarlyWarning(medium), false);
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
            logPages.alert(TapeAlertFlag.NO_REMOVAL);
            throw new CheckCondition(SenseCode.MEDIUM_REMOVAL_PREVENTED);
        }
        dismount();
        return 0;
    }

    private long reportDensitySupport(ScsiTask task, TapeCommand.ReportDensitySupport r) {
        List<TapeFormat> formats = model.readableFormats();
        if (r.media()) {
            formats = DensitySupport.only(ready().cartridge().format());
        }
        byte[] data = r.mediumType() ? DensitySupport.mediumTypes(formats) : DensitySupport.densities(model, formats);
        return returnData(task, data, r.allocationLength());
    }
    static long returnData(ScsiTask task, byte[] data, long allocationLength) {
        int length = (int) Math.min(data.length, allocationLength);
        task.dataIn(length).put(0, length == data.length ? data : Arrays.copyOf(data, length));
        return length;
    }

    private static byte[] parameterList(ScsiTask task, long length) {
        long available = Math.min(length, task.dataOut().length());
        return task.dataOut().toByteArray(0, (int) Math.min(available, 1 << 20));
    }
}
