package org.lunforge.backstore;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.UnaryOperator;
import org.lunforge.scsi.SgList;

/**
 * A sparse regular file. Reads and writes are positional {@link FileChannel} calls on the task's buffers; SYNCHRONIZE
 * CACHE and FUA are fdatasync ({@code force(false)}); UNMAP punches holes (FALLOC_FL_PUNCH_HOLE | KEEP_SIZE), which
 * read back as zeros, and GET LBA STATUS walks holes with SEEK_DATA/SEEK_HOLE. The native calls go through a second
 * descriptor to the same file, opened with the FFM API; if the file system cannot punch holes the store is thick.
 *
 * <p>File I/O can block: {@link #mayBlock()} is true, except for a file on a file system that lives in memory (tmpfs,
 * ramfs), whose reads and writes are copies to and from the page cache that never wait for a device: the disk serves
 * those on the caller's thread, as it serves a memory store, with no hop to its executor.
 */
public final class FileBlockStore implements BlockStore {
    private final Path path;
    private final FileChannel channel;
    private final int fd;
    private final boolean readOnly;
    private final boolean punchHoles;
    private final long allocationUnit;
    private final boolean mayBlock;
    private volatile boolean zeroRange = true;
    private volatile long size;

    private FileBlockStore(Path path, FileChannel channel, int fd, boolean readOnly, boolean punchHoles,
                           long allocationUnit, boolean mayBlock, long size) {
        this.path = path;
        this.channel = channel;
        this.fd = fd;
        this.readOnly = readOnly;
        this.punchHoles = punchHoles;
        this.allocationUnit = allocationUnit;
        this.mayBlock = mayBlock;
        this.size = size;
    }

    /**
     * Opens (and with {@code size > 0}, creates or extends) the file. An existing file is never shortened.
     *
     * @param size the size in bytes to create or extend to, or 0 to use the file's own size
     */
    public static FileBlockStore open(Path path, long size, boolean readOnly) throws IOException {
        return open(path, size, readOnly, UnaryOperator.identity());
    }

    /** As {@link #open(Path, long, boolean)}, with the channel wrapped (tests count force calls). */
    static FileBlockStore open(Path path, long size, boolean readOnly, UnaryOperator<FileChannel> wrap)
            throws IOException {
        if (size > 0 && !readOnly) {
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                if (raf.length() < size) {
                    raf.setLength(size); // sparse: the new range is a hole
                }
            }
        }
        FileChannel channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel = wrap.apply(channel);
        int fd = -1;
        try {
            long actual = channel.size();
            fd = LinuxFileCalls.open(path.toString(), readOnly ? LinuxFileCalls.O_RDONLY : LinuxFileCalls.O_RDWR);
            boolean holes = !readOnly && canPunchHoles(fd, actual);
            FileStore fileSystem = Files.getFileStore(path);
            long unit = Math.max(512, fileSystem.getBlockSize());
            return new FileBlockStore(path, channel, fd, readOnly, holes, unit, !inMemory(fileSystem.type()), actual);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (fd >= 0) {
                LinuxFileCalls.close(fd);
            }
            throw e;
        }
    }

    /** Punching beyond EOF with KEEP_SIZE changes nothing, and fails with EOPNOTSUPP where holes are unsupported. */
    private static boolean canPunchHoles(int fd, long size) {
        try {
            LinuxFileCalls.fallocate(fd, LinuxFileCalls.FALLOC_FL_PUNCH_HOLE | LinuxFileCalls.FALLOC_FL_KEEP_SIZE,
                    size + (1 << 20), 4096);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True for the types of file systems (as {@link FileStore#type()} names them) whose files live in memory. */
    static boolean inMemory(String fileSystemType) {
        return "tmpfs".equals(fileSystemType) || "ramfs".equals(fileSystemType);
    }

    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long probeSize() {
        try {
            size = channel.size();
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.UNAVAILABLE);
        }
        return size;
    }

    @Override
    public boolean mayBlock() {
        return mayBlock;
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
        return punchHoles;
    }

    @Override
    public boolean unmapReadsZeros() {
        return punchHoles;
    }

    @Override
    public long allocationUnit() {
        return allocationUnit;
    }

    @Override
    public void unmap(long offset, long length) {
        checkWritable();
        BlockStore.checkRange(offset, length, size);
        if (!punchHoles) {
            throw new BlockStoreException(StoreOutcome.UNSUPPORTED, "file system cannot punch holes");
        }
        if (length == 0) {
            return;
        }
        try {
            LinuxFileCalls.fallocate(fd, LinuxFileCalls.FALLOC_FL_PUNCH_HOLE | LinuxFileCalls.FALLOC_FL_KEEP_SIZE,
                    offset, length);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
        }
    }

    /** FALLOC_FL_ZERO_RANGE keeps the range allocated (unwritten extents); where unsupported, zeros are written. */
    @Override
    public void writeZeros(long offset, long length) {
        checkWritable();
        BlockStore.checkRange(offset, length, size);
        if (length == 0) {
            return;
        }
        if (zeroRange) {
            try {
                LinuxFileCalls.fallocate(fd, LinuxFileCalls.FALLOC_FL_ZERO_RANGE | LinuxFileCalls.FALLOC_FL_KEEP_SIZE,
                        offset, length);
                return;
            } catch (LinuxFileCalls.ErrnoException e) {
                if (e.errno != LinuxFileCalls.EOPNOTSUPP) {
                    throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
                }
                zeroRange = false;
            } catch (IOException e) {
                throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
            }
        }
        ZeroSource.writeZeros(this, offset, length);
    }

    @Override
    public Extent extentAt(long offset, long maxLength) {
        BlockStore.checkRange(offset, Math.min(maxLength, 1), size);
        long limit = Math.min(size, offset + maxLength);
        try {
            long data = LinuxFileCalls.lseek(fd, offset, LinuxFileCalls.SEEK_DATA);
            if (data < 0 || data >= limit) {
                return new Extent(limit - offset, false);
            }
            if (data > offset) {
                return new Extent(data - offset, false);
            }
            long hole = LinuxFileCalls.lseek(fd, offset, LinuxFileCalls.SEEK_HOLE);
            long end = hole < 0 ? limit : Math.min(hole, limit);
            return new Extent(Math.max(1, end - offset), true);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.READ_ERROR);
        }
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                if (!readOnly) {
                    channel.force(false);
                }
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
        return "file[" + path + ", " + size + " bytes" + (punchHoles ? ", thin" : "") + "]";
    }
}
