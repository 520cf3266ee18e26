package org.lunforge.device.tape;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;

/**
 * The decoded commands of the SSC-4 tape drive. Decoders check values; the row's CDB usage data has already refused
 * every bit we do not evaluate. Fields that depend on the drive's state (FIXED in variable block mode, a count beyond
 * the maximum block length) are checked when the command runs, with the same field pointers.
 */
public sealed interface TapeCommand extends Command {
    /** Largest variable block (and fixed block length) the drive accepts: READ BLOCK LIMITS reports it. */
    int MAX_BLOCK_LENGTH = 8 << 20;

    /** SSC-4 7.? REWIND; IMMED returns before the rewind completes. */
    record Rewind(boolean immediate) implements TapeCommand {
        static Rewind decode(Cdb cdb) {
            return new Rewind(cdb.bit(1, 0));
        }
    }

    /** SSC-4 REQUEST SENSE, served by the drive so the stream bits of its position reach the application. */
    record RequestSense(boolean descriptorFormat, int allocationLength) implements TapeCommand {
        static RequestSense decode(Cdb cdb) {
            return new RequestSense(cdb.bit(1, 0), cdb.u8(4));
        }
    }

    /** SSC-4 READ BLOCK LIMITS; MLOI asks for the maximum logical object identifier instead. */
    record ReadBlockLimits(boolean maximumLogicalObjectIdentifier) implements TapeCommand {
        static ReadBlockLimits decode(Cdb cdb) {
            return new ReadBlockLimits(cdb.bit(1, 0));
        }
    }

    /**
     * SSC-4 READ(6). FIXED: TRANSFER LENGTH counts blocks of the mode's block length; else it is one variable block's
     * byte count. SILI suppresses the incorrect length indication of a shorter block; SILI with FIXED is invalid.
     */
    record Read(boolean fixed, boolean suppressIncorrectLength, int transferLength) implements TapeCommand {
        static Read decode(Cdb cdb) {
            boolean fixed = cdb.bit(1, 0);
            boolean sili = cdb.bit(1, 1);
            if (fixed && sili) {
                throw Cdb.invalidField(1, 1); // SSC-4: SILI and FIXED both one
            }
            return new Read(fixed, sili, cdb.u24(2));
        }
    }

    /** SSC-4 WRITE(6). */
    record Write(boolean fixed, int transferLength) implements TapeCommand {
        static Write decode(Cdb cdb) {
            return new Write(cdb.bit(1, 0), cdb.u24(2));
        }
    }

    /** SSC-4 WRITE FILEMARKS(6). WSMK (setmarks) is not supported; IMMED returns before the filemarks are durable. */
    record WriteFilemarks(boolean immediate, int count) implements TapeCommand {
        static WriteFilemarks decode(Cdb cdb) {
            if (cdb.bit(1, 1)) {
                throw Cdb.invalidField(1, 1); // WSMK: setmarks are obsolete and not supported
            }
            return new WriteFilemarks(cdb.bit(1, 0), cdb.u24(2));
        }
    }

    /** What SPACE moves over (SSC-4 SPACE CODE). */
    enum SpaceCode {
        BLOCKS, FILEMARKS, SEQUENTIAL_FILEMARKS, END_OF_DATA;

        static SpaceCode of(int code, int byteIndex) {
            return switch (code) {
                case 0 -> BLOCKS;
                case 1 -> FILEMARKS;
                case 2 -> SEQUENTIAL_FILEMARKS;
                case 3 -> END_OF_DATA;
                default -> throw Cdb.invalidField(byteIndex, 3); // setmarks (4, 5) and reserved codes
            };
        }
    }

    /** SSC-4 SPACE(6) and SPACE(16): COUNT is signed, negative toward BOP. */
    record Space(SpaceCode code, long count) implements TapeCommand {
        static Space decode6(Cdb cdb) {
            return new Space(SpaceCode.of(cdb.bits(1, 3, 4), 1), (cdb.u24(2) << 8) >> 8); // signed 24-bit COUNT
        }

        static Space decode16(Cdb cdb) {
            if (cdb.u16(12) != 0) {
                throw Cdb.invalidField(12, 7); // PARAMETER LENGTH: no parameter data is defined
            }
            return new Space(SpaceCode.of(cdb.bits(1, 3, 4), 1), cdb.s64(4));
        }
    }

