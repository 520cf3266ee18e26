#!/bin/bash
# lab-timeout: 900
# amanda-iscsi: Debian's Amanda (amanda-server, amanda-client) on a lunforge library over
# lunforge's iSCSI target, through st, sg and Amanda's chg-robot (mtx). amtapetype measures a
# cartridge and its tapetype goes into the configuration; amlabel labels two cartridges by
# their barcodes through the changer; amdump backs up a folder (GNU tar, the client reached
# with Amanda's "local" auth, no holding disk: straight to tape), the changer loading a
# labelled cartridge; amfetchdump finds the dump through the changer and what it returns
# extracts byte-identical to the folder.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands mtx mt amtapetype amlabel amdump amfetchdump amcheck amtape runuser tar sha256sum
t_start=$SECONDS
# 8 MiB cartridges: amtapetype writes one about four times over (compression heuristic,
# filling, filemarks), which under TCG sets most of its time.
capacity=$((8 << 20))
tape_write_config /tmp/vtl/vtl.json /tmp/vtl $capacity 4
tape_start_lunforged /tmp/vtl/vtl.json
# Stopped cleanly whatever the verdict: the JVM then writes its class archive for the next start.
trap 'lab_stop_lunforged || true' EXIT
tape_login
t_ready=$SECONDS

# Amanda runs as its dump user (Debian's "backup", in group tape); the nodes are udev's or
# the guest devtmpfs' defaults, so they are opened to it here.
chmod 0666 "$TAPE_NST0" "$TAPE_ST0" "$TAPE_CHANGER_SG"
conf=/etc/amanda/lab
work=/tmp/amanda-lab
src=/tmp/src
mkdir -p $conf $work/state $work/curinfo $work/index $work/log /var/lib/amanda/gnutar-lists
# Debian's Amanda keeps its temporary files in /tmp/amanda and refuses one it does not own.
install -d -o backup -g backup -m 0700 /tmp/amanda
# The client is this host, reached with the "local" auth, which takes only the host's own
# name; Amanda resolves it with AI_ADDRCONFIG, which finds no IPv4 while lo has nothing but
# 127.0.0.1: a second loopback address and the name in /etc/hosts.
lab_loopback_address 127.0.0.2
host=$(hostname)
getent hosts "$host" > /dev/null || echo "127.0.1.1 $host" >> /etc/hosts
as_backup() {
    runuser -u backup -- "$@"
}

# --- amtapetype on LAB004L8 -----------------------------------------------------------------
tape_mtx load 4 0
t0=$SECONDS
as_backup amtapetype -f -t LAB-LTO8 "tape:$TAPE_NST0" > /tmp/tapetype.txt 2> "$LAB_OUT/amtapetype.err" \
    || lab_fail "amtapetype failed: $(tail -n 20 "$LAB_OUT/amtapetype.err")"
amtapetype_secs=$((SECONDS - t0))
cp /tmp/tapetype.txt "$LAB_OUT/"
grep -q 'define tapetype LAB-LTO8' /tmp/tapetype.txt || lab_fail "amtapetype gave no tapetype: $(cat /tmp/tapetype.txt)"
length_kb=$(sed -n 's/^ *length \([0-9]*\) kbytes.*/\1/p' /tmp/tapetype.txt)
lab_log "amtapetype (${amtapetype_secs}s): length ${length_kb} kbytes"
# The measured length is what is written before the end of medium: between the early
# warning point and the capacity.
[[ -n "$length_kb" ]] && ((length_kb * 1024 <= capacity && length_kb * 1024 >= capacity * 90 / 100)) \
    || lab_fail "amtapetype measured '$length_kb' kbytes on a cartridge of $((capacity >> 10)) KiB: $(cat /tmp/tapetype.txt)"
tape_mtx unload

