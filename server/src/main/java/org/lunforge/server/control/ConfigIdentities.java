package org.lunforge.server.control;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TapeDrive;
import org.lunforge.server.config.TapeLibrary;

/**
 * Writes into a configuration the identities initiators see and the daemon would otherwise derive each time it starts:
 * a backstore's (but an rbd one's: see {@link #assigned}) and a changer's unit id, a drive's serial number, a portal group's relative target port identifier.
 * The values filled in are exactly the ones the daemon derives for empty fields (a name-based UUID of the object's
 * path, the lowest free relative port identifier in configuration order), so filling them in never changes what is
 * served; it makes a saved configuration keep them when objects are renamed, reordered or moved to another machine.
 */
public final class ConfigIdentities {
    private ConfigIdentities() {
    }

    /** A fresh identity for an object the shell creates: random, so that no two disks anywhere share one. */
    public static String newUnitId() {
        return UUID.randomUUID().toString();
    }

    public static Config assigned(Config config) {
        Config.Builder b = config.toBuilder();
        for (Backstore.Builder store : b.getBackstoresBuilderList()) {
            // An rbd backstore keeps it empty: the daemon derives it from the image, the same on every node.
            if (store.getUnitId().isEmpty() && !store.hasRbd()) {
                store.setUnitId(derived(ConfigValidator.backstorePath(store.build())).toString());
            }
        }
        for (TapeLibrary.Builder library : b.getLibrariesBuilderList()) {
            TapeLibrary built = library.build();
            if (library.getUnitId().isEmpty()) {
                library.setUnitId(derived(ConfigValidator.changerPath(built)).toString());
            }
            for (TapeDrive.Builder drive : library.getDrivesBuilderList()) {
                if (drive.getSerial().isEmpty()) {
                    drive.setSerial(derivedSerial(ConfigValidator.drivePath(built, drive.build())));
                }
            }
        }
        Set<Integer> used = new HashSet<>();
        for (IscsiTarget t : config.getIscsiTargetsList()) {
            t.getPortalGroupsList().forEach(g -> used.add(g.getRelativePortId()));
        }
        int next = 1;
        for (IscsiTarget.Builder t : b.getIscsiTargetsBuilderList()) {
            for (PortalGroup.Builder g : t.getPortalGroupsBuilderList()) {
                if (g.getRelativePortId() == 0) {
                    while (used.contains(next)) {
                        next++;
                    }
                    g.setRelativePortId(next);
                    used.add(next);
                }
            }
        }
        return b.build();
    }

    /** The lowest relative target port identifier no portal group of {@code config} uses. */
    public static int freeRelativePortId(Config config) {
        Set<Integer> used = new HashSet<>();
        config.getIscsiTargetsList().forEach(t -> t.getPortalGroupsList().forEach(g -> used.add(g.getRelativePortId())));
        int id = 1;
        while (used.contains(id)) {
            id++;
        }
        return id;
    }

    /** What the daemon uses when a unit id is empty: a name-based UUID of the object's path. */
    public static UUID derived(String objectPath) {
        return UUID.nameUUIDFromBytes(("lunforge:" + objectPath).getBytes(StandardCharsets.UTF_8));
    }

    /** What the daemon uses when a drive's serial is empty: ten digits from the drive path's UUID. */
    public static String derivedSerial(String drivePath) {
        return "%010d".formatted(Math.floorMod(derived(drivePath).getLeastSignificantBits(), 10_000_000_000L));
    }
}
