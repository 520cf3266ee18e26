#!/usr/bin/env python3
"""The power-cut scenario's power cuts: what an ext4 file system on a logged device holds after losing power at every
point of its dm-log-writes log, as the kernel itself recovers it.

  power_cut_points.py LOG REPLAY WORK FOLDER POINTS

Replays LOG onto REPLAY (log_writes.power_cuts: a file holding the logged device's contents from before the log
began) and at every mark, flush and FUA entry from the first mark on (the first mark is made once mkfs is done):
  - copies REPLAY to WORK/snapshot.img and attaches the copy to a loop device;
  - mounts it (ext4, noatime): the kernel replays the journal, as on the first boot after a power cut;
  - copies FOLDER (a path inside the file system) to POINTS/<entry>/store, if it exists;
  - unmounts it and runs e2fsck -fn, which must find it clean;
  - writes POINTS/<entry>/point for org.lunforge.conformance.PowerCutCheck: entry, kind (mark, flush, fua), mark (this
    entry's name if it is a mark) and last_mark (the latest mark named pc:<ordinal>:<what> at or before it: the
    writer's marks, which order what was acknowledged; empty before the first).
A flush or FUA entry that left the replay as it was at the point before is the same power cut and is skipped. Each
step runs here (loop ioctls, mount(2)) rather than as a command: under emulation starting a program costs more than
the work. Prints a line per point whose file system did not mount or check clean; exit status 1 if any, 2 if the log
could not be replayed.
"""
import ctypes
import fcntl
import os
import re
import shutil
import subprocess
import sys
import time

import log_writes

LOOP_SET_FD, LOOP_CLR_FD, LOOP_CTL_GET_FREE = 0x4C00, 0x4C01, 0x4C82
MS_NOATIME = 1024
ORDINAL_MARK = re.compile(r"pc:\d+:")
LIBC = ctypes.CDLL(None, use_errno=True)


def sparse_copy(src, dst, follow_symlinks=True):
    """Copies a file's data extents only (SEEK_DATA/SEEK_HOLE), leaving its holes holes; for shutil.copytree too."""
    with open(src, "rb") as i, open(dst, "wb") as o:
        size = os.fstat(i.fileno()).st_size
        at = 0
        while at < size:
            try:
                data = os.lseek(i.fileno(), at, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                break
            hole = os.lseek(i.fileno(), data, os.SEEK_HOLE)
            while data < hole:
                chunk = os.pread(i.fileno(), min(hole - data, 1 << 20), data)
                os.pwrite(o.fileno(), chunk, data)
                data += len(chunk)
            at = hole
        o.truncate(size)
    shutil.copystat(src, dst)
    return dst


class Loop:
    """A loop device over a file, attached for the life of a with block."""

    def __init__(self, backing):
        self.backing = backing

    def __enter__(self):
        control = os.open("/dev/loop-control", os.O_RDWR)
        try:
            self.path = "/dev/loop%d" % fcntl.ioctl(control, LOOP_CTL_GET_FREE)
        finally:
            os.close(control)
        self.fd = os.open(self.path, os.O_RDWR)
        backing = os.open(self.backing, os.O_RDWR)
        try:
            fcntl.ioctl(self.fd, LOOP_SET_FD, backing)
        finally:
            os.close(backing)
        return self.path

    def __exit__(self, *exc):
        fcntl.ioctl(self.fd, LOOP_CLR_FD, 0)
        os.close(self.fd)


def mount(device, target):
    if LIBC.mount(device.encode(), target.encode(), b"ext4", MS_NOATIME, None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "mount %s: %s" % (device, os.strerror(e)))


def umount(target):
    if LIBC.umount2(target.encode(), 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "umount %s: %s" % (target, os.strerror(e)))


SECONDS = {}  # time spent per step, over all points: printed at the end, so a slow run shows where it went


def took(step, since):
    now = time.monotonic()
    SECONDS[step] = SECONDS.get(step, 0.0) + now - since
    return now


def power_cut(replay, work, folder, point_dir):
    """Recovers and checks one power cut's file system; returns what was wrong with it, or None."""
    t = time.monotonic()
    snapshot = os.path.join(work, "snapshot.img")
    mountpoint = os.path.join(work, "snapshot-mount")
    os.makedirs(mountpoint, exist_ok=True)
    sparse_copy(replay, snapshot)
    t = took("copy", t)
    try:
        with Loop(snapshot) as device:
            try:
                mount(device, mountpoint)
            except OSError as e:
                return "the kernel did not mount it (%s)" % e.strerror
            t = took("mount", t)
            try:
                inside = os.path.join(mountpoint, folder.lstrip("/"))
                if os.path.isdir(inside):
                    shutil.copytree(inside, os.path.join(point_dir, "store"), symlinks=True,
                                    copy_function=sparse_copy)
            finally:
                t = took("store copy", t)
                umount(mountpoint)
                t = took("umount", t)
            fsck = subprocess.run(["e2fsck", "-fn", device], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
            t = took("e2fsck", t)
            with open(os.path.join(point_dir, "fsck.txt"), "w") as out:
                out.write(fsck.stdout)
            if fsck.returncode != 0:
                problems = [line for line in fsck.stdout.splitlines() if line and not line.startswith(("e2fsck",
                            "Pass ", "Checking", "/dev/"))]
                return "e2fsck -fn exited with %d: %s" % (fsck.returncode, "; ".join(problems[:3]))
    finally:
        os.remove(snapshot)
    return None


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    log, replay, work, folder, points = argv[1:]
    broken = checked = skipped = 0
    last_ordinal_mark = ""
    t = time.monotonic()
    try:
        for entry, last_mark, changed in log_writes.power_cuts(log, replay):
            t = took("replay", t)
            if not last_mark:
                continue  # still inside mkfs: no file system was promised yet
            if entry.mark is not None and ORDINAL_MARK.match(entry.mark):
                last_ordinal_mark = entry.mark
            if not changed and entry.mark is None:
                skipped += 1
                continue
            point_dir = os.path.join(points, "%06d" % entry.index)
            os.makedirs(point_dir)
            with open(os.path.join(point_dir, "point"), "w") as out:
                out.write("entry=%d\nkind=%s\nmark=%s\nlast_mark=%s\n" % (entry.index, entry.kind(), entry.mark or "",
                                                                         last_ordinal_mark))
            checked += 1
            problem = power_cut(replay, work, folder, point_dir)
            t = time.monotonic()
            if problem:
                broken += 1
                print("entry %d (%s after %s): %s" % (entry.index, entry.kind(), last_mark, problem), flush=True)
    except log_writes.LogError as e:
        print("power_cut_points.py: %s" % e, file=sys.stderr)
        return 2
    print("%d power cuts recovered and checked (%d the same as the one before, skipped), %d broken; seconds: %s"
          % (checked, skipped, broken, ", ".join("%s %.1f" % kv for kv in SECONDS.items())), file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
