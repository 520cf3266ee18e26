package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IscsiTextTest {
    private static Map<String, String> parse(String s) throws IscsiText.MalformedTextException {
        return IscsiText.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pairsKeepTheirOrder() throws Exception {
        Map<String, String> m = parse("InitiatorName=iqn.x\0SessionType=Normal\0X-com.example.key=1\0");
        assertEquals(java.util.List.of("InitiatorName", "SessionType", "X-com.example.key"), java.util.List.copyOf(m.keySet()));
        assertEquals("Normal", m.get("SessionType"));
    }

    @Test
    void emptyValuesAndStrayNulsAreAccepted() throws Exception {
        assertEquals(Map.of("SendTargets", ""), parse("SendTargets=\0\0"));
    }

    @Test
    void malformedTextIsRefused() {
        for (String bad : new String[] {"NoEquals\0", "=value\0", "Key=v", "Bad Key=1\0", "A=1\0A=2\0",
                "K".repeat(64) + "=1\0", "Key=" + "v".repeat(256) + "\0", "X-=1\0"}) {
            assertThrows(IscsiText.MalformedTextException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void chapValuesMayBeLong() throws Exception {
        String challenge = "0x" + "ab".repeat(1024);
        assertEquals(challenge, parse("CHAP_C=" + challenge + "\0").get("CHAP_C"));
    }

    @Test
    void encodeEndsEveryPairWithNul() {
        assertEquals("A=1\0B=two\0", new String(IscsiText.encode(IscsiPeer.keys("A", "1", "B", "two")),
                StandardCharsets.UTF_8));
    }
}
