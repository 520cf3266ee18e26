#!/bin/bash
# lab-timeout: 600
# tape-iscsi: a lunforge tape library (STK L700 changer on LUN 0, two IBM LTO-8 drives on
# LUNs 1-2, 64 MiB cartridges) served by lunforged over its own iSCSI target, driven by the
# kernel's ch, st and sg drivers the way backup scripts drive a real one. ch binds and
# /dev/sch0 reads the same inventory as the changer's sg node; mtx status lists drives,
# slots and barcodes; mtx load/unload/transfer move cartridges and st follows (ONLINE
# after a load, no medium after an unload); in variable block mode tar archives of
# 512 B, 10 KiB and 1 MiB records and dd files of block sizes from 512 B to 1 MiB, each
# file closed by st's filemark, restore byte-identical; and mt's rewind, weof, fsf, bsf,
# fsr, bsr, eod and seek land where `mt tell` (READ POSITION) says a real drive would.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands mtx mt tar dd sha256sum
tape_write_config /tmp/vtl/vtl.json /tmp/vtl 67108864 4
tape_start_lunforged /tmp/vtl/vtl.json
tape_login

# --- ch and the changer's inventory --------------------------------------------------------
[[ "$(basename "$(readlink -f "/sys/bus/scsi/devices/$TAPE_HCTL_CHANGER/driver")")" == ch ]] \
    || lab_fail "the changer LUN is not bound to ch"
[[ -c "$TAPE_SCH" ]] || lab_fail "$TAPE_SCH is not a character device"
mtx -f "$TAPE_CHANGER_SG" status > "$LAB_OUT/mtx-status-first.txt" 2>&1
grep -q '2 Drives, 18 Slots ( 2 Import/Export )' "$LAB_OUT/mtx-status-first.txt" \
    || lab_fail "mtx status: not 2 drives, 18 slots, 2 import/export: $(head -n 1 "$LAB_OUT/mtx-status-first.txt")"
tape_expect_inventory drive0=empty drive1=empty slot1=LAB001L8 slot2=LAB002L8 slot3=LAB003L8 slot4=LAB004L8 \
    slot5=empty slot16=empty slot17=empty slot18=empty
[[ "$(tape_inventory "$TAPE_SCH")" == "$(tape_inventory)" ]] || lab_fail "mtx reads another inventory through $TAPE_SCH"
tape_status_has "$TAPE_NST0" DR_OPEN
tape_status_lacks "$TAPE_NST0" ONLINE

# --- load, and st follows ------------------------------------------------------------------
tape_mtx load 1 0
tape_expect_inventory drive0=LAB001L8@1 slot1=empty
tape_status_has "$TAPE_NST0" ONLINE BOT "File number=0," "block number=0,"
tape_expect_tell "$TAPE_NST0" 0 "mtx load 1 0"
tape_mt "$TAPE_NST0" setblk 0
tape_status_has "$TAPE_NST0" "Tape block size 0 bytes."

# --- six files, each closed with a filemark -----------------------------------------------
# What tar writes to a file with the same record size is what it writes to the tape, so the
# archive's size says how many blocks (records) each tar file takes.
src=/tmp/src
tape_random_tree $src/a 1 7 300 45
tape_random_tree $src/b 2 90
tape_random_tree $src/c 1500 700 4
head -c $((2048 * 1024)) /dev/urandom > /tmp/file3
for size in 512 1000 4096 65536 262144 1048576; do
    head -c "$size" /dev/urandom > "/tmp/block-$size"
done
records() { # records ARCHIVE_DIR BLOCKING_FACTOR: tar's records for it
    tar -C $src -b "$2" -cf /tmp/probe.tar "$1"
    echo $(($(stat -c %s /tmp/probe.tar) / ($2 * 512)))
}
na=$(records a 20)
nb=$(records b 1)
nc=$(records c 2048)
p0=0
p1=$((p0 + na + 1))
p2=$((p1 + nb + 1))
p3=$((p2 + nc + 1))
p4=$((p3 + 2 + 1))
p5=$((p4 + 6 + 1))
p6=$((p5 + 1))
lab_log "expected file starts: $p0 $p1 $p2 $p3 $p4 $p5, end of data $p6"

