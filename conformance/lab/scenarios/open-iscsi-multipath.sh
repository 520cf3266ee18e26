#!/bin/bash
# lab-timeout: 300
# lab-all: no (LIO's multipath, the lab's first proof of its initiator set-up; lunforge-iscsi runs the same set-up against lunforge)
# open-iscsi-multipath: one LIO fileio LUN behind two portals (127.0.0.1 and 127.0.0.2),
# open-iscsi logged in through both, and dm-multipath assembling the two SCSI disks into
# one map with two paths. PASS when `multipath -ll` shows exactly that and the map moves
# data. Later scenarios run the same initiator set-up against lunforge's own target.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_file iscsi_target_mod iscsi_tcp dm_multipath scsi_dh_alua
lab_require_commands iscsiadm iscsid multipath multipathd
iqn=iqn.2003-01.org.lunforge.lab:multipath
lab_configfs_init
lab_fileio_create mp0 /tmp/mp0.img 67108864
lab_loopback_address 127.0.0.2
lab_iscsi_target "$iqn" 127.0.0.1:3260 127.0.0.2:3260
lab_iscsi_lun "$iqn" 0 fileio_0/mp0

lab_iscsid_start
path_a=$(lab_iscsi_login "$iqn" 127.0.0.1:3260)
path_b=$(lab_iscsi_login "$iqn" 127.0.0.2:3260)
disk_a=$(lab_scsi_dev "$path_a" disk)
disk_b=$(lab_scsi_dev "$path_b" disk)
lab_log "127.0.0.1 -> $path_a $disk_a; 127.0.0.2 -> $path_b $disk_b"
[[ "$disk_a" != "$disk_b" ]] || lab_fail "both logins gave the same disk $disk_a"

lab_multipathd_start
two_paths() {
    local maps
    maps=$(multipathd show maps format '%n' 2> /dev/null | grep -v '^name' || true)
    [[ $(wc -w <<< "$maps") -eq 1 ]] && [[ $(lab_multipath_paths "$maps") -eq 2 ]]
}
deadline=$((SECONDS + 60))
until two_paths; do
    if ((SECONDS >= deadline)); then
        multipath -ll > "$LAB_OUT/multipath-ll.txt" 2>&1 || true
        multipathd show paths > "$LAB_OUT/multipathd-paths.txt" 2>&1 || true
        cat "$LAB_OUT/multipath-ll.txt" >&2
        lab_fail "multipathd did not build one map with two paths within 60s (multipath-ll.txt)"
    fi
    sleep 1
done
map=$(multipathd show maps format '%n' | grep -v '^name')
multipath -ll > "$LAB_OUT/multipath-ll.txt" 2>&1
cat "$LAB_OUT/multipath-ll.txt" >&2

# The map must carry I/O, not just exist: write a pattern through it and read it back
# through each path directly.
dev="/dev/mapper/$map"
lab_wait_for 20 "$dev" test -b "$dev"
head -c 1048576 /dev/urandom > /tmp/pattern
dd if=/tmp/pattern of="$dev" bs=1M count=1 oflag=direct status=none
for d in "$dev" "$disk_a" "$disk_b"; do
    cmp -n 1048576 /tmp/pattern <(dd if="$d" bs=1M count=1 iflag=direct status=none) \
        || lab_fail "data read back through $d differs from what was written through $dev"
done
lab_result PASS "map $map with 2 paths ($(basename "$disk_a"), $(basename "$disk_b")); 1 MiB written through the map read back on both paths"
