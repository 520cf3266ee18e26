package org.lunforge.device.changer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lunforge.scsi.BigEndian;

/**
 * The parameter data of READ ELEMENT STATUS (SMC-3, READ ELEMENT STATUS parameter data): an element status data header,
 * then one element status page per run of elements of one type, each page a header and fixed-length element
 * descriptors.
 *
 * <pre>
 * header (8)        FIRST ELEMENT ADDRESS REPORTED (2), NUMBER OF ELEMENTS AVAILABLE (2), reserved,
 *                   BYTE COUNT OF REPORT AVAILABLE (3): the pages' length, never cut to the allocation length
 * page header (8)   ELEMENT TYPE CODE, PVOLTAG|AVOLTAG, ELEMENT DESCRIPTOR LENGTH (2), reserved,
 *                   BYTE COUNT OF DESCRIPTOR DATA AVAILABLE (3): this page's descriptors, never cut either
 * descriptor        0-1 ELEMENT ADDRESS; 2 flags (per type); 3 reserved; 4-5 ASC/ASCQ when EXCEPT;
 *                   6 NOT BUS|ID VALID|LU VALID|LUN and 7 SCSI BUS ADDRESS (data transfer only); 8 reserved;
 *                   9 SVALID|INVERT|ED|MEDIUM TYPE; 10-11 SOURCE STORAGE ELEMENT ADDRESS;
 *                   12-47 PRIMARY VOLUME TAG when PVOLTAG (32 bytes identifier, space padded; 2 reserved;
 *                   2 VOLUME SEQUENCE NUMBER); then CODE SET, IDENTIFIER TYPE, reserved, IDENTIFIER LENGTH and the
 *                   IDENTIFIER (DVCID, data transfer elements; length 0 otherwise)
 * </pre>
 *
 * Descriptor lengths are therefore 16 (12 + the 4 identification bytes), 52 with volume tags, and for data transfer
 * elements with DVCID 16 or 52 plus the identifier width, which is the same for every drive of the library: 8 + 16
 * bytes of vendor and product and the longest serial number, shorter ones space padded. Linux ch reads exactly 16 bytes
 * from offset 16 of a one-element report; mtx walks descriptors by ELEMENT DESCRIPTOR LENGTH.
 *
 * <p>Truncation: {@link #lengthWithin} cuts at the end of the last whole page header or descriptor that fits the
 * allocation length (SMC-3: descriptors that cannot be transferred completely are not transferred), while both byte
 * counts keep the untruncated sizes, which is how mtx learns to ask again with a larger allocation length.
 */
final class ElementStatusData {
    static final int HEADER_LENGTH = 8;
    static final int PAGE_HEADER_LENGTH = 8;
    static final int BASE_DESCRIPTOR_LENGTH = 12;
    static final int VOLUME_TAG_LENGTH = 36;
    static final int VOLUME_IDENTIFIER_LENGTH = 32;
    static final int IDENTIFICATION_HEADER_LENGTH = 4;

    /** Descriptor byte 2 flags (SMC-3, the element descriptors). */
    static final int FULL = 0x01;
    static final int IMPEXP = 0x02;
    static final int EXCEPT = 0x04;
    static final int ACCESS = 0x08;
    static final int EXENAB = 0x10;
    static final int INENAB = 0x20;
    /** Descriptor byte 6, data transfer elements. */
    static final int LU_VALID = 0x10;
    /** Descriptor byte 9. */
    static final int SVALID = 0x80;
    static final int MEDIUM_TYPE_DATA = 1;
    static final int MEDIUM_TYPE_CLEANING = 2;
    /** Page header byte 1. */
    static final int PVOLTAG = 0x80;
    /** Identification: CODE SET ASCII, IDENTIFIER TYPE T10 vendor ID based (SPC-4 7.8.6.1, 7.8.6.4). */
    static final int CODE_SET_ASCII = 2;
    static final int IDENTIFIER_TYPE_T10_VENDOR_ID = 1;

    private final byte[] bytes;
    /** Offsets where a whole structure ends: after the header, each page header and each descriptor. Ascending. */
    private final int[] boundaries;

    private ElementStatusData(byte[] bytes, int[] boundaries) {
        this.bytes = bytes;
        this.boundaries = boundaries;
    }

