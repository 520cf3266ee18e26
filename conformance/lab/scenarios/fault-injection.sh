#!/bin/bash
# lab-timeout: 900
# (measured: 720 s wall, boot 100 s, on this 2-core host at load ~25 with four other guests running; the fault and
# sessions checks themselves took 163 s of it, from the last login to the verdict)
# fault-injection: lunforge's fault injection and sessions list against the kernel's initiator, in one guest boot.
# One memory disk behind two target ports (127.0.0.1 and 127.0.0.2), open-iscsi logged in through both, dm-multipath
# over the two paths. Through `lunforge` (the shell over the control socket): a MEDIUM ERROR armed on an LBA range
# reaches dd (O_DIRECT) as EIO on exactly that range, reads and writes, and nowhere else; a held read makes the
# kernel's SCSI error handler send ABORT TASK, lunforge answers it and the retried read succeeds; a held read ended
# by a LOGICAL UNIT RESET (sg_reset -d) the same way; target port 2 taken down fails its path over to port 1 while
# I/O goes on, and brought up it comes back. `lunforge sessions --json` is checked against
# `iscsiadm -m session -P 3` (initiator, target, portal and tag, TCP connection, negotiated keys, authentication,
# LUNs) in demo mode and through a group with an ACL (LUN 3 mapped) and mutual CHAP; `sessions close` ends one.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules iscsi_tcp dm_multipath
lab_require_commands iscsiadm iscsid multipath multipathd python3 ss sg_reset
iqn=iqn.2026-11.org.lunforge:faults
chap_iqn=iqn.2026-11.org.lunforge:faults-chap
initiator=iqn.2005-03.org.open-iscsi:lab
disk=/backstores/memory/disk0
lab_loopback_address 127.0.0.2

cat > "$LAB_OUT/lunforged.json" << JSON
{
  "state_dir": "/tmp/lunforge-state",
  "backstores": [ { "name": "disk0", "memory": { "size": "64M" } }, { "name": "disk1", "memory": { "size": "16M" } } ],
  "iscsi_targets": [
    { "iqn": "$iqn", "portal_groups": [
      { "tag": 1, "portals": ["127.0.0.1:3260"], "generate_node_acls": true,
        "luns": [ { "lun": 0, "object": "$disk" } ] },
      { "tag": 2, "portals": ["127.0.0.2:3260"], "generate_node_acls": true,
        "luns": [ { "lun": 0, "object": "$disk" } ] } ] },
    { "iqn": "$chap_iqn", "portal_groups": [
      { "tag": 1, "portals": ["127.0.0.1:3261"], "authentication": true,
        "luns": [ { "lun": 0, "object": "/backstores/memory/disk1" } ],
        "acls": [ { "initiator": "$initiator", "mapped_luns": [ { "mapped_lun": 3, "tpg_lun": 0 } ],
          "chap": { "userid": "lab-user", "password": "lab-secret-1234",
                    "mutual_userid": "lunforge-target", "mutual_password": "target-secret-5678" } } ] } ] } ]
}
JSON
lab_start_lunforged "$LAB_OUT/lunforged.json" --port 3260 --port 3261 --timeout 300
trap 'lab_stop_lunforged || true' EXIT

# One lunforge shell (as bin/lunforge runs it, without its build check: the host built the jar before the boot) for
# the whole scenario, reading commands on stdin: a JVM start costs seconds under TCG, minutes on a loaded host.
# lf COMMAND...: runs one shell command in it and prints what it printed; a command that fails ends the shell (and
# the scenario). `pwd` after each command marks the end of its output (a line "/": no command here prints one).
coproc LUNFORGE_SHELL { "$LAB_JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
    -cp "$LUNFORGE_HOME/server/target/lunforge-server.jar" org.lunforge.server.shell.Lunforge 2>&1; }
lf() {
    local line
    printf '%s\npwd\n' "$*" >&"${LUNFORGE_SHELL[1]}"
    while IFS= read -r -t 900 line <&"${LUNFORGE_SHELL[0]}"; do
        [[ "$line" == / ]] && return 0
        printf '%s\n' "$line"
    done
    lab_fail "the lunforge shell stopped answering after: $*"
}
lf status > "$LAB_OUT/lunforge-status.txt" # whatever the JVM says first lands here, not in a command's output

