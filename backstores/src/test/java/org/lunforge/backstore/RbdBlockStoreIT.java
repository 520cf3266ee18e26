package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.lunforge.backstore.rbd.RbdBlockStore;
import org.lunforge.backstore.rbd.RbdImageSpec;
import org.lunforge.scsi.SgList;

/**
 * The rbd store against a real cluster: runs only when {@code -Dlunforge.ceph.conf=<ceph.conf>} names one (bin/check
 * cluster brings one up with conformance/ceph/up), never in the plain unit test run. Each test gets a fresh 8 MiB
 * image of 64 KiB objects in pool rbd.
 */
@Tag("ceph")
@EnabledIfSystemProperty(named = "lunforge.ceph.conf", matches = ".+")
class RbdBlockStoreIT extends BlockStoreContract {
    static final long OBJECT = 64 << 10;

    static Path conf() {
        return Path.of(System.getProperty("lunforge.ceph.conf"));
    }

    static String createImage() throws Exception {
        String name = "it-" + UUID.randomUUID();
        Process p = new ProcessBuilder("rbd", "-c", conf().toString(), "create", "rbd/" + name, "--size", "8M",
                "--object-size", "64K").inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "rbd create " + name);
        return name;
    }

    @Override
    BlockStore newStore() throws Exception {
        return RbdBlockStore.open(new RbdImageSpec("rbd", createImage(), conf(), null, "admin", false));
    }

    @Test
    void allocationUnitIsTheObjectSize() throws Exception {
        assertEquals(OBJECT, store().allocationUnit());
        assertTrue(store().mayBlock());
        assertTrue(store().sharedIdentity().startsWith("rbd:rbd/"), store().sharedIdentity());
    }

    @Test
    void twoOpeningsOfOneImageShareTheirIdentity() throws Exception {
        String name = createImage();
        RbdImageSpec spec = new RbdImageSpec("rbd", name, conf(), null, "admin", false);
        try (RbdBlockStore a = RbdBlockStore.open(spec); RbdBlockStore b = RbdBlockStore.open(spec)) {
            assertEquals(a.sharedIdentity(), b.sharedIdentity());
            assertEquals("rbd:rbd/" + a.imageId(), a.sharedIdentity());
        }
    }

    @Test
    void compareAndWriteWritesWhenTheMediumMatches() throws Exception {
        byte[] old = pattern(512, 10);
        byte[] fresh = pattern(512, 11);
        store().write(OBJECT + 8192, SgList.wrap(old), false);
        store().compareAndWrite(OBJECT + 8192, native_(old), native_(fresh), false);
        assertArrayEquals(fresh, read(OBJECT + 8192, 512));
    }

    @Test
    void compareAndWriteMiscompareSaysWhereAndWritesNothing() throws Exception {
        byte[] old = pattern(512, 12);
        store().write(OBJECT + 8192, SgList.wrap(old), false);
        byte[] expected = old.clone();
        expected[300] ^= 1;
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> store().compareAndWrite(
                OBJECT + 8192, native_(expected), native_(pattern(512, 13)), false));
        assertEquals(StoreOutcome.MISCOMPARE, e.outcome());
        assertEquals(300, e.miscompareOffset());
        assertArrayEquals(old, read(OBJECT + 8192, 512));
    }

    @Test
    void compareAndWriteOfManySectorsAcrossObjectsStillComparesAndWrites() throws Exception {
        long at = OBJECT - 1024;
        byte[] old = pattern(4096, 14);
        store().write(at, SgList.wrap(old), false);
        byte[] expected = old.clone();
        expected[3000] ^= 1;
        BlockStoreException e = assertThrows(BlockStoreException.class,
                () -> store().compareAndWrite(at, SgList.wrap(expected), SgList.wrap(pattern(4096, 15)), false));
        assertEquals(3000, e.miscompareOffset());
        byte[] fresh = pattern(4096, 16);
        store().compareAndWrite(at, SgList.wrap(old), SgList.wrap(fresh), true);
        assertArrayEquals(fresh, read(at, 4096));
    }

    @Test
    void wholeObjectUnmapDeallocatesAndPartialKeepsItMapped() throws Exception {
        store().write(0, SgList.wrap(pattern((int) (3 * OBJECT), 17)), false);
        store().unmap(OBJECT, OBJECT);
        store().unmap(2 * OBJECT + 512, 512);
        assertEquals(new Extent(OBJECT, true), store().extentAt(0, SIZE));
        assertEquals(new Extent(OBJECT, false), store().extentAt(OBJECT, SIZE));
        assertEquals(new Extent(OBJECT, true), store().extentAt(2 * OBJECT, SIZE));
        byte[] back = read(OBJECT, (int) OBJECT + 1024);
        assertArrayEquals(new byte[(int) OBJECT], Arrays.copyOfRange(back, 0, (int) OBJECT));
        assertArrayEquals(new byte[512], Arrays.copyOfRange(back, (int) OBJECT + 512, (int) OBJECT + 1024));
    }

    /** Each of 64 virtual threads writes and reads back its own region: every completion reaches its own caller. */
    @Test
    void manyOperationsInFlightEachCompleteTheirOwnCaller() throws Exception {
        BlockStore s = store();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<byte[]>> backs = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                backs.add(threads.submit(() -> {
                    s.write(n * 65536L + 512, native_(pattern(8192, 100 + n)), false);
                    SgList into = SgList.of(Arena.ofAuto().allocate(8192));
                    s.read(n * 65536L + 512, into);
                    return into.toByteArray();
                }));
            }
            for (int i = 0; i < 64; i++) {
                assertArrayEquals(pattern(8192, 100 + i), backs.get(i).get(), "region " + i);
            }
        }
    }

    /** A Data-Out over several PDUs: native pieces of odd sizes written in one call, read back whole. */
    @Test
    void severalNativeSegmentsAreWrittenAsOne() throws Exception {
        byte[] data = pattern(3 * 4096 + 700, 18);
        MemorySegment all = Arena.ofAuto().allocate(data.length);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, all, 0, data.length);
        store().write(OBJECT - 4096, SgList.of(all.asSlice(0, 1000), all.asSlice(1000, 8192),
                all.asSlice(9192)), true);
        assertArrayEquals(data, read(OBJECT - 4096, data.length));
    }

    /**
     * {@code rbd resize} by another client while this store holds the image's exclusive lock (it wrote last): the
     * image's update watch tells the listener, on a thread of the store's, and the size read then is the new one.
     */
    @Test
    void aResizeIsHeardThroughTheImagesWatch() throws Exception {
        String name = createImage();
        try (RbdBlockStore s = RbdBlockStore.open(new RbdImageSpec("rbd", name, conf(), null, "admin", false))) {
            s.write(0, native_(pattern(4096, 19)), true);
            java.util.concurrent.CountDownLatch grown = new java.util.concurrent.CountDownLatch(1);
            var on = new java.util.concurrent.atomic.AtomicReference<Thread>();
            s.watchSize(() -> {
                if (s.probeSize() == 16 << 20) {
                    on.set(Thread.currentThread());
                    grown.countDown();
                }
            });
            rbd("resize", "rbd/" + name, "--size", "16M");
            assertTrue(grown.await(60, TimeUnit.SECONDS), "no update heard after rbd resize");
            assertEquals(16 << 20, s.size());
            assertTrue(on.get().isVirtual(), "the listener runs off librbd's thread: " + on.get());
            assertArrayEquals(pattern(4096, 19), readFrom(s, 0, 4096));
        }
    }

    /** A unit served by a cluster: no librbd cache, RADOS calls bounded; read back from the connection itself. */
    @Test
    void aClusteredImageHasNoCacheAndTimeouts() throws Exception {
        String name = createImage();
        try (RbdBlockStore alone = RbdBlockStore.open(new RbdImageSpec("rbd", name, conf(), null, "admin", false));
             RbdBlockStore shared = RbdBlockStore.open(new RbdImageSpec("rbd", name, conf(), null, "admin", false,
                     true))) {
            assertEquals("false", shared.setting("rbd_cache"));
            assertEquals(30.0, seconds(shared.setting("rados_osd_op_timeout")));
            assertEquals(30.0, seconds(shared.setting("rados_mon_op_timeout")));
            assertEquals("true", alone.setting("rbd_cache"), "Ceph's default when this node alone serves it");
            assertEquals(0.0, seconds(alone.setting("rados_osd_op_timeout")));
        }
    }

    /** Ceph prints a duration as "30" or "30s" depending on its type. */
    static double seconds(String value) {
        return Double.parseDouble(value.trim().replaceAll("s$", ""));
    }

    static void rbd(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("rbd", "-c", conf().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command));
    }

    private static byte[] readFrom(BlockStore s, long offset, int length) {
        SgList into = SgList.of(Arena.ofAuto().allocate(length));
        s.read(offset, into);
        return into.toByteArray();
    }

    private static SgList native_(byte[] data) {
        MemorySegment s = Arena.ofAuto().allocate(data.length);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, s, 0, data.length);
        return SgList.of(s);
    }
}
