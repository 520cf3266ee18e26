package org.lunforge.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.FileBlockStore;
import org.lunforge.backstore.tape.FileCartridgeStore;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.conformance.PowerCutExpectations.DiskWrite;
import org.lunforge.conformance.PowerCutExpectations.TapeObject;
import org.lunforge.scsi.SgList;

class PowerCutCheckTest {
    private static final long DISK = 1 << 20;
    private static final PowerCutCheck.Layout LAYOUT =
            new PowerCutCheck.Layout("disk0.img", DISK, "pool", List.of("LAB001L8"));
    private static final PowerCutCheck.Layout DISK_ONLY = new PowerCutCheck.Layout("disk0.img", DISK, "pool", List.of());

    @TempDir
    Path dir;
    private Path store;
    private final Random random = new Random(7);

    @BeforeEach
    void store() throws IOException {
        store = dir.resolve("store");
        Files.createDirectories(store);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private void writeDisk(long offset, byte[] data) throws IOException {
        try (FileBlockStore disk = FileBlockStore.open(store.resolve("disk0.img"), DISK, false)) {
            disk.write(offset, SgList.wrap(data), true);
        }
    }

    /** Writes the cartridge: a byte[] is a block, null a filemark. */
    private void writeTape(byte[]... objects) throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(store.resolve("pool"));
        if (!pool.exists("LAB001L8")) {
            pool.create(CartridgeSpec.ofBarcode("LAB001L8").withCapacity(8 << 20, 1 << 20));
        }
        try (TapeMedium medium = pool.cartridge("LAB001L8").load()) {
            while (!medium.atEndOfData()) {
                medium.skip();
            }
            for (byte[] o : objects) {
                if (o == null) {
                    medium.writeFilemark();
                } else {
                    medium.writeBlock(SgList.wrap(o), false);
                }
            }
        }
    }

    private List<String> check(int ordinal, boolean atMark, PowerCutExpectations expected) throws IOException {
        return PowerCutCheck.check(new PowerCutCheck.Point("p", ordinal, atMark, store), LAYOUT, expected,
                new StringBuilder());
    }

    private List<String> checkDisk(int ordinal, boolean atMark, PowerCutExpectations expected) throws IOException {
        return PowerCutCheck.check(new PowerCutCheck.Point("p", ordinal, atMark, store), DISK_ONLY, expected,
                new StringBuilder());
    }

    @Test
    void aStoreHoldingWhatWasAcknowledgedPasses() throws Exception {
        byte[] a = bytes(4096);
        byte[] block = bytes(5000);
        writeDisk(0, a);
        writeTape(block, null);
        PowerCutExpectations expected = new PowerCutExpectations(List.of(new DiskWrite(2, 0, 4096, sha256(a)),
                new DiskWrite(4, 32768, 4096, sha256(bytes(4096)))),
                Map.of("LAB001L8", List.of(new TapeObject(3, false, 5000, sha256(block)),
                        new TapeObject(3, true, 0, null))));

        assertEquals(List.of(), check(3, true, expected));
        assertEquals(List.of(), check(3, false, expected), "the write of mark 4 may be missing after mark 3");
    }

