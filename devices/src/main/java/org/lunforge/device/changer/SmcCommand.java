package org.lunforge.device.changer;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;

/**
 * The decoded SMC-3 commands of a medium changer. The CDB usage data of each row has already refused every bit we do
 * not evaluate; decoders check values and point INVALID FIELD IN CDB at the field in error.
 *
 * <p>Element addresses are not checked here: whether an address names an element is the library's knowledge, and an
 * unknown one is INVALID ELEMENT ADDRESS (ASC 21h/01h), not INVALID FIELD IN CDB.
 */
public sealed interface SmcCommand extends Command {

    /**
     * SMC-3 READ ELEMENT STATUS.
     *
     * @param type the ELEMENT TYPE CODE's type, or null for code 0 (all element types)
     * @param volumeTags VOLTAG: report the primary volume tag (barcode) of each element
     * @param startingAddress the lowest element address to report
     * @param numberOfElements the most element descriptors to report
     * @param currentData CURDATA: report without moving the robot. We never move it to learn status, so it changes
     *     nothing.
     * @param deviceIdentifiers DVCID: report the drives' identifiers in data transfer element descriptors
     */
    record ReadElementStatus(ElementType type, boolean volumeTags, int startingAddress, int numberOfElements,
                             boolean currentData, boolean deviceIdentifiers, int allocationLength)
            implements SmcCommand {
        static ReadElementStatus decode(Cdb cdb) {
            int code = cdb.bits(1, 3, 4);
            ElementType type = ElementType.ofCode(code);
            if (code != 0 && type == null) {
                throw Cdb.invalidField(1, 3); // element type codes 5h..Fh are reserved
            }
            return new ReadElementStatus(type, cdb.bit(1, 4), cdb.u16(2), cdb.u16(4), cdb.bit(6, 1), cdb.bit(6, 0),
                    cdb.u24(7));
        }
    }

    /**
     * SMC-3 MOVE MEDIUM. A MEDIUM TRANSPORT ADDRESS of zero names the default medium transport element. INVERT (turn
     * the medium over) is refused: tape cartridges have one side.
     */
    record MoveMedium(int transport, int source, int destination) implements SmcCommand {
        static final int TRANSPORT_FIELD = 2;
        static final int SOURCE_FIELD = 4;
        static final int DESTINATION_FIELD = 6;

        static MoveMedium decode(Cdb cdb) {
            if (cdb.bit(10, 0)) {
                throw Cdb.invalidField(10, 0); // INVERT
            }
            return new MoveMedium(cdb.u16(TRANSPORT_FIELD), cdb.u16(SOURCE_FIELD), cdb.u16(DESTINATION_FIELD));
        }
    }

    /** SMC-3 EXCHANGE MEDIUM; INV1 and INV2 are refused, as INVERT is for MOVE MEDIUM. */
    record ExchangeMedium(int transport, int source, int firstDestination, int secondDestination)
            implements SmcCommand {
        static final int TRANSPORT_FIELD = 2;
        static final int SOURCE_FIELD = 4;
        static final int FIRST_DESTINATION_FIELD = 6;
        static final int SECOND_DESTINATION_FIELD = 8;

        static ExchangeMedium decode(Cdb cdb) {
            if (cdb.bit(10, 1)) {
                throw Cdb.invalidField(10, 1); // INV2
            }
            if (cdb.bit(10, 0)) {
                throw Cdb.invalidField(10, 0); // INV1
            }
            return new ExchangeMedium(cdb.u16(TRANSPORT_FIELD), cdb.u16(SOURCE_FIELD),
                    cdb.u16(FIRST_DESTINATION_FIELD), cdb.u16(SECOND_DESTINATION_FIELD));
        }
    }

    /**
     * SMC-3 INITIALIZE ELEMENT STATUS and INITIALIZE ELEMENT STATUS WITH RANGE, one record as READ(6)/(10) are one.
     * Without RANGE every element is checked; with it, {@code numberOfElements} elements from
     * {@code startingAddress}. FAST (check only for presence) changes nothing here: every check is fast.
     */
    record InitializeElementStatus(boolean range, int startingAddress, int numberOfElements, boolean fast)
            implements SmcCommand {
        static final int STARTING_ADDRESS_FIELD = 2;

        static InitializeElementStatus decodeAll(Cdb cdb) {
            return new InitializeElementStatus(false, 0, 0, false);
        }

        static InitializeElementStatus decodeWithRange(Cdb cdb) {
            return new InitializeElementStatus(cdb.bit(1, 0), cdb.u16(STARTING_ADDRESS_FIELD), cdb.u16(6),
                    cdb.bit(1, 1));
        }
    }

    /** SMC-3 POSITION TO ELEMENT: places the robot in front of an element; nothing to do for a virtual one. */
    record PositionToElement(int transport, int destination) implements SmcCommand {
        static final int TRANSPORT_FIELD = 2;
        static final int DESTINATION_FIELD = 4;

        static PositionToElement decode(Cdb cdb) {
            if (cdb.bit(8, 0)) {
                throw Cdb.invalidField(8, 0); // INVERT
            }
            return new PositionToElement(cdb.u16(TRANSPORT_FIELD), cdb.u16(DESTINATION_FIELD));
        }
    }

    /**
     * SMC-3 PREVENT ALLOW MEDIUM REMOVAL: PREVENT 01b locks the import/export elements for this I_T nexus, 00b
     * releases its lock; 10b and 11b are reserved for medium changers.
     */
    record PreventAllowMediumRemoval(boolean prevent) implements SmcCommand {
        static PreventAllowMediumRemoval decode(Cdb cdb) {
            int prevent = cdb.bits(4, 1, 2);
            if (prevent > 1) {
                throw Cdb.invalidField(4, 1);
            }
            return new PreventAllowMediumRemoval(prevent == 1);
        }
    }
}
