#!/usr/bin/env python3
"""Many initiators logging in at once, for conformance/bench/config-at-scale.

Starts N threads, each with its own initiator name and ISID; they wait on one barrier, then all log in together
(AuthMethod=None, straight to full feature phase, as conformance/hostile/iscsi_flood.py's login does) and keep
their session open until every thread is done. Prints one line: how many reached full feature phase, how many were
refused or failed and why, and the wall time from the barrier to the last login's answer.

Only stdlib; loopback addresses only; every wait is bounded by --timeout.
"""
import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
from iscsi_flood import login  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--count", type=int, default=256)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    if not a.host.startswith("127."):
        sys.exit("loopback addresses only")
    barrier = threading.Barrier(a.count + 1)
    done = threading.Barrier(a.count + 1)
    results = [None] * a.count
    answered = [0.0] * a.count

    def one(i):
        barrier.wait()
        try:
            s, _, _ = login(a.host, a.port, f"iqn.2026-12.org.lunforge.bench:initiator{i}", a.target,
                            (0x80 << 40 | i).to_bytes(6, "big"), a.timeout)
            results[i] = "ok"
        except Exception as e:  # noqa: BLE001: every failure is reported, by kind
            s = None
            results[i] = type(e).__name__ + ": " + str(e)[:80]
        answered[i] = time.monotonic()
        done.wait()
        if s is not None:
            s.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(a.count)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.monotonic()
    done.wait(timeout=a.timeout + 10)
    wall = max(answered) - start
    ok = results.count("ok")
    failures = {}
    for r in results:
        if r != "ok":
            failures[r] = failures.get(r, 0) + 1
    print(f"logins {a.count} at once: {ok} in full feature phase, {a.count - ok} failed"
          + "".join(f"; {n}x {why}" for why, n in failures.items()) + f"; last answer after {wall * 1000:.0f} ms")
    sys.exit(0 if ok == a.count else 1)


if __name__ == "__main__":
    main()
