package org.lunforge.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lunforge.iscsi.IscsiMeters;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskMeter;

/**
 * The iSCSI target's meters: logins that succeeded ({@code lunforge_iscsi_logins_total}), failed by the reason the
 * Login Response gave ({@code lunforge_iscsi_login_failures_total{reason}}, RFC 7143 11.13.5), CHAP responses that
 * did not match ({@code lunforge_iscsi_chap_failures_total}), and one {@link ScsiTaskMeters} per target port.
 */
final class IscsiTargetMeters implements IscsiMeters, AutoCloseable {
    private final MeterRegistry registry;
    private final Counter logins;
    private final Counter chapFailures;
    private final Map<Integer, Counter> failures = new ConcurrentHashMap<>();
    private final ScsiTaskMeters.Family portMeters;
    private final Map<String, ScsiTaskMeters> ports = new ConcurrentHashMap<>();

    IscsiTargetMeters(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.portMeters = ScsiTaskMeters.targetPorts(registry);
        this.logins = Counter.builder("lunforge.iscsi.logins").description("Logins that reached full feature phase")
                .register(registry);
        this.chapFailures = Counter.builder("lunforge.iscsi.chap.failures")
                .description("CHAP responses that did not prove the secret").register(registry);
    }

    @Override
    public TaskMeter targetPort(TargetPort port) {
        return ports.computeIfAbsent(port.name(), portMeters::meters);
    }

    @Override
    public void loginSucceeded() {
        logins.increment();
    }

    @Override
    public void loginFailed(int statusClass, int statusDetail) {
        failures.computeIfAbsent(statusClass << 8 | statusDetail, status -> Counter
                .builder("lunforge.iscsi.login.failures").tag("reason", reason(statusClass, statusDetail))
                .description("Logins refused, by the Login Response's status").register(registry)).increment();
    }

    @Override
    public void chapFailed() {
        chapFailures.increment();
    }

    /** The RFC 7143 11.13.5 name of a Login Response status class and detail, in snake case. */
    static String reason(int statusClass, int statusDetail) {
        if (statusClass == 0x02) {
            return switch (statusDetail) {
                case 0x00 -> "initiator_error";
                case 0x01 -> "authentication_failure";
                case 0x02 -> "authorization_failure";
                case 0x03 -> "not_found";
                case 0x04 -> "target_removed";
                case 0x05 -> "unsupported_version";
                case 0x06 -> "too_many_connections";
                case 0x07 -> "missing_parameter";
                case 0x08 -> "cannot_include_in_session";
                case 0x09 -> "session_type_not_supported";
                case 0x0A -> "session_does_not_exist";
                case 0x0B -> "invalid_during_login";
                default -> "initiator_error_other";
            };
        }
        if (statusClass == 0x03) {
            return switch (statusDetail) {
                case 0x00 -> "target_error";
                case 0x01 -> "service_unavailable";
                case 0x02 -> "out_of_resources";
                default -> "target_error_other";
            };
        }
        return "other";
    }

    @Override
    public void close() {
        ports.values().forEach(ScsiTaskMeters::close);
        ports.clear();
    }
}
