#!/bin/bash
# lab-timeout: 1500
# lab-all: no (a benchmark, run by conformance/bench/tcmu-vs-tcmu-runner, not a test)
# bench-tcmu-vs-tcmu-runner: lunforge's TCMU bridge and Debian's tcmu-runner serve equal disks in the same guest,
# each through tcm_loop: lunforged a fileio backstore over a 256 MiB file in /tmp (guest RAM), tcmu-runner its qcow
# handler (Debian's build has no file handler) over a fully preallocated qcow2 image of the same size in /tmp. The
# same fio jobs (O_DIRECT, libaio) run against both, after one unrecorded warm-up run of each job on each (lunforge's
# JIT compiles under emulation for minutes), alternating lunforge and tcmu-runner job by job and round by round so
# that both see the same machine; under TCG only the ratio means anything. lunforge-threads.txt: CPU per thread. Results: bench.tsv
# (label, job, round, IOPS, KiB/s, daemon CPU ticks), ratios.txt.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_user tcm_loop sd_mod
lab_require_commands fio tcmu-runner qemu-img
lab_configfs_init

seconds=${LAB_PARAM_SECONDS:-10}
rounds=${LAB_PARAM_ROUNDS:-3}
size=268435456
work=/tmp/bench
mkdir -p "$work"
C=$LAB_CONFIGFS

# lunforge's JVM: C1 only and the serial collector. On the guest's two emulated CPUs C2 compiles for minutes and its
# threads take more CPU than the ring thread (lunforge-threads.txt); measured on 2026-11-22, C1 only gave 0.98/1.56
# (4K random read/write) and 0.82/1.38 (1M read/write) against 0.87/0.91 and 2.53/0.86 with C2 and ParallelGC, both
# after a warm-up and both noisy. LAB_PARAM_JAVA_OPTS overrides.
export LAB_LUNFORGED_JAVA_OPTS="${LAB_PARAM_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms256m -Xmx256m}"
if lab__jvm_cache; then
    LAB_LUNFORGED_JAVA_OPTS+=" -XX:SharedArchiveFile=$LAB_JVM_CACHE/lunforged.jsa"
