package org.lunforge.server.shell;

import static org.lunforge.server.shell.ShellCommand.Param.optional;
import static org.lunforge.server.shell.ShellCommand.Param.required;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.TapeDrive;
import org.lunforge.server.config.TapeLibrary;
import org.lunforge.server.control.ConfigIdentities;
import org.lunforge.server.control.CreateCartridges;
import org.lunforge.server.control.Element;
import org.lunforge.server.control.ExportCartridge;
import org.lunforge.server.control.ImportCartridge;
import org.lunforge.server.control.Inventory;
import org.lunforge.server.control.LibraryAction;
import org.lunforge.server.control.OperatorControl;
import org.lunforge.server.control.Reinventory;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.Response;
import org.lunforge.server.control.ShelfCartridge;

/**
 * /vtl/LIB/{drives,slots,import_export,cartridges}: virtual tape libraries. The library's shape (drives, slot counts,
 * models) is configuration; where each cartridge is, is the library's own state, changed by initiators (MOVE MEDIUM)
 * and by the operator's actions here: create cartridges, import them through a mail slot, export them.
 */
final class VtlNodes {
    private static final Pattern RANGE = Pattern.compile("([A-Z0-9]*?)([0-9]+)([A-Z0-9]{2})\\.\\.([A-Z0-9]*?)([0-9]+)"
            + "([A-Z0-9]{2})");
    static final List<String> DRIVE_MODELS = List.of("IBM_LTO5", "IBM_LTO6", "IBM_LTO7", "IBM_LTO8", "IBM_LTO9",
            "IBM_LTO10", "HP_LTO5", "HP_LTO6", "HP_LTO7", "HP_LTO8", "HP_LTO9");

    private VtlNodes() {
    }

    static void build(ShellNode root, ShellContext ctx) throws ShellException {
        Config c = ctx.config();
        ShellNode vtl = root.child("vtl", "virtual tape libraries: a changer, drives and barcoded cartridges")
                .status(BackstoreNodes.count(c.getLibrariesCount(), "library"));
        vtl.command(new ShellCommand("create", "create a library (its changer is /vtl/NAME/changer)", List.of(
                required("name", "the library's name"),
                optional("slots", "storage slots (default 24)"),
                optional("import_export", "import/export (mail) slots (default 4)"),
                optional("drives", "how many drives to create, drive0.. (default 2)"),
                optional("model", "the drives' model (default IBM_LTO8)").values(x -> DRIVE_MODELS),
                optional("changer", "STK_L700 (default) or IBM_3584").values(x -> List.of("STK_L700", "IBM_3584")),
                optional("pool", "folder of the cartridge files (default STATE_DIR/vtl/NAME)")),
                VtlNodes::createLibrary));
        vtl.command(new ShellCommand("delete", "delete a library (its cartridge files stay in the pool)",
                List.of(required("name", "the library").values(x -> x.config().getLibrariesList().stream()
                        .map(TapeLibrary::getName).toList())), (args, cx) -> {
                    String name = args.get("name");
                    cx.edit(cfg -> {
                        int i = ShellEdits.library(cfg, name);
                        TapeLibrary lib = cfg.getLibraries(i);
                        List<String> users = new ArrayList<>(ShellEdits.usersOf(cfg, ConfigValidator.changerPath(lib)));
                        Config out = ShellEdits.withoutLunsOf(cfg, ConfigValidator.changerPath(lib));
                        for (TapeDrive d : lib.getDrivesList()) {
                            users.addAll(ShellEdits.usersOf(cfg, ConfigValidator.drivePath(lib, d)));
                            out = ShellEdits.withoutLunsOf(out, ConfigValidator.drivePath(lib, d));
                        }
                        if (users.stream().anyMatch(u -> u.startsWith("/tcmu/"))) {
                            throw new ShellException(name + " is served through TCMU devices; delete those first");
                        }
                        return out.toBuilder().removeLibraries(ShellEdits.library(out, name)).build();
                    });
                    cx.out.println("Deleted library " + name + " and the LUNs that mapped it.");
                }));
        for (TapeLibrary lib : c.getLibrariesList()) {
            library(vtl, lib, ctx.inventory(lib.getName()), c);
        }
    }

