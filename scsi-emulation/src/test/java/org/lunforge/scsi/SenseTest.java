package org.lunforge.scsi;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SenseTest {
    @Test
    void fixedFormatCarriesFieldPointerInBytes15To17() {
        byte[] b = Sense.invalidFieldInCdb(9, 2).encode(false);
        assertEquals(18, b.length);
        assertEquals(0x70, b[0] & 0xFF);
        assertEquals(SenseKey.ILLEGAL_REQUEST.code(), b[2] & 0x0F);
        assertEquals(10, b[7]);
        assertEquals(0x24, b[12]);
        assertEquals(0x00, b[13]);
        assertEquals(0x80 | 0x40 | 0x08 | 2, b[15] & 0xFF); // SKSV, C/D, BPV, bit 2
        assertEquals(9, BigEndian.u16(b, 16));
    }

    @Test
    void fixedFormatValidOnlyWhenInformationFitsIn32Bits() {
        assertEquals(0xF0, Sense.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE).withInformation(7).encode(false)[0]
                & 0xFF);
        assertEquals(0x70, Sense.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE).withInformation(1L << 32)
                .encode(false)[0] & 0xFF);
    }

    @Test
    void bothFormatsRoundTrip() {
        Sense s = Sense.of(SenseCode.FILEMARK_DETECTED).withInformation(512).withStreamBits(true, false, true)
                .withFieldPointer(Sense.FieldPointer.parameterList(300, -1));
        assertEquals(s, Sense.decode(s.encode(false)));
        assertEquals(s, Sense.decode(s.encode(true)));
        Sense wide = Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION).withInformation(1L << 40);
        assertEquals(wide, Sense.decode(wide.encode(true)));
    }

    @Test
    void descriptorFormatHeader() {
        byte[] b = Sense.of(SenseCode.WRITE_PROTECTED).encode(true);
        assertArrayEquals(new byte[] {0x72, 0x07, 0x27, 0x00, 0, 0, 0, 0}, b);
    }
}
