package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.iscsi.IscsiConstants.RESERVED_TAG;
import static org.lunforge.iscsi.IscsiPeer.cdb10;
import static org.lunforge.iscsi.IscsiPeer.pattern;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** Full feature phase over the real pipeline: ordering, data transfer, residuals, task management. */
class IscsiSessionTest {
    static final String TARGET = "iqn.2026-11.org.lunforge:session";
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2A;
    static final Cdb TEST_UNIT_READY = Cdb.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final List<IscsiPeer> peers = new ArrayList<>();
    private IscsiServer server;
    private IscsiTarget target;
    private final ManualExecutor device = new ManualExecutor();
    private LogicalUnit lu;
    private IscsiPeer peer;
    /** Loans of lent Data-In (LUNs 2 and 3) not given back yet. */
    private final java.util.concurrent.atomic.AtomicInteger loansOut = new java.util.concurrent.atomic.AtomicInteger();

    /** A target whose LUN 0 is a RAM disk completing at once, LUN 1 one completing when the test says. */
    private IscsiPeer start(IscsiServerOptions options, String... loginKeys) {
        server = new IscsiServer(options);
        lu = RamDisk.logicalUnit("sync", 4 << 20, null);
        target = new IscsiTarget(TARGET).portalGroup(new IscsiPortalGroup(1, 1, List.of(
                new IscsiPortal("127.0.0.1", 3260))).generateNodeAcls(true)
                .lun(0, lu).lun(1, RamDisk.logicalUnit("held", 4 << 20, device))
                .lun(2, RamDisk.lendingLogicalUnit("lends", 4 << 20, null, loansOut))
                .lun(3, RamDisk.lendingLogicalUnit("lends-held", 4 << 20, device, loansOut)));
        server.addTarget(target);
        peer = connect(loginKeys);
        return peer;
    }

    private IscsiPeer start(String... loginKeys) {
        return start(IscsiServerOptions.defaults(), loginKeys);
    }

    private IscsiPeer connect(String... loginKeys) {
        IscsiPeer p = new IscsiPeer(server);
        p.isid = IscsiPeer.ISID + peers.size();
        peers.add(p);
        p.loginNormal(TARGET, loginKeys);
        markNexusesSeen();
        return p;
    }

    /**
     * Makes each logged-in session's I_T nexus known to the target's logical units, as if it had already consumed
     * the POWER ON unit attention a new nexus sees first; these tests count PDUs and CmdSNs exactly, so they cannot
     * spend commands on it the way initiators do.
     */
    private void markNexusesSeen() {
        for (IscsiSessionInfo s : server.sessions()) {
            IscsiTarget t = server.target(s.targetName());
            IscsiPortalGroup group = t.portalGroups().stream().filter(g -> g.tag() == s.portalGroupTag())
                    .findFirst().orElseThrow();
            Nexus nexus = new Nexus(InitiatorPort.iscsi(s.initiatorName(), s.isid()), t.targetPort(group));
            group.luns().values().forEach(unit -> unit.unitAttentions().register(nexus));
        }
    }

    @AfterEach
    void close() {
        device.runAll();
        peers.forEach(IscsiPeer::close);
    }

    private static long lun(int n) {
        return org.lunforge.scsi.LunAddress.encode(n);
    }

    private IscsiScsiCommand command(IscsiPeer p, long lun, Cdb cdb, boolean read, boolean write, int edtl,
                                     ByteBuf immediate, boolean finalPdu) {
        return new IscsiScsiCommand(false, finalPdu, read, write, 1, lun, ++p.itt, edtl, p.cmdSN++, p.expStatSN, cdb,
                -1, immediate);
    }

    /** Writes with all data immediate (fits the default FirstBurstLength). */
    private void writeImmediate(IscsiPeer p, int lba, ByteBuf data) {
        writeImmediate(p, 0, lba, data);
    }

    private void writeImmediate(IscsiPeer p, long lun, int lba, ByteBuf data) {
        int blocks = data.readableBytes() / 512;
        p.send(command(p, lun, cdb10(WRITE_10, lba, blocks), false, true, data.readableBytes(), data, true));
        IscsiScsiResponse r = p.next(IscsiScsiResponse.class);
        assertEquals(0, r.status());
        r.release();
    }

    /** Reads and reassembles the Data-In; returns it with the status-bearing PDU checked. */
    private ByteBuf read(IscsiPeer p, int lba, int blocks, int edtl) {
        return read(p, 0, lba, blocks, edtl);
    }

    private ByteBuf read(IscsiPeer p, long lun, int lba, int blocks, int edtl) {
        p.send(command(p, lun, cdb10(READ_10, lba, blocks), true, false, edtl, Unpooled.EMPTY_BUFFER, true));
        ByteBuf all = Unpooled.buffer();
        IscsiDataIn d;
        int dataSN = 0;
        do {
            d = p.next(IscsiDataIn.class);
            assertEquals(dataSN++, d.dataSN());
            assertEquals(all.readableBytes(), d.bufferOffset());
            all.writeBytes(d.data());
            d.release();
        } while (!d.statusPresent());
        return all;
    }

    private static SenseCode sense(IscsiScsiResponse r) {
        ByteBuf data = r.data();
        int length = data.getUnsignedShort(data.readerIndex());
        byte[] sense = new byte[length];
        data.getBytes(data.readerIndex() + 2, sense);
        return Sense.decode(sense).code();
    }

    // ---- data transfer and residuals

    @Test
    void writeThenReadBackWithStatusInTheLastDataIn() {
        start();
        ByteBuf data = pattern(8192, 1);
        ByteBuf expected = data.copy();
        writeImmediate(peer, 10, data);
        ByteBuf back = read(peer, 10, 16, 8192);
        assertEquals(expected, back);
        expected.release();
        back.release();
        peer.assertSilent();
    }

