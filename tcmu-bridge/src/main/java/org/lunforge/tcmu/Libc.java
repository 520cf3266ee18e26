package org.lunforge.tcmu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls a uio device needs, through the FFM API. {@code FileChannel} cannot map a character device and
 * does not expose its descriptor, which mmap and poll need, so the descriptor is ours from open to close.
 *
 * <p>Each call captures errno right after the call (the JVM may overwrite it before Java code runs).
 */
final class Libc {
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x1;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final short POLLIN = 0x1;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int EINVAL = 22;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // int open(const char *path, int flags, ...): variadic after the second argument.
    private static final MethodHandle OPEN = handle("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = handle("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = handle("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MMAP = handle("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, options);
    }

    /** An errno-carrying failure of a libc call. */
    static final class ErrnoException extends IOException {
        private final int errno;

        ErrnoException(String call, int errno) {
            super(call + ": " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    /** Per-thread scratch memory for the capture state and small buffers: no allocation per call. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final MemorySegment capture = Arena.ofAuto().allocate(CAPTURE_LAYOUT);
        final MemorySegment buffer = Arena.ofAuto().allocate(16, 8);
        final MemorySegment pollFds = Arena.ofAuto().allocate(16, 8); // two struct pollfd {int fd; short ev, rev;}
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static int open(String path, int flags) throws IOException {
        Scratch s = SCRATCH.get();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(s.capture, arena.allocateFrom(path), flags, 0);
            if (fd < 0) {
                throw new ErrnoException("open " + path, errno(s.capture));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        int r = invokeInt(CLOSE, s.capture, fd);
        if (r < 0) {
            throw new ErrnoException("close", errno(s.capture));
        }
    }

    /** mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0), as a segment of exactly {@code size} bytes. */
    static MemorySegment mmapShared(int fd, long size) throws IOException {
        Scratch s = SCRATCH.get();
        MemorySegment addr;
        try {
            addr = (MemorySegment) MMAP.invokeExact(s.capture, MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED, fd, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (addr.address() == -1L) { // MAP_FAILED
            throw new ErrnoException("mmap", errno(s.capture));
        }
        return addr.reinterpret(size);
    }

    static void munmap(MemorySegment mapping) throws IOException {
        Scratch s = SCRATCH.get();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(s.capture, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r < 0) {
            throw new ErrnoException("munmap", errno(s.capture));
        }
    }

    /**
     * Reads one s32 uio event count. Returns false if the non-blocking descriptor had no event (EAGAIN).
     *
     * @throws ErrnoException EIO once the uio device is unregistered (the backstore was removed)
     */
    static boolean readEvent(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        while (true) {
            long n = invokeLong(READ, s.capture, fd, s.buffer, TcmuAbi.UIO_EVENT_SIZE);
            if (n == TcmuAbi.UIO_EVENT_SIZE) {
                return true;
            }
            int errno = n < 0 ? errno(s.capture) : Libc.EIO;
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                return false;
            }
            throw new ErrnoException("read uio", errno);
        }
    }

    /** Writes one s32: for a uio device, "reap my completions" (tcmu_irqcontrol). */
    static void writeEvent(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buffer.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0);
        while (true) {
            long n = invokeLong(WRITE, s.capture, fd, s.buffer, TcmuAbi.UIO_EVENT_SIZE);
            if (n == TcmuAbi.UIO_EVENT_SIZE) {
                return;
            }
            int errno = n < 0 ? errno(s.capture) : Libc.EIO;
            if (errno != EINTR) {
                throw new ErrnoException("write uio", errno);
            }
        }
    }

    static int eventfd() throws IOException {
        Scratch s = SCRATCH.get();
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(s.capture, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (fd < 0) {
            throw new ErrnoException("eventfd", errno(s.capture));
        }
        return fd;
    }

    /** Adds 1 to an eventfd counter; a full counter (EAGAIN) already wakes the reader. */
    static void signalEventfd(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buffer.set(JAVA_LONG, 8, 1L);
        while (true) {
            long n = invokeLong(WRITE, s.capture, fd, s.buffer.asSlice(8, 8), 8);
            if (n == 8) {
                return;
            }
            int errno = n < 0 ? errno(s.capture) : EIO;
            if (errno == EAGAIN) {
                return;
            }
            if (errno != EINTR) {
                throw new ErrnoException("write eventfd", errno);
            }
        }
    }

    /** Resets an eventfd counter (non-blocking descriptor). */
    static void drainEventfd(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        long n = invokeLong(READ, s.capture, fd, s.buffer.asSlice(8, 8), 8);
        if (n < 0) {
            int errno = errno(s.capture);
            if (errno != EAGAIN && errno != EINTR) {
                throw new ErrnoException("read eventfd", errno);
            }
        }
    }

    /**
     * poll(2) on two descriptors for input, without a time limit when {@code timeoutMillis} is -1. Returns the
     * revents of both in the low and high 16 bits; 0 on timeout or EINTR.
     */
    static int poll2(int fd0, int fd1, int timeoutMillis) throws IOException {
        Scratch s = SCRATCH.get();
        MemorySegment fds = s.pollFds;
        fds.set(JAVA_INT, 0, fd0);
        fds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, POLLIN);
        fds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 0);
        fds.set(JAVA_INT, 8, fd1);
        fds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 12, POLLIN);
        fds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 14, (short) 0);
        int r;
        try {
            r = (int) POLL.invokeExact(s.capture, fds, 2L, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r < 0) {
            int errno = errno(s.capture);
            if (errno == EINTR) {
                return 0;
            }
            throw new ErrnoException("poll", errno);
        }
        int rev0 = Short.toUnsignedInt(fds.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6));
        int rev1 = Short.toUnsignedInt(fds.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 14));
        return rev0 | (rev1 << 16);
    }

    private static int invokeInt(MethodHandle h, MemorySegment capture, int fd) {
        try {
            return (int) h.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static long invokeLong(MethodHandle h, MemorySegment capture, int fd, MemorySegment buf, long n) {
        try {
            return (long) h.invokeExact(capture, fd, buf, n);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
