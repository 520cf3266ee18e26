package org.lunforge.server;

import static java.lang.System.Logger.Level.INFO;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.iscsi.IscsiPortalGroup;
import org.lunforge.iscsi.IscsiServer;
import org.lunforge.iscsi.IscsiTarget;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.fault.ArmedFault;
import org.lunforge.scsi.fault.Fault;

/**
 * The daemon's fault injection, the one implementation the control socket (and through it the shell) calls: faults
 * armed on logical units by path, and iSCSI target ports taken down and up. Nothing here is saved: the faults live
 * in the logical units and the port state in the portal groups, so a restart of lunforged (or a portal group a
 * configuration change rebuilt) starts with none; a disk a change reopens keeps its faults (StorageObjects). Read by {@link #armed()} and {@link #ports()}: what the shell's
 * info shows, and what metrics can export (fired and held per fault, times down per port).
 */
public final class FaultInjection {
    private static final System.Logger LOG = System.getLogger(FaultInjection.class.getName());

    /**
     * A target port's fault state. {@code kernel}: a port of {@code lio_iscsi_targets}, served by the kernel's iSCSI
     * fabric, which refuses logins while down itself (none counted here).
     */
    public record PortState(String target, int tag, boolean down, long timesTakenDown, long loginsRefusedWhileDown,
                            boolean kernel) {
    }

    private final Daemon daemon;
    private final IscsiServer iscsi;

    FaultInjection(Daemon daemon, IscsiServer iscsi) {
        this.daemon = daemon;
        this.iscsi = iscsi;
    }

    /** Arms a fault on the logical unit at {@code path}; returns its id there. */
    public int arm(String path, Fault fault) {
        LogicalUnit lu = unit(path);
        int id = lu.faults().arm(fault);
        LOG.log(INFO, () -> path + ": fault " + id + " armed: " + fault);
        return id;
    }

    /** Disarms one fault (its held commands run now); false if the unit has no fault of this id. */
    public boolean disarm(String path, int id) {
        boolean done = unit(path).faults().disarm(id);
        if (done) {
            LOG.log(INFO, () -> path + ": fault " + id + " disarmed");
        }
        return done;
    }

    /** Disarms every fault of one unit, or of every unit ({@code path} null); returns how many. */
    public int disarmAll(String path) {
        int count = 0;
        if (path != null) {
            count = unit(path).faults().disarmAll();
        } else {
            for (LogicalUnit lu : daemon.logicalUnits().values()) {
                count += lu.faults().disarmAll();
            }
        }
        int n = count;
        LOG.log(INFO, () -> (path == null ? "every unit" : path) + ": " + n + " fault(s) disarmed");
        return count;
    }

    /** The armed faults of every unit that has some, by path. */
    public Map<String, List<ArmedFault>> armed() {
        Map<String, List<ArmedFault>> out = new LinkedHashMap<>();
        daemon.logicalUnits().forEach((path, lu) -> {
            List<ArmedFault> armed = lu.faults().armed();
            if (!armed.isEmpty()) {
                out.put(path, armed);
            }
        });
        return out;
    }

    /**
     * Takes an iSCSI target port down or brings it up: one of lunforge's own targets, else one the kernel serves
     * ({@code lio_iscsi_targets}: its portal group disabled in configfs).
     */
    public void portDown(String target, int tag, boolean down) throws IOException {
        IscsiTarget t = iscsi.target(target);
        if (t == null && daemon.kernelExports().iscsiPortDown(target, tag, down)) {
            LOG.log(INFO, () -> "kernel iSCSI " + target + " tpgt " + tag
                    + (down ? " taken down (fault injection)" : " up again"));
            return;
        }
        IscsiPortalGroup group = group(target, tag);
        group.down(down);
        LOG.log(INFO, () -> group + (down ? " taken down (fault injection)" : " up again"));
    }

    /** Every iSCSI target port and its fault state. */
    public List<PortState> ports() {
        List<PortState> out = new ArrayList<>();
        for (IscsiTarget t : iscsi.targets()) {
            for (IscsiPortalGroup g : t.portalGroups()) {
                out.add(new PortState(t.name(), g.tag(), g.down(), g.timesTakenDown(), g.loginsRefusedWhileDown(),
                        false));
            }
        }
        out.addAll(daemon.kernelExports().iscsiPorts());
        out.sort(java.util.Comparator.comparing(PortState::target).thenComparingInt(PortState::tag));
        return out;
    }

    private LogicalUnit unit(String path) {
        LogicalUnit lu = daemon.logicalUnit(path);
        if (lu == null) {
            throw new IllegalArgumentException("no logical unit at " + path + " (logical units: "
                    + String.join(", ", daemon.logicalUnits().keySet()) + ")");
        }
        return lu;
    }

    private IscsiPortalGroup group(String target, int tag) {
        IscsiTarget t = iscsi.target(target);
        IscsiPortalGroup g = t == null ? null : t.portalGroup(tag);
        if (g == null) {
            throw new IllegalArgumentException("no iSCSI target port " + target + " tpg " + tag
                    + " (lunforge's own or lio_iscsi_targets')");
        }
        return g;
    }
}
