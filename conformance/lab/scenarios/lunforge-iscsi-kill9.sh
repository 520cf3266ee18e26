#!/bin/bash
# lab-timeout: 1200
# lunforge-iscsi-kill9: lunforged dies (kill -9) with writes in flight over its own iSCSI target, and comes back.
# A file-backed disk, logged in with open-iscsi (replacement_timeout 5 s); a writer issues O_DIRECT|O_DSYNC 4 KiB
# writes, each to a block of its own, and logs every write the kernel acknowledged with the block's checksum.
# lunforged is killed mid-stream: the session drops, and after the replacement timeout the kernel fails the writes
# that were in flight. lunforged is started again on the same configuration; iscsid logs in again by itself and the
# same /dev/sdX takes writes again. Finally every acknowledged block, before the kill and after, reads back intact.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules iscsi_tcp sd_mod
lab_require_commands iscsiadm iscsid python3
iqn=iqn.2026-11.org.lunforge:kill9
work=/tmp/iscsi-kill9
mkdir -p "$work"
cat > "$work/config.json" << EOF
{ "state_dir": "$work/state",
  "backstores": [ { "name": "disk0", "fileio": { "path": "$work/disk0.img", "size": "64M" } } ],
  "iscsi_targets": [ { "iqn": "$iqn", "portal_groups": [ { "tag": 1, "portals": ["127.0.0.1:3260"],
      "generate_node_acls": true, "luns": [ { "lun": 0, "object": "/backstores/fileio/disk0" } ] } ] } ] }
EOF
cp "$work/config.json" "$LAB_OUT/config.json"
writes="$work/writes.log"
count() { grep -c "^$1 " "$writes" 2> /dev/null || true; }
at_least() { [[ $(count "$1") -ge $2 ]]; }

lab_start_lunforged "$work/config.json" --port 3260 --timeout 300
lab_iscsid_start
hctl=$(lab_iscsi_login "$iqn" 127.0.0.1:3260)
disk=$(lab_scsi_dev "$hctl" disk)
lab_log "lunforged serves $iqn; open-iscsi gives $hctl $disk"

python3 "$LAB_DIR/guest/acked_writes.py" write "$disk" "$writes" "$work/stop" 2> "$LAB_OUT/writer.err" &
writer=$!
lab_wait_for 120 "200 acknowledged writes" at_least OK 200
acked_before=$(count OK)
kill -KILL -- "-$LAB_LUNFORGED_PID"
killed_at=$SECONDS
wait "$LAB_LUNFORGED_PID" 2> /dev/null || true
LAB_LUNFORGED_PID=""
cp "$LAB_OUT/lunforged.log" "$LAB_OUT/lunforged-1.log"
lab_log "killed lunforged (kill -9) after $acked_before acknowledged writes"

lab_wait_for 120 "the initiator to fail the writes in flight (replacement_timeout 5 s)" at_least ERR 1
lab_log "first failed write $((SECONDS - killed_at)) s after the kill: $(grep -m1 '^ERR ' "$writes")"
ok_at_kill=$(count OK)

lab_start_lunforged "$work/config.json" --port 3260 --timeout 300
lab_log "lunforged restarted; waiting for iscsid to log in again"
lab_wait_for 240 "200 more acknowledged writes after the restart" at_least OK $((ok_at_kill + 200))
touch "$work/stop"
wait "$writer" || lab_fail "the writer failed: $(tail -3 "$LAB_OUT/writer.err")"
[[ -e "/sys/bus/scsi/devices/$hctl" && "$(lab_scsi_dev "$hctl" disk)" == "$disk" ]] \
    || lab_fail "the SCSI device $hctl ($disk) did not survive the restart"
cp "$writes" "$LAB_OUT/writes.log"

python3 "$LAB_DIR/guest/acked_writes.py" verify "$disk" "$writes" > "$LAB_OUT/verify.txt" 2>&1 \
    || lab_fail "acknowledged writes did not survive: $(tail -3 "$LAB_OUT/verify.txt")"
iscsiadm -m node -T "$iqn" -p 127.0.0.1:3260 --logout >&2 || true
lab_stop_lunforged || true
lab_result PASS "$(tail -1 "$LAB_OUT/verify.txt") ($acked_before acknowledged before the kill, $(count ERR) failed while\
 lunforged was down, the rest after the restart on the same $disk)"
