package org.lunforge.server.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.control.ChangeConfig;
import org.lunforge.server.control.ConfigChanged;
import org.lunforge.server.control.ConfigChanges;
import org.lunforge.server.control.ObjectChange;
import org.lunforge.server.control.ApplyConfig;
import org.lunforge.server.control.ConfigState;
import org.lunforge.server.control.Error;
import org.lunforge.server.control.GetConfig;
import org.lunforge.server.control.GetInventory;
import org.lunforge.server.control.GetStatus;
import org.lunforge.server.control.Inventory;
import org.lunforge.server.control.Faults;
import org.lunforge.server.control.ListFaults;
import org.lunforge.server.control.ListSessions;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.Response;
import org.lunforge.server.control.Session;
import org.lunforge.server.control.Status;

/**
 * One command's view of the daemon: the configuration it read (and its generation), what the daemon reports at run
 * time (sessions, libraries' inventories, status), fetched once per command, and the way to change things:
 * {@link #edit}, which applies an edit of the configuration and redoes it on a fresh copy if another client changed
 * the configuration meanwhile.
 *
 * <p>The configuration is not fetched whole for every command: the shell keeps its copy ({@link Copy}) from command
 * to command and asks only whether it is current (GetConfig with the generation it holds); an edit goes to the daemon
 * as the objects it changes ({@link ConfigChanges}), and the copy is brought up to date with the changes as the daemon
 * applied them. An edit that is more than backstores, LUNs and ACLs sends the whole configuration, as before.
 */
final class ShellContext {
    /** How often an edit is redone after another client's change got in first. */
    private static final int ATTEMPTS = 5;

    /** The shell's copy of the running configuration, kept across commands; empty until the first is read. */
    static final class Copy {
        private ConfigState state;
    }

    /**
     * The copy a command ran on was not current, found before the command changed anything: the shell runs the
     * command again on the running configuration.
     */
    static final class StaleCopy extends RuntimeException {
        StaleCopy() {
            super("the configuration changed since the shell's copy was read", null, false, false);
        }
    }

    final ShellControl control;
    final PrintWriter out;
    /** The shell's working folder, against which file paths given to create are resolved. */
    final Path workingFolder;
    private final Copy copy;
    private ConfigState state;
    /** The daemon confirmed that {@link #state} was current (by a read, or by accepting an edit made from it). */
    private boolean current;
    /** A request other than a read went out: the command must not run twice. */
    private boolean acted;
    private Status status;
    private List<Session> sessions;
    private Faults faults;
    private final Map<String, Inventory> inventories = new HashMap<>();

    /**
     * A command's context. {@code onCopy}: start from the shell's copy without asking whether it is current; the
     * command then calls {@link #confirmCurrent} before anything but an edit, and edits carry the generation they were
     * made from, so that a stale copy is found before anything is shown or changed from it.
     */
    ShellContext(ShellControl control, PrintWriter out, Path workingFolder, Copy copy, boolean onCopy)
            throws ShellException {
        this.control = control;
        this.out = out;
        this.workingFolder = workingFolder;
        this.copy = copy;
        if (onCopy && copy.state != null) {
            this.state = copy.state;
        } else {
            this.state = read();
            this.current = true;
        }
    }

    /**
     * Makes sure the command runs on the running configuration: asks the daemon, once, whether the copy is current;
     * throws {@link StaleCopy} when it was not (the copy is then brought up to date for the command's second run).
     */
    void confirmCurrent() throws ShellException {
        if (current) {
            return;
        }
        long had = state.getGeneration();
        state = read();
        current = true;
        if (state.getGeneration() != had) {
            throw new StaleCopy();
        }
    }

    /** Whether a failure may come from a stale copy and the command may run again: nothing confirmed, nothing done. */
    boolean mayRunAgain() {
        return !current && !acted;
    }

    /** The running configuration: the copy when the daemon says it is current, else the daemon's, which it keeps. */
    private ConfigState read() throws ShellException {
        ConfigState known = copy.state;
        ConfigState answer = call(Request.newBuilder().setGetConfig(GetConfig.newBuilder()
                .setKnownGeneration(known == null ? 0 : known.getGeneration())).build()).getConfig();
        if (!answer.hasConfig()) {
            if (known == null || known.getGeneration() != answer.getGeneration()) {
                throw new ShellException("the daemon sent no configuration");
            }
            return known;
        }
        copy.state = answer;
        return answer;
    }

    Config config() {
        return state.getConfig();
    }

    ConfigState state() {
        return state;
    }

