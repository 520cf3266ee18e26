package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.FileBlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.SenseCode;

/** A disk over a sparse file: served from the executor, holes, capacity changes, many tasks in flight. */
class FileDiskTest {
    @TempDir
    Path dir;

    @Test
    void readWriteUnmapAndLbaStatusOnASparseFile() throws Exception {
        try (DiskHarness h = new DiskHarness(FileBlockStore.open(dir.resolve("d.img"), 4 << 20, false),
                DiskConfig.defaults())) {
            assertTrue(h.disk.thin());
            h.run(write10(8, 16), fill(16 * 512, 'f')).assertGood();
            assertArrayEquals(fill(16 * 512, 'f'), h.run(read10(8, 16), 16 * 512).dataIn());
            Response status = h.run(getLbaStatus(0, 24), 24);
            assertEquals(1, status.dataIn()[20], "LBA 0 is in a hole");
            assertEquals(8, BigEndian.u32(status.dataIn(), 16));
            assertEquals(0, h.run(getLbaStatus(8, 24), 24).dataIn()[20]);
            byte[] list = unmapList(8, 16);
            h.run(unmap(list.length), list).assertGood();
            assertArrayEquals(new byte[16 * 512], h.run(read10(8, 16), 16 * 512).dataIn());
            assertEquals(1, h.run(getLbaStatus(8, 24), 24).dataIn()[20]);
            byte[] rc = h.run(readCapacity16(32), 32).dataIn();
            assertEquals(0xC0, rc[14] & 0xC0, "punched holes read as zeros: LBPRZ");
        }
    }

    @Test
    void growingTheFileIsACapacityChange() throws Exception {
        Path p = dir.resolve("grow.img");
        try (DiskHarness h = new DiskHarness(FileBlockStore.open(p, 1 << 20, false), DiskConfig.defaults())) {
            h.run(Cdb.of(0, 0, 0, 0, 0, 0)).assertGood();
            try (var raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(2 << 20);
            }
            Response rc = h.run(readCapacity16(32), 32); // re-probes
            assertEquals((2 << 20) / 512 - 1, BigEndian.s64(rc.dataIn(), 0));
            h.run(Cdb.of(0, 0, 0, 0, 0, 0)).assertSense(SenseCode.CAPACITY_DATA_HAS_CHANGED);
        }
    }

    @Test
    void manyTasksInFlightAllComplete() throws Exception {
        try (DiskHarness h = new DiskHarness(FileBlockStore.open(dir.resolve("q.img"), 8 << 20, false),
                DiskConfig.defaults())) {
            List<DiskHarness.Task> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                DiskHarness.Task t = new DiskHarness.Task(NEXUS, write10(i * 8L, 8),
                        org.lunforge.scsi.SgList.wrap(fill(8 * 512, i)), 0);
                h.lu.execute(t); // returns at once: the file store is served from the disk's executor
                tasks.add(t);
            }
            CompletableFuture.allOf(tasks.stream().map(t -> t.done).toArray(CompletableFuture[]::new))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            for (int i = 0; i < 64; i += 9) {
                assertArrayEquals(fill(8 * 512, i), h.run(read10(i * 8L, 8), 8 * 512).dataIn());
            }
        }
    }

    @Test
    void readOnlyFileIsWriteProtected() throws Exception {
        Path p = dir.resolve("ro.img");
        FileBlockStore.open(p, 1 << 20, false).close();
        try (DiskHarness h = new DiskHarness(FileBlockStore.open(p, 0, true), DiskConfig.defaults())) {
            assertTrue(h.disk.writeProtected());
            assertFalse(h.disk.thin());
            h.run(write10(0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
            h.run(read10(0, 1), 512).assertGood();
            assertEquals(0x90, h.disk.deviceSpecificParameter());
        }
    }
}
