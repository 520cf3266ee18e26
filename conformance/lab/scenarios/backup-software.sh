#!/bin/bash
# lab-timeout: 5400
# backup-software: real backup software on a lunforge library over both transports, in one
# guest: first over lunforge's iSCSI target (open-iscsi), then over TCMU + tcm_loop, each time
# Bacula's body (bacula-lib.bash: label barcodes; a full backup spanning two cartridges, an
# incremental, a restore identical; btape test with its autochanger test) and then Amanda's
# (amanda-lib.bash: amtapetype; amlabel through chg-robot; amdump; amfetchdump and amrecover
# identical). What bacula-iscsi, bacula-tcmu, amanda-iscsi and amanda-tcmu prove (they still
# run by name), for one guest boot instead of four.
#
# Shared, per transport: one lunforged and one library of eight cartridges, Bacula's in slots
# 1-4 (as bacula-iscsi has them) and Amanda's in slots 5-8 (8 MiB each, as amanda-iscsi has
# them in 1-4), both on drive0, Amanda after Bacula. Not shared: each body starts from an empty
# catalog and configuration (the second library's cartridges carry the first one's barcodes, so
# the catalog could not keep both; setting one up costs seconds). Left out: btape fill over TCMU.
# Fill writes a 400 MiB cartridge to its end and swaps to a second one, through the same drive
# code and the same early warning and end-of-medium sense that the spanning full backup and
# amtapetype reach over TCMU too; it runs over iSCSI (bacula-tcmu runs it over TCMU by name).
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"
. "$LAB_DIR/scenarios/bacula-lib.bash"
. "$LAB_DIR/scenarios/amanda-lib.bash"

t_start=$SECONDS
# Stopped cleanly whatever the verdict: the JVM then writes its class archive for the next start.
trap 'lab_stop_lunforged || true' EXIT
said=()
parts=()

# backup__over TRANSPORT FILL: both bodies over TRANSPORT; FILL (yes/no) is BACULA_FILL.
backup__over() {
    local transport="$1" fill="$2" dir="/tmp/vtl-$1" t0 ready bacula_secs amanda_secs
    tape_use_transport "$transport"
    t0=$SECONDS
    TAPE_CARTRIDGE_CAPACITIES="1=$((400 << 20)) 2=$((400 << 20)) 5=$AMANDA_CAPACITY 6=$AMANDA_CAPACITY 7=$AMANDA_CAPACITY 8=$AMANDA_CAPACITY" \
        tape_write_config "$dir/vtl.json" "$dir" $((16 << 20)) 8
    TAPE_LUNFORGED_LOG="lunforged-$transport" tape_start_lunforged "$dir/vtl.json"
    tape_login
    ready=$((SECONDS - t0))

    t0=$SECONDS
    BACULA_OUT="$LAB_OUT/$transport/bacula" BACULA_FILL=$fill bacula_body
    bacula_secs=$((SECONDS - t0))
    lab_log "bacula over $transport (${bacula_secs}s): $BACULA_SUMMARY"

    t0=$SECONDS
    [[ $(tape_inventory | grep '^drive0=') == drive0=empty ]] || tape_mtx unload
    AMANDA_OUT="$LAB_OUT/$transport/amanda" AMANDA_SLOT0=5 amanda_body
    amanda_secs=$((SECONDS - t0))
    lab_log "amanda over $transport (${amanda_secs}s): $AMANDA_SUMMARY"

    t0=$SECONDS
    tape_logout
    lab_stop_lunforged || true
    rm -rf "$dir"
    said+=("over $transport: Bacula ${bacula_secs}s ($BACULA_SUMMARY); Amanda ${amanda_secs}s ($AMANDA_SUMMARY)")
    parts+=("$transport: lunforged ready and logged in ${ready}s, bacula ${bacula_secs}s, amanda ${amanda_secs}s, down $((SECONDS - t0))s")
}

backup__over iscsi yes
backup__over tcmu no
lab_result PASS "${said[0]}; ${said[1]}; ${parts[0]}; ${parts[1]}; whole scenario $((SECONDS - t_start))s"
