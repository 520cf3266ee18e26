#!/bin/bash
# lab-timeout: 900
# lunforge-iscsi: lunforge's own iSCSI target, in the guest, driven by the kernel's initiator. One thin file-backed
# disk behind two target ports (portal groups 1 on 127.0.0.1 and 2 on 127.0.0.2) in two ALUA target port groups,
# active/optimized and active/non-optimized. open-iscsi logs in through both and dm-multipath builds one map with the
# ALUA hardware handler and two path groups whose priorities follow the access states (which needs INQUIRY's TPGS,
# VPD 83h's port designators and REPORT TARGET PORT GROUPS to be right). Through the map: mkfs.ext4, files in, fsck
# clean, remount, checksums. SET TARGET PORT GROUPS (sg_stpg) swaps the states and multipath follows; the optimized
# path is logged out under writes and back; O_DIRECT writes of 512 B to 8 MiB read back on each path.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules iscsi_tcp dm_multipath scsi_dh_alua
lab_require_commands iscsiadm iscsid multipath multipathd mkfs.ext4 fsck.ext4 sha256sum sg_rtpg sg_stpg
iqn=iqn.2026-11.org.lunforge:lab
lab_loopback_address 127.0.0.2

cat > "$LAB_OUT/lunforged.json" << EOF
{
  "state_dir": "/tmp/lunforge-state",
  "backstores": [ { "name": "disk0", "fileio": { "path": "/tmp/disk0.img", "size": "256M" } } ],
  "target_port_groups": [
    { "id": 1, "name": "a", "state": "ACTIVE_OPTIMIZED", "members": ["$iqn,t,0x1"] },
    { "id": 2, "name": "b", "state": "ACTIVE_NON_OPTIMIZED", "members": ["$iqn,t,0x2"] } ],
  "iscsi_targets": [ { "iqn": "$iqn", "portal_groups": [
    { "tag": 1, "portals": ["127.0.0.1:3260"], "generate_node_acls": true,
      "luns": [ { "lun": 0, "object": "/backstores/fileio/disk0" } ] },
    { "tag": 2, "portals": ["127.0.0.2:3260"], "generate_node_acls": true,
      "luns": [ { "lun": 0, "object": "/backstores/fileio/disk0" } ] } ] } ]
}
EOF
lab_start_lunforged "$LAB_OUT/lunforged.json" --port 3260 --timeout 300
trap 'lab_stop_lunforged || true' EXIT

lab_iscsid_start
path_a=$(lab_iscsi_login "$iqn" 127.0.0.1:3260)
path_b=$(lab_iscsi_login "$iqn" 127.0.0.2:3260)
disk_a=$(lab_scsi_dev "$path_a" disk)
disk_b=$(lab_scsi_dev "$path_b" disk)
lab_log "127.0.0.1 -> $path_a $disk_a; 127.0.0.2 -> $path_b $disk_b"
[[ "$disk_a" != "$disk_b" ]] || lab_fail "both logins gave the same disk $disk_a"
vendor=$(cat "/sys/bus/scsi/devices/$path_a/vendor")
[[ "$vendor" == LUNFORGE* ]] || lab_fail "the disk's vendor is '$vendor', not LUNFORGE"

lab_multipathd_start
map_with_paths() { # map_with_paths N: one map, N paths
    local maps
    maps=$(multipathd show maps format '%n' 2> /dev/null | grep -v '^name' || true)
    [[ $(wc -w <<< "$maps") -eq 1 ]] && [[ $(lab_multipath_paths "$maps") -eq "$1" ]]
}
lab_wait_for 60 "one multipath map with two paths" map_with_paths 2
map=$(multipathd show maps format '%n' | grep -v '^name')
multipath -ll > "$LAB_OUT/multipath-ll.txt" 2>&1
cat "$LAB_OUT/multipath-ll.txt" >&2
grep -q "hwhandler='1 alua'" "$LAB_OUT/multipath-ll.txt" \
    || lab_fail "the map does not use the ALUA hardware handler (multipath-ll.txt)"
