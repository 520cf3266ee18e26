/**
 * The SSC-4 tape drive: {@link org.lunforge.device.tape.TapeDrive} (the device server and the medium interface a
 * changer drives), its command table {@link org.lunforge.device.tape.TapeOperation} and decoded commands
 * {@link org.lunforge.device.tape.TapeCommand}, the drive models it can identify as
 * ({@link org.lunforge.device.tape.TapeDriveModel}), and its mode pages, log pages, READ POSITION, REPORT DENSITY
 * SUPPORT and medium auxiliary memory data.
 */
package org.lunforge.device.tape;
