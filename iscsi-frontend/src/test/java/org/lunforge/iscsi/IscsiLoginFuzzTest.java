package org.lunforge.iscsi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.lunforge.scsi.LogicalUnit;

/**
 * Fuzz target: login and text negotiation (RFC 7143 6, 13) through the login handler, over a target that offers one
 * LUN with generated ACLs. The input is up to eight Login Requests, each [flags: T, C, CSG, NSG as in the BHS byte 1]
 * [text length][key=value text], sent in one login; the target answers each, refuses the login with a status, or
 * drops the connection. The login handler logs an exception it did not expect and closes: such a log record fails
 * the target (a malformed PDU's IscsiCodecException is expected).
 */
class IscsiLoginFuzzTest {
    private static final String TARGET = "iqn.2026-11.org.lunforge:fuzz";
    private static final Logger LOGIN_LOG = Logger.getLogger(IscsiLoginHandler.class.getName());
    /** One logical unit for every input: a RamDisk's memory is never freed, and a login does not change the unit. */
    private static final LogicalUnit LU = RamDisk.logicalUnit("fuzz", 64 * 512, null);

    @FuzzTest(maxDuration = "30s")
    void login(byte[] input) {
        UnexpectedFailures failures = new UnexpectedFailures();
        LOGIN_LOG.addHandler(failures);
        LOGIN_LOG.setLevel(Level.INFO);
        IscsiServer server = new IscsiServer(IscsiServerOptions.defaults());
        server.addTarget(new IscsiTarget(TARGET).portalGroup(new IscsiPortalGroup(1, 1,
                List.of(new IscsiPortal("127.0.0.1", 3260))).lun(0, LU).generateNodeAcls(true)));
        IscsiPeer peer = new IscsiPeer(server);
        try {
            int at = 0;
            for (int pdu = 0; pdu < 8 && at + 2 <= input.length && peer.channel.isActive(); pdu++) {
                int flags = input[at] & 0xFF;
                int length = Math.min(input[at + 1] & 0xFF, input.length - at - 2);
                byte[] text = java.util.Arrays.copyOfRange(input, at + 2, at + 2 + length);
                at += 2 + length;
                peer.send(new IscsiLoginRequest((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3,
                        flags & 3, 0, 0, IscsiPeer.ISID, peer.tsih, peer.itt, 0, peer.cmdSN, 0,
                        Unpooled.wrappedBuffer(text)));
                peer.drain();
            }
        } finally {
            peer.close();
            server.close();
            LOGIN_LOG.removeHandler(failures);
        }
        if (failures.first != null) {
            throw new AssertionError("login handler failed: " + failures.first);
        }
    }

    /** Records the login handler's "failed: <exception>" lines, except for the decoder's rejections. */
    private static final class UnexpectedFailures extends Handler {
        private static final Pattern FAILED = Pattern.compile("login from \\S+ failed: ");
        String first;

        @Override
        public void publish(LogRecord r) {
            // exceptionCaught logs "login from <address> failed: <exception>"; what follows the address may hold
            // the initiator's text (a refusal names the key), so only this exact shape counts.
            String m = r.getMessage();
            if (first == null && m != null && FAILED.matcher(m).lookingAt()
                    && !FAILED.matcher(m).replaceFirst("").startsWith(IscsiCodecException.class.getName())) {
                first = m;
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** Writes the seed corpus: the logins the login tests make (-Dlunforge.writeSeeds=true, by hand). */
    @Test
    @EnabledIfSystemProperty(named = "lunforge.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path seeds = Path.of("src/test/resources/org/lunforge/iscsi/IscsiLoginFuzzTestInputs/login");
        Files.createDirectories(seeds);
        String names = "InitiatorName=iqn.2026-11.org.example:initiator\0TargetName=" + TARGET + "\0";
        Files.write(seeds.resolve("operational-to-full-feature"), pdus(
                0x87, names + "SessionType=Normal\0HeaderDigest=None\0MaxBurstLength=131072\0ImmediateData=Yes\0"
                        + "InitialR2T=No\0X-com.example.Feature=1\0"));
        Files.write(seeds.resolve("security-none-then-operational"), pdus(
                0x81, names + "SessionType=Normal\0AuthMethod=None\0",
                0x87, "HeaderDigest=CRC32C,None\0DataDigest=None\0MaxRecvDataSegmentLength=65536\0"));
        Files.write(seeds.resolve("discovery"), pdus(
                0x87, "InitiatorName=iqn.2026-11.org.example:initiator\0SessionType=Discovery\0"));
        Files.write(seeds.resolve("text-in-two-pieces"), pdus(
                0x44, names.substring(0, 30), 0x87, names.substring(30) + "SessionType=Normal\0"));
        Files.write(seeds.resolve("chap-offered"), pdus(
                0x81, names + "SessionType=Normal\0AuthMethod=CHAP,None\0", 0x81, "CHAP_A=5\0"));
        Files.write(seeds.resolve("renegotiated-key"), pdus(
                0x04, names + "SessionType=Normal\0MaxBurstLength=4096\0", 0x87, "MaxBurstLength=8192\0"));
    }

    private static byte[] pdus(Object... flagsAndText) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < flagsAndText.length; i += 2) {
            byte[] text = ((String) flagsAndText[i + 1]).getBytes(StandardCharsets.UTF_8);
            out.write((Integer) flagsAndText[i]);
            out.write(text.length);
            out.write(text, 0, text.length);
        }
        return out.toByteArray();
    }
}
