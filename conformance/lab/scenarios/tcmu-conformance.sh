#!/bin/bash
# lab-timeout: 2400
# tcmu-conformance: libiscsi's `iscsi-test-cu --dataloss --test=ALL` against lunforge's disk through LIO's iSCSI
# fabric and TCMU (lunforged in the guest, both the TCMU device and the LIO target made from its configuration). On
# the TCMU path the kernel still answers REPORT LUNS, persistent reservations and RESERVE/RELEASE (pgr_support=1) and
# speaks iSCSI; lunforge answers everything else.
# The peer's column (LIO's own fileio backstore through the same fabric) comes from the committed
# baselines/lio-fileio.iscsi-test-cu.tsv, which the `lio-fileio` scenario makes and checks against the running
# kernel: the verdict below never depends on it, and running the peer again in every CI run doubled this scenario's
# time (about 440 s under TCG) for a column that does not change. LAB_PARAM_LIO_LIVE=1 runs the peer here again.
# PASS when every test passes on lunforge except those baselines/tcmu-lunforge.iscsi-test-cu.tsv lists (verdict and
# reason: LIO's iSCSI fabric, the TCMU path, options the run does not give), none of which ends worse than listed;
# a test that passes on LIO fileio and not on lunforge must be listed there with its reason. The counts of both
# runs go into the verdict. Then fault injection on the kernel's target port: taken down by the shell, LIO refuses
# the login and the metrics endpoint says it is down; up again, INQUIRY is answered and the metrics say up. Outputs: lio-fileio.tsv, lunforge-tcmu.tsv (per test), comparison.tsv.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_user target_core_file iscsi_target_mod
lab_configfs_init
expectations="$LAB_DIR/baselines/tcmu-lunforge.iscsi-test-cu.tsv"
[[ -r "$expectations" ]] || lab_fail "no expectations file $expectations"

# 1. The peer: LIO fileio, 256 MiB in guest RAM, on 127.0.0.1:3260 (run live only when asked, see above).
if [[ "${LAB_PARAM_LIO_LIVE:-0}" == 1 ]]; then
    lio_iqn=iqn.2003-01.org.lunforge.lab:lio-fileio
    lab_fileio_create disk0 /tmp/lio-disk0.img 268435456
    lab_iscsi_target "$lio_iqn" 127.0.0.1:3260
    lab_iscsi_lun "$lio_iqn" 0 fileio_0/disk0
    lio=$(lab_test_cu lio-fileio "iscsi://127.0.0.1/$lio_iqn/0" --dataloss --test=ALL) \
        || lab_fail "iscsi-test-cu did not run to completion against LIO fileio ($lio)"
    lab_log "LIO fileio: $lio"
    lio_source="LIO fileio (run here)"
else
    [[ -r "$LAB_DIR/baselines/lio-fileio.iscsi-test-cu.tsv" ]] || lab_fail "no baselines/lio-fileio.iscsi-test-cu.tsv"
    cp "$LAB_DIR/baselines/lio-fileio.iscsi-test-cu.tsv" "$LAB_OUT/lio-fileio.tsv"
    lio_source="LIO fileio (committed baseline)"
fi

