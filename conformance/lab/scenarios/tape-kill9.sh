#!/bin/bash
# lab-timeout: 840
# tape-kill9: lunforged dies by SIGKILL in the middle of a tape write and starts again on
# the same configuration, pool and state folder; open-iscsi recovers its session on its
# own (same st/sg nodes). The body is transport-neutral: tape-kill9-tcmu runs it with
# TAPE_TRANSPORT=tcmu, where the kernel fails the dead daemon's commands after cmd_time_out
# and the restarted daemon adopts the three TCMU devices and the tcm_loop target
# (persist_kernel_exports) instead. Every file and filemark st had acknowledged before the kill is
# on the cartridge and reads back byte-identical, the interrupted file holds a prefix of
# what was being written (whole blocks, nothing else) followed by end of data, the
# library's inventory (which cartridge is in which drive or slot) is the one before the
# kill with both drives loaded again, and the cartridge takes new files after it.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
# Over TCMU: the kernel fails what the dead daemon held after 10 s, and the configfs objects
# stay for the next daemon to adopt.
TAPE_TCMU_CMD_TIME_OUT=${TAPE_TCMU_CMD_TIME_OUT:-10}
TAPE_TCMU_PERSIST=${TAPE_TCMU_PERSIST:-true}
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands mtx mt tar dd sha256sum cmp
tape_write_config /tmp/vtl/vtl.json /tmp/vtl 67108864 4
tape_start_lunforged /tmp/vtl/vtl.json
tape_login

# --- before: a library state worth checking, and acknowledged files on two drives -----------
tape_mtx load 1 0
tape_mtx load 2 1
tape_mtx transfer 3 7
inventory_before=(drive0=LAB001L8@1 drive1=LAB002L8@2 slot1=empty slot2=empty slot3=empty slot4=LAB004L8
    slot7=LAB003L8)
tape_expect_inventory "${inventory_before[@]}"
tape_mt "$TAPE_NST0" setblk 0
tape_mt "$TAPE_NST1" setblk 0

src=/tmp/src
tape_random_tree $src/a 1 7 300 45
tape_random_tree $src/b 2 90 500
tape_random_tree $src/c 1500 4
tape_random_tree $src/d 700 3
head -c $((40 << 20)) /dev/urandom > /tmp/big
records() { # records ARCHIVE_DIR BLOCKING_FACTOR: tar's records for it
    tar -C $src -b "$2" -cf /tmp/probe.tar "$1"
    echo $(($(stat -c %s /tmp/probe.tar) / ($2 * 512)))
}
p1=$(($(records a 20) + 1))
p2=$((p1 + $(records b 20) + 1))
p3=$((p2 + $(records c 128) + 1))

# Each tar closes its file with st's filemark: WRITE FILEMARKS with IMMED off, which the
# drive acknowledges only once the filemark (and every block before it) is durable.
tar -C $src -b 20 -cf "$TAPE_NST0" a
tar -C $src -b 20 -cf "$TAPE_NST0" b
tar -C $src -b 128 -cf "$TAPE_NST0" c
tape_expect_tell "$TAPE_NST0" $p3 "three tar files on drive0"
tar -C $src -b 20 -cf "$TAPE_NST1" d
tape_expect_tell "$TAPE_NST1" $(($(records d 20) + 1)) "one tar file on drive1"

# --- the kill: while dd streams 64 KiB blocks into a fourth file ----------------------------
journal=/tmp/vtl/pool/LAB001L8.tape
[[ -f $journal ]] || lab_fail "no cartridge journal at $journal"
size0=$(stat -c %s $journal)
dd if=/tmp/big of="$TAPE_NST0" bs=64k 2> /tmp/dd-kill.err &
dd_pid=$!
# Kill once the drive has taken at least 2 MiB of the file, so the kill lands mid-file.
tape__grown() { (($(stat -c %s $journal) >= size0 + (2 << 20))); }
lab_wait_for 120 "the cartridge journal to grow by 2 MiB during dd" tape__grown
kill -0 $dd_pid 2> /dev/null || lab_fail "dd finished before the kill: $(cat /tmp/dd-kill.err)"
lab_log "journal grew from $size0 to $(stat -c %s $journal) bytes; kill -9 of lunforged's process group"
kill -KILL -- "-$LAB_LUNFORGED_PID"
wait "$LAB_LUNFORGED_PID" || true
! kill -0 -- "-$LAB_LUNFORGED_PID" 2> /dev/null || lab_fail "lunforged's process group survived SIGKILL"
cp "$LAB_OUT/lunforged.log" "$LAB_OUT/lunforged-before-kill.log"
# With the target gone, open-iscsi fails the queued commands after replacement_timeout (5 s)
# (over TCMU the kernel after cmd_time_out) and dd (and st's filemark at its close) get EIO.
tape__dd_done() { ! kill -0 $dd_pid 2> /dev/null; }
lab_wait_for 120 "dd to fail after the kill" tape__dd_done
dd_status=0
wait $dd_pid || dd_status=$?
lab_log "dd ended with status $dd_status: $(tr '\n' ' ' < /tmp/dd-kill.err)"
((dd_status != 0)) || lab_fail "dd succeeded although the daemon was killed under it"

