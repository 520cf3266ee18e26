package org.lunforge.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.lunforge.tcmu.FakeConfigfs;
import org.lunforge.tcmu.TcmuDeviceInfo;

/** A daemon whose kernel target is a {@link FakeConfigfs}: devices count as served once they exist there. */
public final class FakeKernelHosts {
    private FakeKernelHosts() {
    }

    /** The fake configfs's target folder is {@code dir/config/target}; modules for every fabric are "loaded". */
    public static FakeConfigfs configfs(Path dir) throws IOException {
        FakeConfigfs fs = new FakeConfigfs(dir.resolve("config/target"));
        Files.writeString(fs.root.resolve("dbroot"), dir.resolve("dbroot") + "\n");
        for (String module : List.of("target_core_user", "tcm_loop", "iscsi_target_mod")) {
            Files.createDirectories(dir.resolve("sys/module").resolve(module));
        }
        return fs;
    }

    public static Daemon daemon(Path dir, FakeConfigfs fs) throws IOException {
        KernelExports.Host host = new KernelExports.Host(dir.resolve("config"), dir.resolve("sys/module"), fs);
        return new Daemon(dir.resolve("state"), host, factory -> new KernelExports.Serving() {
            @Override
            public boolean awaitServing(int hba, String name, Duration timeout) {
                Path dev = fs.root.resolve("core/user_" + hba + "/" + name);
                try {
                    String devConfig = Files.readString(dev.resolve("attrib/dev_config")).strip();
                    TcmuDeviceInfo info = TcmuDeviceInfo.parse("uio0", "tcm-user/" + hba + "/" + name + "/"
                            + devConfig, 4096).orElseThrow();
                    return factory.open(info) != null;
                } catch (IOException e) {
                    return false;
                } catch (Exception e) {
                    throw new AssertionError("the daemon could not open " + name, e);
                }
            }

            @Override
            public boolean awaitStopped(int hba, String name, Duration timeout) {
                return !Files.exists(fs.root.resolve("core/user_" + hba + "/" + name));
            }

            @Override
            public void close() {
            }
        });
    }
}