# 2. lunforge: a 256 MiB memory disk served through TCMU, exported by LIO's iSCSI fabric on 127.0.0.1:3261.
work=/tmp/tcmu-conformance
mkdir -p "$work"
lf_iqn=iqn.2003-01.org.lunforge.lab:tcmu
cat > "$work/config.json" << EOF
{ "state_dir": "$work/state", "metrics": { "listen": "127.0.0.1:9573" },
  "backstores": [ { "name": "disk0", "memory": { "size": 268435456 } } ],
  "tcmu_devices": [ { "name": "disk0", "object": "/backstores/memory/disk0",
                      "attributes": { "cmd_time_out": "30" } } ],
  "lio_iscsi_targets": [ { "iqn": "$lf_iqn", "portals": ["127.0.0.1:3261"], "generate_node_acls": true,
                           "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] } ] }
EOF
cp "$work/config.json" "$LAB_OUT/config.json"
lab_start_lunforged "$work/config.json" --uio disk0 --port 3261 --timeout 300
lf=$(lab_test_cu lunforge-tcmu "iscsi://127.0.0.1:3261/$lf_iqn/0" --dataloss --test=ALL) \
    || lab_fail "iscsi-test-cu did not run to completion against lunforge via TCMU ($lf)"
lab_log "lunforge via TCMU: $lf"

# 2b. Fault injection on the kernel's target port: `lunforge faults port IQN 1 down` disables LIO's portal group, so
# a login through it is refused; `up` enables it again and the LUN answers INQUIRY. The shell lists it as down, and
# the metrics endpoint (on for this daemon) shows lunforge_port_down 1, then 0.
lab_require_commands iscsi-inq
lf_shell() {
    "$LAB_JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -cp "$LUNFORGE_HOME/server/target/lunforge-server.jar" org.lunforge.server.shell.Lunforge "$@" \
        >> "$LAB_OUT/shell.txt" 2>&1 || lab_fail "lunforge $* failed: $(tail -n 3 "$LAB_OUT/shell.txt")"
}
lun_url="iscsi://127.0.0.1:3261/$lf_iqn/0"
iscsi-inq "$lun_url" > /dev/null 2>&1 || lab_fail "no INQUIRY through LIO's port before it was taken down"
lf_shell faults port "$lf_iqn" 1 down
[[ $(cat "/sys/kernel/config/target/iscsi/$lf_iqn/tpgt_1/enable") == 0 ]] || lab_fail "the portal group is enabled"
lf_shell faults
grep -q "^$lf_iqn tpg1: DOWN, taken down 1 time" "$LAB_OUT/shell.txt" || lab_fail "the shell does not list the port down"
port_metric="{target_port=\"$lf_iqn,t,0x0001\"}"
curl -sf http://127.0.0.1:9573/metrics > "$LAB_OUT/metrics-down.txt" || lab_fail "no metrics at 127.0.0.1:9573"
grep -qF "lunforge_port_down$port_metric 1.0" "$LAB_OUT/metrics-down.txt" \
    || lab_fail "the metrics do not show the port down: $(grep lunforge_port_ "$LAB_OUT/metrics-down.txt")"
grep -qF "lunforge_port_taken_down_total$port_metric 1.0" "$LAB_OUT/metrics-down.txt" \
    || lab_fail "the metrics do not count the port taken down: $(grep lunforge_port_ "$LAB_OUT/metrics-down.txt")"
if iscsi-inq "$lun_url" > "$LAB_OUT/inq-down.txt" 2>&1; then
    lab_fail "a login through the port taken down succeeded"
fi
lab_log "port down: the login is refused ($(head -n 1 "$LAB_OUT/inq-down.txt"))"
lf_shell faults port "$lf_iqn" 1 up
iscsi-inq "$lun_url" > "$LAB_OUT/inq-up.txt" 2>&1 || lab_fail "no INQUIRY after the port came up: $(cat "$LAB_OUT/inq-up.txt")"
grep -qi "vendor" "$LAB_OUT/inq-up.txt" || lab_fail "INQUIRY after up: $(cat "$LAB_OUT/inq-up.txt")"
curl -sf http://127.0.0.1:9573/metrics > "$LAB_OUT/metrics-up.txt" || lab_fail "no metrics at 127.0.0.1:9573"
grep -qF "lunforge_port_down$port_metric 0.0" "$LAB_OUT/metrics-up.txt" \
    || lab_fail "the metrics do not show the port up: $(grep lunforge_port_ "$LAB_OUT/metrics-up.txt")"
lab_log "port up: INQUIRY answered again, lunforge_port_down 0"
lab_stop_lunforged || true

# 3. Judge. comparison.tsv: test, LIO verdict, lunforge verdict, listed verdict or "-", judgement:
#   listed     lunforge's verdict is the one the expectations file lists (with the reason)
#   improved   a listed test now passes (remove it from the file)
#   ok         passes, not listed
#   REGRESSION a listed test ends worse than listed; or an unlisted test does not pass (this covers every test that
#              passes on LIO fileio: it must pass on lunforge unless the file lists it with the reason)
judge() {
    awk -F'\t' -v OFS='\t' '
        FILENAME == ARGV[1] { if ($0 !~ /^#/ && NF >= 2) listed[$1] = $2; next }
        FILENAME == ARGV[2] { lio[$1] = $2; next }
        {
            t = $1; lf = $2; l = (t in lio) ? lio[t] : "-"; k = (t in listed) ? listed[t] : "-"
            if (k != "-") j = (lf == k) ? "listed" : (lf == "PASS" ? "improved" : "REGRESSION")
            else j = (lf == "PASS") ? "ok" : "REGRESSION"
            print t, l, lf, k, j
        }
    ' "$@"
}
judge "$expectations" "$LAB_OUT/lio-fileio.tsv" "$LAB_OUT/lunforge-tcmu.tsv" > "$LAB_OUT/comparison.tsv"

count() { awk -F'\t' -v c="$1" -v v="$2" '$c == v {n++} END {print n + 0}' "$LAB_OUT/comparison.tsv"; }
lio_pass=$(count 2 PASS)
lf_pass=$(count 3 PASS)
lf_fail=$(count 3 FAIL)
lf_skip=$(count 3 SKIP)
lio_fail=$(count 2 FAIL)
lio_skip=$(count 2 SKIP)
regressions=$(count 5 REGRESSION)
improved=$(count 5 improved)
lab_log "$lio_source: $lio_pass pass, $lio_fail fail, $lio_skip skip; lunforge via TCMU: $lf_pass pass, $lf_fail fail, $lf_skip skip"
if [[ $improved -gt 0 ]]; then
    lab_log "listed tests that pass now (remove them from $(basename "$expectations")):"
    awk -F'\t' '$5 == "improved"' "$LAB_OUT/comparison.tsv" >&2
fi
summary="$lio_source $lio_pass/$lio_fail/$lio_skip, lunforge via TCMU $lf_pass/$lf_fail/$lf_skip (pass/fail/skip of $(wc -l < "$LAB_OUT/comparison.tsv")); every test that does not pass on lunforge is listed with its reason; $improved listed tests now pass"
if [[ $regressions -gt 0 ]]; then
    lab_log "tests that do not pass on lunforge and are not listed, or end worse than listed:"
    awk -F'\t' '$5 == "REGRESSION"' "$LAB_OUT/comparison.tsv" >&2
    lab_fail "$regressions tests regressed (not passing on lunforge and not listed, or worse than listed): $(awk -F'\t' '$5 == "REGRESSION" {printf "%s%s", s, $1; s=", "}' "$LAB_OUT/comparison.tsv"); $summary"
fi
lab_result PASS "$summary"
