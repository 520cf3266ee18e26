#!/usr/bin/env python3
"""The power-cut scenario's writer: durable writes through lunforge, each acknowledged one followed by a dm-log-writes
mark, and the expectations they leave for every point of the log.

  power_cut_writer.py DM_NAME DISK_SG TAPE_NST BARCODE FIRST_ORDINAL ROUNDS EXPECTATIONS

The disk is driven through SG_IO on its sg node (so exactly the commands below reach the target, nothing of sd's),
the tape through st on its no-rewind node in variable-block mode. Each round makes three durable steps; after each
one is acknowledged it asks for mark "pc:<ordinal>:<step>" on the dm-log-writes device DM_NAME (ordinals count up
from FIRST_ORDINAL):
  fua       one WRITE(10) with FUA of 4 KiB to blocks of its own (SBC-4 5.1: durable when it completes)
  sync      three WRITE(10)s without FUA, then SYNCHRONIZE CACHE(10) of the whole disk
  filemark  three blocks of 3-64 KiB written to the tape, then one filemark: st's MTWEOF sends WRITE FILEMARKS(6) with
            IMMED 0, which completes once the filemark and every block before it are on the medium (SSC-4 7.3)
After the rounds, two WRITE(10)s without FUA and without a SYNCHRONIZE CACHE: those are durable only once lunforged
has stopped cleanly. They carry the next ordinal, which is printed on stdout: the scenario makes that mark after the
daemon has stopped. No two writes touch the same bytes, and every one carries random data, so equal bytes mean the
write is there.

EXPECTATIONS gets one line per write, in the order written (read by org.lunforge.conformance.PowerCutCheck):
  disk ORDINAL OFFSET LENGTH SHA256        LENGTH bytes at byte OFFSET of the disk, durable from mark ORDINAL on
  block ORDINAL BARCODE LENGTH SHA256      the cartridge's next block, durable from mark ORDINAL on (its filemark's)
  filemark ORDINAL BARCODE                 the cartridge's next filemark
A write with ordinal n was issued after mark n-1 was made, so it cannot be there at any point before that mark.
"""
import ctypes
import fcntl
import hashlib
import os
import struct
import subprocess
import sys

SG_IO = 0x2285
SG_DXFER_NONE, SG_DXFER_TO_DEV, SG_DXFER_FROM_DEV = -1, -2, -3
MTIOCTOP = 0x40086D01  # _IOW('m', 1, struct mtop)
MTWEOF = 5
DISK_WRITE = 4096
STRIDE = 32768  # bytes between the starts of two disk writes: each in its own file system block


class SgIoHdr(ctypes.Structure):
    """struct sg_io_hdr of <scsi/sg.h>."""
    _fields_ = [("interface_id", ctypes.c_int), ("dxfer_direction", ctypes.c_int), ("cmd_len", ctypes.c_ubyte),
                ("mx_sb_len", ctypes.c_ubyte), ("iovec_count", ctypes.c_ushort), ("dxfer_len", ctypes.c_uint),
                ("dxferp", ctypes.c_void_p), ("cmdp", ctypes.c_void_p), ("sbp", ctypes.c_void_p),
                ("timeout", ctypes.c_uint), ("flags", ctypes.c_uint), ("pack_id", ctypes.c_int),
                ("usr_ptr", ctypes.c_void_p), ("status", ctypes.c_ubyte), ("masked_status", ctypes.c_ubyte),
                ("msg_status", ctypes.c_ubyte), ("sb_len_wr", ctypes.c_ubyte), ("host_status", ctypes.c_ushort),
                ("driver_status", ctypes.c_ushort), ("resid", ctypes.c_int), ("duration", ctypes.c_uint),
                ("info", ctypes.c_uint)]


