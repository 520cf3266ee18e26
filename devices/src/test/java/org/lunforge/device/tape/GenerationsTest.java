package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.StreamCommandsTest.data;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.backstore.tape.TapeFormat;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.SenseCode;

/** Mixed LTO generations: which drive reads and writes which cartridge, and the sense a wrong one gets. */
class GenerationsTest {
    enum Access { READ_WRITE, READ_ONLY, INCOMPATIBLE }

    /**
     * The LTO compatibility rules as data (IBM and Oracle compatibility tables): LTO-5..7 read two generations back
     * and write one back; LTO-8 reads and writes L7, M8 and L8; LTO-9 reads and writes L8 and L9; LTO-10 only LA.
     */
    private static final Map<TapeDriveModel, Map<TapeFormat, Access>> RULES = Map.of(
            TapeDriveModel.IBM_LTO5, Map.of(TapeFormat.LTO5, Access.READ_WRITE),
            TapeDriveModel.IBM_LTO6, Map.of(TapeFormat.LTO5, Access.READ_WRITE, TapeFormat.LTO6, Access.READ_WRITE),
            TapeDriveModel.IBM_LTO7, Map.of(TapeFormat.LTO5, Access.READ_ONLY, TapeFormat.LTO6, Access.READ_WRITE,
                    TapeFormat.LTO7, Access.READ_WRITE),
            TapeDriveModel.IBM_LTO8, Map.of(TapeFormat.LTO7, Access.READ_WRITE, TapeFormat.LTO7_TYPE_M,
                    Access.READ_WRITE, TapeFormat.LTO8, Access.READ_WRITE),
            TapeDriveModel.IBM_LTO9, Map.of(TapeFormat.LTO8, Access.READ_WRITE, TapeFormat.LTO9, Access.READ_WRITE),
            TapeDriveModel.IBM_LTO10, Map.of(TapeFormat.LTO10, Access.READ_WRITE));

    @TempDir
    Path dir;

    @Test
    void everyDriveAndFormatFollowsTheLtoRules() {
        RULES.forEach((model, readable) -> {
            for (TapeFormat f : TapeFormat.values()) {
                Access expected = readable.getOrDefault(f, Access.INCOMPATIBLE);
                String what = model.product() + " with " + f;
                assertEquals(expected != Access.INCOMPATIBLE, model.canRead(f), what + " reads");
                assertEquals(expected == Access.READ_WRITE, model.canWrite(f), what + " writes");
            }
        });
    }

    /** Each cartridge in each drive, through the commands: GOOD, write protected, or INCOMPATIBLE MEDIUM INSTALLED. */
    @Test
    void aWrongCartridgeGetsTheRealSenseNeverACrash() throws IOException {
        int n = 0;
        for (var rule : RULES.entrySet()) {
            try (TapeHarness h = new TapeHarness(dir.resolve("pool" + n++), rule.getKey())) {
                for (TapeFormat f : TapeFormat.values()) {
                    String barcode = "GN%04d%s".formatted(n * 100 + f.ordinal(), f.dataSuffix());
                    h.drive.load(h.pool.create(CartridgeSpec.ofBarcode(barcode)));
                    h.clearAttentionsOrNotReady();
                    switch (rule.getValue().getOrDefault(f, Access.INCOMPATIBLE)) {
                        case READ_WRITE -> assertGood(h.writeVariable(data(100, 1)));
                        case READ_ONLY -> {
                            assertCheck(h.writeVariable(data(100, 1)), SenseCode.WRITE_PROTECTED);
                            assertCheck(h.readVariable(100), SenseCode.END_OF_DATA_DETECTED);
                        }
                        case INCOMPATIBLE -> {
                            assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.INCOMPATIBLE_MEDIUM_INSTALLED);
                            assertCheck(h.writeVariable(data(100, 1)), SenseCode.INCOMPATIBLE_MEDIUM_INSTALLED);
                        }
                    }
                    h.drive.unload();
                }
            }
        }
    }

    /** LTO-10: INQUIRY names the ULT3580-TDA; REPORT DENSITY SUPPORT lists only its own density, as the default. */
    @Test
    void lto10DriveAndMedia() throws IOException {
        try (TapeHarness h = new TapeHarness(dir.resolve("pool"), TapeDriveModel.IBM_LTO10)) {
            byte[] inquiry = h.in(96, 0x12, 0, 0, 0, 96, 0).data();
            assertEquals("ULT3580-TDA", new String(inquiry, 16, 16, StandardCharsets.US_ASCII).strip());
            h.loadNew("LF0001LA");
            assertEquals(TapeFormat.LTO10, h.drive.cartridge().format());
            byte[] densities = h.in(4096, 0x44, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0).data();
            assertEquals(4 + 52, BigEndian.u16(densities, 0) + 2, "one density descriptor");
            assertEquals(0x62, densities[4] & 0xFF);
            assertEquals(0xA0, densities[6] & 0xA0, "WRTOK and DEFLT");
            assertEquals(21657, BigEndian.u24(densities, 4 + 5), "bits per mm");
            assertEquals(30_000_000, BigEndian.u32(densities, 4 + 12), "capacity in MB");
            assertGood(h.writeVariable(data(1000, 2)));
        }
    }
}
