package org.lunforge.iscsi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Fuzz target: the PDU frame reader (RFC 7143 11.2) through an EmbeddedChannel. The first input byte sets the
 * digests (bits 0-1) and how the rest arrives: in pieces of 1 to 64 bytes (bits 2-7), as TCP would cut it. Every
 * output is an IscsiPdu or an IscsiPduError, and the one exception allowed is IscsiCodecException; the channel
 * holds no received buffer once it is closed.
 */
class IscsiDecoderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void pdus(byte[] input) {
        if (input.length == 0) {
            return;
        }
        EmbeddedChannel channel = IscsiCodecTest.decoder((input[0] & 1) != 0, (input[0] & 2) != 0);
        int piece = ((input[0] & 0xFF) >> 2) + 1;
        List<ByteBuf> chunks = new ArrayList<>();
        try {
            for (int at = 1; at < input.length; at += piece) {
                ByteBuf chunk = Unpooled.copiedBuffer(input, at, Math.min(piece, input.length - at));
                chunks.add(chunk);
                try {
                    channel.writeInbound(chunk);
                } catch (IscsiCodecException rejected) {
                    // fatal framing error: the connection is dropped, later bytes are discarded
                }
                for (Object o; (o = channel.readInbound()) != null; ) {
                    if (!(o instanceof IscsiPdu) && !(o instanceof IscsiPduError)) {
                        throw new AssertionError("decoded to " + o.getClass());
                    }
                    if (o instanceof IscsiPdu pdu) {
                        pdu.release();
                    }
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        for (ByteBuf chunk : chunks) {
            if (chunk.refCnt() != 0) {
                throw new AssertionError("the decoder still holds a received buffer after the channel closed");
            }
        }
    }

    /** Writes the seed corpus: every sample PDU, and four with digests (-Dlunforge.writeSeeds=true, by hand). */
    @Test
    @EnabledIfSystemProperty(named = "lunforge.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path seeds = Path.of("src/test/resources/org/lunforge/iscsi/IscsiDecoderFuzzTestInputs/pdus");
        Files.createDirectories(seeds);
        for (int digests = 0; digests < 4; digests += 3) {
            int i = 0;
            for (IscsiPdu pdu : IscsiSamples.all()) { // encoding releases a sample's data: fresh samples each pass
                if (digests != 0 && i != 0 && i != 1 && i != 4 && i != 6) {
                    pdu.release(); // with digests: NOP-Out, SCSI Command, Login Request, Data-Out only
                    i++;
                    continue;
                }
                ByteBuf b = IscsiCodecTest.encode((digests & 1) != 0, (digests & 2) != 0, pdu);
                byte[] bytes = new byte[b.readableBytes() + 1];
                bytes[0] = (byte) (digests | (63 << 2)); // 64-byte pieces
                b.readBytes(bytes, 1, b.readableBytes());
                b.release();
                Files.write(seeds.resolve("%02d-%s%s".formatted(i++, pdu.opcode(), digests == 0 ? "" : "-digests")),
                        bytes);
            }
        }
    }
}
