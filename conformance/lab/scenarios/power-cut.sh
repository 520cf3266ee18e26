#!/bin/bash
# lab-timeout: 1200
# power-cut: crash consistency beyond kill -9, with the kernel's own write logger. An ext4 file system on dm-log-writes
# (over two loop devices: data and log) holds lunforged's file backstore, its cartridge pool and its state; lunforged
# serves the disk and a tape library over its iSCSI target to the guest's open-iscsi. A writer drives the disk through
# SG_IO and a drive through st: WRITE(10) with FUA, WRITE(10)s then SYNCHRONIZE CACHE, tape blocks then a synchronous
# filemark (WRITE FILEMARKS, IMMED 0), and after each acknowledgement puts a mark in the log; lunforged then stops
# cleanly. The log is replayed onto a fresh image and stopped at every mark, flush and FUA entry after mkfs: each
# stop is a power cut the device could have suffered. At each, the kernel mounts the copy (recovering the journal),
# e2fsck -fn finds it clean, and lunforge's own store code (org.lunforge.conformance.PowerCutCheck) opens the backstore
# and loads every cartridge: every write and filemark acknowledged as durable before the point is there, nothing issued
# after it is, and each cartridge is a prefix of what was written to it. The replay of the whole log must equal the
# data device byte for byte (the replayer's own check). LAB_PARAM_POWER_CUT_ROUNDS (default 3) sets the writer's
# rounds (three acknowledged steps each).
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_modules dm_log_writes loop iscsi_tcp sd_mod st ch sg
lab_require_commands dmsetup losetup blockdev mkfs.ext4 e2fsck python3 mtx mt
rounds=${LAB_PARAM_POWER_CUT_ROUNDS:-3}
work=/tmp/power-cut
mnt=/mnt/power-cut
dm=power-cut
disk_size=4194304
mkdir -p "$work" "$mnt"

# --- the logged file system -------------------------------------------------------------------
# Both devices are files in guest RAM; the data device starts as zeros, which is what the replay starts from.
truncate -s 64M "$work/data.img"
truncate -s 512M "$work/log.img"
data_dev=$(losetup -f --show "$work/data.img")
log_dev=$(losetup -f --show "$work/log.img")
echo "0 $(blockdev --getsz "$data_dev") log-writes $data_dev $log_dev" | dmsetup create --noudevsync "$dm"
[[ -b /dev/mapper/$dm ]] || dmsetup mknodes "$dm"
# No discards (nothing to replay as zeros), nothing left for ext4's lazy init thread to write in the background, and
# few inodes: every power cut copies, recovers and e2fscks this file system, so the smaller the faster.
mkfs.ext4 -q -F -b 4096 -N 256 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "/dev/mapper/$dm"
dmsetup message "$dm" 0 mark mkfs
mount -t ext4 "/dev/mapper/$dm" "$mnt"
lab_log "ext4 on dm-log-writes ($data_dev logged to $log_dev) mounted on $mnt"

# --- lunforged: the library of tape-lib and a file-backed disk as LUN 3, all on the logged file system ----
tape_write_config "$work/config.json" "$mnt/lab" 8388608 2
python3 - "$work/config.json" "$mnt/lab/disk0.img" "$disk_size" << 'PY'
import json, sys
path, disk, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(path))
c["backstores"] = [{"name": "disk0", "fileio": {"path": disk, "size": size}}]
c["iscsi_targets"][0]["portal_groups"][0]["luns"].append({"lun": 3, "object": "/backstores/fileio/disk0"})
json.dump(c, open(path, "w"), indent=2)
PY
cp "$work/config.json" "$LAB_OUT/config.json"
tape_start_lunforged "$work/config.json"
tape_login
four_luns() { [[ $(lab_iscsi_session_luns "$TAPE_IQN" "$TAPE_PORTAL" | wc -l) -ge 4 ]]; }
lab_wait_for 30 "four LUNs in the session" four_luns
disk_hctl=$(lab_iscsi_session_luns "$TAPE_IQN" "$TAPE_PORTAL" | grep ':3$')
disk_sg=$(lab_scsi_dev "$disk_hctl" sg)
tape_mtx load 1 0
tape_mt "$TAPE_NST0" setblk 0
dmsetup message "$dm" 0 mark pc:001:ready
lab_log "disk $disk_hctl ($disk_sg), LAB001L8 in drive0 ($TAPE_NST0); mark pc:001:ready"

