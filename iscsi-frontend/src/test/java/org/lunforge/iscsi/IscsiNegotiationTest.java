package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IscsiNegotiationTest {
    private final IscsiServerOptions options = IscsiServerOptions.defaults();

    private static String answer(IscsiNegotiation n, String key, String value) throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        n.login(key, value, answers);
        return answers.get(key);
    }

    private String answer(String key, String value) throws Exception {
        return answer(new IscsiNegotiation(options), key, value);
    }

    @Test
    void listKeysPickTheInitiatorsFirstSupportedValue() throws Exception {
        assertEquals("CRC32C", answer("HeaderDigest", "CRC32C,None"));
        assertEquals("None", answer("HeaderDigest", "None,CRC32C"));
        assertEquals("Reject", answer("DataDigest", "MD5"));
        IscsiNegotiation strict = new IscsiNegotiation(options.withDigests(IscsiDigestPolicy.REQUIRED,
                IscsiDigestPolicy.NEVER));
        assertEquals("CRC32C", answer(strict, "HeaderDigest", "None,CRC32C"));
        assertEquals("None", answer(strict, "DataDigest", "CRC32C,None"));
        assertEquals("RFC3720", answer("TaskReporting", "FastAbort,RFC3720"));
    }

    @Test
    void numericalKeysTakeTheMinimumOrMaximum() throws Exception {
        assertEquals("65536", answer("MaxBurstLength", "65536"));
        assertEquals(Integer.toString(options.maxBurstLength()), answer("MaxBurstLength", "16777215"));
        assertEquals("1", answer("MaxConnections", "8"));
        assertEquals("0", answer("ErrorRecoveryLevel", "2"));
        assertEquals("2", answer("DefaultTime2Wait", "0"));
        assertEquals("20", answer("DefaultTime2Retain", "3600"));
        assertEquals("1", answer("MaxOutstandingR2T", "1"));
        assertEquals("4096", answer("FirstBurstLength", "0x1000"));
    }

    @Test
    void valuesOutsideTheRangeAreRejected() throws Exception {
        assertEquals("Reject", answer("MaxBurstLength", "511"));
        assertEquals("Reject", answer("MaxBurstLength", "16777216"));
        assertEquals("Reject", answer("MaxConnections", "0"));
        assertEquals("Reject", answer("ErrorRecoveryLevel", "3"));
        assertEquals("Reject", answer("DefaultTime2Wait", "3601"));
        assertEquals("Reject", answer("MaxOutstandingR2T", "lots"));
        assertEquals("Reject", answer("InitialR2T", "Maybe"));
        assertEquals("Reject", answer("MaxRecvDataSegmentLength", "100"));
    }

    @Test
    void booleansFollowAndOr() throws Exception {
        assertEquals("No", answer("InitialR2T", "No")); // OR with our No
        assertEquals("Yes", answer("InitialR2T", "Yes"));
        assertEquals("Yes", answer("ImmediateData", "Yes")); // AND with our Yes
        assertEquals("No", answer("ImmediateData", "No"));
        assertEquals("Yes", answer("DataPDUInOrder", "No")); // we only take data in order
        assertEquals("Yes", answer("DataSequenceInOrder", "No"));
        assertEquals("No", answer("RDMAExtensions", "Yes"));
    }

    @Test
    void obsoleteUnknownAndTargetOnlyKeys() throws Exception {
        assertEquals("No", answer("OFMarker", "Yes"));
        assertEquals("No", answer("IFMarker", "No"));
        assertEquals("Reject", answer("OFMarkInt", "2048~8192"));
        assertEquals("Reject", answer("IFMarkInt", "2048"));
        assertEquals("NotUnderstood", answer("X-com.example.Feature", "on"));
        assertEquals("NotUnderstood", answer("FutureKey", "1"));
        assertEquals("Reject", answer("TargetAlias", "mine"));
        assertEquals("Reject", answer("TargetPortalGroupTag", "1"));
        assertEquals("Reject", answer("TargetAddress", "10.0.0.1:3260,1"));
    }

    @Test
    void declarationsAreNotAnswered() throws Exception {
        IscsiNegotiation n = new IscsiNegotiation(options);
        Map<String, String> answers = new LinkedHashMap<>();
        n.login("MaxRecvDataSegmentLength", "65536", answers);
        n.login("InitiatorAlias", "host1", answers);
        assertTrue(answers.isEmpty());
        IscsiSessionParameters p = n.result("iqn.i", "iqn.t", false);
        assertEquals(65536, p.initiatorMaxRecvDataSegmentLength());
        assertEquals(options.maxRecvDataSegmentLength(), p.targetMaxRecvDataSegmentLength());
        assertEquals("host1", p.initiatorAlias());
    }

    @Test
    void defaultsApplyWhenNothingIsOffered() {
        IscsiSessionParameters p = new IscsiNegotiation(options).result("iqn.i", "iqn.t", false);
        assertTrue(p.initialR2t());
        assertTrue(p.immediateData());
        assertEquals(8192, p.initiatorMaxRecvDataSegmentLength());
        assertEquals(262144, p.maxBurstLength());
        assertEquals(65536, p.firstBurstLength());
        assertEquals(1, p.maxOutstandingR2t());
        assertFalse(p.headerDigest());
    }

    @Test
    void firstBurstNeverExceedsMaxBurst() throws Exception {
        IscsiNegotiation n = new IscsiNegotiation(options);
        answer(n, "FirstBurstLength", "262144");
        answer(n, "MaxBurstLength", "16384");
        assertEquals(16384, n.result("i", "t", false).firstBurstLength());
    }

    @Test
    void aKeyOfferedTwiceEndsTheLogin() throws Exception {
        IscsiNegotiation n = new IscsiNegotiation(options);
        answer(n, "MaxBurstLength", "65536");
        assertThrows(IscsiNegotiation.RenegotiationException.class, () -> answer(n, "MaxBurstLength", "65536"));
    }

    @Test
    void fullFeaturePhaseOnlyChangesUseAllKeys() {
        Map<String, String> answers = new LinkedHashMap<>();
        assertEquals(16384, IscsiNegotiation.fullFeature("MaxRecvDataSegmentLength", "16384", answers));
        assertEquals(-1, IscsiNegotiation.fullFeature("MaxBurstLength", "16384", answers));
        assertEquals(-1, IscsiNegotiation.fullFeature("X-vendor", "1", answers));
        assertEquals(Map.of("MaxBurstLength", "Reject", "X-vendor", "NotUnderstood"), answers);
    }
}
