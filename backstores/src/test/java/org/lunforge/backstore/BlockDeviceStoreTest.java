package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.SgList;

/** Runs the store contract on a loop device over a sparse file; skipped where losetup is not allowed (not root). */
class BlockDeviceStoreTest extends BlockStoreContract {
    private static Path image;
    private static String loop;

    @BeforeAll
    static void attachLoopDevice() throws Exception {
        image = Files.createTempFile("lunforge-loop", ".img");
        try (var raf = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(SIZE);
        }
        try {
            Process p = new ProcessBuilder("losetup", "-f", "--show", image.toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("/dev/loop")) {
                loop = out;
            }
        } catch (java.io.IOException e) {
            loop = null;
        }
    }

    @AfterAll
    static void detachLoopDevice() throws Exception {
        if (loop != null) {
            new ProcessBuilder("losetup", "-d", loop).start().waitFor(20, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(image);
    }

    @Override
    BlockStore newStore() throws Exception {
        assumeTrue(loop != null, "no loop device (needs root and losetup)");
        BlockDeviceStore s = BlockDeviceStore.open(Path.of(loop), false);
        s.writeZeros(0, SIZE); // the contract starts from a store that reads zeros
        s.flush();
        return s;
    }

    @Override
    boolean tracksAllocation() {
        return false;
    }

    @Test
    void sizeComesFromTheKernelAndSectorSizeToo() throws Exception {
        assertEquals(SIZE, store().size());
        assertEquals(512, ((BlockDeviceStore) store()).logicalSectorSize());
        assertTrue(store().mayBlock());
    }

    @Test
    void discardReachesTheBackingFile() throws Exception {
        assumeTrue(store().supportsUnmap(), "loop device without discard");
        store().write(0, SgList.wrap(pattern(1 << 20, 11)), true);
        store().unmap(0, 1 << 20);
        store().flush();
        // A loop device over a file punches holes for discard: the file's blocks are gone.
        byte[] back = new byte[1 << 20];
        store().read(0, SgList.wrap(back));
        assertArrayEquals(new byte[1 << 20], back);
    }
}
