package org.lunforge.device.tape;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.SenseCode;

/**
 * The data encryption parameters of an I_T nexus (SSC-4 8.5.3.2, the Set Data Encryption page), without the key: the
 * key goes straight into a {@link BlockSeal} and is held nowhere else.
 *
 * @param scope who the parameters are for: this I_T nexus, or every one
 * @param checkExternalEncryptionMode CEEM: 00b (vendor specific) or 01b (not checked); 10b/11b need EXTERNAL mode
 * @param rawDecryptionModeControl RDMC: 00b the default (raw reads enabled), 10b enabled, 11b disabled
 * @param clearKeyOnDemount CKOD: the parameters go back to the default when the cartridge is unloaded
 * @param algorithmIndex 1 (AES-256-GCM) when either mode needs the key; else as sent and not used
 * @param keyAssociatedData the KAD descriptors as received (U-KAD and A-KAD), recorded with each encrypted block
 * @param keyInstanceCounter the drive's count of keys set, when this one was (SSC-4 KEY INSTANCE COUNTER)
 */
public record DataEncryptionParameters(Scope scope, int checkExternalEncryptionMode, int rawDecryptionModeControl,
                                       boolean clearKeyOnDemount, EncryptionMode encryptionMode,
                                       DecryptionMode decryptionMode, int algorithmIndex, byte[] keyAssociatedData,
                                       long keyInstanceCounter) {
    /** SET DATA ENCRYPTION page code (SSC-4 8.5.3.2). */
    static final int SET_DATA_ENCRYPTION = 0x0010;
    /** The one algorithm, AES-256-GCM with a 16-byte tag: its ALGORITHM INDEX and key length. */
    static final int AES_256_GCM = 1;
    static final int KEY_LENGTH = 32;
    /** KEY DESCRIPTOR TYPE of a KAD descriptor, and the most bytes each may hold (as IBM and HPE LTO drives). */
    static final int U_KAD = 0x00;
    static final int A_KAD = 0x01;
    static final int MAX_U_KAD = 32;
    static final int MAX_A_KAD = 12;
    /** Offsets in the Set Data Encryption page. */
    private static final int HEADER = 20;

    /** The default: neither encrypting nor decrypting, no key (what an I_T nexus has after power on or reset). */
    static final DataEncryptionParameters DISABLED = new DataEncryptionParameters(Scope.PUBLIC, 0, 0, false,
            EncryptionMode.DISABLE, DecryptionMode.DISABLE, 0, new byte[0], 0);

    /** SCOPE (SSC-4 table "SCOPE field values"). */
    public enum Scope { PUBLIC, LOCAL, ALL_I_T_NEXUS }

    /** ENCRYPTION MODE: EXTERNAL (01h) is not supported. */
    public enum EncryptionMode {
        DISABLE(0), ENCRYPT(2);

        final int code;

        EncryptionMode(int code) {
            this.code = code;
        }
    }

    /** DECRYPTION MODE. */
    public enum DecryptionMode {
        DISABLE(0), RAW(1), DECRYPT(2), MIXED(3);

        final int code;

        DecryptionMode(int code) {
            this.code = code;
        }
    }

    public DataEncryptionParameters {
        if (checkExternalEncryptionMode < 0 || checkExternalEncryptionMode > 1) {
            throw new IllegalArgumentException("CEEM " + checkExternalEncryptionMode);
        }
        if (rawDecryptionModeControl < 0 || rawDecryptionModeControl > 3 || rawDecryptionModeControl == 1) {
            throw new IllegalArgumentException("RDMC " + rawDecryptionModeControl);
        }
        if (needsKey(encryptionMode, decryptionMode) && algorithmIndex != AES_256_GCM) {
            throw new IllegalArgumentException("algorithm index " + algorithmIndex);
        }
        keyAssociatedData = keyAssociatedData.clone();
    }

    /** True if the modes use the key: ENCRYPT, or DECRYPT or MIXED (DISABLE and RAW never decrypt). */
    static boolean needsKey(EncryptionMode encryption, DecryptionMode decryption) {
        return encryption == EncryptionMode.ENCRYPT
                || decryption == DecryptionMode.DECRYPT || decryption == DecryptionMode.MIXED;
    }

    boolean needsKey() {
        return needsKey(encryptionMode, decryptionMode);
    }

    /** True if blocks written under these parameters are marked as disabled for raw decryption (RDMD). */
    boolean rawDecryptionDisabled() {
        return rawDecryptionModeControl == 3;
    }

    @Override
    public byte[] keyAssociatedData() {
        return keyAssociatedData.clone();
    }

    /** A Set Data Encryption page, decoded: the parameters and, if the modes use one, the key (the caller's to wipe). */
    record SetDataEncryption(DataEncryptionParameters parameters, byte[] key) {
    }

    /**
     * Decodes a Set Data Encryption page (SSC-4 8.5.3.2) of a SECURITY PROTOCOL OUT whose parameter data is
     * {@code data}. Each field is checked: a value the drive does not support is INVALID FIELD IN PARAMETER LIST
     * pointing at it, a page longer than the data is PARAMETER LIST LENGTH ERROR. The reserved bits of a KAD
     * descriptor's byte 1 are not checked: stenc 1.0.7 leaves them uninitialised. A key sent with both modes off is
     * ignored (stenc sends 32 zero bytes then).
     */
    static SetDataEncryption decode(byte[] data, long keyInstanceCounter) {
        if (data.length < HEADER) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (BigEndian.u16(data, 0) != SET_DATA_ENCRYPTION) {
            throw CheckCondition.invalidFieldInParameterList(0, 7);
        }
        int end = 4 + BigEndian.u16(data, 2);
        if (end < HEADER) {
            throw CheckCondition.invalidFieldInParameterList(2, 7);
        }
        if (end > data.length) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int scopeCode = (data[4] >> 5) & 7;
        if (scopeCode > 2) {
            throw CheckCondition.invalidFieldInParameterList(4, 7);
        }
        if ((data[4] & 1) != 0) {
            throw CheckCondition.invalidFieldInParameterList(4, 0); // LOCK: LOCK_C is 0
        }
        int ceem = (data[5] >> 6) & 3;
        if (ceem > 1) {
            throw CheckCondition.invalidFieldInParameterList(5, 7); // EXTERNAL mode checks: EEMC_C is 0
        }
        int rdmc = (data[5] >> 4) & 3;
        if (rdmc == 1) {
            throw CheckCondition.invalidFieldInParameterList(5, 5); // reserved value
        }
        if ((data[5] & 0x08) != 0) {
            throw CheckCondition.invalidFieldInParameterList(5, 3); // SDK: SDK_C is 0
        }
        boolean ckod = (data[5] & 0x04) != 0;
        if ((data[5] & 0x02) != 0) {
            throw CheckCondition.invalidFieldInParameterList(5, 1); // CKORP: CKORP_C is 0
        }
        if ((data[5] & 0x01) != 0) {
            throw CheckCondition.invalidFieldInParameterList(5, 0); // CKORL: CKORL_C is 0
        }
        EncryptionMode encryption = switch (data[6] & 0xFF) {
            case 0 -> EncryptionMode.DISABLE;
            case 2 -> EncryptionMode.ENCRYPT;
            default -> throw CheckCondition.invalidFieldInParameterList(6, 7); // EXTERNAL included
        };
        DecryptionMode decryption = switch (data[7] & 0xFF) {
            case 0 -> DecryptionMode.DISABLE;
            case 1 -> DecryptionMode.RAW;
            case 2 -> DecryptionMode.DECRYPT;
            case 3 -> DecryptionMode.MIXED;
            default -> throw CheckCondition.invalidFieldInParameterList(7, 7);
        };
        boolean needsKey = needsKey(encryption, decryption);
        int algorithm = data[8] & 0xFF;
        boolean off = encryption == EncryptionMode.DISABLE && decryption == DecryptionMode.DISABLE;
        if (!off && algorithm != AES_256_GCM) {
            throw CheckCondition.invalidFieldInParameterList(8, 7);
        }
        int keyLength = BigEndian.u16(data, 18);
        if (HEADER + keyLength > end) {
            throw CheckCondition.invalidFieldInParameterList(18, 7);
        }
        byte[] key = null;
        if (needsKey) {
            if (data[9] != 0) {
                throw CheckCondition.invalidFieldInParameterList(9, 7); // key format 00h, a plain key, only
            }
            if (data[10] != 0) {
                throw CheckCondition.invalidFieldInParameterList(10, 7); // KAD FORMAT: KADF_C is 0
            }
            if (keyLength != KEY_LENGTH) {
                throw CheckCondition.invalidFieldInParameterList(18, 7);
            }
            key = Arrays.copyOfRange(data, HEADER, HEADER + KEY_LENGTH);
        }
        byte[] kads = new byte[0];
        if (encryption == EncryptionMode.ENCRYPT) {
            kads = keyAssociatedData(data, HEADER + keyLength, end);
        }
        Scope scope = Scope.values()[scopeCode];
        return new SetDataEncryption(new DataEncryptionParameters(scope, ceem, rdmc, ckod, encryption, decryption,
                off ? 0 : algorithm, kads, needsKey ? keyInstanceCounter : 0), key);
    }

    /** The KAD descriptors in {@code data[from, end)}: at most one U-KAD and one A-KAD, each within its length. */
    private static byte[] keyAssociatedData(byte[] data, int from, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean[] seen = new boolean[2];
        int at = from;
        while (at < end) {
            if (at + 4 > end) {
                throw CheckCondition.invalidFieldInParameterList(at, 7); // a descriptor header cut short
            }
            int type = data[at] & 0xFF;
            int max = switch (type) {
                case U_KAD -> MAX_U_KAD;
                case A_KAD -> MAX_A_KAD;
                default -> throw CheckCondition.invalidFieldInParameterList(at, 7); // nonce, M-KAD, wrapped key
            };
            if (seen[type]) {
                throw CheckCondition.invalidFieldInParameterList(at, 7);
            }
            seen[type] = true;
            int length = BigEndian.u16(data, at + 2);
            if (length > max || at + 4 + length > end) {
                throw CheckCondition.invalidFieldInParameterList(at + 2, 7);
            }
            out.write(type);
            out.write(0);
            out.write(length >> 8);
            out.write(length);
            out.write(data, at + 4, length);
            at += 4 + length;
        }
        return out.toByteArray();
    }
}