    private static void createLibrary(ShellArgs args, ShellContext ctx) throws ShellException {
        String name = args.get("name");
        int slots = ShellWords.number("slots", args.get("slots", "24"), 1, 10000);
        int ie = ShellWords.number("import_export", args.get("import_export", "4"), 0, 240);
        int drives = ShellWords.number("drives", args.get("drives", "2"), 1, 768);
        String model = args.get("model", "IBM_LTO8");
        String changer = args.get("changer", "STK_L700");
        String pool = args.has("pool") ? ctx.workingFolder.resolve(args.get("pool")).normalize().toString()
                : Path.of(ctx.config().getStateDir(), "vtl", name).toString();
        ctx.edit(c -> {
            if (ShellEdits.indexOf(c.getLibrariesList(), l -> l.getName().equals(name)) >= 0) {
                throw new ShellException("library " + name + " exists");
            }
            TapeLibrary.Builder lib = TapeLibrary.newBuilder().setName(name).setPoolDir(pool).setChangerModel(changer)
                    .setSlots(slots).setImportExportSlots(ie).setUnitId(ConfigIdentities.newUnitId());
            for (int i = 0; i < drives; i++) {
                lib.addDrives(TapeDrive.newBuilder().setName("drive" + i).setModel(model));
            }
            return c.toBuilder().addLibraries(ConfigIdentities.assigned(Config.newBuilder().addLibraries(lib).build())
                    .getLibraries(0)).build();
        });
        ctx.out.println("Created library " + name + ": changer /vtl/" + name + "/changer, " + drives + " " + model
                + " drive(s), " + slots + " slots, " + ie + " import/export; cartridges in " + pool + ".");
    }

