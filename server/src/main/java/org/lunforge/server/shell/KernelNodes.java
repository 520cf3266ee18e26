package org.lunforge.server.shell;

import static org.lunforge.server.shell.ShellCommand.Param.optional;
import static org.lunforge.server.shell.ShellCommand.Param.required;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.KernelLun;
import org.lunforge.server.config.LioIscsiTarget;
import org.lunforge.server.config.LoopbackTarget;
import org.lunforge.server.config.TcmuDevice;

/**
 * /tcmu, /loopback, /lio_iscsi: what lunforge exports through the Linux kernel's target (LIO): TCMU user backstores
 * served by lunforge, and the kernel fabrics (tcm_loop, LIO iSCSI) that export them. Each says plainly when this host
 * has no kernel target (no configfs at /sys/kernel/config/target).
 */
final class KernelNodes {
    private KernelNodes() {
    }

    static void build(ShellNode root, ShellContext ctx) throws ShellException {
        Config c = ctx.config();
        // Whether the host has a kernel target is asked of the daemon only when a status shows it.
        java.util.function.Function<String, java.util.function.Supplier<String>> withPresence = text -> () ->
                text + ctx.statusOrReason(s -> s.getKernelTargetPresent() ? ""
                        : "; no kernel target on this host (no /sys/kernel/config/target)");
        ShellNode tcmu = root.child("tcmu", "kernel user backstores (core/user_N/NAME) whose commands lunforge serves")
                .status(withPresence.apply(BackstoreNodes.count(c.getTcmuDevicesCount(), "device")));
        tcmu.command(new ShellCommand("create", "serve a storage object to the kernel as a TCMU device", List.of(
                required("name", "the configfs name"),
                required("storage_object", "/backstores/TYPE/NAME or /vtl/LIB/...")
                        .values(x -> new ArrayList<>(new TreeSet<>(ConfigValidator.objectPaths(x.config())))),
                optional("hba", "the user HBA number (default 1)")), (args, ctx2) -> {
                    TcmuDevice.Builder d = TcmuDevice.newBuilder().setName(args.get("name"))
                            .setObject(args.get("storage_object"));
                    if (args.has("hba")) {
                        d.setHba(ShellWords.number("hba", args.get("hba"), 0, 1 << 20));
                    }
                    ctx2.edit(cfg -> {
                        if (cfg.getTcmuDevicesList().stream().anyMatch(x -> x.getName().equals(args.get("name")))) {
                            throw new ShellException("TCMU device " + args.get("name") + " exists");
                        }
                        return cfg.toBuilder().addTcmuDevices(d).build();
                    });
                    ctx2.out.println("Created TCMU device " + args.get("name") + ".");
                }));
        tcmu.command(deleteCommand("TCMU device", x -> x.config().getTcmuDevicesList().stream()
                .map(TcmuDevice::getName).toList(), (cfg, name) -> {
                    int i = ShellEdits.indexOf(cfg.getTcmuDevicesList(), d -> d.getName().equals(name));
                    if (i < 0) {
                        throw new ShellException("no TCMU device " + name);
                    }
                    return cfg.toBuilder().removeTcmuDevices(i).build();
                }));
        for (TcmuDevice d : c.getTcmuDevicesList()) {
            ShellNode n = tcmu.child(d.getName(), "a TCMU device").status(d.getObject() + ", user_"
                    + (d.getHba() == 0 ? 1 : d.getHba()));
            for (var e : d.getAttributesMap().entrySet()) {
                n.attribute("attribute", ShellAttribute.of(e.getKey(), "configfs attrib/" + e.getKey(), e.getValue(),
                        (cfg, v) -> editTcmu(cfg, d.getName(), v.isEmpty() ? null : v, e.getKey())));
            }
            for (String key : List.of("cmd_time_out", "hw_max_sectors", "qfull_time_out", "max_data_area_mb")) {
                if (!d.getAttributesMap().containsKey(key)) {
                    n.attribute("attribute", ShellAttribute.of(key, "configfs attrib/" + key + " (empty: the kernel's"
                            + " default)", "", (cfg, v) -> editTcmu(cfg, d.getName(), v.isEmpty() ? null : v, key)));
                }
            }
        }

        ShellNode loopback = root.child("loopback", "tcm_loop targets: local SCSI devices (sd, st, ch, sg) of TCMU"
                + " devices").status(withPresence.apply(BackstoreNodes.count(c.getLoopbackTargetsCount(), "target")));
        loopback.command(new ShellCommand("create", "create a tcm_loop target", List.of(
                required("wwn", "naa. and 16 hex digits"), optional("nexus_wwn", "the initiator side's naa. name")),
                (args, ctx2) -> {
                    ctx2.edit(cfg -> cfg.toBuilder().addLoopbackTargets(LoopbackTarget.newBuilder()
                            .setWwn(args.get("wwn")).setNexusWwn(args.get("nexus_wwn", ""))).build());
                    ctx2.out.println("Created loopback target " + args.get("wwn") + ".");
                }));
        loopback.command(deleteCommand("loopback target", x -> x.config().getLoopbackTargetsList().stream()
                .map(LoopbackTarget::getWwn).toList(), (cfg, wwn) -> cfg.toBuilder()
                .removeLoopbackTargets(loopbackIndex(cfg, wwn)).build()));
        for (LoopbackTarget lb : c.getLoopbackTargetsList()) {
            ShellNode n = loopback.child(lb.getWwn(), "a tcm_loop target").status(
                    BackstoreNodes.count(lb.getLunsCount(), "LUN"));
            kernelLuns(n, lb.getLunsList(), (cfg, edit) -> {
                Config.Builder b = cfg.toBuilder();
                LoopbackTarget.Builder t = b.getLoopbackTargetsBuilder(loopbackIndex(cfg, lb.getWwn()));
                List<KernelLun> luns = edit.apply(t.getLunsList());
                t.clearLuns().addAllLuns(luns);
                return b.build();
            });
        }

        ShellNode lio = root.child("lio_iscsi", "targets of the kernel's own iSCSI fabric exporting TCMU devices")
                .status(withPresence.apply(BackstoreNodes.count(c.getLioIscsiTargetsCount(), "target")));
        lio.command(new ShellCommand("create", "create a kernel iSCSI target", List.of(
                required("iqn", "the target's name"), optional("portal", "address[:port] (default 0.0.0.0:3260)")),
                (args, ctx2) -> {
                    String portal = IscsiNodes.portal(args.get("portal", "0.0.0.0:3260"));
                    ctx2.edit(cfg -> cfg.toBuilder().addLioIscsiTargets(LioIscsiTarget.newBuilder()
                            .setIqn(args.get("iqn")).setTpgt(1).addPortals(portal)).build());
                    ctx2.out.println("Created kernel iSCSI target " + args.get("iqn") + " on " + portal + ".");
                }));
        lio.command(deleteCommand("kernel iSCSI target", x -> x.config().getLioIscsiTargetsList().stream()
                .map(LioIscsiTarget::getIqn).toList(), (cfg, iqn) -> cfg.toBuilder()
                .removeLioIscsiTargets(lioIndex(cfg, iqn)).build()));
        for (LioIscsiTarget t : c.getLioIscsiTargetsList()) {
            String iqn = t.getIqn();
            ShellNode n = lio.child(iqn, "a kernel iSCSI target").status("tpgt " + t.getTpgt() + ", "
                    + BackstoreNodes.count(t.getLunsCount(), "LUN") + ", " + BackstoreNodes.count(t.getPortalsCount(),
                    "portal"));
            n.attribute("attribute", ShellAttribute.of("generate_node_acls", "any initiator may log in",
                    Boolean.toString(t.getGenerateNodeAcls()), (cfg, v) -> editLio(cfg, iqn,
                            x -> x.setGenerateNodeAcls(ShellWords.bool("generate_node_acls", v))), "true", "false"));
            n.attribute("attribute", ShellAttribute.of("authentication", "require CHAP",
                    Boolean.toString(t.getAuthentication()), (cfg, v) -> editLio(cfg, iqn,
                            x -> x.setAuthentication(ShellWords.bool("authentication", v))), "true", "false"));
            n.attribute("attribute", ShellAttribute.of("portals", "addresses, comma separated",
                    String.join(",", t.getPortalsList()), (cfg, v) -> {
                        List<String> portals = new ArrayList<>();
                        for (String p : v.split(",")) {
                            if (!p.isBlank()) {
                                portals.add(IscsiNodes.portal(p.strip()));
                            }
                        }
                        return editLio(cfg, iqn, x -> x.clearPortals().addAllPortals(portals));
                    }));
            n.attribute("attribute", ShellAttribute.of("acls", "initiators allowed, comma separated",
                    String.join(",", t.getAclsList()), (cfg, v) -> editLio(cfg, iqn, x -> x.clearAcls()
                            .addAllAcls(List.of(v.split(",")).stream().map(String::strip)
                                    .filter(s -> !s.isEmpty()).toList()))));
            IscsiNodes.chapAttributes(n, t.getChap(), (cfg, edit) -> editLio(cfg, iqn,
                    x -> x.setChap(edit.apply(x.getChap()))));
            kernelLuns(n, t.getLunsList(), (cfg, edit) -> editLio(cfg, iqn, x -> {
                List<KernelLun> luns = edit.apply(x.getLunsList());
                x.clearLuns().addAllLuns(luns);
            }));
        }
    }

