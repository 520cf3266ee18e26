package org.lunforge.iscsi;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.TaskMeter;

/**
 * One iSCSI session (RFC 7143 3.4): the I_T nexus between an initiator port (name + ISID) and a target port
 * (target + portal group), here always over one connection (MaxConnections=1). Its state lives in its
 * {@link IscsiSessionHandler} on the connection's event loop; this object is what the rest of the server holds:
 * the identity, and methods that other threads may call (they hop onto the loop).
 */
final class IscsiSession {
    /**
     * A session is its I_T nexus (RFC 7143 4.4.3, 6.3.5): the initiator port (name, ISID) and the target port (target
     * name, portal group tag). Reinstatement closes only the session with the same key, so a login through one
     * portal group never ends a session through another, whose ACLs and authentication may be stricter. Discovery
     * sessions have no target port ({@code targetName} null, {@code portalGroupTag} -1).
     */
    record Key(String initiatorName, long isid, String targetName, int portalGroupTag) {
        Key {
            if (targetName == null ? portalGroupTag != -1 : portalGroupTag < 0 || portalGroupTag > 0xFFFF) {
                throw new IllegalArgumentException("portal group tag " + portalGroupTag + " of " + targetName);
            }
        }

        static Key of(String initiatorName, long isid, IscsiTarget target, IscsiPortalGroup portalGroup) {
            return new Key(IscsiTarget.normalize(initiatorName), isid, target == null ? null : target.name(),
                    target == null ? -1 : portalGroup.tag());
        }
    }

    final IscsiServer server;
    final Channel channel;
    final Key key;
    final String initiatorName;
    final long isid;
    final int tsih;
    final int cid;
    /** Null for a discovery session. */
    final IscsiTarget target;
    final IscsiPortalGroup portalGroup;
    final Nexus nexus;
    final IscsiLunMap lunMap;
    final Promise<Void> terminated;
    /** The keys login settled, the authentication it ran ("None", "CHAP") and whether it was mutual. */
    final IscsiSessionParameters parameters;
    final String authMethod;
    final boolean mutualChap;
    /** Counts the tasks through this session's target port; asked for once, at login. */
    final TaskMeter portMeter;
    volatile IscsiSessionHandler handler;

    IscsiSession(IscsiServer server, Channel channel, String initiatorName, long isid, int tsih, int cid,
                 IscsiTarget target, IscsiPortalGroup portalGroup, Nexus nexus, IscsiSessionParameters parameters,
                 String authMethod, boolean mutualChap) {
        this.server = server;
        this.parameters = parameters;
        this.authMethod = authMethod;
        this.mutualChap = mutualChap;
        this.channel = channel;
        this.initiatorName = initiatorName;
        this.isid = isid;
        this.tsih = tsih;
        this.cid = cid;
        this.target = target;
        this.portalGroup = portalGroup;
        this.nexus = nexus;
        this.lunMap = target == null ? null : new IscsiLunMap(portalGroup, initiatorName);
        this.key = Key.of(initiatorName, isid, target, portalGroup);
        this.terminated = channel.eventLoop().newPromise();
        this.portMeter = nexus == null ? TaskMeter.NONE : server.meters().targetPort(nexus.target());
    }

    boolean discovery() {
        return target == null;
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Drops the connection; the returned future completes once tasks are cleaned up and nexus loss reported. */
    Future<Void> close() {
        channel.close();
        return terminated;
    }

    /** Asks the initiator to log out (Async Message) and drops the connection after {@code timeout}. */
    void requestLogout(Duration timeout) {
        eventLoop().execute(() -> {
            IscsiSessionHandler h = handler;
            if (h != null) {
                h.requestLogout(timeout);
            } else {
                channel.close();
            }
        });
    }

    /**
     * Aborts this session's tasks on the given logical units because another session's task management said so;
     * completes when those tasks are gone (their Data-Out received, the device finished with them).
     */
    Future<Void> abortTasks(Set<LogicalUnit> scope, boolean withStatus) {
        Promise<Void> done = eventLoop().newPromise();
        eventLoop().execute(() -> {
            IscsiSessionHandler h = handler;
            if (h == null) {
                done.trySuccess(null);
            } else {
                h.taskManagement().abortForeign(scope, withStatus, done);
            }
        });
        return done;
    }

    /** Safe from any thread: the LUNs are read from the group through the initiator's ACL, not the loop's map. */
    IscsiSessionInfo info() {
        Map<Integer, String> luns = new TreeMap<>();
        if (target != null) {
            IscsiLunMap current = new IscsiLunMap(portalGroup, initiatorName);
            for (int lun : current.luns()) {
                LogicalUnit lu = current.logicalUnit(lun);
                if (lu != null) {
                    luns.put(lun, lu.name());
                }
            }
        }
        return new IscsiSessionInfo(initiatorName, isid, tsih, target == null ? null : target.name(),
                target == null ? -1 : portalGroup.tag(), (InetSocketAddress) channel.remoteAddress(), cid,
                (InetSocketAddress) channel.localAddress(), parameters, authMethod, mutualChap, luns);
    }

    /** Ends the session from the target's side: Async Message asking for a logout, the connection dropped after. */
    void closeByTarget(Duration timeout) {
        requestLogout(timeout);
    }

    @Override
    public String toString() {
        return "IscsiSession[" + initiatorName + ",i,0x%012x".formatted(isid) + " -> "
                + (target == null ? "discovery" : target.name()) + ", TSIH " + tsih + "]";
    }
}
