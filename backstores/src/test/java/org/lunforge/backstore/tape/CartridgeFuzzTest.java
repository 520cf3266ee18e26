package org.lunforge.backstore.tape;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.zip.CRC32C;
import java.util.stream.Stream;
import org.lunforge.scsi.SgList;

/**
 * Fuzz target: the cartridge readers, on a cartridge whose files were damaged: the journal's header
 * ({@link CartridgeHeader}) and records (the recovery scan, then reading every object), the checkpoint
 * ({@link TapeIndex}) and the medium auxiliary memory ({@link CartridgeAttributes}). The first input byte picks the
 * file (bits 0-1: 0 the journal's records after an intact header, 1 the checkpoint, 2 the attributes, 3 the whole
 * journal) and, with bit 2, has the target rewrite each record trailer's CRC and length so that damage behind a valid
 * CRC reaches the readers. Opening, loading and reading either work or throw IOException; nothing else. Blocks are
 * read as the drive reads them: an encrypted one (a flag a damaged header may set) through its stored payload.
 */
class CartridgeFuzzTest {
    private static final String BARCODE = "LF0001L8";
    /** Loading syncs the cartridge's files: on tmpfs a sync costs nothing, on a disk it is most of the run. */
    private static final Path SCRATCH = Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm")
            : Path.of(System.getProperty("java.io.tmpdir"));
    private static final byte[][] TEMPLATE = template();

    /** A cartridge with three blocks (one compressed), a filemark and one more block, synced: the undamaged files. */
    private static byte[][] template() {
        try {
            Path dir = Files.createTempDirectory(SCRATCH, "cartridge-fuzz-template");
            FileCartridgeStore pool = FileCartridgeStore.open(dir);
            Cartridge c = pool.create(CartridgeSpec.ofBarcode(BARCODE));
            try (TapeMedium m = c.load(1, 1)) {
                m.writeBlock(SgList.wrap(TapeMediumTest.block(100, 1, false)), false);
                m.writeBlock(SgList.wrap(TapeMediumTest.block(3000, 2, true)), true);
                m.writeBlock(SgList.wrap(TapeMediumTest.block(10, 3, false)), false);
                m.writeFilemark();
                m.writeBlock(SgList.wrap(TapeMediumTest.block(600, 4, false)), false);
                m.sync();
            }
            byte[][] files = {read(c.journalPath()), read(c.checkpointPath()), read(c.attributesPath())};
            delete(dir);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cartridge(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int file = input[0] & 3;
        byte[] content = Arrays.copyOfRange(input, 1, input.length);
        byte[][] files = TEMPLATE.clone();
        switch (file) {
            case 0 -> {
                byte[] journal = Arrays.copyOf(TEMPLATE[0], CartridgeHeader.LENGTH + content.length);
                System.arraycopy(content, 0, journal, CartridgeHeader.LENGTH, content.length);
                files[0] = journal;
                files[1] = null; // the journal changed under it: the checkpoint would only be refused
            }
            case 3 -> files[0] = content;
            default -> files[file] = content;
        }
        if ((input[0] & 4) != 0 && files[0].length >= CartridgeHeader.LENGTH) {
            fixTrailers(files[0]);
        }
        Path dir = Files.createTempDirectory(SCRATCH, "cartridge-fuzz");
        try {
            FileCartridgeStore pool = FileCartridgeStore.open(dir);
            write(dir.resolve(BARCODE + ".tape"), files[0]);
            write(dir.resolve(BARCODE + ".idx"), files[1]);
            write(dir.resolve(BARCODE + ".mam"), files[2]);
            readEverything(pool);
        } finally {
            delete(dir);
        }
    }

    private static void readEverything(FileCartridgeStore pool) {
        try {
            Cartridge c = pool.cartridge(BARCODE);
            c.attributes().hostAttributes();
            try (TapeMedium m = c.load()) {
                byte[] buffer = new byte[64 << 10];
                for (TapeMedium.TapeObject o = m.peek(); o != null; o = m.peek()) {
                    if (o.kind() == TapeMedium.Kind.FILEMARK) {
                        m.skip();
                    } else if (o.encrypted()) {
                        // As the drive does (TapeDataEncryption): an encrypted block is never read without its key;
                        // its verified payload is what a raw read returns.
                        m.storedPayload();
                        m.skip();
                    } else {
                        m.read(SgList.wrap(buffer), buffer.length);
                    }
                }
                long eod = m.endOfData();
                m.locate(eod / 2);
                if (m.position() > 0) {
                    m.stepBack();
                }
                m.rewind();
            }
        } catch (IOException rejected) {
            // the documented answer to a damaged cartridge
        }
    }

    /** Writes each record's CRC32C and length into its trailer, walking the records as the journal lays them out. */
    private static void fixTrailers(byte[] journal) {
        ByteBuffer b = ByteBuffer.wrap(journal);
        int at = CartridgeHeader.LENGTH;
        CRC32C crc = new CRC32C();
        while (journal.length - at >= TapeMedium.OVERHEAD) {
            int stored = b.getInt(at + 8);
            if (stored < 0 || stored > journal.length - at - TapeMedium.OVERHEAD) {
                return;
            }
            crc.reset();
            crc.update(journal, at, TapeMedium.HEADER + stored);
            b.putInt(at + TapeMedium.HEADER + stored, (int) crc.getValue());
            b.putInt(at + TapeMedium.HEADER + stored + 4, TapeMedium.OVERHEAD + stored);
            at += TapeMedium.OVERHEAD + stored;
        }
    }

    private static byte[] read(Path p) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void write(Path p, byte[] content) throws IOException {
        if (content != null) {
            Files.write(p, content);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes the seed corpus from the template (-Dlunforge.writeSeeds=true, by hand when the format changes). */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "lunforge.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path seeds = Path.of("src/test/resources/org/lunforge/backstore/tape/CartridgeFuzzTestInputs/cartridge");
        Files.createDirectories(seeds);
        byte[] records = Arrays.copyOfRange(TEMPLATE[0], CartridgeHeader.LENGTH, TEMPLATE[0].length);
        Files.write(seeds.resolve("records"), prefixed(0, records));
        Files.write(seeds.resolve("records-fixed-crc"), prefixed(4, records));
        if (TEMPLATE[1] != null) {
            Files.write(seeds.resolve("checkpoint"), prefixed(1, TEMPLATE[1]));
        }
        Files.write(seeds.resolve("attributes"), prefixed(2, TEMPLATE[2]));
        Files.write(seeds.resolve("whole-journal"), prefixed(3, TEMPLATE[0]));
    }

    private static byte[] prefixed(int mode, byte[] content) {
        byte[] out = new byte[content.length + 1];
        out[0] = (byte) mode;
        System.arraycopy(content, 0, out, 1, content.length);
        return out;
    }
}
