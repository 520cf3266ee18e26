package org.lunforge.server.shell;

import static org.lunforge.server.shell.ShellCommand.Param.optional;
import static org.lunforge.server.shell.ShellCommand.Param.required;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.BlockDeviceStore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.FileStore;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.config.RbdStore;
import org.lunforge.server.control.ConfigIdentities;

/** /backstores/{memory,fileio,block,rbd}/NAME: disks, their attributes, their identity. */
final class BackstoreNodes {
    private BackstoreNodes() {
    }

    static void build(ShellNode root, ShellContext ctx) {
        Config c = ctx.config();
        ShellNode backstores = root.child("backstores", "the disks: block stores served as SBC logical units")
                .status(count(c.getBackstoresCount(), "disk"));
        LunUsers usersOf = new LunUsers(c);
        Map<Backstore.StoreCase, Integer> counts = new EnumMap<>(Backstore.StoreCase.class);
        for (Backstore b : c.getBackstoresList()) {
            counts.merge(b.getStoreCase(), 1, Integer::sum);
        }
        for (String type : List.of("memory", "fileio", "block", "rbd")) {
            Backstore.StoreCase storeCase = storeCase(type);
            Supplier<List<Backstore>> ofType = () -> c.getBackstoresList().stream()
                    .filter(b -> b.getStoreCase() == storeCase).toList();
            ShellNode group = backstores.child(type, switch (type) {
                case "memory" -> "disks in memory (their data goes when the daemon stops)";
                case "fileio" -> "disks in files (sparse; created when missing)";
                case "rbd" -> "disks in Ceph RBD images (through librbd; the image must exist)";
                default -> "disks on block devices";
            }).status(count(counts.getOrDefault(storeCase, 0), "disk"));
            group.editCommand(create(type));
            group.editCommand(new ShellCommand("delete", "delete a disk, and the LUNs that map it",
                    List.of(required("name", "the disk's name").values(x -> ofType.get().stream()
                            .map(Backstore::getName).toList())),
                    (args, cx) -> delete(cx, "/backstores/" + type + "/" + args.get("name"))));
            // A command on one disk makes that disk's node only: found by name, the rest made when listed.
            group.lazyChildren(name -> {
                for (Backstore b : c.getBackstoresList()) {
                    if (b.getStoreCase() == storeCase && b.getName().equals(name)) {
                        return disk(group, b, usersOf);
                    }
                }
                return null;
            }, g -> ofType.get().forEach(b -> disk(g, b, usersOf)));
        }
    }

    /** Which LUNs use which disk: one pass over the configuration, made only when a disk's details are shown. */
    private static final class LunUsers implements Function<Backstore, List<String>> {
        private final Config config;
        private Map<String, List<String>> byObject;

        LunUsers(Config config) {
            this.config = config;
        }

        @Override
        public List<String> apply(Backstore b) {
            if (byObject == null) {
                byObject = ShellEdits.usersByObject(config);
            }
            return byObject.getOrDefault(ConfigValidator.backstorePath(b), List.of());
        }
    }

    private static Backstore.StoreCase storeCase(String type) {
        return switch (type) {
            case "memory" -> Backstore.StoreCase.MEMORY;
            case "fileio" -> Backstore.StoreCase.FILEIO;
            case "block" -> Backstore.StoreCase.BLOCK;
            default -> Backstore.StoreCase.RBD;
        };
    }

