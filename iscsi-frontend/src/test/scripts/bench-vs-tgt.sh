#!/bin/bash
# Alternates lunforge's test target and tgtd (ANCHORS.md set-up) on the same iscsi-perf workloads, in the same
# run, and prints IOPS, MiB/s, the target's CPU (% of one core) and its CPU time per I/O, plus a loopback iperf3
# figure for the sequential goal. The machine is shared: compare the two in the same round, never across runs.
# Usage: bench-vs-tgt.sh [ROUNDS] [SECONDS]       (WARM=<s> sets the JIT warm-up)
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${1:-3}; SECS=${2:-8}
LF_PORT=3291; TGT_PORT=3290; CTL=17
IQN_LF=iqn.2026-11.org.lunforge:test
IQN_TGT=iqn.2026-11.org.lunforge:bench-tgt
IMG=/dev/shm/lunforge-bench-tgt.img
[ -f $IMG ] || dd if=/dev/zero of=$IMG bs=1M count=1024 status=none
tgtd -f -C $CTL --iscsi portal=127.0.0.1:$TGT_PORT >/tmp/lunforge-bench-tgtd.log 2>&1 &
TGT_PID=$!
sleep 1
tgtadm -C $CTL --lld iscsi --op new --mode target --tid 1 -T $IQN_TGT
tgtadm -C $CTL --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr --backing-store $IMG
tgtadm -C $CTL --lld iscsi --op bind --mode target --tid 1 -I ALL
"$HERE/run-test-target.sh" -Dport=$LF_PORT -Dsize=1024 >/tmp/lunforge-bench.log 2>&1 &
LF_PID=$!
for i in $(seq 60); do grep -q serving /tmp/lunforge-bench.log && break; sleep 1; done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
run() { # name pid url iscsi-perf-args
  local name=$1 pid=$2 url=$3; shift 3
  local c0=$(cpu $pid)
  local out=$(timeout $((SECS+20)) iscsi-perf "$@" -t $SECS $url 2>&1 | tr '\r' '\n' | grep 'iops average' | tail -1)
  local c1=$(cpu $pid) tck=$(getconf CLK_TCK)
  local iops=$(echo "$out" | sed -E 's/.*iops average ([0-9]+).*/\1/')
  local mbs=$(echo "$out" | sed -E 's/.*\(([0-9]+) MB\/s\).*/\1/')
  awk -v n="$name" -v w="$*" -v i="$iops" -v m="$mbs" -v t=$((c1-c0)) -v hz=$tck -v s=$SECS 'BEGIN{
      printf "%-9s %-15s iops %7d  MiB/s %6d  cpu %4.0f%%  cpu-us/io %6.1f\n", n, w, i, m, 100*t/hz/s,
             (i > 0 ? t*1e6/hz/(i*s) : 0) }'
}
for w in "-r -m 32 -b 8:${WARM:-30}" "-m 8 -b 512:10" "-m 8 -b 2048:6" "-r -m 1 -b 8:5"; do
  timeout 60 iscsi-perf ${w%:*} -t ${w#*:} iscsi://127.0.0.1:$LF_PORT/$IQN_LF/0 >/dev/null 2>&1
done
timeout 20 iscsi-perf -m 8 -b 512 -t 4 iscsi://127.0.0.1:$TGT_PORT/$IQN_TGT/1 >/dev/null 2>&1
for r in $(seq $ROUNDS); do
  echo "--- round $r  (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for w in "-r -m 1 -b 8" "-r -m 32 -b 8" "-m 8 -b 512" "-m 8 -b 2048"; do
    run lunforge $LF_PID iscsi://127.0.0.1:$LF_PORT/$IQN_LF/0 $w
    run tgt $TGT_PID iscsi://127.0.0.1:$TGT_PORT/$IQN_TGT/1 $w
  done
  if command -v iperf3 >/dev/null; then
    iperf3 -s -1 -p 5299 >/dev/null 2>&1 & IP=$!; sleep 0.5
    iperf3 -c 127.0.0.1 -p 5299 -t 5 -f m 2>&1 | awk '/receiver/ {printf "iperf3    loopback, 1 stream       %s Mbit/s = %.0f MiB/s\n", $7, $7*1e6/8/1048576}'
    wait $IP
  fi
done
tgtadm -C $CTL --lld iscsi --op delete --force --mode target --tid 1
tgtadm -C $CTL --op delete --mode system
kill $LF_PID; wait $LF_PID 2>/dev/null; wait $TGT_PID 2>/dev/null
