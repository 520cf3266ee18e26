package org.lunforge.device.disk;

import org.lunforge.backstore.BlockStoreException;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** The one place where a block store's abstract outcome becomes sense data (SBC-4 4.18, SPC-4 annex D). */
final class StoreOutcomes {
    private StoreOutcomes() {
    }

    static SenseCode senseCode(BlockStoreException e) {
        return switch (e.outcome()) {
            case OUT_OF_RANGE -> SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE;
            case READ_ERROR -> SenseCode.UNRECOVERED_READ_ERROR;
            case WRITE_ERROR -> SenseCode.WRITE_ERROR;
            case NO_SPACE -> SenseCode.SPACE_ALLOCATION_FAILED_WRITE_PROTECT;
            case READ_ONLY -> SenseCode.WRITE_PROTECTED;
            case UNSUPPORTED -> SenseCode.INVALID_FIELD_IN_CDB;
            case UNAVAILABLE -> SenseCode.LOGICAL_UNIT_COMMUNICATION_FAILURE;
            case MISCOMPARE -> SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION;
        };
    }

    /**
     * The check condition for a failed store call made for the command starting at {@code lba}. Medium errors carry
     * that LBA in the INFORMATION field: the store does not say which block failed, the command's first is the
     * earliest it can be (SBC-4 4.18.2).
     */
    static CheckCondition checkCondition(BlockStoreException e, long lba) {
        SenseCode code = senseCode(e);
        Sense sense = Sense.of(code);
        if (code == SenseCode.UNRECOVERED_READ_ERROR || code == SenseCode.WRITE_ERROR) {
            sense = sense.withInformation(lba);
        } else if (code == SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION && e.miscompareOffset() >= 0) {
            sense = sense.withInformation(e.miscompareOffset()); // SBC-4 5.3: the offset into the Data-Out
        }
        return new CheckCondition(sense);
    }
}