    @Test
    void anAcknowledgedDiskWriteThatIsNotThereFails() throws Exception {
        writeDisk(0, bytes(4096));
        PowerCutExpectations expected =
                new PowerCutExpectations(List.of(new DiskWrite(2, 0, 4096, sha256(bytes(4096)))), Map.of());

        List<String> failures = checkDisk(2, true, expected);

        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("acknowledged as durable before mark 2"), failures.get(0));
        assertTrue(checkDisk(1, true, expected).isEmpty(), "not yet acknowledged at mark 1");
    }

    @Test
    void aMissingDiskFileFailsOnceAWriteToItWasAcknowledged() throws Exception {
        PowerCutExpectations expected =
                new PowerCutExpectations(List.of(new DiskWrite(2, 0, 4096, sha256(bytes(4096)))), Map.of());

        assertTrue(checkDisk(1, true, expected).isEmpty());
        assertTrue(checkDisk(2, true, expected).get(0).contains("disk file disk0.img is missing"));
    }

    @Test
    void aDiskWriteIssuedAfterThePointMustNotBeThere() throws Exception {
        byte[] a = bytes(4096);
        writeDisk(0, a);
        PowerCutExpectations expected = new PowerCutExpectations(List.of(new DiskWrite(3, 0, 4096, sha256(a))),
                Map.of());

        assertTrue(checkDisk(1, true, expected).get(0).contains("written only after mark 2"));
        assertFalse(checkDisk(1, false, expected).isEmpty(), "between marks 1 and 2 it was not issued yet");
        assertFalse(checkDisk(2, true, expected).isEmpty(), "it was issued after mark 2 was made");
        assertTrue(checkDisk(2, false, expected).isEmpty(), "after mark 2 it may be there before it is acknowledged");
        assertTrue(checkDisk(3, true, expected).isEmpty());
    }

    @Test
    void aLostFilemarkFails() throws Exception {
        byte[] block = bytes(3000);
        writeTape(block);
        PowerCutExpectations expected = new PowerCutExpectations(List.of(),
                Map.of("LAB001L8", List.of(new TapeObject(2, false, 3000, sha256(block)),
                        new TapeObject(2, true, 0, null))));

        List<String> failures = check(2, true, expected);

        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("holds 1 objects (0 filemarks), but the first 2"), failures.get(0));
    }

    @Test
    void aCartridgeThatIsNotAPrefixOfWhatWasWrittenFails() throws Exception {
        writeTape(bytes(3000), null);
        PowerCutExpectations expected = new PowerCutExpectations(List.of(),
                Map.of("LAB001L8", List.of(new TapeObject(2, false, 3000, sha256(bytes(3000))),
                        new TapeObject(2, true, 0, null))));

        assertTrue(check(2, true, expected).get(0).contains("block 0 (3000 bytes) differs"));
    }

    @Test
    void tapeObjectsIssuedAfterThePointMustNotBeThere() throws Exception {
        byte[] block = bytes(3000);
        writeTape(block, null);
        PowerCutExpectations expected = new PowerCutExpectations(List.of(),
                Map.of("LAB001L8", List.of(new TapeObject(3, false, 3000, sha256(block)),
                        new TapeObject(3, true, 0, null))));

        assertTrue(check(2, true, expected).get(0).contains("only 0 were written before this point"));
        assertTrue(check(2, false, expected).isEmpty(), "after mark 2 they may be there before the filemark's mark");
    }

    @Test
    void aMissingOrDamagedCartridgeFailsOnceTheDaemonStarted() throws Exception {
        PowerCutExpectations expected = new PowerCutExpectations(List.of(), Map.of());
        assertTrue(check(0, false, expected).isEmpty(), "before the daemon started the pool may be empty");
        assertTrue(check(1, true, expected).get(0).contains("LAB001L8 is missing"));

        writeTape(bytes(100));
        Files.write(store.resolve("pool/LAB001L8.tape"), new byte[] {1, 2, 3});
        assertTrue(check(1, true, expected).get(0).contains("LAB001L8 does not load"));
    }

    @Test
    void aPointKnowsItsMarkFromWhatLogWritesPassed() throws IOException {
        Path folder = dir.resolve("points/000123");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("point"), "entry=123\nkind=mark\nmark=pc:004:sync\nlast_mark=pc:004:sync\n");
        PowerCutCheck.Point at = PowerCutCheck.Point.read(folder);
        Files.writeString(folder.resolve("point"), "entry=124\nkind=flush\nmark=\nlast_mark=pc:004:sync\n");
        PowerCutCheck.Point after = PowerCutCheck.Point.read(folder);
        Files.writeString(folder.resolve("point"), "entry=9\nkind=mark\nmark=mkfs\nlast_mark=\n");
        PowerCutCheck.Point before = PowerCutCheck.Point.read(folder);
        Files.writeString(folder.resolve("point"), "entry=383\nkind=mark\nmark=dm-log-writes-end\n"
                + "last_mark=pc:011:stopped\n");
        PowerCutCheck.Point end = PowerCutCheck.Point.read(folder);

        assertEquals(List.of(4, true, 4, false, 0, false, 11, false), List.of(at.ordinal(), at.atMark(),
                after.ordinal(), after.atMark(), before.ordinal(), before.atMark(), end.ordinal(), end.atMark()));
        assertEquals("entry 383 (mark dm-log-writes-end after pc:011:stopped)", end.name());
        assertEquals("entry 123 (mark pc:004:sync)", at.name());
        assertEquals("entry 124 (flush after pc:004:sync)", after.name());
    }

    @Test
    void expectationsAreReadFromTheWritersFile() throws IOException {
        Path file = dir.resolve("expectations.txt");
        String sha = "ab".repeat(32);
        Files.writeString(file, "disk 2 0 4096 " + sha + "\nblock 4 LAB001L8 65536 " + sha
                + "\nfilemark 4 LAB001L8\ndisk 3 32768 4096 " + sha + "\n");

        PowerCutExpectations e = PowerCutExpectations.load(file);

        assertEquals(2, e.disk().size());
        assertEquals(32768, e.disk().get(1).offset());
        assertEquals(List.of(false, true), e.tape().get("LAB001L8").stream().map(TapeObject::filemark).toList());
        Files.writeString(file, "disk 2 0 4096\n");
        assertThrows(IOException.class, () -> PowerCutExpectations.load(file));
    }
}
