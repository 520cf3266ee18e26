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

    public BlockStoreException(StoreOutcome outcome, String message, Throwable cause) {
        super(message, cause, false, false);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
    }

    public BlockStoreException(StoreOutcome outcome, String message) {
        this(outcome, message, null);
    }

    public StoreOutcome outcome() {
        return outcome;
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
