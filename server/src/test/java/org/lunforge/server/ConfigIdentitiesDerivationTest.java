package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.config.RbdStore;
import org.lunforge.server.control.ConfigIdentities;
import org.junit.jupiter.api.Test;

/** The identities the shell writes into a configuration are the very ones the daemon derives for empty fields. */
class ConfigIdentitiesDerivationTest {
    @Test
    void backstoreUnitIdIsTheDaemonsDerivation() {
        Backstore b = Backstore.newBuilder().setName("disk0").setMemory(MemoryStore.newBuilder().setSize(1 << 20))
                .build();
        assertEquals(StorageObjects.unitId("/backstores/memory/disk0", b),
                ConfigIdentities.derived("/backstores/memory/disk0"));
    }

    @Test
    void driveSerialIsTheDaemonsDerivation() {
        assertEquals(TapeLibraries.derivedSerial("/vtl/vtl0/drives/drive1"),
                ConfigIdentities.derivedSerial("/vtl/vtl0/drives/drive1"));
    }

    /** Issue 10 item 2: nodes serving one RBD image agree on its identity whatever they call the backstore. */
    @Test
    void rbdUnitIdDerivesFromThePoolAndImageIdNotFromThePath() {
        Backstore a = Backstore.newBuilder().setName("disk0").setRbd(RbdStore.newBuilder().setPool("rbd")
                .setImage("vm1").setConf("/etc/ceph/ceph.conf")).build();
        Backstore b = a.toBuilder().setName("shared").build();
        assertEquals(StorageObjects.unitId("/backstores/rbd/disk0", a, "rbd:rbd/10a4c5f2e9d1"),
                StorageObjects.unitId("/backstores/rbd/shared", b, "rbd:rbd/10a4c5f2e9d1"));
        assertNotEquals(StorageObjects.unitId("/backstores/rbd/disk0", a, "rbd:rbd/10a4c5f2e9d1"),
                StorageObjects.unitId("/backstores/rbd/disk0", a, "rbd:rbd/20b5d6f3fae2"));
        assertNotEquals(ConfigIdentities.derived("/backstores/rbd/disk0"),
                StorageObjects.unitId("/backstores/rbd/disk0", a, "rbd:rbd/10a4c5f2e9d1"));
    }

    @Test
    void savingAConfigLeavesAnRbdUnitIdToTheImage() {
        Backstore rbd = Backstore.newBuilder().setName("disk0").setRbd(RbdStore.newBuilder().setPool("rbd")
                .setImage("vm1").setConf("/etc/ceph/ceph.conf")).build();
        Config assigned = ConfigIdentities.assigned(Config.newBuilder().addBackstores(rbd).build());
        assertEquals("", assigned.getBackstores(0).getUnitId());
    }

    @Test
    void aConfiguredUnitIdWinsOverTheImage() {
        Backstore rbd = Backstore.newBuilder().setName("disk0").setUnitId("6f1c1a3e-8d0b-4c55-9a1e-0c9f7d2b1a11")
                .setRbd(RbdStore.newBuilder().setPool("rbd").setImage("vm1").setConf("/c")).build();
        assertEquals("6f1c1a3e-8d0b-4c55-9a1e-0c9f7d2b1a11",
                StorageObjects.unitId("/backstores/rbd/disk0", rbd, "rbd:rbd/10a4c5f2e9d1").toString());
    }
}