    @Test
    void dataInFollowsMaxRecvDataSegmentLengthAndMaxBurstLength() {
        start("MaxRecvDataSegmentLength", "4096", "MaxBurstLength", "8192");
        peer.send(command(peer, 0, cdb10(READ_10, 0, 32), true, false, 16384, Unpooled.EMPTY_BUFFER, true));
        boolean[] finals = new boolean[4];
        for (int i = 0; i < 4; i++) {
            IscsiDataIn d = peer.next(IscsiDataIn.class);
            assertEquals(i, d.dataSN());
            assertEquals(4096 * i, d.bufferOffset());
            assertEquals(4096, d.data().readableBytes());
            assertEquals(RESERVED_TAG, d.targetTransferTag());
            finals[i] = d.finalPdu();
            assertEquals(i == 3, d.statusPresent());
            d.release();
        }
        assertArrayEquals(new boolean[] {false, true, false, true}, finals, "F ends each 8 KiB burst");
        peer.assertSilent();
    }

    // ---- lent Data-In

    @Test
    void lentDataInIsSentInPdusAndGivenBackOnceSent() {
        start("MaxRecvDataSegmentLength", "4096", "MaxBurstLength", "8192", "DataDigest", "CRC32C");
        peer.digests(false, true);
        ByteBuf expected = Unpooled.buffer();
        for (int i = 0; i < 3; i++) { // 8 KiB each: the target's MaxRecvDataSegmentLength for immediate data
            ByteBuf data = pattern(8192, 3 + i);
            expected.writeBytes(data, data.readerIndex(), 8192);
            writeImmediate(peer, lun(2), 4 + 16 * i, data);
        }
        ByteBuf back = read(peer, lun(2), 4, 48, 3 * 8192);
        assertEquals(expected, back, "digests checked by the peer, bytes reassembled across PDUs");
        expected.release();
        back.release();
        peer.assertSilent();
        assertEquals(0, loansOut.get(), "the loan is given back once the last PDU is written");
    }

    @Test
    void lentDataInShorterThanTheTransferKeepsTheResidual() {
        start();
        ByteBuf back = read(peer, lun(2), 0, 16, 4096);
        assertEquals(4096, back.readableBytes());
        back.release();
        assertEquals(0, loansOut.get());
    }

