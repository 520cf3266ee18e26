package org.lunforge.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigFiles;
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
            loaded = ConfigFiles.load(config);
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
            log.log(System.Logger.Level.INFO, "serving " + config + "; state in " + daemon.stateDir());
            stop.await();
        }
        return 0;
    }
}
