package org.lunforge.server.shell;

import static org.lunforge.server.shell.ShellCommand.Param.optional;
import static org.lunforge.server.shell.ShellCommand.Param.required;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lunforge.server.config.AccessState;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TargetPortGroup;

/**
 * /alua/GROUP: the target port groups (ALUA, SPC-4 5.16) of lunforge's iSCSI target ports. A group has an access
 * state every logical unit reports through its ports; its members are target ports named as RFC 7143 names them,
 * "&lt;iqn&gt;,t,0x&lt;tag&gt;". With no group every port is in one active/optimized group.
 */
final class AluaNodes {
    private static final List<String> STATES = List.of("active_optimized", "active_non_optimized", "standby",
            "unavailable");

    private AluaNodes() {
    }

    static void build(ShellNode root, ShellContext ctx) {
        Config c = ctx.config();
        ShellNode alua = root.child("alua", "target port groups (ALUA): the access state of each iSCSI target port")
                .status(c.getTargetPortGroupsCount() == 0 ? "one active/optimized group of every port"
                        : BackstoreNodes.count(c.getTargetPortGroupsCount(), "group"));
        alua.command(new ShellCommand("create", "create a target port group",
                List.of(required("id", "the TARGET PORT GROUP identifier, 1 to 65535"),
                        optional("state", "its access state (default active_optimized)").values(x -> STATES),
                        optional("name", "a name for people")),
                (args, cx) -> {
                    int id = ShellWords.number("id", args.get("id"), 1, 0xFFFF);
                    AccessState state = state(args.get("state", "active_optimized"));
                    cx.edit(cfg -> {
                        if (cfg.getTargetPortGroupsList().stream().anyMatch(g -> g.getId() == id)) {
                            throw new ShellException("/alua/" + id + " exists");
                        }
                        return cfg.toBuilder().addTargetPortGroups(TargetPortGroup.newBuilder().setId(id)
                                .setState(state).setName(args.get("name", ""))).build();
                    });
                    cx.out.println("Created /alua/" + id + ".");
                }));
        alua.command(new ShellCommand("delete", "delete a target port group (its ports go to the first group)",
                List.of(required("id", "the group").values(x -> ids(x.config()))),
                (args, cx) -> {
                    String id = args.get("id");
                    cx.edit(cfg -> cfg.toBuilder().removeTargetPortGroups(index(cfg, id)).build());
                    cx.out.println("Deleted /alua/" + id + ".");
                }));
        for (TargetPortGroup g : c.getTargetPortGroupsList()) {
            group(alua, g);
        }
    }