    interface NamedEdit {
        Config apply(Config config, String name) throws ShellException;
    }

    private static ShellCommand deleteCommand(String what, java.util.function.Function<ShellContext, List<String>> names,
                                              NamedEdit edit) {
        return new ShellCommand("delete", "delete a " + what, List.of(required("name", "the " + what).values(names)),
                (args, ctx) -> {
                    ctx.edit(cfg -> edit.apply(cfg, args.get("name")));
                    ctx.out.println("Deleted " + what + " " + args.get("name") + ".");
                });
    }

    interface LunsEdit {
        Config apply(Config config, LunsChange change) throws ShellException;
    }

    interface LunsChange {
        List<KernelLun> apply(List<KernelLun> luns) throws ShellException;
    }

    private static void kernelLuns(ShellNode n, List<KernelLun> luns, LunsEdit edit) {
        ShellNode node = n.child("luns", "TCMU devices exported here").status(BackstoreNodes.count(luns.size(), "LUN"));
        node.command(new ShellCommand("create", "export a TCMU device as a LUN", List.of(
                required("tcmu_device", "the TCMU device's name").values(x -> x.config().getTcmuDevicesList().stream()
                        .map(TcmuDevice::getName).toList()),
                optional("lun", "the LUN (default: the lowest free)")), (args, ctx) -> {
                    ctx.edit(cfg -> edit.apply(cfg, list -> {
                        List<KernelLun> out = new ArrayList<>(list);
                        int lun = 0;
                        if (args.has("lun")) {
                            lun = ShellWords.number("lun", args.get("lun").replaceFirst("^lun", ""), 0, 255);
                        } else {
                            while (lunTaken(out, lun)) {
                                lun++;
                            }
                        }
                        out.add(KernelLun.newBuilder().setLun(lun).setTcmuDevice(args.get("tcmu_device")).build());
                        return out;
                    }));
                    ctx.out.println("Exported " + args.get("tcmu_device") + ".");
                }));
        node.command(new ShellCommand("delete", "remove a LUN", List.of(required("lun", "lunN or N")
                .values(x -> luns.stream().map(l -> "lun" + l.getLun()).toList())), (args, ctx) -> {
                    int lun = ShellWords.number("lun", args.get("lun").replaceFirst("^lun", ""), 0, 255);
                    ctx.edit(cfg -> edit.apply(cfg, list -> list.stream().filter(l -> l.getLun() != lun).toList()));
                    ctx.out.println("Deleted LUN " + lun + ".");
                }));
        for (KernelLun l : luns) {
            node.child("lun" + l.getLun(), "a LUN").status(l.getTcmuDevice());
        }
    }

