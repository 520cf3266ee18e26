package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.server.Daemon;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigJson;
import org.lunforge.server.config.FileStore;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.Lun;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.config.PortalGroup;

/** The control service over a real daemon: every refused or failed change leaves the running configuration as it was. */
class ControlServiceTest {
    @TempDir
    Path dir;
    Daemon daemon;
    ControlService service;

    @BeforeEach
    void start() throws IOException {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(Config.newBuilder().setStateDir(dir.resolve("state").toString()).build());
        service = new ControlService(daemon, dir.resolve("config.json"));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private static Backstore memory(String name) {
        return Backstore.newBuilder().setName(name).setMemory(MemoryStore.newBuilder().setSize(1 << 20)).build();
    }

    private Response apply(Config c, long base) {
        return service.handle(Request.newBuilder().setApplyConfig(ApplyConfig.newBuilder().setConfig(c)
                .setBaseGeneration(base)).build());
    }

    private ConfigState state() {
        return service.handle(Request.newBuilder().setGetConfig(GetConfig.getDefaultInstance()).build()).getConfig();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anAppliedChangeRunsGetsIdentitiesAndCountsAGeneration() {
        ConfigState before = state();
        Response r = apply(before.getConfig().toBuilder().addBackstores(memory("disk0")).build(),
                before.getGeneration());
        assertFalse(r.hasError(), r.toString());
        assertEquals(before.getGeneration() + 1, r.getConfig().getGeneration());
        Backstore b = daemon.running().getBackstores(0);
        assertEquals(ConfigIdentities.derived("/backstores/memory/disk0").toString(), b.getUnitId());
    }

    @Test
    void anInvalidChangeIsRefusedWithItsPathAndChangesNothing() {
        ConfigState before = state();
        Config bad = before.getConfig().toBuilder().addBackstores(memory("disk0")).addBackstores(memory("disk0"))
                .build();
        Response r = apply(bad, 0);
        assertEquals(Error.Kind.INVALID, r.getError().getKind());
        assertEquals("backstores[1].name", r.getError().getPath());
        assertTrue(r.getError().getMessage().contains("defined twice"), r.getError().getMessage());
        assertEquals(before, state());
    }

    @Test
    void aFileThatCannotBeCreatedFailsTheChangeAndChangesNothing() {
        ConfigState before = apply(state().getConfig().toBuilder().addBackstores(memory("keep")).build(), 0)
                .getConfig();
        Config bad = before.getConfig().toBuilder().addBackstores(Backstore.newBuilder().setName("f")
                .setFileio(FileStore.newBuilder().setPath("/proc/no/such/folder/f.img").setSize(1 << 20))).build();
        Response r = apply(bad, 0);
        assertEquals(Error.Kind.FAILED, r.getError().getKind(), r.toString());
        assertTrue(r.getError().getMessage().startsWith("not changed: "), r.getError().getMessage());
        assertEquals(before, state());
        assertEquals(before.getConfig(), daemon.running());
    }

    @Test
    void aPortInUseFailsTheChangeAndChangesNothing() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ConfigState before = state();
            Config bad = before.getConfig().toBuilder().addBackstores(memory("d")).addIscsiTargets(
                    IscsiTarget.newBuilder().setIqn("iqn.2026-11.org.example:t").addPortalGroups(PortalGroup
                            .newBuilder().setTag(1).addPortals("127.0.0.1:" + taken.getLocalPort())
                            .addLuns(Lun.newBuilder().setObject("/backstores/memory/d")))).build();
            Response r = apply(bad, 0);
            assertEquals(Error.Kind.FAILED, r.getError().getKind());
            assertTrue(r.getError().getMessage().contains("in use"), r.getError().getMessage());
            assertEquals(before, state());
        }
    }

    @Test
    void anEditOfAnOldGenerationIsAConflict() {
        ConfigState before = state();
        apply(before.getConfig().toBuilder().addBackstores(memory("a")).build(), before.getGeneration());
        Response r = apply(before.getConfig().toBuilder().addBackstores(memory("b")).build(), before.getGeneration());
        assertEquals(Error.Kind.CONFLICT, r.getError().getKind());
        assertEquals(1, daemon.running().getBackstoresCount());
        assertEquals("a", daemon.running().getBackstores(0).getName());
    }

    @Test
    void anotherStateFolderIsRefused() {
        Response r = apply(Config.newBuilder().setStateDir("/elsewhere").build(), 0);
        assertEquals(Error.Kind.INVALID, r.getError().getKind());
        assertEquals("state_dir", r.getError().getPath());
    }

