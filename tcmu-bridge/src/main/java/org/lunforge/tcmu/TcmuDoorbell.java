package org.lunforge.tcmu;

import java.io.IOException;

/**
 * The notification side of a TCMU ring: the uio descriptor of a real device, or the test simulator's kernel.
 */
interface TcmuDoorbell extends AutoCloseable {
    /** Tells the kernel that completions are ready (a 4-byte uio write: tcmu_irqcontrol reaps them). Ring thread. */
    void ring() throws IOException;

    /**
     * Blocks until the kernel signalled new entries since the last call, or {@link #wakeup} was called.
     *
     * @throws TcmuDeviceGoneException the uio device was unregistered
     */
    void await() throws IOException;

    /** Ends an {@link #await} now or makes the next one return at once. Any thread. */
    void wakeup();

    @Override
    void close() throws IOException;
}
