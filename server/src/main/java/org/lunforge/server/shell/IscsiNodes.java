package org.lunforge.server.shell;

import static org.lunforge.server.shell.ShellCommand.Param.optional;
import static org.lunforge.server.shell.ShellCommand.Param.required;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.lunforge.server.config.Acl;
import org.lunforge.server.config.Chap;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.Lun;
import org.lunforge.server.config.MappedLun;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.Portals;
import org.lunforge.server.control.ConfigIdentities;
import org.lunforge.server.control.Session;

/** /iscsi/IQN/tpgN/{luns,acls,portals}: lunforge's own iSCSI target. */
final class IscsiNodes {
    /** Operational keys a portal group may offer other than RFC 7143's defaults. */
    static final List<String> KEYS = List.of("HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength",
            "MaxBurstLength", "FirstBurstLength", "InitialR2T", "ImmediateData", "MaxOutstandingR2T",
            "DefaultTime2Wait", "DefaultTime2Retain", "ErrorRecoveryLevel", "MaxConnections");

    private IscsiNodes() {
    }

    static void build(ShellNode root, ShellContext ctx) throws ShellException {
        Config c = ctx.config();
        ShellNode iscsi = root.child("iscsi", "lunforge's own iSCSI target: targets, portal groups, LUNs, ACLs")
                .status(BackstoreNodes.count(c.getIscsiTargetsCount(), "target"));
        iscsi.editCommand(new ShellCommand("create", "create a target with tpg1 listening on a portal",
                List.of(optional("iqn", "the target's name; default: a new iqn.YYYY-MM.org.lunforge:HOST.XXXXXX"),
                        optional("portal", "where tpg1 listens: address[:port] (default 0.0.0.0:3260)")),
                IscsiNodes::createTarget));
        iscsi.editCommand(new ShellCommand("delete", "delete a target (its sessions are logged out)",
                List.of(required("iqn", "the target").values(x -> x.config().getIscsiTargetsList().stream()
                        .map(IscsiTarget::getIqn).toList())), (args, cx) -> {
                    cx.edit(cfg -> AluaNodes.withoutStalePorts(cfg.toBuilder()
                            .removeIscsiTargets(ShellEdits.target(cfg, args.get("iqn"))).build()));
                    cx.out.println("Deleted target " + args.get("iqn") + ".");
                }));
        for (IscsiTarget t : c.getIscsiTargetsList()) {
            target(iscsi, t, ctx);
        }
    }

    private static void createTarget(ShellArgs args, ShellContext ctx) throws ShellException {
        String iqn = args.has("iqn") ? args.get("iqn") : generatedIqn();
        String portal = args.get("portal", "0.0.0.0:3260");
        String normalized = portal(portal);
        ctx.edit(c -> {
            if (ShellEdits.indexOf(c.getIscsiTargetsList(), t -> t.getIqn().equalsIgnoreCase(iqn)) >= 0) {
                throw new ShellException("target " + iqn + " exists");
            }
            return c.toBuilder().addIscsiTargets(IscsiTarget.newBuilder().setIqn(iqn).addPortalGroups(
                    PortalGroup.newBuilder().setTag(1).setRelativePortId(ConfigIdentities.freeRelativePortId(c))
                            .addPortals(normalized))).build();
        });
        ctx.out.println("Created target " + iqn + ", tpg1 listening on " + normalized + ".");
    }

    /** A portal as the configuration writes it: host:port, [v6]:port, port 3260 by default. */
    static String portal(String text) throws ShellException {
        try {
            var a = Portals.parse(text);
            String host = a.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        } catch (IllegalArgumentException e) {
            throw new ShellException(e.getMessage());
        }
    }

