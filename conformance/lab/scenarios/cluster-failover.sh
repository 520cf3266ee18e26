#!/bin/bash
# lab-timeout: 1500
# lab-cpu: max
# cluster-failover: one rbd image on a real Ceph cluster, served by lunforge two ways in one guest boot. The guest
# has no network to the host, so the cluster runs here on loopback (conformance/ceph/up --memstore --no-mgr: one mon,
# one OSD keeping its objects in memory; ceph-mon needs `-cpu max`). Both nodes start at once, right after the
# cluster; node 2 also serves the image through TCMU (a JVM start costs a minute and more under TCG).
#  a. The image as node 2's TCMU device behind tcm_loop (a kernel block device whose I/O goes to lunforged and on to
#     the cluster): O_DIRECT dd round trips read back what was written; ext4 made on it is fsck clean and keeps its
#     files across a remount.
#  b. Two lunforged nodes (two processes, 127.0.0.1 and 127.0.0.2) serve the image as one logical unit: the same
#     NAA designator and unit serial (derived from the image), each node's port in its own target port group,
#     relative port ids 1 and 2. open-iscsi logs in to both, dm-multipath (ALUA handler) makes one map of the two
#     paths. fio writes with verify headers through the map; the first node is killed (-9) mid-run: no I/O error
#     reaches fio, the second path carries the writes, every written block verifies. The killed node is started
#     again and rejoins as a path, and a second verify pass reads through both.
#     Both nodes are active/optimized (active/active, what the config offers while ALUA state is per node); the
#     image has no exclusive-lock feature and the nodes run with rbd_cache off, so neither holds data the other
#     cannot see.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_user tcm_loop sd_mod iscsi_tcp dm_multipath scsi_dh_alua
lab_require_commands ceph-mon ceph-osd ceph rbd fio iscsiadm iscsid multipath multipathd mkfs.ext4 fsck.ext4 \
    sg_vpd sg_rtpg sha256sum
work=/tmp/cluster
mkdir -p "$work"
t0=$SECONDS
timings=()
phase() { # phase NAME: the time since the previous phase ended, for the verdict
    timings+=("$1 $((SECONDS - t0))s")
    t0=$SECONDS
}

# --- the cluster ---------------------------------------------------------------------------------------------------
export LUNFORGE_CEPH_DIR=$work/ceph
conf=$("$LUNFORGE_HOME/conformance/ceph/up" --memstore --no-mgr 2> "$LAB_OUT/ceph-up.log" | tail -1) || {
    cp -a "$work/ceph.failed" "$LAB_OUT/ceph-logs" 2> /dev/null || true
    lab_fail "conformance/ceph/up failed: $(tail -3 "$LAB_OUT/ceph-up.log" | tr '\n' ' ')"
}
[[ -r "$conf" ]] || lab_fail "conformance/ceph/up printed '$conf', not a ceph.conf"
lab_log "$(grep '^ceph:' "$LAB_OUT/ceph-up.log")"
# The nodes' own view of the same cluster: no librbd cache (two writers of one image, no exclusive lock).
sed '/^\[client\]$/a rbd_cache = false' "$conf" > "$work/nodes.conf"
image_size=$((64 << 20))
rbd -c "$conf" create --size "$((image_size >> 20))M" --image-feature layering rbd/lun0
rbd -c "$conf" info rbd/lun0 > "$LAB_OUT/rbd-info.txt"
phase "ceph"

rbd_backstore='{ "name": "lun0", "rbd": { "pool": "rbd", "image": "lun0", "conf": "'$work/nodes.conf'" } }'

# --- the two nodes -------------------------------------------------------------------------------------------------
lab_configfs_init
iqn=iqn.2026-12.org.lunforge:cluster
wwn=naa.5001405000000c10
lab_loopback_address 127.0.0.2
node_config() { # node_config N ADDRESS [MORE]: node N's port is tag N, relative port N, in target port group N
    cat > "$work/node$1.json" << EOF
{ "state_dir": "$work/node$1-state", "control_socket": "$work/node$1.sock",
  "backstores": [ $rbd_backstore ],
  "iscsi_targets": [ { "iqn": "$iqn", "portal_groups": [ { "tag": $1, "relative_port_id": $1,
      "portals": ["$2:3260"], "generate_node_acls": true,
      "luns": [ { "lun": 0, "object": "/backstores/rbd/lun0" } ] } ] } ],
  "target_port_groups": [ { "id": $1, "name": "node$1", "state": "ACTIVE_OPTIMIZED",
      "members": ["$iqn,t,0x$1"] } ]${3:-} }
EOF
    cp "$work/node$1.json" "$LAB_OUT/node$1.json"
}
node_config 1 127.0.0.1
node_config 2 127.0.0.2 ',
  "tcmu_devices": [ { "name": "lun0", "object": "/backstores/rbd/lun0", "attributes": { "cmd_time_out": "60" } } ],
  "loopback_targets": [ { "wwn": "'$wwn'", "luns": [ { "lun": 0, "tcmu_device": "lun0" } ] } ]'
