#!/bin/bash
# lab-timeout: 480
# tcmu-kill9: lunforged dies (kill -9) with writes in flight and comes back. A file-backed disk is served through
# TCMU and tcm_loop (cmd_time_out 5 s); a writer issues O_DIRECT|O_DSYNC 4 KiB writes, each to a block of its own,
# and logs every write the kernel acknowledged with the block's checksum. lunforged is killed mid-stream: the kernel
# fails the commands it had queued to the dead daemon once cmd_time_out expires, and the configfs objects and the
# SCSI disk stay. lunforged is started again with the same configuration: it adopts the device and the tcm_loop
# target as they are (nothing is made again: same uio device, same /dev/sdX throughout) and serves again; the
# writer's writes succeed again. Finally every acknowledged block, before the kill and after, reads back intact, and
# a clean stop leaves the device and its export in place (persist_kernel_exports).
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_user tcm_loop sd_mod
lab_require_commands python3
lab_configfs_init

work=/tmp/tcmu-kill9
mkdir -p "$work"
wwn=naa.5001405000000021
cat > "$work/config.json" << EOF
{ "state_dir": "$work/state", "persist_kernel_exports": true,
  "backstores": [ { "name": "disk0", "fileio": { "path": "$work/disk0.img", "size": 67108864 } } ],
  "tcmu_devices": [ { "name": "disk0", "object": "/backstores/fileio/disk0",
                      "attributes": { "cmd_time_out": "5" } } ],
  "loopback_targets": [ { "wwn": "$wwn", "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] } ] }
EOF
cp "$work/config.json" "$LAB_OUT/config.json"

count() { grep -c "^$1 " "$work/writes.log" 2> /dev/null || true; }
at_least() { [[ $(count "$1") -ge $2 ]]; }

lab_start_lunforged "$work/config.json" --uio disk0 --timeout 300
hctl=$(lab_loop_hctl "$wwn" 0)
disk=$(lab_scsi_dev "$hctl" disk)
uio=$(lab_tcmu_uio disk0)
lab_log "lunforged serves $uio; tcm_loop gives $hctl $disk"

# The writer: one 4 KiB block per write, never the same block twice, acknowledged writes logged with a checksum.
python3 "$LAB_DIR/guest/acked_writes.py" write "$disk" "$work/writes.log" "$work/stop" 2> "$LAB_OUT/writer.err" &
writer=$!
lab_wait_for 120 "200 acknowledged writes" at_least OK 200
acked_before=$(count OK)
kill -9 -- "-$LAB_LUNFORGED_PID"
killed_at=$SECONDS
wait "$LAB_LUNFORGED_PID" 2> /dev/null || true
LAB_LUNFORGED_PID=""
lab_log "killed lunforged (kill -9) after $acked_before acknowledged writes"
cp "$LAB_OUT/lunforged.log" "$LAB_OUT/lunforged-1.log"

# The kernel fails what the dead daemon held once cmd_time_out (5 s) expires: the writer sees errors.
lab_wait_for 120 "the kernel to fail the writes queued to the dead daemon" at_least ERR 1
failed_after=$((SECONDS - killed_at))
lab_log "first failed write $failed_after s after the kill: $(grep -m1 '^ERR ' "$work/writes.log")"
[[ -e $LAB_CONFIGFS/core/user_1/disk0 && -e $LAB_CONFIGFS/loopback/$wwn/tpgt_1/lun/lun_0/disk0 ]] \
    || lab_fail "the configfs objects went away with the daemon"
[[ -e "$disk" && "$(lab_tcmu_uio disk0)" == "$uio" ]] || lab_fail "$disk or $uio went away with the daemon"
ok_at_kill=$(count OK)

lab_start_lunforged "$work/config.json" --uio disk0 --timeout 300
lab_log "lunforged restarted"
# The daemon holds the uio (ready) before it has compared the configfs objects with its configuration: wait for
# that decision to be logged rather than read the log once.
lab_wait_for_log 60 "core/user_1/disk0: adopted as it is" "core/user_1/disk0: (created|removed|exists but differs)" \
    || lab_fail "the restarted lunforged did not adopt core/user_1/disk0: $(grep user_1 "$LAB_OUT/lunforged.log" | tail -3)"
lab_wait_for_log 60 "loopback/$wwn/tpgt_1: adopted as it is" "loopback/$wwn/tpgt_1: (created|removed|exists but differs)" \
    || lab_fail "the restarted lunforged did not adopt the tcm_loop target: $(grep loopback "$LAB_OUT/lunforged.log" | tail -3)"
if grep -E "core/user_1/disk0: (created|removed)|loopback/$wwn/tpgt_1: (created|removed)" "$LAB_OUT/lunforged.log"; then
    lab_fail "the restarted lunforged made configfs objects again"
fi
lab_wait_for 180 "200 more acknowledged writes after the restart" at_least OK $((ok_at_kill + 200))
touch "$work/stop"
wait "$writer" || lab_fail "the writer failed: $(tail -3 "$LAB_OUT/writer.err")"
[[ "$(lab_tcmu_uio disk0)" == "$uio" && -e "/sys/bus/scsi/devices/$hctl" ]] \
    || lab_fail "the uio device or the SCSI device changed: objects were made again"
cp "$work/writes.log" "$LAB_OUT/writes.log"

acked=$(count OK)
errors=$(count ERR)
python3 "$LAB_DIR/guest/acked_writes.py" verify "$disk" "$work/writes.log" > "$LAB_OUT/verify.txt" 2>&1 \
    || lab_fail "acknowledged writes lost: $(tail -3 "$LAB_OUT/verify.txt")"
lab_log "$(tail -1 "$LAB_OUT/verify.txt")"
# persist_kernel_exports: a clean stop leaves the device and its export for the next daemon, as the kill did.
lab_stop_lunforged || true
[[ -e $LAB_CONFIGFS/core/user_1/disk0 && -e $LAB_CONFIGFS/loopback/$wwn/tpgt_1/lun/lun_0/disk0 && -e "$disk" ]] \
    || lab_fail "persist_kernel_exports is set, yet a clean stop took the device or its export down"
lab_result PASS "kill -9 after $acked_before acknowledged writes; the kernel failed the queued ones after ${failed_after}s ($errors failed writes); restarted lunforged adopted $uio and the tcm_loop target unchanged ($disk stayed); $acked acknowledged writes in all, every one read back intact"
