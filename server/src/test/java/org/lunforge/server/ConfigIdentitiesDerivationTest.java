package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.MemoryStore;
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
}
