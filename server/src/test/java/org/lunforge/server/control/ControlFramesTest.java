package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ControlFramesTest {
    private static byte[] frame(Request r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlFrames.write(out, r);
        return out.toByteArray();
    }

    @Test
    void twoMessagesInOneStreamComeBackInOrderThenEnd() throws IOException {
        Request a = Request.newBuilder().setGetConfig(GetConfig.getDefaultInstance()).build();
        Request b = Request.newBuilder().setSaveConfig(SaveConfig.newBuilder().setFile("/x")).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(frame(a));
        out.write(frame(b));
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(a, ControlFrames.read(in, Request.parser()));
        assertEquals(b, ControlFrames.read(in, Request.parser()));
        assertNull(ControlFrames.read(in, Request.parser()));
    }

    @Test
    void anEmptyMessageIsOneZeroByte() throws IOException {
        assertArrayEquals(new byte[] {0}, frame(Request.getDefaultInstance()));
    }

    @Test
    void aFrameLongerThanTheLimitIsRefusedBeforeReading() {
        // varint 0x7FFFFFFF: 2 GiB announced.
        byte[] bytes = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
        var e = assertThrows(ControlFrames.ControlProtocolException.class,
                () -> ControlFrames.read(new ByteArrayInputStream(bytes), Request.parser()));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
    }

    @Test
    void aVarintOfSixBytesIsRefused() {
        byte[] bytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThrows(ControlFrames.ControlProtocolException.class,
                () -> ControlFrames.read(new ByteArrayInputStream(bytes), Request.parser()));
    }

    @Test
    void aStreamEndingInsideAFrameIsRefused() throws IOException {
        byte[] whole = frame(Request.newBuilder().setSaveConfig(SaveConfig.newBuilder().setFile("/etc/x")).build());
        for (int cut = 1; cut < whole.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(whole, cut);
            assertThrows(ControlFrames.ControlProtocolException.class,
                    () -> ControlFrames.read(new ByteArrayInputStream(part), Request.parser()), "cut at " + cut);
        }
    }

    @Test
    void bytesThatAreNoMessageAreRefused() {
        // Length 3, then field 1 as a length-delimited value claiming 100 bytes.
        byte[] bytes = {3, 0x0A, 100, 0};
        assertThrows(ControlFrames.ControlProtocolException.class,
                () -> ControlFrames.read(new ByteArrayInputStream(bytes), Request.parser()));
    }
}
