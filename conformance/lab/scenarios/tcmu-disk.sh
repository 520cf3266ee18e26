#!/bin/bash
# lab-timeout: 900
# tcmu-disk: lunforged (bin/lunforged, in the guest) serves a 128 MiB memory disk through TCMU and exports it
# through tcm_loop, all from its configuration: the kernel's sd makes /dev/sdX of it. O_DIRECT dd of 512 B, 4 KiB,
# 64 KiB, 1 MiB and 8 MiB at several offsets (the first block, odd sectors, across 1 MiB, the very end) reads back
# what was written; ext4 made on it keeps files across unmount, a clean fsck and a remount; its VPD 0x83 carries
# the relative target port and target port group designators multipath needs, and its Block Limits the
# MAXIMUM TRANSFER LENGTH the kernel device was made with (hw_max_sectors). When lunforged stops, the disk and its
# configfs objects are gone.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_user tcm_loop sd_mod
lab_require_commands sg_vpd sg_rtpg mkfs.ext4 fsck.ext4 sha256sum python3
lab_configfs_init

work=/tmp/tcmu-disk
mkdir -p "$work"
wwn=naa.5001405000000011
size=134217728
cat > "$work/config.json" << EOF
{ "state_dir": "$work/state",
  "backstores": [ { "name": "disk0", "memory": { "size": $size } } ],
  "tcmu_devices": [ { "name": "disk0", "object": "/backstores/memory/disk0",
                      "attributes": { "cmd_time_out": "30" } } ],
  "loopback_targets": [ { "wwn": "$wwn", "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] } ] }
EOF
cp "$work/config.json" "$LAB_OUT/config.json"

lab_start_lunforged "$work/config.json" --uio disk0 --timeout 300
hctl=$(lab_loop_hctl "$wwn" 0)
disk=$(lab_scsi_dev "$hctl" disk)
dev=${disk#/dev/}
lab_log "lunforged's disk0 via tcm_loop: $hctl $disk, $(cat "/sys/block/$dev/size") sectors"
lsscsi >&2 || true
[[ "$(cat "/sys/block/$dev/device/vendor" | tr -d ' ')" == LUNFORGE ]] || lab_fail "$disk is not lunforge's"
[[ $(cat "/sys/block/$dev/size") -eq $((size / 512)) ]] || lab_fail "$disk has $(cat "/sys/block/$dev/size") sectors"
[[ "$(cat $LAB_CONFIGFS/core/user_1/disk0/attrib/cmd_time_out)" == 30 ]] || lab_fail "cmd_time_out not applied"

# VPD 0x83: what the initiator (and multipath's scsi_dh_alua) reads through TCMU is what lunforge answers.
sg_vpd --page=di "$disk" > "$LAB_OUT/vpd-83.txt" 2>&1 || lab_fail "sg_vpd -p di failed: $(tail -2 "$LAB_OUT/vpd-83.txt")"
sg_rtpg --decode "$disk" > "$LAB_OUT/rtpg.txt" 2>&1 || lab_fail "REPORT TARGET PORT GROUPS failed: $(tail -2 "$LAB_OUT/rtpg.txt")"
sg_vpd --page=bl "$disk" > "$LAB_OUT/vpd-b0.txt" 2>&1 || lab_fail "sg_vpd -p bl failed"
cat "$LAB_OUT/vpd-83.txt" "$LAB_OUT/rtpg.txt" >&2
grep -qi "Relative target port" "$LAB_OUT/vpd-83.txt" || lab_fail "VPD 0x83 has no relative target port designator"
grep -qi "Target port group" "$LAB_OUT/vpd-83.txt" || lab_fail "VPD 0x83 has no target port group designator"
grep -qi "NAA" "$LAB_OUT/vpd-83.txt" || lab_fail "VPD 0x83 has no NAA designator"
max_transfer=$(sed -n 's/^ *Maximum transfer length: *\([0-9]*\).*/\1/p' "$LAB_OUT/vpd-b0.txt")
hw_max=$(cat $LAB_CONFIGFS/core/user_1/disk0/attrib/hw_max_sectors)
lab_log "Block Limits MAXIMUM TRANSFER LENGTH $max_transfer blocks; the kernel device's hw_max_sectors $hw_max"
[[ "$max_transfer" == "$hw_max" ]] || lab_fail "MAXIMUM TRANSFER LENGTH $max_transfer != hw_max_sectors $hw_max"

# O_DIRECT round trips: each size at each offset, a fresh random pattern every time, in one process (a fork per
# dd costs seconds under TCG).
cat > "$work/odirect.py" << 'PY'
import mmap, os, sys
dev, size = sys.argv[1], int(sys.argv[2])
fd = os.open(dev, os.O_RDWR | os.O_DIRECT | os.O_DSYNC)
checked = 0
for length in (512, 4096, 65536, 1048576, 8388608):
    out, back = mmap.mmap(-1, length), mmap.mmap(-1, length)  # page aligned, as O_DIRECT wants
    for off in (0, 3584, 1044480, size // 2 + 512, size - length):
        out.seek(0)
        out.write(os.urandom(length))
        if os.pwritev(fd, [out], off) != length:
            sys.exit("short O_DIRECT write of %d bytes at %d" % (length, off))
        back.seek(0)
        back.write(bytes(length))
        if os.preadv(fd, [back], off) != length:
            sys.exit("short O_DIRECT read of %d bytes at %d" % (length, off))
        if out[:] != back[:]:
            sys.exit("%d bytes at offset %d read back different" % (length, off))
        checked += 1
print(checked)
PY
checked=$(python3 "$work/odirect.py" "$disk" "$size" 2> "$LAB_OUT/odirect.err") \
    || lab_fail "O_DIRECT round trip: $(tail -1 "$LAB_OUT/odirect.err")"
[[ $checked -eq 25 ]] || lab_fail "O_DIRECT: $checked of 25 round trips"
lab_log "O_DIRECT: $checked writes of 512 B to 8 MiB read back identical"

# ext4: files in, unmount, fsck clean, remount, same checksums.
mkfs.ext4 -q -F "$disk"
mkdir -p /mnt/tcmu "$work/files"
python3 -c '
import os, random, sys
for i in range(1, 41):
    open(sys.argv[1] + "/f%d" % i, "wb").write(os.urandom(random.randrange(1, 230000)))
open(sys.argv[1] + "/big", "wb").write(os.urandom(8 << 20))
' "$work/files"
mount "$disk" /mnt/tcmu
cp -a "$work/files" /mnt/tcmu/
(cd "$work/files" && sha256sum ./*) > "$work/sums"
umount /mnt/tcmu
echo 3 > /proc/sys/vm/drop_caches
fsck.ext4 -fn "$disk" > "$LAB_OUT/fsck.txt" 2>&1 || lab_fail "fsck found problems: $(tail -3 "$LAB_OUT/fsck.txt")"
mount -o ro "$disk" /mnt/tcmu
(cd /mnt/tcmu/files && sha256sum -c --quiet "$work/sums") > "$LAB_OUT/sha256.txt" 2>&1 \
    || lab_fail "checksums differ after remount: $(head -3 "$LAB_OUT/sha256.txt")"
files=$(wc -l < "$work/sums")
umount /mnt/tcmu
lab_log "ext4: $files files, fsck clean, checksums match after remount"

# Stop: lunforged takes the export and the backstore down (persist_kernel_exports is not set).
lab_stop_lunforged || true
lab_wait_for 30 "$disk to go away" test ! -e "$disk"
[[ ! -e $LAB_CONFIGFS/core/user_1/disk0 ]] || lab_fail "core/user_1/disk0 left in configfs after lunforged stopped"
[[ ! -e $LAB_CONFIGFS/loopback/$wwn ]] || lab_fail "loopback/$wwn left in configfs after lunforged stopped"
lab_result PASS "$disk via tcm_loop: $checked O_DIRECT round trips (512 B-8 MiB), ext4 with $files files fsck clean and intact after remount; VPD 0x83 has relative port and TPG designators; MAXIMUM TRANSFER LENGTH = hw_max_sectors = $hw_max; taken down on stop"
