package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lunforge.server.config.Acl;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigJson;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.Lun;
import org.lunforge.server.config.MappedLun;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TcmuDevice;

/** A change of a few objects: applied as the whole configuration would be, refused by its rules with the reason. */
class ConfigChangesTest {
    static final String IQN = "iqn.2026-12.org.lunforge:scale";
    static final String HOST = "iqn.2026-12.org.example:host";
    static final String TPG1 = "/iscsi/" + IQN + "/tpg1";

    /** A target with one disk as LUN 0 and an ACL mapping it. */
    private static Config running() {
        return Config.newBuilder().addBackstores(memory("d0").toBuilder().setUnitId(ConfigIdentities
                        .derived("/backstores/memory/d0").toString()))
                .addIscsiTargets(IscsiTarget.newBuilder().setIqn(IQN).addPortalGroups(PortalGroup.newBuilder()
                        .setTag(1).setRelativePortId(1).addPortals("127.0.0.1:3260")
                        .addLuns(Lun.newBuilder().setLun(0).setObject("/backstores/memory/d0"))
                        .addAcls(Acl.newBuilder().setInitiator(HOST).addMappedLuns(MappedLun.newBuilder()
                                .setMappedLun(0).setTpgLun(0)))))
                .build();
    }

    private static Backstore memory(String name) {
        return Backstore.newBuilder().setName(name).setMemory(MemoryStore.newBuilder().setSize(1 << 20)).build();
    }

