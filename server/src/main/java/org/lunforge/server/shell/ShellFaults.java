package org.lunforge.server.shell;

import java.util.List;
import java.util.Locale;
import org.lunforge.server.control.ActionDone;
import org.lunforge.server.control.ArmFault;
import org.lunforge.server.control.ArmedFault;
import org.lunforge.server.control.DisarmFault;
import org.lunforge.server.control.FaultSpec;
import org.lunforge.server.control.Faults;
import org.lunforge.server.control.PortState;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.SetPortState;

/**
 * The shell's {@code faults} command: fault injection through the control socket, which alone decides (the same
 * requests any other client sends). Faults are never saved: saveconfig does not write them and a restart of
 * lunforged starts with none.
 */
final class ShellFaults {
    static final String USAGE = "faults [arm OBJECT KIND [reads|writes|rw|all] [lba=FIRST-LAST] [port=IQN,TPGT]"
            + " [limit=N] [sense=NAME] [ms=N] | disarm OBJECT ID|all | disarm all | port IQN TPGT down|up]";
    static final String KINDS = "medium-error, unit-attention, not-ready, sense, busy, task-set-full, latency, hold";

    private ShellFaults() {
    }

    static void run(ShellContext ctx, List<String> args) throws ShellException {
        if (args.isEmpty()) {
            list(ctx);
            return;
        }
        String verb = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        ActionDone done = switch (verb) {
            case "arm" -> ctx.call(Request.newBuilder().setArmFault(arm(rest)).build()).getActionDone();
            case "disarm" -> ctx.call(Request.newBuilder().setDisarmFault(disarm(rest)).build()).getActionDone();
            case "port" -> ctx.call(Request.newBuilder().setSetPortState(port(rest)).build()).getActionDone();
            default -> throw new ShellException("faults: no '" + verb + "' (" + USAGE + ")");
        };
        done.getLinesList().forEach(ctx.out::println);
    }

    private static ArmFault arm(List<String> args) throws ShellException {
        if (args.size() < 2) {
            throw new ShellException("faults arm OBJECT KIND ... (kinds: " + KINDS + ")");
        }
        FaultSpec.Builder spec = FaultSpec.newBuilder();
        try {
            spec.setKind(FaultSpec.Kind.valueOf(args.get(1).toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (IllegalArgumentException e) {
            throw new ShellException("faults: no fault kind " + args.get(1) + " (kinds: " + KINDS + ")");
        }
        for (String a : args.subList(2, args.size())) {
            switch (a) {
                case "reads" -> spec.setCommands(FaultSpec.Commands.READS);
                case "writes" -> spec.setCommands(FaultSpec.Commands.WRITES);
                case "rw" -> spec.setCommands(FaultSpec.Commands.READS_AND_WRITES);
                case "all" -> spec.setCommands(FaultSpec.Commands.ALL);
                default -> {
                    int eq = a.indexOf('=');
                    String name = eq < 0 ? a : a.substring(0, eq);
                    String value = eq < 0 ? "" : a.substring(eq + 1);
                    switch (name) {
                        case "lba" -> spec.setLba(value);
                        case "port" -> spec.setTargetPort(value);
                        case "limit" -> spec.setLimit(ShellWords.number("limit", value, 0, Integer.MAX_VALUE));
                        case "sense" -> spec.setSense(value);
                        case "ms" -> spec.setLatencyMs(ShellWords.number("ms", value, 1, 600_000));
                        default -> throw new ShellException("faults arm: '" + a + "' (" + USAGE + ")");
                    }
                }
            }
        }
        return ArmFault.newBuilder().setObject(args.getFirst()).setFault(spec).build();
    }

    private static DisarmFault disarm(List<String> args) throws ShellException {
        if (args.size() == 1 && args.getFirst().equals("all")) {
            return DisarmFault.newBuilder().setAll(true).build();
        }
        if (args.size() != 2) {
            throw new ShellException("faults disarm OBJECT ID|all, or faults disarm all");
        }
        DisarmFault.Builder d = DisarmFault.newBuilder().setObject(args.getFirst());
        if (args.get(1).equals("all")) {
            return d.setAll(true).build();
        }
        return d.setId(ShellWords.number("id", args.get(1), 1, Integer.MAX_VALUE)).build();
    }

    private static SetPortState port(List<String> args) throws ShellException {
        if (args.size() != 3 || !args.get(2).equals("down") && !args.get(2).equals("up")) {
            throw new ShellException("faults port IQN TPGT down|up");
        }
        return SetPortState.newBuilder().setTarget(args.getFirst())
                .setTag(ShellWords.number("TPGT", args.get(1), 0, 0xFFFF)).setDown(args.get(2).equals("down"))
                .build();
    }

    private static void list(ShellContext ctx) throws ShellException {
        Faults f = ctx.faults();
        if (f.getFaultsCount() == 0) {
            ctx.out.println("No faults armed (at most " + f.getMaxPerUnit() + " per logical unit; never saved).");
        }
        for (ArmedFault a : f.getFaultsList()) {
            ctx.out.println(line(a));
        }
        for (PortState p : f.getPortsList()) {
            if (p.getDown() || p.getTimesTakenDown() > 0) {
                ctx.out.println(port(p));
            }
        }
    }

    static String line(ArmedFault a) {
        return a.getObject() + " fault " + a.getId() + ": " + a.getDescription() + "; fired " + a.getFired()
                + (a.getHeld() > 0 ? ", holding " + a.getHeld() : "") + (a.getSpent() ? " (spent)" : "");
    }

    static String port(PortState p) {
        return p.getTarget() + " tpg" + p.getTag() + ": " + (p.getDown() ? "DOWN" : "up") + ", " + counts(p);
    }

    /** How often the port was taken down and, for lunforge's own, how many logins it refused meanwhile. */
    private static String counts(PortState p) {
        return "taken down " + p.getTimesTakenDown() + " time(s), " + (p.getKernel()
                ? "the kernel's iSCSI target (it refuses logins while down itself)"
                : p.getLoginsRefusedWhileDown() + " login(s) refused while down");
    }

    /** The lines {@code info} adds at a node: its faults (a logical unit) or its port state (a portal group). */
    static void info(ShellContext ctx, String path, java.io.PrintWriter out) throws ShellException {
        Faults f = ctx.faults();
        for (ArmedFault a : f.getFaultsList()) {
            if (a.getObject().equals(path)) {
                out.println("fault " + a.getId() + ": " + a.getDescription() + "; fired " + a.getFired()
                        + (a.getHeld() > 0 ? ", holding " + a.getHeld() : "") + (a.getSpent() ? " (spent)" : ""));
            }
        }
        for (PortState p : f.getPortsList()) {
            String node = p.getKernel() ? "/lio_iscsi/" + p.getTarget() : "/iscsi/" + p.getTarget() + "/tpg"
                    + p.getTag();
            if (path.equalsIgnoreCase(node)) {
                out.println("port: " + (p.getDown() ? "DOWN (fault injection)" : "up") + ", " + counts(p));
            }
        }
    }
}
