package org.lunforge.server.config;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** metrics.listen: loopback unless another address is named; every bad address refused with its reason. */
class MetricsAddressTest {
    @Test
    void nothingOrAPortAloneIsLoopback() {
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9573), MetricsAddress.parse(""));
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9100), MetricsAddress.parse("9100"));
    }

    @Test
    void hostAndPort() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 9573),
                MetricsAddress.parse("127.0.0.2:9573"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 9573),
                MetricsAddress.parse("0.0.0.0:9573"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9573), MetricsAddress.parse("[::1]:9573"));
    }

    @Test
    void invalid() {
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http", ":9573",
                "::1:9573", "[::1]9573", "[::1", "99999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(bad),
                    bad);
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricsAddress.parse("no-such-host.invalid:9573"));
        assertTrue(e.getMessage().contains("does not resolve"), e.getMessage());
    }

    @Test
    void theValidatorNamesTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidator.validate(
                ConfigJson.read("t.json", "{ \"metrics\": { \"listen\": \"127.0.0.1:0\" } }"), "t.json"));
        assertTrue(e.getMessage().contains("metrics.listen"), e.getMessage());
    }
}