    private static ObjectChange create(String path, Backstore b) {
        return ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE).setPath(path).setBackstore(b).build();
    }

    private static ObjectChange createLun(int lun, String object) {
        return ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE).setPath(TPG1 + "/luns/lun" + lun)
                .setLun(Lun.newBuilder().setLun(lun).setObject(object)).build();
    }

    private static ObjectChange delete(String path) {
        return ObjectChange.newBuilder().setAction(ObjectChange.Action.DELETE).setPath(path).build();
    }

    private static ConfigException refused(Config c, ObjectChange... changes) {
        return assertThrows(ConfigException.class, () -> ConfigChanges.apply(c, List.of(changes), "change"));
    }

    @Test
    void aDiskAndItsLunAreAddedAsTheWholeConfigurationWouldHaveThem() throws ConfigException {
        ConfigChanges.Applied a = ConfigChanges.apply(running(), List.of(create("/backstores/memory/d1",
                memory("d1")), createLun(1, "/backstores/memory/d1")), "change");

        Backstore d1 = a.config().getBackstores(1);
        assertEquals(ConfigIdentities.derived("/backstores/memory/d1").toString(), d1.getUnitId());
        assertEquals(d1, a.changes().getFirst().getBackstore(), "the changes as applied carry the identity");
        assertEquals("/backstores/memory/d1", a.config().getIscsiTargets(0).getPortalGroups(0).getLuns(1).getObject());
        // The result is what the whole configuration's path accepts and completes the same way.
        ConfigValidator.validate(new ConfigJson.Parsed(a.config(), Map.of()), "check");
        assertEquals(ConfigIdentities.assigned(a.config()), a.config());
    }

    @Test
    void aBadSizeIsRefusedByTheWholeConfigurationsRuleWithThePath() {
        Backstore bad = memory("d1").toBuilder().setMemory(MemoryStore.newBuilder().setSize(1000)).build();
        ConfigException e = refused(running(), create("/backstores/memory/d1", bad));
        assertEquals("/backstores/memory/d1.memory.size", e.path());
        ConfigException whole = assertThrows(ConfigException.class, () -> ConfigValidator.validate(
                new ConfigJson.Parsed(running().toBuilder().addBackstores(bad).build(), Map.of()), "whole"));
        assertEquals(whole.reason(), e.reason());
    }

    @Test
    void whatExistsCannotBeCreatedAndWhatDoesNotCannotBeReplacedOrDeleted() {
        assertTrue(refused(running(), create("/backstores/memory/d0", memory("d0"))).reason().contains("exists"));
        assertTrue(refused(running(), ObjectChange.newBuilder().setAction(ObjectChange.Action.REPLACE)
                .setPath("/backstores/memory/dx").setBackstore(memory("dx")).build()).reason().contains("no such"));
        assertTrue(refused(running(), delete("/backstores/memory/dx")).reason().contains("no such"));
        assertTrue(refused(running(), createLun(0, "/backstores/memory/d0")).reason().contains("unique in the group"));
        assertTrue(refused(running(), delete(TPG1 + "/luns/lun7")).reason().contains("has no LUN 7"));
    }

    @Test
    void theObjectMustBeWhatThePathNames() {
        assertTrue(refused(running(), create("/backstores/fileio/d1", memory("d1"))).reason()
                .contains("not what the path names"));
        assertTrue(refused(running(), create("/backstores/memory/d2", memory("d1"))).reason()
                .contains("not what the path names"));
        assertTrue(refused(running(), ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE)
                .setPath(TPG1 + "/luns/lun3").setLun(Lun.newBuilder().setLun(4).setObject("/backstores/memory/d0"))
                .build()).reason().contains("not what the path names"));
        assertTrue(refused(running(), ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE)
                .setPath(TPG1 + "/luns/lun3").setBackstore(memory("d1")).build()).reason().contains("send one"));
        assertTrue(refused(running(), ObjectChange.newBuilder().setPath("/backstores/memory/d1")
                .setBackstore(memory("d1")).build()).reason().contains("name the action"));
        assertTrue(refused(running(), delete("/vtl/lib0")).reason().contains("not a path a change can name"));
    }

    @Test
    void referencesHoldBothWays() {
        ConfigException noObject = refused(running(), createLun(1, "/backstores/memory/nothing"));
        assertEquals(TPG1 + "/luns/lun1.object", noObject.path());
        assertEquals("no storage object /backstores/memory/nothing", noObject.reason());
        assertTrue(refused(running(), delete("/backstores/memory/d0")).reason()
                .contains("still used by " + TPG1 + "/luns/lun0"));
        assertTrue(refused(running(), delete(TPG1 + "/luns/lun0")).reason().contains("mapped for " + HOST));
        assertTrue(refused(running(), ObjectChange.newBuilder().setAction(ObjectChange.Action.CREATE)
                .setPath(TPG1 + "/acls/iqn.2026-12.org.example:other").setAcl(Acl.newBuilder()
                        .setInitiator("iqn.2026-12.org.example:other").addMappedLuns(MappedLun.newBuilder()
                                .setMappedLun(0).setTpgLun(9))).build()).reason().contains("the group has no LUN 9"));
        assertTrue(refused(running(), createLun(1, "/backstores/memory/d0").toBuilder()
                .setPath("/iscsi/" + IQN + "/tpg2/luns/lun1").build()).reason().contains("has no tpg2"));
        Config served = running().toBuilder().addTcmuDevices(TcmuDevice.newBuilder().setName("t0")
                .setObject("/backstores/memory/d0")).build();
        assertTrue(refused(served, delete(TPG1 + "/acls/" + HOST),
                delete(TPG1 + "/luns/lun0"), delete("/backstores/memory/d0")).reason().contains("/tcmu/t0"));
    }

    @Test
    void whatRefersIsDeletedFirstInTheSameChange() throws ConfigException {
        Config c = ConfigChanges.apply(running(), List.of(delete(TPG1 + "/acls/" + HOST), delete(TPG1 + "/luns/lun0"),
                delete("/backstores/memory/d0")), "change").config();
        assertEquals(0, c.getBackstoresCount());
        assertEquals(0, c.getIscsiTargets(0).getPortalGroups(0).getLunsCount());
        assertEquals(0, c.getIscsiTargets(0).getPortalGroups(0).getAclsCount());
    }

    @Test
    void betweenFindsTheChangedObjectsInAnOrderThatApplies() throws ConfigException {
        Config from = running();
        Config added = from.toBuilder().addBackstores(memory("d1")).build();
        added = added.toBuilder().setIscsiTargets(0, added.getIscsiTargets(0).toBuilder().setPortalGroups(0,
                added.getIscsiTargets(0).getPortalGroups(0).toBuilder().addLuns(Lun.newBuilder().setLun(1)
                        .setObject("/backstores/memory/d1")))).build();
        List<ObjectChange> changes = ConfigChanges.between(from, added);
        assertEquals(List.of("/backstores/memory/d1", TPG1 + "/luns/lun1"),
                changes.stream().map(ObjectChange::getPath).toList());
        // The shell's delete of a disk: its LUN and the ACL's mapping of it go too.
        Config gone = from.toBuilder().clearBackstores().setIscsiTargets(0, from.getIscsiTargets(0).toBuilder()
                .setPortalGroups(0, from.getIscsiTargets(0).getPortalGroups(0).toBuilder().clearLuns()
                        .setAcls(0, Acl.newBuilder().setInitiator(HOST)))).build();
        changes = ConfigChanges.between(from, gone);
        assertEquals(List.of(TPG1 + "/acls/" + HOST, TPG1 + "/luns/lun0", "/backstores/memory/d0"),
                changes.stream().map(ObjectChange::getPath).toList());
        assertEquals(gone, ConfigChanges.apply(from, changes, "change").config());
        assertEquals(List.of(), ConfigChanges.between(from, from));
    }

    @Test
    void anythingElseIsSentWhole() {
        Config from = running();
        assertNull(ConfigChanges.between(from, from.toBuilder().setIscsiTargets(0, from.getIscsiTargets(0)
                .toBuilder().setAlias("renamed")).build()));
        assertNull(ConfigChanges.between(from, from.toBuilder().setPersistKernelExports(true).build()));
        assertNull(ConfigChanges.between(from, from.toBuilder().setIscsiTargets(0, from.getIscsiTargets(0)
                .toBuilder().setPortalGroups(0, from.getIscsiTargets(0).getPortalGroups(0).toBuilder()
                        .setGenerateNodeAcls(true))).build()));
        // Two disks swapped: the same objects, another order, which the saved file would keep.
        Config two = from.toBuilder().addBackstores(memory("d1")).build();
        assertNull(ConfigChanges.between(two, two.toBuilder().setBackstores(0, two.getBackstores(1))
                .setBackstores(1, two.getBackstores(0)).build()));
    }

    @Test
    void aChangeThatBreaksARuleIsStillSentForTheDaemonToRefuse() {
        Config from = running();
        Config bad = from.toBuilder().addBackstores(memory("d1").toBuilder().setBlockSize(1000)).build();
        List<ObjectChange> changes = ConfigChanges.between(from, bad);
        assertEquals(1, changes.size());
        assertTrue(refused(from, changes.toArray(ObjectChange[]::new)).path().endsWith("block_size"));
    }
}
