#!/bin/bash
# lab-timeout: 600
# bacula-tcmu: bacula-iscsi's body (btape test, fill and the autochanger test clean; label
# barcodes; a full backup spanning two cartridges, an incremental, a restore identical) with
# the library served as three TCMU devices behind one tcm_loop target.
TAPE_TRANSPORT=tcmu
. "$LAB_DIR/scenarios/bacula-iscsi.sh"
