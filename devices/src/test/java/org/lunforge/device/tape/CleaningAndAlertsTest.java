package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.StreamCommandsTest.data;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.tape.Cartridge;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.SenseCode;

/** Cleaning cartridges, the drive's cleaning-required condition, TapeAlert (LOG SENSE 2Eh), injected errors. */
class CleaningAndAlertsTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void setUp() throws IOException {
        h = new TapeHarness(dir.resolve("pool"));
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    /** LOG SENSE page 2Eh (current cumulative values): the numbers of the flags set. Reading clears them. */
    private Set<Integer> tapeAlerts() {
        byte[] d = h.in(1024, 0x4D, 0, 0x40 | 0x2E, 0, 0, 0, 0, 4, 0, 0).data();
        assertEquals(4 + 64 * 5, d.length);
        Set<Integer> set = new TreeSet<>();
        for (int n = 1; n <= 64; n++) {
            int p = 4 + (n - 1) * 5;
            assertEquals(n, BigEndian.u16(d, p));
            if (d[p + 4] != 0) {
                set.add(n);
            }
        }
        return set;
    }

    /** Parameter 0100h of the sequential-access device page: CLEANING REQUIRED. */
    private int cleaningRequiredParameter() {
        byte[] d = h.in(1024, 0x4D, 0, 0x40 | 0x0C, 0, 0, 0, 0, 4, 0, 0).data();
        for (int p = 4; p < d.length; p += 4 + (d[p + 3] & 0xFF)) {
            if (BigEndian.u16(d, p) == 0x0100) {
                return d[p + 4];
            }
        }
        throw new AssertionError("no parameter 0100h");
    }

    private void writeMib(int count) {
        for (int i = 0; i < count; i++) {
            assertGood(h.writeVariable(data((int) MIB, i)));
        }
    }

