package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.lunforge.scsi.Cdb;

/** One PDU of every opcode with every field set to something recognisable, for round trips. */
final class IscsiSamples {
    private IscsiSamples() {
    }

    static ByteBuf bytes(int length, int seed) {
        ByteBuf b = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
            b.writeByte(seed + i * 7);
        }
        return b;
    }

    static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    static Cdb read10() {
        return Cdb.of(0x28, 0, 0, 0, 0, 0x10, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0);
    }

    static List<IscsiPdu> all() {
        byte[] longCdb = new byte[32];
        longCdb[0] = 0x7F;
        longCdb[7] = 24;
        for (int i = 8; i < longCdb.length; i++) {
            longCdb[i] = (byte) i;
        }
        return List.of(
                new IscsiNopOut(true, 0x0001_0000_0000_0000L, 0x11, IscsiConstants.RESERVED_TAG, 5, 6, bytes(5, 1)),
                new IscsiScsiCommand(false, true, true, false, 1, 0, 0x12, 4096, 7, 8, read10(), -1,
                        Unpooled.EMPTY_BUFFER),
                new IscsiScsiCommand(false, false, false, true, 2, 0x0002_0000_0000_0000L, 0x13, 8192, 9, 10,
                        new Cdb(longCdb), 512, bytes(1000, 3)),
                new IscsiTaskManagementRequest(true, IscsiConstants.TMF_ABORT_TASK, 0, 0x14, 0x12, 11, 12, 7, 0),
                new IscsiLoginRequest(true, false, 1, 3, 0, 0, 0x23_0000_1234_5678L, 0, 0x15, 1, 13, 14,
                        text("InitiatorName=iqn.2026-01.org.example:i\0SessionType=Normal\0")),
                new IscsiTextRequest(false, true, false, 0, 0x16, IscsiConstants.RESERVED_TAG, 15, 16,
                        text("SendTargets=All\0")),
                new IscsiDataOut(true, 0, 0x17, 0x99, 17, 3, 8192, bytes(4096, 5)),
                new IscsiLogoutRequest(true, IscsiConstants.LOGOUT_CLOSE_SESSION, 0x18, 1, 19, 20),
                new IscsiSnackRequest(1, 0, IscsiConstants.RESERVED_TAG, 0, 21, 3, 2),
                new IscsiNopIn(0, 0x11, IscsiConstants.RESERVED_TAG, 22, 23, 24, bytes(5, 1)),
                new IscsiScsiResponse(false, false, false, true, IscsiConstants.RESPONSE_COMMAND_COMPLETED, 2, 0x12,
                        0, 25, 26, 27, 1, 0, 512, bytes(20, 9)),
                new IscsiTaskManagementResponse(IscsiConstants.TMF_FUNCTION_COMPLETE, 0x14, 28, 29, 30),
                new IscsiLoginResponse(true, false, 1, 3, 0, 0, 0x23_0000_1234_5678L, 7, 0x15, 31, 32, 33, 0, 0,
                        text("TargetPortalGroupTag=1\0")),
                new IscsiTextResponse(true, false, 0, 0x16, IscsiConstants.RESERVED_TAG, 34, 35, 36,
                        text("TargetName=iqn.2026-01.org.example:t\0")),
                new IscsiDataIn(true, false, false, true, true, 0, 0, 0x12, IscsiConstants.RESERVED_TAG, 37, 38,
                        39, 2, 8192, 100, bytes(3000, 11)),
                new IscsiLogoutResponse(IscsiConstants.LOGOUT_CLOSED, 0x18, 40, 41, 42, 2, 20),
                new IscsiR2t(0, 0x13, 0x99, 43, 44, 45, 0, 8192, 65536),
                new IscsiAsyncMessage(0, 46, 47, 48, IscsiConstants.ASYNC_LOGOUT_REQUEST, 0, 0, 0, 10,
                        Unpooled.EMPTY_BUFFER),
                new IscsiReject(IscsiConstants.REJECT_PROTOCOL_ERROR, 49, 50, 51, 0, bytes(48, 13)));
    }
}
