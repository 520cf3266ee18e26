package org.lunforge.device.tape;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lunforge.backstore.tape.BlockCipher;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.device.tape.DataEncryptionParameters.DecryptionMode;
import org.lunforge.device.tape.DataEncryptionParameters.EncryptionMode;
import org.lunforge.device.tape.DataEncryptionParameters.Scope;
import org.lunforge.device.tape.EncryptedBlockException.Reason;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Nexus;

/**
 * The drive's tape data encryption (SSC-4 4.2.26 and 8.5): the security protocols it answers (00h, the list of
 * protocols; 20h, tape data encryption), the data encryption parameters of each I_T nexus, and what they mean for the
 * blocks it writes and reads.
 *
 * <h2>Where the parameters live</h2>
 * In memory only. SCOPE LOCAL parameters belong to the I_T nexus that set them and go with it (I_T nexus loss);
 * PUBLIC and ALL I_T NEXUS parameters are shared by every I_T nexus without LOCAL ones (ALL I_T NEXUS also drops
 * the others' LOCAL ones), and the other I_T nexuses get DATA ENCRYPTION PARAMETERS CHANGED BY ANOTHER I_T NEXUS.
 * A logical unit reset (and power on: a new drive object) returns every I_T nexus to the default, no key; CKOD
 * does so when the cartridge is unloaded. A key is never recorded: a block written in ENCRYPT mode records its KAD
 * and a key check ({@link BlockSeal}).
 *
 * <h2>Reading (SSC-4 4.2.26.?, the 74h additional sense codes of IBM and HPE LTO drives)</h2>
 * <ul>
 * <li>an encrypted block with decryption mode DISABLE: DATA PROTECT, UNABLE TO DECRYPT DATA;</li>
 * <li>RAW: the recorded payload as it is, unless the block was written with RDMC 11b: DATA PROTECT, ENCRYPTED BLOCK
 *     NOT RAW READ ENABLED;</li>
 * <li>DECRYPT or MIXED: decrypted; under another key DATA PROTECT, INCORRECT DATA ENCRYPTION KEY; altered (the tag
 *     fails) DATA PROTECT, CRYPTOGRAPHIC INTEGRITY VALIDATION FAILED;</li>
 * <li>a block that is not encrypted: returned, except in DECRYPT: DATA PROTECT, UNENCRYPTED DATA ENCOUNTERED WHILE
 *     DECRYPTING.</li>
 * </ul>
 * The cursor stays in front of a block that is refused. Compression comes before encryption, as on LTO drives.
 *
 * <p>Commands run on the drive's thread under its monitor; the maps are concurrent for the reset and nexus loss
 * callbacks, which arrive on other threads.
 */
final class TapeDataEncryption {
    /** SPC-4 security protocol 00h: security protocol information. */
    static final int PROTOCOL_INFORMATION = 0x00;
    /** SSC-4 security protocol 20h: tape data encryption. */
    static final int PROTOCOL_TAPE_DATA_ENCRYPTION = 0x20;

    // SPC-4 7.7.1 security protocol information pages (SECURITY PROTOCOL SPECIFIC).
    static final int SUPPORTED_PROTOCOLS = 0x0000;
    static final int CERTIFICATE_DATA = 0x0001;

    // SSC-4 8.5.2 SECURITY PROTOCOL IN pages of protocol 20h.
    static final int IN_SUPPORT = 0x0000;
    static final int OUT_SUPPORT = 0x0001;
    static final int CAPABILITIES = 0x0010;
    static final int KEY_FORMATS = 0x0011;
    static final int MANAGEMENT_CAPABILITIES = 0x0012;
    static final int STATUS = 0x0020;
    static final int NEXT_BLOCK_STATUS = 0x0021;
    private static final int[] IN_PAGES = {IN_SUPPORT, OUT_SUPPORT, CAPABILITIES, KEY_FORMATS,
        MANAGEMENT_CAPABILITIES, STATUS, NEXT_BLOCK_STATUS};

    /** Parameters and the seal of their key (null when the modes need none). */
    private record Saved(DataEncryptionParameters parameters, BlockSeal seal) {
    }

    private static final Saved DEFAULT = new Saved(DataEncryptionParameters.DISABLED, null);

    private final Map<Nexus, Saved> local = new ConcurrentHashMap<>();
    private volatile Saved shared = DEFAULT;
    private long keyInstanceCounter;