tar -C $src -b 20 -cf "$TAPE_NST0" a
tape_expect_tell "$TAPE_NST0" $p1 "tar -b 20 (10 KiB records, $na of them)"
tape_status_has "$TAPE_NST0" ONLINE "File number=1," "block number=0,"
tar -C $src -b 1 -cf "$TAPE_NST0" b
tape_expect_tell "$TAPE_NST0" $p2 "tar -b 1 (512 B records, $nb of them)"
tar -C $src -b 2048 -cf "$TAPE_NST0" c
tape_expect_tell "$TAPE_NST0" $p3 "tar -b 2048 (1 MiB records, $nc of them)"
dd if=/tmp/file3 of="$TAPE_NST0" bs=1M status=none
tape_expect_tell "$TAPE_NST0" $p4 "dd bs=1M (2 blocks)"
# One open, six writes of six sizes, one close: one file of six blocks.
{
    for size in 512 1000 4096 65536 262144 1048576; do
        dd if="/tmp/block-$size" bs="$size" status=none
    done
} > "$TAPE_NST0"
tape_expect_tell "$TAPE_NST0" $p5 "six blocks of 512 B to 1 MiB"
tape_mt "$TAPE_NST0" weof
tape_expect_tell "$TAPE_NST0" $p6 "mt weof (an empty file)"
tape_status_has "$TAPE_NST0" "File number=6," "block number=0,"

# --- read it back: rewind, then file by file with fsf ----------------------------------------
tape_mt "$TAPE_NST0" rewind
tape_expect_tell "$TAPE_NST0" 0 "mt rewind"
tape_status_has "$TAPE_NST0" BOT "File number=0,"
mkdir -p /tmp/out/a /tmp/out/b /tmp/out/c
tar -C /tmp/out/a -b 20 -xf "$TAPE_NST0"
tape_same_tree $src/a /tmp/out/a/a "file 0 (tar -b 20)"
tape_mt "$TAPE_NST0" fsf 1
tape_expect_tell "$TAPE_NST0" $p1 "mt fsf 1 from inside file 0"
tar -C /tmp/out/b -b 1 -xf "$TAPE_NST0"
tape_same_tree $src/b /tmp/out/b/b "file 1 (tar -b 1)"
tape_mt "$TAPE_NST0" fsf 1
tape_expect_tell "$TAPE_NST0" $p2 "mt fsf 1 from inside file 1"
tar -C /tmp/out/c -b 2048 -xf "$TAPE_NST0"
tape_same_tree $src/c /tmp/out/c/c "file 2 (tar -b 2048)"
tape_mt "$TAPE_NST0" fsf 1
tape_expect_tell "$TAPE_NST0" $p3 "mt fsf 1 from inside file 2"
# dd reads until read() returns 0: the READ that returned it met the filemark, and a drive
# leaves the tape on the far side of a filemark it reads (SSC-4 4.2.6). st counts that file
# as done (ST_FM) and its close in the default (BSD, not sysv) mode does not space back,
# so the tape sits at the start of the next file, as `mt status` says.
cmp /tmp/file3 <(dd if="$TAPE_NST0" bs=1M status=none) || lab_fail "file 3 (dd bs=1M) differs"
tape_expect_tell "$TAPE_NST0" $p4 "reading file 3 through its filemark"
tape_status_has "$TAPE_NST0" "File number=4," "block number=0,"
# In variable block mode each read returns one block, however large the request: dd counts
# the 1 MiB block as a full record and the five shorter ones as partial records.
dd if="$TAPE_NST0" of=/tmp/file4 bs=1M 2> /tmp/dd4.txt
cat /tmp/block-512 /tmp/block-1000 /tmp/block-4096 /tmp/block-65536 /tmp/block-262144 /tmp/block-1048576 \
    | cmp - /tmp/file4 || lab_fail "file 4 (six block sizes) differs"