    @Test
    void theDriveAsksForCleaningAfterItsIntervalAndACleaningCartridgeCleansIt() throws IOException {
        h.drive.setCleaningInterval(3 * MIB);
        h.loadNew("LF0001L8");
        writeMib(2);
        assertFalse(h.drive.cleaningRequired());
        assertEquals(0, cleaningRequiredParameter());
        writeMib(2);
        assertTrue(h.drive.cleaningRequired());
        assertEquals(1, cleaningRequiredParameter());
        assertEquals(Set.of(TapeAlertFlag.CLEAN_NOW.number()), tapeAlerts());
        assertEquals(Set.of(), tapeAlerts(), "read-clear: reported once per load");
        h.drive.unload();
        h.loadNew("LF0002L8");
        assertEquals(Set.of(TapeAlertFlag.CLEAN_NOW.number()), tapeAlerts(), "raised again at the next load");
        assertEquals(1, cleaningRequiredParameter(), "the condition stays until cleaned");
        h.drive.unload();

        Cartridge cln = h.pool.create(CartridgeSpec.ofBarcode("CLN001CU"));
        assertEquals(50, cln.cleaningUsesLeft());
        h.drive.load(cln);
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.CLEANING_CARTRIDGE_INSTALLED);
        assertCheck(h.writeVariable(data(100, 1)), SenseCode.CLEANING_CARTRIDGE_INSTALLED);
        assertFalse(h.drive.cleaningRequired());
        assertEquals(1, h.drive.cleanings());
        assertEquals(49, h.pool.cartridge("CLN001CU").cleaningUsesLeft(), "the use is in the cartridge's memory");
        assertEquals(Set.of(TapeAlertFlag.CLEANING_MEDIA.number()), tapeAlerts());
        assertEquals(0, cleaningRequiredParameter());
        h.drive.unload();
        h.drive.load(h.pool.cartridge("LF0001L8"));
        h.clearAttentions(h.nexus);
        assertGood(h.run(0x00, 0, 0, 0, 0, 0));
        assertFalse(h.drive.cleaningRequired());
    }

    @Test
    void anExpiredCleaningCartridgeDoesNotClean() throws IOException {
        h.drive.setCleaningInterval(MIB);
        h.loadNew("LF0001L8");
        writeMib(1);
        h.drive.unload();
        Cartridge cln = h.pool.create(CartridgeSpec.ofBarcode("CLN009CU"));
        for (int use = 0; use < CartridgeSpec.CLEANING_USES; use++) {
            h.drive.load(cln);
            h.drive.unload();
        }
        assertEquals(0, cln.cleaningUsesLeft());
        h.drive.setCleaningInterval(MIB);
        h.drive.load(h.pool.cartridge("LF0001L8"));
        h.clearAttentions(h.nexus);
        writeMib(1);
        h.drive.unload();
        int cleanings = h.drive.cleanings();
        tapeAlerts();
        h.drive.load(cln);
        assertCheck(h.run(0x00, 0, 0, 0, 0, 0), SenseCode.CLEANING_FAILURE);
        assertEquals(cleanings, h.drive.cleanings());
        assertTrue(h.drive.cleaningRequired());
        assertTrue(tapeAlerts().containsAll(Set.of(TapeAlertFlag.CLEANING_MEDIA.number(),
                TapeAlertFlag.EXPIRED_CLEANING_MEDIA.number(), TapeAlertFlag.CLEAN_NOW.number())));
        assertEquals(0, h.pool.cartridge("CLN009CU").cleaningUsesLeft());
    }

    @Test
    void anInjectedMediumErrorFailsTheNextReadOrWriteOnce() throws IOException {
        h.loadNew("LF0001L8");
        assertGood(h.writeVariable(data(1000, 1)));
        h.drive.injectMediumError();
        assertTrue(h.drive.mediumErrorInjected());
        assertCheck(h.writeVariable(data(1000, 2)), SenseCode.WRITE_ERROR);
        assertFalse(h.drive.mediumErrorInjected());
        assertEquals(Set.of(3, 4, 6), tapeAlerts(), "HARD ERROR, MEDIA, WRITE FAILURE");
        assertEquals(1, h.tell(), "the failed WRITE wrote nothing");
        assertGood(h.writeVariable(data(1000, 3)));
        assertGood(h.rewind());
        h.drive.injectMediumError();
        assertCheck(h.readVariable(1000), SenseCode.UNRECOVERED_READ_ERROR);
        assertEquals(Set.of(3, 4, 5), tapeAlerts(), "HARD ERROR, MEDIA, READ FAILURE");
        assertGood(h.readVariable(1000));
    }

    /** tapeinfo's LOG SENSE: page 2Eh with PC 00b (byte 2 is 2Eh), allocation 0140h; it reads the flags too. */
    @Test
    void tapeinfoReadsTheFlagsWithPageControlZero() throws IOException {
        h.loadNew("LF0001L8");
        h.drive.injectTapeAlert(20);
        byte[] d = h.in(0x140, 0x4D, 0, 0x2E, 0, 0, 0, 0, 0x01, 0x40, 0).data();
        assertEquals(0x2E, d[0] & 0x3F);
        assertEquals(1, d[4 + 19 * 5 + 4], "flag 20");
        assertEquals(Set.of(), tapeAlerts(), "read-clear for either page control");
    }

    @Test
    void anInjectedFlagIsReadOnceAndAReadOnlyGenerationIsFlagged() throws IOException {
        h.loadNew("LF0001L8");
        h.drive.injectTapeAlert(TapeAlertFlag.parse("media"));
        h.drive.injectTapeAlert(TapeAlertFlag.parse("39"));
        assertEquals(Set.of(4, 39), tapeAlerts());
        assertEquals(Set.of(), tapeAlerts());
        assertThrows(IllegalArgumentException.class, () -> TapeAlertFlag.parse("65"));
        assertThrows(IllegalArgumentException.class, () -> TapeAlertFlag.parse("dirty"));
        h.drive.unload();
        try (TapeHarness lto7 = new TapeHarness(dir.resolve("pool"), TapeDriveModel.IBM_LTO7)) {
            lto7.drive.load(h.pool.create(CartridgeSpec.ofBarcode("LF0005L5")));
            assertEquals(1L << 16, lto7.drive.tapeAlerts(), "READ ONLY FORMAT");
        }
    }
}