    /** SSC-4 ERASE(6): LONG erases to the end of the partition; either way EOD is at the current position after it. */
    record Erase(boolean immediate, boolean longErase) implements TapeCommand {
        static Erase decode(Cdb cdb) {
            return new Erase(cdb.bit(1, 1), cdb.bit(1, 0));
        }
    }

    /** SSC-4 LOAD UNLOAD: LOAD, RETEN (rewind), EOT (unload at end of partition), HOLD (keep the cartridge). */
    record LoadUnload(boolean immediate, boolean hold, boolean endOfTape, boolean retension, boolean load)
            implements TapeCommand {
        static LoadUnload decode(Cdb cdb) {
            boolean eot = cdb.bit(4, 2);
            boolean load = cdb.bit(4, 0);
            if (eot && load) {
                throw Cdb.invalidField(4, 2); // SSC-4: EOT with LOAD is invalid
            }
            return new LoadUnload(cdb.bit(1, 0), cdb.bit(4, 3), eot, cdb.bit(4, 1), load);
        }
    }

    /** SPC-4 6.? PREVENT ALLOW MEDIUM REMOVAL (SSC-4 table): PREVENT 00b allow, 01b prevent. */
    record PreventAllowMediumRemoval(boolean prevent) implements TapeCommand {
        static PreventAllowMediumRemoval decode(Cdb cdb) {
            int prevent = cdb.bits(4, 1, 2);
            if (prevent > 1) {
                throw Cdb.invalidField(4, 1); // 10b and 11b are for medium changers
            }
            return new PreventAllowMediumRemoval(prevent == 1);
        }
    }

    /** What LOCATE(16) positions to (DEST_TYPE). */
    enum DestinationType { LOGICAL_OBJECT, LOGICAL_FILE, END_OF_DATA }

    /**
     * SSC-4 LOCATE(10) and LOCATE(16). LOCATE(10)'s BT (the address is "device specific") is accepted: our device
     * specific block address is the logical object identifier, as READ POSITION's vendor-specific form reports it, so
     * Linux st's seek (which sets BT) works. CP changes partition; we have one, so only partition 0 is valid.
     */
    record Locate(DestinationType destination, boolean changePartition, int partition, long identifier,
                  boolean immediate) implements TapeCommand {
        static Locate decode10(Cdb cdb) {
            boolean cp = cdb.bit(1, 1);
            if (cp && cdb.u8(8) != 0) {
                throw Cdb.invalidField(8, 7); // one partition
            }
            return new Locate(DestinationType.LOGICAL_OBJECT, cp, cdb.u8(8), cdb.u32(3), cdb.bit(1, 0));
        }

        static Locate decode16(Cdb cdb) {
            DestinationType type = switch (cdb.bits(1, 5, 3)) {
                case 0 -> DestinationType.LOGICAL_OBJECT;
                case 1 -> DestinationType.LOGICAL_FILE;
                case 3 -> DestinationType.END_OF_DATA;
                default -> throw Cdb.invalidField(1, 5);
            };
            if (cdb.bit(2, 0)) {
                throw Cdb.invalidField(2, 0); // BAM 1 (implicit address mode) is not supported
            }
            boolean cp = cdb.bit(1, 1);
            if (cp && cdb.u8(3) != 0) {
                throw Cdb.invalidField(3, 7);
            }
            long id = cdb.s64(4);
            if (id < 0) {
                throw Cdb.invalidField(4, 7);
            }
            return new Locate(type, cp, cdb.u8(3), id, cdb.bit(1, 0));
        }
    }

    /** READ POSITION's service actions (SSC-4): the data formats. */
    enum PositionForm {
        SHORT_FORM_BLOCK_ID(0x00), SHORT_FORM_VENDOR_SPECIFIC(0x01), LONG_FORM(0x06), EXTENDED_FORM(0x08);

        final int serviceAction;

        PositionForm(int serviceAction) {
            this.serviceAction = serviceAction;
        }
    }

    /** SSC-4 READ POSITION. The ALLOCATION LENGTH field belongs to the extended form only. */
    record ReadPosition(PositionForm form, int allocationLength) implements TapeCommand {
        static ReadPosition decode(Cdb cdb) {
            int sa = cdb.bits(1, 4, 5);
            PositionForm form = switch (sa) {
                case 0x00 -> PositionForm.SHORT_FORM_BLOCK_ID;
                case 0x01 -> PositionForm.SHORT_FORM_VENDOR_SPECIFIC;
                case 0x06 -> PositionForm.LONG_FORM;
                case 0x08 -> PositionForm.EXTENDED_FORM;
                default -> throw Cdb.invalidField(1, 4);
            };
            return new ReadPosition(form, cdb.u16(7));
        }
    }