    Status status() throws ShellException {
        if (status == null) {
            status = call(Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance()).build()).getStatus();
        }
        return status;
    }

    /** Something shown of the daemon's status, for a status made when shown; the reason when it cannot be read. */
    String statusOrReason(java.util.function.Function<Status, String> shown) {
        try {
            return shown.apply(status());
        } catch (ShellException e) {
            return "status unknown: " + e.getMessage();
        }
    }

    /** Something shown of the sessions, for a status made when shown; the reason when they cannot be read. */
    String sessionsOrReason(java.util.function.Function<List<Session>, String> shown) {
        try {
            return shown.apply(sessions());
        } catch (ShellException e) {
            return "sessions unknown: " + e.getMessage();
        }
    }

    List<Session> sessions() throws ShellException {
        if (sessions == null) {
            sessions = call(Request.newBuilder().setListSessions(ListSessions.getDefaultInstance()).build())
                    .getSessions().getSessionsList();
        }
        return sessions;
    }

    /** The armed faults and the iSCSI target ports' states (fault injection; never saved). */
    Faults faults() throws ShellException {
        if (faults == null) {
            faults = call(Request.newBuilder().setListFaults(ListFaults.getDefaultInstance()).build()).getFaults();
        }
        return faults;
    }

    Inventory inventory(String library) throws ShellException {
        Inventory inv = inventories.get(library);
        if (inv == null) {
            inv = call(Request.newBuilder().setGetInventory(GetInventory.newBuilder().setLibrary(library)).build())
                    .getInventory();
            inventories.put(library, inv);
        }
        return inv;
    }

    /** An edit of the configuration: given the running one, the one wanted. */
    interface Edit {
        Config apply(Config running) throws ShellException;
    }

    /**
     * Applies {@code edit} to the running configuration; returns the configuration now running. It crosses the socket
     * as the objects it changes when it changes only backstores, LUNs and ACLs, else as the whole configuration.
     */
    Config edit(Edit edit) throws ShellException {
        for (int attempt = 1; ; attempt++) {
            Config wanted;
            try {
                wanted = edit.apply(state.getConfig());
            } catch (ShellException refused) {
                // Refused by the copy: only the running configuration may say so.
                confirmCurrent();
                throw refused;
            }
            List<ObjectChange> changes = ConfigChanges.between(state.getConfig(), wanted);
            Response r;
            if (changes == null) {
                r = raw(Request.newBuilder().setApplyConfig(ApplyConfig.newBuilder().setConfig(wanted)
                        .setBaseGeneration(state.getGeneration())).build());
            } else if (changes.isEmpty()) {
                return state.getConfig();
            } else {
                r = raw(Request.newBuilder().setChangeConfig(ChangeConfig.newBuilder().addAllChanges(changes)
                        .setBaseGeneration(state.getGeneration())).build());
            }
            if (r.hasError() && r.getError().getKind() == Error.Kind.CONFLICT && attempt < ATTEMPTS) {
                copy.state = null;
                state = read();
                current = true;
                continue;
            }
            // Accepted or refused, the edit was judged against the generation it was made from: the copy was current.
            current = true;
            if (r.hasError()) {
                throw new ShellException(changes == null ? ConfigPaths.explain(r.getError(), wanted)
                        : ConfigPaths.explain(r.getError(), changes));
            }
            if (r.hasChanged()) {
                ConfigChanged changed = r.getChanged();
                try {
                    Config now = ConfigChanges.apply(state.getConfig(), changed.getAppliedList(), "change").config();
                    state = state.toBuilder().setConfig(now).setGeneration(changed.getGeneration()).build();
                } catch (ConfigException e) {
                    // The daemon applied what this copy cannot: read the configuration afresh next time.
                    copy.state = null;
                    state = read();
                }
            } else {
                state = r.getConfig();
            }
            copy.state = state;
            inventories.clear();
            status = null;
            return state.getConfig();
        }
    }

    /** Sends a request; an error answer becomes a ShellException with the daemon's words. */
    Response call(Request request) throws ShellException {
        Response r = raw(request);
        if (r.hasError()) {
            throw new ShellException(r.getError().getMessage());
        }
        return r;
    }

    Response raw(Request request) throws ShellException {
        switch (request.getKindCase()) {
            case GET_CONFIG, GET_STATUS, LIST_SESSIONS, LIST_FAULTS, GET_INVENTORY, LIST_BACKUPS -> {
            }
            default -> acted = true;
        }
        try {
            return control.call(request);
        } catch (IOException e) {
            throw new ShellException(e.getMessage());
        }
    }

    /** Forgets what was fetched, after a request that changed things behind the context's back. */
    void refresh() throws ShellException {
        state = read();
        current = true;
        inventories.clear();
        sessions = null;
        faults = null;
        status = null;
    }
}
