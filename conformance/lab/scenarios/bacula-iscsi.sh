#!/bin/bash
# lab-timeout: 1500
# lab-all: no   (runs only when named: backup-software runs the same body over both transports in `all`)
# bacula-iscsi: Debian's Bacula (director with the SQLite catalog, file and storage daemons,
# bconsole, btape) on a lunforge library through st, sg and Debian's mtx-changer, over
# lunforge's iSCSI target (bacula-tcmu: the same over TCMU + tcm_loop): `label barcodes`; a full
# backup larger than one cartridge spans two, an incremental follows, a restore to another
# folder is byte-identical; then btape's `test` with its autochanger test and `fill` over two
# cartridges end clean (bacula-lib.bash, bacula_body). btape's test sets the time: 2x10000
# blocks each way, about 14 minutes over iSCSI at a host load of 22.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"
. "$LAB_DIR/scenarios/bacula-lib.bash"

t_start=$SECONDS
# Cartridges of 16 MiB (capacity counts what is stored, after the drive's compression):
# btape's test blocks repeat one word and compress to almost nothing, its fill writes
# random blocks until the end, and the full backup's 24 MiB of random data needs two.
# btape fill's re-read first reads 10000 records of 32 KiB (about 330 MB) and assumes they are
# all on the first tape: slots 1 and 2 (what fill loads) get 400 MiB of their own. The full
# backup starts on LAB003L8 (the last one labelled, still in the drive), a small one, so it
# still spans two cartridges.
TAPE_CARTRIDGE_CAPACITIES="1=$((400 << 20)) 2=$((400 << 20))" \
    tape_write_config /tmp/vtl/vtl.json /tmp/vtl $((16 << 20)) 4
tape_start_lunforged /tmp/vtl/vtl.json
# Stopped cleanly whatever the verdict: the JVM then writes its class archive for the next start.
trap 'lab_stop_lunforged || true' EXIT
tape_login
t_ready=$SECONDS
bacula_body
lab_result PASS "over $TAPE_TRANSPORT: $BACULA_SUMMARY; lunforged ready after $((t_ready - t_start))s, whole scenario $((SECONDS - t_start))s"
