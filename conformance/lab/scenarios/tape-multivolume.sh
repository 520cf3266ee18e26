#!/bin/bash
# lab-timeout: 660
# tape-multivolume: GNU tar's multi-volume archives on a lunforge library through st. tar -M
# writes more than one small cartridge (8 MiB) holds; when the drive reports early
# warning, st ends the volume (ENOSPC) and tar's --info-script moves the next cartridge
# into the drive with mtx. The archive is read back the same way, cartridge after
# cartridge, and must restore byte-identical.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands mtx mt tar sha256sum
capacity=$((8 << 20))
tape_write_config /tmp/vtl/vtl.json /tmp/vtl $capacity 4
tape_start_lunforged /tmp/vtl/vtl.json
tape_login

# Random data does not compress: about 2.3 cartridges' worth, so the archive spans three.
# 64 KiB records (-b 128): under TCG each command costs tens of milliseconds, so the record
# count, not the byte count, sets the run time. The early-warning zone of an 8 MiB
# cartridge (1%, 83 KB) holds the one record that crosses the early-warning point.
src=/tmp/src
tape_random_tree $src/set 5120 4 7680 12 6144
blocking=128
# The info script: tar runs it at the end of each volume with TAR_VOLUME the number of the
# volume it is about to start; volume N is the cartridge in slot N.
cat > /tmp/next-volume << EOF
#!/bin/bash
set -e
echo "info script: volume \$TAR_VOLUME (\$TAR_SUBCOMMAND)" >> $LAB_OUT/volumes.log
mtx -f $TAPE_CHANGER_SG unload >> $LAB_OUT/volumes.log 2>&1
mtx -f $TAPE_CHANGER_SG load "\$TAR_VOLUME" 0 >> $LAB_OUT/volumes.log 2>&1
EOF
chmod +x /tmp/next-volume

tape_mtx load 1 0
tape_mt "$TAPE_NST0" setblk 0
t0=$SECONDS
tar -C $src -b $blocking -M -F /tmp/next-volume -cf "$TAPE_NST0" set 2> /tmp/tar-c.err \
    || lab_fail "tar -M -c failed: $(cat /tmp/tar-c.err)"
write_secs=$((SECONDS - t0))
cat /tmp/tar-c.err >&2
volumes=$(grep -c '^info script' "$LAB_OUT/volumes.log")
lab_log "tar -M -c: $((volumes + 1)) volumes in ${write_secs}s"
[[ $volumes -ge 2 ]] || lab_fail "the archive took $((volumes + 1)) volume(s); 3 expected for $(du -sh $src | cut -f1)"
tape_expect_inventory "drive0=LAB00$((volumes + 1))L8@$((volumes + 1))"
# Every volume but the last ended at early warning, not before it: st returned ENOSPC only
# after the drive reported EOM, and the filemark st wrote at close past early warning was
# accepted (tar checks close). The journal holds the blocks plus a small header.
for ((v = 1; v <= volumes; v++)); do
    used=$(stat -c %s "/tmp/vtl/pool/LAB00${v}L8.tape")
    lab_log "volume $v: journal of $used bytes"
    ((used >= capacity * 98 / 100)) || lab_fail "volume $v ended after $used bytes, before early warning (capacity $capacity)"
done

# The archive is read back from the first cartridge on; at each filemark st returns 0 and
# tar runs the info script for the next volume.
tape_mtx unload
tape_mtx load 1 0
t0=$SECONDS
mkdir -p /tmp/out
tar -C /tmp/out -b $blocking -M -F /tmp/next-volume -xf "$TAPE_NST0" 2> /tmp/tar-x.err \
    || lab_fail "tar -M -x failed: $(cat /tmp/tar-x.err)"
read_secs=$((SECONDS - t0))
cat /tmp/tar-x.err >&2
tape_same_tree $src/set /tmp/out/set "the multi-volume archive"

# --- early warning and the physical end, one block at a time ---------------------------------
# Volume 1 ends past early warning. At its end, the first write goes to the drive, is
# written and reported done with EOM (NO SENSE); st returns ENOSPC for the next one without
# sending it, and at close still writes its filemark. 8 KiB blocks: what is left of the
# early-warning zone after tar's last 64 KiB record (at least 83 KB - 64 KiB) holds one.
tape_mtx unload
tape_mtx load 1 0
tape_mt "$TAPE_NST0" eod
end1=$(tape_tell "$TAPE_NST0")
head -c $((4 << 13)) /dev/urandom > /tmp/ew
if dd if=/tmp/ew of="$TAPE_NST0" bs=8k 2> /tmp/dd-ew.err; then
    lab_fail "dd wrote 4 blocks past early warning without ENOSPC"
fi
lab_log "dd past early warning: $(tr '\n' ' ' < /tmp/dd-ew.err)"
grep -q 'No space left on device' /tmp/dd-ew.err || lab_fail "dd past early warning did not end with ENOSPC"
grep -q '^1+0 records out' /tmp/dd-ew.err || lab_fail "st did not write exactly one block past early warning"
tape_expect_tell "$TAPE_NST0" $((end1 + 2)) "one block past early warning and st's filemark at close"
tape_mt "$TAPE_NST0" weof 1
tape_expect_tell "$TAPE_NST0" $((end1 + 3)) "mt weof past early warning"
# One block per open until the drive refuses one that does not fit before the physical end
# (VOLUME OVERFLOW): st returns ENOSPC and the block is not on the tape.
overflow=""
for ((i = 1; i <= 16; i++)); do
    at=$(tape_tell "$TAPE_NST0")
    if ! dd if=/tmp/ew of="$TAPE_NST0" bs=8k count=1 2> /tmp/dd-end.err; then
        overflow=$i
        break
    fi
done
[[ -n "$overflow" ]] || lab_fail "16 more blocks written past early warning and no VOLUME OVERFLOW"
lab_log "write $overflow past the filemark refused: $(tr '\n' ' ' < /tmp/dd-end.err)"
grep -q 'No space left on device' /tmp/dd-end.err || lab_fail "the refused write did not end with ENOSPC"
grep -q '^0+0 records out' /tmp/dd-end.err || lab_fail "st reported a block written at the physical end"
now=$(tape_tell "$TAPE_NST0")
((now == at || now == at + 1)) || lab_fail "after the refused write the tape moved from $at to $now (a block or more)"
# What was acknowledged past early warning reads back.
tape_mt "$TAPE_NST0" seek "$end1"
cmp <(head -c 8192 /tmp/ew) <(dd if="$TAPE_NST0" bs=8k count=1 status=none) \
    || lab_fail "the block written past early warning differs"
lab_result PASS "$(du -sh $src | cut -f1) in $((volumes + 1)) volumes of $((capacity >> 20)) MiB (written in ${write_secs}s, read in ${read_secs}s) restored identical; the info script moved each cartridge with mtx; past early warning st wrote one block then ENOSPC, filemarks were written, the physical end refused block $overflow with ENOSPC"