    private static void library(ShellNode vtl, TapeLibrary lib, Inventory inv, Config c) {
        String name = lib.getName();
        long full = inv.getElementsList().stream().filter(e -> e.getType() == Element.Type.STORAGE
                && !e.getBarcode().isEmpty()).count();
        ShellNode n = vtl.child(name, "a tape library; its changer is /vtl/" + name + "/changer")
                .status((lib.getChangerModel().isEmpty() ? "STK_L700" : lib.getChangerModel()) + ", "
                        + BackstoreNodes.count(lib.getDrivesCount(), "drive") + ", " + full + "/" + lib.getSlots()
                        + " slots full" + (inv.getImportExportLocked() ? ", mail slots locked" : "")
                        + (inv.getOffline() ? ", OFFLINE" : "") + (inv.getMailSlotOpen() ? ", mail slot open" : ""));
        n.attribute("attribute", ShellAttribute.of("slots", "storage slots (the library restarts)",
                Integer.toString(lib.getSlots()), (cfg, v) -> ShellEdits.editLibrary(cfg, name,
                        x -> x.setSlots(ShellWords.number("slots", v, 1, 10000)))));
        n.attribute("attribute", ShellAttribute.of("import_export_slots", "mail slots (the library restarts)",
                Integer.toString(lib.getImportExportSlots()), (cfg, v) -> ShellEdits.editLibrary(cfg, name,
                        x -> x.setImportExportSlots(ShellWords.number("import_export_slots", v, 0, 240)))));
        n.attribute("attribute", ShellAttribute.of("changer_model", "STK_L700 or IBM_3584 (the library restarts)",
                lib.getChangerModel(), (cfg, v) -> ShellEdits.editLibrary(cfg, name, x -> x.setChangerModel(v)),
                "STK_L700", "IBM_3584"));
        n.attribute("attribute", ShellAttribute.of("cartridge_capacity", "capacity of new cartridges (0: native)",
                Long.toString(lib.getCartridgeCapacity()), (cfg, v) -> ShellEdits.editLibrary(cfg, name,
                        x -> x.setCartridgeCapacity(ShellWords.size("cartridge_capacity", v)))));
        n.attribute("attribute", ShellAttribute.of("cleaning_slot", "the storage slot of the library's cleaning"
                + " cartridge, which cleans drives that ask (0: none; the library restarts)",
                Integer.toString(lib.getCleaningSlot()), (cfg, v) -> ShellEdits.editLibrary(cfg, name,
                        x -> x.setCleaningSlot(ShellWords.number("cleaning_slot", v, 0, 10000)))));
        n.attribute("attribute", ShellAttribute.readOnly("pool_dir", "folder of the cartridge files",
                lib.getPoolDir()));
        n.attribute("attribute", ShellAttribute.readOnly("unit_id", "the changer's identity", lib.getUnitId()));
        n.info.add("changer: " + ConfigValidator.changerPath(lib) + " " + lunsOf(c, ConfigValidator.changerPath(lib)));
        n.info.add("state: " + (inv.getOffline() ? "offline (the changer answers NOT READY)" : "online"));
        n.info.add("cleaning slot: " + (inv.getCleaningSlot() == 0 ? "none" : "slot " + inv.getCleaningSlot() + ", "
                + inv.getAutoCleanings() + " drive cleaning(s) since start"));
        n.info.add("mail slot: " + (inv.getMailSlotOpen() ? "open (the robot cannot reach the import/export slots)"
                : "closed") + (inv.getImportExportLocked() ? ", locked by an initiator (PREVENT MEDIUM REMOVAL)" : ""));
        for (var control : List.of(
                new Object[] {"open_mail_slot", "open the mail slot door: the robot cannot reach the import/export"
                        + " slots until it is closed", OperatorControl.Control.OPEN_MAIL_SLOT},
                new Object[] {"close_mail_slot", "close the mail slot door: initiators get IMPORT OR EXPORT ELEMENT"
                        + " ACCESSED", OperatorControl.Control.CLOSE_MAIL_SLOT},
                new Object[] {"offline", "take the library offline: its changer answers NOT READY",
                        OperatorControl.Control.OFFLINE},
                new Object[] {"online", "bring the library online: initiators get NOT READY TO READY CHANGE",
                        OperatorControl.Control.ONLINE})) {
            n.command(new ShellCommand((String) control[0], (String) control[1], List.of(), (args, ctx) -> action(ctx,
                    LibraryAction.newBuilder().setLibrary(name).setOperatorControl(OperatorControl.newBuilder()
                            .setControl((OperatorControl.Control) control[2])))));
        }
        n.command(new ShellCommand("reinventory", "check the drives against the inventory (INITIALIZE ELEMENT"
                + " STATUS)", List.of(), (args, ctx) -> action(ctx, LibraryAction.newBuilder().setLibrary(name)
                .setReinventory(Reinventory.getDefaultInstance()))));

        ShellNode changer = n.child("changer", "the medium changer (SMC): map it as a LUN");
        changer.status(lunsOf(c, ConfigValidator.changerPath(lib)));

        ShellNode drives = n.child("drives", "the tape drives (SSC)").status(
                BackstoreNodes.count(lib.getDrivesCount(), "drive"));
        drives.command(new ShellCommand("create", "add a drive (the library restarts)", List.of(
                required("name", "the drive's name"),
                optional("model", "IBM_LTO8 (default), IBM_LTO5..10, HP_LTO5..9").values(x -> DRIVE_MODELS)),
                (args, ctx) -> {
                    ctx.edit(cfg -> ShellEdits.editLibrary(cfg, name, x -> {
                        if (x.getDrivesList().stream().anyMatch(d -> d.getName().equals(args.get("name")))) {
                            throw new ShellException(name + " has a drive " + args.get("name") + " already");
                        }
                        TapeDrive.Builder d = TapeDrive.newBuilder().setName(args.get("name"))
                                .setModel(args.get("model", "IBM_LTO8"));
                        TapeLibrary probe = x.build().toBuilder().clearDrives().addDrives(d).build();
                        d.setSerial(ConfigIdentities.assigned(Config.newBuilder().addLibraries(probe).build())
                                .getLibraries(0).getDrives(0).getSerial());
                        x.addDrives(d);
                    }));
                    ctx.out.println("Created drive /vtl/" + name + "/drives/" + args.get("name") + ".");
                }));
        drives.command(new ShellCommand("delete", "remove a drive, and the LUNs that map it (the library restarts)",
                List.of(required("name", "the drive").values(x -> lib.getDrivesList().stream().map(TapeDrive::getName)
                        .toList())), (args, ctx) -> {
                    String drivePath = "/vtl/" + name + "/drives/" + args.get("name");
                    ctx.edit(cfg -> ShellEdits.editLibrary(ShellEdits.withoutLunsOf(cfg, drivePath), name, x -> {
                        int i = ShellEdits.indexOf(x.getDrivesList(), d -> d.getName().equals(args.get("name")));
                        if (i < 0) {
                            throw new ShellException(name + " has no drive " + args.get("name"));
                        }
                        x.removeDrives(i);
                    }));
                    ctx.out.println("Deleted drive " + drivePath + ".");
                }));
        for (Element e : inv.getElementsList()) {
            if (e.getType() != Element.Type.DRIVE) {
                continue;
            }
            TapeDrive d = lib.getDrivesList().stream().filter(x -> x.getName().equals(e.getDrive())).findFirst()
                    .orElse(TapeDrive.getDefaultInstance());
            String drivePath = ConfigValidator.drivePath(lib, d);
            ShellNode dn = drives.child(e.getDrive(), "a tape drive").status((d.getModel().isEmpty() ? "IBM_LTO8"
                    : d.getModel()) + ", " + (e.getBarcode().isEmpty() ? "empty" : "holds " + e.getBarcode()) + ", "
                    + lunsOf(c, drivePath));
            dn.attribute("attribute", ShellAttribute.of("model", "the drive model (the library restarts)",
                    d.getModel(), (cfg, v) -> ShellEdits.editLibrary(cfg, name, x -> x.getDrivesBuilder(
                            ShellEdits.indexOf(x.getDrivesList(), y -> y.getName().equals(d.getName()))).setModel(v)),
                    DRIVE_MODELS.toArray(String[]::new)));
            dn.attribute("attribute", ShellAttribute.readOnly("serial", "unit serial number (VPD 80h)",
                    d.getSerial()));
            dn.attribute("attribute", ShellAttribute.of("cleaning_interval", "bytes of tape after which the drive asks"
                    + " to be cleaned, 0: never (the library restarts)", Long.toString(d.getCleaningInterval()),
                    (cfg, v) -> ShellEdits.editLibrary(cfg, name, x -> x.getDrivesBuilder(ShellEdits.indexOf(
                            x.getDrivesList(), y -> y.getName().equals(d.getName())))
                            .setCleaningInterval(ShellWords.size("cleaning_interval", v)))));
            dn.info.add("element address: 0x" + Integer.toHexString(e.getAddress()));
            dn.info.add("TapeAlert flags set (not yet read): " + (e.getTapeAlerts() == 0 ? "none"
                    : tapeAlertFlags(e.getTapeAlerts())));
            dn.info.add("injected medium error: " + (e.getMediumErrorInjected() ? "the next READ or WRITE fails"
                    : "none"));
            dn.info.add("cleaning: " + (e.getCleaningRequired() ? "required (TapeAlert 20 CLEAN NOW)" : "not required")
                    + ", cleaned " + e.getCleanings() + " time(s) since start");
            String driveName = e.getDrive();
            dn.command(new ShellCommand("inject_tapealert", "set a TapeAlert flag, as if the drive had raised it",
                    List.of(required("flag", "1..64 or a name: HARD_ERROR, MEDIA, READ_FAILURE, WRITE_FAILURE,"
                            + " CLEAN_NOW, EXPIRED_CLEANING_MEDIA, ...")), (args, ctx) -> action(ctx,
                    LibraryAction.newBuilder().setLibrary(name).setOperatorControl(OperatorControl.newBuilder()
                            .setControl(OperatorControl.Control.INJECT_TAPE_ALERT).setDrive(driveName)
                            .setTapeAlert(args.get("flag"))))));
            dn.command(new ShellCommand("inject_medium_error", "make the drive's next READ or WRITE fail with MEDIUM"
                    + " ERROR", List.of(), (args, ctx) -> action(ctx, LibraryAction.newBuilder().setLibrary(name)
                    .setOperatorControl(OperatorControl.newBuilder()
                            .setControl(OperatorControl.Control.INJECT_MEDIUM_ERROR).setDrive(driveName)))));
        }

        ShellNode slots = n.child("slots", "storage slots").status(full + " of " + lib.getSlots() + " full");
        ShellNode mail = n.child("import_export", "import/export (mail) slots: where cartridges come in and go out")
                .status(inv.getElementsList().stream().filter(e -> e.getType() == Element.Type.IMPORT_EXPORT
                        && !e.getBarcode().isEmpty()).count() + " of " + lib.getImportExportSlots() + " full");
        ShellNode cartridges = n.child("cartridges", "every cartridge of the library and its shelf, and where it is");
        List<String> where = new ArrayList<>();
        java.util.Map<String, ShellNode> byBarcode = new java.util.TreeMap<>();
        for (Element e : inv.getElementsList()) {
            String label = switch (e.getType()) {
                case STORAGE -> "slot" + e.getNumber();
                case IMPORT_EXPORT -> "ie" + e.getNumber();
                case DRIVE -> "drives/" + e.getDrive();
                default -> null;
            };
            if (label == null) {
                continue;
            }
            if (e.getType() == Element.Type.STORAGE) {
                slots.child(label, "a storage slot").status(e.getBarcode().isEmpty() ? "empty" : e.getBarcode());
            } else if (e.getType() == Element.Type.IMPORT_EXPORT) {
                mail.child(label, "an import/export slot").status(e.getBarcode().isEmpty() ? "empty" : e.getBarcode());
            }
            if (!e.getBarcode().isEmpty()) {
                where.add(e.getBarcode());
                ShellNode cn = new ShellNode(e.getBarcode(), cartridges, "a cartridge").status(switch (e.getType()) {
                    case STORAGE -> "in slot " + e.getNumber();
                    case IMPORT_EXPORT -> "in import/export slot " + e.getNumber();
                    default -> "in drive " + e.getDrive();
                });
                cn.info.add("element address: 0x" + Integer.toHexString(e.getAddress()));
                cn.info.add("capacity: " + (e.getCapacity() == 0 ? "none (a cleaning cartridge)"
                        : e.getCapacity() + " bytes"));
                byBarcode.put(e.getBarcode(), cn);
            }
        }
        for (ShelfCartridge s : inv.getShelfList()) {
            ShellNode sn = new ShellNode(s.getBarcode(), cartridges, "a cartridge")
                    .status("on the shelf (" + s.getMediaType() + ")");
            sn.info.add("capacity: " + (s.getCapacity() == 0 ? "none (a cleaning cartridge)"
                    : s.getCapacity() + " bytes"));
            byBarcode.put(s.getBarcode(), sn);
        }
        cartridges.children().putAll(byBarcode);
        cartridges.status(where.size() + " in the library, " + inv.getShelfCount() + " on the shelf");
        ShellCommand create = new ShellCommand("create", "create blank cartridges: a barcode, FIRST..LAST, or"
                + " FIRST count=N; they go into free slots (shelf=true: onto the shelf)", List.of(
                required("barcodes", "LF0001L8, LF0001L8..LF0020L8"),
                optional("count", "how many, numbering on from the barcode given"),
                optional("shelf", "leave them on the shelf, outside the library (default false)"),
                optional("capacity", "bytes each holds, 1M up to the format's native capacity (default: the"
                        + " library's cartridge_capacity)")),
                (args, ctx) -> {
                    List<String> barcodes = barcodes(args.get("barcodes"), args.has("count")
                            ? ShellWords.number("count", args.get("count"), 1, 10000) : 0);
                    action(ctx, LibraryAction.newBuilder().setLibrary(name).setCreate(CreateCartridges.newBuilder()
                            .addAllBarcodes(barcodes).setIntoSlots(!ShellWords.bool("shelf",
                                    args.get("shelf", "false")))
                            .setCapacity(args.has("capacity") ? ShellWords.size("capacity", args.get("capacity"))
                                    : 0)));
                });
        ShellCommand importCommand = new ShellCommand("import", "put a cartridge from the shelf into a mail slot",
                List.of(required("barcode", "a cartridge on the shelf").values(x -> shelf(x, name)),
                        optional("slot", "which import/export slot (default: the first empty)")),
                (args, ctx) -> action(ctx, LibraryAction.newBuilder().setLibrary(name).setImportCartridge(
                        ImportCartridge.newBuilder().setBarcode(args.get("barcode")).setImportExportSlot(
                                args.has("slot") ? ShellWords.number("slot", args.get("slot").replaceFirst("^ie", ""),
                                        1, 240) : 0))));
        ShellCommand export = new ShellCommand("export", "take a cartridge out of a mail slot, onto the shelf",
                List.of(required("cartridge", "its barcode, or ieN").values(x -> inMail(x, name))), (args, ctx) -> {
                    String which = args.get("cartridge");
                    ExportCartridge.Builder ec = ExportCartridge.newBuilder();
                    if (which.matches("ie[0-9]+")) {
                        ec.setImportExportSlot(ShellWords.number("cartridge", which.substring(2), 1, 240));
                    } else {
                        ec.setBarcode(which);
                    }
                    action(ctx, LibraryAction.newBuilder().setLibrary(name).setExportCartridge(ec));
                });
        for (ShellNode x : List.of(cartridges, mail)) {
            x.command(create).command(importCommand).command(export);
        }
    }