# --- the configuration ----------------------------------------------------------------------
cat > $conf/amanda.conf << EOF
org "lab"
mailto ""
dumpuser "backup"
dumpcycle 0
runspercycle 1
tapecycle 3
runtapes 1
labelstr "^LAB[0-9][0-9][0-9]L8\$"
infofile "$work/curinfo"
logdir "$work/log"
indexdir "$work/index"
tapelist "$work/tapelist"
define changer robot {
    tpchanger "chg-robot:$TAPE_CHANGER_SG"
    property "tape-device" "0=tape:$TAPE_NST0"
    property "use-slots" "1-3"
    changerfile "$work/state/changer"
}
tpchanger "robot"
tapetype "LAB-LTO8"
$(cat /tmp/tapetype.txt)
define dumptype lab-tar {
    program "GNUTAR"
    auth "local"
    compress none
    index yes
    holdingdisk never
}
EOF
echo "$host $src lab-tar" > $conf/disklist
: > $work/tapelist
home=$(getent passwd backup | cut -d: -f6)
mkdir -p "$home"
echo "$host backup amdump" > "$home/.amandahosts"
chown backup:backup "$home" "$home/.amandahosts"
chmod 0600 "$home/.amandahosts"
chown -R backup:backup $conf $work /var/lib/amanda /tmp/amanda
cp $conf/amanda.conf "$LAB_OUT/"

# --- labels, check, dump ---------------------------------------------------------------------
for s in 1 2; do
    as_backup amlabel -f lab "LAB00${s}L8" slot $s > /tmp/amlabel.out 2>&1 \
        || lab_fail "amlabel LAB00${s}L8 slot $s failed: $(cat /tmp/amlabel.out)"
    cat /tmp/amlabel.out >&2
done
tape_random_tree $src 2048 1536 1 5 300
mkdir -p $src/sub
echo "a note in a folder" > $src/sub/note.txt
as_backup amcheck lab > "$LAB_OUT/amcheck.txt" 2>&1 || lab_fail "amcheck lab found problems: $(cat "$LAB_OUT/amcheck.txt")"
t0=$SECONDS
status=0
as_backup amdump lab > "$LAB_OUT/amdump.out" 2>&1 || status=$?
amdump_secs=$((SECONDS - t0))
cp -r $work/log "$LAB_OUT/amanda-log"
as_backup amreport lab > "$LAB_OUT/amreport.txt" 2>&1 || true
((status == 0)) || lab_fail "amdump lab exited with $status: $(cat "$LAB_OUT/amdump.out") $(head -n 40 "$LAB_OUT/amreport.txt")"
# A volume amdump wrote has the run's datestamp in the tapelist; one only labelled has 0.
grep -qE '^[1-9][0-9]* LAB00[12]L8 ' $work/tapelist || lab_fail "amdump wrote no labelled cartridge: $(cat $work/tapelist)"
lab_log "amdump (${amdump_secs}s); tapelist: $(tr '\n' ' ' < $work/tapelist)"

# --- amfetchdump through the changer --------------------------------------------------------
t0=$SECONDS
as_backup amfetchdump -a -p lab "$host" "$src" > /tmp/fetched.tar 2> "$LAB_OUT/amfetchdump.err" \
    || lab_fail "amfetchdump failed: $(tail -n 20 "$LAB_OUT/amfetchdump.err")"
fetch_secs=$((SECONDS - t0))
mkdir -p /tmp/restored
tar -C /tmp/restored -xf /tmp/fetched.tar || lab_fail "the fetched dump is not a tar archive"
tape_same_tree $src /tmp/restored "amfetchdump's image"
lab_result PASS "amtapetype ${amtapetype_secs}s (length ${length_kb} KB of a $((capacity >> 20)) MiB cartridge); amlabel LAB001L8, LAB002L8 through chg-robot; amdump of $(du -sh $src | cut -f1) ${amdump_secs}s; amfetchdump ${fetch_secs}s, identical; lunforged ready after $((t_ready - t_start))s, whole scenario $((SECONDS - t_start))s"