    /** SSC-4 REPORT DENSITY SUPPORT: MEDIA (only the loaded medium's), MEDIUM TYPE (medium type descriptors). */
    record ReportDensitySupport(boolean mediumType, boolean media, int allocationLength) implements TapeCommand {
        static ReportDensitySupport decode(Cdb cdb) {
            return new ReportDensitySupport(cdb.bit(1, 1), cdb.bit(1, 0), cdb.u16(7));
        }
    }

    /** SPC-4 READ ATTRIBUTE service actions. */
    enum AttributeServiceAction { ATTRIBUTE_VALUES, ATTRIBUTE_LIST, LOGICAL_VOLUME_LIST, PARTITION_LIST,
        SUPPORTED_ATTRIBUTES }

    /** SPC-4 6.16 READ ATTRIBUTE. */
    record ReadAttribute(AttributeServiceAction serviceAction, int logicalVolume, int partition,
                         int firstAttribute, long allocationLength) implements TapeCommand {
        static ReadAttribute decode(Cdb cdb) {
            AttributeServiceAction sa = switch (cdb.bits(1, 4, 5)) {
                case 0x00 -> AttributeServiceAction.ATTRIBUTE_VALUES;
                case 0x01 -> AttributeServiceAction.ATTRIBUTE_LIST;
                case 0x02 -> AttributeServiceAction.LOGICAL_VOLUME_LIST;
                case 0x03 -> AttributeServiceAction.PARTITION_LIST;
                case 0x05 -> AttributeServiceAction.SUPPORTED_ATTRIBUTES;
                default -> throw Cdb.invalidField(1, 4);
            };
            if (cdb.u8(5) != 0) {
                throw Cdb.invalidField(5, 7); // one logical volume
            }
            if (cdb.u8(7) != 0) {
                throw Cdb.invalidField(7, 7); // one partition
            }
            return new ReadAttribute(sa, 0, 0, cdb.u16(8), cdb.u32(10));
        }
    }

    /** SPC-4 6.46 WRITE ATTRIBUTE; WTC (write-through cache) is accepted: every write is durable anyway. */
    record WriteAttribute(boolean writeThroughCache, long parameterListLength) implements TapeCommand {
        static WriteAttribute decode(Cdb cdb) {
            if (cdb.u8(5) != 0) {
                throw Cdb.invalidField(5, 7);
            }
            if (cdb.u8(7) != 0) {
                throw Cdb.invalidField(7, 7);
            }
            return new WriteAttribute(cdb.bit(1, 0), cdb.u32(10));
        }
    }

    /**
     * SPC-4 6.30 SECURITY PROTOCOL IN: SECURITY PROTOCOL (byte 1), SECURITY PROTOCOL SPECIFIC (bytes 2..3),
     * ALLOCATION LENGTH (bytes 6..9; INC_512 is refused by the usage data). The drive serves protocol 00h (SPC-4 7.7.1)
     * and 20h, tape data encryption (SSC-4 8.5); any other protocol is INVALID FIELD IN CDB at byte 1.
     */
    record SecurityProtocolIn(int protocol, int protocolSpecific, long allocationLength) implements TapeCommand {
        static SecurityProtocolIn decode(Cdb cdb) {
            int protocol = cdb.u8(1);
            if (protocol != TapeDataEncryption.PROTOCOL_INFORMATION
                    && protocol != TapeDataEncryption.PROTOCOL_TAPE_DATA_ENCRYPTION) {
                throw Cdb.invalidField(1, 7);
            }
            return new SecurityProtocolIn(protocol, cdb.u16(2), cdb.u32(6));
        }
    }

    /**
     * SPC-4 6.31 SECURITY PROTOCOL OUT: as SECURITY PROTOCOL IN, with TRANSFER LENGTH (bytes 6..9). Only protocol 20h
     * takes parameter data (SSC-4 8.5.3): protocol 00h has no OUT form.
     */
    record SecurityProtocolOut(int protocol, int protocolSpecific, long transferLength) implements TapeCommand {
        static SecurityProtocolOut decode(Cdb cdb) {
            if (cdb.u8(1) != TapeDataEncryption.PROTOCOL_TAPE_DATA_ENCRYPTION) {
                throw Cdb.invalidField(1, 7);
            }
            return new SecurityProtocolOut(cdb.u8(1), cdb.u16(2), cdb.u32(6));
        }
    }
}