def scsi(fd, cdb, direction=SG_DXFER_NONE, data=None, length=0):
    """Runs one command; returns the data read. Raises OSError unless it completed with GOOD status."""
    cdb_buf = ctypes.create_string_buffer(bytes(cdb), len(cdb))
    sense = ctypes.create_string_buffer(32)
    if direction == SG_DXFER_TO_DEV:
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        length = len(data)
    else:
        buf = ctypes.create_string_buffer(max(length, 1))
    hdr = SgIoHdr(interface_id=ord("S"), dxfer_direction=direction, cmd_len=len(cdb), mx_sb_len=len(sense),
                  dxfer_len=length, dxferp=ctypes.addressof(buf), cmdp=ctypes.addressof(cdb_buf),
                  sbp=ctypes.addressof(sense), timeout=120000)
    fcntl.ioctl(fd, SG_IO, hdr)
    if hdr.status or hdr.host_status or hdr.driver_status:
        raise OSError("CDB %s: status %#x host %#x driver %#x sense %s" % (
            bytes(cdb).hex(), hdr.status, hdr.host_status, hdr.driver_status, sense.raw[:hdr.sb_len_wr].hex()))
    return buf.raw[:length - hdr.resid] if direction == SG_DXFER_FROM_DEV else b""


class Writer:
    def __init__(self, dm, disk, tape, barcode, ordinal, out):
        self.dm = dm
        self.disk = disk
        self.tape = tape
        self.barcode = barcode
        self.ordinal = ordinal
        self.out = out
        capacity = scsi(disk, [0x25] + [0] * 9, SG_DXFER_FROM_DEV, length=8)  # READ CAPACITY(10)
        self.block = struct.unpack(">I", capacity[4:8])[0]
        self.next_offset = 0

    def disk_write(self, fua):
        data = os.urandom(DISK_WRITE)
        offset = self.next_offset
        self.next_offset += STRIDE
        lba, blocks = offset // self.block, DISK_WRITE // self.block
        cdb = struct.pack(">BBIBHB", 0x2A, 0x08 if fua else 0, lba, 0, blocks, 0)  # WRITE(10), byte 1 bit 3 FUA
        scsi(self.disk, cdb, SG_DXFER_TO_DEV, data)
        self.expect("disk %d %d %d %s" % (self.ordinal, offset, DISK_WRITE, hashlib.sha256(data).hexdigest()))

    def synchronize_cache(self):
        scsi(self.disk, [0x35] + [0] * 9)  # SYNCHRONIZE CACHE(10), LBA 0 and 0 blocks: all of it

    def tape_file(self):
        for size in (65536, 3 * 1024 + 17, 40000):
            data = os.urandom(size)
            if os.write(self.tape, data) != size:
                raise OSError("short write of a %d-byte tape block" % size)
            self.expect("block %d %s %d %s" % (self.ordinal, self.barcode, size, hashlib.sha256(data).hexdigest()))
        fcntl.ioctl(self.tape, MTIOCTOP, struct.pack("hi", MTWEOF, 1))
        self.expect("filemark %d %s" % (self.ordinal, self.barcode))

    def expect(self, line):
        self.out.write(line + "\n")
        self.out.flush()

    def mark(self, step):
        """Marks the log once a step is acknowledged; the next step's writes carry the next ordinal."""
        name = "pc:%03d:%s" % (self.ordinal, step)
        subprocess.run(["dmsetup", "message", self.dm, "0", "mark", name], check=True)
        print("acknowledged, then marked %s" % name, file=sys.stderr)
        self.ordinal += 1


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__)
    dm, disk_path, tape_path, barcode, first, rounds, expectations = argv[1:]
    disk = os.open(disk_path, os.O_RDWR)
    tape = os.open(tape_path, os.O_WRONLY)
    with open(expectations, "a") as out:
        w = Writer(dm, disk, tape, barcode, int(first), out)
        for _ in range(int(rounds)):
            w.disk_write(fua=True)
            w.mark("fua")
            for _ in range(3):
                w.disk_write(fua=False)
            w.synchronize_cache()
            w.mark("sync")
            w.tape_file()
            w.mark("filemark")
        w.disk_write(fua=False)
        w.disk_write(fua=False)
    os.close(tape)
    os.close(disk)
    print(w.ordinal)


if __name__ == "__main__":
    main(sys.argv)
