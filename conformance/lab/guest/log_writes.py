#!/usr/bin/env python3
"""dm-log-writes logs: list one, or replay it onto a copy of the logged device, stopping wherever a power cut could.

  log_writes.py list LOG                  one line per entry: index, flags, sector, sectors, mark name
  log_writes.py replay LOG TARGET [CMD]   applies the entries to TARGET (a file as large as the logged device that
                                          held its contents when logging began: zeros for a fresh one) in order; after
                                          each mark, flush and FUA entry, with TARGET then holding what the device
                                          held had the power gone right after that entry, runs CMD (through sh) with
                                          LOG_WRITES_ENTRY (its index), LOG_WRITES_KIND (mark, flush or fua),
                                          LOG_WRITES_MARK (this mark's name, or empty) and LOG_WRITES_LAST_MARK (the
                                          latest mark at or before it, or empty). Exit status 1 if a CMD failed.

The log format, as the kernel documents it (Documentation/admin-guide/device-mapper/log-writes.rst and the comments
of drivers/md/dm-log-writes.c); every integer is little-endian:
  byte 0           the super: magic u64 (0x6a736677736872), version u64 (1), nr_entries u64, sectorsize u32
  byte sectorsize  nr_entries entries, back to back. An entry is one sector that starts with sector u64,
                   nr_sectors u64, flags u64 and data_len u64 (for a mark, its name follows: data_len bytes), then
                   nr_sectors sectors of the data written, except for a discard, which carries none. Sectors are
                   sectorsize bytes of the logged device.
  flags            1 FLUSH, 2 FUA, 4 DISCARD, 8 MARK, 16 METADATA (a hint; written like any write)
The super's nr_entries is brought up to date after every FUA and mark entry and when the target is removed, so a log
is read after `dmsetup remove`, when it is complete.

Why replaying a prefix is a power cut: the target appends a plain write only once a later flush has completed (just
before that flush's entry), a FUA write once it completed, and a mark when it is asked for. A prefix ending at a flush
or FUA entry is thus what a device with a volatile cache could hold after losing power there; one ending at a mark
holds everything made durable before the mark was asked for. A discard is replayed as zeros.
"""
import os
import struct
import subprocess
import sys

MAGIC = 0x6A736677736872
VERSION = 1
SUPER = struct.Struct("<QQQI")
ENTRY = struct.Struct("<QQQQ")
FLUSH, FUA, DISCARD, MARK, METADATA = 1, 2, 4, 8, 16
FLAG_NAMES = ((FLUSH, "flush"), (FUA, "fua"), (DISCARD, "discard"), (MARK, "mark"), (METADATA, "metadata"))
KNOWN_FLAGS = FLUSH | FUA | DISCARD | MARK | METADATA


class LogError(Exception):
    pass


class Entry:
    def __init__(self, index, sector, nr_sectors, flags, mark, data_at):
        self.index = index
        self.sector = sector
        self.nr_sectors = nr_sectors
        self.flags = flags
        self.mark = mark  # the mark's name, or None
        self.data_at = data_at  # byte offset of the written data in the log

    def kind(self):
        """What a power cut right after this entry means: mark, flush, fua, or None for a plain write or discard."""
        if self.flags & MARK:
            return "mark"
        if self.flags & FLUSH:
            return "flush"
        if self.flags & FUA:
            return "fua"
        return None

    def describe(self):
        names = [name for bit, name in FLAG_NAMES if self.flags & bit] or ["write"]
        text = "%6d %-14s sector %d +%d" % (self.index, ",".join(names), self.sector, self.nr_sectors)
        return text + (" %s" % self.mark if self.mark is not None else "")