    private Saved saved(Nexus nexus) {
        Saved s = local.get(nexus);
        return s != null ? s : shared;
    }

    /** The parameters in force for {@code nexus}. */
    DataEncryptionParameters parameters(Nexus nexus) {
        return saved(nexus).parameters();
    }

    // ---------------------------------------------------------------- blocks

    /** The cipher a WRITE through {@code nexus} seals its blocks with, or null if the encryption mode is DISABLE. */
    BlockCipher sealer(Nexus nexus) {
        Saved s = saved(nexus);
        return s.parameters().encryptionMode() == EncryptionMode.ENCRYPT ? s.seal() : null;
    }

    /**
     * True if {@code nexus} gets the block {@code o} exactly as it is stored: a plain block, read in any decryption
     * mode but DECRYPT (which refuses it). Such a block may be lent rather than read ({@link TapeMedium#lend}).
     */
    boolean readsAsStored(TapeMedium.TapeObject o, Nexus nexus) {
        return !o.encrypted() && saved(nexus).parameters().decryptionMode() != DecryptionMode.DECRYPT;
    }

    /**
     * Reads the block at the cursor of {@code m} (described by {@code o}) into {@code dst} under {@code nexus}'s
     * decryption mode, as the class comment says; returns its length (the recorded payload's in RAW mode).
     */
    int read(TapeMedium m, TapeMedium.TapeObject o, org.lunforge.scsi.SgList dst, long max, Nexus nexus)
            throws IOException {
        Saved s = saved(nexus);
        DecryptionMode mode = s.parameters().decryptionMode();
        if (!o.encrypted()) {
            if (mode == DecryptionMode.DECRYPT) {
                throw new EncryptedBlockException(Reason.NOT_ENCRYPTED,
                        "block " + m.position() + " is not encrypted and the decryption mode is DECRYPT");
            }
            return m.read(dst, max);
        }
        return switch (mode) {
            case DISABLE -> throw new EncryptedBlockException(Reason.NOT_DECRYPTING,
                    "block " + m.position() + " is encrypted and decryption is disabled");
            case RAW -> {
                var payload = m.storedPayload();
                if (BlockSeal.Envelope.of(payload).rawDecryptionDisabled()) {
                    throw new EncryptedBlockException(Reason.RAW_READ_DISABLED,
                            "block " + m.position() + " was written with raw decryption disabled");
                }
                int length = payload.remaining();
                int n = (int) Math.min(length, Math.min(max, dst.length()));
                dst.copyFrom(0, java.lang.foreign.MemorySegment.ofBuffer(payload).asSlice(0, n));
                m.skip();
                yield length;
            }
            case DECRYPT, MIXED -> m.read(dst, max, s.seal());
        };
    }

    // ---------------------------------------------------------------- SECURITY PROTOCOL OUT

    /**
     * SECURITY PROTOCOL OUT, protocol 20h: the Set Data Encryption page (SECURITY PROTOCOL SPECIFIC 0010h, the only
     * page the out support page lists) from {@code data}. Returns true if the parameters other I_T nexuses use
     * changed (PUBLIC or ALL I_T NEXUS), for the unit attention.
     */
    synchronized boolean securityProtocolOut(Nexus nexus, TapeCommand.SecurityProtocolOut command, byte[] data) {
        if (command.protocolSpecific() != DataEncryptionParameters.SET_DATA_ENCRYPTION) {
            throw CheckCondition.invalidFieldInCdb(2, 7);
        }
        DataEncryptionParameters.SetDataEncryption set =
                DataEncryptionParameters.decode(data, keyInstanceCounter + 1);
        Saved saved;
        if (set.key() != null) {
            try {
                saved = new Saved(set.parameters(), new BlockSeal(set.key(), set.parameters().keyAssociatedData(),
                        set.parameters().rawDecryptionDisabled()));
            } finally {
                Arrays.fill(set.key(), (byte) 0);
            }
            keyInstanceCounter++;
        } else {
            saved = new Saved(set.parameters(), null);
        }
        return switch (set.parameters().scope()) {
            case LOCAL -> {
                local.put(nexus, saved);
                yield false;
            }
            case PUBLIC -> {
                local.remove(nexus);
                shared = saved;
                yield true;
            }
            case ALL_I_T_NEXUS -> {
                local.clear();
                shared = saved;
                yield true;
            }
        };
    }

