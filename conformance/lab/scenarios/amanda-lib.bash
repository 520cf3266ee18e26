# shellcheck shell=bash
# The Amanda body the amanda-* scenarios and backup-software share (sourced after guest/lib.sh
# and tape-lib.bash; not a scenario itself). Debian's Amanda (amanda-server, amanda-client) is
# installed on the host by conformance/lab/prepare and never runs there: its configuration is
# written here, into the guest's tmpfs overlay, and it runs as its dump user (Debian's
# "backup", in group tape) on the guest's own name.
#
# amanda_body, after tape_login: on four cartridges of AMANDA_CAPACITY bytes in slots
# AMANDA_SLOT0 .. AMANDA_SLOT0+3 (drive0 empty), amtapetype measures the last one and its
# tapetype goes into the configuration; amlabel labels the first two by their barcodes through
# chg-robot (mtx); amcheck is clean; amdump backs up AMANDA_SRC (GNU tar, the client reached
# with Amanda's "local" auth, no holding disk: straight to tape), the changer loading a
# labelled cartridge; amfetchdump finds the dump through the changer and what it returns
# extracts byte-identical to the folder; amrecover (amindexd's index, amidxtaped reading
# through the changer) restores the folder into another one, byte-identical too. Its files go
# to AMANDA_OUT; AMANDA_SUMMARY holds what it saw, for the verdict. Every run starts from an
# empty configuration, so the body can run twice in one guest.

AMANDA_SLOT0=${AMANDA_SLOT0:-1}
# 8 MiB cartridges: amtapetype writes one about four times over (compression heuristic,
# filling, filemarks), which under TCG sets most of its time.
AMANDA_CAPACITY=${AMANDA_CAPACITY:-$((8 << 20))}
AMANDA_SRC=${AMANDA_SRC:-/tmp/amanda-src}
AMANDA_CONF=/etc/amanda/lab
AMANDA_WORK=/tmp/amanda-lab

amanda__as_backup() {
    runuser -u backup -- "$@"
}

# amanda__barcode SLOT: the barcode tape_write_config gives the cartridge of SLOT.
amanda__barcode() {
    printf 'LAB%03dL8' "$1"
}