    static String generatedIqn() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().toLowerCase().replaceAll("[^a-z0-9.-]", "");
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        YearMonth now = YearMonth.now();
        return "iqn.%04d-%02d.org.lunforge:%s.%s".formatted(now.getYear(), now.getMonthValue(),
                host.isEmpty() ? "host" : host, HexFormat.of().formatHex(random));
    }

    /** The target's sessions, asked of the daemon once per command and only when a status or info shows them. */
    private static List<Session> sessionsOf(ShellContext ctx, String iqn) throws ShellException {
        return ctx.sessions().stream().filter(s -> s.getTarget().equalsIgnoreCase(iqn)).toList();
    }

    /** A target: its node is made when reached, its status (which counts sessions) when shown. */
    private static void target(ShellNode iscsi, IscsiTarget t, ShellContext view) {
        String iqn = t.getIqn();
        iscsi.lazyChild(iqn, "an iSCSI target", n -> targetDetails(n, t, view)).status(() ->
                BackstoreNodes.count(t.getPortalGroupsCount(), "TPG") + ", " + view.sessionsOrReason(all ->
                        BackstoreNodes.count((int) all.stream().filter(s -> s.getTarget().equalsIgnoreCase(iqn))
                                .count(), "session")));
    }

    private static void targetDetails(ShellNode n, IscsiTarget t, ShellContext view) {
        String iqn = t.getIqn();
        n.attribute("attribute", ShellAttribute.of("alias", "TargetAlias sent at login", t.getAlias(),
                (cfg, v) -> {
                    Config.Builder b = cfg.toBuilder();
                    b.getIscsiTargetsBuilder(ShellEdits.target(cfg, iqn)).setAlias(v);
                    return b.build();
                }));
        n.editCommand(new ShellCommand("create", "add a portal group (a target port; a path for multipath)",
                List.of(optional("tag", "its tag; default: the next free one"),
                        optional("portal", "where it listens: address[:port] (default 0.0.0.0:3260)"),
                        optional("copy", "copy the first group's LUNs, ACLs, auth and resets (default true)")),
                (args, ctx) -> createGroup(ctx, iqn, args)));
        n.editCommand(new ShellCommand("delete", "delete a portal group",
                List.of(required("tpg", "tpgN or N").values(x -> t.getPortalGroupsList().stream()
                        .map(g -> "tpg" + g.getTag()).toList())), (args, ctx) -> {
                    int tag = ShellWords.number("tpg", args.get("tpg").replaceFirst("^tpg", ""), 1, 65535);
                    ctx.edit(cfg -> {
                        Config.Builder b = cfg.toBuilder();
                        IscsiTarget.Builder tb = b.getIscsiTargetsBuilder(ShellEdits.target(cfg, iqn));
                        tb.removePortalGroups(ShellEdits.portalGroup(tb.build(), tag));
                        return AluaNodes.withoutStalePorts(b.build());
                    });
                    ctx.out.println("Deleted tpg" + tag + ".");
                }));
        n.info(() -> {
            try {
                return sessionsOf(view, iqn).stream().map(s -> "session: " + s.getInitiator() + " isid " + s.getIsid()
                        + " tsih " + s.getTsih() + " tpg" + s.getPortalGroupTag() + " from " + s.getRemoteAddress())
                        .toList();
            } catch (ShellException e) {
                return List.of("sessions unknown: " + e.getMessage());
            }
        });
        for (PortalGroup g : t.getPortalGroupsList()) {
            group(n, iqn, g, () -> view.sessionsOrReason(all -> BackstoreNodes.count((int) all.stream()
                    .filter(s -> s.getTarget().equalsIgnoreCase(iqn) && s.getPortalGroupTag() == g.getTag()).count(),
                    "session")));
        }
    }

    private static void createGroup(ShellContext ctx, String iqn, ShellArgs args) throws ShellException {
        String portal = portal(args.get("portal", "0.0.0.0:3260"));
        boolean copy = ShellWords.bool("copy", args.get("copy", "true"));
        int[] made = new int[1];
        ctx.edit(cfg -> {
            Config.Builder b = cfg.toBuilder();
            IscsiTarget.Builder t = b.getIscsiTargetsBuilder(ShellEdits.target(cfg, iqn));
            int tag = 1;
            Set<Integer> tags = new TreeSet<>();
            t.getPortalGroupsList().forEach(g -> tags.add(g.getTag()));
            if (args.has("tag")) {
                tag = ShellWords.number("tag", args.get("tag").replaceFirst("^tpg", ""), 1, 65535);
                if (tags.contains(tag)) {
                    throw new ShellException(iqn + " has a tpg" + tag + " already");
                }
            } else {
                while (tags.contains(tag)) {
                    tag++;
                }
            }
            PortalGroup.Builder g = PortalGroup.newBuilder();
            if (copy && t.getPortalGroupsCount() > 0) {
                PortalGroup first = t.getPortalGroups(0);
                g.addAllLuns(first.getLunsList()).addAllAcls(first.getAclsList())
                        .setGenerateNodeAcls(first.getGenerateNodeAcls()).setAuthentication(first.getAuthentication())
                        .setChap(first.getChap()).putAllParameters(first.getParametersMap());
                if (first.hasTmrWarmReset()) {
                    g.setTmrWarmReset(first.getTmrWarmReset());
                }
                if (first.hasTmrColdReset()) {
                    g.setTmrColdReset(first.getTmrColdReset());
                }
            }
            g.setTag(tag).setRelativePortId(ConfigIdentities.freeRelativePortId(cfg)).addPortals(portal);
            t.addPortalGroups(g);
            made[0] = tag;
            return b.build();
        });
        ctx.out.println("Created tpg" + made[0] + " listening on " + portal + ".");
    }

    private static void group(ShellNode target, String iqn, PortalGroup g, Supplier<String> sessions) {
        int tag = g.getTag();
        String access = g.getGenerateNodeAcls() ? "any initiator" : BackstoreNodes.count(g.getAclsCount(), "ACL");
        ShellNode n = target.child("tpg" + tag, "a target portal group: one SCSI target port")
                .status(() -> "relative port " + g.getRelativePortId() + ", " + access
                        + (g.getAuthentication() ? ", CHAP" : "") + ", " + sessions.get());
        n.attribute("attribute", ShellAttribute.of("generate_node_acls", "demo mode: any initiator logs in and sees"
                + " every LUN", Boolean.toString(g.getGenerateNodeAcls()), (cfg, v) -> ShellEdits.editGroup(cfg, iqn,
                tag, x -> x.setGenerateNodeAcls(ShellWords.bool("generate_node_acls", v))), "true", "false"));
        n.attribute("attribute", ShellAttribute.of("authentication", "require CHAP at every login",
                Boolean.toString(g.getAuthentication()), (cfg, v) -> ShellEdits.editGroup(cfg, iqn, tag,
                        x -> x.setAuthentication(ShellWords.bool("authentication", v))), "true", "false"));
        n.attribute("attribute", ShellAttribute.of("tmr_warm_reset", "serve TARGET WARM RESET: resets the LUNs the"
                + " initiator sees", Boolean.toString(!g.hasTmrWarmReset() || g.getTmrWarmReset()), (cfg, v) ->
                ShellEdits.editGroup(cfg, iqn, tag, x -> x.setTmrWarmReset(ShellWords.bool("tmr_warm_reset", v))),
                "true", "false"));
        n.attribute("attribute", ShellAttribute.of("tmr_cold_reset", "serve TARGET COLD RESET: as warm, then drops"
                + " this group's sessions", Boolean.toString(!g.hasTmrColdReset() || g.getTmrColdReset()), (cfg, v) ->
                ShellEdits.editGroup(cfg, iqn, tag, x -> x.setTmrColdReset(ShellWords.bool("tmr_cold_reset", v))),
                "true", "false"));
        n.attribute("attribute", ShellAttribute.readOnly("tag", "the portal group tag", Integer.toString(tag)));
        n.attribute("attribute", ShellAttribute.readOnly("relative_port_id",
                "RELATIVE TARGET PORT IDENTIFIER (VPD 83h); assigned once", Integer.toString(g.getRelativePortId())));
        for (String key : KEYS) {
            n.attribute("parameter", ShellAttribute.of(key, "operational key offered at login (RFC 7143 13);"
                    + " empty: the default", g.getParametersOrDefault(key, ""), (cfg, v) -> ShellEdits.editGroup(cfg,
                    iqn, tag, x -> {
                        if (v.isEmpty()) {
                            x.removeParameters(key);
                        } else {
                            x.putParameters(key, v);
                        }
                    })));
        }
        chapAttributes(n, g.getChap(), (cfg, edit) -> ShellEdits.editGroup(cfg, iqn, tag,
                x -> x.setChap(edit.apply(x.getChap()))));

        ShellNode luns = n.child("luns", "the logical units this port offers").status(
                BackstoreNodes.count(g.getLunsCount(), "LUN"));
        luns.editCommand(new ShellCommand("create", "map a storage object as a LUN",
                List.of(required("storage_object", "/backstores/TYPE/NAME, /vtl/LIB/changer or /vtl/LIB/drives/NAME")
                        .values(x -> new ArrayList<>(new TreeSet<>(ConfigValidator.objectPaths(x.config())))),
                        optional("lun", "the LUN number; default: the lowest free")), (args, ctx) -> {
                    int[] made = new int[1];
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        BitSet used = new BitSet();
                        x.getLunsList().forEach(l -> used.set(l.getLun()));
                        int lun;
                        if (args.has("lun")) {
                            lun = ShellWords.number("lun", args.get("lun").replaceFirst("^lun", ""), 0, 16383);
                            if (used.get(lun)) {
                                throw new ShellException("tpg" + tag + " has a LUN " + lun + " already");
                            }
                        } else {
                            lun = used.nextClearBit(0);
                        }
                        x.addLuns(Lun.newBuilder().setLun(lun).setObject(args.get("storage_object")));
                        made[0] = lun;
                    }));
                    ctx.out.println("Created LUN " + made[0] + " -> " + args.get("storage_object") + ".");
                }));
        luns.editCommand(new ShellCommand("delete", "unmap a LUN (and ACL mappings of it)",
                List.of(required("lun", "lunN or N").values(x -> g.getLunsList().stream().map(l -> "lun" + l.getLun())
                        .toList())), (args, ctx) -> {
                    int lun = ShellWords.number("lun", args.get("lun").replaceFirst("^lun", ""), 0, 16383);
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        int i = ShellEdits.indexOf(x.getLunsList(), l -> l.getLun() == lun);
                        if (i < 0) {
                            throw new ShellException("tpg" + tag + " has no LUN " + lun);
                        }
                        x.removeLuns(i);
                        for (Acl.Builder a : x.getAclsBuilderList()) {
                            for (int m = a.getMappedLunsCount() - 1; m >= 0; m--) {
                                if (a.getMappedLuns(m).getTpgLun() == lun) {
                                    a.removeMappedLuns(m);
                                }
                            }
                        }
                    }));
                    ctx.out.println("Deleted LUN " + lun + ".");
                }));
        // A command on one LUN makes that LUN's node only: found by name, the rest made when listed.
        luns.lazyChildren(name -> {
            if (!name.matches("lun[0-9]{1,5}")) {
                return null;
            }
            int number = Integer.parseInt(name.substring(3));
            for (Lun l : g.getLunsList()) {
                if (l.getLun() == number) {
                    return lunNode(luns, l);
                }
            }
            return null;
        }, all -> g.getLunsList().forEach(l -> lunNode(all, l)));

        ShellNode acls = n.child("acls", "initiators allowed in, with their LUN mappings and CHAP").status(
                BackstoreNodes.count(g.getAclsCount(), "ACL"));
        acls.editCommand(new ShellCommand("create", "allow an initiator in",
                List.of(required("initiator", "the initiator's iSCSI name (iqn....)")), (args, ctx) -> {
                    String who = args.get("initiator");
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        if (x.getAclsList().stream().anyMatch(a -> a.getInitiator().equalsIgnoreCase(who))) {
                            throw new ShellException("an ACL for " + who + " exists");
                        }
                        x.addAcls(Acl.newBuilder().setInitiator(who));
                    }));
                    ctx.out.println("Created ACL for " + who + " (it sees every LUN until you map some).");
                }));
        acls.editCommand(new ShellCommand("delete", "remove an initiator's ACL",
                List.of(required("initiator", "the initiator").values(x -> g.getAclsList().stream()
                        .map(Acl::getInitiator).toList())), (args, ctx) -> {
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> x.removeAcls(acl(x, args.get("initiator")))));
                    ctx.out.println("Deleted ACL " + args.get("initiator") + ".");
                }));
        for (Acl a : g.getAclsList()) {
            acl(acls, iqn, tag, a);
        }

        ShellNode portals = n.child("portals", "addresses this port listens on").status(
                BackstoreNodes.count(g.getPortalsCount(), "portal"));
        portals.editCommand(new ShellCommand("create", "listen on one more address",
                List.of(required("ip_address", "an address, or address:port"),
                        optional("ip_port", "the port (default 3260)")), (args, ctx) -> {
                    String p = portal(args.get("ip_address") + (args.has("ip_port") ? ":" + args.get("ip_port") : ""));
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        if (x.getPortalsList().contains(p)) {
                            throw new ShellException("tpg" + tag + " listens on " + p + " already");
                        }
                        x.addPortals(p);
                    }));
                    ctx.out.println("Created portal " + p + ".");
                }));
        portals.editCommand(new ShellCommand("delete", "stop listening on an address",
                List.of(required("portal", "address:port").values(x -> g.getPortalsList())), (args, ctx) -> {
                    String p = portal(args.get("portal"));
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        int i = x.getPortalsList().indexOf(p);
                        if (i < 0) {
                            throw new ShellException("tpg" + tag + " has no portal " + p);
                        }
                        List<String> kept = new ArrayList<>(x.getPortalsList());
                        kept.remove(i);
                        x.clearPortals().addAllPortals(kept);
                    }));
                    ctx.out.println("Deleted portal " + p + ".");
                }));
        for (String p : g.getPortalsList()) {
            portals.child(p, "a portal");
        }
    }

    private static ShellNode lunNode(ShellNode luns, Lun l) {
        return luns.lazyChild("lun" + l.getLun(), "a LUN",
                lun -> lun.status(l.getObject()).info.add("object: " + l.getObject()));
    }

    private static int acl(PortalGroup.Builder g, String initiator) throws ShellException {
        int i = ShellEdits.indexOf(g.getAclsList(), a -> a.getInitiator().equalsIgnoreCase(initiator));
        if (i < 0) {
            throw new ShellException("no ACL for " + initiator);
        }
        return i;
    }

    private static void acl(ShellNode acls, String iqn, int tag, Acl a) {
        String who = a.getInitiator();
        ShellNode n = acls.child(who, "an initiator's ACL").status((a.getMappedLunsCount() == 0 ? "every LUN"
                : BackstoreNodes.count(a.getMappedLunsCount(), "mapped LUN")) + (a.getChap().getUserid().isEmpty()
                ? "" : ", CHAP"));
        chapAttributes(n, a.getChap(), (cfg, edit) -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
            Acl.Builder ab = x.getAclsBuilder(acl(x, who));
            ab.setChap(edit.apply(ab.getChap()));
        }));
        n.editCommand(new ShellCommand("create", "map one of the group's LUNs for this initiator",
                List.of(required("mapped_lun", "the LUN number the initiator sees"),
                        required("tpg_lun", "the group's LUN (lunN or N)"),
                        optional("write_protect", "read-only for this initiator (default false)")), (args, ctx) -> {
                    int mapped = ShellWords.number("mapped_lun", args.get("mapped_lun").replaceFirst("^mapped_lun", ""),
                            0, 16383);
                    int tpgLun = ShellWords.number("tpg_lun", args.get("tpg_lun").replaceFirst("^lun", ""), 0, 16383);
                    boolean wp = ShellWords.bool("write_protect", args.get("write_protect", "false"));
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        Acl.Builder ab = x.getAclsBuilder(acl(x, who));
                        if (ab.getMappedLunsList().stream().anyMatch(m -> m.getMappedLun() == mapped)) {
                            throw new ShellException(who + " has a mapped LUN " + mapped + " already");
                        }
                        ab.addMappedLuns(MappedLun.newBuilder().setMappedLun(mapped).setTpgLun(tpgLun)
                                .setWriteProtect(wp));
                    }));
                    ctx.out.println("Mapped LUN " + tpgLun + " as " + mapped + " for " + who + ".");
                }));
        n.editCommand(new ShellCommand("delete", "remove a mapped LUN",
                List.of(required("mapped_lun", "mapped_lunN or N").values(x -> a.getMappedLunsList().stream()
                        .map(m -> "mapped_lun" + m.getMappedLun()).toList())), (args, ctx) -> {
                    int mapped = ShellWords.number("mapped_lun", args.get("mapped_lun").replaceFirst("^mapped_lun", ""),
                            0, 16383);
                    ctx.edit(cfg -> ShellEdits.editGroup(cfg, iqn, tag, x -> {
                        Acl.Builder ab = x.getAclsBuilder(acl(x, who));
                        int i = ShellEdits.indexOf(ab.getMappedLunsList(), m -> m.getMappedLun() == mapped);
                        if (i < 0) {
                            throw new ShellException(who + " has no mapped LUN " + mapped);
                        }
                        ab.removeMappedLuns(i);
                    }));
                    ctx.out.println("Deleted mapped LUN " + mapped + ".");
                }));
        for (MappedLun m : a.getMappedLunsList()) {
            n.child("mapped_lun" + m.getMappedLun(), "a LUN as this initiator sees it")
                    .status("lun" + m.getTpgLun() + (m.getWriteProtect() ? ", read-only" : ""));
        }
    }

    /** A change of CHAP credentials inside a configuration. */
    interface ChapEdit {
        Config apply(Config config, ChapChange change) throws ShellException;
    }

    interface ChapChange {
        Chap apply(Chap chap) throws ShellException;
    }

    /** The auth group: userid, password, mutual_userid, mutual_password. */
    static void chapAttributes(ShellNode n, Chap chap, ChapEdit edit) {
        n.attribute("auth", ShellAttribute.of("userid", "CHAP name the initiator gives", chap.getUserid(),
                (cfg, v) -> edit.apply(cfg, c -> c.toBuilder().setUserid(v).build())));
        n.attribute("auth", ShellAttribute.of("password", "CHAP secret the initiator proves (12 to 255 characters)",
                chap.getPassword(), (cfg, v) -> edit.apply(cfg, c -> c.toBuilder().setPassword(v).build())));
        n.attribute("auth", ShellAttribute.of("mutual_userid", "CHAP name the target gives (mutual CHAP)",
                chap.getMutualUserid(), (cfg, v) -> edit.apply(cfg, c -> c.toBuilder().setMutualUserid(v).build())));
        n.attribute("auth", ShellAttribute.of("mutual_password", "CHAP secret the target proves (mutual CHAP)",
                chap.getMutualPassword(),
                (cfg, v) -> edit.apply(cfg, c -> c.toBuilder().setMutualPassword(v).build())));
    }
}
