package org.lunforge.iscsi;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/**
 * The iSCSI target server: listens on the portals of its targets, logs initiators in and runs their sessions.
 * Targets, their LUNs, ACLs and portal groups may change while it runs; {@link #close()} asks every initiator to
 * log out (Async Message), waits {@link IscsiServerOptions#logoutTimeout()}, then drops what is left.
 *
 * <p>Threads: one event loop group (epoll where available, NIO otherwise) accepts and serves connections; each
 * connection, and so each session, lives on one event loop. Configuration methods may be called from any thread.
 */
public final class IscsiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IscsiServer.class.getName());
    /** How long close() waits for the sessions it drops, and again for the event loops to stop. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final IscsiServerOptions options;
    private final IscsiTaskBudget taskBudget;
    private final IscsiLogLimiter initiatorLog = new IscsiLogLimiter();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, IscsiTarget> targets = new ConcurrentHashMap<>();
    private final Map<IscsiSession.Key, IscsiSession> sessions = new ConcurrentHashMap<>();
    private final Map<Integer, IscsiSession> sessionsByTsih = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Channel> listeners = new HashMap<>();
    private final int threads;
    private EventLoopGroup group;
    private Class<? extends ServerChannel> channelClass;
    private int nextTsih = 1;
    /**
     * Guards session registration (TSIHs, the closed flag, a target's presence at login). Event loops take only this
     * lock, never the server's monitor: configuration methods hold the monitor while they wait for event-loop work
     * (binding, closing listeners), so an event loop waiting for the monitor would deadlock them. Order: monitor,
     * then this lock; nothing waits for an event loop while holding this lock.
     */
    private final Object sessionLock = new Object();
    private volatile boolean closed;
    private volatile boolean discoveryAuthRequired;
    private volatile IscsiChapCredentials discoveryChap;
    private volatile IscsiChapCredentials discoveryMutualChap;
    private volatile IscsiMeters meters = IscsiMeters.NONE;

    public IscsiServer(IscsiServerOptions options) {
        this(options, Runtime.getRuntime().availableProcessors());
    }

    /** @param threads event loop threads; connections are spread over them */
    public IscsiServer(IscsiServerOptions options, int threads) {
        this.options = options;
        this.threads = threads;
        this.taskBudget = new IscsiTaskBudget(options.serverTasks());
    }

    public IscsiServerOptions options() {
        return options;
    }

    /** What logins and sessions report to; sessions opened from now on take their port's task meter from it. */
    public void meters(IscsiMeters meters) {
        this.meters = java.util.Objects.requireNonNull(meters, "meters");
    }

    IscsiMeters meters() {
        return meters;
    }

    /** Where log lines an initiator can cause go through: limited per cause. */
    IscsiLogLimiter initiatorLog() {
        return initiatorLog;
    }

    /** The tasks all sessions together may hold. */
    IscsiTaskBudget taskBudget() {
        return taskBudget;
    }

    /** Starts the event loops and binds the portals of the targets added so far. */
    public synchronized IscsiServer start() {
        if (group != null) {
            return this;
        }
        IoHandlerFactory io;
        if (Epoll.isAvailable()) {
            io = EpollIoHandler.newFactory();
            channelClass = EpollServerSocketChannel.class;
        } else {
            io = NioIoHandler.newFactory();
            channelClass = NioServerSocketChannel.class;
        }
        group = new MultiThreadIoEventLoopGroup(threads, io);
        LOG.log(INFO, () -> "iSCSI target starting, " + (Epoll.isAvailable() ? "epoll" : "NIO") + " transport, "
                + threads + " event loops");
        portalsChanged();
        return this;
    }

    // ---- targets

    /** Adds a target and binds its portals. Throws {@link IscsiPortalException} if a portal cannot be bound. */
    public synchronized IscsiTarget addTarget(IscsiTarget target) {
        if (targets.containsKey(target.name())) {
            throw new IllegalArgumentException("target " + target.name() + " exists");
        }
        for (IscsiPortalGroup g : target.portalGroups()) {
            checkRelativePortId(target, g);
        }
        targets.put(target.name(), target);
        target.attach(this);
        try {
            portalsChanged();
        } catch (IscsiPortalException e) {
            targets.remove(target.name());
            target.attach(null);
            portalsChanged();
            throw e;
        }
        return target;
    }

    /**
     * Removes a target: its initiators are asked to log out, and dropped after the logout timeout; portals no other
     * target uses are closed. The logical units stay open (they belong to the caller).
     */
    public synchronized IscsiTarget removeTarget(String name) {
        IscsiTarget target;
        synchronized (sessionLock) { // no login of this target completes after this point
            target = targets.remove(IscsiTarget.normalize(name));
        }
        if (target == null) {
            return null;
        }
        target.attach(null);
        for (IscsiSession s : sessions.values()) {
            if (s.target == target) {
                s.requestLogout(options.logoutTimeout());
            }
        }
        portalsChanged();
        return target;
    }

    public IscsiTarget target(String name) {
        return targets.get(IscsiTarget.normalize(name));
    }

    public Collection<IscsiTarget> targets() {
        return List.copyOf(targets.values());
    }

    /** Discovery sessions: whether CHAP is required, and the credentials (both may be null). */
    public void discoveryAuthentication(boolean required, IscsiChapCredentials chap, IscsiChapCredentials mutual) {
        if (required && chap == null) {
            throw new IllegalArgumentException("discovery authentication needs credentials");
        }
        this.discoveryChap = chap;
        this.discoveryMutualChap = mutual;
        this.discoveryAuthRequired = required;
    }

    boolean discoveryAuthenticationRequired() {
        return discoveryAuthRequired;
    }

    IscsiChapCredentials discoveryChap() {
        return discoveryChap;
    }

    IscsiChapCredentials discoveryMutualChap() {
        return discoveryMutualChap;
    }

    SecureRandom random() {
        return random;
    }

    /** The lock a portal group's removal holds, so that no login through the group completes after it. */
    Object sessionLock() {
        return sessionLock;
    }

    /** Relative target port identifiers name one (target, portal group) each, server-wide (SPC-4 7.8.6.7). */
    synchronized void checkRelativePortId(IscsiTarget target, IscsiPortalGroup group) {
        for (IscsiTarget t : targets.values()) {
            for (IscsiPortalGroup g : t.portalGroups()) {
                boolean same = t == target && g.tag() == group.tag();
                if (!same && g.relativeTargetPortId() == group.relativeTargetPortId()) {
                    throw new IllegalArgumentException("relative target port identifier "
                            + group.relativeTargetPortId() + " already names " + t.name() + " tpgt " + g.tag());
                }
            }
        }
    }

    // ---- portals

    /** The addresses the server listens on now. */
    public synchronized Set<InetSocketAddress> listening() {
        return Set.copyOf(listeners.keySet());
    }

    /** Binds every portal some target uses and not yet bound; closes those no target uses any more. */
    synchronized void portalsChanged() {
        if (group == null || closed) {
            return;
        }
        Set<InetSocketAddress> wanted = new LinkedHashSet<>();
        for (IscsiTarget t : targets.values()) {
            for (IscsiPortalGroup g : t.portalGroups()) {
                if (g.down()) {
                    continue;
                }
                for (IscsiPortal p : g.portals()) {
                    wanted.add(p.socketAddress());
                }
            }
        }
        // A wildcard listener on a port already accepts every address of that port (and Linux refuses both).
        wanted.removeIf(a -> !a.getAddress().isAnyLocalAddress() && wanted.stream().anyMatch(
                w -> w.getAddress().isAnyLocalAddress() && w.getPort() == a.getPort()));
        for (InetSocketAddress address : new ArrayList<>(listeners.keySet())) {
            if (!wanted.contains(address)) {
                listeners.remove(address).close();
                LOG.log(INFO, () -> "no longer listening on " + address);
            }
        }
        for (InetSocketAddress address : wanted) {
            if (!listeners.containsKey(address)) {
                listeners.put(address, bind(address));
                LOG.log(INFO, () -> "listening on " + address);
            }
        }
    }

    private Channel bind(InetSocketAddress address) {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(4 << 20, 16 << 20))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16384, 262144))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("decoder", new IscsiDecoder())
                                .addLast("encoder", new IscsiEncoder())
                                .addLast("login", new IscsiLoginHandler(IscsiServer.this, options));
                    }
                });
        try {
            return b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            String why = e.getMessage() != null && e.getMessage().contains("in use") ? "address already in use"
                    : String.valueOf(e.getMessage());
            throw new IscsiPortalException("cannot listen on " + address + ": " + why, e);
        }
    }

    // ---- sessions

    /** Sessions logged in now. */
    public List<IscsiSessionInfo> sessions() {
        List<IscsiSessionInfo> out = new ArrayList<>();
        for (IscsiSession s : sessions.values()) {
            out.add(s.info());
        }
        return out;
    }

    /**
     * Closes the session with this TSIH from the target's side (an operator's decision): the initiator is asked to
     * log out (Async Message, RFC 7143 11.9.1 AsyncEvent 1) and the connection is dropped if it has not within the
     * logout timeout. False if no session has this TSIH.
     */
    public boolean closeSession(int tsih) {
        IscsiSession s = sessionsByTsih.get(tsih);
        if (s == null) {
            return false;
        }
        s.closeByTarget(options.logoutTimeout());
        return true;
    }

    IscsiSession session(IscsiSession.Key key) {
        return sessions.get(key);
    }

    IscsiSession session(int tsih) {
        return sessionsByTsih.get(tsih);
    }

    /** Registers a new session with a fresh TSIH (11.12.6: unique among the target's sessions; we use server-wide). */
    IscsiSession openSession(Channel channel, String initiatorName, long isid, int cid,
                             IscsiTarget target, IscsiPortalGroup portalGroup, Nexus nexus,
                             IscsiSessionParameters parameters, String authMethod, boolean mutualChap) {
        synchronized (sessionLock) {
            return register(channel, initiatorName, isid, cid, target, portalGroup, nexus, parameters, authMethod,
                    mutualChap);
        }
    }

    private IscsiSession register(Channel channel, String initiatorName, long isid, int cid,
                                  IscsiTarget target, IscsiPortalGroup portalGroup, Nexus nexus,
                                  IscsiSessionParameters parameters, String authMethod, boolean mutualChap) {
        if (closed) {
            throw new IllegalStateException("the target is shutting down");
        }
        if (target != null && targets.get(target.name()) != target) {
            throw new IllegalStateException(target.name() + " was removed");
        }
        if (target != null && target.portalGroup(portalGroup.tag()) != portalGroup) {
            throw new IllegalStateException(portalGroup + " was removed");
        }
        int tsih = nextTsih;
        for (int i = 0; sessionsByTsih.containsKey(tsih) || tsih == 0; i++) {
            if (i > 0xFFFF) {
                throw new IllegalStateException("no free TSIH");
            }
            tsih = (tsih + 1) & 0xFFFF;
        }
        nextTsih = (tsih + 1) & 0xFFFF;
        IscsiSession session = new IscsiSession(this, channel, initiatorName, isid, tsih, cid, target, portalGroup,
                nexus, parameters, authMethod, mutualChap);
        if (sessions.putIfAbsent(session.key, session) != null) {
            throw new IllegalStateException("a session " + session.key + " logged in meanwhile");
        }
        sessionsByTsih.put(tsih, session);
        channel.closeFuture().addListener(f -> channel.eventLoop().execute(() -> sessionEnded(session)));
        LOG.log(INFO, () -> "session opened: " + session + " from " + channel.remoteAddress());
        return session;
    }

    /** The session's connection is gone: SCSI nexus loss for its logical units (SAM-5 6.3.4), then unregister. */
    void sessionEnded(IscsiSession session) {
        if (session.terminated.isDone()) {
            return;
        }
        try {
            if (session.lunMap != null) {
                for (LogicalUnit lu : session.lunMap.logicalUnits()) {
                    lu.nexusLost(session.nexus);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(WARNING, () -> "nexus loss of " + session + " failed", e);
        } finally {
            sessions.remove(session.key, session);
            sessionsByTsih.remove(session.tsih, session);
            LOG.log(INFO, () -> "session closed: " + session);
            session.terminated.trySuccess(null);
        }
    }

    /** Another session's CLEAR TASK SET, LUN reset or target reset: abort the tasks every other session has there. */
    List<Future<Void>> abortTasks(Set<LogicalUnit> scope, IscsiSession except) {
        List<Future<Void>> out = new ArrayList<>();
        for (IscsiSession s : sessions.values()) {
            if (s != except && !s.discovery() && s.channel.isActive()) {
                out.add(s.abortTasks(scope, options.taskAbortedStatus()));
            }
        }
        return out;
    }

    /** Drops every session through this target port (TARGET COLD RESET); other ports' sessions go on. */
    void closeSessions(IscsiPortalGroup port) {
        for (IscsiSession s : sessions.values()) {
            if (s.portalGroup == port) {
                s.channel.eventLoop().execute(() -> s.channel.flush().close());
            }
        }
    }

    /**
     * LUNs or ACLs of a portal group changed: each session through it whose logical unit inventory changed sees
     * REPORTED LUNS DATA HAS CHANGED (SPC-4 6.29) on the logical units it still reaches.
     */
    void lunsChanged(IscsiPortalGroup group) {
        for (IscsiSession s : sessions.values()) {
            if (s.portalGroup == group && s.lunMap != null) {
                s.eventLoop().execute(() -> {
                    if (s.lunMap.inventoryChanged()) {
                        for (LogicalUnit lu : s.lunMap.logicalUnits()) {
                            lu.unitAttentions().establish(s.nexus, SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
                        }
                    }
                });
            }
        }
    }

    /** A portal group left its target: the target port is gone, so its initiators are asked to log out. */
    void portalGroupRemoved(IscsiPortalGroup group) {
        for (IscsiSession s : sessions.values()) {
            if (s.portalGroup == group) {
                s.requestLogout(options.logoutTimeout());
            }
        }
    }

    /**
     * Stops listening, asks every initiator to log out, waits for them up to the logout timeout, drops the rest and
     * stops the event loops. Every wait is bounded, so it ends within the logout timeout and a few seconds whatever
     * the sessions hold (tasks waiting for Data-Out, tasks a device never completes, a loop busy with a flood): a
     * wait that runs out is logged and passed.
     */
    @Override
    public void close() {
        List<IscsiSession> open;
        List<Channel> listening;
        synchronized (this) {
            if (closed || group == null) {
                closed = true;
                return;
            }
            synchronized (sessionLock) { // no session registers after the snapshot
                closed = true;
                open = new ArrayList<>(sessions.values());
            }
            listening = new ArrayList<>(listeners.values());
            listeners.clear();
        }
        for (Channel c : listening) {
            c.close();
        }
        for (IscsiSession s : open) {
            s.requestLogout(options.logoutTimeout());
        }
        long deadline = System.nanoTime() + options.logoutTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        List<IscsiSession> left = new ArrayList<>();
        for (IscsiSession s : open) {
            if (!awaitUntil(s.terminated, deadline)) {
                left.add(s);
            }
        }
        // Those that did not log out are dropped all at once, not one after the other.
        for (IscsiSession s : left) {
            s.close();
        }
        long dropDeadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        for (IscsiSession s : left) {
            if (!awaitUntil(s.terminated, dropDeadline)) {
                LOG.log(WARNING, () -> s + " did not end in time; stopping its event loop anyway");
            }
        }
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_NANOS,
                TimeUnit.NANOSECONDS)) {
            LOG.log(WARNING, "iSCSI event loops did not stop in time; leaving them");
        }
        LOG.log(INFO, "iSCSI target stopped");
    }

    private static boolean awaitUntil(Future<?> f, long deadline) {
        long left = deadline - System.nanoTime();
        return f.isDone() || left > 0 && f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
    }
}
