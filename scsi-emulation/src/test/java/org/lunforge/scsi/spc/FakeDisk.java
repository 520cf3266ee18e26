package org.lunforge.scsi.spc;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.BlockDescriptor;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogPage;
import org.lunforge.scsi.LogParameter;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.OperationTrait;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ReservationClass;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.VpdPage;

/**
 * A tiny direct-access device server: READ(10) and WRITE(10) that move no data, a caching mode page (08h, WCE
 * changeable), a block descriptor, one counter log page, one VPD page (B0h). Records the mode page callbacks.
 */
final class FakeDisk implements DeviceServer {
    static final long BLOCKS = 2048;
    static final int BLOCK_LENGTH = 512;

    final List<byte[]> modePageCallbacks = new ArrayList<>();
    boolean ready = true;
    boolean writeProtected;
    boolean refuseCachingChanges;
    long counter = 7;
    LogicalUnit lu;

    record Read() implements Command {
    }

    record Write() implements Command {
    }

    enum DiskOperation implements Operation {
        READ_10(0x28, "28 00 ff ff ff ff 00 ff ff 00", ReservationClass.READ, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
        WRITE_10(0x2A, "2a 00 ff ff ff ff 00 ff ff 00", ReservationClass.WRITE,
                EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
        /** SBC-4 PREVENT ALLOW MEDIUM REMOVAL: PREVENT 0 is allowed under reservations, PREVENT 1 writes. */
        PREVENT_ALLOW(0x1E, "1e 00 00 00 03 00", ReservationClass.WRITE, EnumSet.noneOf(OperationTrait.class));

        private final int opcode;
        private final byte[] usage;
        private final ReservationClass rc;
        private final Set<OperationTrait> traits;

        DiskOperation(int opcode, String usage, ReservationClass rc, Set<OperationTrait> traits) {
            this.opcode = opcode;
            this.usage = CommandTable.usage(usage);
            this.rc = rc;
            this.traits = traits;
        }

        @Override
        public String displayName() {
            return name();
        }

        @Override
        public int opcode() {
            return opcode;
        }

        @Override
        public int serviceAction() {
            return NO_SERVICE_ACTION;
        }

        @Override
        public byte[] cdbUsage() {
            return usage;
        }

        @Override
        public Command decode(Cdb cdb) {
            return switch (this) {
                case READ_10 -> new Read();
                case WRITE_10 -> new Write();
                case PREVENT_ALLOW -> new PreventAllow(cdb.bits(4, 1, 2) != 0);
            };
        }

        @Override
        public ReservationClass reservationClass() {
            return rc;
        }

        @Override
        public ReservationClass reservationClass(Command decoded) {
            return decoded instanceof PreventAllow p && !p.prevent() ? ReservationClass.ALLOWED : rc;
        }

        @Override
        public long nominalTimeoutSeconds() {
            return this == WRITE_10 ? 30 : 0;
        }

        @Override
        public Set<OperationTrait> traits() {
            return traits;
        }
    }

    record PreventAllow(boolean prevent) implements Command {
    }

    static ModePageDefinition caching() {
        byte[] defaults = new byte[20];
        defaults[0] = 0x08;
        defaults[1] = 18;
        defaults[2] = 0x04; // WCE
        byte[] changeable = new byte[20];
        changeable[2] = 0x04;
        return new ModePageDefinition(0x08, 0, defaults, changeable, true);
    }

    static ModePageDefinition subpage() {
        byte[] defaults = new byte[8];
        defaults[0] = 0x40 | 0x08;
        defaults[1] = 0x01;
        BigEndian.put16(defaults, 2, 4);
        byte[] changeable = new byte[8];
        changeable[4] = (byte) 0xFF;
        return new ModePageDefinition(0x08, 0x01, defaults, changeable, false);
    }

    @Override
    public PeripheralDeviceType deviceType() {
        return PeripheralDeviceType.DIRECT_ACCESS_BLOCK;
    }

    @Override
    public boolean removableMedium() {
        return false;
    }

    @Override
    public List<? extends Operation> operations() {
        return List.of(DiskOperation.values());
    }

    @Override
    public void attach(LogicalUnit logicalUnit) {
        this.lu = logicalUnit;
    }

    @Override
    public void execute(ScsiTask task, Command command) {
        lu.good(task, 0);
    }

    @Override
    public void checkReady() {
        if (!ready) {
            throw new CheckCondition(SenseCode.MEDIUM_NOT_PRESENT);
        }
    }

    @Override
    public boolean writeProtected() {
        return writeProtected;
    }

    @Override
    public List<VpdPage> vpdPages() {
        return List.of(new VpdPage() {
            @Override
            public int pageCode() {
                return 0xB0;
            }

            @Override
            public byte[] payload(Nexus nexus) {
                return new byte[60];
            }
        });
    }

    @Override
    public List<ModePageDefinition> modePages() {
        return List.of(caching(), subpage());
    }

    @Override
    public void modePageChanged(ModePageDefinition page, byte[] current) {
        if (refuseCachingChanges && page.pageCode() == 0x08) {
            throw CheckCondition.invalidFieldInParameterList(2, 2);
        }
        modePageCallbacks.add(current);
    }

    @Override
    public List<LogPage> logPages() {
        return List.of(new LogPage() {
            @Override
            public int pageCode() {
                return 0x02; // write error counters
            }

            @Override
            public List<LogParameter> parameters(int pageControl) {
                return List.of(LogParameter.counter(0x0000, counter, 4), LogParameter.counter(0x0003, 3, 4),
                        LogParameter.counter(0x0006, 6, 4));
            }

            @Override
            public void reset(int pageControl) {
                counter = 0;
            }

            @Override
            public boolean select(int pageControl, LogParameter parameter) {
                if (parameter.code() != 0) {
                    return false;
                }
                counter = BigEndian.u32(parameter.value(), 0);
                return true;
            }
        });
    }

    @Override
    public BlockDescriptor blockDescriptor() {
        return new BlockDescriptor(0, BLOCKS, BLOCK_LENGTH);
    }

    @Override
    public int deviceSpecificParameter() {
        return 0x10 | (writeProtected ? 0x80 : 0); // DPOFUA
    }
}
