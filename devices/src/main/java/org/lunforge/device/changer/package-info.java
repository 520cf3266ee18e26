/**
 * The SMC-3 medium changer: the command table ({@link org.lunforge.device.changer.SmcOperation}), decoded commands
 * ({@link org.lunforge.device.changer.SmcCommand}), the READ ELEMENT STATUS encoding and the changer mode pages, served
 * by {@link org.lunforge.device.changer.MediumChangerDevice} over a {@link org.lunforge.device.changer.MediumChanger},
 * which the virtual tape library implements. The device server knows SCSI and nothing of drives or files; the library
 * knows its elements and cartridges and nothing of sense data.
 */
package org.lunforge.device.changer;