    private static boolean lunTaken(List<KernelLun> luns, int lun) {
        return luns.stream().anyMatch(l -> l.getLun() == lun);
    }

    private static Config editTcmu(Config cfg, String name, String value, String key) throws ShellException {
        int i = ShellEdits.indexOf(cfg.getTcmuDevicesList(), d -> d.getName().equals(name));
        if (i < 0) {
            throw new ShellException("no TCMU device " + name);
        }
        Config.Builder b = cfg.toBuilder();
        if (value == null) {
            b.getTcmuDevicesBuilder(i).removeAttributes(key);
        } else {
            b.getTcmuDevicesBuilder(i).putAttributes(key, value);
        }
        return b.build();
    }

    private static int loopbackIndex(Config cfg, String wwn) throws ShellException {
        int i = ShellEdits.indexOf(cfg.getLoopbackTargetsList(), t -> t.getWwn().equalsIgnoreCase(wwn));
        if (i < 0) {
            throw new ShellException("no loopback target " + wwn);
        }
        return i;
    }

    private static int lioIndex(Config cfg, String iqn) throws ShellException {
        int i = ShellEdits.indexOf(cfg.getLioIscsiTargetsList(), t -> t.getIqn().equalsIgnoreCase(iqn));
        if (i < 0) {
            throw new ShellException("no kernel iSCSI target " + iqn);
        }
        return i;
    }

    interface LioEdit {
        void apply(LioIscsiTarget.Builder target) throws ShellException;
    }

    private static Config editLio(Config cfg, String iqn, LioEdit edit) throws ShellException {
        Config.Builder b = cfg.toBuilder();
        edit.apply(b.getLioIscsiTargetsBuilder(lioIndex(cfg, iqn)));
        return b.build();
    }
}