    private static ShellCommand create(String type) {
        List<ShellCommand.Param> params = switch (type) {
            case "memory" -> List.of(required("name", "a name of letters, digits, '_', '.', ':' or '-'"),
                    required("size", "the size: 1G, 512M, ..."), optional("block_size", "512 (default) or 4096"),
                    optional("unit_id", "the identity (a UUID); default: a new random one"));
            case "fileio" -> List.of(required("name", "a name of letters, digits, '_', '.', ':' or '-'"),
                    required("file", "the file (created, sparse, when it does not exist)"),
                    optional("size", "the size when the file is created or grown: 1G, 512M, ..."),
                    optional("block_size", "512 (default) or 4096"),
                    optional("unit_id", "the identity (a UUID); default: a new random one"));
            case "rbd" -> List.of(required("name", "a name of letters, digits, '_', '.', ':' or '-'"),
                    required("pool", "the RADOS pool holding the image"), required("image", "the RBD image's name"),
                    required("conf", "the ceph.conf naming the monitors"),
                    optional("keyring", "the client's keyring; default: the one ceph.conf names"),
                    optional("client_id", "the cephx user without 'client.'; default admin"),
                    optional("block_size", "512 (default) or 4096"),
                    optional("unit_id", "the identity (a UUID); default: derived from the image, alike on every node"));
            default -> List.of(required("name", "a name of letters, digits, '_', '.', ':' or '-'"),
                    required("device", "the block device, e.g. /dev/sdb"),
                    optional("block_size", "512 (default) or 4096"),
                    optional("unit_id", "the identity (a UUID); default: a new random one"));
        };
        return new ShellCommand("create", "create a " + type + " disk", params, (args, ctx) -> {
            // An rbd disk's identity derives from its image unless given: every node serving the image agrees.
            Backstore.Builder b = Backstore.newBuilder().setName(args.get("name"))
                    .setUnitId(args.get("unit_id", type.equals("rbd") ? "" : ConfigIdentities.newUnitId()));
            if (args.has("block_size")) {
                b.setBlockSize(ShellWords.number("block_size", args.get("block_size"), 512, 65536));
            }
            switch (type) {
                case "memory" -> b.setMemory(MemoryStore.newBuilder().setSize(ShellWords.size("size",
                        args.get("size"))));
                case "fileio" -> {
                    FileStore.Builder f = FileStore.newBuilder()
                            .setPath(ctx.workingFolder.resolve(Path.of(args.get("file"))).normalize().toString());
                    if (args.has("size")) {
                        f.setSize(ShellWords.size("size", args.get("size")));
                    }
                    b.setFileio(f);
                }
                case "rbd" -> {
                    RbdStore.Builder r = RbdStore.newBuilder().setPool(args.get("pool")).setImage(args.get("image"))
                            .setConf(ctx.workingFolder.resolve(Path.of(args.get("conf"))).normalize().toString());
                    if (args.has("keyring")) {
                        r.setKeyring(ctx.workingFolder.resolve(Path.of(args.get("keyring"))).normalize().toString());
                    }
                    if (args.has("client_id")) {
                        r.setClientId(args.get("client_id"));
                    }
                    b.setRbd(r);
                }
                default -> b.setBlock(BlockDeviceStore.newBuilder().setPath(args.get("device")));
            }
            String path = "/backstores/" + type + "/" + args.get("name");
            Backstore.StoreCase storeCase = storeCase(type);
            ctx.edit(c -> {
                if (c.getBackstoresList().stream().anyMatch(x -> x.getStoreCase() == storeCase
                        && x.getName().equals(args.get("name")))) {
                    throw new ShellException(path + " exists");
                }
                return c.toBuilder().addBackstores(b).build();
            });
            ctx.out.println("Created " + path + ".");
        });
    }

    private static void delete(ShellContext ctx, String path) throws ShellException {
        ctx.edit(c -> {
            int i = ShellEdits.backstore(c, path);
            List<String> tcmu = ShellEdits.usersOf(c, path).stream().filter(u -> u.startsWith("/tcmu/")).toList();
            if (!tcmu.isEmpty()) {
                throw new ShellException(path + " is served through " + String.join(", ", tcmu) + "; delete that first");
            }
            Config without = ShellEdits.withoutLunsOf(c, path);
            return without.toBuilder().removeBackstores(i).build();
        });
        ctx.out.println("Deleted " + path + " and the LUNs that mapped it.");
    }

    private static ShellNode disk(ShellNode group, Backstore b, Function<Backstore, List<String>> users) {
        return group.lazyChild(b.getName(), "a disk", n -> diskDetails(n, b, users.apply(b)));
    }