node1_ready=(--port 127.0.0.1:3260 --log node1 --timeout 400)
node2_ready=(--port 127.0.0.2:3260 --uio lun0 --log node2 --timeout 400)
lab_spawn_lunforged "$work/node1.json" "${node1_ready[@]}"
node1=$LAB_LUNFORGED_PID
lab_spawn_lunforged "$work/node2.json" "${node2_ready[@]}"
node2=$LAB_LUNFORGED_PID
lab_await_lunforged "$node1" "$work/node1.json" "${node1_ready[@]}"
lab_await_lunforged "$node2" "$work/node2.json" "${node2_ready[@]}"
phase "nodes"

# --- a. TCMU + tcm_loop --------------------------------------------------------------------------------------------
disk=$(lab_scsi_dev "$(lab_loop_hctl "$wwn" 0)" disk)
[[ $(cat "/sys/block/${disk#/dev/}/size") -eq $((image_size / 512)) ]] \
    || lab_fail "$disk has $(cat "/sys/block/${disk#/dev/}/size") sectors, the image $((image_size / 512))"
lab_log "rbd/lun0 through node 2's TCMU device and tcm_loop: $disk"

# O_DIRECT round trips: 512 B at sector 1, 68 KiB at sector 7 (not page aligned on the disk), 4 MiB at the end.
head -c $((4 << 20)) /dev/urandom > "$work/pattern"
round_trip() { # round_trip BYTES OFFSET: one O_DIRECT write of BYTES of the pattern at OFFSET, and one read back
    lab_log "O_DIRECT: $1 bytes at offset $2"
    dd if="$work/pattern" of="$disk" bs="$1" count=1 seek="$2" oflag=direct,seek_bytes conv=notrunc status=none
    cmp -n "$1" "$work/pattern" <(dd if="$disk" bs="$1" count=1 skip="$2" iflag=direct,skip_bytes status=none) \
        || lab_fail "O_DIRECT: $1 bytes at offset $2 read back different"
}
round_trip 512 512
round_trip 69632 3584
round_trip $((4 << 20)) $((image_size - (4 << 20)))

lab_log "mkfs.ext4 $disk"
mkfs.ext4 -q -F "$disk"
mkdir -p /mnt/rbd
mount "$disk" /mnt/rbd
for i in 1 2 3 4 5 6 7 8; do head -c $((i * 123457)) /dev/urandom > "/mnt/rbd/f$i"; done
(cd /mnt/rbd && sha256sum f*) > "$work/sums"
umount /mnt/rbd
echo 3 > /proc/sys/vm/drop_caches
fsck.ext4 -fn "$disk" > "$LAB_OUT/fsck.txt" 2>&1 || lab_fail "fsck after mkfs: $(tail -3 "$LAB_OUT/fsck.txt")"
mount -o ro "$disk" /mnt/rbd
(cd /mnt/rbd && sha256sum -c --quiet "$work/sums") > "$LAB_OUT/sha256.txt" 2>&1 \
    || lab_fail "ext4 files differ after remount: $(head -3 "$LAB_OUT/sha256.txt")"
umount /mnt/rbd
lab_log "TCMU: 3 O_DIRECT round trips, ext4 with 8 files fsck clean and intact after remount"
# The same logical unit would be a third path to multipathd: the kernel lets go of the tcm_loop disk.
echo 1 > "/sys/block/${disk#/dev/}/device/delete"
phase "tcmu"

# --- b. two nodes, one logical unit, dm-multipath ------------------------------------------------------------------

lab_iscsid_start
# A node's first login runs code its JVM has not loaded yet, which under TCG on a busy host can outlast iscsiadm's
# 30 s: discovery is tried until it answers, and each try warms the node.
discovered() { iscsiadm -m discovery -t sendtargets -p "$1" > /dev/null 2>&1; }
lab_wait_for 300 "node 1 to answer a discovery" discovered 127.0.0.1:3260
lab_wait_for 300 "node 2 to answer a discovery" discovered 127.0.0.2:3260
disk1=$(lab_scsi_dev "$(lab_iscsi_login "$iqn" 127.0.0.1:3260)" disk)
disk2=$(lab_scsi_dev "$(lab_iscsi_login "$iqn" 127.0.0.2:3260)" disk)
lab_log "node 1 (127.0.0.1) -> $disk1, node 2 (127.0.0.2) -> $disk2"

# One logical unit: the same NAA designator and serial through both nodes; two ports, two groups.
for n in 1 2; do
    d=disk$n
    sg_vpd --page=di "${!d}" > "$LAB_OUT/vpd-83.node$n.txt" 2>&1 || lab_fail "sg_vpd -p di through node $n failed"
    sg_vpd --page=sn "${!d}" > "$LAB_OUT/vpd-80.node$n.txt" 2>&1 || lab_fail "sg_vpd -p sn through node $n failed"
    sg_rtpg --decode "${!d}" > "$LAB_OUT/rtpg.node$n.txt" 2>&1 || lab_fail "RTPG through node $n failed"
done
naa() { grep -m1 -A1 'designator type: NAA' "$1" | tail -1 | tr -d ' '; }
field() { sed -n "s/^ *$2: *\\(0x[0-9a-fA-F]*\\).*/\\1/p" "$1" | head -1; } # "      Target port group: 0x1"
naa1=$(naa "$LAB_OUT/vpd-83.node1.txt")
[[ -n "$naa1" && "$naa1" == "$(naa "$LAB_OUT/vpd-83.node2.txt")" ]] \
    || lab_fail "the nodes report different NAA designators ('$naa1', '$(naa "$LAB_OUT/vpd-83.node2.txt")')"
cmp -s <(grep -i 'serial number' "$LAB_OUT/vpd-80.node1.txt") <(grep -i 'serial number' "$LAB_OUT/vpd-80.node2.txt") \
    || lab_fail "the nodes report different unit serial numbers"
for n in 1 2; do
    rel=$(field "$LAB_OUT/vpd-83.node$n.txt" "Relative target port")
    tpg=$(field "$LAB_OUT/vpd-83.node$n.txt" "Target port group")
    [[ $((rel)) -eq $n && $((tpg)) -eq $n ]] \
        || lab_fail "node $n reports relative port '$rel' in target port group '$tpg', not $n and $n"
done
cat "$LAB_OUT/vpd-83.node1.txt" "$LAB_OUT/rtpg.node1.txt" >&2

lab_multipathd_start "path_grouping_policy group_by_prio" "no_path_retry 30"
two_paths_up() { # one map, both paths active in dm and ready to the checker
    local maps
    maps=$(multipathd show maps format '%n' 2> /dev/null | grep -v '^name' || true)
    [[ $(wc -w <<< "$maps") -eq 1 ]] || return 1
    [[ $(multipathd show paths format '%m %t %T' 2> /dev/null | awk -v m="$maps" \
        '$1 == m && $2 == "active" && $3 == "ready" {n++} END {print n + 0}') -eq 2 ]] # columns are padded
}
paths_report() { # paths_report NAME: what multipathd sees, into $LAB_OUT/NAME
    { multipath -ll; multipathd show paths format '%m %d %t %o %T %p'; } > "$LAB_OUT/$1" 2>&1 || true
}
deadline=$((SECONDS + 240))
until two_paths_up; do
    ((SECONDS < deadline)) || { paths_report multipath-ll.txt; lab_fail "multipathd did not make one map of both" \
        "paths within 240 s (multipath-ll.txt)"; }
    sleep 1
done
map=$(multipathd show maps format '%n' | grep -v '^name')
multipath -ll > "$LAB_OUT/multipath-ll.before.txt" 2>&1
cat "$LAB_OUT/multipath-ll.before.txt" >&2
grep -q "hwhandler='1 alua'" "$LAB_OUT/multipath-ll.before.txt" || lab_fail "the map has no ALUA hardware handler"
dev=/dev/mapper/$map
lab_wait_for 20 "$dev" test -b "$dev"
phase "paths"

# stat_of DISK FIELD: reads (1) or writes (5) completed on a block device, from /sys/block/X/stat.
stat_of() { awk -v f="$2" '{print $f}' "/sys/block/${1#/dev/}/stat"; }
dm=$(basename "$(readlink -f "$dev")")
fio_job=(--name=failover --filename="$dev" --direct=1 --ioengine=libaio --iodepth=4 --rw=randwrite --bs=16k
    --size=16M --verify=crc32c --verify_fatal=1 --randrepeat=1)
fio "${fio_job[@]}" --do_verify=1 --output="$LAB_OUT/fio.txt" > /dev/null 2> "$LAB_OUT/fio.err" &
fio_pid=$!
written() { [[ $(stat_of "/dev/$dm" 5) -ge $1 ]]; }
lab_wait_for 300 "fio's first 200 writes through $map" written 200
before2=$(stat_of "$disk2" 5)
kill -KILL -- "-$node1"
wait "$node1" 2> /dev/null || true
killed_at=$SECONDS
lab_log "killed node 1 (kill -9) after $(stat_of "/dev/$dm" 5) writes through $map ($(stat_of "$disk1" 5) on $disk1," \
    "$before2 on $disk2)"
fio_status=0
wait "$fio_pid" || fio_status=$?
fio_secs=$((SECONDS - killed_at))
cat "$LAB_OUT/fio.txt" >&2
[[ $fio_status -eq 0 ]] || lab_fail "fio failed (status $fio_status) after node 1 was killed: $(tail -3 "$LAB_OUT/fio.err")"
grep -q 'err= 0' "$LAB_OUT/fio.txt" || lab_fail "fio reports errors (fio.txt)"
after2=$(stat_of "$disk2" 5)
((after2 > before2)) || lab_fail "no write went over $disk2 (node 2) after node 1 was killed"
multipath -ll > "$LAB_OUT/multipath-ll.failed.txt" 2>&1 || true
sg_rtpg --decode "$disk2" > "$LAB_OUT/rtpg.survivor.txt" 2>&1 || lab_fail "RTPG through node 2 failed"
grep -qi 'active/optimized' "$LAB_OUT/rtpg.survivor.txt" || lab_fail "node 2 does not report active/optimized"
lab_log "fio wrote 16 MiB and verified it; $((after2 - before2)) writes went to node 2 after the kill;" \
    "fio ended ${fio_secs}s after it"
phase "failover"

# The killed node comes back: iscsid logs in again by itself, multipathd reinstates the path.
lab_start_lunforged "$work/node1.json" --port 127.0.0.1:3260 --log node1-restarted --timeout 400
node1=$LAB_LUNFORGED_PID
deadline=$((SECONDS + 300))
until two_paths_up; do
    ((SECONDS < deadline)) || { paths_report multipath-ll.rejoin.txt; lab_fail "node 1's path did not rejoin the" \
        "map within 300 s (multipath-ll.rejoin.txt)"; }
    sleep 1
done
multipath -ll > "$LAB_OUT/multipath-ll.rejoined.txt" 2>&1
reads1=$(stat_of "$disk1" 1)
fio "${fio_job[@]}" --verify_only --output="$LAB_OUT/fio-verify.txt" > /dev/null 2> "$LAB_OUT/fio-verify.err" \
    || lab_fail "the verify pass after node 1 rejoined failed: $(tail -3 "$LAB_OUT/fio-verify.err")"
grep -q 'err= 0' "$LAB_OUT/fio-verify.txt" || lab_fail "the verify pass reports errors (fio-verify.txt)"
((  $(stat_of "$disk1" 1) > reads1 )) || lab_fail "no read went over $disk1 (the restarted node 1)"
phase "rejoin"
# A clean stop of node 2 lets its JVM write the class archive later scenarios start from (kill -9 never does).
LAB_LUNFORGED_PID=$node2
lab_stop_lunforged || true
lab_log "times: ${timings[*]}"
lab_result PASS "rbd/lun0 on an in-guest Ceph (memstore, no mgr): TCMU+tcm_loop $disk: O_DIRECT round trips, ext4 fsck\
 clean; two nodes one LU (NAA $naa1, rel. ports 1/2 in TPGs 1/2, active/active), kill -9 of node 1 under fio verify:\
 no error, $((after2 - before2)) writes via node 2 after the kill, 16 MiB verified; node 1 rejoined and served\
 verify reads; ${timings[*]}"
