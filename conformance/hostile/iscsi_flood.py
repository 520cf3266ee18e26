#!/usr/bin/env python3
"""Hostile iSCSI initiators for conformance/hostile/flood: many sessions that flood a target with what a
careless or malicious initiator can send inside the protocol.

Each session logs in (AuthMethod=None, straight to full feature phase) and then, until its time is up, sends in
bursts one of:
  write-no-data  immediate WRITE(10) commands whose data is never sent (InitialR2T=Yes: each waits for an R2T
                 answer that never comes), a new Initiator Task Tag each;
  read-huge-edtl READ(10) of one block with an Expected Data Transfer Length of 64 MiB, non-immediate in CmdSN
                 order, immediate ones as well, while the socket is never read (Data-In can only pile up).
It prints one line per session kind with the PDUs sent and how the target answered the login.

Only stdlib; loopback addresses only. Every loop is bounded in time (--seconds) and count (--max-pdus).
"""
import argparse
import socket
import struct
import sys
import threading
import time

BHS = 48
ISCSI_LOGIN = 0x03
ISCSI_SCSI_CMD = 0x01
IMMEDIATE = 0x40


def pad4(n):
    return (n + 3) & ~3


def login(host, port, initiator, target, isid, timeout):
    """Logs in and returns (socket, cmdSN, expStatSN) in full feature phase, or raises."""
    s = socket.create_connection((host, port), timeout=timeout)
    keys = {
        "InitiatorName": initiator, "SessionType": "Normal", "TargetName": target, "AuthMethod": "None",
        "HeaderDigest": "None", "DataDigest": "None", "InitialR2T": "Yes", "ImmediateData": "Yes",
        "MaxRecvDataSegmentLength": "8192", "MaxBurstLength": "262144", "FirstBurstLength": "65536",
        "DefaultTime2Wait": "0", "DefaultTime2Retain": "0", "MaxOutstandingR2T": "1", "DataPDUInOrder": "Yes",
        "DataSequenceInOrder": "Yes", "ErrorRecoveryLevel": "0", "MaxConnections": "1",
    }
    cmd_sn, exp_stat_sn, itt = 1, 0, 0x1000
    csg = 0
    for _ in range(4):
        data = b"".join(f"{k}={v}".encode() + b"\0" for k, v in keys.items())
        flags = 0x80 | (csg << 2) | 3  # Transit to full feature phase
        bhs = bytearray(BHS)
        bhs[0] = IMMEDIATE | ISCSI_LOGIN
        bhs[1] = flags
        bhs[5:8] = len(data).to_bytes(3, "big")
        bhs[8:14] = isid
        struct.pack_into(">IHHII", bhs, 16, itt, 0, 0, cmd_sn, exp_stat_sn)
        s.sendall(bytes(bhs) + data + b"\0" * (pad4(len(data)) - len(data)))
        head = recv_exact(s, BHS)
        length = int.from_bytes(head[5:8], "big")
        recv_exact(s, pad4(length))
        status_class = head[36]
        if status_class != 0:
            s.close()
            raise ConnectionError(f"login refused: status class {status_class} detail {head[37]}")
        exp_stat_sn = struct.unpack_from(">I", head, 24)[0] + 1
        cmd_sn = struct.unpack_from(">I", head, 28)[0]
        if head[1] & 0x80 and head[1] & 0x03 == 3:
            return s, cmd_sn, exp_stat_sn
        csg = (head[1] >> 2) & 0x03 if head[1] & 0x80 else csg
        itt += 1
        keys = {}
    s.close()
    raise ConnectionError("login did not reach full feature phase")


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise ConnectionError("connection closed by the target")
        out += chunk
    return bytes(out)


def scsi_command(itt, cmd_sn, exp_stat_sn, cdb, edtl, read, write, immediate):
    bhs = bytearray(BHS)
    bhs[0] = (IMMEDIATE if immediate else 0) | ISCSI_SCSI_CMD
    bhs[1] = 0x80 | (0x40 if read else 0) | (0x20 if write else 0) | 0x01
    struct.pack_into(">IIII", bhs, 16, itt, edtl, cmd_sn, exp_stat_sn)
    bhs[32:32 + len(cdb)] = cdb
    return bytes(bhs)


