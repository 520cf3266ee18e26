package org.lunforge.server.config;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every sample configuration is one the daemon accepts, and is written the way saveconfig writes it. */
class SamplesTest {
    private static List<Path> samples() throws IOException {
        Path folder = Path.of("..", "samples");
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everySampleLoads() throws IOException, ConfigException {
        List<Path> all = samples();
        assertTrue(all.size() >= 3, all.toString());
        for (Path p : all) {
            ConfigFiles.load(p);
        }
    }

    @Test
    void theMultipathSampleIsOneLogicalUnitBehindTwoPorts() throws IOException, ConfigException {
        Config c = ConfigFiles.load(Path.of("..", "samples", "disk-multipath.json"));
        IscsiTarget t = c.getIscsiTargets(0);
        assertEquals(2, t.getPortalGroupsCount());
        assertEquals(t.getPortalGroups(0).getLunsList(), t.getPortalGroups(1).getLunsList());
        assertNotEquals(t.getPortalGroups(0).getRelativePortId(), t.getPortalGroups(1).getRelativePortId());
        assertEquals(List.of("127.0.0.1:3260", "127.0.0.2:3260"), List.of(t.getPortalGroups(0).getPortals(0),
                t.getPortalGroups(1).getPortals(0)));
    }

    /** samples/cluster: two nodes, one image, unit ports numbered apart, each node in its own target port group. */
    @Test
    void theClusterSamplesAreTwoNodesOfOneImage() throws IOException, ConfigException {
        Config a = ConfigFiles.load(Path.of("..", "samples", "cluster", "node-a.json"));
        Config b = ConfigFiles.load(Path.of("..", "samples", "cluster", "node-b.json"));
        assertEquals(a.getBackstores(0).getRbd(), b.getBackstores(0).getRbd());
        assertEquals(a.getIscsiTargets(0).getIqn(), b.getIscsiTargets(0).getIqn());
        assertNotEquals(a.getIscsiTargets(0).getPortalGroups(0).getRelativePortId(),
                b.getIscsiTargets(0).getPortalGroups(0).getRelativePortId());
        assertNotEquals(a.getCluster().getTargetPortGroup(), b.getCluster().getTargetPortGroup());
        assertEquals(a.getTargetPortGroupsCount(), b.getTargetPortGroupsCount());
    }

    @Test
    void aClusterOnAStoreThatIsNoRbdImageIsRefused() throws IOException {
        Path p = Path.of("..", "samples", "cluster", "node-a.json");
        String text = Files.readString(p).replace("\"backstore\": \"shared\"", "\"backstore\": \"disk0\"");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigValidator.validate(ConfigJson.read(p.toString(), text), p.toString()));
        assertTrue(e.getMessage().contains("cluster.backstore"), e.getMessage());
    }

    /** Entry point the checks rely on: the disk and VTL samples serve metrics at http://127.0.0.1:9573/metrics. */
    @Test
    void theDiskAndTapeSamplesServeMetricsOnLoopback9573() throws IOException, ConfigException {
        for (String sample : new String[] {"disks.json", "vtl.json"}) {
            Config c = ConfigFiles.load(Path.of("..", "samples", sample));
            assertTrue(c.hasMetrics(), sample);
            assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9573),
                    MetricsAddress.parse(c.getMetrics().getListen()), sample);
        }
    }

    @Test
    void theMultipathSampleIsSavedConfigBytes() throws IOException, ConfigException {
        Path p = Path.of("..", "samples", "disk-multipath.json");
        String text = Files.readString(p);
        assertEquals(text, ConfigJson.write(ConfigJson.read(p.toString(), text).config()));
    }
}
