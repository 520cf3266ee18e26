#!/bin/bash
# lab-timeout: 900
# tape-alerts: cleaning, TapeAlert and the operator panel as the kernel's st and mtx's tapeinfo see them, over
# lunforge's iSCSI target. drive0 asks for cleaning after 1 MiB of tape (cleaning_interval); tapeinfo, which
# Bacula's tapealert script runs, reads TapeAlert 20 CLEAN NOW after 2 MiB were written, and reads it once (the
# flags clear on read). A cleaning cartridge (CLN001CU) loaded with mtx cleans the drive: st sees no ONLINE tape,
# tapeinfo reads TapeAlert 11 (cleaning media), and CLEAN NOW is gone. Then the lunforge shell, over the daemon's
# control socket, injects a medium error on drive0: the next read through st fails with EIO and tapeinfo reads
# TapeAlert 3, 4 and 5; and takes the library offline: mtx status fails until it is online again.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands mtx tapeinfo dd python3
tape_write_config /tmp/vtl/vtl.json /tmp/vtl 67108864 4
python3 - /tmp/vtl/vtl.json << 'PY'
import json, sys
c = json.load(open(sys.argv[1]))
lib = c["libraries"][0]
lib["drives"][0]["cleaning_interval"] = 1 << 20
lib["cartridges"].append({"barcode": "CLN001CU", "slot": 15})
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
tape_start_lunforged /tmp/vtl/vtl.json
tape_login
drive0_sg=$(lab_scsi_dev "$TAPE_HCTL_DRIVE0" sg)

# The lunforge shell over the daemon's control socket (root's default, /run/lunforge/control.sock).
lf() {
    "$LAB_JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -cp "$LUNFORGE_HOME/server/target/lunforge-server.jar" org.lunforge.server.shell.Lunforge "$@" \
        >> "$LAB_OUT/shell.txt" 2>&1 || lab_fail "lunforge $* failed: $(tail -n 3 "$LAB_OUT/shell.txt")"
}
# alerts: the TapeAlert flags tapeinfo reads from drive0 ("3 4 5"), which clears them.
alerts() {
    tapeinfo -f "$drive0_sg" > "$LAB_OUT/tapeinfo.txt" 2>&1 || true
    cat "$LAB_OUT/tapeinfo.txt" >> "$LAB_OUT/tapeinfo-all.txt"
    # (no flag set: grep finds nothing, which is an answer, not a failure)
    { grep -o '^TapeAlert\[[0-9]*\]' "$LAB_OUT/tapeinfo.txt" || true; } | tr -dc '0-9\n' | sort -n | paste -sd ' ' -
}
expect_alerts() { # expect_alerts "FLAGS" WHAT
    local got
    got=$(alerts)
    [[ "$got" == "$1" ]] || lab_fail "$2: tapeinfo read TapeAlert flags '$got', not '$1'"
    lab_log "$2: TapeAlert '$got'"
}

# --- the cleaning interval passes, CLEAN NOW is read once ----------------------------------
tape_mtx load 1 0
tape_status_has "$TAPE_NST0" ONLINE
tape_mt "$TAPE_NST0" setblk 0
head -c $((2 << 20)) /dev/urandom > /tmp/two-mib
dd if=/tmp/two-mib of="$TAPE_NST0" bs=256k status=none || lab_fail "writing 2 MiB to drive0 failed"
tape_mt "$TAPE_NST0" rewind
expect_alerts "20" "after 2 MiB with a 1 MiB cleaning interval"
expect_alerts "" "read again (TapeAlert flags clear on read)"
tape_mtx unload 1 0

# --- a cleaning cartridge cleans the drive -------------------------------------------------
tape_mtx load 15 0
tape_status_lacks "$TAPE_NST0" ONLINE
expect_alerts "11" "with CLN001CU in drive0 (cleaning media; CLEAN NOW is gone)"
tape_mtx unload 15 0
tape_mtx load 1 0
expect_alerts "" "a data cartridge after the cleaning"

# --- an injected medium error: st's next read fails, tapeinfo reads why ---------------------
lf /vtl/lab/drives/drive0 inject_medium_error
lf /vtl/lab/drives/drive0 info
grep -q "injected medium error: the next READ or WRITE fails" "$LAB_OUT/shell.txt" \
    || lab_fail "the shell's info does not show the injected medium error"
if dd if="$TAPE_NST0" of=/dev/null bs=256k count=1 2> "$LAB_OUT/dd-error.txt"; then
    lab_fail "the read after an injected medium error succeeded"
fi
grep -q "Input/output error" "$LAB_OUT/dd-error.txt" || lab_fail "dd did not see EIO: $(cat "$LAB_OUT/dd-error.txt")"
expect_alerts "3 4 5" "after the failed read (hard error, media, read failure)"
tape_mt "$TAPE_NST0" rewind
cmp <(dd if="$TAPE_NST0" bs=256k count=8 status=none) /tmp/two-mib || lab_fail "the data did not read back"

# --- offline and online ----------------------------------------------------------------------
tape_mtx unload 1 0
lf /vtl/lab offline
if mtx -f "$TAPE_CHANGER_SG" status > "$LAB_OUT/mtx-offline.txt" 2>&1; then
    lab_fail "mtx status succeeded while the library is offline"
fi
lf /vtl/lab online
mtx -f "$TAPE_CHANGER_SG" status > /dev/null 2>&1 || true   # the unit attention NOT READY TO READY CHANGE
tape_expect_inventory drive0=empty slot1=LAB001L8 slot15=CLN001CU

lab_result PASS "tapeinfo read CLEAN NOW once after 2 MiB, cleaning media with CLN001CU and no CLEAN NOW after\
 it; an injected medium error failed st's read with EIO and tapeinfo read TapeAlert 3 4 5; offline, mtx failed"
