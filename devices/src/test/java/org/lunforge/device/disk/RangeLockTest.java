package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RangeLockTest {
    private final RangeLock lock = new RangeLock();

    @Test
    void sharedHoldsWithoutExclusiveAreTheOneAnonymousHold() {
        RangeLock.Hold a = lock.shared(0, 8);
        RangeLock.Hold b = lock.shared(4, 8);
        assertSame(a, b, "no allocation, no registration on the fast path");
        lock.release(a);
        lock.release(b);
    }

    @Test
    void exclusiveWaitsForOverlappingHoldsOnly() throws Exception {
        RangeLock.Hold exclusive = lock.exclusive(10, 5);
        CompletableFuture<RangeLock.Hold> apart = CompletableFuture.supplyAsync(() -> lock.shared(0, 10));
        lock.release(apart.get(5, TimeUnit.SECONDS)); // [0, 10) does not touch [10, 15)
        CompletableFuture<RangeLock.Hold> overlapping = CompletableFuture.supplyAsync(() -> lock.shared(14, 1));
        CompletableFuture<RangeLock.Hold> second = CompletableFuture.supplyAsync(() -> lock.exclusive(12, 100));
        assertThrows(TimeoutException.class, () -> overlapping.get(200, TimeUnit.MILLISECONDS));
        assertThrows(TimeoutException.class, () -> second.get(50, TimeUnit.MILLISECONDS));
        lock.release(exclusive);
        // The two waiters conflict with each other too: whichever gets its hold first, the other follows its release.
        CompletableFuture.anyOf(overlapping, second).get(5, TimeUnit.SECONDS);
        CompletableFuture<RangeLock.Hold> first = overlapping.isDone() ? overlapping : second;
        CompletableFuture<RangeLock.Hold> then = first == overlapping ? second : overlapping;
        assertFalse(then.isDone());
        lock.release(first.get());
        lock.release(then.get(5, TimeUnit.SECONDS));
    }

    @Test
    void exclusiveWaitsForAnonymousHoldersToDrain() throws Exception {
        RangeLock.Hold anonymous = lock.shared(100, 1); // a range far away: still waited for, its range is unknown
        CompletableFuture<RangeLock.Hold> exclusive = CompletableFuture.supplyAsync(() -> lock.exclusive(0, 1));
        assertThrows(TimeoutException.class, () -> exclusive.get(100, TimeUnit.MILLISECONDS));
        lock.release(anonymous);
        lock.release(exclusive.get(5, TimeUnit.SECONDS));
    }

    /**
     * Random shared and exclusive holds over 16 LBAs from 4 threads: while an exclusive hold exists, no other hold
     * of any kind overlaps it. Occupancy counters per LBA check the invariant inside every hold.
     */
    @Test
    void noHoldEverOverlapsAnExclusiveOne() throws Exception {
        AtomicIntegerArray shared = new AtomicIntegerArray(16);
        AtomicIntegerArray exclusive = new AtomicIntegerArray(16);
        AtomicReference<String> violation = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = t;
            threads.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 20_000 && violation.get() == null; i++) {
                    int lba = random.nextInt(16);
                    int blocks = 1 + random.nextInt(Math.min(4, 16 - lba));
                    boolean ex = random.nextInt(8) == 0;
                    RangeLock.Hold h = ex ? lock.exclusive(lba, blocks) : lock.shared(lba, blocks);
                    for (int b = lba; b < lba + blocks; b++) {
                        if (ex) {
                            if (exclusive.incrementAndGet(b) != 1 || shared.get(b) != 0) {
                                violation.set("exclusive on " + b + " overlaps another hold");
                            }
                        } else {
                            shared.incrementAndGet(b);
                            if (exclusive.get(b) != 0) {
                                violation.set("shared on " + b + " overlaps an exclusive hold");
                            }
                        }
                    }
                    Thread.onSpinWait();
                    for (int b = lba; b < lba + blocks; b++) {
                        if (ex) {
                            exclusive.decrementAndGet(b);
                        } else {
                            shared.decrementAndGet(b);
                        }
                    }
                    lock.release(h);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(violation.get());
    }
}
