#!/bin/bash
# lab-timeout: 180
# lab-all: no (the lab's own first check, to run by name on a new machine; every scenario in `all` needs and checks what it checks)
# smoke: the lab itself works. configfs is mounted and the target, fabric and tape/changer
# modules are loaded; the host's JDK 25 runs in the guest (and how long it takes to start,
# cold off 9p and warm); a TCMU user backstore can be created, its /dev/uioN appears with
# the name lunforge's tcmu-bridge will look for, and it can be removed again. The TCMU
# device is not exported through tcm_loop: no daemon serves it, so commands would only
# time out. The tcm_loop path is checked with a LIO fileio backstore instead.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

mountpoint -q /sys/kernel/config || lab_fail "configfs is not mounted on /sys/kernel/config"
lab_require_modules configfs target_core_mod target_core_user target_core_file tcm_loop \
    iscsi_target_mod iscsi_tcp sd_mod sg st ch dm_multipath uio
lab_log "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo)"

# JVM start-up: the first run reads the JDK off the host over 9p, later ones hit the
# guest's page cache. Tests that start lunforged should budget for the cold figure.
java="$LAB_JAVA_HOME/bin/java"
[[ -x "$java" ]] || lab_fail "no JDK at $LAB_JAVA_HOME (the lab expects Temurin 25 on the host)"
java_secs() {
    local t0 t1
    t0=$(date +%s%N)
    "$java" -version > "$LAB_OUT/java-version.txt" 2>&1 || lab_fail "java -version failed: $(cat "$LAB_OUT/java-version.txt")"
    t1=$(date +%s%N)
    awk -v ns="$((t1 - t0))" 'BEGIN {printf "%.2f", ns / 1e9}'
}
cold=$(java_secs)
warm=$(java_secs)
lab_log "java -version: $(head -n 1 "$LAB_OUT/java-version.txt"); cold ${cold}s, warm ${warm}s"

# A TCMU user backstore and its uio device.
lab_configfs_init
config="lunforge/smoke-test"
uio=$(lab_tcmu_create smoke0 "$config" 16777216 512 attrib.tmr_notification=1 attrib.cmd_time_out=10)
sys="/sys/class/uio/${uio#/dev/}"
name=$(cat "$sys/name")
map0=$(cat "$sys/maps/map0/size")
lab_log "user_1/smoke0 -> $uio, name '$name', map0 size $map0 ($((map0)) bytes)"
[[ "$name" == "tcm-user/1/smoke0/$config" ]] || lab_fail "uio name is '$name', expected 'tcm-user/1/smoke0/$config'"
[[ "$(cat "$LAB_CONFIGFS/core/user_1/smoke0/attrib/tmr_notification")" == 1 ]] || lab_fail "tmr_notification did not stick"
cat "$LAB_CONFIGFS/core/user_1/smoke0/info" >&2

lab_tcmu_remove smoke0
lab_wait_for 10 "$uio to go away" test ! -e "$sys"
lab_log "user_1/smoke0 removed, $uio gone"

# tcm_loop: a backstore becomes a local SCSI disk, found through sysfs, that moves data.
lab_fileio_create loop0 /tmp/loop0.img 16777216
hctl=$(lab_loop_export fileio_0/loop0)
disk=$(lab_scsi_dev "$hctl" disk)
sg=$(lab_scsi_dev "$hctl" sg)
lab_log "fileio_0/loop0 via tcm_loop -> $hctl $disk $sg"
lsscsi -g >&2 || true
head -c 65536 /dev/urandom > /tmp/pattern
dd if=/tmp/pattern of="$disk" bs=64k count=1 oflag=direct status=none
cmp -n 65536 /tmp/pattern /tmp/loop0.img || lab_fail "data written to $disk is not in the fileio file"
lab_loop_unexport fileio_0/loop0
lab_wait_for 10 "$disk to go away" test ! -e "$disk"

{
    echo "kernel $(uname -r)"
    echo "java_version $(head -n 1 "$LAB_OUT/java-version.txt")"
    echo "java_start_cold_s $cold"
    echo "java_start_warm_s $warm"
    echo "uio_name $name"
    echo "uio_map0_size $((map0))"
} > "$LAB_OUT/facts.txt"

lab_result PASS "java -version ${cold}s cold, ${warm}s warm; $uio named $name; tcm_loop gave $disk and $sg"