    /**
     * A disk's status, attributes and info: built only for the disks a command reaches (see
     * {@link ShellNode#lazyChild}), so that a command on one disk costs the same beside ten disks or a thousand.
     */
    private static void diskDetails(ShellNode n, Backstore b, List<String> users) {
        int blockSize = b.getBlockSize() == 0 ? 512 : b.getBlockSize();
        String where = switch (b.getStoreCase()) {
            case MEMORY -> ShellWords.bytes(b.getMemory().getSize());
            case FILEIO -> b.getFileio().getPath() + (b.getFileio().getSize() > 0
                    ? " (" + ShellWords.bytes(b.getFileio().getSize()) + ")" : "");
            case BLOCK -> b.getBlock().getPath();
            case RBD -> "rbd:" + b.getRbd().getPool() + "/" + b.getRbd().getImage();
            case STORE_NOT_SET -> "?";
        };
        n.status(where + (blockSize != 512 ? ", " + blockSize + " B blocks" : "")
                + (b.getWriteProtect() ? ", write-protected" : "") + ", " + (users.isEmpty() ? "not mapped"
                : "mapped: " + users.size() + " LUN" + (users.size() == 1 ? "" : "s")));
        String path = ConfigValidator.backstorePath(b);
        n.attribute("attribute", ShellAttribute.of("block_size", "logical block length in bytes (512 or 4096)",
                Integer.toString(blockSize), (cfg, v) -> ShellEdits.editBackstore(cfg, path,
                        x -> x.setBlockSize(ShellWords.number("block_size", v, 512, 65536))), "512", "4096"));
        n.attribute("attribute", ShellAttribute.of("write_protect", "refuse writes (DATA PROTECT)",
                Boolean.toString(b.getWriteProtect()), (cfg, v) -> ShellEdits.editBackstore(cfg, path,
                        x -> x.setWriteProtect(ShellWords.bool("write_protect", v))), "true", "false"));
        n.attribute("attribute", ShellAttribute.of("thin_provisioning", "UNMAP, WRITE SAME with UNMAP, GET LBA STATUS",
                Boolean.toString(!b.hasThinProvisioning() || b.getThinProvisioning()), (cfg, v) ->
                        ShellEdits.editBackstore(cfg, path,
                                x -> x.setThinProvisioning(ShellWords.bool("thin_provisioning", v))), "true", "false"));
        n.attribute("attribute", ShellAttribute.of("removable", "RMB in INQUIRY (PREVENT ALLOW MEDIUM REMOVAL)",
                Boolean.toString(b.getRemovable()), (cfg, v) -> ShellEdits.editBackstore(cfg, path,
                        x -> x.setRemovable(ShellWords.bool("removable", v))), "true", "false"));
        n.attribute("attribute", ShellAttribute.of("vendor", "INQUIRY vendor (8 characters)",
                b.getVendor().isEmpty() ? "LUNFORGE" : b.getVendor(),
                (cfg, v) -> ShellEdits.editBackstore(cfg, path, x -> x.setVendor(v))));
        n.attribute("attribute", ShellAttribute.of("product", "INQUIRY product (16 characters)", b.getProduct(),
                (cfg, v) -> ShellEdits.editBackstore(cfg, path, x -> x.setProduct(v))));
        n.attribute("attribute", ShellAttribute.of("revision", "INQUIRY revision (4 characters)", b.getRevision(),
                (cfg, v) -> ShellEdits.editBackstore(cfg, path, x -> x.setRevision(v))));
        if (b.hasFileio()) {
            n.attribute("attribute", ShellAttribute.of("size", "grow the file to this size (1G, ...)",
                    Long.toString(b.getFileio().getSize()), (cfg, v) -> ShellEdits.editBackstore(cfg, path,
                            x -> x.getFileioBuilder().setSize(ShellWords.size("size", v)))));
        } else if (b.hasMemory()) {
            n.attribute("attribute", ShellAttribute.readOnly("size", "the size (fixed: a memory disk cannot grow)",
                    Long.toString(b.getMemory().getSize())));
        }
        n.attribute("attribute", ShellAttribute.readOnly("unit_id", "the identity VPD 80h/83h derive from",
                b.getUnitId().isEmpty() && b.hasRbd() ? "(derived from the image's pool and id)" : b.getUnitId()));
        n.info.add("path: " + path);
        n.info.add("store: " + where);
        if (!b.getUnitId().isEmpty()) {
            LogicalUnitIdentity id = LogicalUnitIdentity.of("LUNFORGE", "DISK", "0001", UUID.fromString(b.getUnitId()));
            n.info.add("unit serial number (VPD 80h): " + id.serialNumber());
            n.info.add("NAA designator (VPD 83h): 0x" + HexFormat.of().formatHex(id.naa()));
        }
        n.info.add("LUNs: " + (users.isEmpty() ? "none" : String.join(", ", users)));
        if (b.hasMemory()) {
            n.info.add("note: a changed attribute reopens the disk; a memory disk starts empty again");
        }
    }

    static String count(int n, String what) {
        return n + " " + (n == 1 ? what : what.endsWith("y") ? what.substring(0, what.length() - 1) + "ies"
                : what + "s");
    }
}
