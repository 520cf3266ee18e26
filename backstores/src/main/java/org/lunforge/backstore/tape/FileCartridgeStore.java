package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.backstore.AtomicFileReplacement;

/**
 * A folder of cartridges, each named by its barcode: the cartridge store of one virtual tape library or stand-alone
 * drive. Creating a cartridge writes its header to an exclusively created temporary file, syncs it and links it to the
 * barcode's name ({@link AtomicFileReplacement#create}): a crash leaves either no cartridge or a whole empty one, and
 * the link is the one atomic claim of the barcode, so of two creators (threads, processes, or a creator and a link
 * planted at the name) exactly one wins and the other changes nothing. The {@code file} {@link CartridgeStore}
 * ({@link FileCartridgeStoreProvider}).
 */
public final class FileCartridgeStore implements CartridgeStore {
    static final String JOURNAL_SUFFIX = ".tape";

    private final Path folder;

    private FileCartridgeStore(Path folder) {
        this.folder = folder;
    }

    /** The pool in {@code folder}, which is created if missing. */
    public static FileCartridgeStore open(Path folder) throws IOException {
        Files.createDirectories(folder);
        return new FileCartridgeStore(folder);
    }

    public Path folder() {
        return folder;
    }

    /**
     * Creates an empty (blank) cartridge.
     *
     * @throws FileAlreadyExistsException if the barcode's journal name is taken (by a cartridge or anything else)
     */
    @Override
    public Cartridge create(CartridgeSpec spec) throws IOException {
        Path journal = folder.resolve(spec.barcode() + JOURNAL_SUFFIX);
        CartridgeHeader header = new CartridgeHeader(spec, System.currentTimeMillis());
        CartridgeAttributes attributes = CartridgeAttributes.initial(spec.barcode());
        Cartridge cartridge = new Cartridge(folder, header, attributes);
        try {
            AtomicFileReplacement.create(journal, header.encode());
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(journal.toString(), null, "cartridge " + spec.barcode() + " exists");
        }
        // The barcode is ours. The attributes come second: a crash before they are written leaves a cartridge whose
        // missing attribute file reads as these initial ones (see cartridge()), and a stale one of a deleted
        // namesake is replaced here.
        AtomicFileReplacement.replace(cartridge.attributesPath(), attributes.encode());
        return cartridge;
    }

    /** The cartridge with this barcode. */
    @Override
    public Cartridge cartridge(String barcode) throws IOException {
        VolumeTag.of(barcode);
        Path journal = folder.resolve(barcode + JOURNAL_SUFFIX);
        ByteBuffer head = ByteBuffer.allocate(CartridgeHeader.LENGTH);
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ)) {
            while (head.hasRemaining() && ch.read(head) >= 0) {
                // read the whole header
            }
        }
        CartridgeHeader header = CartridgeHeader.decode(head.flip(), journal.toString());
        if (!header.spec().barcode().equals(barcode)) {
            throw new IOException(journal + ": holds cartridge " + header.spec().barcode());
        }
        Path mam = folder.resolve(barcode + ".mam");
        CartridgeAttributes attributes;
        try {
            attributes = CartridgeAttributes.decode(
                    AtomicFileReplacement.read(mam, CartridgeAttributes.MAX_ENCODED_LENGTH), mam.toString());
        } catch (NoSuchFileException e) {
            attributes = CartridgeAttributes.initial(barcode);
        }
        return new Cartridge(folder, header, attributes);
    }

    @Override
    public boolean exists(String barcode) {
        return VolumeTag.isValid(barcode)
                && Files.exists(folder.resolve(barcode + JOURNAL_SUFFIX));
    }

    /** The barcodes of the pool's cartridges, sorted. */
    @Override
    public List<String> barcodes() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + JOURNAL_SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                String barcode = name.substring(0, name.length() - JOURNAL_SUFFIX.length());
                if (VolumeTag.isValid(barcode)) {
                    out.add(barcode);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Deletes a cartridge and its files; refused while a drive (of this process or another) has it loaded. */
    @Override
    public void delete(String barcode) throws IOException {
        cartridge(barcode).delete();
    }
}
