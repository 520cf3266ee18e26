package org.lunforge.scsi.fault;

import java.util.Objects;
import org.lunforge.scsi.Nexus;

/**
 * One fault to arm on a logical unit: its effect, the commands it applies to, and optionally only the blocks of
 * {@code lba}, only commands through one target port, and only {@code limit} times.
 *
 * @param lba null: every block (and commands that address none); set: only reads and writes that meet the range
 * @param targetPort null: every port; else the port's name as the nexus carries it (iSCSI: {@code IQN,t,0xTPGT})
 * @param limit how many commands it acts on before it is spent; 0: no limit
 */
public record Fault(FaultEffect effect, FaultCommands commands, LbaRange lba, String targetPort, long limit) {
    public Fault {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(commands, "commands");
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + ": 0 (none) or more");
        }
        if (effect instanceof FaultEffect.MediumError && commands == FaultCommands.ALL) {
            throw new IllegalArgumentException("a medium error answers reads and writes, not every command");
        }
        if (lba != null && commands == FaultCommands.ALL) {
            throw new IllegalArgumentException("an LBA range selects reads and writes: say which (reads, writes or"
                    + " both), not every command");
        }
        if (targetPort != null && targetPort.isBlank()) {
            throw new IllegalArgumentException("an empty target port name");
        }
    }

    /** The block of the command the fault hits (-1 if it addresses none), or -2 if the fault does not apply. */
    long hit(Nexus nexus, BlockAccess access) {
        if (!commands.matches(access)) {
            return -2;
        }
        if (targetPort != null && (nexus == null || !nexus.target().name().equalsIgnoreCase(targetPort))) {
            return -2;
        }
        if (lba == null) {
            return access == null ? -1 : access.lba();
        }
        long first = lba.firstHit(access);
        return first < 0 ? -2 : first;
    }

    @Override
    public String toString() {
        String what = switch (effect) {
            case FaultEffect.MediumError m -> "medium-error";
            case FaultEffect.Answer a -> "sense " + a.code().name();
            case FaultEffect.Status s -> s.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            case FaultEffect.Latency l -> "latency " + l.delay().toMillis() + " ms";
            case FaultEffect.Hold h -> "hold";
        };
        return what + " on " + commands.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + (lba == null ? "" : " lba " + lba) + (targetPort == null ? "" : " through " + targetPort)
                + (limit == 0 ? "" : " at most " + limit + " times");
    }
}