    @Test
    void restoringABrokenFileNamesItsLineAndChangesNothing() throws IOException {
        ConfigState before = apply(state().getConfig().toBuilder().addBackstores(memory("keep")).build(), 0)
                .getConfig();
        Path file = dir.resolve("broken.json");
        Files.writeString(file, """
                {
                  "backstores": [
                    { "name": "disk0", "memory": { "size": "1M" } },
                    { "name": "disk1", "memory": { "size": "1000" } }
                  ]
                }
                """);
        Response r = service.handle(Request.newBuilder().setRestoreConfig(RestoreConfig.newBuilder()
                .setFile(file.toString())).build());
        assertEquals(Error.Kind.INVALID, r.getError().getKind());
        assertEquals(4, r.getError().getLine());
        assertEquals(file.toString(), r.getError().getSource());
        assertTrue(r.getError().getMessage().startsWith(file + ":4: backstores[1].memory.size"),
                r.getError().getMessage());
        assertEquals(before, state());
    }

    @Test
    void saveThenRestoreALatestBackupBringsThePreviousConfigurationBack() throws IOException {
        apply(state().getConfig().toBuilder().addBackstores(memory("first")).build(), 0);
        Response saved = service.handle(Request.newBuilder().setSaveConfig(SaveConfig.getDefaultInstance()).build());
        assertFalse(saved.hasError(), saved.toString());
        Config first = daemon.running();
        assertEquals(ConfigJson.write(first), Files.readString(dir.resolve("config.json")));
        apply(first.toBuilder().addBackstores(memory("second")).build(), 0);
        Response again = service.handle(Request.newBuilder().setSaveConfig(SaveConfig.getDefaultInstance()).build());
        assertFalse(again.getSaved().getBackup().isEmpty());
        Response restored = service.handle(Request.newBuilder().setRestoreConfig(RestoreConfig.newBuilder()
                .setBackup("latest")).build());
        assertFalse(restored.hasError(), restored.toString());
        assertEquals(first, daemon.running());
        Backups backups = service.handle(Request.newBuilder().setListBackups(ListBackups.getDefaultInstance())
                .build()).getBackups();
        assertEquals(1, backups.getBackupsCount());
    }

    @Test
    void clearNeedsConfirmation() {
        apply(state().getConfig().toBuilder().addBackstores(memory("a")).build(), 0);
        Response r = service.handle(Request.newBuilder().setClearConfig(ClearConfig.getDefaultInstance()).build());
        assertEquals(Error.Kind.BAD_REQUEST, r.getError().getKind());
        assertEquals(1, daemon.running().getBackstoresCount());
        r = service.handle(Request.newBuilder().setClearConfig(ClearConfig.newBuilder().setConfirm(true)).build());
        assertFalse(r.hasError());
        assertEquals(0, daemon.running().getBackstoresCount());
        assertEquals(dir.resolve("state").toString(), daemon.running().getStateDir());
    }

    @Test
    void anEmptyRequestAndAnUnknownLibraryAreAnswered() {
        assertEquals(Error.Kind.BAD_REQUEST, service.handle(Request.getDefaultInstance()).getError().getKind());
        Response r = service.handle(Request.newBuilder().setGetInventory(GetInventory.newBuilder().setLibrary("x"))
                .build());
        assertEquals(Error.Kind.NOT_FOUND, r.getError().getKind());
    }

    /**
     * The control socket reads labels by the one rule: the cleaning cartridges the library makes (CLN001CU) are
     * cleaning cartridges here too, and a CLN label is never a data cartridge of the generation it ends in.
     */
    @Test
    void labelsFollowTheOneVolumeTagRule() {
        assertEquals(org.lunforge.device.vtl.MediaType.CLEANING, ControlService.mediaType("CLN001CU"));
        assertEquals(org.lunforge.device.vtl.MediaType.CLEANING, ControlService.mediaType("CLN001L8"));
        assertEquals(org.lunforge.device.vtl.MediaType.LTO8, ControlService.mediaType("LF0001LY"));
        assertNull(ControlService.mediaType("NOTABARCODE"));
        assertNull(ControlService.mediaType("not a barcode"));
    }

    private Config withLibrary(long cartridgeCapacity) {
        return state().getConfig().toBuilder().addLibraries(org.lunforge.server.config.TapeLibrary.newBuilder()
                .setName("lab").setPoolDir(dir.resolve("pool").toString()).setSlots(4).setImportExportSlots(1)
                .setCleaningSlot(2)
                .addDrives(org.lunforge.server.config.TapeDrive.newBuilder().setName("drive0").setModel("IBM_LTO10")
                        .setCleaningInterval(1 << 20))
                .addCartridges(org.lunforge.server.config.Cartridge.newBuilder().setBarcode("LF0001LA").setSlot(1)
                        .setCapacity(cartridgeCapacity))
                .addCartridges(org.lunforge.server.config.Cartridge.newBuilder().setBarcode("CLN001CU").setSlot(2)))
                .build();
    }