    /** "LF0001L8", "LF0001L8..LF0020L8" or "LF0001L8" with a count: the barcodes named. */
    static List<String> barcodes(String text, int count) throws ShellException {
        String t = text.toUpperCase(java.util.Locale.ROOT);
        Matcher m = RANGE.matcher(t);
        String prefix;
        long first;
        long last;
        String suffix;
        int digits;
        if (m.matches()) {
            if (!m.group(1).equals(m.group(4)) || !m.group(3).equals(m.group(6))
                    || m.group(2).length() != m.group(5).length()) {
                throw new ShellException(text + ": a range's ends differ only in their numbers (LF0001L8..LF0020L8)");
            }
            prefix = m.group(1);
            suffix = m.group(3);
            digits = m.group(2).length();
            first = Long.parseLong(m.group(2));
            last = Long.parseLong(m.group(5));
        } else if (count > 0) {
            Matcher one = Pattern.compile("([A-Z0-9]*?)([0-9]+)([A-Z0-9]{2})").matcher(t);
            if (!one.matches()) {
                throw new ShellException(text + ": a barcode ending in a number and the media identifier (LF0001L8)");
            }
            prefix = one.group(1);
            suffix = one.group(3);
            digits = one.group(2).length();
            first = Long.parseLong(one.group(2));
            last = first + count - 1;
        } else {
            return List.of(t);
        }
        if (last < first || last - first >= 10000 || Long.toString(last).length() > digits) {
            throw new ShellException(text + ": " + (last < first ? "the range runs backwards"
                    : "the numbers do not fit the barcode's " + digits + " digits (at most 10000 at once)"));
        }
        List<String> out = new ArrayList<>();
        for (long n = first; n <= last; n++) {
            out.add(prefix + ("%0" + digits + "d").formatted(n) + suffix);
        }
        return out;
    }

