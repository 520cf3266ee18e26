package org.lunforge.tcmu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.TaskResponse;

/**
 * A device stand-in for ring tests: READ (opcode 28h, or 08h/88h/A8h/7Fh for other CDB lengths) fills Data-In with a pattern
 * derived from the LBA in bytes 2..5; WRITE (2Ah) checks that Data-Out carries that pattern. With an executor, each
 * command completes later on another thread after a random pause, so completions come back out of order.
 */
final class PatternHandler implements TcmuCommandHandler {
    static final int READ = 0x28;
    static final int WRITE = 0x2A;

    private final ExecutorService executor;
    final Map<Long, String> writeErrors = new ConcurrentHashMap<>();

    PatternHandler(ExecutorService executor) {
        this.executor = executor;
    }

    PatternHandler() {
        this(null);
    }

    static byte patternByte(long lba, long offset) {
        return (byte) (lba * 31 + offset * 7 + (offset >>> 12));
    }

    static byte[] pattern(long lba, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = patternByte(lba, i);
        }
        return b;
    }

    /** A 10-byte CDB with the LBA in bytes 2..5. */
    static byte[] cdb(int opcode, long lba) {
        return Cdb.of(opcode, 0, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba, 0, 0, 0, 0)
                .bytes();
    }

    static long lba(ScsiTask task) {
        return task.cdb().u32(2);
    }

    @Override
    public void onCommand(TcmuCommand command, boolean endOfBatch) {
        if (executor == null) {
            serve(command);
        } else {
            executor.execute(() -> {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextInt(200)));
                serve(command);
            });
        }
    }

    void serve(ScsiTask task) {
        long lba = lba(task);
        long length = task.expectedTransferLength();
        switch (task.cdb().opcode()) {
            case READ, 0x08, 0x88, 0xA8, 0x7F -> {
                byte[] data = pattern(lba, (int) length);
                task.dataIn().put(0, data);
            }
            case WRITE -> {
                byte[] got = task.dataOut().toByteArray();
                byte[] want = pattern(lba, (int) length);
                if (!java.util.Arrays.equals(got, want)) {
                    writeErrors.put(lba, "data-out differs");
                }
            }
            default -> {
            }
        }
        task.complete(TaskResponse.good(length));
    }
}