    /** Cartridge unloaded: parameters set with CKOD go back to the default (SSC-4 CKOD). */
    void volumeDemounted() {
        if (shared.parameters().clearKeyOnDemount()) {
            shared = DEFAULT;
        }
        local.values().removeIf(s -> s.parameters().clearKeyOnDemount());
    }

    /** Logical unit reset or power on: every I_T nexus back to the default; no key is left. */
    void reset() {
        local.clear();
        shared = DEFAULT;
    }

    /** I_T nexus loss: its LOCAL parameters go. */
    void nexusLost(Nexus nexus) {
        local.remove(nexus);
    }

    // ---------------------------------------------------------------- SECURITY PROTOCOL IN

    /** SECURITY PROTOCOL IN data for {@code command}; {@code medium} is the loaded one or null. */
    byte[] securityProtocolIn(Nexus nexus, TapeCommand.SecurityProtocolIn command, TapeMedium medium,
                              Runnable checkReady) throws IOException {
        int page = command.protocolSpecific();
        if (command.protocol() == PROTOCOL_INFORMATION) {
            return switch (page) {
                // SPC-4 7.7.1.3: 6 reserved bytes, the list length, the protocols in ascending order.
                case SUPPORTED_PROTOCOLS -> new byte[] {0, 0, 0, 0, 0, 0, 0, 2, PROTOCOL_INFORMATION,
                    PROTOCOL_TAPE_DATA_ENCRYPTION};
                // SPC-4 7.7.1.4: no certificate, CERTIFICATE LENGTH 0.
                case CERTIFICATE_DATA -> new byte[4];
                default -> throw CheckCondition.invalidFieldInCdb(2, 7);
            };
        }
        return switch (page) {
            case IN_SUPPORT -> pageList(IN_SUPPORT, IN_PAGES);
            case OUT_SUPPORT -> pageList(OUT_SUPPORT, new int[] {DataEncryptionParameters.SET_DATA_ENCRYPTION});
            case CAPABILITIES -> capabilities(medium != null);
            case KEY_FORMATS -> page(KEY_FORMATS, new byte[] {0x00}); // a plain-text key only
            case MANAGEMENT_CAPABILITIES -> managementCapabilities();
            case STATUS -> status(nexus);
            case NEXT_BLOCK_STATUS -> {
                if (medium == null) {
                    checkReady.run();
                }
                yield nextBlockStatus(nexus, medium);
            }
            default -> throw CheckCondition.invalidFieldInCdb(2, 7);
        };
    }