def entries(log):
    """The log's sector size and its entries, in order; LogError if it is not a whole dm-log-writes log."""
    size = os.fstat(log.fileno()).st_size
    log.seek(0)
    magic, version, count, sectorsize = SUPER.unpack(log.read(SUPER.size))
    if magic != MAGIC:
        raise LogError("not a dm-log-writes log (magic %#x)" % magic)
    if version != VERSION:
        raise LogError("log version %d, not %d" % (version, VERSION))
    if sectorsize < 512 or sectorsize & (sectorsize - 1):
        raise LogError("sector size %d" % sectorsize)
    found = []
    at = sectorsize
    for index in range(count):
        if at + sectorsize > size:
            raise LogError("entry %d at byte %d lies beyond the log's end (%d bytes)" % (index, at, size))
        log.seek(at)
        head = log.read(sectorsize)
        sector, nr_sectors, flags, data_len = ENTRY.unpack_from(head)
        if flags & ~KNOWN_FLAGS:
            raise LogError("entry %d has unknown flags %#x" % (index, flags))
        mark = None
        if flags & MARK:
            if data_len > sectorsize - ENTRY.size:
                raise LogError("entry %d: a mark of %d bytes" % (index, data_len))
            mark = head[ENTRY.size:ENTRY.size + data_len].decode("utf-8", "replace")
        at += sectorsize
        data_at = at
        if not flags & DISCARD:
            at += nr_sectors * sectorsize
        if at > size:
            raise LogError("entry %d: its data runs beyond the log's end" % index)
        found.append(Entry(index, sector, nr_sectors, flags, mark, data_at))
    return sectorsize, found


def apply(log, target, entry, sectorsize):
    """Writes one entry's effect onto the target: its data, or zeros for a discard."""
    at = entry.sector * sectorsize
    left = entry.nr_sectors * sectorsize
    if left == 0:
        return
    if entry.flags & DISCARD:
        zeros = bytes(min(left, 1 << 20))
        while left > 0:
            n = os.pwrite(target, zeros[:min(left, len(zeros))], at)
            at += n
            left -= n
        return
    log.seek(entry.data_at)
    while left > 0:
        chunk = log.read(min(left, 1 << 20))
        if not chunk:
            raise LogError("entry %d: short data" % entry.index)
        os.pwrite(target, chunk, at)
        at += len(chunk)
        left -= len(chunk)


def power_cuts(log_path, target_path):
    """Replays the log onto the target, pausing at every mark, flush and FUA entry: yields (entry, last_mark, changed)
    with the target then holding what the device held had the power gone right after that entry. last_mark is the
    latest mark's name at or before the entry ("" if none), changed whether the target changed since the last yield."""
    with open(log_path, "rb") as log:
        sectorsize, found = entries(log)
        target = os.open(target_path, os.O_RDWR)
        try:
            end = os.fstat(target).st_size
            last_mark = ""
            changed = True
            for entry in found:
                if entry.flags & MARK:
                    last_mark = entry.mark
                elif entry.nr_sectors:
                    if (entry.sector + entry.nr_sectors) * sectorsize > end:
                        raise LogError("entry %d writes beyond the target's %d bytes" % (entry.index, end))
                    apply(log, target, entry, sectorsize)
                    changed = True
                if entry.kind() is not None:
                    yield entry, last_mark, changed
                    changed = False
        finally:
            os.close(target)


def replay(log_path, target_path, command):
    failed = 0
    for entry, last_mark, _ in power_cuts(log_path, target_path):
        if command is not None:
            env = dict(os.environ, LOG_WRITES_ENTRY=str(entry.index), LOG_WRITES_KIND=entry.kind(),
                       LOG_WRITES_MARK=entry.mark or "", LOG_WRITES_LAST_MARK=last_mark)
            if subprocess.run(command, shell=True, env=env).returncode != 0:
                failed += 1
    return 1 if failed else 0


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "list":
            with open(argv[2], "rb") as log:
                sectorsize, found = entries(log)
            print("sector size %d, %d entries" % (sectorsize, len(found)))
            for entry in found:
                print(entry.describe())
            return 0
        if len(argv) in (4, 5) and argv[1] == "replay":
            return replay(argv[2], argv[3], argv[4] if len(argv) == 5 else None)
    except LogError as e:
        print("log_writes.py: %s" % e, file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