def write10(lba, blocks):
    return struct.pack(">BBIBHB", 0x2A, 0, lba, 0, blocks, 0)


def read10(lba, blocks):
    return struct.pack(">BBIBHB", 0x28, 0, lba, 0, blocks, 0)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.pdus = {}
        self.sessions = {}
        self.failures = {}

    def add(self, kind, pdus, ok, failure=None):
        with self.lock:
            self.pdus[kind] = self.pdus.get(kind, 0) + pdus
            self.sessions[kind] = self.sessions.get(kind, 0) + (1 if ok else 0)
            if failure:
                self.failures[failure] = self.failures.get(failure, 0) + 1


def flood(args, index, kind, tally, ready):
    """Logs in, waits until every session has tried to, then floods until the deadline."""
    isid = bytes([0x80, 0x00, 0x4C, 0x46]) + index.to_bytes(2, "big")
    try:
        s, cmd_sn, exp_stat_sn = login(args.host, args.port, f"iqn.2026-12.org.lunforge:hostile-{index}",
                                       args.target, isid, timeout=30)
    except (OSError, ConnectionError) as e:
        tally.add(kind, 0, False, f"login: {e}")
        ready.wait()
        return
    ready.wait()
    deadline = time.monotonic() + args.seconds
    s.settimeout(max(0.5, args.seconds))
    # One burst of PDUs built once; only the Initiator Task Tag and CmdSN fields change from burst to burst.
    burst = 256
    template = bytearray()
    for i in range(burst):
        if kind == "write-no-data":
            template += scsi_command(0, 0, exp_stat_sn, write10(i, 128), 128 * 512, read=False, write=True,
                                     immediate=True)
        else:
            template += scsi_command(0, 0, exp_stat_sn, read10(i, 1), 64 << 20, read=True, write=False,
                                     immediate=i % 2 == 0)
    itt = 1
    sent = 0
    try:
        while time.monotonic() < deadline and sent < args.max_pdus:
            for i in range(burst):
                struct.pack_into(">I", template, i * BHS + 16, itt)
                struct.pack_into(">I", template, i * BHS + 24, cmd_sn)
                if kind == "read-huge-edtl" and i % 2 == 1:
                    cmd_sn = (cmd_sn + 1) & 0xFFFFFFFF  # non-immediate: the next one takes the next CmdSN
                itt = (itt + 1) & 0x7FFFFFFF or 1
            s.sendall(template)
            sent += burst
    except (OSError, ConnectionError) as e:
        tally.add(kind, sent, True, f"{kind}: {type(e).__name__}")
        s.close()
        return
    tally.add(kind, sent, True)
    # Hold the connection open, unread, until the end: the target must cope with what is still queued.
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3260)
    p.add_argument("--target", required=True)
    p.add_argument("--sessions", type=int, default=64)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--max-pdus", type=int, default=2_000_000, help="per session")
    args = p.parse_args()
    if not args.host.startswith("127."):
        sys.exit("loopback addresses only")
    tally = Tally()
    threads = []
    ready = threading.Barrier(args.sessions + 1)
    for i in range(args.sessions):
        kind = "write-no-data" if i % 2 == 0 else "read-huge-edtl"
        t = threading.Thread(target=flood, args=(args, i, kind, tally, ready), daemon=True)
        t.start()
        threads.append(t)
    ready.wait()
    print("flooding", flush=True)
    for t in threads:
        t.join(args.seconds + 60)
    for kind in sorted(tally.pdus):
        print(f"{kind}: sessions logged in {tally.sessions.get(kind, 0)}, command PDUs sent {tally.pdus[kind]}")
    for failure, count in sorted(tally.failures.items()):
        print(f"ended early ({count} sessions): {failure}")


if __name__ == "__main__":
    main()
