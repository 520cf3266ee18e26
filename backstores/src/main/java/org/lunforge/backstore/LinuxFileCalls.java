package org.lunforge.backstore;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The Linux calls the file and block-device stores need that {@code FileChannel} does not offer, made through the FFM
 * API (no JNI): open/close of a second descriptor to the same file, fallocate (punch hole, zero range), lseek with
 * SEEK_DATA/SEEK_HOLE, and the block-device ioctls. Each failing call throws an {@link IOException} naming errno.
 *
 * <p>Constants are those of the x86-64 and arm64 Linux ABI (asm-generic/fcntl.h, linux/falloc.h, linux/fs.h).
 */
final class LinuxFileCalls {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    /** _IOR(0x12, 114, size_t): the device size in bytes. */
    static final long BLKGETSIZE64 = 0x80081272L;
    /** _IO(0x12, 119): discard a byte range {start, length}. */
    static final long BLKDISCARD = 0x1277L;
    /** _IO(0x12, 127): zero a byte range {start, length}. */
    static final long BLKZEROOUT = 0x127FL;
    /** _IO(0x12, 104): the logical sector size, an int. */
    static final long BLKSSZGET = 0x1268L;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int ENOSPC = 28;
    static final int EOPNOTSUPP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));

    private LinuxFileCalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** An errno-carrying failure of a native call. */
    static final class ErrnoException extends IOException {
        final int errno;

        ErrnoException(String call, int errno) {
            super(call + " failed: errno " + errno + (errno == ENOSPC ? " (No space left on device)" : ""));
            this.errno = errno;
        }
    }

    static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("open(" + path + ")", errno(state));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void fallocate(int fd, int mode, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            while (true) {
                int rc = (int) FALLOCATE.invokeExact(state, fd, mode, offset, length);
                if (rc == 0) {
                    return;
                }
                int errno = errno(state);
                if (errno != EINTR) {
                    throw new ErrnoException("fallocate(mode " + mode + ")", errno);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** lseek; returns -1 for ENXIO (no data or hole at or after the offset), throws for other errors. */
    static long lseek(int fd, long offset, int whence) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long rc = (long) LSEEK.invokeExact(state, fd, offset, whence);
            if (rc >= 0) {
                return rc;
            }
            int errno = errno(state);
            if (errno == ENXIO) {
                return -1;
            }
            throw new ErrnoException("lseek(whence " + whence + ")", errno);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** An ioctl that fills a 64-bit value (BLKGETSIZE64). */
    static long ioctlReadLong(int fd, long request) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment out = arena.allocate(JAVA_LONG);
            int rc = (int) IOCTL.invokeExact(state, fd, request, out);
            if (rc < 0) {
                throw new ErrnoException("ioctl(0x" + Long.toHexString(request) + ")", errno(state));
            }
            return out.get(JAVA_LONG, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** An ioctl that fills a 32-bit value (BLKSSZGET). */
    static int ioctlReadInt(int fd, long request) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment out = arena.allocate(JAVA_LONG);
            int rc = (int) IOCTL.invokeExact(state, fd, request, out);
            if (rc < 0) {
                throw new ErrnoException("ioctl(0x" + Long.toHexString(request) + ")", errno(state));
            }
            return out.get(JAVA_INT, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** An ioctl taking a {start, length} pair of uint64 (BLKDISCARD, BLKZEROOUT). */
    static void ioctlRange(int fd, long request, long start, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment range = arena.allocate(JAVA_LONG, 2);
            range.setAtIndex(JAVA_LONG, 0, start);
            range.setAtIndex(JAVA_LONG, 1, length);
            int rc = (int) IOCTL.invokeExact(state, fd, request, range);
            if (rc < 0) {
                throw new ErrnoException("ioctl(0x" + Long.toHexString(request) + ")", errno(state));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
