package org.lunforge.scsi;

/**
 * A vital product data page a device adds (SPC-4 7.8). The logical unit writes the 4-byte page header; the page
 * supplies what follows it. Pages may differ per nexus (0x83 reports the target port the command came through).
 */
public interface VpdPage {
    int pageCode();

    /** The page's bytes after the header (byte 4 onward). */
    byte[] payload(Nexus nexus);
}
