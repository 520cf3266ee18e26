package org.lunforge.device.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.lunforge.backstore.tape.BlockCipher;
import org.lunforge.backstore.tape.MediumException;

/**
 * AES-256-GCM (the JDK's javax.crypto) over one key set by SECURITY PROTOCOL OUT: the payload an encrypted block
 * leaves on the cartridge, and the way back. The key lives only in this object's {@link SecretKeySpec}, in memory.
 *
 * <h2>The sealed payload</h2>
 * <pre>
 * 0        format 1
 * 1        flags: bit 0 RDMD (written with raw decryption disabled)
 * 2        ALGORITHM INDEX (1)
 * 3        0
 * 4..11    key check: the first 8 bytes of HMAC-SHA-256(key, "lunforge SSC-4 key check"), so a wrong key is told
 *          apart from an altered block (INCORRECT DATA ENCRYPTION KEY vs CRYPTOGRAPHIC INTEGRITY VALIDATION FAILED);
 *          it is a one-way function of the key, never key bytes
 * 12..13   KAD length k
 * 14..     the KAD descriptors of the Set Data Encryption page (k bytes), in the clear as a real drive records them
 * +12      nonce: 12 fresh random bytes per block (SecureRandom)
 * rest     ciphertext and the 16-byte tag
 * </pre>
 * The associated data is the block's logical object identifier (8 bytes), logical length (4), compressed flag (1) and
 * bytes 0..14+k of the payload: a block copied to another position, or given other KAD or flags, fails its tag.
 *
 * <p>Not thread-safe: the drive runs its commands one at a time.
 */
final class BlockSeal implements BlockCipher {
    static final int FORMAT = 1;
    static final int FLAG_RDMD = 1;
    static final int NONCE = 12;
    static final int TAG = 16;
    private static final int KEY_CHECK = 8;
    private static final int FIXED = 14;
    private static final byte[] KEY_CHECK_LABEL = "lunforge SSC-4 key check".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final byte[] keyCheck;
    private final boolean rawDecryptionDisabled;
    private final byte[] keyAssociatedData;
    private final Cipher cipher;
    private final SecureRandom random = new SecureRandom();
    private final byte[] nonce = new byte[NONCE];

    /** A seal for {@code key} (32 bytes, copied); KAD descriptors and RDMD as the blocks it seals record them. */
    BlockSeal(byte[] key, byte[] keyAssociatedData, boolean rawDecryptionDisabled) {
        if (key.length != DataEncryptionParameters.KEY_LENGTH) {
            throw new IllegalArgumentException("a key of " + key.length + " bytes");
        }
        if (keyAssociatedData.length > 0xFFFF) {
            throw new IllegalArgumentException("KAD of " + keyAssociatedData.length + " bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
        this.keyCheck = keyCheck(key);
        this.keyAssociatedData = keyAssociatedData.clone();
        this.rawDecryptionDisabled = rawDecryptionDisabled;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/GCM", e);
        }
    }

    static byte[] keyCheck(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal(KEY_CHECK_LABEL), KEY_CHECK);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** The most bytes a payload adds to its block: header, the largest KAD list, nonce and tag. */
    static int overhead(int kadLength) {
        return FIXED + kadLength + NONCE + TAG;
    }

    @Override
    public ByteBuffer seal(ByteBuffer block, long objectId, int logicalLength, boolean compressed) {
        int header = FIXED + keyAssociatedData.length;
        ByteBuffer out = ByteBuffer.allocate(header + NONCE + block.remaining() + TAG);
        out.put((byte) FORMAT).put((byte) (rawDecryptionDisabled ? FLAG_RDMD : 0))
                .put((byte) DataEncryptionParameters.AES_256_GCM).put((byte) 0).put(keyCheck)
                .putShort((short) keyAssociatedData.length).put(keyAssociatedData);
        random.nextBytes(nonce);
        out.put(nonce);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
            cipher.updateAAD(associatedData(objectId, logicalLength, compressed));
            cipher.updateAAD(out.array(), 0, header);
            cipher.doFinal(block, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
        return out.flip();
    }

    @Override
    public ByteBuffer open(ByteBuffer payload, long objectId, int logicalLength, boolean compressed)
            throws IOException {
        Envelope e = Envelope.of(payload);
        if (!MessageDigest.isEqual(e.keyCheck(), keyCheck)) {
            throw new EncryptedBlockException(EncryptedBlockException.Reason.WRONG_KEY,
                    "block " + objectId + " was encrypted with another key");
        }
        ByteBuffer in = payload.duplicate();
        byte[] header = new byte[e.headerLength()];
        in.get(header);
        byte[] blockNonce = new byte[NONCE];
        in.get(blockNonce);
        ByteBuffer out = ByteBuffer.allocate(Math.max(0, in.remaining() - TAG));
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, blockNonce));
            cipher.updateAAD(associatedData(objectId, logicalLength, compressed));
            cipher.updateAAD(header);
            cipher.doFinal(in, out);
        } catch (AEADBadTagException bad) {
            throw new EncryptedBlockException(EncryptedBlockException.Reason.INTEGRITY,
                    "block " + objectId + " fails its AES-GCM tag");
        } catch (GeneralSecurityException failed) {
            throw new EncryptedBlockException(EncryptedBlockException.Reason.INTEGRITY,
                    "block " + objectId + " does not decrypt: " + failed.getMessage());
        }
        return out.flip();
    }

    /** True if a payload was sealed under this seal's key. */
    boolean sealedByThisKey(Envelope e) {
        return MessageDigest.isEqual(e.keyCheck(), keyCheck);
    }

    private static byte[] associatedData(long objectId, int logicalLength, boolean compressed) {
        return ByteBuffer.allocate(13).putLong(objectId).putInt(logicalLength).put((byte) (compressed ? 1 : 0))
                .array();
    }

    /**
     * The clear part of a sealed payload: what NEXT BLOCK ENCRYPTION STATUS and raw reads need without the key.
     *
     * @param headerLength the bytes before the nonce
     */
    record Envelope(boolean rawDecryptionDisabled, int algorithmIndex, byte[] keyCheck, byte[] keyAssociatedData,
                    int headerLength) {
        /** The envelope of a payload (not consumed); a {@link MediumException} if it cannot be one. */
        static Envelope of(ByteBuffer payload) throws MediumException {
            ByteBuffer p = payload.duplicate();
            if (p.remaining() < FIXED + NONCE + TAG || p.get(p.position()) != FORMAT) {
                throw new MediumException("an encrypted block's payload is damaged");
            }
            int base = p.position();
            int kad = Short.toUnsignedInt(p.getShort(base + 12));
            if (FIXED + kad + NONCE + TAG > p.remaining()) {
                throw new MediumException("an encrypted block's KAD runs past its payload");
            }
            byte[] check = new byte[KEY_CHECK];
            p.get(base + 4, check);
            byte[] kads = new byte[kad];
            p.get(base + FIXED, kads);
            return new Envelope((p.get(base + 1) & FLAG_RDMD) != 0, p.get(base + 2) & 0xFF, check, kads,
                    FIXED + kad);
        }
    }
}