# --- the restart: same config, pool and state; the initiator reconnects by itself ------------
tape_start_lunforged /tmp/vtl/vtl.json
tape__session_up() {
    [[ $TAPE_TRANSPORT == tcmu ]] && return 0
    local s
    for s in /sys/class/iscsi_session/session*; do
        [[ "$(cat "$s/targetname")" == "$TAPE_IQN" && "$(cat "$s/state")" == LOGGED_IN ]] && return 0
    done
    return 1
}
lab_wait_for 120 "open-iscsi to log in again" tape__session_up
if [[ $TAPE_TRANSPORT == tcmu ]]; then
    # Nothing made again: the restarted daemon took the devices and the target as they were.
    for name in vtl-changer vtl-drive0 vtl-drive1; do
        lab_wait_for_log 60 "core/user_1/$name: adopted as it is" "core/user_1/$name: (created|removed|exists but differs)" \
            || lab_fail "the restarted lunforged did not adopt core/user_1/$name: $(grep "$name" "$LAB_OUT/lunforged.log" | tail -3)"
    done
    lab_wait_for_log 60 "loopback/$TAPE_LOOP_WWN/tpgt_1: adopted as it is" \
        "loopback/$TAPE_LOOP_WWN/tpgt_1: (created|removed|exists but differs)" || lab_fail "the restarted lunforged did not adopt the tcm_loop target"
    ! grep -E "core/user_1/vtl-[a-z0-9]+: (created|removed)|loopback/$TAPE_LOOP_WWN/tpgt_1: (created|removed)" "$LAB_OUT/lunforged.log" \
        || lab_fail "the restarted lunforged made configfs objects again"
fi
tape__devices_running() {
    local h
    for h in $TAPE_HCTL_CHANGER $TAPE_HCTL_DRIVE0 $TAPE_HCTL_DRIVE1; do
        [[ "$(cat "/sys/bus/scsi/devices/$h/state")" == running ]] || return 1
    done
}
lab_wait_for 60 "the library's SCSI devices to run again" tape__devices_running
lab_log "$TAPE_TRANSPORT: the library's LUNs are running again"

# The inventory came back, and each drive holds its cartridge again.
tape_expect_inventory "${inventory_before[@]}"
mtx -f "$TAPE_CHANGER_SG" status > "$LAB_OUT/mtx-status-after-restart.txt" 2>&1
# The first command after the restart may see the power-on unit attention; st's open
# takes it and forgets its position. mt status must show the cartridge online.
tape__online() { mt -f "$1" status 2>&1 | grep -qw ONLINE; }
lab_wait_for 30 "drive0 to be online after the restart" tape__online "$TAPE_NST0"
lab_wait_for 30 "drive1 to be online after the restart" tape__online "$TAPE_NST1"

# --- after: every acknowledged file, then the interrupted one, then end of data ------------
tape_mt "$TAPE_NST0" rewind
tape_expect_tell "$TAPE_NST0" 0 "mt rewind after the restart"
for f in a b c; do
    mkdir -p /tmp/out/$f
    case $f in c) bf=128 ;; *) bf=20 ;; esac
    tar -C /tmp/out/$f -b $bf -xf "$TAPE_NST0" || lab_fail "tar -x of file $f after the restart failed"
    tape_same_tree $src/$f /tmp/out/$f/$f "file $f, acknowledged before the kill"
    tape_mt "$TAPE_NST0" fsf 1
done
tape_expect_tell "$TAPE_NST0" $p3 "three files and their filemarks after the restart"
tape_status_has "$TAPE_NST0" "File number=3," "block number=0,"
# The interrupted file: whole 64 KiB blocks from the start of /tmp/big, then end of data.
dd if="$TAPE_NST0" of=/tmp/part bs=64k 2> /tmp/dd-part.err || true
part=$(stat -c %s /tmp/part)
lab_log "the interrupted file holds $part bytes ($(tr '\n' ' ' < /tmp/dd-part.err))"
((part % 65536 == 0)) || lab_fail "the interrupted file holds $part bytes, not whole 64 KiB blocks"
((part < $(stat -c %s /tmp/big))) || lab_fail "the interrupted file is complete: the kill came too late"
cmp -n "$part" /tmp/big /tmp/part || lab_fail "the interrupted file is not a prefix of what dd wrote"
tape_mt "$TAPE_NST0" eod
end=$(tape_tell "$TAPE_NST0")
[[ $end -eq $((p3 + part / 65536)) ]] \
    || lab_fail "end of data at block $end, expected $((p3 + part / 65536)) (after $((part / 65536)) blocks of file 3)"
lab_log "end of data at block $end: $((part / 65536)) blocks of the interrupted file kept"

# drive1's file, written and closed before the kill.
mkdir -p /tmp/out/d
tape_mt "$TAPE_NST1" rewind
tar -C /tmp/out/d -b 20 -xf "$TAPE_NST1"
tape_same_tree $src/d /tmp/out/d/d "drive1's file"

# --- the cartridge takes new files after the restart ----------------------------------------
# The interrupted file never got st's closing filemark: write it, then a new file.
tape_mt "$TAPE_NST0" eod
tape_mt "$TAPE_NST0" weof 1
tar -C $src -b 20 -cf "$TAPE_NST0" a
tape_mt "$TAPE_NST0" rewind
tape_mt "$TAPE_NST0" fsf 4
mkdir -p /tmp/out/e
tar -C /tmp/out/e -b 20 -xf "$TAPE_NST0"
tape_same_tree $src/a /tmp/out/e/a "the file appended after the restart"

tape_mtx unload 1 0
tape_mtx unload 2 1
tape_expect_inventory drive0=empty drive1=empty slot1=LAB001L8 slot2=LAB002L8 slot7=LAB003L8
dmesg > "$LAB_OUT/dmesg-tape.txt"
lab_result PASS "kill -9 while dd wrote file 3: files 0-2 and their filemarks intact, file 3 kept $((part / 65536)) whole blocks then EOD; inventory (2 drives loaded, LAB003L8 in slot 7) restored; $(if [[ $TAPE_TRANSPORT == tcmu ]]; then echo "the restarted daemon adopted the 3 TCMU devices and the tcm_loop target"; else echo "open-iscsi recovered the session"; fi); appending works after the restart"
