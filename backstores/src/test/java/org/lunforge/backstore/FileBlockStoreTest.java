package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SgList;

class FileBlockStoreTest extends BlockStoreContract {
    @TempDir
    Path dir;

    @Override
    BlockStore newStore() throws Exception {
        return FileBlockStore.open(dir.resolve("lun.img"), SIZE, false);
    }

    @Test
    void createdFileIsSparse() throws Exception {
        store();
        assertEquals(SIZE, Files.size(dir.resolve("lun.img")));
        assertTrue(store().supportsUnmap(), "the temp dir's file system punches holes");
        assertEquals(!FileBlockStore.inMemory(Files.getFileStore(dir).type()), store().mayBlock(),
                "a file blocks unless its file system lives in memory");
    }

    @Test
    void fileOnDiskMayBlockAndFileInMemoryNever() throws Exception {
        assertTrue(FileBlockStore.inMemory("tmpfs"));
        assertTrue(FileBlockStore.inMemory("ramfs"));
        assertFalse(FileBlockStore.inMemory("ext4"));
        assertFalse(FileBlockStore.inMemory("xfs"));
        assertFalse(FileBlockStore.inMemory("nfs"));
        // /dev/shm is tmpfs on Linux: a file there is served like a memory store.
        Path shm = Path.of("/dev/shm");
        assertEquals("tmpfs", Files.getFileStore(shm).type(), "this test needs /dev/shm to be a tmpfs");
        Path file = Files.createTempFile(shm, "lunforge-test", ".img");
        try (FileBlockStore inMemory = FileBlockStore.open(file, SIZE, false)) {
            assertFalse(inMemory.mayBlock());
            inMemory.write(4096, SgList.wrap(pattern(4096, 7)), true);
            byte[] back = new byte[4096];
            inMemory.read(4096, SgList.wrap(back));
            assertArrayEquals(pattern(4096, 7), back);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void fuaForcesAndPlainWriteDoesNot() throws Exception {
        CountingChannel[] counting = new CountingChannel[1];
        UnaryOperator<java.nio.channels.FileChannel> wrap = ch -> counting[0] = new CountingChannel(ch);
        store = FileBlockStore.open(dir.resolve("fua.img"), SIZE, false, wrap);
        store.write(0, SgList.wrap(pattern(4096, 1)), false);
        assertEquals(0, counting[0].forces.get());
        store.write(0, SgList.wrap(pattern(4096, 2)), true);
        assertEquals(1, counting[0].forces.get(), "FUA is durable before the write returns");
        store.flush();
        assertEquals(2, counting[0].forces.get(), "SYNCHRONIZE CACHE reaches fdatasync");
    }

    @Test
    void dataSurvivesReopen() throws Exception {
        Path p = dir.resolve("again.img");
        byte[] data = pattern(10_000, 3);
        try (FileBlockStore s = FileBlockStore.open(p, SIZE, false)) {
            s.write(777, SgList.wrap(data), false);
            s.flush();
        }
        try (FileBlockStore s = FileBlockStore.open(p, 0, true)) {
            assertEquals(SIZE, s.size());
            byte[] back = new byte[data.length];
            s.read(777, SgList.wrap(back));
            assertArrayEquals(data, back);
            BlockStoreException e = assertThrows(BlockStoreException.class,
                    () -> s.write(0, SgList.wrap(new byte[1]), false));
            assertEquals(StoreOutcome.READ_ONLY, e.outcome());
            assertTrue(s.readOnly());
        }
    }

    @Test
    void existingFileIsNeverShortened() throws Exception {
        Path p = dir.resolve("keep.img");
        FileBlockStore.open(p, SIZE, false).close();
        try (FileBlockStore s = FileBlockStore.open(p, 4096, false)) {
            assertEquals(SIZE, s.size());
        }
    }

    @Test
    void unmapPunchesAHoleTheFileSystemSees() throws Exception {
        Path p = dir.resolve("holes.img");
        try (FileBlockStore s = FileBlockStore.open(p, SIZE, false)) {
            s.write(0, SgList.wrap(pattern((int) SIZE, 4)), false);
            s.flush();
            long before = (Long) Files.getAttribute(p, "unix:size");
            assertEquals(SIZE, before);
            s.unmap(1 << 20, 4 << 20);
            assertFalse(s.extentAt(1 << 20, SIZE).mapped());
            assertEquals(4 << 20, s.extentAt(1 << 20, SIZE).length());
            assertTrue(s.extentAt(5 << 20, SIZE).mapped());
            assertEquals(SIZE, Files.size(p), "KEEP_SIZE: unmap never shrinks the file");
        }
    }

    @Test
    void growingTheFileIsSeenByProbe() throws Exception {
        Path p = dir.resolve("grow.img");
        try (FileBlockStore s = FileBlockStore.open(p, SIZE, false)) {
            try (var raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(2 * SIZE);
            }
            assertEquals(SIZE, s.size());
            assertEquals(2 * SIZE, s.probeSize());
            assertEquals(2 * SIZE, s.size());
        }
    }
}
