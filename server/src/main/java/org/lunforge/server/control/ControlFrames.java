package org.lunforge.server.control;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The control socket's framing: a message's length as a base-128 varint, then the message. A length above
 * {@link #MAX_FRAME}, a varint longer than five bytes, a stream that ends inside a frame or bytes that do not parse are
 * {@link ControlProtocolException}s: the connection cannot be trusted any further and is closed.
 */
public final class ControlFrames {
    /** The longest message either side accepts: a configuration of thousands of objects fits many times over. */
    public static final int MAX_FRAME = 16 << 20;

    private ControlFrames() {
    }

    /** A frame that breaks the protocol. */
    public static final class ControlProtocolException extends IOException {
        public ControlProtocolException(String message) {
            super(message);
        }
    }

    /** The next message, or null at a clean end of stream (before a frame's first byte). */
    public static <M extends MessageLite> M read(InputStream in, Parser<M> parser) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        long length = first & 0x7F;
        int b = first;
        for (int shift = 7; (b & 0x80) != 0; shift += 7) {
            if (shift > 28) {
                throw new ControlProtocolException("frame length: a varint of more than five bytes");
            }
            b = in.read();
            if (b < 0) {
                throw new ControlProtocolException("the stream ended inside a frame length");
            }
            length |= (long) (b & 0x7F) << shift;
        }
        if (length > MAX_FRAME) {
            throw new ControlProtocolException("a frame of " + length + " bytes (at most " + MAX_FRAME + ")");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new ControlProtocolException("the stream ended inside a frame (" + body.length + " of " + length
                    + " bytes)");
        }
        try {
            return parser.parseFrom(CodedInputStream.newInstance(body));
        } catch (InvalidProtocolBufferException e) {
            throw new ControlProtocolException("a frame that is not a message: " + e.getMessage());
        }
    }

    public static void write(OutputStream out, MessageLite message) throws IOException {
        int size = message.getSerializedSize();
        byte[] frame = new byte[CodedOutputStream.computeUInt32SizeNoTag(size) + size];
        CodedOutputStream coded = CodedOutputStream.newInstance(frame);
        coded.writeUInt32NoTag(size);
        message.writeTo(coded);
        coded.checkNoSpaceLeft();
        out.write(frame);
        out.flush();
    }
}
