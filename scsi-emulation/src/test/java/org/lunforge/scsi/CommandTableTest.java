package org.lunforge.scsi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.spc.SpcOperation;

class CommandTableTest {
    private final CommandTable table = new CommandTable(List.of(SpcOperation.values()));

    @Test
    void unknownOpcodeIsInvalidCommandOperationCode() {
        CheckCondition e = assertThrows(CheckCondition.class, () -> table.lookup(Cdb.of(0xEE, 0, 0, 0, 0, 0)));
        assertEquals(SenseCode.INVALID_COMMAND_OPERATION_CODE, e.sense().code());
    }

    @Test
    void reservedBitPointsAtItsByteAndBit() {
        // INQUIRY byte 1 bit 1 is the obsolete CMDDT: not in the usage data.
        CheckCondition e = assertThrows(CheckCondition.class, () -> table.lookup(Cdb.of(0x12, 0x02, 0, 0, 36, 0)));
        assertEquals(Sense.FieldPointer.cdb(1, 1), e.sense().fieldPointer());
    }

    @Test
    void nacaInControlByteIsRefused() {
        CheckCondition e = assertThrows(CheckCondition.class, () -> table.lookup(Cdb.of(0x00, 0, 0, 0, 0, 0x04)));
        assertEquals(Sense.FieldPointer.cdb(5, 2), e.sense().fieldPointer());
    }

    @Test
    void validCdbFindsItsOperation() {
        assertSame(SpcOperation.INQUIRY, table.lookup(Cdb.of(0x12, 0x01, 0x80, 0, 255, 0)));
    }

    @Test
    void duplicateRowsAreRejectedWhenTheTableIsBuilt() {
        assertThrows(IllegalArgumentException.class,
                () -> new CommandTable(List.of(SpcOperation.INQUIRY, SpcOperation.INQUIRY)));
    }
}
