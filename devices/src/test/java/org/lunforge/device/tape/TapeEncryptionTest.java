package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lunforge.backstore.tape.Cartridge;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.testing.RecordingTask;

/**
 * Tape data encryption (SSC-4 8.5, SECURITY PROTOCOL IN/OUT) as stenc and backup software use it: the pages, the Set
 * Data Encryption page's fields one by one, AES-256-GCM blocks on the cartridge with no key byte there, and the sense
 * a read gets in each decryption mode.
 */
class TapeEncryptionTest {
    static final byte[] KEY = HexFormat.of().parseHex(
            "8f3a61c2d94e07b5a1c3e5f70921436587a9cbed0f2143658796a5b4c3d2e1f0");
    static final byte[] OTHER_KEY = HexFormat.of().parseHex(
            "0123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0");
    static final int ENCRYPT = 2;
    static final int DISABLE = 0;
    static final int RAW = 1;
    static final int DECRYPT = 2;
    static final int MIXED = 3;

    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void load() throws IOException {
        h = new TapeHarness(dir);
        h.loadNew("LF0001L8");
    }

    @AfterEach
    void close() {
        h.close();
    }

    // ------------------------------------------------------------ the wire forms

    /** A U-KAD descriptor (type 00h) holding {@code text}. */
    static byte[] ukad(String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        byte[] d = new byte[4 + t.length];
        BigEndian.put16(d, 2, t.length);
        System.arraycopy(t, 0, d, 4, t.length);
        return d;
    }

    /** A Set Data Encryption page: SCOPE, byte 5 (CEEM, RDMC, SDK, CKOD, CKORP, CKORL), modes, index, key, KADs. */
    static byte[] page(int scope, int flags, int encryption, int decryption, int algorithm, byte[] key, byte[] kads) {
        byte[] p = new byte[20 + key.length + kads.length];
        BigEndian.put16(p, 0, 0x0010);
        BigEndian.put16(p, 2, p.length - 4);
        p[4] = (byte) (scope << 5);
        p[5] = (byte) flags;
        p[6] = (byte) encryption;
        p[7] = (byte) decryption;
        p[8] = (byte) algorithm;
        BigEndian.put16(p, 18, key.length);
        System.arraycopy(key, 0, p, 20, key.length);
        System.arraycopy(kads, 0, p, 20 + key.length, kads.length);
        return p;
    }

    static byte[] on(byte[] key, int decryption) {
        return page(2, 0, ENCRYPT, decryption, 1, key, ukad("backup-key-1"));
    }

    RecordingTask spout(Nexus n, byte[] data) {
        return spout(n, 0x0010, data);
    }

    RecordingTask spout(Nexus n, int page, byte[] data) {
        int len = data.length;
        RecordingTask t = new RecordingTask(n, Cdb.of(0xB5, 0x20, page >> 8, page, 0, 0, len >>> 24, len >> 16,
                len >> 8, len, 0, 0), SgList.wrap(data.clone()), 0).withLunMap(h.lunMap);
        h.lu.execute(t);
        return t;
    }

    RecordingTask spout(byte[] data) {
        return spout(h.nexus, data);
    }

    RecordingTask spin(Nexus n, int protocol, int page) {
        return h.in(n, 8192, 0xA2, protocol, page >> 8, page, 0, 0, 0, 0, 0x20, 0x00, 0, 0);
    }

    byte[] spinData(int page) {
        RecordingTask t = spin(h.nexus, 0x20, page);
        assertGood(t);
        return t.data();
    }

