#!/bin/bash
# lab-timeout: 2100
# tcmu-conformance: libiscsi's `iscsi-test-cu --dataloss --test=ALL`, in one guest, first against LIO's own
# fileio backstore through LIO's iSCSI fabric (the peer), then against lunforge's disk through LIO's iSCSI fabric
# and TCMU (lunforged in the guest, both the TCMU device and the LIO target made from its configuration). On the
# TCMU path the kernel still answers REPORT LUNS, persistent reservations and RESERVE/RELEASE (pgr_support=1) and
# speaks iSCSI; lunforge answers everything else.
# PASS when every test that passes on LIO fileio passes on lunforge too, and every test that fails on lunforge is
# one that baselines/tcmu-lunforge.iscsi-test-cu.tsv lists as the kernel's (with the reason). Tests listed there
# are judged by the kernel, not by lunforge: any outcome is accepted and a difference from the listed one is
# reported as drift. Outputs: lio-fileio.tsv, lunforge-tcmu.tsv (per test), comparison.tsv.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_user target_core_file iscsi_target_mod
lab_configfs_init
expectations="$LAB_DIR/baselines/tcmu-lunforge.iscsi-test-cu.tsv"
[[ -r "$expectations" ]] || lab_fail "no expectations file $expectations"

# 1. The peer: LIO fileio, 256 MiB in guest RAM, on 127.0.0.1:3260.
lio_iqn=iqn.2003-01.org.lunforge.lab:lio-fileio
lab_fileio_create disk0 /tmp/lio-disk0.img 268435456
lab_iscsi_target "$lio_iqn" 127.0.0.1:3260
lab_iscsi_lun "$lio_iqn" 0 fileio_0/disk0
lio=$(lab_test_cu lio-fileio "iscsi://127.0.0.1/$lio_iqn/0" --dataloss --test=ALL) \
    || lab_fail "iscsi-test-cu did not run to completion against LIO fileio ($lio)"
lab_log "LIO fileio: $lio"

# 2. lunforge: a 256 MiB memory disk served through TCMU, exported by LIO's iSCSI fabric on 127.0.0.1:3261.
work=/tmp/tcmu-conformance
mkdir -p "$work"
lf_iqn=iqn.2003-01.org.lunforge.lab:tcmu
cat > "$work/config.json" << EOF
{ "state_dir": "$work/state",
  "backstores": [ { "name": "disk0", "memory": { "size": 268435456 } } ],
  "tcmu_devices": [ { "name": "disk0", "object": "/backstores/memory/disk0",
                      "attributes": { "cmd_time_out": "30" } } ],
  "lio_iscsi_targets": [ { "iqn": "$lf_iqn", "portals": ["127.0.0.1:3261"], "generate_node_acls": true,
                           "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] } ] }
EOF
cp "$work/config.json" "$LAB_OUT/config.json"
lab_start_lunforged "$work/config.json" --uio disk0 --port 3261 --timeout 400
lf=$(lab_test_cu lunforge-tcmu "iscsi://127.0.0.1:3261/$lf_iqn/0" --dataloss --test=ALL) \
    || lab_fail "iscsi-test-cu did not run to completion against lunforge via TCMU ($lf)"
lab_log "lunforge via TCMU: $lf"
lab_stop_lunforged || true

# 3. Judge. comparison.tsv: test, LIO verdict, lunforge verdict, expected (kernel's) verdict or "-", judgement.
awk -F'\t' -v OFS='\t' '
    FILENAME == ARGV[1] { if ($0 !~ /^#/ && NF >= 2) { kernel[$1] = $2; why[$1] = $3 } next }
    FILENAME == ARGV[2] { lio[$1] = $2; next }
    {
        t = $1; lf = $2; l = (t in lio) ? lio[t] : "-"; k = (t in kernel) ? kernel[t] : "-"
        if (k != "-") j = (lf == k) ? "kernel" : "drift"
        else if (lf == "FAIL") j = "REGRESSION"
        else if (l == "PASS" && lf != "PASS") j = "REGRESSION"
        else j = "ok"
        print t, l, lf, k, j
    }
' "$expectations" "$LAB_OUT/lio-fileio.tsv" "$LAB_OUT/lunforge-tcmu.tsv" > "$LAB_OUT/comparison.tsv"

count() { awk -F'\t' -v c="$1" -v v="$2" '$c == v {n++} END {print n + 0}' "$LAB_OUT/comparison.tsv"; }
lio_pass=$(count 2 PASS)
lf_pass=$(count 3 PASS)
lf_fail=$(count 3 FAIL)
lf_skip=$(count 3 SKIP)
lio_fail=$(count 2 FAIL)
lio_skip=$(count 2 SKIP)
regressions=$(count 5 REGRESSION)
drift=$(count 5 drift)
lab_log "LIO fileio: $lio_pass pass, $lio_fail fail, $lio_skip skip; lunforge via TCMU: $lf_pass pass, $lf_fail fail, $lf_skip skip"
if [[ $drift -gt 0 ]]; then
    lab_log "kernel-judged tests whose outcome differs from the expectations file (not a failure):"
    awk -F'\t' '$5 == "drift"' "$LAB_OUT/comparison.tsv" >&2
fi
summary="LIO fileio $lio_pass/$lio_fail/$lio_skip, lunforge via TCMU $lf_pass/$lf_fail/$lf_skip (pass/fail/skip); $lf_fail failures, all the kernel's as listed; $drift drifted"
if [[ $regressions -gt 0 ]]; then
    lab_log "tests lunforge fails or does not pass where LIO fileio passes, not listed as the kernel's:"
    awk -F'\t' '$5 == "REGRESSION"' "$LAB_OUT/comparison.tsv" >&2
    lab_fail "$regressions tests worse on lunforge than on LIO fileio: $(awk -F'\t' '$5 == "REGRESSION" {printf "%s%s", s, $1; s=", "}' "$LAB_OUT/comparison.tsv"); $summary"
fi
lab_result PASS "$summary"
