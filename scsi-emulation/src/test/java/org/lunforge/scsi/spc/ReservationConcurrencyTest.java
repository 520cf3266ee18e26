package org.lunforge.scsi.spc;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;

/**
 * Several connections at once, as the frontends run them: PERSISTENT RESERVE OUT from some nexuses while others read
 * and write. Outcomes that must hold whatever the interleaving: every registration counted in PRgeneration, no
 * command answered with anything but GOOD or RESERVATION CONFLICT, and a reader never let through while an Exclusive
 * Access reservation of another nexus is in place.
 */
class ReservationConcurrencyTest {
    private static final int ROUNDS = 300;

    @Test
    void registrationsFromManyNexusesAreAllCounted() throws Exception {
        Harness h = new Harness();
        Pr pr = new Pr(h);
        List<Nexus> nexuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nexuses.add(h.login(nexus("iqn.1994-05.com.redhat:n" + i)));
        }
        long g0 = pr.generation(nexuses.getFirst());
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < nexuses.size(); i++) {
                Nexus n = nexuses.get(i);
                long key = 0x100 + i;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        assertGood(pr.registerAndIgnore(n, key));
                        assertGood(pr.register(n, key, 0));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertEquals(List.of(), pr.keys(nexuses.getFirst()));
        assertEquals(g0 + 2L * ROUNDS * nexuses.size(), pr.generation(nexuses.getFirst()));
    }

    @Test
    void readersNeverPassAnExclusiveAccessReservationOfAnother() throws Exception {
        Harness h = new Harness();
        Pr pr = new Pr(h);
        Nexus holder = h.login(nexus("iqn.1994-05.com.redhat:holder"));
        Nexus reader = h.login(nexus("iqn.1994-05.com.redhat:reader"));
        assertGood(pr.registerAndIgnore(holder, 1));
        AtomicInteger reserved = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> flipper = pool.submit(() -> {
                for (int r = 0; r < ROUNDS; r++) {
                    reserved.set(1);
                    assertGood(pr.reserve(holder, 1, Pr.EA));
                    reserved.set(2); // reserved for certain from here
                    reserved.set(1);
                    assertGood(pr.release(holder, 1, Pr.EA));
                    reserved.set(0);
                }
            });
            Future<?> reading = pool.submit(() -> {
                while (!flipper.isDone()) {
                    int before = reserved.get();
                    ScsiStatus s = pr.read(reader).response().status();
                    int after = reserved.get();
                    if (s == ScsiStatus.GOOD && before == 2 && after == 2) {
                        violations.incrementAndGet();
                    }
                    if (s != ScsiStatus.GOOD && s != ScsiStatus.RESERVATION_CONFLICT) {
                        violations.incrementAndGet();
                    }
                }
            });
            flipper.get();
            reading.get();
        }
        assertEquals(0, violations.get());
    }
}
