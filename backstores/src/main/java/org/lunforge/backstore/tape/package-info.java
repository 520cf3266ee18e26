/**
 * The cartridge stores of the tape drive, behind one interface, {@link org.lunforge.backstore.tape.CartridgeStore},
 * opened by a {@link org.lunforge.backstore.tape.CartridgeStoreProvider} found with ServiceLoader
 * ({@link org.lunforge.backstore.tape.CartridgeStores}), as block stores are. Barcodes are
 * {@link org.lunforge.backstore.tape.VolumeTag}s. The one store today, {@code file}: a
 * {@link org.lunforge.backstore.tape.FileCartridgeStore} is a folder of
 * cartridges named by barcode; a {@link org.lunforge.backstore.tape.Cartridge} is loaded in one drive at a time as a
 * {@link org.lunforge.backstore.tape.TapeMedium}, an append-only journal of blocks and filemarks with the crash rule
 * and on-disk format described there.
 *
 * <p>Files of cartridge {@code B} in the pool folder:
 * <ul>
 * <li>{@code B.tape}: a 4 KiB header (what the cartridge is, immutable) and the record journal;</li>
 * <li>{@code B.idx}: a checkpoint of the sparse index for a synced prefix of the journal (optional; rebuilt by a
 *     scan);</li>
 * <li>{@code B.mam}: the medium auxiliary memory that survives loads (host attributes, load count, write protect),
 *     replaced atomically.</li>
 * </ul>
 */
package org.lunforge.backstore.tape;
