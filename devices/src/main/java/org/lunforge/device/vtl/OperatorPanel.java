package org.lunforge.device.vtl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.lunforge.backstore.tape.VolumeTag;
import org.lunforge.device.changer.ElementStatus;
import org.lunforge.device.changer.ElementType;
import org.lunforge.device.tape.TapeAlertFlag;
import org.lunforge.device.tape.TapeDrive;

/**
 * What an operator does at a library's panel with new cartridges, for the shell and the control socket alike: checks
 * a whole batch of barcodes before anything is made (each names a media type by {@link VolumeTag}'s rule, none twice,
 * none that exists), then leaves the blank cartridges on the shelf or enters them as a person does, through the first
 * empty import/export slot into the lowest free storage slots. Entering is two steps, {@link #planEntry} and
 * {@link #enter}, so that the caller can record the placements (in its configuration) between them and change nothing
 * if that fails.
 *
 * <p>The panel's other controls, as mhVTL's vtlcmd has them, for testing backup software's error paths: open and close
 * the mail slot, take the library offline and online, set a TapeAlert flag on a drive or make its next READ or WRITE
 * fail with a medium error; {@link #status} and {@link #driveStatus} say what is in force.
 */
public final class OperatorPanel {
    private final VirtualTapeLibrary library;

    public OperatorPanel(VirtualTapeLibrary library) {
        this.library = Objects.requireNonNull(library, "library");
    }

    /** A new cartridge and the storage slot it is to go to ({@code slotNumber} counts from 1). */
    public record Entry(String barcode, MediaType mediaType, int slotAddress, int slotNumber) {
        public Entry {
            Objects.requireNonNull(mediaType, "mediaType");
            VolumeTag.of(barcode);
            if (slotNumber < 1) {
                throw new IllegalArgumentException("slot number " + slotNumber);
            }
        }
    }

    /** New cartridges, their slots, the import/export element they pass through, and their capacity (0: default). */
    public record Plan(List<Entry> entries, int importExportAddress, long capacity) {
        public Plan {
            entries = List.copyOf(entries);
        }
    }

    /** The media types the barcodes name, in order; refuses the batch if one is not a new cartridge's barcode. */
    public List<MediaType> checkNew(List<String> barcodes) throws LibraryException {
        return checkNew(barcodes, 0);
    }

    /** {@link #checkNew(List)}, and the capacity fits every cartridge ({@link CartridgeCapacity}; 0: default). */
    public List<MediaType> checkNew(List<String> barcodes, long capacity) throws LibraryException {
        if (barcodes.isEmpty()) {
            throw new LibraryException("no barcodes to create");
        }
        Set<String> seen = new HashSet<>();
        Set<String> shelf = new HashSet<>();
        library.shelf().forEach(c -> shelf.add(c.barcode()));
        List<MediaType> types = new ArrayList<>();
        for (String barcode : barcodes) {
            MediaType type = MediaType.fromBarcode(barcode);
            if (type == null) {
                throw new LibraryException(barcode + ": not an LTO barcode (six letters or digits and the media"
                        + " identifier, e.g. LF0001L8; LF0001LY is LTO-8 WORM; CLN001CU a cleaning cartridge)");
            }
            if (!seen.add(barcode)) {
                throw new LibraryException(barcode + " is named twice");
            }
            boolean inLibrary = library.elementOf(barcode) >= 0;
            if (inLibrary || shelf.contains(barcode)) {
                throw new LibraryException("cartridge " + barcode + " exists ("
                        + (inLibrary ? "in the library" : "on the shelf") + "); nothing created");
            }
            String refusal = CartridgeCapacity.refusal(capacity, type);
            if (refusal != null) {
                throw new LibraryException(barcode + ": " + refusal + "; nothing created");
            }
            types.add(type);
        }
        return types;
    }

    /** Creates the blank cartridges on the shelf, once the whole batch passed {@link #checkNew}. */
    public List<Volume> createOnShelf(List<String> barcodes) throws LibraryException {
        return createOnShelf(barcodes, 0);
    }

