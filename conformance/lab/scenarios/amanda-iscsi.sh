#!/bin/bash
# lab-timeout: 900
# lab-all: no   (runs only when named: backup-software runs the same body over both transports in `all`)
# amanda-iscsi: Debian's Amanda (amanda-server, amanda-client) on a lunforge library over
# lunforge's iSCSI target (amanda-tcmu: the same over TCMU + tcm_loop), through st, sg and
# Amanda's chg-robot (mtx): amtapetype measures a cartridge and its tapetype goes into the
# configuration; amlabel labels two cartridges by their barcodes through the changer; amdump
# backs up a folder straight to tape, the changer loading a labelled cartridge; amfetchdump and
# amrecover each restore it byte-identical (amanda-lib.bash).
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"
. "$LAB_DIR/scenarios/amanda-lib.bash"

t_start=$SECONDS
tape_write_config /tmp/vtl/vtl.json /tmp/vtl "$AMANDA_CAPACITY" 4
tape_start_lunforged /tmp/vtl/vtl.json
# Stopped cleanly whatever the verdict: the JVM then writes its class archive for the next start.
trap 'lab_stop_lunforged || true' EXIT
tape_login
t_ready=$SECONDS
amanda_body
lab_result PASS "over $TAPE_TRANSPORT: $AMANDA_SUMMARY; lunforged ready after $((t_ready - t_start))s, whole scenario $((SECONDS - t_start))s"
