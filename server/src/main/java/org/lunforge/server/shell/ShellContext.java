package org.lunforge.server.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.server.config.Config;
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
 */
final class ShellContext {
    /** How often an edit is redone after another client's change got in first. */
    private static final int ATTEMPTS = 5;

    final ShellControl control;
    final PrintWriter out;
    /** The shell's working folder, against which file paths given to create are resolved. */
    final Path workingFolder;
    private ConfigState state;
    private Status status;
    private List<Session> sessions;
    private Faults faults;
    private final Map<String, Inventory> inventories = new HashMap<>();

    ShellContext(ShellControl control, PrintWriter out, Path workingFolder) throws ShellException {
        this.control = control;
        this.out = out;
        this.workingFolder = workingFolder;
        this.state = call(Request.newBuilder().setGetConfig(GetConfig.getDefaultInstance()).build()).getConfig();
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

    /** Applies {@code edit} to the running configuration; returns the configuration now running. */
    Config edit(Edit edit) throws ShellException {
        for (int attempt = 1; ; attempt++) {
            Config wanted = edit.apply(state.getConfig());
            Response r = raw(Request.newBuilder().setApplyConfig(ApplyConfig.newBuilder().setConfig(wanted)
                    .setBaseGeneration(state.getGeneration())).build());
            if (r.hasError() && r.getError().getKind() == Error.Kind.CONFLICT && attempt < ATTEMPTS) {
                state = call(Request.newBuilder().setGetConfig(GetConfig.getDefaultInstance()).build()).getConfig();
                continue;
            }
            if (r.hasError()) {
                throw new ShellException(ConfigPaths.explain(r.getError(), wanted));
            }
            state = r.getConfig();
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
        try {
            return control.call(request);
        } catch (IOException e) {
            throw new ShellException(e.getMessage());
        }
    }

    /** Forgets what was fetched, after a request that changed things behind the context's back. */
    void refresh() throws ShellException {
        state = call(Request.newBuilder().setGetConfig(GetConfig.getDefaultInstance()).build()).getConfig();
        inventories.clear();
        sessions = null;
        faults = null;
        status = null;
    }
}