    @Test
    void lentDataInOfAnAbortedTaskIsGivenBackUnsent() {
        start();
        IscsiScsiCommand read = command(peer, lun(3), cdb10(READ_10, 0, 64), true, false, 64 * 512,
                Unpooled.EMPTY_BUFFER, true);
        peer.send(read);
        peer.send(tmf(IscsiConstants.TMF_ABORT_TASK, lun(3), read.initiatorTaskTag(), read.cmdSN()));
        device.runAll();
        IscsiTaskManagementResponse r = peer.next(IscsiTaskManagementResponse.class);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, r.response());
        peer.assertSilent();
        assertEquals(0, loansOut.get());
    }

    @Test
    void lentDataInOfAClosedConnectionIsGivenBack() {
        start();
        peer.send(command(peer, lun(3), cdb10(READ_10, 0, 64), true, false, 64 * 512, Unpooled.EMPTY_BUFFER,
                true));
        assertEquals(1, device.size());
        peer.close();
        device.runAll();
        long until = System.nanoTime() + 5_000_000_000L;
        while (loansOut.get() != 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(0, loansOut.get());
    }

    @Test
    void readResidualUnderflowAndOverflow() {
        start();
        peer.send(command(peer, 0, cdb10(READ_10, 0, 1), true, false, 10000, Unpooled.EMPTY_BUFFER, true));
        IscsiDataIn under = peer.next(IscsiDataIn.class);
        assertTrue(under.statusPresent());
        assertTrue(under.underflow());
        assertFalse(under.overflow());
        assertEquals(10000 - 512, under.residualCount());
        assertEquals(512, under.data().readableBytes());
        under.release();

        peer.send(command(peer, 0, cdb10(READ_10, 0, 1), true, false, 200, Unpooled.EMPTY_BUFFER, true));
        IscsiDataIn over = peer.next(IscsiDataIn.class);
        assertTrue(over.overflow());
        assertEquals(312, over.residualCount());
        assertEquals(200, over.data().readableBytes());
        over.release();

        peer.send(command(peer, 0, cdb10(READ_10, 0, 1), true, false, 0, Unpooled.EMPTY_BUFFER, true));
        IscsiScsiResponse none = peer.next(IscsiScsiResponse.class);
        assertTrue(none.overflow());
        assertEquals(512, none.residualCount());
        none.release();
        peer.assertSilent();
    }

    @Test
    void writeResidualsAndOnlyTheDataSentIsWritten() {
        start();
        writeImmediate(peer, 0, pattern(1024, 1));
        // Two blocks in the CDB, one in the Expected Data Transfer Length: overflow, one block written.
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 2), false, true, 512, pattern(512, 9), true));
        IscsiScsiResponse over = peer.next(IscsiScsiResponse.class);
        assertEquals(0, over.status());
        assertTrue(over.overflow());
        assertEquals(512, over.residualCount());
        over.release();
        ByteBuf back = read(peer, 0, 2, 1024);
        ByteBuf expected = pattern(512, 9).writeBytes(pattern(1024, 1), 512, 512);
        assertEquals(expected, back);
        back.release();
        expected.release();
        // One block in the CDB, two in the EDTL: underflow.
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 1), false, true, 1024, pattern(1024, 3), true));
        IscsiScsiResponse under = peer.next(IscsiScsiResponse.class);
        assertTrue(under.underflow());
        assertEquals(512, under.residualCount());
        under.release();
    }

    @Test
    void checkConditionCarriesSenseInTheScsiResponse() {
        start();
        peer.send(command(peer, 0, cdb10(READ_10, 0xFFFFF, 8), true, false, 4096, Unpooled.EMPTY_BUFFER, true));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(2, r.status());
        assertEquals(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE, sense(r));
        r.release();
        peer.assertSilent();
    }

    @Test
    void bidirectionalCommandsEndWithInvalidFieldInCommandInformationUnit() {
        start();
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 1), true, true, 512, pattern(512, 1), true));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT, sense(r));
        r.release();
    }

    @Test
    void unknownLunIsLogicalUnitNotSupported() {
        start();
        peer.send(command(peer, lun(9), TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.LOGICAL_UNIT_NOT_SUPPORTED, sense(r));
        r.release();
    }

    // ---- R2T and unsolicited data

    @Test
    void solicitedDataFollowsR2tsInBurstsAndOutstandingLimit() {
        start("InitialR2T", "Yes", "ImmediateData", "No", "MaxBurstLength", "4096", "MaxOutstandingR2T", "2");
        ByteBuf data = pattern(16384, 5);
        peer.send(command(peer, 0, cdb10(WRITE_10, 100, 32), false, true, 16384, Unpooled.EMPTY_BUFFER, true));
        IscsiR2t r0 = peer.next(IscsiR2t.class);
        IscsiR2t r1 = peer.next(IscsiR2t.class);
        peer.assertSilent();
        assertEquals(0, r0.r2tSN());
        assertEquals(0, r0.bufferOffset());
        assertEquals(4096, r0.desiredDataTransferLength());
        assertEquals(1, r1.r2tSN());
        assertEquals(4096, r1.bufferOffset());
        assertNotEquals(r0.targetTransferTag(), r1.targetTransferTag());
        List<IscsiR2t> open = new ArrayList<>(List.of(r0, r1));
        int answered = 0;
        while (!open.isEmpty()) {
            IscsiR2t r = open.removeFirst();
            for (int i = 0; i < 2; i++) {
                int offset = r.bufferOffset() + 2048 * i;
                peer.send(new IscsiDataOut(i == 1, 0, r.initiatorTaskTag(), r.targetTransferTag(), peer.expStatSN, i,
                        offset, data.retainedSlice(offset, 2048)));
            }
            answered++;
            for (IscsiPdu next : peer.received()) {
                if (next instanceof IscsiR2t more) {
                    assertEquals(answered + 1, more.r2tSN());
                    open.add(more);
                } else {
                    IscsiScsiResponse done = assertInstanceOf(IscsiScsiResponse.class, next);
                    assertEquals(0, done.status());
                    assertEquals(4, done.expDataSN(), "ExpDataSN counts the R2Ts");
                    assertTrue(open.isEmpty());
                    done.release();
                }
            }
        }
        assertEquals(4, answered);
        ByteBuf back = read(peer, 100, 32, 16384);
        assertEquals(data, back);
        back.release();
        data.release();
    }

    @Test
    void immediateAndUnsolicitedDataThenR2tsForTheRest() {
        start("InitialR2T", "No", "ImmediateData", "Yes", "FirstBurstLength", "8192", "MaxBurstLength", "8192");
        ByteBuf data = pattern(20480, 7);
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 40), false, true, 20480, data.retainedSlice(0, 4096), false));
        peer.send(new IscsiDataOut(true, 0, peer.itt, RESERVED_TAG, peer.expStatSN, 0, 4096,
                data.retainedSlice(4096, 4096)));
        IscsiR2t r = peer.next(IscsiR2t.class);
        assertEquals(8192, r.bufferOffset());
        assertEquals(8192, r.desiredDataTransferLength());
        peer.assertSilent();
        peer.send(new IscsiDataOut(true, 0, peer.itt, r.targetTransferTag(), peer.expStatSN, 0, 8192,
                data.retainedSlice(8192, 8192)));
        IscsiR2t last = peer.next(IscsiR2t.class);
        assertEquals(16384, last.bufferOffset());
        assertEquals(4096, last.desiredDataTransferLength());
        peer.send(new IscsiDataOut(true, 0, peer.itt, last.targetTransferTag(), peer.expStatSN, 0, 16384,
                data.retainedSlice(16384, 4096)));
        IscsiScsiResponse done = peer.next(IscsiScsiResponse.class);
        assertEquals(0, done.status());
        done.release();
        ByteBuf back = read(peer, 0, 40, 20480);
        assertEquals(data, back);
        back.release();
        data.release();
    }

    @Test
    void tooLittleUnsolicitedDataIsAnIncorrectAmount() {
        start("InitialR2T", "No", "FirstBurstLength", "8192");
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 32), false, true, 16384, Unpooled.EMPTY_BUFFER, false));
        IscsiR2t r2t = peer.next(IscsiR2t.class); // beyond the first burst, solicited at once
        assertEquals(8192, r2t.bufferOffset());
        peer.send(new IscsiDataOut(true, 0, peer.itt, RESERVED_TAG, peer.expStatSN, 0, 0, pattern(4096, 1)));
        peer.assertSilent(); // the R2T is still owed its data
        peer.send(new IscsiDataOut(true, 0, peer.itt, r2t.targetTransferTag(), peer.expStatSN, 0, 8192,
                pattern(8192, 1)));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.WRITE_ERROR_NOT_ENOUGH_UNSOLICITED_DATA, sense(r));
        r.release();
    }

    @Test
    void unsolicitedDataWhenInitialR2tIsYesIsUnexpected() {
        start("InitialR2T", "Yes");
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 1), false, true, 512, Unpooled.EMPTY_BUFFER, false));
        peer.send(new IscsiDataOut(true, 0, peer.itt, RESERVED_TAG, peer.expStatSN, 0, 0, pattern(512, 1)));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA, sense(r));
        r.release();
    }

    @Test
    void immediateDataWhenImmediateDataIsNoIsUnexpected() {
        start("ImmediateData", "No");
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 1), false, true, 512, pattern(512, 1), true));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA, sense(r));
        r.release();
    }

    // ---- DataSN and buffer offset errors (RFC 7143 7.2.2, 7.8)

    private IscsiScsiResponse writeTwoUnsolicited(int dataSN0, int offset0, int dataSN1, int offset1) {
        peer.send(command(peer, 0, cdb10(WRITE_10, 50, 2), false, true, 1024, Unpooled.EMPTY_BUFFER, false));
        peer.send(new IscsiDataOut(false, 0, peer.itt, RESERVED_TAG, peer.expStatSN, dataSN0, offset0,
                pattern(512, 1)));
        peer.send(new IscsiDataOut(true, 0, peer.itt, RESERVED_TAG, peer.expStatSN, dataSN1, offset1,
                pattern(512, 2)));
        return peer.next(IscsiScsiResponse.class);
    }

    @Test
    void badDataSnEndsTheTaskAndTheSessionGoesOn() {
        start("InitialR2T", "No", "ImmediateData", "No");
        for (int[] bad : new int[][] {{0, 0, 0, 512}, {1, 0, 0, 512}, {0, 0, 27, 512}, {0, 0, -1, 512}}) {
            IscsiScsiResponse r = writeTwoUnsolicited(bad[0], bad[1], bad[2], bad[3]);
            assertEquals(2, r.status());
            assertEquals(SenseCode.PROTOCOL_SERVICE_CRC_ERROR, sense(r));
            r.release();
            peer.assertSilent();
        }
        IscsiScsiResponse good = writeTwoUnsolicited(0, 0, 1, 512);
        assertEquals(0, good.status());
        good.release();
    }

    @Test
    void badBufferOffsetEndsTheTask() {
        start("InitialR2T", "No", "ImmediateData", "No");
        IscsiScsiResponse r = writeTwoUnsolicited(0, 0, 1, 1024);
        assertEquals(SenseCode.PROTOCOL_SERVICE_CRC_ERROR, sense(r));
        r.release();
        IscsiScsiResponse gap = writeTwoUnsolicited(0, 512, 1, 1024);
        assertEquals(SenseCode.PROTOCOL_SERVICE_CRC_ERROR, sense(gap));
        gap.release();
    }

    @Test
    void badDataSnOnSolicitedDataWaitsForTheFinalPdu() {
        start("InitialR2T", "Yes", "ImmediateData", "No");
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 2), false, true, 1024, Unpooled.EMPTY_BUFFER, true));
        IscsiR2t r2t = peer.next(IscsiR2t.class);
        peer.send(new IscsiDataOut(false, 0, peer.itt, r2t.targetTransferTag(), peer.expStatSN, 5, 0,
                pattern(512, 1)));
        peer.assertSilent(); // the response waits for the end of the sequence
        peer.send(new IscsiDataOut(true, 0, peer.itt, r2t.targetTransferTag(), peer.expStatSN, 6, 512,
                pattern(512, 1)));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.PROTOCOL_SERVICE_CRC_ERROR, sense(r));
        r.release();
    }

    @Test
    void dataOutForAnUnknownTargetTransferTagIsRejected() {
        start();
        peer.send(new IscsiDataOut(true, 0, 77, 0x1234, peer.expStatSN, 0, 0, pattern(512, 1)));
        IscsiReject reject = peer.next(IscsiReject.class);
        assertEquals(IscsiConstants.REJECT_INVALID_PDU_FIELD, reject.reason());
        assertEquals(IscsiOpcode.SCSI_DATA_OUT.code(), reject.data().getByte(0) & 0x3F);
        reject.release();
    }

    @Test
    void dataDigestErrorIsRejectedAndEndsTheTask() {
        start(IscsiServerOptions.defaults(), "DataDigest", "CRC32C", "InitialR2T", "No", "ImmediateData", "No");
        peer.digests(false, true);
        peer.send(command(peer, 0, cdb10(WRITE_10, 0, 1), false, true, 512, Unpooled.EMPTY_BUFFER, false));
        ByteBuf wire = peer.encode(new IscsiDataOut(true, 0, peer.itt, RESERVED_TAG, peer.expStatSN, 0, 0,
                pattern(512, 1)));
        wire.setByte(48 + 10, wire.getByte(48 + 10) ^ 0x40);
        peer.sendRaw(wire);
        IscsiReject reject = peer.next(IscsiReject.class);
        assertEquals(IscsiConstants.REJECT_DATA_DIGEST_ERROR, reject.reason());
        reject.release();
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.PROTOCOL_SERVICE_CRC_ERROR, sense(r));
        r.release();
    }

    @Test
    void headerDigestErrorDropsTheConnection() {
        start(IscsiServerOptions.defaults(), "HeaderDigest", "CRC32C");
        peer.digests(true, false);
        ByteBuf wire = peer.encode(command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        wire.setByte(20, 0x7F);
        peer.sendRaw(wire);
        assertFalse(peer.channel.isActive());
    }

    @Test
    void reservedBitsInACommandAreRejected() {
        start();
        ByteBuf wire = peer.encode(command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        wire.setByte(2, 1);
        peer.sendRaw(wire);
        IscsiReject r = peer.next(IscsiReject.class);
        assertEquals(IscsiConstants.REJECT_INVALID_PDU_FIELD, r.reason());
        r.release();
    }

    @Test
    void snackIsRejectedAtErrorRecoveryLevelZero() {
        start();
        peer.send(new IscsiSnackRequest(1, 0, RESERVED_TAG, 0, peer.expStatSN, 0, 0));
        IscsiReject r = peer.next(IscsiReject.class);
        assertEquals(IscsiConstants.REJECT_PROTOCOL_ERROR, r.reason());
        r.release();
    }

    // ---- CmdSN window (4.2.2.1)

    private IscsiScsiCommand tur(int cmdSN) {
        return new IscsiScsiCommand(false, true, false, false, 1, 0, ++peer.itt, 0, cmdSN, peer.expStatSN,
                TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER);
    }

    @Test
    void commandsOutsideTheWindowAreDroppedSilently() {
        start(IscsiServerOptions.defaults().withCommandWindow(8));
        int exp = peer.cmdSN;
        peer.send(tur(exp + 8)); // MaxCmdSN + 1
        peer.assertSilent();
        peer.send(tur(exp - 1)); // below ExpCmdSN
        peer.assertSilent();
        peer.send(tur(exp));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(0, r.status());
        assertEquals(exp + 1, r.expCmdSN());
        assertEquals(exp + 8, r.maxCmdSN());
        r.release();
    }

    @Test
    void commandsInsideTheWindowWaitForTheGap() {
        start();
        int exp = peer.cmdSN;
        IscsiScsiCommand later = tur(exp + 1);
        peer.send(later);
        peer.assertSilent();
        IscsiScsiCommand first = tur(exp);
        peer.send(first);
        IscsiScsiResponse a = peer.next(IscsiScsiResponse.class);
        IscsiScsiResponse b = peer.next(IscsiScsiResponse.class);
        assertEquals(first.initiatorTaskTag(), a.initiatorTaskTag());
        assertEquals(later.initiatorTaskTag(), b.initiatorTaskTag());
        assertEquals(exp + 2, b.expCmdSN());
        a.release();
        b.release();
    }

    @Test
    void maxCmdSnGrowsWhenHeldCommandsComplete() {
        start(IscsiServerOptions.defaults().withCommandWindow(4));
        peer.send(command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        IscsiScsiResponse warm = peer.next(IscsiScsiResponse.class); // the first command reports a unit attention?
        warm.release();
        int exp = peer.cmdSN;
        for (int i = 0; i < 4; i++) {
            peer.send(command(peer, lun(1), cdb10(READ_10, i, 1), true, false, 512, Unpooled.EMPTY_BUFFER, true));
        }
        assertEquals(4, device.size());
        peer.send(command(peer, lun(1), cdb10(READ_10, 9, 1), true, false, 512, Unpooled.EMPTY_BUFFER, true));
        peer.assertSilent();
        assertEquals(4, device.size(), "the fifth command was beyond MaxCmdSN");
        device.runAll();
        int max = 0;
        for (IscsiPdu pdu : peer.received()) {
            IscsiDataIn d = assertInstanceOf(IscsiDataIn.class, pdu);
            max = d.maxCmdSN();
            d.release();
        }
        assertEquals(exp + 4 + 3, max, "MaxCmdSN = ExpCmdSN - 1 + window once nothing runs");
    }

    @Test
    void immediateCommandsDoNotTakeACmdSn() {
        start();
        int exp = peer.cmdSN;
        peer.send(new IscsiScsiCommand(true, true, false, false, 1, 0, ++peer.itt, 0, exp, peer.expStatSN,
                TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER));
        IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
        assertEquals(exp, r.expCmdSN());
        r.release();
    }

    @Test
    void statSnAdvancesByOnePerResponse() {
        start();
        int first = peer.expStatSN;
        for (int i = 0; i < 3; i++) {
            peer.send(command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
            IscsiScsiResponse r = peer.next(IscsiScsiResponse.class);
            assertEquals(first + i, r.statSN());
            r.release();
        }
    }

    // ---- NOP

    @Test
    void nopOutPingIsEchoed() {
        start();
        peer.send(new IscsiNopOut(true, 0, 0x55, RESERVED_TAG, peer.cmdSN, peer.expStatSN, pattern(100, 3)));
        IscsiNopIn n = peer.next(IscsiNopIn.class);
        assertEquals(0x55, n.initiatorTaskTag());
        assertEquals(RESERVED_TAG, n.targetTransferTag());
        ByteBuf expected = pattern(100, 3);
        assertEquals(expected, n.data());
        expected.release();
        n.release();
    }

    @Test
    void idleConnectionsArePingedAndDroppedWhenSilent() {
        start(IscsiServerOptions.defaults().withNop(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        peer.advanceTime(5001);
        IscsiNopIn ping = peer.next(IscsiNopIn.class);
        assertEquals(RESERVED_TAG, ping.initiatorTaskTag());
        assertNotEquals(RESERVED_TAG, ping.targetTransferTag());
        ping.release();
        peer.send(new IscsiNopOut(true, 0, RESERVED_TAG, ping.targetTransferTag(), peer.cmdSN, peer.expStatSN,
                Unpooled.EMPTY_BUFFER));
        peer.advanceTime(5001);
        assertTrue(peer.channel.isActive(), "answered in time");
        peer.assertSilent(); // traffic in the last interval: no ping
        peer.advanceTime(5001);
        peer.next(IscsiNopIn.class).release();
        peer.advanceTime(5001);
        assertFalse(peer.channel.isActive(), "the second ping went unanswered");
    }

    // ---- task management (11.5, 4.2.3.3)

    private IscsiTaskManagementRequest tmf(int function, long lun, int referenced, int refCmdSN) {
        return new IscsiTaskManagementRequest(true, function, lun, ++peer.itt, referenced, peer.cmdSN, peer.expStatSN,
                refCmdSN, 0);
    }

    @Test
    void abortTaskAnswersAfterTheDeviceIsDoneAndSuppressesTheTasksResponse() {
        start();
        IscsiScsiCommand read = command(peer, lun(1), cdb10(READ_10, 0, 1), true, false, 512, Unpooled.EMPTY_BUFFER,
                true);
        peer.send(read);
        assertEquals(1, device.size());
        peer.send(tmf(IscsiConstants.TMF_ABORT_TASK, lun(1), read.initiatorTaskTag(), read.cmdSN()));
        peer.assertSilent(); // the device still has the task
        device.runAll();
        IscsiTaskManagementResponse r = peer.next(IscsiTaskManagementResponse.class);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, r.response());
        peer.assertSilent(); // and no response for the aborted READ
    }

    @Test
    void abortTaskWaitsForTheInitiatorToAcknowledgeStatSn() {
        start();
        int stale = peer.expStatSN;
        IscsiScsiCommand read = command(peer, lun(1), cdb10(READ_10, 0, 1), true, false, 512, Unpooled.EMPTY_BUFFER,
                true);
        peer.send(read);
        peer.send(command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        peer.send(new IscsiTaskManagementRequest(true, IscsiConstants.TMF_ABORT_TASK, lun(1), ++peer.itt,
                read.initiatorTaskTag(), peer.cmdSN, stale, read.cmdSN(), 0));
        device.runAll();
        IscsiScsiResponse tur = peer.next(IscsiScsiResponse.class);
        assertEquals(stale, tur.statSN(), "a response the initiator has not acknowledged yet");
        tur.release();
        IscsiNopIn ping = peer.next(IscsiNopIn.class);
        assertNotEquals(RESERVED_TAG, ping.targetTransferTag(), "the target solicits ExpStatSN");
        peer.assertSilent();
        peer.send(new IscsiNopOut(true, 0, RESERVED_TAG, ping.targetTransferTag(), peer.cmdSN, stale + 1,
                Unpooled.EMPTY_BUFFER));
        IscsiTaskManagementResponse r = peer.next(IscsiTaskManagementResponse.class);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, r.response());
        peer.assertSilent();
    }

    @Test
    void abortTaskOfAFinishedTaskDoesNotExist() {
        start();
        IscsiScsiCommand tur = command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true);
        peer.send(tur);
        peer.next(IscsiScsiResponse.class).release();
        peer.send(tmf(IscsiConstants.TMF_ABORT_TASK, 0, tur.initiatorTaskTag(), tur.cmdSN()));
        assertEquals(IscsiConstants.TMF_TASK_DOES_NOT_EXIST,
                peer.next(IscsiTaskManagementResponse.class).response());
    }

    @Test
    void abortTaskOfACommandNotYetReceivedConsumesItsCmdSn() {
        start();
        int missing = peer.cmdSN;
        peer.send(new IscsiTaskManagementRequest(true, IscsiConstants.TMF_ABORT_TASK, 0, ++peer.itt, 0x999,
                missing + 1, peer.expStatSN, missing, 0));
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, peer.next(IscsiTaskManagementResponse.class).response());
        peer.send(new IscsiScsiCommand(false, true, false, false, 1, 0, 0x999, 0, missing, peer.expStatSN,
                TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER));
        peer.assertSilent(); // its CmdSN was consumed by the abort
        peer.cmdSN = missing + 1;
        peer.send(command(peer, 0, TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        peer.next(IscsiScsiResponse.class).release();
    }

    @Test
    void lunResetWaitsForDataOwedAndTasksInTheDevice() {
        start("InitialR2T", "Yes", "ImmediateData", "No");
        IscsiScsiCommand held = command(peer, lun(1), cdb10(READ_10, 0, 1), true, false, 512, Unpooled.EMPTY_BUFFER,
                true);
        peer.send(held);
        IscsiScsiCommand write = command(peer, lun(1), cdb10(WRITE_10, 0, 1), false, true, 512,
                Unpooled.EMPTY_BUFFER, true);
        peer.send(write);
        IscsiR2t r2t = peer.next(IscsiR2t.class);
        peer.send(tmf(IscsiConstants.TMF_LOGICAL_UNIT_RESET, lun(1), RESERVED_TAG, 0));
        device.runAll();
        peer.assertSilent(); // the write still owes its data
        peer.send(new IscsiDataOut(true, lun(1), write.initiatorTaskTag(), r2t.targetTransferTag(), peer.expStatSN,
                0, 0, pattern(512, 1)));
        IscsiTaskManagementResponse r = peer.next(IscsiTaskManagementResponse.class);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, r.response());
        peer.assertSilent(); // neither the READ nor the WRITE answers
        assertEquals(0, device.size(), "the aborted WRITE never reached the device");
        // The reset left a unit attention for this nexus too.
        peer.send(command(peer, lun(1), TEST_UNIT_READY, false, false, 0, Unpooled.EMPTY_BUFFER, true));
        IscsiScsiResponse ua = peer.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED, sense(ua));
        ua.release();
    }

    @Test
    void lunResetOfAnotherSessionsTaskAnswersItWithTaskAborted() {
        start();
        IscsiPeer other = connect();
        IscsiScsiCommand read = command(other, lun(1), cdb10(READ_10, 0, 1), true, false, 512, Unpooled.EMPTY_BUFFER,
                true);
        other.send(read);
        peer.send(tmf(IscsiConstants.TMF_LOGICAL_UNIT_RESET, lun(1), RESERVED_TAG, 0));
        other.channel.runPendingTasks();
        peer.assertSilent();
        device.runAll();
        other.channel.runPendingTasks();
        peer.channel.runPendingTasks();
        IscsiScsiResponse aborted = other.next(IscsiScsiResponse.class);
        assertEquals(0x40, aborted.status());
        assertEquals(read.initiatorTaskTag(), aborted.initiatorTaskTag());
        aborted.release();
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, peer.next(IscsiTaskManagementResponse.class).response());
    }

    @Test
    void taskManagementCodesWeDoNotServe() {
        start();
        peer.send(tmf(IscsiConstants.TMF_CLEAR_ACA, 0, RESERVED_TAG, 0));
        assertEquals(IscsiConstants.TMF_NOT_SUPPORTED, peer.next(IscsiTaskManagementResponse.class).response());
        peer.send(tmf(IscsiConstants.TMF_TASK_REASSIGN, 0, 5, 0));
        assertEquals(IscsiConstants.TMF_REASSIGNMENT_NOT_SUPPORTED,
                peer.next(IscsiTaskManagementResponse.class).response());
        peer.send(tmf(IscsiConstants.TMF_LOGICAL_UNIT_RESET, lun(42), RESERVED_TAG, 0));
        assertEquals(IscsiConstants.TMF_LUN_DOES_NOT_EXIST, peer.next(IscsiTaskManagementResponse.class).response());
    }

    @Test
    void abortTaskSetIsSilentForTheSessionsTasks() {
        start();
        peer.send(command(peer, lun(1), cdb10(READ_10, 0, 1), true, false, 512, Unpooled.EMPTY_BUFFER, true));
        peer.send(command(peer, lun(1), cdb10(READ_10, 1, 1), true, false, 512, Unpooled.EMPTY_BUFFER, true));
        peer.send(tmf(IscsiConstants.TMF_ABORT_TASK_SET, lun(1), RESERVED_TAG, 0));
        device.runAll();
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, peer.next(IscsiTaskManagementResponse.class).response());
        peer.assertSilent();
    }

    @Test
    void targetColdResetDropsTheConnectionAfterTheResponse() {
        start();
        peer.send(tmf(IscsiConstants.TMF_TARGET_COLD_RESET, 0, RESERVED_TAG, 0));
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, peer.next(IscsiTaskManagementResponse.class).response());
        peer.channel.runPendingTasks();
        assertFalse(peer.channel.isActive());
    }

    // ---- logout, text, discovery

    @Test
    void logoutClosesTheSessionAndReportsNexusLoss() {
        start();
        assertEquals(1, server.sessions().size());
        peer.send(new IscsiLogoutRequest(true, IscsiConstants.LOGOUT_CLOSE_SESSION, ++peer.itt, 0, peer.cmdSN,
                peer.expStatSN));
        IscsiLogoutResponse r = peer.next(IscsiLogoutResponse.class);
        assertEquals(IscsiConstants.LOGOUT_CLOSED, r.response());
        peer.channel.runPendingTasks();
        assertFalse(peer.channel.isActive());
        peer.channel.runPendingTasks();
        assertTrue(server.sessions().isEmpty());
    }

    @Test
    void logoutForRecoveryIsNotSupported() {
        start();
        peer.send(new IscsiLogoutRequest(true, IscsiConstants.LOGOUT_REMOVE_CONNECTION_FOR_RECOVERY, ++peer.itt, 0,
                peer.cmdSN, peer.expStatSN));
        assertEquals(IscsiConstants.LOGOUT_RECOVERY_NOT_SUPPORTED, peer.next(IscsiLogoutResponse.class).response());
        assertTrue(peer.channel.isActive());
    }

    @Test
    void sendTargetsInANormalSessionListsItsOwnTarget() {
        start();
        peer.send(new IscsiTextRequest(true, true, false, 0, ++peer.itt, RESERVED_TAG, peer.cmdSN, peer.expStatSN,
                IscsiPeer.text(IscsiPeer.keys("SendTargets", ""))));
        IscsiTextResponse t = peer.next(IscsiTextResponse.class);
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:3260,1\0", IscsiPeer.ascii(t.data()));
        t.release();
    }

    @Test
    void maxRecvDataSegmentLengthCanChangeInFullFeaturePhase() {
        start();
        peer.send(new IscsiTextRequest(true, true, false, 0, ++peer.itt, RESERVED_TAG, peer.cmdSN, peer.expStatSN,
                IscsiPeer.text(IscsiPeer.keys("MaxRecvDataSegmentLength", "1024", "MaxBurstLength", "1024"))));
        IscsiTextResponse t = peer.next(IscsiTextResponse.class);
        assertEquals("MaxBurstLength=Reject\0", IscsiPeer.ascii(t.data()));
        t.release();
        ByteBuf back = read(peer, 0, 4, 2048);
        assertEquals(2048, back.readableBytes());
        back.release();
    }

    @Test
    void discoverySessionsCarryNoScsiCommands() {
        server = new IscsiServer(IscsiServerOptions.defaults());
        IscsiPeer d = new IscsiPeer(server);
        peers.add(d);
        IscsiLoginResponse r = d.login(1, 3, true, IscsiPeer.keys("InitiatorName", IscsiPeer.INITIATOR,
                "SessionType", "Discovery"));
        d.expStatSN = r.statSN() + 1;
        r.release();
        d.send(new IscsiScsiCommand(false, true, false, false, 1, 0, 1, 0, d.cmdSN, d.expStatSN, TEST_UNIT_READY, -1,
                Unpooled.EMPTY_BUFFER));
        IscsiReject reject = d.next(IscsiReject.class);
        assertEquals(IscsiConstants.REJECT_PROTOCOL_ERROR, reject.reason());
        reject.release();
    }

    @Test
    void longSendTargetsAnswersComeInPiecesFetchedByTheirTtt() {
        server = new IscsiServer(IscsiServerOptions.defaults());
        for (int i = 0; i < 150; i++) {
            server.addTarget(new IscsiTarget("iqn.2026-11.org.lunforge:many-%03d".formatted(i)).portalGroup(
                    new IscsiPortalGroup(1, 100 + i, List.of(new IscsiPortal("127.0.0.1", 3260)))
                            .generateNodeAcls(true)));
        }
        IscsiPeer d = new IscsiPeer(server);
        peers.add(d);
        IscsiLoginResponse r = d.login(1, 3, true, IscsiPeer.keys("InitiatorName", IscsiPeer.INITIATOR,
                "SessionType", "Discovery"));
        d.expStatSN = r.statSN() + 1;
        r.release();
        int itt = 77;
        d.send(new IscsiTextRequest(true, true, false, 0, itt, RESERVED_TAG, d.cmdSN, d.expStatSN,
                IscsiPeer.text(IscsiPeer.keys("SendTargets", "All"))));
        ByteBuf all = Unpooled.buffer();
        int pieces = 0;
        while (true) {
            IscsiTextResponse t = d.next(IscsiTextResponse.class);
            pieces++;
            assertTrue(t.data().readableBytes() <= 8192, "the initiator's default MaxRecvDataSegmentLength");
            all.writeBytes(t.data());
            t.release();
            if (t.finalPdu()) {
                assertEquals(RESERVED_TAG, t.targetTransferTag());
                break;
            }
            assertTrue(t.continueFlag());
            assertNotEquals(RESERVED_TAG, t.targetTransferTag());
            d.send(new IscsiTextRequest(true, true, false, 0, itt, t.targetTransferTag(), d.cmdSN, d.expStatSN,
                    Unpooled.EMPTY_BUFFER));
        }
        assertTrue(pieces > 1);
        String text = IscsiPeer.ascii(all);
        all.release();
        assertEquals(150, text.split("TargetName=").length - 1);
        assertTrue(text.endsWith("TargetAddress=127.0.0.1:3260,1\0"));
    }

    @Test
    void textRequestsMayContinueOverSeveralPdus() {
        start();
        byte[] whole = IscsiText.encode(IscsiPeer.keys("X-com.example.a", "1", "SendTargets", ""));
        peer.send(new IscsiTextRequest(true, false, true, 0, 50, RESERVED_TAG, peer.cmdSN, peer.expStatSN,
                Unpooled.wrappedBuffer(whole, 0, 10)));
        IscsiTextResponse ack = peer.next(IscsiTextResponse.class);
        assertFalse(ack.finalPdu());
        assertEquals(0, ack.data().readableBytes());
        peer.send(new IscsiTextRequest(true, true, false, 0, 50, ack.targetTransferTag(), peer.cmdSN,
                peer.expStatSN, Unpooled.wrappedBuffer(whole, 10, whole.length - 10)));
        IscsiTextResponse t = peer.next(IscsiTextResponse.class);
        assertTrue(t.finalPdu());
        assertEquals("X-com.example.a=NotUnderstood\0TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:3260,1\0",
                IscsiPeer.ascii(t.data()));
        t.release();
    }

    @Test
    void abortTaskOfAWriteWaitingForDataAnswersOnceTheDataIsIn() {
        start("InitialR2T", "Yes", "ImmediateData", "No");
        IscsiScsiCommand write = command(peer, 0, cdb10(WRITE_10, 0, 1), false, true, 512, Unpooled.EMPTY_BUFFER,
                true);
        peer.send(write);
        IscsiR2t r2t = peer.next(IscsiR2t.class);
        peer.send(tmf(IscsiConstants.TMF_ABORT_TASK, 0, write.initiatorTaskTag(), write.cmdSN()));
        peer.assertSilent(); // its R2T is still outstanding (4.2.3.3: the target waits for the TTT's answer)
        peer.send(new IscsiDataOut(true, 0, write.initiatorTaskTag(), r2t.targetTransferTag(), peer.expStatSN, 0, 0,
                pattern(512, 1)));
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE, peer.next(IscsiTaskManagementResponse.class).response());
        peer.assertSilent();
    }

    @Test
    void anAclMapsTheLunsItsInitiatorSees() {
        server = new IscsiServer(IscsiServerOptions.defaults());
        LogicalUnit first = RamDisk.logicalUnit("first", 1 << 20, null);
        LogicalUnit second = RamDisk.logicalUnit("second", 2 << 20, null);
        server.addTarget(new IscsiTarget(TARGET)
                .portalGroup(new IscsiPortalGroup(1, 1, List.of(new IscsiPortal("127.0.0.1", 3260)))
                        .lun(0, first).lun(5, second)
                        .acl(new IscsiAcl(IscsiPeer.INITIATOR, java.util.Map.of(0, 5), null, null))));
        IscsiPeer p = connect();
        Cdb reportLuns = Cdb.of(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        p.send(command(p, 0, reportLuns, true, false, 256, Unpooled.EMPTY_BUFFER, true));
        IscsiDataIn luns = p.next(IscsiDataIn.class);
        assertEquals(8, luns.data().getInt(0), "one LUN");
        assertEquals(0L, luns.data().getLong(8), "seen as LUN 0");
        luns.release();
        Cdb readCapacity = Cdb.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        p.send(command(p, 0, readCapacity, true, false, 8, Unpooled.EMPTY_BUFFER, true));
        p.drain(); // the first command reports the power-on unit attention or data; take the capacity next
        p.send(command(p, 0, readCapacity, true, false, 8, Unpooled.EMPTY_BUFFER, true));
        IscsiDataIn capacity = p.next(IscsiDataIn.class);
        assertEquals((2 << 20) / 512 - 1, capacity.data().getInt(0), "LUN 0 is the target's LUN 5");
        capacity.release();
    }
}
