package org.lunforge.device.disk;

import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;

/**
 * READ, WRITE, VERIFY, WRITE AND VERIFY, ORWRITE, WRITE ATOMIC and COMPARE AND WRITE.
 *
 * <p>Residuals (SAM-5 5.4.3, FCP-4 9.4.2, and what libiscsi's *_residuals tests check): the command's own transfer
 * length (blocks x block length) is reported as the transfer length, and the frontend reports its difference to the
 * initiator's expected length as an overflow or underflow residual. Only {@code min(command length, buffer length)}
 * bytes move: an expected length of 200 bytes for a one-block READ returns 200 bytes, for a one-block WRITE writes
 * the first 200 bytes of the block and leaves the rest of it as it was; an expected length of 0 moves nothing and
 * still completes GOOD. COMPARE AND WRITE and WRITE SAME are the exceptions: their Data-Out must be exactly what the
 * CDB says, or the command is refused before anything is written.
 */
final class BlockReadWrite {
    /**
     * Reads from this size up are lent rather than copied when the store and the frontend can: below it a copy costs
     * less than the loan's bookkeeping (views, the frontend's wrappers, the give-back).
     */
    static final long LEND_MIN_BYTES = 32 << 10;
    /** {@code -Dlunforge.copyDataIn=true} turns lending off: every read copies (for before/after benchmarks). */
    private static final boolean LEND = !Boolean.getBoolean("lunforge.copyDataIn");

    private final SbcDisk disk;

    BlockReadWrite(SbcDisk disk) {
        this.disk = disk;
    }

    /**
     * READ: the store's bytes go to the task's Data-In buffer, or, when both sides can (a memory store, a network
     * frontend) and the read is large enough for it to pay, the store lends its memory as the task's Data-In and
     * nothing is copied at all. The loan is taken under the shared range hold, so an atomic write (COMPARE AND
     * WRITE, WRITE ATOMIC) comes wholly before or wholly after it; the store keeps the lent bytes until the frontend
     * gives them back.
     */
    void read(ScsiTask task, SbcCommand.Read r) {
        disk.checkRange(r.lba(), r.blocks());
        disk.checkTransferLength(r.blocks(), r.lengthField());
        long length = r.blocks() * disk.blockLength();
        long n = Math.min(length, task.expectedTransferLength());
        if (n > 0) {
            long offset = r.lba() * disk.blockLength();
            RangeLock.Hold hold = disk.rangeLock().shared(r.lba(), r.blocks());
            try {
                StoreLoan loan = LEND && n >= LEND_MIN_BYTES && task.takesLentDataIn() ? disk.store().lend(offset, n) : null;
                if (loan != null) {
                    task.lendDataIn(loan.data(), loan.giveBack());
                } else {
                    SgList dataIn = task.dataIn(n);
                    n = Math.min(n, dataIn.length());
                    disk.store().read(offset, dataIn.slice(0, n));
                }
            } finally {
                disk.rangeLock().release(hold);
            }
        }
        disk.lu().good(task, length);
    }

    void write(ScsiTask task, SbcCommand.Write w) {
        disk.checkRange(w.lba(), w.blocks());
        disk.checkTransferLength(w.blocks(), w.lengthField());
        long length = w.blocks() * disk.blockLength();
        SgList dataOut = task.dataOut();
        long n = Math.min(length, dataOut.length());
        if (n > 0) {
            RangeLock.Hold hold = disk.rangeLock().shared(w.lba(), w.blocks());
            try {
                disk.store().write(w.lba() * disk.blockLength(), dataOut.slice(0, n), fua(w.fua()));
            } finally {
                disk.rangeLock().release(hold);
            }
        }
        disk.lu().good(task, length);
    }

    /** FUA, or every write when the write cache is disabled (caching mode page WCE=0: write-through). */
    private boolean fua(boolean requested) {
        return requested || !disk.writeCacheEnabled();
    }

