package org.lunforge.tcmu;

import java.io.IOException;

/**
 * The doorbell of a real uio device: poll(2) on the uio descriptor and on an eventfd that completing threads signal,
 * a non-blocking 4-byte read to consume the uio event count, a 4-byte write to kick the kernel.
 *
 * <p>uio keeps an event count per open file and poll reports input while it differs from the count last read, so an
 * entry queued between our scan of the ring and the next poll is never missed: the kernel stores cmd_head before it
 * notifies, and we read (consume) the event before we scan.
 */
final class UioDoorbell implements TcmuDoorbell {
    private final int uioFd;
    private final int eventFd;
    private final String name;
    private boolean closed;

    UioDoorbell(int uioFd, String name) throws IOException {
        this.uioFd = uioFd;
        this.eventFd = Libc.eventfd();
        this.name = name;
    }

    @Override
    public void ring() throws IOException {
        try {
            Libc.writeEvent(uioFd);
        } catch (Libc.ErrnoException e) {
            throw new TcmuDeviceGoneException(name + ": uio write failed", e);
        }
    }

    @Override
    public void await() throws IOException {
        int revents = Libc.poll2(uioFd, eventFd, -1);
        if ((revents & 0xFFFF) != 0) {
            try {
                Libc.readEvent(uioFd);
            } catch (Libc.ErrnoException e) {
                // EIO (or EINVAL on newer kernels) once uio_unregister_device ran.
                throw new TcmuDeviceGoneException(name + ": uio device gone", e);
            }
        }
        if ((revents >>> 16) != 0) {
            Libc.drainEventfd(eventFd);
        }
    }

    /**
     * Wake-ups and close exclude each other: a wake-up after close must not write to a descriptor number the process
     * may have reused. Wake-ups are rare (only while the ring thread is parked), so the lock is off the fast path.
     */
    @Override
    public synchronized void wakeup() {
        if (closed) {
            return;
        }
        try {
            Libc.signalEventfd(eventFd);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            Libc.close(eventFd);
        }
    }
}