    /** {@link #createOnShelf(List)} with a capacity for each ({@link CartridgeCapacity}; 0: the default). */
    public List<Volume> createOnShelf(List<String> barcodes, long capacity) throws LibraryException {
        List<MediaType> types = checkNew(barcodes, capacity);
        List<Volume> created = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            created.add(library.createCartridge(barcodes.get(i), types.get(i), capacity));
        }
        return created;
    }

    /**
     * Where new cartridges would go: the lowest empty storage slots whose numbers are not in {@code reservedSlots}
     * (slots promised to cartridges the caller knows of), through the first empty import/export slot. Changes nothing.
     */
    public Plan planEntry(List<String> barcodes, Set<Integer> reservedSlots) throws LibraryException {
        return planEntry(barcodes, reservedSlots, 0);
    }

    /** {@link #planEntry(List, Set)} for cartridges of {@code capacity} bytes (0: the default). */
    public Plan planEntry(List<String> barcodes, Set<Integer> reservedSlots, long capacity) throws LibraryException {
        List<MediaType> types = checkNew(barcodes, capacity);
        List<ElementStatus> free = new ArrayList<>();
        ElementStatus mail = null;
        for (ElementStatus e : library.elementStatus()) {
            if (e.volumeTag() != null) {
                continue;
            }
            if (e.type() == ElementType.STORAGE && !reservedSlots.contains(slotNumber(e))) {
                free.add(e);
            } else if (e.type() == ElementType.IMPORT_EXPORT && mail == null) {
                mail = e;
            }
        }
        free.sort((a, b) -> Integer.compare(a.address(), b.address()));
        String name = library.config().name();
        if (free.size() < types.size()) {
            throw new LibraryException(name + " has " + free.size() + " free storage slot(s), " + types.size()
                    + " cartridge(s) asked for; nothing created");
        }
        if (mail == null) {
            throw new LibraryException(name + " has no empty import/export slot to put cartridges in through;"
                    + " export what is there, or create them on the shelf (create ... shelf=true)");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            entries.add(new Entry(barcodes.get(i), types.get(i), free.get(i).address(), slotNumber(free.get(i))));
        }
        return new Plan(entries, mail.address(), capacity);
    }

    /** Creates each planned cartridge, puts it into the import/export slot and moves it to its storage slot. */
    public void enter(Plan plan) throws LibraryException {
        for (Entry e : plan.entries()) {
            library.createCartridge(e.barcode(), e.mediaType(), plan.capacity());
            library.importCartridge(e.barcode(), plan.importExportAddress());
            library.move(plan.importExportAddress(), e.slotAddress());
        }
    }

    /** What the panel shows of the library: online or not, the mail slot door open or not. */
    public record Status(boolean online, boolean mailSlotOpen, boolean importExportLocked) {
    }

    /**
     * What the panel shows of one drive: the TapeAlert flags set and not yet read (flag n as bit n-1), an injected
     * medium error waiting for a READ or WRITE, whether it asks to be cleaned, and how often it was cleaned.
     */
    public record DriveStatus(String drive, long tapeAlerts, boolean mediumErrorInjected, boolean cleaningRequired,
                              int cleanings) {
        /** The numbers of the flags set, ascending. */
        public List<Integer> tapeAlertFlags() {
            List<Integer> out = new ArrayList<>();
            for (int n = 1; n <= 64; n++) {
                if ((tapeAlerts >>> (n - 1) & 1) != 0) {
                    out.add(n);
                }
            }
            return out;
        }
    }

    public Status status() {
        return new Status(library.online(), library.mailSlotOpen(), library.importExportLocked());
    }

    public void openMailSlot() throws LibraryException {
        library.openMailSlot();
    }

    public void closeMailSlot() {
        library.closeMailSlot();
    }

    /** Takes the library offline or brings it online; false if it was so already. */
    public boolean setOnline(boolean online) {
        return library.setOnline(online);
    }

    /** Sets a TapeAlert flag on a drive: a number 1..64 or a name ({@link TapeAlertFlag#parse}). */
    public int injectTapeAlert(String drive, String flag) throws LibraryException {
        int n;
        try {
            n = TapeAlertFlag.parse(flag);
        } catch (IllegalArgumentException e) {
            throw new LibraryException(e.getMessage(), e);
        }
        tapeDrive(drive).injectTapeAlert(n);
        return n;
    }

    /** The drive's next READ or WRITE fails with MEDIUM ERROR ({@link TapeDrive#injectMediumError}). */
    public void injectMediumError(String drive) throws LibraryException {
        tapeDrive(drive).injectMediumError();
    }

    public DriveStatus driveStatus(String drive) throws LibraryException {
        TapeDrive d = tapeDrive(drive);
        return new DriveStatus(drive, d.tapeAlerts(), d.mediumErrorInjected(), d.cleaningRequired(), d.cleanings());
    }

    private TapeDrive tapeDrive(String name) throws LibraryException {
        if (library.drive(name) instanceof TapeDriveElement element) {
            return element.drive();
        }
        throw new LibraryException("drive " + name + " is not an SSC tape drive of this library");
    }

    private int slotNumber(ElementStatus e) {
        return e.address() - library.layout().range(e.type()).first() + 1;
    }
}
