#!/bin/bash
# lab-timeout: 600
# tape-tcmu: the tape library of tape-iscsi (a changer and two LTO-8 drives, small
# cartridges), but served through TCMU: lunforged makes one user backstore per logical unit
# and exports the three as LUNs 0-2 of one tcm_loop target, all from its configuration. On
# those SCSI devices ch, st and sg bind; mtx status lists drives, slots and barcodes; mtx load
# puts a cartridge in a drive and st sees it ONLINE; two tar archives (10 KiB and 1 MiB
# records, variable block mode), each closed by a filemark, restore byte-identical after
# rewind and mt fsf; dd reading a file with a larger buffer than its records gets each record
# whole (short reads: ILI with its residue) and stops at the filemark; mt tell and eod land
# where they should; in fixed block mode a READ that meets a filemark returns the blocks
# before it together with the FILEMARK sense; a file of six blocks of 512 B to 1 MiB
# (variable mode) reads back identical, one block per read; mtx unload empties the drive and
# st sees no tape; mtx load puts the cartridge in the second drive, which reads what the
# first wrote; mtx transfer moves a cartridge between slots and it loads; when lunforged
# stops, the SCSI devices and the configfs objects are gone.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

TAPE_TRANSPORT=tcmu
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands mtx mt tar dd sha256sum python3

work=/tmp/vtl
wwn=$TAPE_LOOP_WWN
# The library of tape-iscsi, served through TCMU instead of lunforge's iSCSI target.
tape_write_config $work/vtl.json $work 33554432 3
cp $work/vtl.json "$LAB_OUT/config.json"

tape_start_lunforged $work/vtl.json
tape_login
lsscsi -g >&2 || true
for hctl in "$TAPE_HCTL_CHANGER:ch" "$TAPE_HCTL_DRIVE0:st" "$TAPE_HCTL_DRIVE1:st"; do
    driver=$(basename "$(readlink -f "/sys/bus/scsi/devices/${hctl%:*}/driver")")
    [[ "$driver" == "${hctl##*:}" ]] || lab_fail "SCSI device ${hctl%:*} is bound to $driver, not ${hctl##*:}"
done

# --- the changer's inventory ------------------------------------------------------------
mtx -f "$TAPE_CHANGER_SG" status > "$LAB_OUT/mtx-status-first.txt" 2>&1 \
    || lab_fail "mtx status failed: $(head -n 3 "$LAB_OUT/mtx-status-first.txt")"
grep -q '2 Drives, 18 Slots ( 2 Import/Export )' "$LAB_OUT/mtx-status-first.txt" \
    || lab_fail "mtx status: not 2 drives, 18 slots, 2 import/export: $(head -n 1 "$LAB_OUT/mtx-status-first.txt")"
tape_expect_inventory drive0=empty drive1=empty slot1=LAB001L8 slot2=LAB002L8 slot3=LAB003L8 slot4=empty slot17=empty
[[ "$(tape_inventory "$TAPE_SCH")" == "$(tape_inventory)" ]] || lab_fail "mtx reads another inventory through $TAPE_SCH"
tape_status_lacks "$TAPE_NST0" ONLINE

# --- load, and st follows ----------------------------------------------------------------
tape_mtx load 1 0
tape_expect_inventory drive0=LAB001L8@1 slot1=empty
tape_status_has "$TAPE_NST0" ONLINE BOT "File number=0," "block number=0,"
tape_mt "$TAPE_NST0" setblk 0
tape_status_has "$TAPE_NST0" "Tape block size 0 bytes."

# --- two tar files, each closed with a filemark ------------------------------------------
src=/tmp/src
tape_random_tree $src/a 1 7 300 45
tape_random_tree $src/c 1500 700
tar -C $src -b 20 -cf /tmp/a.tar a
tar -C $src -b 2048 -cf /tmp/c.tar c
na=$(($(stat -c %s /tmp/a.tar) / 10240))
nc=$(($(stat -c %s /tmp/c.tar) / 1048576))
p1=$((na + 1))
p2=$((p1 + nc + 1))
lab_log "file 0: $na records of 10 KiB, file 1: $nc records of 1 MiB; expected EOD at block $p2"
tar -C $src -b 20 -cf "$TAPE_NST0" a
tape_expect_tell "$TAPE_NST0" $p1 "tar -b 20 ($na records of 10 KiB)"
tape_status_has "$TAPE_NST0" ONLINE "File number=1," "block number=0,"
tar -C $src -b 2048 -cf "$TAPE_NST0" c
tape_expect_tell "$TAPE_NST0" $p2 "tar -b 2048 ($nc records of 1 MiB)"