grep -q '^1+5 records in' /tmp/dd4.txt || lab_fail "file 4 read as other blocks than 1 full + 5 short: $(head -n 1 /tmp/dd4.txt)"
tape_expect_tell "$TAPE_NST0" $p5 "reading file 4 through its filemark"
[[ $(dd if="$TAPE_NST0" bs=1M status=none | wc -c) -eq 0 ]] || lab_fail "file 5 (mt weof) is not empty"
tape_expect_tell "$TAPE_NST0" $p6 "reading the empty file 5"

# --- positioning: eod, bsf, fsr/bsr, seek ---------------------------------------------------
tape_mt "$TAPE_NST0" eod
tape_expect_tell "$TAPE_NST0" $p6 "mt eod"
tape_mt "$TAPE_NST0" bsf 2
tape_expect_tell "$TAPE_NST0" $((p5 - 1)) "mt bsf 2 from EOD (onto the filemark ending file 4)"
tape_mt "$TAPE_NST0" fsf 1
tape_expect_tell "$TAPE_NST0" $p5 "mt fsf 1 from there"
tape_mt "$TAPE_NST0" bsf 3
tape_expect_tell "$TAPE_NST0" $((p3 - 1)) "mt bsf 3 (onto the filemark ending file 2)"
tape_mt "$TAPE_NST0" seek $p4
tape_expect_tell "$TAPE_NST0" $p4 "mt seek $p4"
tape_mt "$TAPE_NST0" fsr 3
tape_expect_tell "$TAPE_NST0" $((p4 + 3)) "mt fsr 3"
tape_mt "$TAPE_NST0" bsr 2
tape_expect_tell "$TAPE_NST0" $((p4 + 1)) "mt bsr 2"
cmp /tmp/block-1000 <(dd if="$TAPE_NST0" bs=1M count=1 status=none) || lab_fail "the block after mt bsr 2 is not the 1000-byte one"
tape_mt "$TAPE_NST0" seek $p1
tape_expect_tell "$TAPE_NST0" $p1 "mt seek $p1"
tar -b 1 -tf "$TAPE_NST0" > /tmp/list-b
[[ "$(sort /tmp/list-b | tr '\n' ' ')" == "b/ b/f1 b/f2 " ]] || lab_fail "tar -t after mt seek $p1 listed: $(cat /tmp/list-b)"
tape_mt "$TAPE_NST0" seek 0
tape_expect_tell "$TAPE_NST0" 0 "mt seek 0"
tape_status_has "$TAPE_NST0" BOT

# --- moving cartridges: unload, load into the other drive, transfer -----------------------
tape_mtx unload 1 0
tape_expect_inventory drive0=empty slot1=LAB001L8
tape_status_has "$TAPE_NST0" DR_OPEN
tape_status_lacks "$TAPE_NST0" ONLINE
tape_mtx load 1 1
tape_expect_inventory drive1=LAB001L8@1 slot1=empty
tape_status_has "$TAPE_NST1" ONLINE BOT
# The other drive reads what the first one wrote.
tape_mt "$TAPE_NST1" fsf 3
cmp /tmp/file3 <(dd if="$TAPE_NST1" bs=1M status=none) || lab_fail "file 3 read in drive 1 differs"
tape_mt "$TAPE_NST1" eod
tape_expect_tell "$TAPE_NST1" $p6 "mt eod in drive 1"
tape_mtx transfer 2 5
tape_expect_inventory slot2=empty slot5=LAB002L8
tape_mtx load 5 0
tape_expect_inventory drive0=LAB002L8@5 slot5=empty
tape_status_has "$TAPE_NST0" ONLINE BOT
tape_mtx unload 5 0
tape_mtx unload 1 1
tape_expect_inventory drive0=empty drive1=empty slot1=LAB001L8 slot2=empty slot5=LAB002L8
tape_status_lacks "$TAPE_NST1" ONLINE
mtx -f "$TAPE_CHANGER_SG" status > "$LAB_OUT/mtx-status-last.txt" 2>&1
dmesg > "$LAB_OUT/dmesg-tape.txt"
lab_result PASS "inventory through sg and sch0; load/unload/transfer followed by st; 6 files (tar 512 B/10 KiB/1 MiB records, dd 512 B-1 MiB blocks) restored identical; tell after rewind/weof/fsf/bsf/fsr/bsr/eod/seek as expected (EOD at block $p6)"
