#!/usr/bin/env python3
"""Checks `lunforge sessions --json` against what open-iscsi sees of the same sessions.

Usage: sessions_match.py SESSIONS_JSON ISCSIADM_P3 SS_OUTPUT TARGET [TARGET...]

For every open-iscsi session to one of the TARGETs (iscsiadm -m session -P 3), lunforge must list exactly one
session with the same target, portal (address, port and portal group tag), initiator name, the initiator's end of
the TCP connection (ss -tn), the same negotiated keys (open-iscsi's MaxRecvDataSegmentLength is what the initiator
declared, its MaxXmitDataSegmentLength what the target declared), the same authentication (CHAP when open-iscsi has
a username, mutual when it has username_in), and the same LUNs. Where sysfs shows the ISID, it must match too.
Prints one line per session compared; exits 1 with the differences otherwise.
"""
import json
import os
import re
import sys


def iscsiadm_sessions(text):
    sessions, target, cur = [], None, None
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"Target: (\S+)", s)
        if m:
            target = m.group(1)
            continue
        m = re.match(r"Current Portal: (\S+):(\d+),(\d+)", s)
        if m:
            cur = {"target": target, "address": m.group(1), "port": int(m.group(2)), "tpgt": int(m.group(3)),
                   "keys": {}, "luns": [], "chap": {}}
            sessions.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r"Iface Initiatorname: (\S+)", s)
        if m:
            cur["initiator"] = m.group(1)
        m = re.match(r"Iface IPaddress: (\S+)", s)
        if m:
            cur["iface_ip"] = m.group(1)
        m = re.match(r"SID: (\d+)", s)
        if m:
            cur["sid"] = int(m.group(1))
        m = re.match(r"(HeaderDigest|DataDigest|MaxRecvDataSegmentLength|MaxXmitDataSegmentLength|"
                     r"FirstBurstLength|MaxBurstLength|ImmediateData|InitialR2T|MaxOutstandingR2T): (\S+)", s)
        if m:
            cur["keys"][m.group(1)] = m.group(2)
        m = re.match(r"(username|username_in): (.*)", s)
        if m:
            cur["chap"][m.group(1)] = m.group(2).strip()
        m = re.search(r"Lun: (\d+)", s)
        if m:
            cur["luns"].append(int(m.group(1)))
    return sessions


def sysfs(sid, name):
    try:
        with open(f"/sys/class/iscsi_session/session{sid}/{name}") as f:
            return f.read().strip()
    except OSError:
        return None


def main():
    ours = json.load(open(sys.argv[1]))
    theirs = iscsiadm_sessions(open(sys.argv[2]).read())
    ss = open(sys.argv[3]).read()
    targets = set(sys.argv[4:])
    problems, compared = [], 0
    theirs = [t for t in theirs if t["target"] in targets]
    if not theirs:
        problems.append("open-iscsi has no session to " + ", ".join(sorted(targets)))
    for t in theirs:
        where = f"{t['target']} at {t['address']}:{t['port']},{t['tpgt']}"
        match = [s for s in ours if s["target"] == t["target"] and s["portal"] == f"{t['address']}:{t['port']}"]
        if len(match) != 1:
            problems.append(f"{where}: lunforge lists {len(match)} sessions there")
            continue
        s = match[0]
        k, n = t["keys"], s["negotiated"]

        def same(what, theirs_value, ours_value):
            if str(theirs_value) != str(ours_value):
                problems.append(f"{where}: {what}: open-iscsi {theirs_value}, lunforge {ours_value}")

        same("initiator", t.get("initiator"), s["initiator"])
        same("portal group tag", t["tpgt"], s["portal_group_tag"])
        same("HeaderDigest", k.get("HeaderDigest"), n["header_digest"])
        same("DataDigest", k.get("DataDigest"), n["data_digest"])
        same("MaxRecvDataSegmentLength", k.get("MaxRecvDataSegmentLength"),
             n["initiator_max_recv_data_segment_length"])
        same("MaxXmitDataSegmentLength", k.get("MaxXmitDataSegmentLength"),
             n["target_max_recv_data_segment_length"])
        same("FirstBurstLength", k.get("FirstBurstLength"), n["first_burst_length"])
        same("MaxBurstLength", k.get("MaxBurstLength"), n["max_burst_length"])
        same("ImmediateData", k.get("ImmediateData"), "Yes" if n["immediate_data"] else "No")
        same("InitialR2T", k.get("InitialR2T"), "Yes" if n["initial_r2t"] else "No")
        same("MaxOutstandingR2T", k.get("MaxOutstandingR2T"), n["max_outstanding_r2t"])
        chap = t["chap"].get("username", "<empty>") not in ("", "<empty>")
        mutual = t["chap"].get("username_in", "<empty>") not in ("", "<empty>")
        same("authentication", "CHAP" if chap else "None", s["auth_method"])
        same("mutual CHAP", mutual, s["mutual_chap"])
        same("LUNs", sorted(t["luns"]), sorted(l["lun"] for l in s["luns"]))
        if len(s["connections"]) != 1:
            problems.append(f"{where}: lunforge lists {len(s['connections'])} connections")
        else:
            peer = s["connections"][0]["peer_address"]
            portal = f"{t['address']}:{t['port']}"
            if not re.search(re.escape(peer) + r"\s+" + re.escape(portal), ss):
                problems.append(f"{where}: no TCP connection {peer} -> {portal} in ss")
        isid = sysfs(t.get("sid"), "isid")
        if isid is not None:
            same("ISID", isid.lower().removeprefix("0x").zfill(12), s["isid"])
        compared += 1
        print(f"{where}: initiator {s['initiator']} isid {s['isid']} tsih {s['tsih']} from "
              f"{s['connections'][0]['peer_address']}, auth {s['auth_method']}{' (mutual)' if s['mutual_chap'] else ''}"
              f", LUNs {[l['lun'] for l in s['luns']]}, MaxRecvDSL {n['initiator_max_recv_data_segment_length']}/"
              f"{n['target_max_recv_data_segment_length']}: same as open-iscsi"
              f"{'' if isid is not None else ' (sysfs shows no ISID)'}")
    extra = [s for s in ours if s["target"] in targets and not any(
        s["portal"] == f"{t['address']}:{t['port']}" and s["target"] == t["target"] for t in theirs)]
    for s in extra:
        problems.append(f"lunforge lists a session open-iscsi does not have: {s['target']} at {s['portal']}")
    for p in problems:
        print("MISMATCH " + p)
    print(f"compared {compared} session(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