amanda_body() {
    local out="${AMANDA_OUT:-$LAB_OUT}" conf=$AMANDA_CONF work=$AMANDA_WORK src=$AMANDA_SRC
    local s0=$AMANDA_SLOT0 capacity=$AMANDA_CAPACITY t0 host home status length_kb
    local amtapetype_secs amdump_secs fetch_secs recover_secs labels=() s
    lab_require_commands mtx mt amtapetype amlabel amdump amfetchdump amrecover amcheck amtape runuser tar sha256sum
    mkdir -p "$out"
    # Amanda reads the nodes as its dump user; they are udev's or the guest devtmpfs' defaults.
    chmod 0666 "$TAPE_NST0" "$TAPE_ST0" "$TAPE_CHANGER_SG"
    rm -rf $conf $work "$src" /tmp/amanda-fetched /tmp/amanda-recovered /var/lib/amanda/gnutar-lists
    mkdir -p $conf $work/state $work/curinfo $work/index $work/log /var/lib/amanda/gnutar-lists
    # Debian's Amanda keeps its temporary files in /tmp/amanda and refuses one it does not own.
    install -d -o backup -g backup -m 0700 /tmp/amanda
    # The client is this host, reached with the "local" auth, which takes only the host's own
    # name; Amanda resolves it with AI_ADDRCONFIG, which finds no IPv4 while lo has nothing but
    # 127.0.0.1: a second loopback address and the name in /etc/hosts.
    lab_loopback_address 127.0.0.2
    host=$(hostname)
    getent hosts "$host" > /dev/null || echo "127.0.1.1 $host" >> /etc/hosts

    # --- amtapetype on the fourth cartridge ----------------------------------------------------
    tape_mtx load $((s0 + 3)) 0
    t0=$SECONDS
    amanda__as_backup amtapetype -f -t LAB-LTO8 "tape:$TAPE_NST0" > /tmp/tapetype.txt 2> "$out/amtapetype.err" \
        || lab_fail "amtapetype failed: $(tail -n 20 "$out/amtapetype.err")"
    amtapetype_secs=$((SECONDS - t0))
    cp /tmp/tapetype.txt "$out/"
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
    property "use-slots" "$s0-$((s0 + 2))"
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
    # amrecover's side: it runs as root and reaches amindexd and amidxtaped on this host through
    # the same "local" auth (amandad started as the dump user).
    cat > $conf/amanda-client.conf << EOF
conf "lab"
index_server "$host"
tape_server "$host"
auth "local"
EOF
    echo "$host $src lab-tar" > $conf/disklist
    : > $work/tapelist
    home=$(getent passwd backup | cut -d: -f6)
    mkdir -p "$home"
    printf '%s\n' "$host backup amdump" "$host root amindexd amidxtaped" > "$home/.amandahosts"
    chown backup:backup "$home" "$home/.amandahosts"
    chmod 0600 "$home/.amandahosts"
    chown -R backup:backup $conf $work /var/lib/amanda /tmp/amanda
    cp $conf/amanda.conf $conf/amanda-client.conf "$out/"

    # --- labels, check, dump ---------------------------------------------------------------------
    for s in $s0 $((s0 + 1)); do
        labels+=("$(amanda__barcode "$s")")
        amanda__as_backup amlabel -f lab "${labels[-1]}" slot "$s" > /tmp/amlabel.out 2>&1 \
            || lab_fail "amlabel ${labels[-1]} slot $s failed: $(cat /tmp/amlabel.out)"
        cat /tmp/amlabel.out >&2
    done
    tape_random_tree "$src" 2048 1536 1 5 300
    mkdir -p "$src/sub"
    echo "a note in a folder" > "$src/sub/note.txt"
    amanda__as_backup amcheck lab > "$out/amcheck.txt" 2>&1 || lab_fail "amcheck lab found problems: $(cat "$out/amcheck.txt")"
    t0=$SECONDS
    status=0
    amanda__as_backup amdump lab > "$out/amdump.out" 2>&1 || status=$?
    amdump_secs=$((SECONDS - t0))
    cp -r $work/log "$out/amanda-log"
    amanda__as_backup amreport lab > "$out/amreport.txt" 2>&1 || true
    ((status == 0)) || lab_fail "amdump lab exited with $status: $(cat "$out/amdump.out") $(head -n 40 "$out/amreport.txt")"
    # A volume amdump wrote has the run's datestamp in the tapelist; one only labelled has 0.
    grep -qE "^[1-9][0-9]* (${labels[0]}|${labels[1]}) " $work/tapelist \
        || lab_fail "amdump wrote no labelled cartridge: $(cat $work/tapelist)"
    lab_log "amdump (${amdump_secs}s); tapelist: $(tr '\n' ' ' < $work/tapelist)"

    # --- amfetchdump through the changer --------------------------------------------------------
    t0=$SECONDS
    amanda__as_backup amfetchdump -a -p lab "$host" "$src" > /tmp/fetched.tar 2> "$out/amfetchdump.err" \
        || lab_fail "amfetchdump failed: $(tail -n 20 "$out/amfetchdump.err")"
    fetch_secs=$((SECONDS - t0))
    mkdir -p /tmp/amanda-fetched
    tar -C /tmp/amanda-fetched -xf /tmp/fetched.tar || lab_fail "the fetched dump is not a tar archive"
    rm -f /tmp/fetched.tar
    tape_same_tree "$src" /tmp/amanda-fetched "amfetchdump's image"
    lab_log "amfetchdump (${fetch_secs}s): identical"

    # --- amrecover: the index, then the files through amidxtaped and the changer ---------------
    # It asks twice before it extracts (load the tape; restore into this folder): each answer is
    # the next line of its input.
    mkdir -p /tmp/amanda-recovered
    t0=$SECONDS
    status=0
    (cd /tmp/amanda-recovered && printf '%s\n' "sethost $host" "setdisk $src" 'add *' 'extract' Y Y 'quit' \
        | timeout 900 amrecover -C lab -s "$host" -t "$host") > "$out/amrecover.out" 2>&1 || status=$?
    recover_secs=$((SECONDS - t0))
    ((status == 0)) || lab_fail "amrecover exited with $status: $(tail -n 30 "$out/amrecover.out")"
    tape_same_tree "$src" /tmp/amanda-recovered "amrecover's restore"
    lab_log "amrecover (${recover_secs}s): identical"
    AMANDA_SUMMARY="amtapetype ${amtapetype_secs}s (length ${length_kb} KB of a $((capacity >> 20)) MiB cartridge); amlabel ${labels[*]} through chg-robot; amdump of $(du -sh "$src" | cut -f1) ${amdump_secs}s; amfetchdump ${fetch_secs}s and amrecover ${recover_secs}s, identical"
}
