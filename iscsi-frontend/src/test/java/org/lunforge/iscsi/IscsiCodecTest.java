package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Cdb;

class IscsiCodecTest {

    /** Encodes PDUs with the given digests into one buffer. */
    static ByteBuf encode(boolean headerDigest, boolean dataDigest, IscsiPdu... pdus) {
        IscsiEncoder encoder = new IscsiEncoder();
        encoder.digests(headerDigest, dataDigest);
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        for (IscsiPdu pdu : pdus) {
            channel.writeOutbound(pdu);
        }
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b, b.readerIndex(), b.readableBytes());
            b.release();
        }
        assertFalse(channel.finish());
        return all;
    }

    static EmbeddedChannel decoder(boolean headerDigest, boolean dataDigest) {
        IscsiDecoder decoder = new IscsiDecoder();
        decoder.digests(headerDigest, dataDigest);
        decoder.maxDataSegmentLength(IscsiConstants.MAX_DATA_SEGMENT_LENGTH);
        return new EmbeddedChannel(decoder);
    }

    static List<Object> inbound(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    private static void roundTrip(boolean headerDigest, boolean dataDigest, boolean byteAtATime) {
        Set<IscsiOpcode> seen = EnumSet.noneOf(IscsiOpcode.class);
        for (IscsiPdu sample : IscsiSamples.all()) {
            IscsiPdu expected = copyOf(sample);
            ByteBuf wire = encode(headerDigest, dataDigest, sample);
            EmbeddedChannel channel = decoder(headerDigest, dataDigest);
            if (byteAtATime) {
                while (wire.isReadable()) {
                    channel.writeInbound(wire.readRetainedSlice(1));
                }
                wire.release();
            } else {
                channel.writeInbound(wire);
            }
            List<Object> decoded = inbound(channel);
            assertEquals(1, decoded.size(), sample.opcode().toString());
            IscsiPdu pdu = (IscsiPdu) decoded.getFirst();
            assertEquals(expected, pdu, sample.opcode().toString());
            seen.add(pdu.opcode());
            pdu.release();
            expected.release();
            assertFalse(channel.finish());
        }
        assertEquals(EnumSet.allOf(IscsiOpcode.class), seen);
    }

    /** A sample decoded from its own encoding, to compare with what comes back (the sample is consumed). */
    private static IscsiPdu copyOf(IscsiPdu sample) {
        sample.data().retain();
        ByteBuf wire = encode(false, false, sample);
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        IscsiPdu copy = channel.readInbound();
        assertFalse(channel.finish());
        return copy;
    }

    @Test
    void everyOpcodeRoundTrips() {
        roundTrip(false, false, false);
    }

    @Test
    void everyOpcodeRoundTripsWithDigests() {
        roundTrip(true, true, false);
    }

    @Test
    void everyOpcodeRoundTripsOneByteAtATime() {
        roundTrip(true, true, true);
    }

    @Test
    void twoPdusInOneBuffer() {
        ByteBuf wire = encode(false, false,
                new IscsiNopOut(true, 0, 1, IscsiConstants.RESERVED_TAG, 1, 1, IscsiSamples.bytes(3, 0)),
                new IscsiDataOut(true, 0, 2, 3, 1, 0, 0, IscsiSamples.bytes(700, 1)));
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        List<Object> decoded = inbound(channel);
        assertEquals(2, decoded.size());
        IscsiNopOut nop = (IscsiNopOut) decoded.get(0);
        IscsiDataOut data = (IscsiDataOut) decoded.get(1);
        assertEquals(3, nop.data().readableBytes());
        assertEquals(700, data.data().readableBytes());
        nop.release();
        data.release();
        assertFalse(channel.finish());
    }

    @Test
    void paddingIsNotPartOfTheDataSegment() {
        ByteBuf wire = encode(false, false,
                new IscsiNopOut(true, 0, 1, IscsiConstants.RESERVED_TAG, 1, 1, IscsiSamples.bytes(5, 0)));
        assertEquals(48 + 8, wire.readableBytes());
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        IscsiNopOut nop = channel.readInbound();
        assertEquals(5, nop.data().readableBytes());
        nop.release();
        assertFalse(channel.finish());
    }

    @Test
    void reservedBitsAreRejectedAndDecodingGoesOn() {
        ByteBuf wire = encode(false, false,
                new IscsiNopOut(true, 0, 1, IscsiConstants.RESERVED_TAG, 1, 1, Unpooled.EMPTY_BUFFER),
                new IscsiNopOut(true, 0, 2, IscsiConstants.RESERVED_TAG, 1, 1, Unpooled.EMPTY_BUFFER));
        wire.setByte(40, 1); // a reserved byte of the first NOP-Out
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        List<Object> decoded = inbound(channel);
        assertEquals(2, decoded.size());
        IscsiPduError error = (IscsiPduError) decoded.get(0);
        assertEquals(IscsiConstants.REJECT_INVALID_PDU_FIELD, error.reason());
        assertEquals(1, error.initiatorTaskTag());
        assertEquals(2, ((IscsiNopOut) decoded.get(1)).initiatorTaskTag());
        assertFalse(channel.finish());
    }

    @Test
    void reservedBitOfByteZeroIsRejected() {
        ByteBuf wire = encode(false, false, new IscsiLogoutRequest(true, 0, 9, 0, 1, 1));
        wire.setByte(0, wire.getByte(0) | 0x80);
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        IscsiPduError error = channel.readInbound();
        assertEquals(IscsiConstants.REJECT_INVALID_PDU_FIELD, error.reason());
        assertFalse(channel.finish());
    }

    @Test
    void scsiCommandReservedFlagsAndAttributesAreRejected() {
        for (int flags : new int[] {0x88, 0x90, 0x85, 0x87}) {
            ByteBuf wire = encode(false, false, new IscsiScsiCommand(false, true, false, false, 0, 0, 1, 0, 1, 1,
                    IscsiSamples.read10(), -1, Unpooled.EMPTY_BUFFER));
            wire.setByte(1, flags);
            EmbeddedChannel channel = decoder(false, false);
            channel.writeInbound(wire);
            assertInstanceOf(IscsiPduError.class, channel.readInbound(), "flags 0x" + Integer.toHexString(flags));
            assertFalse(channel.finish());
        }
    }

    @Test
    void unknownOpcodeIsCommandNotSupported() {
        ByteBuf wire = Unpooled.buffer(48).writeZero(48);
        wire.setByte(0, 0x1C);
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        IscsiPduError error = channel.readInbound();
        assertEquals(IscsiConstants.REJECT_COMMAND_NOT_SUPPORTED, error.reason());
        assertFalse(channel.finish());
    }

    @Test
    void badDataDigestIsRejectedWithTheHeaderDecoded() {
        ByteBuf wire = encode(true, true, new IscsiDataOut(true, 0, 7, 8, 1, 0, 0, IscsiSamples.bytes(512, 2)),
                new IscsiNopOut(true, 0, 9, IscsiConstants.RESERVED_TAG, 1, 1, Unpooled.EMPTY_BUFFER));
        wire.setByte(48 + 4 + 100, wire.getByte(48 + 4 + 100) ^ 1);
        EmbeddedChannel channel = decoder(true, true);
        channel.writeInbound(wire);
        IscsiPduError error = channel.readInbound();
        assertEquals(IscsiConstants.REJECT_DATA_DIGEST_ERROR, error.reason());
        IscsiDataOut header = assertInstanceOf(IscsiDataOut.class, error.pdu());
        assertEquals(7, header.initiatorTaskTag());
        assertEquals(0, header.data().readableBytes());
        assertEquals(512, error.dataSegmentLength());
        IscsiNopOut next = channel.readInbound();
        assertEquals(9, next.initiatorTaskTag());
        assertFalse(channel.finish());
    }

    @Test
    void badHeaderDigestIsFatalAndStaysSet() {
        ByteBuf wire = encode(true, false,
                new IscsiNopOut(true, 0, 1, IscsiConstants.RESERVED_TAG, 1, 1, Unpooled.EMPTY_BUFFER));
        ByteBuf good = encode(true, false,
                new IscsiNopOut(true, 0, 2, IscsiConstants.RESERVED_TAG, 1, 1, Unpooled.EMPTY_BUFFER));
        wire.setByte(20, 0x55);
        EmbeddedChannel channel = decoder(true, false);
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(wire));
        assertTrue(assertInstanceOf(IscsiCodecException.class, e).fatal());
        channel.writeInbound(good);
        assertNull(channel.readInbound(), "nothing is decoded after a fatal error");
        assertFalse(channel.finish());
    }

    @Test
    void oversizeDataSegmentIsFatal() {
        IscsiDecoder decoder = new IscsiDecoder();
        decoder.maxDataSegmentLength(8192);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        ByteBuf wire = encode(false, false, new IscsiDataOut(true, 0, 1, 2, 1, 0, 0, IscsiSamples.bytes(8196, 0)));
        IscsiCodecException e = assertThrows(IscsiCodecException.class, () -> channel.writeInbound(wire));
        assertEquals(IscsiConstants.REJECT_PROTOCOL_ERROR, e.rejectReason());
        assertNotNull(e.header());
        assertFalse(channel.finish());
    }

    @Test
    void oversizeIsDetectedFromTheHeaderAlone() {
        IscsiDecoder decoder = new IscsiDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        ByteBuf header = Unpooled.buffer(48).writeZero(48);
        header.setByte(0, IscsiOpcode.SCSI_DATA_OUT.code());
        header.setMedium(5, 1 << 20);
        assertThrows(IscsiCodecException.class, () -> channel.writeInbound(header));
        assertFalse(channel.finish());
    }

    @Test
    void ahsLengthOverrunningTotalAhsLengthIsRejected() {
        byte[] cdb = new byte[20];
        cdb[0] = 0x7F;
        ByteBuf wire = encode(false, false, new IscsiScsiCommand(false, true, false, false, 1, 0, 1, 0, 1, 1,
                new Cdb(cdb), -1, Unpooled.EMPTY_BUFFER));
        assertEquals(2, wire.getByte(4)); // 3 + 5 = 8 bytes of AHS
        wire.setShort(48, 40);
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(wire);
        IscsiPduError error = channel.readInbound();
        assertEquals(IscsiConstants.REJECT_INVALID_PDU_FIELD, error.reason());
        assertFalse(channel.finish());
    }

    @Test
    void ahsOnAnOpcodeWithoutAhsIsRejected() {
        ByteBuf wire = encode(false, false,
                new IscsiNopOut(true, 0, 1, IscsiConstants.RESERVED_TAG, 1, 1, Unpooled.EMPTY_BUFFER));
        ByteBuf withAhs = Unpooled.buffer();
        withAhs.writeBytes(wire, 0, 48).writeInt(0x0001_0200);
        withAhs.setByte(4, 1);
        wire.release();
        EmbeddedChannel channel = decoder(false, false);
        channel.writeInbound(withAhs);
        IscsiPduError error = channel.readInbound();
        assertEquals(IscsiConstants.REJECT_INVALID_PDU_FIELD, error.reason());
        assertFalse(channel.finish());
    }

    @Test
    void extendedCdbAndBidirectionalLengthRoundTrip() {
        byte[] cdb = new byte[260];
        for (int i = 0; i < cdb.length; i++) {
            cdb[i] = (byte) (i * 3);
        }
        IscsiScsiCommand command = new IscsiScsiCommand(true, true, true, true, 1, 0, 5, 4096, 1, 1, new Cdb(cdb),
                77, Unpooled.EMPTY_BUFFER);
        ByteBuf wire = encode(true, false, command);
        EmbeddedChannel channel = decoder(true, false);
        channel.writeInbound(wire);
        IscsiScsiCommand decoded = channel.readInbound();
        assertEquals(command, decoded);
        assertFalse(channel.finish());
    }

    @Test
    void digestsAreLittleEndianCrc32c() {
        // RFC 3720 B.4: 32 bytes of zeroes have the CRC32C 0x8a9136aa, sent as aa 36 91 8a.
        ByteBuf zeros = Unpooled.buffer(32).writeZero(32);
        assertEquals(0x8a9136aa, IscsiCodecUtil.crc32c(zeros, 0, 32));
        ByteBuf out = Unpooled.buffer();
        IscsiCodecUtil.writeDigest(out, 0x8a9136aa);
        assertEquals(0xaa36918a, out.readInt());
    }
}
