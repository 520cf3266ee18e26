package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.server.config.AccessState;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TargetPortGroup;

/** The daemon's one ALUA model follows the configuration, and keeps an initiator's explicit transition. */
class DaemonAluaTest {
    private static final String IQN = "iqn.2026-11.org.lunforge:alua";
    @TempDir
    Path dir;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private Config config(AccessState second, int disks) {
        Config.Builder c = Config.newBuilder().setStateDir(dir.resolve("state").toString());
        for (int i = 0; i < disks; i++) {
            c.addBackstores(Backstore.newBuilder().setName("disk" + i)
                    .setMemory(MemoryStore.newBuilder().setSize(1 << 20)));
        }
        // Portal groups without portals: ports in the model, nothing listening.
        c.addIscsiTargets(IscsiTarget.newBuilder().setIqn(IQN)
                .addPortalGroups(PortalGroup.newBuilder().setTag(1))
                .addPortalGroups(PortalGroup.newBuilder().setTag(2)));
        c.addTargetPortGroups(TargetPortGroup.newBuilder().setId(1).addMembers(IQN + ",t,0x1"));
        c.addTargetPortGroups(TargetPortGroup.newBuilder().setId(2).setState(second).addMembers(IQN + ",t,0x2"));
        return c.build();
    }

    @Test
    void theConfiguredStatesApplyAndAnUnrelatedEditKeepsAnInitiatorsTransition() throws IOException {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(AccessState.STANDBY, 1));
        assertEquals(AsymmetricAccessState.STANDBY, daemon.portGroups().groupOf(2).state());
        // An initiator makes group 2 optimized (SET TARGET PORT GROUPS); then the administrator adds a disk.
        daemon.portGroups().setAccessStates(Map.of(1, AsymmetricAccessState.STANDBY,
                2, AsymmetricAccessState.ACTIVE_OPTIMIZED), null);
        daemon.apply(config(AccessState.STANDBY, 2));
        assertEquals(AsymmetricAccessState.ACTIVE_OPTIMIZED, daemon.portGroups().groupOf(2).state());
        assertEquals(AsymmetricAccessState.STANDBY, daemon.portGroups().groupOf(1).state());
        // A change of the groups themselves is the administrator's word.
        daemon.apply(config(AccessState.UNAVAILABLE, 2));
        assertEquals(AsymmetricAccessState.UNAVAILABLE, daemon.portGroups().groupOf(2).state());
        assertEquals(AsymmetricAccessState.ACTIVE_OPTIMIZED, daemon.portGroups().groupOf(1).state());
    }
}
