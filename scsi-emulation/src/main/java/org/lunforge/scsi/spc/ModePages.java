package org.lunforge.scsi.spc;

import static java.lang.System.Logger.Level.WARNING;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.SenseCode;

/**
 * The mode pages of one logical unit (SPC-4 7.5) with their current and saved values, shared by every I_T nexus
 * (SPC-4 allows one set per logical unit). The pages are the shared ones (control, informational exceptions) and the
 * device's; a device page with the same code and subpage replaces a shared one.
 *
 * <p>Invariants: a page's current and saved values are immutable arrays, replaced whole, so MODE SENSE reads them
 * without a lock; they differ from the defaults only in bits of the changeable mask. MODE SELECT and reset replace
 * them under {@code lock}. Saved values survive a restart through the logical unit's {@code StateStore}; after a
 * restart or a logical unit reset the current values are the saved ones, or the defaults where none were saved.
 */
public final class ModePages {
    static final String STORE_KEY = "mode-pages";
    private static final System.Logger LOG = System.getLogger(ModePages.class.getName());
    private static final int STORE_VERSION = 1;

    private final LogicalUnit lu;
    private final Page[] pages;
    private final boolean anySavable;
    private final Object lock = new Object();
    /** Control page D_SENSE and SWP of the current values, kept apart for the hot paths that read them. */
    private volatile boolean descriptorSense;
    private volatile boolean softwareWriteProtect;
    /** Counts changes of current values: MODE SELECT compares it to learn whether to tell the other nexuses. */
    private volatile long changes;

    static final class Page {
        final ModePageDefinition definition;
        final byte[] defaults;
        final byte[] changeable;
        volatile byte[] current;
        /** Null until saved. */
        volatile byte[] saved;

        Page(ModePageDefinition d) {
            this.definition = d;
            this.defaults = d.defaults();
            this.changeable = d.changeable();
            this.current = defaults;
        }

        int code() {
            return definition.pageCode();
        }

        int subpage() {
            return definition.subpageCode();
        }

        int headerLength() {
            return subpage() == 0 ? 2 : 4;
        }
    }

    /** Builds the pages and restores the saved values; the device is told about every page not at its defaults. */
    ModePages(LogicalUnit lu) {
        this.lu = lu;
        Map<Integer, ModePageDefinition> byKey = new LinkedHashMap<>();
        byKey.put(SharedModePages.CONTROL << 8, SharedModePages.control(lu.device().deviceType()));
        byKey.put(SharedModePages.INFORMATIONAL_EXCEPTIONS_CONTROL << 8, SharedModePages.informationalExceptions());
        for (ModePageDefinition d : lu.device().modePages()) {
            byKey.put(d.pageCode() << 8 | d.subpageCode(), d);
        }
        List<Page> list = new ArrayList<>();
        for (ModePageDefinition d : byKey.values()) {
            list.add(new Page(d));
        }
        list.sort(Comparator.comparingInt(Page::code).thenComparingInt(Page::subpage));
        this.pages = list.toArray(Page[]::new);
        this.anySavable = list.stream().anyMatch(p -> p.definition.savable());
        restoreSaved();
        for (Page p : pages) {
            if (!Arrays.equals(p.current, p.defaults)) {
                lu.device().modePageChanged(p.definition, p.current.clone());
            }
        }
        updateFlags();
    }

    /** A counter of current value changes (MODE SELECT, reset), for telling whether a command changed anything. */
    long changes() {
        return changes;
    }

    public boolean descriptorSense() {
        return descriptorSense;
    }

    public boolean softwareWriteProtect() {
        return softwareWriteProtect;
    }

    /** The current values of a page (header included), or null if the logical unit has no such page. */
    public byte[] current(int pageCode, int subpageCode) {
        Page p = find(pageCode, subpageCode);
        return p == null ? null : p.current.clone();
    }

    List<Page> pages() {
        return List.of(pages);
    }

    boolean anySavable() {
        return anySavable;
    }

    Page find(int pageCode, int subpageCode) {
        for (Page p : pages) {
            if (p.code() == pageCode && p.subpage() == subpageCode) {
                return p;
            }
        }
        return null;
    }