    /**
     * Encodes the report for {@code elements} (the selected ones, ascending by address).
     *
     * @param serialWidth the identifier's serial number width for DVCID, the same for every drive of the library
     */
    static ElementStatusData encode(List<ElementStatus> elements, boolean volumeTags, boolean deviceIdentifiers,
                                    int serialWidth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> cuts = new ArrayList<>();
        out.writeBytes(new byte[HEADER_LENGTH]);
        cuts.add(HEADER_LENGTH);
        int i = 0;
        while (i < elements.size()) {
            ElementType type = elements.get(i).type();
            int end = i;
            while (end < elements.size() && elements.get(end).type() == type) {
                end++;
            }
            int identifierLength = deviceIdentifiers && type == ElementType.DATA_TRANSFER ? 8 + 16 + serialWidth : 0;
            int descriptorLength = BASE_DESCRIPTOR_LENGTH + (volumeTags ? VOLUME_TAG_LENGTH : 0)
                    + IDENTIFICATION_HEADER_LENGTH + identifierLength;
            byte[] page = new byte[PAGE_HEADER_LENGTH];
            page[0] = (byte) type.code();
            page[1] = (byte) (volumeTags ? PVOLTAG : 0);
            BigEndian.put16(page, 2, descriptorLength);
            BigEndian.put24(page, 5, descriptorLength * (end - i));
            out.writeBytes(page);
            cuts.add(out.size());
            for (; i < end; i++) {
                out.writeBytes(descriptor(elements.get(i), descriptorLength, volumeTags, identifierLength,
                        serialWidth));
                cuts.add(out.size());
            }
        }
        byte[] data = out.toByteArray();
        if (!elements.isEmpty()) {
            BigEndian.put16(data, 0, elements.getFirst().address());
        }
        BigEndian.put16(data, 2, elements.size());
        BigEndian.put24(data, 5, data.length - HEADER_LENGTH);
        return new ElementStatusData(data, cuts.stream().mapToInt(Integer::intValue).toArray());
    }

    private static byte[] descriptor(ElementStatus e, int length, boolean volumeTags, int identifierLength,
                                     int serialWidth) {
        byte[] d = new byte[length];
        BigEndian.put16(d, 0, e.address());
        int flags = (e.full() ? FULL : 0) | (e.exception() != null ? EXCEPT : 0);
        flags |= switch (e.type()) {
            case MEDIUM_TRANSPORT -> 0;
            case STORAGE, DATA_TRANSFER -> e.access() ? ACCESS : 0;
            case IMPORT_EXPORT -> INENAB | EXENAB | (e.access() ? ACCESS : 0)
                    | (e.full() && e.placedByOperator() ? IMPEXP : 0);
        };
        d[2] = (byte) flags;
        if (e.exception() != null) {
            d[4] = (byte) e.exception().asc();
            d[5] = (byte) e.exception().ascq();
        }
        if (e.type() == ElementType.DATA_TRANSFER && e.logicalUnit() >= 0) {
            d[6] = (byte) (LU_VALID | e.logicalUnit());
        }
        if (e.full()) {
            d[9] = (byte) ((e.sourceAddress() >= 0 ? SVALID : 0)
                    | (e.cleaningMedium() ? MEDIUM_TYPE_CLEANING : MEDIUM_TYPE_DATA));
            if (e.sourceAddress() >= 0) {
                BigEndian.put16(d, 10, e.sourceAddress());
            }
        }
        int p = BASE_DESCRIPTOR_LENGTH;
        if (volumeTags) {
            if (e.full()) { // an empty element has no volume: the field stays zero
                byte[] tag = e.volumeTag().getBytes(StandardCharsets.US_ASCII);
                for (int k = 0; k < VOLUME_IDENTIFIER_LENGTH; k++) {
                    d[p + k] = k < tag.length ? tag[k] : (byte) ' ';
                }
            }
            p += VOLUME_TAG_LENGTH;
        }
        if (identifierLength > 0 && e.identification() != null) {
            byte[] id = e.identification().t10VendorIdentifier(serialWidth);
            d[p] = CODE_SET_ASCII;
            d[p + 1] = IDENTIFIER_TYPE_T10_VENDOR_ID; // ASSOCIATION 00b: the logical unit (the drive)
            d[p + 3] = (byte) id.length;
            System.arraycopy(id, 0, d, p + IDENTIFICATION_HEADER_LENGTH, id.length);
        }
        return d;
    }

    /** The whole report, untruncated. */
    byte[] bytes() {
        return bytes.clone();
    }

    /**
     * How many bytes to transfer for this allocation length: all of them if they fit, else up to the end of the last
     * whole header or descriptor that fits; an allocation length below the header's 8 bytes gets that many bytes.
     */
    int lengthWithin(long allocationLength) {
        if (allocationLength >= bytes.length) {
            return bytes.length;
        }
        if (allocationLength < HEADER_LENGTH) {
            return (int) allocationLength;
        }
        int fit = HEADER_LENGTH;
        for (int cut : boundaries) {
            if (cut <= allocationLength) {
                fit = cut;
            }
        }
        return fit;
    }

    /** The bytes to transfer for this allocation length. */
    byte[] truncated(long allocationLength) {
        return Arrays.copyOf(bytes, lengthWithin(allocationLength));
    }
}
