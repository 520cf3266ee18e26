package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import org.junit.jupiter.api.Test;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunAddress;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TaskRouter;

class TaskRouterTest {
    private final Harness lun0 = new Harness();
    private final Harness lun1 = new Harness();
    private final LunMap map = new LunMap() {
        @Override
        public LogicalUnit logicalUnit(int lun) {
            return switch (lun) {
                case 0 -> lun0.lu;
                case 1 -> lun1.lu;
                default -> null;
            };
        }

        @Override
        public int[] luns() {
            return new int[] {0, 1};
        }
    };
    private final Nexus a = nexus("iqn.1994-05.com.redhat:a");

    private RecordingTask route(int lun, int alloc, int... cdb) {
        RecordingTask t = new RecordingTask(a, Cdb.of(cdb), new byte[0], alloc);
        TaskRouter.route(t, LunAddress.encode(lun), map);
        return t;
    }

    @Test
    void reportLunsClearsReportedLunsDataHasChangedOnEveryLogicalUnitOfTheNexus() {
        lun0.login(a);
        lun1.login(a);
        lun0.lu.reportedLunsChanged();
        lun1.lu.reportedLunsChanged();
        RecordingTask t = route(1, 64, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0);
        assertGood(t);
        assertEquals(16, BigEndian.u32(t.data(), 0));
        assertGood(route(0, 0, 0x00, 0, 0, 0, 0, 0));
        assertGood(route(1, 0, 0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void anAbsentLunAnswersInquiryWithQualifier3AndOtherwiseLogicalUnitNotSupported() {
        RecordingTask inquiry = route(5, 36, 0x12, 0, 0, 0, 36, 0);
        assertGood(inquiry);
        assertEquals(0x7F, inquiry.data()[0] & 0xFF);
        assertCheck(route(5, 0, 0x00, 0, 0, 0, 0, 0), SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
    }
}