    static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] text(int length) {
        return CompressionAndPagesTest.text(length, 7);
    }

    // ------------------------------------------------------------ the key never reaches the cartridge

    @Test
    void keyNeverReachesTheCartridge() throws IOException {
        assertGood(spout(on(KEY, DECRYPT)));
        byte[] randomBlock = random(65536, 1);
        assertGood(h.writeVariable(randomBlock));
        assertGood(h.writeVariable(text(300_000))); // compressed, then encrypted
        assertGood(h.writeVariable(random(1000, 2)));
        assertGood(h.writeFilemarks(1, false));
        Cartridge c = h.drive.unload();
        assertNotNull(c);

        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        boolean kadSeen = false;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            for (int w = 0; w + 8 <= KEY.length; w++) {
                byte[] window = Arrays.copyOfRange(KEY, w, w + 8);
                assertEquals(-1, indexOf(bytes, window), "8 key bytes from offset " + w + " in " + f);
            }
            assertEquals(-1, indexOf(bytes, Arrays.copyOfRange(randomBlock, 0, 32)), "plain data in " + f);
            assertEquals(-1, indexOf(bytes, Arrays.copyOfRange(text(300_000), 0, 32)), "plain text in " + f);
            kadSeen |= indexOf(bytes, "backup-key-1".getBytes(StandardCharsets.US_ASCII)) >= 0;
        }
        assertTrue(kadSeen, "the U-KAD is recorded with the blocks");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------ round trips

    @Test
    void encryptedBlocksReadBackWithTheKey() {
        assertGood(spout(on(KEY, DECRYPT)));
        byte[] a = random(262144, 3);
        byte[] b = text(100_000);
        assertGood(h.writeVariable(a));
        assertGood(h.writeVariable(b));
        assertGood(h.writeFilemarks(1, false));
        assertGood(h.rewind());
        RecordingTask ra = h.readVariable(a.length);
        assertGood(ra);
        assertArrayEquals(a, ra.data());
        RecordingTask rb = h.readVariable(b.length);
        assertGood(rb);
        assertArrayEquals(b, rb.data());
        assertStream(h.readVariable(10), SenseCode.FILEMARK_DETECTED, true, false, false, 10);
    }

    @Test
    void fixedBlocksReadBackWithTheKey() {
        h.drive.selectBlockDescriptor(new org.lunforge.scsi.BlockDescriptor(0, 0, 512), 0);
        assertGood(spout(on(KEY, MIXED)));
        byte[] data = random(512 * 8, 4);
        assertGood(h.writeFixed(data, 8));
        assertGood(h.rewind());
        RecordingTask r = h.readFixed(8, 512);
        assertGood(r);
        assertArrayEquals(data, r.data());
    }

    // ------------------------------------------------------------ reading without the key

    @Test
    void withoutTheKeyReadingIsDataProtectAndStaysInFrontOfTheBlock() {
        assertGood(spout(on(KEY, DECRYPT)));
        byte[] a = random(4096, 5);
        assertGood(h.writeVariable(a));
        assertGood(spout(page(2, 0, DISABLE, DISABLE, 0, new byte[0], new byte[0])));
        assertGood(h.rewind());
        assertCheck(h.readVariable(4096), SenseCode.UNABLE_TO_DECRYPT_DATA);
        assertEquals(0, h.tell());
        assertEquals(0x06, spinData(0x0021)[12] & 0x0F, "NBES: encrypted, cannot decrypt");
        assertGood(spout(on(KEY, DECRYPT)));
        RecordingTask r = h.readVariable(4096);
        assertGood(r);
        assertArrayEquals(a, r.data());
    }

    @Test
    void aResetForgetsTheKey() {
        assertGood(spout(on(KEY, DECRYPT)));
        assertGood(h.writeVariable(random(4096, 6)));
        h.drive.reset();
        h.clearAttentions(h.nexus);
        assertEquals(0, spinData(0x0020)[5], "encryption mode after reset");
        assertGood(h.rewind());
        assertCheck(h.readVariable(4096), SenseCode.UNABLE_TO_DECRYPT_DATA);
    }

    @Test
    void clearKeyOnDemount() throws IOException {
        assertGood(spout(page(2, 0x04, ENCRYPT, DECRYPT, 1, KEY, new byte[0])));
        assertGood(h.writeVariable(random(4096, 7)));
        Cartridge c = h.drive.unload();
        h.drive.load(c);
        h.clearAttentions(h.nexus);
        assertEquals(0, spinData(0x0020)[5], "CKOD: the key is gone after the unload");
        assertCheck(h.readVariable(4096), SenseCode.UNABLE_TO_DECRYPT_DATA);
    }

    @Test
    void theWrongKeyIsIncorrectDataEncryptionKey() {
        assertGood(spout(on(KEY, DECRYPT)));
        assertGood(h.writeVariable(random(4096, 8)));
        assertGood(spout(on(OTHER_KEY, DECRYPT)));
        assertGood(h.rewind());
        byte[] nbes = spinData(0x0021);
        assertEquals(0x06, nbes[12] & 0x0F);
        assertCheck(h.readVariable(4096), SenseCode.INCORRECT_DATA_ENCRYPTION_KEY);
        assertEquals(0, h.tell());
    }

    @Test
    void plainBlocksInDecryptModeAndInMixedMode() {
        byte[] plain = random(2048, 9);
        assertGood(h.writeVariable(plain));
        assertGood(spout(on(KEY, DECRYPT)));
        assertGood(h.rewind());
        assertCheck(h.readVariable(2048), SenseCode.UNENCRYPTED_DATA_ENCOUNTERED_WHILE_DECRYPTING);
        assertGood(spout(on(KEY, MIXED)));
        RecordingTask r = h.readVariable(2048);
        assertGood(r);
        assertArrayEquals(plain, r.data());
    }

    @Test
    void rawModeReturnsTheRecordedPayloadUnlessRawReadIsDisabled() {
        byte[] a = random(4096, 10);
        assertGood(spout(on(KEY, DECRYPT)));
        assertGood(h.writeVariable(a));
        assertGood(spout(page(2, 0x30, ENCRYPT, DECRYPT, 1, KEY, new byte[0]))); // RDMC 11b: raw read disabled
        assertGood(h.writeVariable(a));
        assertGood(spout(page(2, 0, DISABLE, RAW, 1, new byte[0], new byte[0])));
        assertGood(h.rewind());
        RecordingTask r = h.readVariableSili(8192);
        assertGood(r);
        assertTrue(r.data().length > a.length, "the payload carries nonce and tag");
        assertEquals(-1, indexOf(r.data(), Arrays.copyOfRange(a, 0, 32)), "raw data is ciphertext");
        assertEquals(1, h.tell());
        assertEquals(1, spinData(0x0021)[14] & 1, "NBES: RDMDS of the second block");
        assertCheck(h.readVariableSili(8192), SenseCode.ENCRYPTED_BLOCK_NOT_RAW_READ_ENABLED);
        assertEquals(1, h.tell());
    }

    // ------------------------------------------------------------ the sealed payload

    @Test
    void aBlockMovedOrAlteredFailsItsIntegrityCheck() throws IOException {
        BlockSeal seal = new BlockSeal(KEY, ukad("k"), false);
        byte[] block = random(1000, 11);
        ByteBuffer sealed = seal.seal(ByteBuffer.wrap(block), 5, block.length, false);
        byte[] opened = new byte[1000];
        seal.open(sealed.duplicate(), 5, block.length, false).get(opened);
        assertArrayEquals(block, opened);
        EncryptedBlockException moved = assertThrows(EncryptedBlockException.class,
                () -> seal.open(sealed.duplicate(), 6, block.length, false));
        assertEquals(EncryptedBlockException.Reason.INTEGRITY, moved.reason());
        ByteBuffer altered = ByteBuffer.allocate(sealed.remaining()).put(sealed.duplicate()).flip();
        altered.put(altered.limit() - 20, (byte) (altered.get(altered.limit() - 20) ^ 1));
        assertEquals(EncryptedBlockException.Reason.INTEGRITY, assertThrows(EncryptedBlockException.class,
                () -> seal.open(altered, 5, block.length, false)).reason());
        BlockSeal other = new BlockSeal(OTHER_KEY, new byte[0], false);
        assertEquals(EncryptedBlockException.Reason.WRONG_KEY, assertThrows(EncryptedBlockException.class,
                () -> other.open(sealed.duplicate(), 5, block.length, false)).reason());
    }

    @Test
    void everyBlockHasAFreshNonce() {
        BlockSeal seal = new BlockSeal(KEY, new byte[0], false);
        byte[] block = new byte[64];
        ByteBuffer a = seal.seal(ByteBuffer.wrap(block), 0, 64, false);
        ByteBuffer b = seal.seal(ByteBuffer.wrap(block), 0, 64, false);
        assertNotEquals(a, b);
    }

    // ------------------------------------------------------------ the pages

    @Test
    void securityProtocolInformationListsProtocols00And20() {
        RecordingTask t = spin(h.nexus, 0x00, 0x0000);
        assertGood(t);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 2, 0x00, 0x20}, t.data());
        RecordingTask cert = spin(h.nexus, 0x00, 0x0001);
        assertGood(cert);
        assertArrayEquals(new byte[4], cert.data());
    }

    @Test
    void supportPagesAndCapabilities() {
        byte[] in = spinData(0x0000);
        assertArrayEquals(new byte[] {0, 0, 0, 14, 0, 0, 0, 1, 0, 0x10, 0, 0x11, 0, 0x12, 0, 0x20, 0, 0x21}, in);
        assertArrayEquals(new byte[] {0, 1, 0, 2, 0, 0x10}, spinData(0x0001));
        byte[] caps = spinData(0x0010);
        assertEquals(1, caps[20], "algorithm index");
        assertEquals(0x80, caps[24] & 0x80, "AVFMV with a cartridge loaded");
        assertEquals(32, BigEndian.u16(caps, 30), "key length");
        assertEquals(0x00010014L, BigEndian.u32(caps, 40), "AES-GCM");
        assertArrayEquals(new byte[] {0, 0x11, 0, 1, 0}, spinData(0x0011));
        byte[] mgmt = spinData(0x0012);
        assertEquals(0x04, mgmt[5], "CKOD_C");
        assertEquals(0x07, mgmt[7], "AITN_C, LOCAL_C, PUBLIC_C");
    }

    @Test
    void statusPagesFollowTheParameters() {
        byte[] off = spinData(0x0020);
        assertEquals(0, off[5]);
        assertEquals(0, off[6]);
        assertGood(spout(on(KEY, MIXED)));
        byte[] des = spinData(0x0020);
        assertEquals(2 << 5 | 2, des[4] & 0xFF, "scope ALL I_T NEXUS");
        assertEquals(ENCRYPT, des[5]);
        assertEquals(MIXED, des[6]);
        assertEquals(1, des[7]);
        assertEquals(1, BigEndian.u32(des, 8), "key instance counter");
        assertArrayEquals(ukad("backup-key-1"), Arrays.copyOfRange(des, 24, des.length));
        assertEquals(2, spinData(0x0021)[12] & 0x0F, "EOD: not a logical block");
        assertGood(h.writeVariable(random(100, 12)));
        assertGood(spout(page(2, 0, DISABLE, MIXED, 1, KEY, new byte[0])));
        assertGood(h.writeVariable(random(100, 13)));
        assertGood(h.rewind());
        byte[] nbes = spinData(0x0021);
        assertEquals(0, BigEndian.s64(nbes, 4));
        assertEquals(5, nbes[12] & 0x0F, "encrypted, and the key decrypts it");
        assertEquals(1, nbes[13]);
        byte[] recorded = ukad("backup-key-1");
        recorded[1] = 1;
        assertArrayEquals(recorded, Arrays.copyOfRange(nbes, 16, nbes.length));
        assertGood(h.readVariable(100));
        assertEquals(3, spinData(0x0021)[12] & 0x0F, "not encrypted");
    }

    @Test
    void nextBlockStatusWithoutACartridgeIsNotReady() throws IOException {
        h.drive.unload();
        assertCheck(spin(h.nexus, 0x20, 0x0021), SenseCode.MEDIUM_NOT_PRESENT);
        assertGood(spin(h.nexus, 0x20, 0x0010));
    }

    // ------------------------------------------------------------ scopes

    @Test
    void localParametersAreTheNexusOwnAndPublicOnesAreAnnounced() {
        Nexus other = nexus("iqn.1994-05.com.example:other");
        h.clearAttentionsOrNotReady(other);
        assertGood(spout(page(1, 0, ENCRYPT, DECRYPT, 1, KEY, new byte[0])));
        assertEquals(ENCRYPT, spinData(0x0020)[5]);
        RecordingTask theirs = spin(other, 0x20, 0x0020);
        assertGood(theirs);
        assertEquals(0, theirs.data()[5], "LOCAL parameters are not another nexus's");
        assertGood(spout(other, page(0, 0, ENCRYPT, DECRYPT, 1, OTHER_KEY, new byte[0])));
        assertCheck(h.in(0, 0x00, 0, 0, 0, 0, 0), SenseCode.DATA_ENCRYPTION_PARAMETERS_CHANGED_BY_ANOTHER_I_T_NEXUS);
        assertEquals(1, spinData(0x0020)[4] & 7, "our LOCAL parameters stay ours");
        h.drive.nexusLost(h.nexus);
        assertEquals(0, spinData(0x0020)[4] & 7, "after the nexus loss: the PUBLIC ones");
    }

    // ------------------------------------------------------------ each field checked

    @ParameterizedTest(name = "byte {0} = {1}: pointer {2}.{3}")
    @CsvSource({
        "0, 0x01, 0, 7",   // PAGE CODE 0110h
        "1, 0x11, 0, 7",
        "4, 0x60, 4, 7",   // SCOPE 3
        "4, 0x41, 4, 0",   // LOCK
        "5, 0x80, 5, 7",   // CEEM 10b
        "5, 0x10, 5, 5",   // RDMC 01b
        "5, 0x08, 5, 3",   // SDK
        "5, 0x02, 5, 1",   // CKORP
        "5, 0x01, 5, 0",   // CKORL
        "6, 0x01, 6, 7",   // ENCRYPTION MODE EXTERNAL
        "6, 0x03, 6, 7",
        "7, 0x04, 7, 7",   // DECRYPTION MODE
        "8, 0x02, 8, 7",   // ALGORITHM INDEX
        "9, 0x02, 9, 7",   // KEY FORMAT
        "10, 0x01, 10, 7", // KAD FORMAT
        "19, 0x10, 18, 7", // KEY LENGTH 16
        "52, 0x02, 52, 7", // KAD type: nonce
        "55, 0x21, 54, 7", // U-KAD length 33
    })
    void eachFieldOfTheSetDataEncryptionPageIsChecked(int offset, String value, int pointerByte, int pointerBit) {
        byte[] p = on(KEY, DECRYPT);
        p[offset] = (byte) Integer.parseInt(value.substring(2), 16);
        Sense s = assertCheck(spout(p), SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(new Sense.FieldPointer(false, pointerByte, pointerBit), s.fieldPointer());
        assertEquals(0, spinData(0x0020)[5], "a refused page changes nothing");
    }

    @Test
    void aKeyIsRequiredWhenTheModesUseOne() {
        Sense s = assertCheck(spout(page(2, 0, ENCRYPT, DECRYPT, 1, new byte[0], new byte[0])),
                SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(new Sense.FieldPointer(false, 18, 7), s.fieldPointer());
        // stenc turns encryption off with 32 zero key bytes: ignored.
        assertGood(spout(page(2, 0, DISABLE, DISABLE, 1, new byte[32], new byte[0])));
    }

    @Test
    void aShortParameterListIsAParameterListLengthError() {
        byte[] p = on(KEY, DECRYPT);
        assertCheck(spout(Arrays.copyOf(p, 10)), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        assertCheck(spout(Arrays.copyOf(p, p.length - 1)), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void theCdbIsChecked() {
        assertInvalidCdbField(spin(h.nexus, 0x21, 0x0000), 1, 7);
        assertInvalidCdbField(spin(h.nexus, 0x20, 0x0030), 2, 7);
        assertInvalidCdbField(spin(h.nexus, 0x00, 0x0002), 2, 7);
        assertInvalidCdbField(spout(h.nexus, 0x0011, on(KEY, DECRYPT)), 2, 7);
        RecordingTask protocol0 = new RecordingTask(h.nexus, Cdb.of(0xB5, 0x00, 0, 0x10, 0, 0, 0, 0, 0, 4, 0, 0),
                SgList.wrap(new byte[4]), 0).withLunMap(h.lunMap);
        h.lu.execute(protocol0);
        assertInvalidCdbField(protocol0, 1, 7);
        assertInvalidCdbField(h.in(8192, 0xA2, 0x20, 0, 0x20, 0x80, 0, 0, 0, 0x20, 0, 0, 0), 4, 7); // INC_512
    }

    @Test
    void reportSupportedOperationCodesShowsBothCommands() {
        for (int opcode : new int[] {0xA2, 0xB5}) {
            RecordingTask t = h.in(64, 0xA3, 0x0C, 0x01, opcode, 0, 0, 0, 0, 0, 64, 0, 0);
            assertGood(t);
            byte[] d = t.data();
            assertEquals(3, d[1] & 7, "SUPPORT: supported by the standard");
            assertEquals(12, BigEndian.u16(d, 2));
            assertEquals(opcode, d[4] & 0xFF);
            assertEquals(0xFF, d[5] & 0xFF, "SECURITY PROTOCOL evaluated");
            assertEquals(0x00, d[8], "INC_512 not supported");
        }
    }
}
