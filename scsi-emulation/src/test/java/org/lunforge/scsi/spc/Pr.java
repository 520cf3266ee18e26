package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.lunforge.scsi.spc.Harness.assertGood;

import java.util.ArrayList;
import java.util.List;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;

/** PERSISTENT RESERVE IN/OUT as the tests send them (the libiscsi test-tool helpers' vocabulary). */
final class Pr {
    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int RELEASE = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE = 6;
    static final int REGISTER_AND_MOVE = 7;

    static final int WE = 1;
    static final int EA = 3;
    static final int WERO = 5;
    static final int EARO = 6;
    static final int WEAR = 7;
    static final int EAAR = 8;
    static final int[] TYPES = {WE, EA, WERO, EARO, WEAR, EAAR};

    static final int SPEC_I_PT = 0x08;
    static final int ALL_TG_PT = 0x04;
    static final int APTPL = 0x01;

    private final Harness h;

    Pr(Harness h) {
        this.h = h;
    }

    static byte[] basic(long key, long saKey, int flags) {
        byte[] d = new byte[24];
        BigEndian.put64(d, 0, key);
        BigEndian.put64(d, 8, saKey);
        d[20] = (byte) flags;
        return d;
    }

    RecordingTask out(Nexus n, int sa, int type, byte[] list) {
        int len = list.length;
        return h.out(n, list, 0x5F, sa, type, 0, 0, len >>> 24, (len >> 16) & 0xFF, (len >> 8) & 0xFF, len & 0xFF, 0);
    }

    RecordingTask out(Nexus n, int sa, int type, long key, long saKey, int flags) {
        return out(n, sa, type, basic(key, saKey, flags));
    }

    RecordingTask registerAndIgnore(Nexus n, long key) {
        return out(n, REGISTER_AND_IGNORE, 0, 0, key, 0);
    }

    RecordingTask register(Nexus n, long key, long newKey) {
        return out(n, REGISTER, 0, key, newKey, 0);
    }

    RecordingTask reserve(Nexus n, long key, int type) {
        return out(n, RESERVE, type, key, 0, 0);
    }

    RecordingTask release(Nexus n, long key, int type) {
        return out(n, RELEASE, type, key, 0, 0);
    }

    RecordingTask clear(Nexus n, long key) {
        return out(n, CLEAR, 0, key, 0, 0);
    }

    RecordingTask preempt(Nexus n, long key, long victim, int type) {
        return out(n, PREEMPT, type, key, victim, 0);
    }

    RecordingTask in(Nexus n, int sa, int alloc) {
        return h.in(n, alloc, 0x5E, sa, 0, 0, 0, 0, 0, alloc >> 8, alloc & 0xFF, 0);
    }

    byte[] inData(Nexus n, int sa) {
        RecordingTask t = in(n, sa, 16384);
        assertGood(t);
        return t.data();
    }

    List<Long> keys(Nexus n) {
        byte[] d = inData(n, 0);
        List<Long> keys = new ArrayList<>();
        for (int at = 8; at < 8 + BigEndian.u32(d, 4); at += 8) {
            keys.add(BigEndian.s64(d, at));
        }
        return keys;
    }

    long generation(Nexus n) {
        return BigEndian.u32(inData(n, 0), 0);
    }

    /** READ RESERVATION: {key, type}, or null if not reserved. */
    long[] reservation(Nexus n) {
        byte[] d = inData(n, 1);
        if (BigEndian.u32(d, 4) == 0) {
            return null;
        }
        return new long[] {BigEndian.s64(d, 8), d[21] & 0x0F};
    }

    RecordingTask read(Nexus n) {
        return h.run(n, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0);
    }

    RecordingTask write(Nexus n) {
        return h.run(n, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0);
    }
}
