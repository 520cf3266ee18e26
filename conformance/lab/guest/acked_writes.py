#!/usr/bin/env python3
"""Acknowledged writes, for the kill -9 scenarios: what a device said it wrote must read back after a crash.

  acked_writes.py write DEV LOG STOP   writes 4 KiB blocks 0, 1, 2, ... of DEV (O_DIRECT|O_DSYNC, each block once,
                                       each starting with its number) until the file STOP exists or the device ends;
                                       appends to LOG, per block, "OK <block> <offset> <sha256>" once the write was
                                       acknowledged, or "ERR <block> <offset> errno=<n>" if it failed (its contents
                                       are then undefined, and not checked).
  acked_writes.py verify DEV LOG       reads back every OK block of LOG; exit status 1 if any differs.
"""
import hashlib
import mmap
import os
import struct
import sys
import time

BLOCK = 4096


def write(dev, log, stop):
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT | os.O_DSYNC)
    blocks = os.lseek(fd, 0, os.SEEK_END) // BLOCK
    buf = mmap.mmap(-1, BLOCK)  # page aligned, as O_DIRECT needs
    with open(log, "a", buffering=1) as out:
        for block in range(blocks):
            if os.path.exists(stop):
                return
            data = struct.pack("<Q", block) + os.urandom(BLOCK - 8)
            buf.seek(0)
            buf.write(data)
            offset = block * BLOCK
            started = time.monotonic()
            try:
                written = os.pwrite(fd, buf, offset)
            except OSError as e:
                out.write("ERR %d %d errno=%d after %.1fs\n" % (block, offset, e.errno, time.monotonic() - started))
                time.sleep(0.2)  # the path is down: do not spin through the device
                continue
            if written != BLOCK:
                out.write("ERR %d %d short=%d\n" % (block, offset, written))
                continue
            out.write("OK %d %d %s\n" % (block, offset, hashlib.sha256(data).hexdigest()))


def verify(dev, log):
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    buf = mmap.mmap(-1, BLOCK)
    good = bad = 0
    for line in open(log):
        fields = line.split()
        if fields[0] != "OK":
            continue
        if os.preadv(fd, [buf], int(fields[2])) != BLOCK:
            sys.exit("short read at offset %s" % fields[2])
        if hashlib.sha256(buf[:BLOCK]).hexdigest() == fields[3]:
            good += 1
        else:
            bad += 1
            print("block %s (offset %s) differs from what was acknowledged" % (fields[1], fields[2]))
    print("verified %d acknowledged blocks, %d differ" % (good, bad))
    return 1 if bad or not good else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "write":
        write(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "verify":
        sys.exit(verify(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
