#!/bin/bash
# lab-timeout: 1500
# lab-all: no   (runs only when named: backup-software runs the same body over both transports in `all`)
# bacula-tcmu: bacula-iscsi's body (label barcodes; a full backup spanning two cartridges, an
# incremental, a restore identical; btape test with the autochanger test, and fill) with the
# library served as three TCMU devices behind one tcm_loop target.
TAPE_TRANSPORT=tcmu
. "$LAB_DIR/scenarios/bacula-iscsi.sh"
