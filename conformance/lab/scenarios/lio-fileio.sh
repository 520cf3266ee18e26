#!/bin/bash
# lab-timeout: 900
# lab-all: no (a baseline tool: tcmu-conformance reads the committed baseline this makes, and CI has 90 minutes)
# lio-fileio: the baseline lunforge is compared against. LIO's own fileio backstore
# (256 MiB, in guest RAM) exported through LIO's iSCSI fabric on 127.0.0.1:3260, and
# libiscsi's `iscsi-test-cu --dataloss --test=ALL` run against it. The per-test verdicts
# land in iscsi-test-cu.tsv ("ALL.Suite.Test<TAB>PASS|FAIL|SKIP"; iscsi-test-cu.notes.tsv
# adds each test's first note). PASS means the suite ran to completion: this judges the
# harness, not LIO. Differences from the committed baseline are reported, not failed:
# baselines/lio-fileio.iscsi-test-cu.tsv is this scenario's TSV from a clean run; when
# Debian's kernel or libiscsi moves, refresh it by copying the new TSV over it.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules target_core_file iscsi_target_mod
iqn=iqn.2003-01.org.lunforge.lab:lio-fileio
lab_configfs_init
lab_fileio_create disk0 /tmp/lio-disk0.img 268435456
lab_iscsi_target "$iqn" 127.0.0.1:3260
lab_iscsi_lun "$iqn" 0 fileio_0/disk0

if ! counts=$(lab_test_cu iscsi-test-cu "iscsi://127.0.0.1/$iqn/0" --dataloss --test=ALL); then
    lab_fail "iscsi-test-cu did not run to completion ($counts); see iscsi-test-cu.log"
fi
lab_log "LIO fileio: $counts"

baseline="$LAB_DIR/baselines/lio-fileio.iscsi-test-cu.tsv"
drift=""
if [[ -r "$baseline" ]]; then
    if ! diff -u "$baseline" "$LAB_OUT/iscsi-test-cu.tsv" > "$LAB_OUT/baseline.diff"; then
        drift="; differs from baselines/$(basename "$baseline") in $(grep -c '^+[^+]' "$LAB_OUT/baseline.diff") tests (baseline.diff)"
        lab_log "verdicts differ from the committed baseline:"
        grep '^[-+][^-+]' "$LAB_OUT/baseline.diff" >&2 || true
    fi
else
    drift="; no committed baseline to compare with"
fi
lab_result PASS "$counts${drift}"