    private static void action(ShellContext ctx, LibraryAction.Builder action) throws ShellException {
        Response r = ctx.call(Request.newBuilder().setLibraryAction(action).build());
        r.getActionDone().getLinesList().forEach(ctx.out::println);
        ctx.refresh();
    }

    private static List<String> shelf(ShellContext ctx, String library) {
        try {
            return ctx.inventory(library).getShelfList().stream().map(ShelfCartridge::getBarcode).toList();
        } catch (ShellException e) {
            return List.of();
        }
    }

    private static List<String> inMail(ShellContext ctx, String library) {
        try {
            List<String> out = new ArrayList<>();
            for (Element e : ctx.inventory(library).getElementsList()) {
                if (e.getType() == Element.Type.IMPORT_EXPORT && !e.getBarcode().isEmpty()) {
                    out.add(e.getBarcode());
                    out.add("ie" + e.getNumber());
                }
            }
            return out;
        } catch (ShellException e) {
            return List.of();
        }
    }

    /** "3, 4, 20": the numbers of the TapeAlert flags set, flag n as bit n-1. */
    static String tapeAlertFlags(long flags) {
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= 64; n++) {
            if ((flags >>> (n - 1) & 1) != 0) {
                out.add(Integer.toString(n));
            }
        }
        return String.join(", ", out);
    }

    private static String lunsOf(Config c, String objectPath) {
        List<String> users = ShellEdits.usersOf(c, objectPath);
        return users.isEmpty() ? "not mapped" : "mapped: " + String.join(", ", users);
    }
}
