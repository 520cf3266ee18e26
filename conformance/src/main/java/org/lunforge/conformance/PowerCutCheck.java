package org.lunforge.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.FileBlockStore;
import org.lunforge.backstore.tape.FileCartridgeStore;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.SgList;

/**
 * The power-cut scenario's judge ({@code conformance/lab/scenarios/power-cut.sh}): for each point of the dm-log-writes
 * log where the power could have gone (a mark, a flush, a FUA write), the scenario replayed the log up to it, let the
 * kernel mount the file system (recovering its journal), and copied lunforge's store folder out. This opens that copy
 * with lunforge's own store code, as the daemon would on its next start, and checks it against what was acknowledged:
 * <ul>
 * <li>the file backstore opens, has its size once any write to it was acknowledged, holds every write acknowledged as
 *     durable before the point, and none issued after it;</li>
 * <li>each cartridge of the pool exists (from mark 1, the daemon's start, on) and loads, which verifies and recovers
 *     its journal; what it holds is a prefix of what was written to it, at least every block and filemark made
 *     durable before the point, and nothing issued after it.</li>
 * </ul>
 * A point lies after mark {@code pc:K:...} (its ordinal K, 0 before the first) and, if it is that mark, "at" it. A
 * write with ordinal n must be there at every point with K &gt;= n, and must not be there at a point with
 * K &lt; n - 1, nor at mark n - 1 itself (it was issued after that mark).
 *
 * <p>{@code PowerCutCheck EXPECTATIONS DISK_FILE:SIZE POOL_FOLDER BARCODE[,BARCODE...] POINT_FOLDER...}, the file and
 * pool relative to each point's {@code store/} copy. A point folder holds {@code point} (properties {@code entry},
 * {@code kind}, {@code mark}, {@code last_mark}, as {@code conformance/lab/guest/power_cut_points.py} writes them) and
 * {@code store/}. Prints a line per
 * point and {@code N points, N failed}; exit status 1 if any failed.
 */
public final class PowerCutCheck {
    private static final Pattern ORDINAL_MARK = Pattern.compile("pc:(\\d+):.*");

    /** Where the store lives under a point's copy, and what it is made of. */
    public record Layout(String diskFile, long diskSize, String pool, List<String> barcodes) {
        public Layout {
            barcodes = List.copyOf(barcodes);
        }
    }

    /**
     * One place the power could have gone.
     *
     * @param ordinal the ordinal of the latest {@code pc:} mark at or before it, 0 if none
     * @param atMark true if the point is that mark itself
     */
    public record Point(String name, int ordinal, boolean atMark, Path store) {
        public static Point read(Path folder) throws IOException {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(folder.resolve("point"))) {
                p.load(in);
            }
            String lastMark = p.getProperty("last_mark", "");
            Matcher m = ORDINAL_MARK.matcher(lastMark);
            int ordinal = m.matches() ? Integer.parseInt(m.group(1)) : 0;
            boolean atMark = m.matches() && lastMark.equals(p.getProperty("mark"));
            String mark = p.getProperty("mark", "");
            String name = "entry " + p.getProperty("entry", "?") + " (" + p.getProperty("kind", "?")
                    + (atMark ? " " + lastMark : (mark.isEmpty() ? "" : " " + mark)
                            + (lastMark.isEmpty() ? "" : " after " + lastMark)) + ")";
            return new Point(name, ordinal, atMark, folder.resolve("store"));
        }

        /** True if what was written under {@code ordinal} must be there. */
        boolean durable(int writeOrdinal) {
            return writeOrdinal <= ordinal;
        }