# --- the writes, each acknowledged one followed by a mark ---------------------------------------
last=$(python3 "$LAB_DIR/guest/power_cut_writer.py" "$dm" "$disk_sg" "$TAPE_NST0" LAB001L8 2 "$rounds" \
    "$work/expectations.txt")
# SIGTERM: the daemon closes its stores, which syncs them; what it had not synced yet is durable from here on.
stop_status=0
lab_stop_lunforged || stop_status=$?
dmsetup message "$dm" 0 mark "pc:$(printf %03d "$last"):stopped"
lab_log "lunforged exited with status $stop_status after SIGTERM"
cp "$work/expectations.txt" "$LAB_OUT/expectations.txt"
umount "$mnt"
# Removing the target logs what it still held and a last mark, and brings the log's super up to date.
dmsetup remove --noudevsync "$dm"
losetup -d "$data_dev" "$log_dev"
python3 "$LAB_DIR/guest/log_writes.py" list "$work/log.img" > "$LAB_OUT/log.txt"
lab_log "lunforged stopped after $((last - 2)) acknowledged steps; the log: $(head -1 "$LAB_OUT/log.txt")"

# --- the power cuts: replay to each mark, flush and FUA entry after mkfs; mount, copy lunforged's folder, e2fsck -----
truncate -s "$(stat -c %s "$work/data.img")" "$work/replay.img"
replay_started=$SECONDS
status=0
python3 "$LAB_DIR/guest/power_cut_points.py" "$work/log.img" "$work/replay.img" "$work" /lab "$work/points" \
    > "$LAB_OUT/fs-failures.txt" || status=$?
((status != 2)) || lab_fail "power_cut_points.py could not replay the log"
points=("$work"/points/*)
lab_log "replayed the log to ${#points[@]} power cuts in $((SECONDS - replay_started))s"
cmp "$work/replay.img" "$work/data.img" > /dev/null \
    || lab_fail "the replay of the whole log differs from the data device: the replayer is wrong"
((status == 0)) || lab_fail "$(wc -l < "$LAB_OUT/fs-failures.txt") power cuts left a broken file system, first:" \
    "$(head -1 "$LAB_OUT/fs-failures.txt")"

# --- lunforge's own store code on every point ---------------------------------------------------
"$LAB_JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \
    -cp "$LUNFORGE_HOME/conformance/target/classes:$LUNFORGE_HOME/server/target/lunforge-server.jar" \
    org.lunforge.conformance.PowerCutCheck "$work/expectations.txt" "disk0.img:$disk_size" pool LAB001L8,LAB002L8 \
    "${points[@]}" > "$LAB_OUT/check.txt" 2> "$LAB_OUT/check.err" || true
summary=$(tail -1 "$LAB_OUT/check.txt")
[[ "$summary" =~ ^([0-9]+)\ points,\ 0\ failed$ ]] \
    || lab_fail "PowerCutCheck: ${summary:-no summary, see check.err}; first: $(grep -m1 '^FAIL' "$LAB_OUT/check.txt" || true)"
marks=$(grep -c ' mark ' "$LAB_OUT/log.txt" || true)
lab_result PASS "$((last - 2)) acknowledged steps (FUA writes, SYNCHRONIZE CACHEs, synchronous filemarks) and a clean stop; the log replayed to ${#points[@]} points ($marks marks), each mounted, fsck-clean, its backstore and cartridges opened by lunforge with every acknowledged write there and nothing later; full replay equals the device"