    void verify(ScsiTask task, SbcCommand.Verify v) {
        disk.checkRange(v.lba(), v.blocks());
        int bs = disk.blockLength();
        long offset = v.lba() * bs;
        switch (v.byteCheck()) {
            case 0 -> {
                verifyMedium(offset, v.blocks() * bs, v.lba(), v.blocks());
                disk.lu().good(task, 0);
            }
            case 1 -> {
                disk.checkTransferLength(v.blocks(), v.lengthField());
                long length = v.blocks() * bs;
                long n = Math.min(length, task.dataOut().length());
                compare(task.dataOut().slice(0, n), offset, v.lba(), v.blocks(), 0);
                disk.lu().good(task, length);
            }
            default -> { // 11b: one block of Data-Out against every block of the range
                if (task.dataOut().length() < bs) {
                    throw new CheckCondition(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
                }
                compareRepeated(task.dataOut().slice(0, bs), offset, v.lba(), v.blocks());
                disk.lu().good(task, bs);
            }
        }
    }

    /** Reads the range back (BYTCHK 0): a medium error surfaces as it would for READ. */
    private void verifyMedium(long offset, long length, long lba, long blocks) {
        if (length == 0) {
            return;
        }
        SgList scratch = SgList.allocate(Math.min(length, SbcDisk.BULK_BYTES));
        RangeLock.Hold hold = disk.rangeLock().shared(lba, blocks);
        try {
            for (long done = 0; done < length; done += scratch.length()) {
                long n = Math.min(scratch.length(), length - done);
                disk.store().read(offset + done, scratch.slice(0, n));
            }
        } finally {
            disk.rangeLock().release(hold);
        }
    }

    /**
     * Compares every block of {@code [lba, lba + blocks)} with {@code block} a chunk of up to
     * {@link SbcDisk#BULK_BYTES} at a time: the block repeated to fill the chunk, one bulk compare per chunk.
     */
    private void compareRepeated(SgList block, long offset, long lba, long blocks) {
        int bs = (int) block.length();
        long length = blocks * bs;
        if (length == 0) {
            return;
        }
        long perChunk = Math.max(1, Math.min(blocks, SbcDisk.BULK_BYTES / bs));
        SgList pattern = SgList.allocate(perChunk * bs);
        for (long at = 0; at < pattern.length(); at += bs) {
            pattern.copyFrom(at, block);
        }
        SgList actual = SgList.allocate(pattern.length());
        for (long done = 0; done < blocks; done += perChunk) {
            long n = Math.min(perChunk, blocks - done);
            RangeLock.Hold hold = disk.rangeLock().shared(lba + done, n);
            try {
                disk.store().read(offset + done * bs, actual.slice(0, n * bs));
            } finally {
                disk.rangeLock().release(hold);
            }
            long at = actual.slice(0, n * bs).mismatch(pattern.slice(0, n * bs));
            if (at >= 0) {
                throw new CheckCondition(Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION)
                        .withInformation(done * bs + at));
            }
        }
    }

