package org.lunforge.backstore;

import java.io.IOException;
import java.util.Objects;

/**
 * A block store operation failed with an abstract {@link StoreOutcome}. Unchecked so that I/O callouts compose with
 * lambdas and executors; carries no stack trace of its own (it is an answer a device maps to sense, not a bug), but
 * keeps the underlying cause for the log.
 */
public final class BlockStoreException extends RuntimeException {
    private final StoreOutcome outcome;
    private final long miscompareOffset;

    public BlockStoreException(StoreOutcome outcome, String message, Throwable cause) {
        this(outcome, message, cause, -1);
    }

    private BlockStoreException(StoreOutcome outcome, String message, Throwable cause, long miscompareOffset) {
        super(message, cause, false, false);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.miscompareOffset = miscompareOffset;
    }

    /**
     * A COMPARE AND WRITE miscompare: {@code offset} is the first differing byte counted from the start of the data
     * compared (what the INFORMATION field reports, SBC-4 5.3), or -1 if the store cannot say.
     */
    public static BlockStoreException miscompare(long offset) {
        return new BlockStoreException(StoreOutcome.MISCOMPARE,
                offset < 0 ? "miscompare" : "miscompare at byte " + offset, null, Math.max(-1, offset));
    }

    public BlockStoreException(StoreOutcome outcome, String message) {
        this(outcome, message, null);
    }

    public StoreOutcome outcome() {
        return outcome;
    }

    /** For {@link StoreOutcome#MISCOMPARE}: the offset of the first differing byte, or -1 if unknown. */
    public long miscompareOffset() {
        return miscompareOffset;
    }

    /** Classifies an I/O failure: ENOSPC/EDQUOT become NO_SPACE, anything else the given outcome. */
    public static BlockStoreException of(IOException e, StoreOutcome otherwise) {
        String m = String.valueOf(e.getMessage());
        boolean noSpace = m.contains("No space left") || m.contains("Disk quota exceeded");
        return new BlockStoreException(noSpace ? StoreOutcome.NO_SPACE : otherwise, m, e);
    }

    @Override
    public String toString() {
        return "BlockStoreException[" + outcome + ": " + getMessage() + "]";
    }
}
