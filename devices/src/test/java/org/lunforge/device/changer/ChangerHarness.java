package org.lunforge.device.changer;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lunforge.device.vtl.DataTransferDevice;
import org.lunforge.device.vtl.FakeDrive;
import org.lunforge.device.vtl.FakePool;
import org.lunforge.device.vtl.LibraryConfig;
import org.lunforge.device.vtl.LibraryConfig.CartridgePlacement;
import org.lunforge.device.vtl.LibraryConfig.ChangerIdentity;
import org.lunforge.device.vtl.LibraryConfig.DriveConfig;
import org.lunforge.device.vtl.VirtualTapeLibrary;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskResponse;

/**
 * A virtual tape library over fake drives and a fake pool, its changer logical unit running movements on the caller's
 * thread, and the commands tests send it. The standard layout: transport 0x0000, import/export from 0x0010, drives from
 * 0x0100, slots from 0x0400.
 */
public final class ChangerHarness {
    public static final UUID UNIT = UUID.fromString("0d3c1a52-7e5e-4a8f-9c2b-7e4d1a0f3b99");
    public static final TargetPort PORT = TargetPort.iscsi(1, "iqn.2025-01.org.lunforge:vtl", 1);
    public static final int TRANSPORT = 0x0000;
    public static final int IE = 0x0010;
    public static final int DRIVE = 0x0100;
    public static final int SLOT = 0x0400;

    public final Path stateFolder;
    public final FakePool pool;
    public final List<FakeDrive> drives;
    public final LibraryConfig config;
    public final VirtualTapeLibrary library;
    public final LogicalUnit lu;

    /** Two drives (LUNs 1 and 2), ten slots, two import/export slots; LF0001L8..LF0004L8 in slots 1..4. */
    public static ChangerHarness standard(Path dir) {
        return new ChangerHarness(dir, new FakePool(), fakeDrives(2), 10, 2,
                List.of(place("LF0001L8", 1), place("LF0002L8", 2), place("LF0003L8", 3), place("LF0004L8", 4)));
    }

    public ChangerHarness(Path dir, FakePool pool, List<FakeDrive> drives, int slots, int ieSlots,
                          List<CartridgePlacement> cartridges) {
        this.stateFolder = dir.resolve("state");
        this.pool = pool;
        this.drives = drives;
        List<DriveConfig> driveConfigs = new ArrayList<>();
        for (int i = 0; i < drives.size(); i++) {
            driveConfigs.add(new DriveConfig("drive" + i, i + 1 <= 7 ? i + 1 : -1));
        }
        this.config = new LibraryConfig("vtl0", dir.resolve("pool"), stateFolder, ChangerIdentity.stkL700(UNIT),
                driveConfigs, slots, ieSlots, cartridges);
        try {
            this.library = VirtualTapeLibrary.open(config, List.<DataTransferDevice>copyOf(drives), pool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.lu = new LogicalUnit("changer", config.changer().logicalUnitIdentity(),
                new MediumChangerDevice(library, Runnable::run), StateStore.inMemory());
    }

    /** The library after a daemon restart: same state folder, pool and drives (which keep what they hold). */
    public ChangerHarness restarted() {
        return new ChangerHarness(stateFolder.getParent(), pool, drives, config.storageSlots(),
                config.importExportSlots(), config.cartridges());
    }

    public static List<FakeDrive> fakeDrives(int n) {
        List<FakeDrive> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            d.add(new FakeDrive("10WT00000" + i));
        }
        return d;
    }

    public static CartridgePlacement place(String barcode, int slot) {
        return new CartridgePlacement(barcode, null, slot);
    }

    public static Nexus nexus(String initiator) {
        return new Nexus(InitiatorPort.iscsi(initiator, 0x23D000000001L), PORT);
    }

    /** A nexus whose power-on unit attention is consumed (TEST UNIT READY until GOOD). */
    public Nexus login(String initiator) {
        Nexus n = nexus(initiator);
        for (int i = 0; i < 5; i++) {
            if (in(n, 0, 0x00, 0, 0, 0, 0, 0).response().status() == ScsiStatus.GOOD) {
                return n;
            }
        }
        throw new AssertionError("unit attentions never cleared");
    }

    public RecordingTask in(Nexus nexus, int dataInLength, int... cdb) {
        RecordingTask t = new RecordingTask(nexus, Cdb.of(cdb), new byte[0], dataInLength);
        lu.execute(t);
        return t;
    }

    public RecordingTask run(Nexus nexus, int... cdb) {
        return in(nexus, 65536, cdb);
    }

    public RecordingTask move(Nexus nexus, int source, int destination) {
        return run(nexus, 0xA5, 0, 0, 0, source >> 8, source & 0xFF, destination >> 8, destination & 0xFF, 0, 0, 0,
                0);
    }

    public RecordingTask exchange(Nexus nexus, int source, int first, int second) {
        return run(nexus, 0xA6, 0, 0, 0, source >> 8, source & 0xFF, first >> 8, first & 0xFF, second >> 8,
                second & 0xFF, 0, 0);
    }

    /** READ ELEMENT STATUS. */
    public RecordingTask readElementStatus(Nexus nexus, int type, boolean voltag, boolean dvcid, int start, int count,
                                      int allocation) {
        return in(nexus, Math.max(allocation, 1), 0xB8, (voltag ? 0x10 : 0) | type, start >> 8, start & 0xFF,
                count >> 8, count & 0xFF, dvcid ? 1 : 0, allocation >> 16, (allocation >> 8) & 0xFF,
                allocation & 0xFF, 0, 0);
    }

    public RecordingTask preventAllow(Nexus nexus, boolean prevent) {
        return run(nexus, 0x1E, 0, 0, 0, prevent ? 1 : 0, 0);
    }

    /** Takes one pending unit attention with REQUEST SENSE. */
    public SenseCode requestSense(Nexus nexus) {
        RecordingTask t = in(nexus, 252, 0x03, 0, 0, 0, 252, 0);
        assertGood(t);
        return Sense.decode(t.data()).code();
    }

    public static void assertGood(RecordingTask t) {
        TaskResponse r = t.response();
        assertEquals(ScsiStatus.GOOD, r.status(), () -> "expected GOOD, got " + describe(r));
    }

    public static Sense assertCheck(RecordingTask t, SenseCode code) {
        TaskResponse r = t.response();
        assertEquals(ScsiStatus.CHECK_CONDITION, r.status(), () -> "expected " + code + ", got " + describe(r));
        Sense s = Sense.decode(r.sense());
        assertEquals(code, s.code());
        return s;
    }

    /** CHECK CONDITION with this code and a field pointer into the CDB at this byte and bit. */
    public static void assertField(RecordingTask t, SenseCode code, int byteIndex, int bit) {
        Sense s = assertCheck(t, code);
        assertEquals(Sense.FieldPointer.cdb(byteIndex, bit), s.fieldPointer(), "field pointer");
    }

    public static String describe(TaskResponse r) {
        return r.status() + (r.sense().length > 0 ? " " + Sense.decode(r.sense()) : "");
    }
}