    /** A page: PAGE CODE, PAGE LENGTH, then {@code body}. */
    private static byte[] page(int code, byte[] body) {
        byte[] d = new byte[4 + body.length];
        BigEndian.put16(d, 0, code);
        BigEndian.put16(d, 2, body.length);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    private static byte[] pageList(int code, int[] pages) {
        byte[] body = new byte[pages.length * 2];
        for (int i = 0; i < pages.length; i++) {
            BigEndian.put16(body, 2 * i, pages[i]);
        }
        return page(code, body);
    }

    /**
     * SSC-4 8.5.2.4 Data Encryption Capabilities: EXTDECC 01b (not external data encryption control capable), CFG_P
     * 01b (parameters may be set), and one algorithm descriptor: index 1, AVFMV when a cartridge is loaded, MAC_C,
     * DELB_C (encrypted blocks are told apart), DECRYPT_C and ENCRYPT_C 10b (in the drive), NONCE_C 01b (the drive
     * makes the nonces), VCELB_C 0, 32-byte U-KAD and 12-byte A-KAD, a 32-byte key, RDMC_C 4h (each block marked per
     * RDMC, raw reads enabled by default), EAREM 0, SECURITY ALGORITHM CODE 00010014h (AES-GCM, 16-byte tag).
     */
    private static byte[] capabilities(boolean loaded) {
        byte[] body = new byte[16 + 24];
        body[0] = 0x05; // EXTDECC 01b (bits 3..2), CFG_P 01b (bits 1..0)
        int a = 16;
        body[a] = DataEncryptionParameters.AES_256_GCM;
        BigEndian.put16(body, a + 2, 20);
        body[a + 4] = (byte) ((loaded ? 0x80 : 0) | 0x20 | 0x10 | (2 << 2) | 2);
        body[a + 5] = (byte) (1 << 4);
        BigEndian.put16(body, a + 6, DataEncryptionParameters.MAX_U_KAD);
        BigEndian.put16(body, a + 8, DataEncryptionParameters.MAX_A_KAD);
        BigEndian.put16(body, a + 10, DataEncryptionParameters.KEY_LENGTH);
        body[a + 12] = (byte) (4 << 1);
        BigEndian.put32(body, a + 20, 0x00010014L);
        return page(CAPABILITIES, body);
    }

    /**
     * SSC-4 8.5.2.6 Data Encryption Management Capabilities: LOCK_C 0; CKOD_C 1, CKORP_C 0, CKORL_C 0; AITN_C, LOCAL_C
     * and PUBLIC_C 1.
     */
    private static byte[] managementCapabilities() {
        byte[] body = new byte[12];
        body[1] = 0x04;
        body[3] = 0x07;
        return page(MANAGEMENT_CAPABILITIES, body);
    }

    /**
     * SSC-4 8.5.2.7 Data Encryption Status of the requesting I_T nexus: I_T NEXUS SCOPE and KEY SCOPE, the modes, the
     * ALGORITHM INDEX, the KEY INSTANCE COUNTER, PARAMETERS CONTROL 001b (set by SECURITY PROTOCOL OUT only), CEEMS,
     * RDMD, then the KAD descriptors the key was set with.
     */
    private byte[] status(Nexus nexus) {
        DataEncryptionParameters p = parameters(nexus);
        byte[] kads = p.keyAssociatedData();
        byte[] body = new byte[20 + kads.length];
        int scope = p.scope().ordinal();
        body[0] = (byte) ((scope << 5) | scope);
        body[1] = (byte) p.encryptionMode().code;
        body[2] = (byte) p.decryptionMode().code;
        body[3] = (byte) p.algorithmIndex();
        BigEndian.put32(body, 4, p.keyInstanceCounter());
        body[8] = (byte) ((1 << 4) | (p.checkExternalEncryptionMode() << 1) | (p.rawDecryptionDisabled() ? 1 : 0));
        System.arraycopy(kads, 0, body, 20, kads.length);
        return page(STATUS, body);
    }

    /**
     * SSC-4 8.5.2.8 Next Block Encryption Status of the object at the cursor: LOGICAL OBJECT NUMBER, COMPRESSION
     * STATUS 0h (not reported), ENCRYPTION STATUS 2h (EOD or a filemark: not a logical block), 3h (not encrypted), 5h
     * (encrypted, and this I_T nexus decrypts with its key) or 6h (encrypted, and it cannot), the ALGORITHM INDEX,
     * RDMDS, and the KAD descriptors recorded with the block (AUTHENTICATED 1h: not checked here).
     */
    private byte[] nextBlockStatus(Nexus nexus, TapeMedium m) throws IOException {
        TapeMedium.TapeObject o = m.peek();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] fixed = new byte[12];
        BigEndian.put64(fixed, 0, m.position());
        if (o == null || o.kind() == TapeMedium.Kind.FILEMARK) {
            fixed[8] = 0x02;
            body.writeBytes(fixed);
            return page(NEXT_BLOCK_STATUS, body.toByteArray());
        }
        if (!o.encrypted()) {
            fixed[8] = 0x03;
            body.writeBytes(fixed);
            return page(NEXT_BLOCK_STATUS, body.toByteArray());
        }
        BlockSeal.Envelope e = BlockSeal.Envelope.of(m.storedPayload());
        Saved s = saved(nexus);
        DecryptionMode mode = s.parameters().decryptionMode();
        boolean decrypts = (mode == DecryptionMode.DECRYPT || mode == DecryptionMode.MIXED)
                && s.seal() != null && s.seal().sealedByThisKey(e);
        fixed[8] = (byte) (decrypts ? 0x05 : 0x06);
        fixed[9] = (byte) e.algorithmIndex();
        fixed[10] = (byte) (e.rawDecryptionDisabled() ? 1 : 0);
        body.writeBytes(fixed);
        byte[] kads = e.keyAssociatedData();
        for (int at = 0; at + 4 <= kads.length; at += 4 + BigEndian.u16(kads, at + 2)) {
            kads[at + 1] = 0x01;
        }
        body.writeBytes(kads);
        return page(NEXT_BLOCK_STATUS, body.toByteArray());
    }
}
