/**
 * The virtual tape library: a medium changer, its tape drives and a pool of barcoded cartridges, with a lasting
 * inventory. {@link org.lunforge.device.vtl.VirtualTapeLibrary} implements the changer model that
 * {@link org.lunforge.device.changer.MediumChangerDevice} serves, and the operator operations the daemon's shell calls.
 *
 * <h2>Wiring (the daemon)</h2>
 * <pre>{@code
 * LibraryConfig config = ...;                              // mapped from the daemon's config
 * CartridgePool pool = adapter over the cartridge store in config.poolFolder();
 * List<DataTransferDevice> drives = adapters over the drives' logical units, in config.drives() order;
 * VirtualTapeLibrary library = VirtualTapeLibrary.open(config, drives, pool);
 * LogicalUnit changer = new LogicalUnit(name, config.changer().logicalUnitIdentity(), library.changerDevice(), store);
 * }</pre>
 *
 * <h2>What the adapters must do</h2>
 * <ul>
 * <li>{@link org.lunforge.device.vtl.DataTransferDevice} over one SSC drive logical unit:
 *     {@code identification()} returns the drive LU's INQUIRY vendor and product and its VPD 0x80 serial number;
 *     {@code loadedBarcode()} the cartridge the drive holds, also while unloaded by the initiator (REWIND UNLOAD,
 *     {@code mt offline}) and not yet taken out, null when empty; {@code isMediumRemovalPrevented()} the drive LU's
 *     PREVENT ALLOW MEDIUM REMOVAL state (prevented by any I_T nexus); {@code load(cartridge)} opens the cartridge
 *     from the store, makes the drive ready at BOP and raises NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED for
 *     the drive's nexuses, leaving the drive empty if it throws; {@code unload()} flushes and closes whatever the drive
 *     holds (rewinding and unloading it first if the initiator did not), makes the drive report MEDIUM NOT PRESENT, and
 *     returns the barcode, keeping the cartridge if it throws. None of them may call back into the library.</li>
 * <li>{@link org.lunforge.device.vtl.CartridgePool} over the cartridge store's pool folder: {@code exists},
 *     {@code find} (with its media type), {@code create} a blank cartridge durably, refusing an existing barcode with
 *     {@link java.nio.file.FileAlreadyExistsException}, and {@code list}.</li>
 * </ul>
 *
 * <h2>Element addresses</h2>
 * The standard layout ({@link org.lunforge.device.changer.ElementLayout#standard}): medium transport 0x0000,
 * import/export elements from 0x0010, drives from 0x0100, storage slots from 0x0400. mtx numbers drives from 0 in that
 * order and slots from 1, storage slots first, then the import/export slots.
 */
package org.lunforge.device.vtl;