    private static void group(ShellNode alua, TargetPortGroup g) {
        String id = Integer.toString(g.getId());
        ShellNode n = alua.child(id, "a target port group").status(stateWord(g.getState())
                + (g.getPreferred() ? ", preferred" : "") + ", " + BackstoreNodes.count(g.getMembersCount(), "port")
                + (g.getName().isEmpty() ? "" : " (" + g.getName() + ")"));
        n.attribute("attribute", ShellAttribute.of("state", "the asymmetric access state of its ports",
                stateWord(g.getState()), (cfg, v) -> edit(cfg, id, b -> b.setState(state(v))),
                STATES.toArray(String[]::new)));
        n.attribute("attribute", ShellAttribute.of("preferred", "the PREF bit: the group to prefer when several serve",
                Boolean.toString(g.getPreferred()), (cfg, v) -> edit(cfg, id,
                        b -> b.setPreferred(ShellWords.bool("preferred", v))), "true", "false"));
        n.attribute("attribute", ShellAttribute.of("name", "a name for people", g.getName(),
                (cfg, v) -> edit(cfg, id, b -> b.setName(v))));
        n.command(new ShellCommand("add", "put a target port in this group (out of any other)",
                List.of(required("port", "<iqn>,t,0x<tag>").values(x -> targetPorts(x.config()))),
                (args, cx) -> {
                    String port = ConfigValidator.targetPortName(args.get("port"));
                    if (port == null || !targetPorts(cx.config()).contains(port)) {
                        throw new ShellException("no iSCSI target port " + args.get("port")
                                + " (one of: " + String.join(" ", targetPorts(cx.config())) + ")");
                    }
                    cx.edit(cfg -> {
                        Config.Builder b = cfg.toBuilder();
                        for (TargetPortGroup.Builder other : b.getTargetPortGroupsBuilderList()) {
                            List<String> kept = other.getMembersList().stream()
                                    .filter(m -> !port.equals(ConfigValidator.targetPortName(m))).toList();
                            other.clearMembers().addAllMembers(kept);
                        }
                        return edit(b.build(), id, g2 -> g2.addMembers(port));
                    });
                    cx.out.println("Target port " + port + " is in /alua/" + id + ".");
                }));
        n.command(new ShellCommand("remove", "take a target port out of this group (it goes to the first group)",
                List.of(required("port", "<iqn>,t,0x<tag>").values(x -> g.getMembersList())),
                (args, cx) -> {
                    String port = ConfigValidator.targetPortName(args.get("port"));
                    cx.edit(cfg -> edit(cfg, id, b -> {
                        List<String> kept = b.getMembersList().stream()
                                .filter(m -> !m.equals(args.get("port")) && !ConfigValidator.targetPortName(m)
                                        .equals(port)).toList();
                        if (kept.size() == b.getMembersCount()) {
                            throw new ShellException(args.get("port") + " is not in /alua/" + id);
                        }
                        b.clearMembers().addAllMembers(kept);
                    }));
                    cx.out.println("Target port " + args.get("port") + " left /alua/" + id + ".");
                }));
        n.info.add("state: " + stateWord(g.getState()) + (g.getPreferred() ? " (preferred)" : ""));
        n.info.add("target ports: " + (g.getMembersCount() == 0 ? "none" : String.join(" ", g.getMembersList())));
    }

    interface GroupEdit {
        void apply(TargetPortGroup.Builder group) throws ShellException;
    }

    private static Config edit(Config cfg, String id, GroupEdit e) throws ShellException {
        Config.Builder b = cfg.toBuilder();
        e.apply(b.getTargetPortGroupsBuilder(index(cfg, id)));
        return b.build();
    }

    private static int index(Config cfg, String id) throws ShellException {
        for (int i = 0; i < cfg.getTargetPortGroupsCount(); i++) {
            if (Integer.toString(cfg.getTargetPortGroups(i).getId()).equals(id)) {
                return i;
            }
        }
        throw new ShellException("no target port group /alua/" + id);
    }

    private static List<String> ids(Config cfg) {
        return cfg.getTargetPortGroupsList().stream().map(g -> Integer.toString(g.getId())).toList();
    }

    /** {@code cfg} with target port group members that name no target port any more (a deleted target or TPG) taken out. */
    static Config withoutStalePorts(Config cfg) {
        List<String> ports = targetPorts(cfg);
        Config.Builder b = cfg.toBuilder();
        for (TargetPortGroup.Builder g : b.getTargetPortGroupsBuilderList()) {
            List<String> kept = g.getMembersList().stream()
                    .filter(m -> ports.contains(ConfigValidator.targetPortName(m))).toList();
            g.clearMembers().addAllMembers(kept);
        }
        return b.build();
    }

    /** Every iSCSI target port of the configuration, by its normalized name. */
    private static List<String> targetPorts(Config cfg) {
        List<String> ports = new ArrayList<>();
        for (IscsiTarget t : cfg.getIscsiTargetsList()) {
            for (PortalGroup g : t.getPortalGroupsList()) {
                ports.add(ConfigValidator.targetPortName(t.getIqn(), g.getTag()));
            }
        }
        return ports;
    }

    private static AccessState state(String word) throws ShellException {
        int i = STATES.indexOf(word.toLowerCase(Locale.ROOT).replace('-', '_').replace('/', '_'));
        if (i < 0) {
            throw new ShellException("state: one of " + String.join(", ", STATES));
        }
        return AccessState.forNumber(i);
    }

    private static String stateWord(AccessState s) {
        return s == AccessState.UNRECOGNIZED ? "?" : STATES.get(s.getNumber());
    }
}
