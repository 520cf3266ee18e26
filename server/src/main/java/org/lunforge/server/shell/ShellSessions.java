package org.lunforge.server.shell;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.server.control.CloseSession;
import org.lunforge.server.control.Connection;
import org.lunforge.server.control.NegotiatedKeys;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.Session;
import org.lunforge.server.control.SessionLun;

/**
 * The shell's {@code sessions} command: who is logged in, through which port and connection, with which keys and
 * authentication, seeing which LUNs; {@code --json} prints the control protocol's Session messages as one JSON array
 * (field names as in control.proto) for scripts; {@code sessions close TSIH} ends one.
 */
final class ShellSessions {
    static final String USAGE = "sessions [--json] [IQN] | sessions close TSIH";

    private ShellSessions() {
    }

    static void run(ShellContext ctx, List<String> args) throws ShellException {
        if (!args.isEmpty() && args.getFirst().equals("close")) {
            if (args.size() != 2) {
                throw new ShellException("sessions close TSIH (the TSIH sessions shows)");
            }
            int tsih = ShellWords.number("TSIH", args.get(1), 1, 0xFFFF);
            ctx.call(Request.newBuilder().setCloseSession(CloseSession.newBuilder().setTsih(tsih)).build())
                    .getActionDone().getLinesList().forEach(ctx.out::println);
            return;
        }
        boolean json = false;
        String target = null;
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("-")) {
                throw new ShellException("sessions: unknown option " + a + " (" + USAGE + ")");
            } else if (target == null) {
                target = a;
            } else {
                throw new ShellException("sessions: one IQN at most (" + USAGE + ")");
            }
        }
        List<Session> shown = new ArrayList<>();
        for (Session s : ctx.sessions()) {
            if (target == null || s.getTarget().equalsIgnoreCase(target)) {
                shown.add(s);
            }
        }
        if (json) {
            List<String> items = new ArrayList<>();
            for (Session s : shown) {
                try {
                    items.add(JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence()
                            .omittingInsignificantWhitespace().print(s));
                } catch (InvalidProtocolBufferException e) {
                    throw new ShellException("sessions: " + e.getMessage());
                }
            }
            ctx.out.println("[" + String.join(",\n ", items) + "]");
            return;
        }
        for (Session s : shown) {
            print(ctx, s);
        }
        if (shown.isEmpty()) {
            ctx.out.println("No sessions.");
        }
    }

    private static void print(ShellContext ctx, Session s) {
        var out = ctx.out;
        out.println((s.getTarget().isEmpty() ? "discovery" : s.getTarget() + " tpg" + s.getPortalGroupTag())
                + "  " + s.getInitiator() + "  isid " + s.getIsid() + "  tsih " + s.getTsih() + "  from "
                + s.getRemoteAddress());
        out.println("  portal " + s.getPortal() + (s.getInitiatorAlias().isEmpty() ? ""
                : ", initiator alias " + s.getInitiatorAlias()));
        for (Connection c : s.getConnectionsList()) {
            out.println("  connection cid " + c.getCid() + ": " + c.getLocalAddress() + " <- " + c.getPeerAddress());
        }
        out.println("  authentication: " + s.getAuthMethod() + (s.getMutualChap() ? " (mutual)" : ""));
        NegotiatedKeys k = s.getNegotiated();
        out.println("  HeaderDigest=" + k.getHeaderDigest() + " DataDigest=" + k.getDataDigest()
                + " MaxRecvDataSegmentLength=" + k.getInitiatorMaxRecvDataSegmentLength() + " (target "
                + k.getTargetMaxRecvDataSegmentLength() + ")");
        out.println("  MaxBurstLength=" + k.getMaxBurstLength() + " FirstBurstLength=" + k.getFirstBurstLength()
                + " ImmediateData=" + yes(k.getImmediateData()) + " InitialR2T=" + yes(k.getInitialR2T())
                + " MaxOutstandingR2T=" + k.getMaxOutstandingR2T() + " ErrorRecoveryLevel="
                + k.getErrorRecoveryLevel());
        List<String> luns = new ArrayList<>();
        for (SessionLun l : s.getLunsList()) {
            luns.add(l.getLun() + "=" + l.getObject());
        }
        out.println("  LUNs: " + (luns.isEmpty() ? "none" : String.join(", ", luns)));
    }

    private static String yes(boolean b) {
        return b ? "Yes" : "No";
    }
}