lab_iscsid_start "$initiator"
path_a=$(lab_iscsi_login "$iqn" 127.0.0.1:3260)
path_b=$(lab_iscsi_login "$iqn" 127.0.0.2:3260)
disk_a=$(lab_scsi_dev "$path_a" disk)
disk_b=$(lab_scsi_dev "$path_b" disk)
lab_log "port 1 (127.0.0.1) -> $disk_a; port 2 (127.0.0.2) -> $disk_b"
lab_multipathd_start
map_paths() { # map_paths N: one map with N paths whose dm state is active
    local maps
    maps=$(multipathd show maps format '%n' 2> /dev/null | grep -v '^name' || true)
    [[ $(wc -w <<< "$maps") -eq 1 ]] || return 1
    [[ $(multipathd show paths format '%m %t' 2> /dev/null | awk -v m="$maps" '$1 == m && $2 == "active" {n++}
        END {print n + 0}') -eq "$1" ]]
}
lab_wait_for 60 "one multipath map with two active paths" map_paths 2
map=$(multipathd show maps format '%n' | grep -v '^name')
dev=/dev/mapper/$map
lab_wait_for 20 "$dev" test -b "$dev"

# --- sessions, demo mode: what lunforge lists is what open-iscsi has --------------------------------------------
check_sessions() { # check_sessions NAME TARGET...
    local name="$1"
    shift
    lf sessions --json > "$LAB_OUT/sessions-$name.json"
    iscsiadm -m session -P 3 > "$LAB_OUT/iscsiadm-$name.txt"
    ss -Htn > "$LAB_OUT/ss-$name.txt"
    python3 "$LAB_DIR/guest/sessions_match.py" "$LAB_OUT/sessions-$name.json" "$LAB_OUT/iscsiadm-$name.txt" \
        "$LAB_OUT/ss-$name.txt" "$@" > "$LAB_OUT/sessions-$name.check" 2>&1 \
        || lab_fail "lunforge sessions differs from open-iscsi ($name): $(grep -m2 MISMATCH "$LAB_OUT/sessions-$name.check")"
    cat "$LAB_OUT/sessions-$name.check" >&2
}
check_sessions demo "$iqn"
lf sessions > "$LAB_OUT/sessions-demo.txt"

# --- MEDIUM ERROR on blocks 2048-2055 (bytes 1 MiB to 1 MiB + 4 KiB), reads and writes ------------------------------
lf faults arm "$disk" medium-error rw lba=2048-2055 >&2
read_at() { dd if="$dev" of=/dev/null bs=4096 skip="$1" count=1 iflag=direct status=none 2> "$LAB_OUT/dd.err"; }
# Writes go to path a's disk, not through the map: Linux fails a WRITE ERROR (03/0C) as a plain I/O error (only
# unrecovered read errors become "critical medium error"), and dm-multipath takes that for a failed path: the write
# failed every path of the map in turn and the next write found none (seen in the lab, dmesg "Failing path").
write_at() { dd if=/dev/zero of="$disk_a" bs=4096 seek="$1" count=1 oflag=direct status=none 2> "$LAB_OUT/dd.err"; }
# Linux hands a MEDIUM ERROR to the application as EIO or, where the block layer keeps it apart (BLK_STS_MEDIUM, as
# 6.1 does for reads), as ENODATA ("No data available"); both are the error reaching dd. Which one is recorded.
errnos=()
eio() {
    if "$@"; then
        lab_fail "$* succeeded inside the faulted range"
    fi
    if grep -q 'Input/output error' "$LAB_OUT/dd.err"; then
        errnos+=("$1:EIO")
    elif grep -q 'No data available' "$LAB_OUT/dd.err"; then
        errnos+=("$1:ENODATA")
    else
        lab_fail "$* failed, but neither with EIO nor ENODATA: $(cat "$LAB_OUT/dd.err")"
    fi
}
read_at 255 || lab_fail "the read just before the range failed: $(cat "$LAB_OUT/dd.err")"
eio read_at 256
read_at 257 || lab_fail "the read just after the range failed: $(cat "$LAB_OUT/dd.err")"
write_at 255 || lab_fail "the write just before the range failed: $(cat "$LAB_OUT/dd.err")"
eio write_at 256
write_at 257 || lab_fail "the write just after the range failed: $(cat "$LAB_OUT/dd.err")"
lf faults > "$LAB_OUT/faults-medium.txt"
fired=$(sed -n 's/.*medium-error.*; fired \([0-9]*\).*/\1/p' "$LAB_OUT/faults-medium.txt")
((${fired:-0} >= 2)) || lab_fail "the medium error fault fired ${fired:-?} times, not at least 2 (faults-medium.txt)"
lf faults disarm all >&2
read_at 256 || lab_fail "the range still fails after disarm: $(cat "$LAB_OUT/dd.err")"
lab_log "medium error: ${errnos[*]} at blocks 2048-2055, none at 2040 or 2056 (fired $fired times)"

# --- a held read: the error handler's ABORT TASK, answered; the retry succeeds --------------------------------------
echo 5 > "/sys/block/${disk_a#/dev/}/device/timeout"
lf faults arm "$disk" hold reads limit=1 "port=$iqn,1" >&2
t0=$SECONDS
dd if="$disk_a" of=/dev/null bs=4096 skip=300 count=1 iflag=direct status=none 2> "$LAB_OUT/dd.err" \
    || lab_fail "the held read did not succeed once aborted and retried: $(cat "$LAB_OUT/dd.err")"
held_for=$((SECONDS - t0))
((held_for >= 4)) || lab_fail "the held read returned after ${held_for}s, before the 5 s command timeout"
lab_wait_for 20 "lunforge to log the answered ABORT TASK" grep -q 'ABORT TASK .* answered Function complete' \
    "$LAB_OUT/lunforged.log"
lf faults > "$LAB_OUT/faults-hold.txt"
grep -q 'hold on reads.*fired 1' "$LAB_OUT/faults-hold.txt" || lab_fail "the hold fault did not fire once (faults-hold.txt)"
if grep -q 'holding' "$LAB_OUT/faults-hold.txt"; then
    lab_fail "a command is still held after the abort (faults-hold.txt)"
fi
lf faults disarm all >&2
read_at 300 || lab_fail "the device is not usable after the abort: $(cat "$LAB_OUT/dd.err")"
lab_log "held read: aborted by the error handler after ${held_for}s, ABORT TASK answered, retried and read"

# --- a held read ended by LOGICAL UNIT RESET ---------------------------------------------------------------------
echo 60 > "/sys/block/${disk_a#/dev/}/device/timeout"
lf faults arm "$disk" hold reads "port=$iqn,1" >&2
dd if="$disk_a" of=/dev/null bs=4096 skip=400 count=1 iflag=direct status=none 2> "$LAB_OUT/dd-reset.err" &
reader=$!
held_now() {
    lf faults > /tmp/faults-now.txt
    grep -q 'holding 1' /tmp/faults-now.txt
}
lab_wait_for 30 "lunforge to hold the read" held_now
sg_reset -d "$disk_a" >&2 || lab_fail "sg_reset -d (LOGICAL UNIT RESET) on $disk_a failed"
lab_wait_for 20 "lunforge to log the answered LOGICAL UNIT RESET" \
    grep -q 'LOGICAL UNIT RESET .* answered Function complete' "$LAB_OUT/lunforged.log"
lf faults disarm all >&2
wait "$reader" || lab_fail "the read held across the LUN reset failed: $(cat "$LAB_OUT/dd-reset.err")"
echo 30 > "/sys/block/${disk_a#/dev/}/device/timeout"
lab_log "held read: LOGICAL UNIT RESET answered, the read retried and done"

# --- target port 2 down: its path fails, I/O goes on through port 1; up: the path comes back ------------------------
head -c 1048576 /dev/urandom > /tmp/pattern
lf faults port "$iqn" 2 down >&2
(for i in $(seq 1 20); do dd if=/tmp/pattern of="$dev" bs=1M count=1 seek=8 oflag=direct status=none; done) &
writer=$!
down_t0=$SECONDS
lab_wait_for 90 "the map down to one active path" map_paths 1
down_after=$((SECONDS - down_t0))
multipath -ll > "$LAB_OUT/multipath-port-down.txt" 2>&1 || true
wait "$writer" || lab_fail "writes through the map failed while port 2 was down"
lf faults > "$LAB_OUT/faults-port.txt"
grep -q "tpg2: DOWN" "$LAB_OUT/faults-port.txt" || lab_fail "faults does not show tpg2 down (faults-port.txt)"
up_t0=$SECONDS
lf faults port "$iqn" 2 up >&2
lab_wait_for 120 "the map back to two active paths" map_paths 2
up_after=$((SECONDS - up_t0))
multipath -ll > "$LAB_OUT/multipath-port-up.txt" 2>&1 || true
for d in "$dev" "$disk_a" "$disk_b"; do
    cmp /tmp/pattern <(dd if="$d" bs=1M skip=8 count=1 iflag=direct status=none) \
        || lab_fail "the data written while port 2 was down reads back differently on $d"
done
lab_log "port 2 down: path failed after ${down_after}s, writes went on; up: path back after ${up_after}s"

# --- sessions through an ACL with mutual CHAP, beside the demo-mode ones --------------------------------------------
iscsiadm -m discovery -t sendtargets -p 127.0.0.1:3261 >&2
for kv in node.session.auth.authmethod=CHAP node.session.auth.username=lab-user \
          node.session.auth.password=lab-secret-1234 node.session.auth.username_in=lunforge-target \
          node.session.auth.password_in=target-secret-5678; do
    iscsiadm -m node -T "$chap_iqn" -p 127.0.0.1:3261 -o update -n "${kv%%=*}" -v "${kv#*=}"
done
iscsiadm -m node -T "$chap_iqn" -p 127.0.0.1:3261 --login >&2 || lab_fail "the mutual CHAP login failed"
lab_wait_for 30 "the LUN of the CHAP session" lab_iscsi_session_luns "$chap_iqn" 127.0.0.1:3261
check_sessions acl "$iqn" "$chap_iqn"
python3 - "$LAB_OUT/sessions-acl.json" "$chap_iqn" << 'PY' || lab_fail "the CHAP session's details are wrong"
import json, sys
s = [x for x in json.load(open(sys.argv[1])) if x["target"] == sys.argv[2]]
assert len(s) == 1 and s[0]["auth_method"] == "CHAP" and s[0]["mutual_chap"], s
assert [(l["lun"], l["object"]) for l in s[0]["luns"]] == [(3, "/backstores/memory/disk1")], s[0]["luns"]
PY

# --- the operator closes the CHAP session ------------------------------------------------------------------------
tsih=$(python3 -c 'import json,sys; print([x for x in json.load(open(sys.argv[1])) if x["target"] == sys.argv[2]][0]["tsih"])' \
    "$LAB_OUT/sessions-acl.json" "$chap_iqn")
lf sessions close "$tsih" >&2
gone() {
    lf sessions --json > /tmp/sessions-now.json
    python3 -c 'import json,sys; sys.exit(1 if any(x["tsih"] == int(sys.argv[1]) for x in json.load(open(sys.argv[2]))) else 0)' \
        "$tsih" /tmp/sessions-now.json
}
lab_wait_for 60 "session TSIH $tsih to end" gone
sleep 2
iscsiadm -m session > "$LAB_OUT/iscsiadm-after-close.txt" 2>&1 || true
if grep -q "$chap_iqn" "$LAB_OUT/iscsiadm-after-close.txt"; then
    after_close="open-iscsi logged out and in again (a new session)"
else
    after_close="open-iscsi logged out"
fi
lab_log "sessions close $tsih: $after_close"

lab_result PASS "MEDIUM ERROR on exactly blocks 2048-2055 (${errnos[*]}, fired $fired); ABORT TASK of a held read\
 answered after ${held_for}s and the retry read; LUN RESET with a held read answered; port 2 down: path failed in\
 ${down_after}s under writes, up: back in ${up_after}s; sessions --json matched iscsiadm -P 3 for 2 demo sessions and a\
 mutual-CHAP ACL session (LUN 3); sessions close $tsih: $after_close"
