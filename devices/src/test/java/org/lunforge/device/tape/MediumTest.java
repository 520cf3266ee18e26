package org.lunforge.device.tape;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.StreamCommandsTest.data;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.tape.Cartridge;
import org.lunforge.backstore.tape.FileCartridgeStore;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** The cartridge in the drive: load and unload, unit attentions, capacity, WORM, durability. */
class MediumTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void create() throws IOException {
        h = new TapeHarness(dir.resolve("pool"));
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void noCartridgeIsNotReadyMediumNotPresent() {
        h.clearAttentionsOrNotReady();
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.MEDIUM_NOT_PRESENT);
        assertCheck(h.readVariable(10), SenseCode.MEDIUM_NOT_PRESENT);
        RecordingTask rs = h.in(252, 0x03, 0, 0, 0, 252, 0);
        assertGood(rs);
        assertEquals(SenseCode.MEDIUM_NOT_PRESENT, Sense.decode(rs.data()).code());
    }

    @Test
    void loadRaisesNotReadyToReadyForEveryNexus() throws IOException {
        Nexus other = TapeHarness.nexus("iqn.1994-05.com.redhat:other");
        h.clearAttentionsOrNotReady();
        h.clearAttentionsOrNotReady(other);
        h.drive.load(h.pool.create(CartridgeSpec.ofBarcode("LF0001L8")));
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED);
        assertGood(h.run(0x00, 0, 0, 0, 0, 0));
        RecordingTask rs = h.in(other, 252, 0x03, 0, 0, 0, 252, 0);
        assertEquals(SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED, Sense.decode(rs.data()).code());
        assertGood(h.in(other, 0, 0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void stOpenSequence() throws IOException {
        // The host logged in to an empty drive: power on, then no medium.
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.MEDIUM_NOT_PRESENT);
        h.drive.load(h.pool.create(CartridgeSpec.ofBarcode("LF0001L8")));
        // st's open: TEST UNIT READY until GOOD, which the medium change takes one of.
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED);
        assertGood(h.run(0x00, 0, 0, 0, 0, 0));
        // A host that logs in after the load sees the power-on condition only.
        Nexus late = TapeHarness.nexus("iqn.1994-05.com.redhat:late");
        assertCheck(h.in(late, 0, 0x00, 0, 0, 0, 0, 0), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertGood(h.in(late, 0, 0x00, 0, 0, 0, 0, 0));
        // READ BLOCK LIMITS
        byte[] limits = h.in(6, 0x05, 0, 0, 0, 0, 0).data();
        assertEquals(6, limits.length);
        assertEquals(0, limits[0] & 0x1F, "granularity");
        assertEquals(8 << 20, BigEndian.u24(limits, 1));
        assertEquals(1, BigEndian.u16(limits, 4));
        // MODE SENSE(6), 12 bytes: header and block descriptor
        byte[] mode = h.in(12, 0x1A, 0, 0, 0, 12, 0).data();
        assertEquals(12, mode.length);
        assertEquals(8, mode[3], "block descriptor length");
        assertEquals(0x10, mode[2] & 0xF0, "not write protected, buffered mode 1");
        assertEquals(0x5E, mode[4] & 0xFF);
        assertEquals(0, BigEndian.u24(mode, 9), "variable block mode");
        // MODE SELECT(6) of the same 12 bytes, as st's set_mode_densblk sends when it sets the block size
        byte[] select = mode.clone();
        select[0] = 0;
        assertGood(h.out(select, 0x15, 0x10, 0, 0, 12, 0));
        // READ POSITION for the partition (st with partitions), and the inquiry st binds to
        assertGood(h.readPosition(0, 0));
        byte[] inquiry = h.in(96, 0x12, 0, 0, 0, 96, 0).data();
        assertEquals(0x01, inquiry[0], "sequential-access device");
        assertEquals(0x80, inquiry[1] & 0x80, "removable");
        assertEquals("IBM     ULT3580-TD8     ", new String(inquiry, 8, 24));
        byte[] serial = h.in(64, 0x12, 1, 0x80, 0, 64, 0).data();
        assertEquals("1013000001", new String(serial, 4, serial.length - 4));
    }

    @Test
    void unloadIsRefusedWhileRemovalIsPrevented() throws IOException {
        Cartridge c = h.loadNew("LF0001L8");
        assertGood(h.run(0x1E, 0, 0, 0, 1, 0));
        assertTrue(h.drive.isMediumRemovalPrevented());
        assertCheck(h.run(0x1B, 0, 0, 0, 0, 0), SenseCode.MEDIUM_REMOVAL_PREVENTED);
        CheckCondition refused = assertThrows(CheckCondition.class, () -> h.drive.unload());
        assertEquals(SenseCode.MEDIUM_REMOVAL_PREVENTED, refused.sense().code());
        assertTrue(h.drive.isReady());
        assertGood(h.run(0x1E, 0, 0, 0, 0, 0));
        assertSame(c, h.drive.unload());
        assertNull(h.drive.cartridge());
        assertFalse(c.isLoaded(), "the cartridge lock went with it");
    }

    @Test
    void loadUnloadCommandKeepsTheCartridgeForTheChanger() throws IOException {
        Cartridge c = h.loadNew("LF0001L8");
        h.writeVariable(data(1000, 1));
        assertGood(h.run(0x1B, 0, 0, 0, 0, 0)); // unload
        assertFalse(h.drive.isReady());
        assertSame(c, h.drive.cartridge());
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.MEDIUM_NOT_PRESENT);
        assertGood(h.run(0x1B, 0, 0, 0, 1, 0)); // load again
        assertGood(h.run(0x00, 0, 0, 0, 0, 0));
        assertEquals(0, h.tell());
        assertArrayEquals(data(1000, 1), h.readVariable(1000).data());
        assertEquals(2, h.pool.cartridge("LF0001L8").attributes().loadCount());
        assertSame(c, h.drive.unload());
    }

    @Test
    void oneCartridgeInOneDrive() throws IOException {
        Cartridge c = h.loadNew("LF0001L8");
        TapeDrive second = new TapeDrive(TapeDriveModel.HP_LTO8, "HU0000002", Runnable::run);
        assertThrows(IOException.class, () -> second.load(h.pool.cartridge("LF0001L8")));
        assertNull(second.cartridge());
        assertThrows(IllegalStateException.class, () -> h.drive.load(c));
    }

    @Test
    void earlyWarningThenVolumeOverflow() throws IOException {
        // 1 MB tape, early warning 200 kB before its end; 100,000-byte blocks take 100,032 bytes each.
        h.loadNew(CartridgeSpec.ofBarcode("LF0001L8").withCapacity(1_000_000, 200_000));
        for (int i = 0; i < 7; i++) {
            assertGood(h.writeVariable(data(100_000, i)));
        }
        assertEquals(0, h.readPosition(0, 0).data()[0] & 0x40, "EOP clear before early warning");
        // The eighth passes early warning: written, and reported as NO SENSE with EOM, residue 0.
        assertStream(h.writeVariable(data(100_000, 7)), SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true,
                false, 0);
        assertStream(h.writeVariable(data(100_000, 8)), SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true,
                false, 0);
        // The tenth does not fit: VOLUME OVERFLOW, EOM, the whole transfer unwritten.
        assertStream(h.writeVariable(data(100_000, 9)), SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false,
                true, false, 100_000);
        // A filemark still fits (st's close writes one): NO SENSE, EOM, residue 0.
        assertStream(h.writeFilemarks(1, false), SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 0);
        assertEquals(10, h.tell());
        assertEquals(0x40, h.readPosition(0, 0).data()[0] & 0x40, "EOP set past early warning");
        RecordingTask rs = h.in(18, 0x03, 0, 0, 0, 18, 0);
        assertTrue(Sense.decode(rs.data()).endOfMedium(), "REQUEST SENSE reports EOM past early warning");
        h.rewind();
        for (int i = 0; i < 9; i++) {
            assertArrayEquals(data(100_000, i), h.readVariable(100_000).data());
        }
    }

    @Test
    void fixedModeVolumeOverflowCountsBlocks() throws IOException {
        h.loadNew(CartridgeSpec.ofBarcode("LF0001L8").withCapacity(100_000, 10_000));
        StreamCommandsTest.setBlockLength(h, 10_000);
        RecordingTask t = h.writeFixed(data(150_000, 1), 15);
        // 9 blocks of 10,032 fit in 100,000: 6 remain unwritten.
        assertStream(t, SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false, 6);
        assertEquals(9, h.tell());
    }

    @Test
    void wormAppendsButNeverOverwrites() throws IOException {
        h.loadNew("LF0002LY");
        assertGood(h.writeVariable(data(1000, 1)));
        assertGood(h.writeFilemarks(1, false));
        assertGood(h.writeVariable(data(1000, 2)));
        h.locate10(1);
        assertCheck(h.writeVariable(data(10, 3)), SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        assertCheck(h.writeFilemarks(1, false), SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        assertCheck(h.run(0x19, 1, 0, 0, 0, 0), SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        h.space(3, 0);
        assertCheck(h.run(0x19, 1, 0, 0, 0, 0), SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        assertGood(h.writeVariable(data(1000, 4)));
        assertEquals(4, h.tell());
    }

    @Test
    void writeProtectTabAndOlderFormatsAreWriteProtected() throws IOException {
        Cartridge c = h.pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        c.setWriteProtected(true);
        h.drive.load(c);
        h.clearAttentions(h.nexus);
        assertEquals(0x80, h.in(12, 0x1A, 0, 0, 0, 12, 0).data()[2] & 0x80);
        assertCheck(h.writeVariable(data(10, 1)), SenseCode.WRITE_PROTECTED);
        h.drive.unload();
        TapeHarness lto9 = new TapeHarness(dir.resolve("pool"), TapeDriveModel.IBM_LTO9);
        lto9.drive.load(h.pool.create(CartridgeSpec.ofBarcode("LF0003L7")));
        lto9.clearAttentionsOrNotReady();
        assertCheck(lto9.run(0x00, 0, 0, 0, 0, 0), SenseCode.INCOMPATIBLE_MEDIUM_INSTALLED);
        lto9.close();
    }

    @Test
    void aWriteProtectedMappingIsWriteProtectedForItsNexusOnly() throws IOException {
        h.loadNew("LF0001L8");
        h.lunMap = new org.lunforge.scsi.LunMap() {
            @Override
            public org.lunforge.scsi.LogicalUnit logicalUnit(int lun) {
                return lun == 0 ? h.lu : null;
            }

            @Override
            public int[] luns() {
                return new int[] {0};
            }

            @Override
            public boolean writeProtected(org.lunforge.scsi.LogicalUnit lu) {
                return lu == h.lu;
            }
        };
        assertEquals(0x80, h.in(12, 0x1A, 0, 0, 0, 12, 0).data()[2] & 0x80, "the drive reports WP");
        assertCheck(h.writeVariable(data(10, 1)), SenseCode.WRITE_PROTECTED);
        assertCheck(h.writeFilemarks(1, false), SenseCode.WRITE_PROTECTED);
        h.lunMap = org.lunforge.scsi.LunMap.none();
        assertEquals(0, h.in(12, 0x1A, 0, 0, 0, 12, 0).data()[2] & 0x80);
        assertGood(h.writeVariable(data(10, 1)));
    }

    @Test
    void synchronousFilemarkIsDurableBeforeGood() throws IOException {
        Cartridge c = h.loadNew("LF0001L8");
        for (int i = 0; i < 5; i++) {
            h.writeVariable(data(70_000, i));
        }
        assertTrue(h.drive.medium().unsynced(), "buffered mode: not yet on the medium");
        assertGood(h.writeFilemarks(1, false));
        assertFalse(h.drive.medium().unsynced());
        h.writeVariable(data(70_000, 9));
        assertGood(h.writeFilemarks(1, true)); // IMMED: buffered
        assertTrue(h.drive.medium().unsynced());
        assertGood(h.readPosition(0, 0)); // READ POSITION flushes
        assertFalse(h.drive.medium().unsynced());
        // What the disk holds now, opened as after a crash, has both filemarks.
        FileCartridgeStore copy = FileCartridgeStore.open(dir.resolve("copy"));
        for (String suffix : List.of(".tape", ".mam")) {
            Files.copy(h.pool.folder().resolve(c.barcode() + suffix), copy.folder().resolve(c.barcode() + suffix),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        try (TapeMedium m = copy.cartridge(c.barcode()).load()) {
            assertEquals(8, m.endOfData());
            assertEquals(2, m.filemarkCount());
        }
    }

    @Test
    void standaloneDriveLoadsItsCartridgeAtStart() throws IOException {
        h.pool.create(CartridgeSpec.ofBarcode("LF0009L8"));
        TapeDrive d = TapeDrive.standalone(TapeDriveModel.HP_LTO8, "HU1234567", h.pool, "LF0009L8");
        assertTrue(d.isReady());
        assertEquals("LF0009L8", d.cartridge().barcode());
        assertEquals("HP", d.identity().vendor());
        assertEquals("Ultrium 8-SCSI", d.identity().product());
        assertEquals("HU1234567", d.identity().serialNumber());
        d.close();
        assertFalse(h.pool.cartridge("LF0009L8").isLoaded());
    }

    @Test
    void taskStatusIsGoodOrCheckNeverAnythingElse() throws IOException {
        h.loadNew("LF0001L8");
        assertEquals(ScsiStatus.GOOD, h.writeVariable(data(10, 1)).response().status());
    }
}
