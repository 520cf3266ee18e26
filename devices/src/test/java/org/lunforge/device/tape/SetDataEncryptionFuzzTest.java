package org.lunforge.device.tape;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.lunforge.scsi.CheckCondition;

/**
 * Fuzz target: the Set Data Encryption page of SECURITY PROTOCOL OUT (SSC-4 8.5.3.2), parameter data an initiator
 * controls. The verdict: parameters, or CHECK CONDITION (INVALID FIELD IN PARAMETER LIST or PARAMETER LIST LENGTH
 * ERROR); and a key only when the modes use one, of the one length.
 */
class SetDataEncryptionFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void page(byte[] bytes) {
        DataEncryptionParameters.SetDataEncryption set;
        try {
            set = DataEncryptionParameters.decode(bytes, 1);
        } catch (CheckCondition refused) {
            return;
        }
        if (set.parameters().needsKey() != (set.key() != null)) {
            throw new AssertionError("a key without modes that use one, or the other way round");
        }
        if (set.key() != null && set.key().length != DataEncryptionParameters.KEY_LENGTH) {
            throw new AssertionError("a key of " + set.key().length + " bytes");
        }
    }
}
