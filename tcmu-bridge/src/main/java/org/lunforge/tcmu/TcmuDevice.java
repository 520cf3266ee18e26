package org.lunforge.tcmu;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TransportProtocol;

/**
 * One TCMU device served on its own thread: the open uio descriptor, the whole map0 mapped shared, and the ring
 * loop. A slow backstore on one device never stalls another. The mapping is unmapped only when no command is in
 * flight: a device server still writing into an unmapped iovec would crash the JVM.
 */
public final class TcmuDevice implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcmuDevice.class.getName());
    /** How long {@link #close} waits for the ring to drain and device servers to finish. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private final TcmuDeviceInfo info;
    private final int fd;
    private final MemorySegment mapping;
    private final UioDoorbell doorbell;
    private final TcmuRingLoop loop;
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Consumer<TcmuDevice> onExit = d -> { };
    private volatile Throwable failure;

    private TcmuDevice(TcmuDeviceInfo info, int fd, MemorySegment mapping, UioDoorbell doorbell,
                       TcmuCommandHandler handler, WaitStrategy waitStrategy, Nexus nexus) {
        this.info = info;
        this.fd = fd;
        this.mapping = mapping;
        this.doorbell = doorbell;
        this.loop = new TcmuRingLoop(info.uio(), mapping, doorbell, handler, waitStrategy, nexus);
        this.thread = Thread.ofPlatform().name("tcmu-" + info.uio()).daemon(true).unstarted(this::serve);
    }

    /** The one nexus of a TCMU device: the kernel tells user space nothing about the initiator. */
    public static Nexus nexusFor(TcmuDeviceInfo info) {
        return new Nexus(new InitiatorPort(TransportProtocol.NONE, "tcmu", ""),
                new TargetPort(1, "tcm-user/" + info.hbaId() + "/" + info.deviceName(), TransportProtocol.NONE));
    }

    /**
     * Opens {@code /dev/uioN} (a second open of the same device fails with EBUSY), maps map0 and checks the mailbox.
     * The device serves nothing until {@link #start}.
     */
    public static TcmuDevice open(Path devNode, TcmuDeviceInfo info, TcmuCommandHandler handler,
                                  WaitStrategy waitStrategy, Nexus nexus) throws IOException {
        return open(devNode, info, handler, waitStrategy, nexus, null);
    }

    /**
     * As {@link #open(Path, TcmuDeviceInfo, TcmuCommandHandler, WaitStrategy, Nexus)}, running {@code afterOpen}
     * once the descriptor is ours and before the mailbox is read (the bridge resets an adopted ring there).
     */
    static TcmuDevice open(Path devNode, TcmuDeviceInfo info, TcmuCommandHandler handler, WaitStrategy waitStrategy,
                           Nexus nexus, IoAction afterOpen) throws IOException {
        int fd = Libc.open(devNode.toString(), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        MemorySegment mapping = null;
        UioDoorbell doorbell = null;
        try {
            if (afterOpen != null) {
                afterOpen.run();
            }
            mapping = Libc.mmapShared(fd, info.mapSize());
            doorbell = new UioDoorbell(fd, info.uio());
            return new TcmuDevice(info, fd, mapping, doorbell, handler, waitStrategy, nexus);
        } catch (IOException | RuntimeException e) {
            if (doorbell != null) {
                closeQuietly(doorbell::close);
            }
            if (mapping != null) {
                MemorySegment m = mapping;
                closeQuietly(() -> Libc.munmap(m));
            }
            closeQuietly(() -> Libc.close(fd));
            throw e;
        }
    }

    /** Starts the ring thread; {@code onExit} runs on it when serving ends (removal, error or close). */
    public TcmuDevice start(Consumer<TcmuDevice> onExit) {
        this.onExit = onExit;
        thread.start();
        return this;
    }

    private void serve() {
        LOG.log(INFO, () -> info.uio() + ": serving " + info.backstoreName() + " (" + info.subtype() + "/"
                + info.config() + ")");
        try {
            loop.run();
        } catch (Throwable t) {
            failure = t;
            LOG.log(ERROR, () -> info.uio() + ": ring loop failed; device no longer served", t);
        }
        release();
        finished.countDown();
        onExit.accept(this);
    }

    private void release() {
        boolean quiet = loop.awaitQuiescence(TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT.toSeconds()));
        closeQuietly(doorbell::close);
        if (quiet) {
            closeQuietly(() -> Libc.munmap(mapping));
        } else {
            // Device servers still hold views into the data area: leave it mapped rather than crash the JVM.
            LOG.log(WARNING, () -> info.uio() + ": " + loop.inFlight()
                    + " commands never completed; the mapping is left in place");
        }
        closeQuietly(() -> Libc.close(fd));
    }

    public TcmuDeviceInfo info() {
        return info;
    }

    public boolean isServing() {
        return thread.isAlive();
    }

    /** Why serving ended, or null. */
    public Throwable failure() {
        return failure;
    }

    public long commandCount() {
        return loop.commandCount();
    }

    public long kickCount() {
        return loop.kickCount();
    }

    /** Commands the ring thread has read and not yet completed: the ring's occupancy (read racily, for metrics). */
    public int inFlight() {
        return loop.inFlight();
    }

    /** Times the command ring filled up: the kernel held commands back until completions made room (read racily). */
    public long stallCount() {
        return loop.stallCount();
    }

    /**
     * Stops serving: every entry already in the ring is still served and completed, then the descriptor is closed and
     * the mapping released. Commands the kernel queues meanwhile stay in the ring for the next daemon (which resets
     * the ring); block the device in configfs first (action/block_dev) to stop them at the source.
     */
    @Override
    public void close() {
        if (!thread.isAlive() && finished.getCount() == 0) {
            return;
        }
        loop.requestStop();
        try {
            if (!finished.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(WARNING, () -> info.uio() + ": ring did not drain in " + DRAIN_TIMEOUT + "; abandoning it");
                loop.abandon();
                finished.await(2 * DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    interface IoAction {
        void run() throws IOException;
    }

    private static void closeQuietly(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            LOG.log(WARNING, "close failed", e);
        }
    }

    @Override
    public String toString() {
        return "TcmuDevice[" + info.uio() + " " + info.backstoreName() + "]";
    }
}
