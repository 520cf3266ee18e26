package org.lunforge.backstore;

import java.util.Objects;
import org.lunforge.scsi.SgList;

/**
 * A read-only view of a store's own memory, lent to a reader instead of copied out ({@link BlockStore#lend}). The
 * view holds the bytes it held when lent until {@link #giveBack} runs, whatever is written meanwhile: writers copy
 * a lent chunk rather than change it.
 *
 * @param data the bytes, as segments of the store's memory; never written through
 * @param giveBack ends the loan; run exactly once, from any thread
 */
public record StoreLoan(SgList data, Runnable giveBack) {
    public StoreLoan {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(giveBack, "giveBack");
    }
}
