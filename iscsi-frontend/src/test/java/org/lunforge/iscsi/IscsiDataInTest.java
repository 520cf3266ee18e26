package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.iscsi.IscsiPeer.cdb10;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.device.disk.DiskConfig;
import org.lunforge.device.disk.SbcDisk;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.StateStore;

/**
 * Issue 9, finding 3: the Data-In buffer is sized by the smaller of what the CDB asks and the Expected Data Transfer
 * Length, not by the expected length alone. Measured on the channel's allocator, through the real disk emulation.
 */
class IscsiDataInTest {
    static final String TARGET = "iqn.2026-11.org.lunforge:datain";
    static final int HUGE = 64 << 20;

    /** Counts the direct memory asked of it. */
    static final class CountingAllocator extends AbstractByteBufAllocator {
        long directBytes;

        CountingAllocator() {
            super(true);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            directBytes += initialCapacity;
            return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private final IscsiServer server = new IscsiServer(IscsiServerOptions.defaults());
    private final CountingAllocator allocator = new CountingAllocator();
    private IscsiPeer peer;

    IscsiDataInTest() {
        SbcDisk disk = new SbcDisk("datain", new MemoryBlockStore(1 << 20), DiskConfig.defaults());
        LogicalUnit lu = new LogicalUnit("datain", LogicalUnitIdentity.of("LUNFORGE", "disk", "0001",
                UUID.nameUUIDFromBytes(TARGET.getBytes())), disk, StateStore.inMemory());
        server.addTarget(new IscsiTarget(TARGET).portalGroup(new IscsiPortalGroup(1, 1, List.of(
                new IscsiPortal("127.0.0.1", 3260))).generateNodeAcls(true).lun(0, lu)));
        peer = new IscsiPeer(server);
        peer.loginNormal(TARGET);
        peer.channel.config().setAllocator(allocator);
        // The new nexus's unit attention first.
        peer.send(peer.command(Cdb.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false, false, 0,
                Unpooled.EMPTY_BUFFER, true));
        peer.drain();
    }

    @AfterEach
    void close() {
        peer.close();
    }

    /** Runs a read-type command; returns its Data-In bytes, with the final status checked GOOD. */
    private int read(Cdb cdb, int edtl) {
        peer.send(peer.command(cdb, true, false, edtl, Unpooled.EMPTY_BUFFER, true));
        int bytes = 0;
        IscsiDataIn d;
        do {
            d = peer.next(IscsiDataIn.class);
            bytes += d.data().readableBytes();
            d.release();
        } while (!d.statusPresent());
        assertEquals(0, d.status());
        assertTrue(d.underflow());
        assertEquals(edtl - bytes, d.residualCount());
        return bytes;
    }

    @Test
    void readOfOneBlockWithAHugeExpectedLengthAllocatesOneBlock() {
        allocator.directBytes = 0;
        assertEquals(512, read(cdb10(0x28, 0, 1), HUGE));
        assertTrue(allocator.directBytes < 4096, "allocated " + allocator.directBytes + " bytes of direct memory");
    }

    @Test
    void inquiryWithAHugeExpectedLengthAllocatesItsAllocationLength() {
        allocator.directBytes = 0;
        assertEquals(36, read(Cdb.of(0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), HUGE));
        assertTrue(allocator.directBytes < 4096, "allocated " + allocator.directBytes + " bytes of direct memory");
    }

    @Test
    void pipelinedSmallReadsWithHugeExpectedLengthsStayOnTheirBlocks() {
        allocator.directBytes = 0;
        for (int i = 0; i < 32; i++) {
            assertEquals(4096, read(cdb10(0x28, i * 8, 8), HUGE));
        }
        assertTrue(allocator.directBytes < 32 * 8192, "allocated " + allocator.directBytes + " bytes");
    }
}