# --- read back: rewind, tar -x, mt fsf, tar -x ---------------------------------------------
tape_mt "$TAPE_NST0" rewind
tape_expect_tell "$TAPE_NST0" 0 "mt rewind"
mkdir -p /tmp/out/a /tmp/out/c
tar -C /tmp/out/a -b 20 -xf "$TAPE_NST0"
tape_same_tree $src/a /tmp/out/a/a "file 0 (tar -b 20)"
tape_mt "$TAPE_NST0" fsf 1
tape_expect_tell "$TAPE_NST0" $p1 "mt fsf 1 from inside file 0"
tar -C /tmp/out/c -b 2048 -xf "$TAPE_NST0"
tape_same_tree $src/c /tmp/out/c/c "file 1 (tar -b 2048)"

# --- short reads: 10 KiB records read with 64 KiB requests, up to the filemark -------------
# Each READ asks for 64 KiB and gets one 10 KiB record: CHECK CONDITION with ILI and the
# residue in INFORMATION, together with the data. The READ that meets the filemark returns 0.
tape_mt "$TAPE_NST0" rewind
dd if="$TAPE_NST0" of=/tmp/a.back bs=64k 2> /tmp/dd-a.txt || lab_fail "dd of file 0: $(cat /tmp/dd-a.txt)"
cmp /tmp/a.tar /tmp/a.back || lab_fail "file 0 read with 64 KiB requests differs from the archive"
grep -q "^0+$na records in" /tmp/dd-a.txt || lab_fail "file 0 read as other than $na short records: $(head -n 1 /tmp/dd-a.txt)"
tape_expect_tell "$TAPE_NST0" $p1 "reading file 0 through its filemark"
tape_status_has "$TAPE_NST0" "File number=1," "block number=0,"

# --- eod; fixed blocks: a READ that meets the filemark returns its blocks and the sense -----
tape_mt "$TAPE_NST0" eod
tape_expect_tell "$TAPE_NST0" $p2 "mt eod"
# In fixed block mode (512 B) a 4 KiB read() is one READ of 8 blocks. The file has 10: the
# second READ returns 2 blocks with CHECK CONDITION, FILEMARK and a residue of 6 blocks in
# INFORMATION - data and sense in one completion (TCMU's READ_LEN) - and the third returns 0.
head -c 5120 /dev/urandom > /tmp/fixed
tape_mt "$TAPE_NST0" setblk 512
tape_status_has "$TAPE_NST0" "Tape block size 512 bytes."
dd if=/tmp/fixed of="$TAPE_NST0" bs=5120 status=none
p3=$((p2 + 10 + 1))
tape_expect_tell "$TAPE_NST0" $p3 "10 fixed 512 B blocks and a filemark"
tape_mt "$TAPE_NST0" seek $p2
dd if="$TAPE_NST0" of=/tmp/fixed.back bs=4096 2> /tmp/dd-fixed.txt || lab_fail "dd of the fixed-block file: $(cat /tmp/dd-fixed.txt)"
cmp /tmp/fixed /tmp/fixed.back || lab_fail "the fixed-block file read back differs ($(stat -c %s /tmp/fixed.back) bytes)"
grep -q '^1+1 records in' /tmp/dd-fixed.txt || lab_fail "fixed-block file read as other than 1 full + 1 short read: $(head -n 1 /tmp/dd-fixed.txt)"
tape_expect_tell "$TAPE_NST0" $p3 "reading the fixed-block file through its filemark"
tape_mt "$TAPE_NST0" setblk 0
tape_mt "$TAPE_NST0" eod
tape_expect_tell "$TAPE_NST0" $p3 "mt eod"

# --- variable blocks of 512 B to 1 MiB: one open, six writes, one close, one file ------------
sizes=(512 1000 4096 65536 262144 1048576)
for size in "${sizes[@]}"; do
    head -c "$size" /dev/urandom > "/tmp/block-$size"