    private Response operate(OperatorControl.Control control, String drive, String flag) {
        return service.handle(Request.newBuilder().setLibraryAction(LibraryAction.newBuilder().setLibrary("lab")
                .setOperatorControl(OperatorControl.newBuilder().setControl(control).setDrive(drive)
                        .setTapeAlert(flag))).build());
    }

    private Inventory inventory() {
        return service.handle(Request.newBuilder().setGetInventory(GetInventory.newBuilder().setLibrary("lab"))
                .build()).getInventory();
    }

    /** Per-cartridge capacity and cleaning cartridges in the configuration; out of range, refused at its path. */
    @Test
    void aCartridgeCapacityOutOfRangeIsRefusedWithTheReason() {
        Response bad = apply(withLibrary(4096), state().getGeneration());
        assertEquals(Error.Kind.INVALID, bad.getError().getKind(), bad.toString());
        assertEquals("libraries[0].cartridges[0].capacity", bad.getError().getPath());
        assertTrue(bad.getError().getMessage().contains("out of range"), bad.getError().getMessage());
        Config noSuchSlot = withLibrary(0).toBuilder().setLibraries(0, withLibrary(0).getLibraries(0).toBuilder()
                .setCleaningSlot(5)).build();
        Response slot = apply(noSuchSlot, state().getGeneration());
        assertEquals("libraries[0].cleaning_slot", slot.getError().getPath(), slot.toString());
        Response good = apply(withLibrary(32L << 20), state().getGeneration());
        assertFalse(good.hasError(), good.toString());
        assertEquals(2, inventory().getCleaningSlot());
        Element slot1 = inventory().getElements(1 + 1 + 1);
        assertEquals("LF0001LA", slot1.getBarcode());
        assertEquals(32L << 20, slot1.getCapacity());
        Response create = service.handle(Request.newBuilder().setLibraryAction(LibraryAction.newBuilder()
                .setLibrary("lab").setCreate(CreateCartridges.newBuilder().addBarcodes("LF0002LA")
                        .setCapacity(40_000_000_000_000L))).build());
        assertEquals(Error.Kind.INVALID, create.getError().getKind(), create.toString());
        assertTrue(create.getError().getMessage().contains("native"), create.getError().getMessage());
    }

    /** The operator panel over the control socket: each control is visible in the inventory the shell shows. */
    @Test
    void operatorControlsShowInTheInventory() {
        assertFalse(apply(withLibrary(0), state().getGeneration()).hasError());
        assertFalse(operate(OperatorControl.Control.OFFLINE, "", "").hasError());
        assertTrue(inventory().getOffline());
        assertFalse(operate(OperatorControl.Control.ONLINE, "", "").hasError());
        assertFalse(inventory().getOffline());
        assertFalse(operate(OperatorControl.Control.OPEN_MAIL_SLOT, "", "").hasError());
        assertTrue(inventory().getMailSlotOpen());
        assertFalse(operate(OperatorControl.Control.CLOSE_MAIL_SLOT, "", "").hasError());
        assertFalse(inventory().getMailSlotOpen());
        assertFalse(operate(OperatorControl.Control.INJECT_TAPE_ALERT, "drive0", "hard_error").hasError());
        assertFalse(operate(OperatorControl.Control.INJECT_MEDIUM_ERROR, "drive0", "").hasError());
        Element drive = inventory().getElementsList().stream().filter(e -> e.getType() == Element.Type.DRIVE)
                .findFirst().orElseThrow();
        assertEquals(1L << 2, drive.getTapeAlerts());
        assertTrue(drive.getMediumErrorInjected());
        assertEquals(Error.Kind.FAILED, operate(OperatorControl.Control.INJECT_TAPE_ALERT, "drive0", "99")
                .getError().getKind());
        assertEquals(Error.Kind.FAILED, operate(OperatorControl.Control.INJECT_MEDIUM_ERROR, "drive7", "")
                .getError().getKind());
        assertEquals(Error.Kind.BAD_REQUEST, operate(OperatorControl.Control.INJECT_MEDIUM_ERROR, "", "")
                .getError().getKind());
        assertEquals(Error.Kind.BAD_REQUEST, operate(OperatorControl.Control.CONTROL_UNSPECIFIED, "", "")
                .getError().getKind());
    }