    /**
     * Compares {@code expected} with the medium at {@code offset}; MISCOMPARE DURING VERIFY OPERATION with the
     * INFORMATION field set to the offset of the first differing byte, counted from {@code base} (SBC-4 5.36).
     */
    private void compare(SgList expected, long offset, long lba, long blocks, long base) {
        if (expected.length() == 0) {
            return;
        }
        SgList actual = SgList.allocate(expected.length());
        RangeLock.Hold hold = disk.rangeLock().shared(lba, blocks);
        try {
            disk.store().read(offset, actual);
        } finally {
            disk.rangeLock().release(hold);
        }
        long at = actual.mismatch(expected);
        if (at >= 0) {
            throw new CheckCondition(Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION).withInformation(base + at));
        }
    }

    void writeAndVerify(ScsiTask task, SbcCommand.WriteAndVerify w) {
        disk.checkRange(w.lba(), w.blocks());
        disk.checkTransferLength(w.blocks(), w.lengthField());
        int bs = disk.blockLength();
        long length = w.blocks() * bs;
        long n = Math.min(length, task.dataOut().length());
        if (n > 0) {
            // Exclusive: the verification must see what this command wrote, not a concurrent writer's data.
            RangeLock.Hold hold = disk.rangeLock().exclusive(w.lba(), w.blocks());
            try {
                SgList data = task.dataOut().slice(0, n);
                disk.store().write(w.lba() * bs, data, true); // verified on the medium, not in a cache
                if (w.byteCheck() == 1) {
                    SgList back = SgList.allocate(n);
                    disk.store().read(w.lba() * bs, back);
                    long at = back.mismatch(data);
                    if (at >= 0) {
                        throw new CheckCondition(
                                Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION).withInformation(at));
                    }
                }
            } finally {
                disk.rangeLock().release(hold);
            }
        }
        disk.lu().good(task, length);
    }

    void orWrite(ScsiTask task, SbcCommand.OrWrite o) {
        disk.checkRange(o.lba(), o.blocks());
        disk.checkTransferLength(o.blocks(), 10);
        int bs = disk.blockLength();
        long length = o.blocks() * bs;
        int n = (int) Math.min(length, task.dataOut().length());
        if (n > 0) {
            byte[] mask = task.dataOut().toByteArray(0, n);
            byte[] data = new byte[n];
            RangeLock.Hold hold = disk.rangeLock().exclusive(o.lba(), o.blocks());
            try {
                BlockStore store = disk.store();
                store.read(o.lba() * bs, SgList.wrap(data));
                for (int i = 0; i < n; i++) {
                    data[i] |= mask[i];
                }
                store.write(o.lba() * bs, SgList.wrap(data), fua(o.fua()));
            } finally {
                disk.rangeLock().release(hold);
            }
        }
        disk.lu().good(task, length);
    }

    /**
     * WRITE ATOMIC (16): exclusive against every other command on the range, so no reader sees part of it and no
     * writer interleaves with it. With ATOMIC ALIGNMENT and GRANULARITY 0 any range up to the maximum qualifies.
     */
    void writeAtomic(ScsiTask task, SbcCommand.WriteAtomic w) {
        disk.checkRange(w.lba(), w.blocks());
        if (w.blocks() > disk.config().maxAtomicTransferBlocks()) {
            throw CheckCondition.invalidFieldInCdb(12, 7);
        }
        int bs = disk.blockLength();
        long length = w.blocks() * bs;
        long n = Math.min(length, task.dataOut().length());
        if (n > 0) {
            RangeLock.Hold hold = disk.rangeLock().exclusive(w.lba(), w.blocks());
            try {
                disk.store().write(w.lba() * bs, task.dataOut().slice(0, n), fua(w.fua()));
            } finally {
                disk.rangeLock().release(hold);
            }
        }
        disk.lu().good(task, length);
    }

    /**
     * COMPARE AND WRITE (SBC-4 5.3): under an exclusive hold on the range, compare the first half of the Data-Out
     * with the medium and, only if every byte matches, write the second half. A miscompare writes nothing and reports
     * MISCOMPARE with the INFORMATION field set to the offset of the first differing byte in the Data-Out buffer.
     */
    void compareAndWrite(ScsiTask task, SbcCommand.CompareAndWrite c) {
        disk.checkRange(c.lba(), c.blocks());
        if (c.blocks() > disk.config().maxCompareAndWriteBlocks()) {
            throw CheckCondition.invalidFieldInCdb(13, 7);
        }
        int bs = disk.blockLength();
        long half = (long) c.blocks() * bs;
        if (c.blocks() == 0) {
            // SBC-4 5.3: nothing compared, nothing written, not an error, unless Data-Out came with it: then the
            // NUMBER OF LOGICAL BLOCKS field is what disagrees with the command (an initiator asking for 256 blocks
            // of a one-byte field sends NLB 0 and 512 blocks of data).
            if (task.dataOut().length() != 0) {
                throw CheckCondition.invalidFieldInCdb(13, 7);
            }
            disk.lu().good(task, 0);
            return;
        }
        if (task.dataOut().length() != 2 * half) {
            throw new CheckCondition(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        }
        SgList verify = task.dataOut().slice(0, half);
        SgList write = task.dataOut().slice(half, half);
        RangeLock.Hold hold = disk.rangeLock().exclusive(c.lba(), c.blocks());
        try {
            // The store compares and writes: under this exclusive hold for a local store, at the backing for a
            // shared one (rbd), so that the command is atomic against every node. A miscompare comes back as the
            // MISCOMPARE outcome with the offset of the first differing byte, mapped to sense in StoreOutcomes.
            disk.store().compareAndWrite(c.lba() * bs, verify, write, fua(c.fua()));
        } finally {
            disk.rangeLock().release(hold);
        }
        disk.lu().good(task, 2 * half);
    }
}