done
{
    for size in "${sizes[@]}"; do
        dd if="/tmp/block-$size" bs="$size" status=none
    done
} > "$TAPE_NST0"
p4=$((p3 + 6 + 1))
tape_expect_tell "$TAPE_NST0" $p4 "six blocks of 512 B to 1 MiB and a filemark"
for size in "${sizes[@]}"; do cat "/tmp/block-$size"; done > /tmp/file3
tape_mt "$TAPE_NST0" seek $p3
# Each read returns one block, however large the request: 1 full 1 MiB record, 5 short ones.
dd if="$TAPE_NST0" of=/tmp/file3.back bs=1M 2> /tmp/dd3.txt || lab_fail "dd of the six-block file: $(cat /tmp/dd3.txt)"
cmp /tmp/file3 /tmp/file3.back || lab_fail "the file of six block sizes differs when read back"
grep -q '^1+5 records in' /tmp/dd3.txt || lab_fail "the six-block file read as other than 1 full + 5 short: $(head -n 1 /tmp/dd3.txt)"
tape_expect_tell "$TAPE_NST0" $p4 "reading the six-block file through its filemark"

# --- unload; the second drive reads what the first wrote ------------------------------------
tape_mt "$TAPE_NST0" rewind
tape_mtx unload 1 0
tape_expect_inventory drive0=empty slot1=LAB001L8
tape_status_lacks "$TAPE_NST0" ONLINE
tape_status_lacks "$TAPE_NST1" ONLINE
tape_mtx load 1 1
tape_expect_inventory drive1=LAB001L8@1 slot1=empty
tape_status_has "$TAPE_NST1" ONLINE BOT
tape_mt "$TAPE_NST1" setblk 0
tape_mt "$TAPE_NST1" fsf 3
tape_expect_tell "$TAPE_NST1" $p3 "mt fsf 3 in drive1"
dd if="$TAPE_NST1" of=/tmp/file3.back1 bs=1M 2> /tmp/dd3-1.txt || lab_fail "dd in drive1: $(cat /tmp/dd3-1.txt)"
cmp /tmp/file3 /tmp/file3.back1 || lab_fail "the six-block file read in drive1 differs"
mkdir -p /tmp/out1/a
tape_mt "$TAPE_NST1" rewind
tar -C /tmp/out1/a -b 20 -xf "$TAPE_NST1"
tape_same_tree $src/a /tmp/out1/a/a "file 0 read in drive1"
tape_mt "$TAPE_NST1" eod
tape_expect_tell "$TAPE_NST1" $p4 "mt eod in drive1"

# --- transfer between slots, and the moved cartridge loads -----------------------------------
tape_mtx transfer 2 5
tape_expect_inventory slot2=empty slot5=LAB002L8
tape_mtx load 5 0
tape_expect_inventory drive0=LAB002L8@5 slot5=empty
tape_status_has "$TAPE_NST0" ONLINE BOT
tape_mtx unload 5 0
tape_mt "$TAPE_NST1" rewind
tape_mtx unload 1 1
tape_expect_inventory drive0=empty drive1=empty slot1=LAB001L8 slot2=empty slot5=LAB002L8
tape_status_lacks "$TAPE_NST1" ONLINE
mtx -f "$TAPE_CHANGER_SG" status > "$LAB_OUT/mtx-status-last.txt" 2>&1
dmesg > "$LAB_OUT/dmesg-tape.txt"
! grep -E 'tcmu|TCMU|target_core_user' "$LAB_OUT/dmesg-tape.txt" | grep -qiE 'timeout|timed out|error|fail' \
    || lab_fail "the kernel logged TCMU trouble: $(grep -iE 'tcmu' "$LAB_OUT/dmesg-tape.txt" | tail -n 3)"
# Stop: lunforged takes the tcm_loop target and the three user backstores down with it.
lab_stop_lunforged || true
lab_wait_for 30 "$TAPE_NST0 to go away" test ! -e "$TAPE_NST0"
for name in vtl-changer vtl-drive0 vtl-drive1; do
    [[ ! -e $LAB_CONFIGFS/core/user_1/$name ]] || lab_fail "core/user_1/$name left in configfs after lunforged stopped"
done
[[ ! -e $LAB_CONFIGFS/loopback/$wwn ]] || lab_fail "loopback/$wwn left in configfs after lunforged stopped"
lab_result PASS "TCMU changer+2 drives via tcm_loop ($TAPE_SCH $TAPE_CHANGER_SG $TAPE_NST0 $TAPE_NST1): inventory, load/unload/transfer followed by st in both drives; tar 10 KiB/1 MiB records in 2 files restored identical; $na short reads with ILI to the filemark; 512 B fixed blocks read as 8+2 at the filemark; dd blocks 512 B-1 MiB restored identical in both drives; tell/eod at block $p4; taken down on stop"