    // ---- a change of a few objects (ChangeConfig)

    private static final String IQN = "iqn.2026-12.org.lunforge:scale";
    private static final String TPG1 = "/iscsi/" + IQN + "/tpg1";

    private Response change(long base, ObjectChange... changes) {
        return service.handle(Request.newBuilder().setChangeConfig(ChangeConfig.newBuilder()
                .addAllChanges(java.util.List.of(changes)).setBaseGeneration(base)).build());
    }

    private static ObjectChange createDisk(String name) {
        return ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE).setPath("/backstores/memory/" + name)
                .setBackstore(memory(name)).build();
    }

    private static ObjectChange createLun(int lun, String object) {
        return ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE).setPath(TPG1 + "/luns/lun" + lun)
                .setLun(Lun.newBuilder().setLun(lun).setObject(object)).build();
    }

    /** A target with one portal group and no LUN, applied whole. */
    private long target() throws IOException {
        Response r = apply(state().getConfig().toBuilder().addIscsiTargets(IscsiTarget.newBuilder().setIqn(IQN)
                .addPortalGroups(PortalGroup.newBuilder().setTag(1).addPortals("127.0.0.1:" + freePort()))).build(), 0);
        assertFalse(r.hasError(), r.toString());
        return r.getConfig().getGeneration();
    }

    @Test
    void aChangeCrossesAloneAndItsAnswerCarriesNoConfiguration() throws IOException {
        long generation = target();
        Response r = change(generation, createDisk("d1"), createLun(0, "/backstores/memory/d1"));
        assertFalse(r.hasError(), r.toString());
        assertEquals(generation + 1, r.getChanged().getGeneration());
        assertFalse(r.hasConfig());
        String unitId = daemon.running().getBackstores(0).getUnitId();
        assertEquals(unitId, r.getChanged().getApplied(0).getBackstore().getUnitId());
        assertEquals("/backstores/memory/d1", daemon.running().getIscsiTargets(0).getPortalGroups(0).getLuns(0)
                .getObject());
        // A client holding the running generation is told so without the configuration.
        ConfigState current = service.handle(Request.newBuilder().setGetConfig(GetConfig.newBuilder()
                .setKnownGeneration(generation + 1)).build()).getConfig();
        assertFalse(current.hasConfig());
        assertEquals(generation + 1, current.getGeneration());
        assertTrue(service.handle(Request.newBuilder().setGetConfig(GetConfig.newBuilder()
                .setKnownGeneration(generation)).build()).getConfig().hasConfig());
        // Applying the same configuration whole finds nothing to do: the change left the daemon as a whole apply would.
        assertEquals(generation + 1, apply(daemon.running(), 0).getConfig().getGeneration());
    }

    @Test
    void aRefusedChangeChangesNothingAndSaysWhereAndWhy() throws IOException {
        long generation = target();
        Config before = daemon.running();
        Response r = change(generation, createDisk("d1"), createLun(0, "/backstores/memory/nothing"));
        assertEquals(Error.Kind.INVALID, r.getError().getKind());
        assertEquals(TPG1 + "/luns/lun0.object", r.getError().getPath());
        assertTrue(r.getError().getMessage().endsWith("no storage object /backstores/memory/nothing"),
                r.getError().getMessage());
        assertEquals(before, daemon.running());
        assertEquals(generation, state().getGeneration());
        assertEquals(Error.Kind.CONFLICT, change(generation - 1, createDisk("d1")).getError().getKind());
        assertEquals(Error.Kind.BAD_REQUEST, change(0).getError().getKind());
    }

    @Test
    void aStoreThatCannotOpenLeavesEverythingAsItWas() throws IOException {
        long generation = target();
        assertFalse(change(generation, createDisk("d1"), createLun(0, "/backstores/memory/d1")).hasError());
        Config before = daemon.running();
        ObjectChange file = ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE)
                .setPath("/backstores/fileio/f").setBackstore(Backstore.newBuilder().setName("f")
                        .setFileio(FileStore.newBuilder().setPath("/proc/none/f.img").setSize(1 << 20))).build();
        Response r = change(0, createDisk("d2"), file);
        assertEquals(Error.Kind.FAILED, r.getError().getKind());
        assertTrue(r.getError().getMessage().startsWith("not changed"), r.getError().getMessage());
        assertEquals(before, daemon.running());
        // Nothing of the failed change stays: d2 can be created.
        assertFalse(change(0, createDisk("d2")).hasError());
    }
}