disk_prio() { # disk_prio sdX: the priority multipath gives the path group holding sdX
    multipath -ll 2> /dev/null | awk -v d=" $1 " '/prio=/ { match($0, /prio=[0-9]+/); p = substr($0, RSTART + 5, RLENGTH - 5) }
        index($0, d) { print p; exit }'
}
prios_are() { # prios_are A B: path a has priority A and path b B
    [[ "$(disk_prio "${disk_a#/dev/}")" == "$1" && "$(disk_prio "${disk_b#/dev/}")" == "$2" ]]
}
# scsi_dh_alua's prioritizer: 50 for active/optimized, 10 for active/non-optimized.
prios_are 50 10 || lab_fail "path priorities are $(disk_prio "${disk_a#/dev/}")/$(disk_prio "${disk_b#/dev/}"),\
 not 50/10 for the optimized/non-optimized groups (multipath-ll.txt)"
sg_rtpg --decode "$disk_a" > "$LAB_OUT/rtpg-before.txt" 2>&1 || lab_fail "REPORT TARGET PORT GROUPS failed"
dev="/dev/mapper/$map"
lab_wait_for 20 "$dev" test -b "$dev"

# A file system through the map.
lab_log "mkfs.ext4 on $dev"
mkfs.ext4 -q -F "$dev"
mkdir -p /mnt/lf
mount "$dev" /mnt/lf
mkdir -p /mnt/lf/files
for i in $(seq 1 40); do head -c $((i * 7919)) /dev/urandom > "/mnt/lf/files/f$i"; done
cp -r /usr/share/doc/bash /mnt/lf/doc 2> /dev/null || true
(cd /mnt/lf && find . -type f -print0 | sort -z | xargs -0 sha256sum) > /tmp/sums
umount /mnt/lf
fsck.ext4 -fn "$dev" > "$LAB_OUT/fsck.txt" 2>&1 || lab_fail "fsck after the first mount is not clean (fsck.txt)"

lab_log "file system checked clean; SET TARGET PORT GROUPS makes path b optimized"
sg_stpg --tp=1,2 --state=an,ao "$disk_b" >&2 || lab_fail "SET TARGET PORT GROUPS through $disk_b failed"
sg_rtpg --decode "$disk_a" > "$LAB_OUT/rtpg-after.txt" 2>&1 || true
multipathd reconfigure > /dev/null 2>&1 || true
lab_wait_for 90 "multipath priorities 10 (a) and 50 (b)" prios_are 10 50
multipath -ll > "$LAB_OUT/multipath-ll-swapped.txt" 2>&1

lab_log "priorities swapped; now losing the optimized path under writes"
# Lose a path under I/O: the map goes on through the other one; log back in and it has two again.
mount "$dev" /mnt/lf
(for i in $(seq 1 16); do dd if=/dev/urandom of=/mnt/lf/busy bs=64k count=16 conv=fsync status=none; done) &
writer=$!
iscsiadm -m node -T "$iqn" -p 127.0.0.2:3260 --logout >&2
lab_wait_for 60 "the map down to one path" map_with_paths 1
wait "$writer" || lab_fail "writes through the map failed while a path was gone"
iscsiadm -m node -T "$iqn" -p 127.0.0.2:3260 --login >&2
lab_wait_for 60 "the map back to two paths" map_with_paths 2
(cd /mnt/lf && sha256sum -c --quiet /tmp/sums) || lab_fail "files differ after the path came back"
rm /mnt/lf/busy
umount /mnt/lf
fsck.ext4 -fn "$dev" >> "$LAB_OUT/fsck.txt" 2>&1 || lab_fail "fsck after the path change is not clean"

lab_log "path restored, files intact; O_DIRECT writes of several sizes"
# O_DIRECT writes of several sizes at several offsets through the map, read back through each path.
paths=()
for hctl in $(lab_iscsi_session_luns "$iqn" 127.0.0.1:3260) $(lab_iscsi_session_luns "$iqn" 127.0.0.2:3260); do
    paths+=("$(lab_scsi_dev "$hctl" disk)")
done
offset_mib=8
for size in 512 4096 65536 1048576 8388608; do
    head -c "$size" /dev/urandom > /tmp/pattern
    bs=$((size < 1048576 ? size : 1048576))
    seek=$((offset_mib * 1048576 / bs))
    dd if=/tmp/pattern of="$dev" bs="$bs" seek="$seek" oflag=direct status=none
    for d in "${paths[@]}"; do
        cmp /tmp/pattern <(dd if="$d" bs="$bs" skip="$seek" count=$((size / bs)) iflag=direct status=none) \
            || lab_fail "$size bytes at $offset_mib MiB written through $dev read back differently on $d"
    done
    offset_mib=$((offset_mib + 17))
done

lab_result PASS "map $map: 2 paths with the ALUA handler, priorities 50/10 swapped by SET TARGET PORT GROUPS; ext4 made, fsck clean, $(wc -l < /tmp/sums) files intact\
 after a path was lost under writes and restored; O_DIRECT 512 B to 8 MiB read back on ${#paths[@]} paths"
