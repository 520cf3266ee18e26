package org.lunforge.server.control;

import java.time.Duration;
import java.util.Locale;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.fault.Fault;
import org.lunforge.scsi.fault.FaultCommands;
import org.lunforge.scsi.fault.FaultEffect;
import org.lunforge.scsi.fault.LbaRange;
import org.lunforge.server.FaultInjection;

/** The control protocol's fault messages and the fault model, both ways; a spec that makes no sense is refused. */
final class FaultMessages {
    private FaultMessages() {
    }

    /** The fault a spec describes; IllegalArgumentException with the reason if it describes none. */
    static Fault fault(FaultSpec spec) {
        FaultEffect effect = switch (spec.getKind()) {
            case MEDIUM_ERROR -> new FaultEffect.MediumError();
            case UNIT_ATTENTION -> new FaultEffect.Answer(sense(spec, SenseKey.UNIT_ATTENTION,
                    SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED));
            case NOT_READY -> new FaultEffect.Answer(sense(spec, SenseKey.NOT_READY,
                    SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE));
            case SENSE -> {
                if (spec.getSense().isEmpty()) {
                    throw new IllegalArgumentException("a sense fault names its sense code (sense=NAME)");
                }
                yield new FaultEffect.Answer(sense(spec, null, null));
            }
            case BUSY -> new FaultEffect.Status(ScsiStatus.BUSY);
            case TASK_SET_FULL -> new FaultEffect.Status(ScsiStatus.TASK_SET_FULL);
            case LATENCY -> {
                if (spec.getLatencyMs() == 0) {
                    throw new IllegalArgumentException("a latency fault says how long (ms=N)");
                }
                yield new FaultEffect.Latency(Duration.ofMillis(spec.getLatencyMs()));
            }
            case HOLD -> new FaultEffect.Hold();
            case KIND_UNSET, UNRECOGNIZED -> throw new IllegalArgumentException("no fault kind named (medium-error,"
                    + " unit-attention, not-ready, sense, busy, task-set-full, latency, hold)");
        };
        if (!spec.getSense().isEmpty() && !(effect instanceof FaultEffect.Answer)) {
            throw new IllegalArgumentException("sense= goes with unit-attention, not-ready or sense faults");
        }
        if (spec.getLatencyMs() != 0 && !(effect instanceof FaultEffect.Latency)) {
            throw new IllegalArgumentException("ms= goes with latency faults");
        }
        FaultCommands commands = switch (spec.getCommands()) {
            case READS -> FaultCommands.READS;
            case WRITES -> FaultCommands.WRITES;
            case READS_AND_WRITES -> FaultCommands.READS_AND_WRITES;
            case ALL -> FaultCommands.ALL;
            case DEFAULT, UNRECOGNIZED -> effect instanceof FaultEffect.MediumError || effect instanceof
                    FaultEffect.Latency || effect instanceof FaultEffect.Hold || !spec.getLba().isEmpty()
                    ? FaultCommands.READS_AND_WRITES : FaultCommands.ALL;
        };
        LbaRange lba = spec.getLba().isEmpty() ? null : LbaRange.parse(spec.getLba());
        return new Fault(effect, commands, lba, portName(spec.getTargetPort()), spec.getLimit());
    }

    /** "IQN,TPGT" as the port's name ("IQN,t,0x0001"); a full name as given; empty: null (every port). */
    static String portName(String text) {
        if (text.isEmpty()) {
            return null;
        }
        if (text.toLowerCase(Locale.ROOT).contains(",t,")) {
            return text;
        }
        int comma = text.lastIndexOf(',');
        if (comma <= 0) {
            throw new IllegalArgumentException("target port '" + text + "': write IQN,TPGT");
        }
        int tag;
        try {
            tag = Integer.parseInt(text.substring(comma + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target port '" + text + "': TPGT is a number");
        }
        return TargetPort.iscsi(1, text.substring(0, comma), tag).name();
    }

    private static SenseCode sense(FaultSpec spec, SenseKey key, SenseCode fallback) {
        if (spec.getSense().isEmpty()) {
            return fallback;
        }
        SenseCode code;
        try {
            code = SenseCode.valueOf(spec.getSense().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no sense code " + spec.getSense() + " (names as in SenseCode,"
                    + " e.g. UNRECOVERED_READ_ERROR)");
        }
        if (key != null && code.key() != key) {
            throw new IllegalArgumentException(code + " has sense key " + code.key() + ", not " + key);
        }
        return code;
    }

    static org.lunforge.server.control.ArmedFault armed(String path, org.lunforge.scsi.fault.ArmedFault a,
                                                        FaultSpec spec) {
        return org.lunforge.server.control.ArmedFault.newBuilder().setObject(path).setId(a.id()).setFault(spec)
                .setDescription(a.fault().toString()).setFired(a.fired()).setHeld(a.held()).setSpent(a.spent())
                .build();
    }

    /** The spec a fault was armed from, rebuilt from the fault (what a listing shows). */
    static FaultSpec spec(Fault f) {
        FaultSpec.Builder b = FaultSpec.newBuilder().setLimit(f.limit());
        switch (f.effect()) {
            case FaultEffect.MediumError m -> b.setKind(FaultSpec.Kind.MEDIUM_ERROR);
            case FaultEffect.Answer a -> b.setKind(switch (a.code().key()) {
                case UNIT_ATTENTION -> FaultSpec.Kind.UNIT_ATTENTION;
                case NOT_READY -> FaultSpec.Kind.NOT_READY;
                default -> FaultSpec.Kind.SENSE;
            }).setSense(a.code().name());
            case FaultEffect.Status s -> b.setKind(s.status() == ScsiStatus.BUSY ? FaultSpec.Kind.BUSY
                    : FaultSpec.Kind.TASK_SET_FULL);
            case FaultEffect.Latency l -> b.setKind(FaultSpec.Kind.LATENCY).setLatencyMs((int) l.delay().toMillis());
            case FaultEffect.Hold h -> b.setKind(FaultSpec.Kind.HOLD);
        }
        b.setCommands(switch (f.commands()) {
            case READS -> FaultSpec.Commands.READS;
            case WRITES -> FaultSpec.Commands.WRITES;
            case READS_AND_WRITES -> FaultSpec.Commands.READS_AND_WRITES;
            case ALL -> FaultSpec.Commands.ALL;
        });
        if (f.lba() != null) {
            b.setLba(f.lba().toString());
        }
        if (f.targetPort() != null) {
            b.setTargetPort(f.targetPort());
        }
        return b.build();
    }

    static Faults faults(FaultInjection injection) {
        Faults.Builder b = Faults.newBuilder().setMaxPerUnit(org.lunforge.scsi.fault.LogicalUnitFaults.MAX_ARMED);
        injection.armed().forEach((path, list) -> list.forEach(a -> b.addFaults(armed(path, a, spec(a.fault())))));
        for (FaultInjection.PortState p : injection.ports()) {
            b.addPorts(PortState.newBuilder().setTarget(p.target()).setTag(p.tag()).setDown(p.down())
                    .setTimesTakenDown(p.timesTakenDown()).setLoginsRefusedWhileDown(p.loginsRefusedWhileDown()).setKernel(p.kernel()));
        }
        return b.build();
    }

}
