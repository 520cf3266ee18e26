package org.lunforge.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigFiles;
import org.lunforge.server.control.ConfigIdentities;
import org.lunforge.server.control.ControlServer;
import org.lunforge.server.control.ControlService;
import org.lunforge.server.control.ControlSockets;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.RestoreConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code lunforged --config FILE}: the daemon, in the foreground. Logs to stderr; SIGTERM and SIGINT stop it. */
@Command(name = "lunforged", mixinStandardHelpOptions = true, version = "lunforged 0.1.0",
        description = "Serves SCSI disks, tape drives and changers over iSCSI and the kernel's TCMU.")
public final class Lunforged implements Callable<Integer> {
    /** Exit status for a configuration that cannot be used (sysexits EX_CONFIG). */
    static final int EXIT_CONFIG = 78;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the configuration (JSON)")
    Path config;

    @Option(names = "--control", paramLabel = "SOCKET", description = "the control socket the lunforge shell talks to"
            + " (default: the configuration's control_socket, else /run/lunforge/control.sock as root,"
            + " $XDG_RUNTIME_DIR/lunforge/control.sock or /tmp/lunforge-USER/control.sock as another user;"
            + " a default folder must be this user's own, mode 0700)")
    Path control;

    @Option(names = "--log-level", defaultValue = "INFO", paramLabel = "LEVEL",
            description = "SEVERE, WARNING, INFO, FINE, ... (default ${DEFAULT-VALUE})")
    String logLevel;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Lunforged()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(Level.parse(logLevel));
        System.Logger log = System.getLogger(Lunforged.class.getName());
        Config loaded;
        try {
            // Identities the daemon would derive are written in, so that saveconfig keeps them (ConfigIdentities).
            if (java.nio.file.Files.exists(config)) {
                loaded = ConfigIdentities.assigned(ConfigFiles.load(config));
            } else {
                // A first start: nothing configured yet; the shell's first saveconfig writes the file.
                loaded = Config.newBuilder().setStateDir(config.toAbsolutePath().getParent()
                        .resolve("lunforge-state").toString()).build();
                log.log(System.Logger.Level.INFO, config + " does not exist: starting with an empty configuration");
            }
        } catch (ConfigException e) {
            System.err.println("lunforged: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (java.io.IOException e) {
            System.err.println("lunforged: cannot read " + config + ": " + e);
            return EXIT_CONFIG;
        }
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> stop.countDown());
        }
        try (Daemon daemon = new Daemon(Path.of(loaded.getStateDir()))) {
            try {
                daemon.apply(loaded);
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("lunforged: " + e.getMessage());
                return 1;
            }
            ControlService control = new ControlService(daemon, config);
            Path socket = this.control != null ? this.control : loaded.getControlSocket().isEmpty()
                    ? ControlSockets.defaultPath() : config.toAbsolutePath().getParent().resolve(loaded.getControlSocket());
            try (ControlServer server = ControlServer.start(socket, control)) {
                // SIGHUP: read the configuration file again; one with an error changes nothing (and says why).
                Signal.handle(new Signal("HUP"), s -> Thread.ofVirtual().start(() -> {
                    var r = control.handle(Request.newBuilder()
                            .setRestoreConfig(RestoreConfig.getDefaultInstance()).build());
                    log.log(System.Logger.Level.INFO, "SIGHUP: " + (r.hasError() ? r.getError().getMessage()
                            : "configuration " + config + " applied"));
                }));
                if (sighupIgnored()) {
                    log.log(System.Logger.Level.WARNING, "SIGHUP is ignored by this process (started under nohup?),"
                            + " so it will not reload " + config + "; use `lunforge restoreconfig` instead");
                }
                log.log(System.Logger.Level.INFO, "serving " + config + "; state in " + daemon.stateDir()
                        + "; control socket " + server.path());
                stop.await();
            } catch (java.io.IOException e) {
                System.err.println("lunforged: control socket " + socket + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /**
     * Whether this process inherited SIGHUP as ignored (nohup does that): the JVM then installs no handler for it. Read
     * from the SigIgn mask in /proc/self/status (bit 0 is signal 1, SIGHUP); false where there is no such file.
     */
    static boolean sighupIgnored() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 1) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