    boolean hasPageCode(int pageCode) {
        for (Page p : pages) {
            if (p.code() == pageCode) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies validated page values (MODE SELECT): each changed page is offered to the device, which may refuse it,
     * then published. With {@code save}, every savable page's current values become its saved values. Returns true if
     * any current value changed.
     */
    boolean apply(List<Map.Entry<Page, byte[]>> proposed, boolean save) {
        boolean changed = false;
        synchronized (lock) {
            try {
                for (Map.Entry<Page, byte[]> e : proposed) {
                    Page p = e.getKey();
                    byte[] values = e.getValue();
                    if (!Arrays.equals(p.current, values)) {
                        lu.device().modePageChanged(p.definition, values.clone());
                        p.current = values;
                        changes++;
                        changed = true;
                    }
                }
            } finally {
                updateFlags();
            }
            if (save) {
                for (Page p : pages) {
                    if (p.definition.savable()) {
                        p.saved = p.current;
                    }
                }
                persist();
            }
        }
        return changed;
    }

    /** Logical unit reset (SAM-5 6.3.3): the current values return to the saved ones, or to the defaults. */
    void reset() {
        synchronized (lock) {
            for (Page p : pages) {
                byte[] target = p.saved != null ? p.saved : p.defaults;
                if (!Arrays.equals(p.current, target)) {
                    p.current = target;
                    changes++;
                    lu.device().modePageChanged(p.definition, target.clone());
                }
            }
            updateFlags();
        }
    }

    private void updateFlags() {
        Page control = find(SharedModePages.CONTROL, 0);
        byte[] c = control == null ? null : control.current;
        descriptorSense = c != null && c.length > SharedModePages.D_SENSE_BYTE
                && (c[SharedModePages.D_SENSE_BYTE] & SharedModePages.D_SENSE_MASK) != 0;
        softwareWriteProtect = c != null && c.length > SharedModePages.SWP_BYTE
                && (c[SharedModePages.SWP_BYTE] & SharedModePages.SWP_MASK) != 0;
    }

    private void persist() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            List<Page> saved = Arrays.stream(pages).filter(p -> p.saved != null).toList();
            out.writeInt(STORE_VERSION);
            out.writeInt(saved.size());
            for (Page p : saved) {
                out.writeByte(p.code());
                out.writeByte(p.subpage());
                out.writeShort(p.saved.length);
                out.write(p.saved);
            }
            out.flush();
            lu.stateStore().save(STORE_KEY, bytes.toByteArray());
        } catch (IOException e) {
            LOG.log(WARNING, () -> lu.name() + ": saving mode pages failed", e);
            throw new CheckCondition(SenseCode.INTERNAL_TARGET_FAILURE);
        }
    }

    /**
     * Restores saved values. A saved page that no longer fits its definition (another length, or bits outside the
     * changeable mask that differ from the defaults, e.g. after an upgrade) is dropped with a warning.
     */
    private void restoreSaved() {
        byte[] stored;
        try {
            stored = lu.stateStore().load(STORE_KEY);
        } catch (IOException e) {
            LOG.log(WARNING, () -> lu.name() + ": loading saved mode pages failed; using defaults", e);
            return;
        }
        if (stored == null) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            if (in.readInt() != STORE_VERSION) {
                LOG.log(WARNING, () -> lu.name() + ": saved mode pages in an unknown format; using defaults");
                return;
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                int code = in.readUnsignedByte();
                int sub = in.readUnsignedByte();
                byte[] values = new byte[in.readUnsignedShort()];
                in.readFully(values);
                Page p = find(code, sub);
                if (p == null || !p.definition.savable() || !fits(p, values)) {
                    LOG.log(WARNING, () -> "%s: saved mode page 0x%02x/0x%02x does not fit; dropped"
                            .formatted(lu.name(), code, sub));
                    continue;
                }
                p.saved = values;
                p.current = values;
            }
        } catch (IOException e) {
            LOG.log(WARNING, () -> lu.name() + ": saved mode pages unreadable; using defaults", e);
        }
    }

    private static boolean fits(Page p, byte[] values) {
        if (values.length != p.defaults.length) {
            return false;
        }
        for (int i = p.headerLength(); i < values.length; i++) {
            if (((values[i] ^ p.defaults[i]) & ~p.changeable[i]) != 0) {
                return false;
            }
        }
        return true;
    }
}