fi
lf_wwn=naa.5001405000000031
truncate -s $size "$work/lunforge.img"
dd if=/dev/zero of="$work/lunforge.img" bs=1M count=$((size >> 20)) conv=notrunc status=none  # pages exist
cat > "$work/config.json" << JSON
{ "state_dir": "$work/state",
  "backstores": [ { "name": "disk0", "fileio": { "path": "$work/lunforge.img", "size": $size } } ],
  "tcmu_devices": [ { "name": "disk0", "object": "/backstores/fileio/disk0" } ],
  "loopback_targets": [ { "wwn": "$lf_wwn", "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] } ] }
JSON
cp "$work/config.json" "$LAB_OUT/config.json"
lab_start_lunforged "$work/config.json" --uio disk0 --timeout 400
lf_hctl=$(lab_loop_hctl "$lf_wwn" 0)
lf_dev=$(lab_scsi_dev "$lf_hctl" disk)
lf_pid=$LAB_LUNFORGED_PID

# tcmu-runner: qcow handler, user_2/peer0, its own tcm_loop target.
qemu-img create -q -f qcow2 -o preallocation=full "$work/peer.qcow2" $size
tcmu-runner > "$LAB_OUT/tcmu-runner.log" 2>&1 &
runner_pid=$!
sleep 2
hw_max=$(cat $C/core/user_1/disk0/attrib/hw_max_sectors)
mkdir -p $C/core/user_2/peer0
echo "dev_config=qcow/$work/peer.qcow2" > $C/core/user_2/peer0/control
echo "dev_size=$size" > $C/core/user_2/peer0/control
echo "hw_max_sectors=$hw_max" > $C/core/user_2/peer0/control
echo 1 > $C/core/user_2/peer0/enable
peer_served() {
    local n
    for n in /sys/class/uio/uio*; do
        [[ "$(cat "$n/name" 2> /dev/null)" == tcm-user/2/peer0/* ]] && lab__uio_held "/dev/${n##*/}" && return 0
    done
    return 1
}
lab_wait_for 60 "tcmu-runner to open user_2/peer0" peer_served
peer_wwn=naa.5001405000000032
mkdir -p $C/loopback/$peer_wwn/tpgt_1/lun/lun_0
echo naa.5001405000000033 > $C/loopback/$peer_wwn/tpgt_1/nexus
ln -s $C/core/user_2/peer0 $C/loopback/$peer_wwn/tpgt_1/lun/lun_0/peer0
peer_hctl=$(lab_loop_hctl "$peer_wwn" 0)
peer_dev=$(lab_scsi_dev "$peer_hctl" disk)
lab_log "lunforge: $lf_dev (pid $lf_pid); tcmu-runner: $peer_dev (pid $runner_pid); hw_max_sectors $hw_max"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# fio_job LABEL DEVICE PID JOB ROUND: one fio run, a line in bench.tsv.
fio_job() {
    local label="$1" dev="$2" pid="$3" job="$4" round="$5" rw bs qd t0 t1
    read -r rw bs qd <<< "$job"
    t0=$(ticks "$pid")
    fio --name="$label" --filename="$dev" --rw="$rw" --bs="$bs" --iodepth="$qd" --ioengine=libaio --direct=1 \
        --time_based --runtime="$seconds" --ramp_time=2 --size=$size --randrepeat=0 \
        --output-format=terse --terse-version=3 > "$work/fio.out" 2> "$work/fio.err" \
        || lab_fail "fio $label $job: $(tail -2 "$work/fio.err")"
    t1=$(ticks "$pid")
    # terse v3: field 7 read KiB/s, 8 read IOPS; 48 write KiB/s, 49 write IOPS.
    awk -F';' -v OFS='\t' -v l="$label" -v j="$rw-$bs-qd$qd" -v r="$round" -v c=$((t1 - t0)) \
        '{print l, j, r, $8 + $49, $7 + $48, c}' "$work/fio.out" | tee -a "$LAB_OUT/bench.tsv" >&2
}

# threads PID FILE: CPU ticks per thread of PID, busiest first (which of lunforge's threads the CPU went to).
threads() {
    local t
    for t in /proc/"$1"/task/*; do
        awk '{ name = $0; sub(/^[^(]*\(/, "", name); sub(/\).*$/, "", name); n = split($0, f, ") ");
               split(f[n], g, " "); printf "%d\t%s\n", g[12] + g[13], name }' "$t/stat" 2> /dev/null
    done | sort -rn > "$2"
}

jobs=("randread 4k 16" "randwrite 4k 16" "read 1m 4" "write 1m 4")
printf 'daemon\tjob\tround\tIOPS\tKiB/s\tcpu_ticks\n' > "$LAB_OUT/bench.tsv"
# Warm-up, not recorded: a daemon runs for days, so its JIT-compiled code is what to measure. Both daemons get it.
for job in "${jobs[@]}"; do
    fio_job lunforge "$lf_dev" "$lf_pid" "$job" warm-up > /dev/null 2>&1
    fio_job tcmu-runner "$peer_dev" "$runner_pid" "$job" warm-up > /dev/null 2>&1
done
sed -i '/\twarm-up\t/d' "$LAB_OUT/bench.tsv"
threads "$lf_pid" "$LAB_OUT/lunforge-threads-warm-up.txt"
for ((round = 1; round <= rounds; round++)); do
    for job in "${jobs[@]}"; do
        # Alternate who goes first, so neither always runs on a warmer or a quieter machine.
        if ((round % 2)); then
            fio_job lunforge "$lf_dev" "$lf_pid" "$job" "$round"
            fio_job tcmu-runner "$peer_dev" "$runner_pid" "$job" "$round"
        else
            fio_job tcmu-runner "$peer_dev" "$runner_pid" "$job" "$round"
            fio_job lunforge "$lf_dev" "$lf_pid" "$job" "$round"
        fi
    done
done

threads "$lf_pid" "$LAB_OUT/lunforge-threads.txt"
lab_log "lunforge's busiest threads (CPU ticks since start): $(head -5 "$LAB_OUT/lunforge-threads.txt" | tr '\t\n' ' ;')"

# Ratios lunforge/tcmu-runner per job (IOPS summed over rounds), and for the two the issue names.
awk -F'\t' 'NR > 1 { s[$1 "\t" $2] += $4; c[$1 "\t" $2] += $6; jobs[$2] = 1 }
    END {
        for (j in jobs) {
            lf = s["lunforge\t" j]; tr = s["tcmu-runner\t" j]
            printf "%-16s lunforge %8.0f IOPS  tcmu-runner %8.0f IOPS  ratio %.2f  cpu ticks %d vs %d\n", j, lf, tr, \
                (tr > 0 ? lf / tr : 0), c["lunforge\t" j], c["tcmu-runner\t" j]
        }
    }' "$LAB_OUT/bench.tsv" | sort > "$LAB_OUT/ratios.txt"
cat "$LAB_OUT/ratios.txt" >&2
ratio() { awk -v j="$1" '$1 == j {print $(NF - 5)}' "$LAB_OUT/ratios.txt"; }
summary="lunforge/tcmu-runner: 4K random read $(ratio randread-4k-qd16), 4K random write $(ratio randwrite-4k-qd16), 1M sequential read $(ratio read-1m-qd4), 1M sequential write $(ratio write-1m-qd4)"

rm $C/loopback/$peer_wwn/tpgt_1/lun/lun_0/peer0
rmdir $C/loopback/$peer_wwn/tpgt_1/lun/lun_0
echo NULL > $C/loopback/$peer_wwn/tpgt_1/nexus 2> /dev/null || true
rmdir $C/loopback/$peer_wwn/tpgt_1 $C/loopback/$peer_wwn
rmdir $C/core/user_2/peer0
kill "$runner_pid" || true
lab_stop_lunforged || true
lab_result PASS "$summary"
