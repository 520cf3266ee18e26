package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.StreamCommandsTest.data;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.tape.CartridgeInUseException;
import org.lunforge.backstore.tape.MediumException;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;

/**
 * The one mapper from store failures to sense: a read that fails is MEDIUM ERROR, UNRECOVERED READ ERROR (SSC-4), a
 * write that fails MEDIUM ERROR, WRITE ERROR; never the other way round.
 */
class TapeOutcomesTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void create() throws IOException {
        h = new TapeHarness(dir.resolve("pool"));
    }

    @AfterEach
    void close() {
        h.close();
    }

    private static TapeCommand decode(int... cdb) {
        TapeOperation op = switch (cdb[0]) {
            case 0x08 -> TapeOperation.READ_6;
            case 0x0A -> TapeOperation.WRITE_6;
            case 0x10 -> TapeOperation.WRITE_FILEMARKS_6;
            case 0x11 -> TapeOperation.SPACE_6;
            default -> throw new IllegalArgumentException("opcode " + cdb[0]);
        };
        return (TapeCommand) op.decode(Cdb.of(cdb));
    }

    @Test
    void aFailedReadIsAnUnrecoveredReadError() {
        IOException eio = new IOException("Input/output error");
        assertEquals(SenseCode.UNRECOVERED_READ_ERROR, TapeOutcomes.senseCode(eio, decode(0x08, 0, 0, 1, 0, 0)));
        assertEquals(SenseCode.UNRECOVERED_READ_ERROR, TapeOutcomes.senseCode(eio, decode(0x11, 0, 0, 0, 1, 0)));
        assertEquals(SenseKey.MEDIUM_ERROR, SenseCode.UNRECOVERED_READ_ERROR.key());
    }

    @Test
    void aFailedWriteIsAWriteError() {
        IOException eio = new IOException("Input/output error");
        assertEquals(SenseCode.WRITE_ERROR, TapeOutcomes.senseCode(eio, decode(0x0A, 0, 0, 1, 0, 0)));
        assertEquals(SenseCode.WRITE_ERROR, TapeOutcomes.senseCode(eio, decode(0x10, 0, 0, 0, 1, 0)));
    }

    @Test
    void aDamagedRecordIsAnUnrecoveredReadErrorWhateverTheCommand() {
        MediumException damaged = new MediumException("CRC mismatch");
        assertEquals(SenseCode.UNRECOVERED_READ_ERROR, TapeOutcomes.senseCode(damaged, decode(0x0A, 0, 0, 1, 0, 0)));
        assertEquals(SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED,
                TapeOutcomes.senseCode(new CartridgeInUseException("LF0001L8"), decode(0x08, 0, 0, 1, 0, 0)));
    }

    /** The journal fails under a READ (its file is gone from the drive): MEDIUM ERROR 11/00, not WRITE ERROR. */
    @Test
    void readOfAFailingJournal() throws IOException {
        h.loadNew("LF0001L8");
        assertGood(h.writeVariable(data(1000, 1)));
        assertGood(h.rewind());
        h.drive.medium().close(); // the store's file channel is closed under the drive: every file call fails
        assertCheck(h.readVariable(1000), SenseCode.UNRECOVERED_READ_ERROR);
        assertCheck(h.writeVariable(data(1000, 2)), SenseCode.WRITE_ERROR);
    }
}
