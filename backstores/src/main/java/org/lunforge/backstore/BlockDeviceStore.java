package org.lunforge.backstore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.lunforge.scsi.SgList;

/**
 * A Linux block device (/dev/sdX, /dev/loopN, /dev/mapper/...). I/O is positional {@link FileChannel} calls through
 * the page cache (no O_DIRECT), flushes are fdatasync; the size comes from ioctl BLKGETSIZE64, UNMAP is BLKDISCARD
 * and zeroing BLKZEROOUT. A device does not promise that discarded sectors read as zeros, so LBPRZ is off, and its
 * allocation state is unknown: every extent reports mapped.
 */
public final class BlockDeviceStore implements BlockStore {
    private final Path path;
    private final FileChannel channel;
    private final int fd;
    private final boolean readOnly;
    private final boolean discard;
    private final long discardGranularity;
    private volatile long size;

    private BlockDeviceStore(Path path, FileChannel channel, int fd, boolean readOnly, boolean discard,
                             long discardGranularity, long size) {
        this.path = path;
        this.channel = channel;
        this.fd = fd;
        this.readOnly = readOnly;
        this.discard = discard;
        this.discardGranularity = discardGranularity;
        this.size = size;
    }

    public static BlockDeviceStore open(Path path, boolean readOnly) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + " does not exist");
        }
        FileChannel channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        int fd = -1;
        try {
            fd = LinuxFileCalls.open(path.toString(), readOnly ? LinuxFileCalls.O_RDONLY : LinuxFileCalls.O_RDWR);
            long size = LinuxFileCalls.ioctlReadLong(fd, LinuxFileCalls.BLKGETSIZE64);
            long[] discardLimits = discardLimits(path);
            boolean discard = !readOnly && discardLimits[0] > 0;
            return new BlockDeviceStore(path, channel, fd, readOnly, discard, Math.max(512, discardLimits[1]), size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (fd >= 0) {
                LinuxFileCalls.close(fd);
            }
            throw e;
        }
    }

    /** {discard_max_bytes, discard_granularity} from sysfs, or zeros if the device does not say. */
    private static long[] discardLimits(Path path) {
        try {
            Object rdev = Files.getAttribute(path, "unix:rdev");
            long dev = ((Number) rdev).longValue();
            long major = ((dev >>> 8) & 0xFFF) | ((dev >>> 32) & ~0xFFFL);
            long minor = (dev & 0xFF) | ((dev >>> 12) & ~0xFFL);
            Path queue = Path.of("/sys/dev/block/" + major + ":" + minor + "/queue");
            return new long[] {readLong(queue.resolve("discard_max_bytes")),
                    readLong(queue.resolve("discard_granularity"))};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static long readLong(Path p) throws IOException {
        return Long.parseLong(Files.readString(p).trim());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long probeSize() {
        try {
            size = LinuxFileCalls.ioctlReadLong(fd, LinuxFileCalls.BLKGETSIZE64);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.UNAVAILABLE);
        }
        return size;
    }

    /** The device's logical sector size (BLKSSZGET): the smallest block length the disk may report. */
    public int logicalSectorSize() {
        try {
            return LinuxFileCalls.ioctlReadInt(fd, LinuxFileCalls.BLKSSZGET);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.UNAVAILABLE);
        }
    }

    @Override
    public boolean mayBlock() {
        return true;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, SgList dst) {
        BlockStore.checkRange(offset, dst.length(), size);
        ChannelIo.read(channel, offset, dst);
    }

    @Override
    public void write(long offset, SgList src, boolean fua) {
        checkWritable();
        BlockStore.checkRange(offset, src.length(), size);
        ChannelIo.write(channel, offset, src, fua);
    }

    @Override
    public void flush() {
        if (!readOnly) {
            ChannelIo.flush(channel);
        }
    }

    @Override
    public boolean supportsUnmap() {
        return discard;
    }

    @Override
    public long allocationUnit() {
        return discardGranularity;
    }

    @Override
    public void unmap(long offset, long length) {
        checkWritable();
        BlockStore.checkRange(offset, length, size);
        if (!discard) {
            throw new BlockStoreException(StoreOutcome.UNSUPPORTED, path + " does not discard");
        }
        // BLKDISCARD wants 512-byte aligned ranges; the unaligned edges stay as they are (unmap is a hint).
        long start = (offset + 511) & ~511L;
        long end = (offset + length) & ~511L;
        if (end <= start) {
            return;
        }
        try {
            LinuxFileCalls.ioctlRange(fd, LinuxFileCalls.BLKDISCARD, start, end - start);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
        }
    }

    @Override
    public void writeZeros(long offset, long length) {
        checkWritable();
        BlockStore.checkRange(offset, length, size);
        if ((offset & 511) != 0 || (length & 511) != 0) {
            ZeroSource.writeZeros(this, offset, length);
            return;
        }
        try {
            flush(); // BLKZEROOUT bypasses the page cache: earlier buffered writes must not land on top of it
            LinuxFileCalls.ioctlRange(fd, LinuxFileCalls.BLKZEROOUT, offset, length);
        } catch (IOException e) {
            ZeroSource.writeZeros(this, offset, length);
        }
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                flush();
                channel.close();
                LinuxFileCalls.close(fd);
            }
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
        }
    }

    private void checkWritable() {
        if (readOnly) {
            throw new BlockStoreException(StoreOutcome.READ_ONLY, path + " is read-only");
        }
    }

    @Override
    public String toString() {
        return "block[" + path + ", " + size + " bytes]";
    }
}