        /** True if what was written under {@code ordinal} was issued after this point, so cannot be there. */
        boolean notYetIssued(int writeOrdinal) {
            return writeOrdinal >= ordinal + (atMark ? 1 : 2);
        }
    }

    private PowerCutCheck() {
    }

    /** What is wrong with the store at this point (empty if nothing), and a summary line appended to {@code seen}. */
    public static List<String> check(Point point, Layout layout, PowerCutExpectations expected, StringBuilder seen)
            throws IOException {
        List<String> failures = new ArrayList<>();
        checkDisk(point, layout, expected.disk(), failures, seen);
        for (String barcode : layout.barcodes()) {
            checkCartridge(point, layout, barcode, expected.tape().getOrDefault(barcode, List.of()), failures, seen);
        }
        return failures;
    }

    private static void checkDisk(Point point, Layout layout, List<PowerCutExpectations.DiskWrite> writes,
                                  List<String> failures, StringBuilder seen) {
        Path file = point.store().resolve(layout.diskFile());
        boolean mustExist = writes.stream().anyMatch(w -> point.durable(w.ordinal()));
        if (!Files.isRegularFile(file)) {
            if (mustExist) {
                failures.add("the disk file " + layout.diskFile() + " is missing, though writes to it were"
                        + " acknowledged as durable");
            }
            seen.append("disk: no file; ");
            return;
        }
        try (FileBlockStore store = FileBlockStore.open(file, 0, true)) {
            if (mustExist && store.size() != layout.diskSize()) {
                failures.add("the disk file holds " + store.size() + " bytes, not " + layout.diskSize());
            }
            int durable = 0;
            int present = 0;
            for (PowerCutExpectations.DiskWrite w : writes) {
                boolean there = w.offset() + w.length() <= store.size()
                        && Arrays.equals(w.sha256(), sha256(read(store, w.offset(), w.length())));
                present += there ? 1 : 0;
                if (point.durable(w.ordinal())) {
                    durable++;
                    if (!there) {
                        failures.add("disk bytes " + w.offset() + "+" + w.length() + ", acknowledged as durable"
                                + " before mark " + w.ordinal() + ", are not there");
                    }
                } else if (there && point.notYetIssued(w.ordinal())) {
                    failures.add("disk bytes " + w.offset() + "+" + w.length() + " are there, though written only"
                            + " after mark " + (w.ordinal() - 1) + " (the replay is not a prefix of the log)");
                }
            }
            seen.append("disk: %d of %d writes there, %d acknowledged; ".formatted(present, writes.size(), durable));
        } catch (BlockStoreException | IOException e) {
            failures.add("the disk file does not open or read: " + e);
        }
    }

    private static void checkCartridge(Point point, Layout layout, String barcode,
                                       List<PowerCutExpectations.TapeObject> written, List<String> failures,
                                       StringBuilder seen) throws IOException {
        Path folder = point.store().resolve(layout.pool());
        if (!Files.isRegularFile(folder.resolve(barcode + ".tape"))) {
            if (point.ordinal() >= 1) {
                failures.add(barcode + " is missing from the pool after the daemon had started");
            }
            seen.append(barcode).append(": none; ");
            return;
        }
        int durable = (int) written.stream().filter(o -> point.durable(o.ordinal())).count();
        int issued = (int) written.stream().filter(o -> !point.notYetIssued(o.ordinal())).count();
        TapeMedium medium;
        try {
            medium = FileCartridgeStore.open(folder).cartridge(barcode).load();
        } catch (IOException | RuntimeException e) {
            failures.add(barcode + " does not load: " + e);
            return;
        }
        try (medium) {
            long objects = medium.endOfData();
            int filemarks = medium.filemarkCount();
            for (int i = 0; i < objects; i++) {
                if (i >= written.size()) {
                    failures.add(barcode + " holds " + objects + " objects, more than the " + written.size()
                            + " written to it");
                    break;
                }
                PowerCutExpectations.TapeObject want = written.get(i);
                TapeMedium.TapeObject have = medium.peek();
                if ((have.kind() == TapeMedium.Kind.FILEMARK) != want.filemark()) {
                    failures.add(barcode + ": object " + i + " is a " + have.kind() + ", " + want + " was written");
                    break;
                }
                if (want.filemark()) {
                    medium.skip();
                    continue;
                }
                SgList block = SgList.allocate(have.length());
                int length = medium.read(block, have.length());
                if (length != want.length() || !Arrays.equals(want.sha256(), sha256(block.toByteArray()))) {
                    failures.add(barcode + ": block " + i + " (" + length + " bytes) differs from " + want
                            + " that was written there");
                    break;
                }
            }
            if (objects < durable) {
                failures.add(barcode + " holds " + objects + " objects (" + filemarks + " filemarks), but the first "
                        + durable + " were acknowledged as durable");
            }
            if (objects > issued) {
                failures.add(barcode + " holds " + objects + " objects, though only " + issued + " were written"
                        + " before this point (the replay is not a prefix of the log)");
            }
            seen.append("%s: %d objects (%d filemarks), %d acknowledged; ".formatted(barcode, objects, filemarks,
                    durable));
        } catch (IOException | RuntimeException e) {
            failures.add(barcode + " loads but does not read back: " + e);
        }
    }

    private static byte[] read(FileBlockStore store, long offset, int length) {
        SgList buffer = SgList.allocate(length);
        store.read(offset, buffer);
        return buffer.toByteArray();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 5 || !args[1].contains(":")) {
            System.err.println("usage: PowerCutCheck EXPECTATIONS DISK_FILE:SIZE POOL BARCODE[,BARCODE...]"
                    + " POINT_FOLDER...");
            System.exit(2);
        }
        PowerCutExpectations expected = PowerCutExpectations.load(Path.of(args[0]));
        int colon = args[1].lastIndexOf(':');
        Layout layout = new Layout(args[1].substring(0, colon), Long.parseLong(args[1].substring(colon + 1)), args[2],
                List.of(args[3].split(",")));
        int failed = 0;
        for (int i = 4; i < args.length; i++) {
            Point point = Point.read(Path.of(args[i]));
            StringBuilder seen = new StringBuilder();
            List<String> failures = check(point, layout, expected, seen);
            if (failures.isEmpty()) {
                System.out.println("PASS " + point.name() + ": " + seen.toString().strip());
            } else {
                failed++;
                System.out.println("FAIL " + point.name() + ": " + String.join("; ", failures));
            }
        }
        System.out.println((args.length - 4) + " points, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
