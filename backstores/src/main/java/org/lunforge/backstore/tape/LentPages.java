package org.lunforge.backstore.tape;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.scsi.SgList;

/**
 * Records lent straight from a cartridge file's pages ({@link FileRecordJournal#lend}): read-only mappings of the
 * file in windows of up to {@link #WINDOW} bytes, and the count of loans out per file.
 *
 * <p>What makes a loan safe is one rule: while any loan of a file is out, nothing cuts that file. Every truncation of
 * a journal, by whichever drive has the cartridge loaded now, first waits for the file's loans ({@link #awaitNone}).
 * So a lent page never lies past the file's end (touching it there would be SIGBUS) and never gets new bytes: a
 * journal writes only at its end, which lies after every record it lent unless it was cut. A window is unmapped once
 * it is retired (the journal moved on, was cut or closed) and its last loan came back.
 *
 * <p>Threads: {@link #lend}, {@link #retire} and {@link #awaitNone} on the drive's thread; a loan's give-back from any.
 */
final class LentPages {
    /** The most a window maps at once: one mapping serves the loans of a stream for this many bytes. */
    static final long WINDOW = 64L << 20;
    /** Windows start on this boundary, so that a stream's windows follow each other. */
    private static final long ALIGN = 2L << 20;
    /**
     * Loans out per cartridge file, shared by every journal of it (a cartridge unloaded with loans out and loaded
     * again): one counter per file a journal has opened (a few bytes each), looked up when a journal opens, never per
     * loan. Its monitor is taken only to wait for it to reach zero and to say that it did.
     */
    private static final ConcurrentMap<Path, AtomicInteger> OUT = new ConcurrentHashMap<>();

    private final AtomicInteger out;
    private final FileChannel channel;
    private Window window;

    LentPages(Path file, FileChannel channel) {
        this.out = OUT.computeIfAbsent(file, f -> new AtomicInteger());
        this.channel = channel;
    }

    /**
     * One mapping, unmapped when its last reference goes: one for each loan of it out, and one for being the current
     * window until {@link LentPages#retire}. A loan is taken only from the current window, so the count is above zero whenever
     * one is taken; no lock per loan.
     */
    private static final class Window {
        final long start;
        final MemorySegment pages;
        private final Arena arena;
        private final AtomicInteger references = new AtomicInteger(1);

        Window(long start, MemorySegment pages, Arena arena) {
            this.start = start;
            this.pages = pages;
            this.arena = arena;
        }

        boolean covers(long at, long length) {
            return at >= start && at + length <= start + pages.byteSize();
        }

        void take() {
            references.incrementAndGet();
        }

        /** A loan came back, or (once) the window was retired: the last of them unmaps it. */
        void release() {
            if (references.decrementAndGet() == 0) {
                arena.close();
            }
        }
    }

    /**
     * Lends {@code length} bytes at file offset {@code at}, all of them below {@code end} (the journal's end, which the
     * file reaches): a read-only view of the pages, valid until the loan is given back (exactly once, any thread).
     */
    StoreLoan lend(long at, long length, long end) throws IOException {
        if (at < 0 || length <= 0 || at + length > end) {
            throw new IllegalArgumentException("lend " + length + " bytes at " + at + " of a journal ending at " + end);
        }
        Window w = window;
        if (w == null || !w.covers(at, length)) {
            retire();
            long start = at & -ALIGN;
            long size = Math.max(Math.min(WINDOW, end - start), at + length - start);
            Arena arena = Arena.ofShared();
            try {
                w = new Window(start, channel.map(FileChannel.MapMode.READ_ONLY, start, size, arena), arena);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
            window = w;
        }
        Window lent = w;
        lent.take();
        out.incrementAndGet();
        AtomicInteger fileLoans = out;
        AtomicBoolean given = new AtomicBoolean();
        Runnable giveBack = () -> {
            if (given.compareAndSet(false, true)) {
                lent.release();
                if (fileLoans.decrementAndGet() == 0) {
                    synchronized (fileLoans) {
                        fileLoans.notifyAll();
                    }
                }
            }
        };
        return new StoreLoan(SgList.of(lent.pages.asSlice(at - lent.start, length).asReadOnly()), giveBack);
    }

    /** The current window is used no more: unmapped now, or when its last loan comes back. */
    void retire() {
        if (window != null) {
            window.release();
            window = null;
        }
    }

    /**
     * Waits until no loan of {@code file} is out, at most {@code patience}: what comes before cutting it. A host that
     * does not take the Data-In it was lent for that long makes the cut fail, rather than the file shrink under it.
     */
    static void awaitNone(Path file, Duration patience) throws IOException {
        AtomicInteger loans = OUT.get(file);
        if (loans == null || loans.get() == 0) {
            return;
        }
        long deadline = System.nanoTime() + patience.toNanos();
        // A give-back that reaches zero notifies under this monitor, so the check and the wait miss none.
        synchronized (loans) {
            while (loans.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(file.getFileName() + ": " + loans.get() + " block(s) read from it were"
                            + " not yet sent to their host after " + patience.toSeconds() + " s; not cut");
                }
                try {
                    loans.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(file.getFileName() + ": interrupted waiting for lent blocks", e);
                }
            }
        }
    }

    /** How many loans of {@code file} are out (tests). */
    static int out(Path file) {
        AtomicInteger loans = OUT.get(file);
        return loans == null ? 0 : loans.get();
    }
}
