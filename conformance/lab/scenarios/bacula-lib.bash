# shellcheck shell=bash
# Helpers the bacula-* scenarios share (sourced after guest/lib.sh and tape-lib.bash; not a
# scenario itself). Debian's Bacula (director with the SQLite catalog, file daemon, storage
# daemon, bconsole, btape) is installed on the host by conformance/lab/prepare and never
# runs there: its configuration is written here, into the guest's tmpfs overlay, and its
# daemons run as root in the guest, on the guest's loopback (9101-9103).
#
# One director "lab-dir", one client "lab-fd" backing up BACULA_SRC, one storage "lab-vtl":
# the storage daemon's autochanger "lab-changer" (Debian's mtx-changer on the library's sg
# node) with drive0 of the library, Media Type LTO-8. Volumes are the cartridges' barcodes.

BACULA_ETC=${BACULA_ETC:-/etc/bacula}
BACULA_WORK=/tmp/bacula/work
BACULA_RUN=/tmp/bacula/run
BACULA_SRC=${BACULA_SRC:-/tmp/src}
BACULA_MEDIA=LTO-8
BACULA_BTAPE_BLOCK=${BACULA_BTAPE_BLOCK:-4096}
# Where the logs, configurations and btape's output go (a folder of LAB_OUT when one guest runs
# the body twice).
BACULA_OUT=${BACULA_OUT:-$LAB_OUT}
# BACULA_FILL=no: bacula_body leaves out btape fill (see backup-software).
BACULA_FILL=${BACULA_FILL:-yes}

# bacula_write_configs: the four configuration files, for the nodes tape_login found, and an
# empty catalog (whatever an earlier run in this guest left is gone).
bacula_write_configs() {
    rm -rf "$BACULA_WORK" "$BACULA_RUN"
    mkdir -p "$BACULA_WORK" "$BACULA_RUN" /var/lib/bacula "$BACULA_OUT"
    cat > $BACULA_ETC/bacula-dir.conf << EOF
Director {
  Name = lab-dir
  DIRport = 9101
  DirAddress = 127.0.0.1
  QueryFile = "/etc/bacula/scripts/query.sql"
  WorkingDirectory = "$BACULA_WORK"
  PidDirectory = "$BACULA_RUN"
  Maximum Concurrent Jobs = 1
  Password = "lab-dir-password"
  Messages = Daemon
}
Job {
  Name = "lab-backup"
  Type = Backup
  Level = Full
  Client = lab-fd
  FileSet = "lab-set"
  Storage = lab-vtl
  Pool = lab-pool
  Messages = Standard
  Write Bootstrap = "$BACULA_WORK/%c.bsr"
}
Job {
  Name = "lab-restore"
  Type = Restore
  Client = lab-fd
  FileSet = "lab-set"
  Storage = lab-vtl
  Pool = lab-pool
  Messages = Standard
  Where = /tmp/restored
}
FileSet {
  Name = "lab-set"
  Include {
    Options {
      signature = MD5
    }
    File = $BACULA_SRC
  }
}
Client {
  Name = lab-fd
  Address = 127.0.0.1
  FDPort = 9102
  Catalog = lab-catalog
  Password = "lab-fd-password"
  AutoPrune = no
}
Storage {
  Name = lab-vtl
  Address = 127.0.0.1
  SDPort = 9103
  Password = "lab-sd-password"
  Device = lab-changer
  Media Type = $BACULA_MEDIA
  Autochanger = yes
}
Catalog {
  Name = lab-catalog
  dbname = "bacula"
  dbuser = ""
  dbpassword = ""
}
Messages {
  Name = Standard
  console = all, !skipped, !saved
  append = "$BACULA_OUT/bacula.log" = all, !skipped
  catalog = all
}
Messages {
  Name = Daemon
  console = all, !skipped, !saved
  append = "$BACULA_OUT/bacula.log" = all, !skipped
}
Pool {
  Name = Default
  Pool Type = Backup
}
Pool {
  Name = lab-pool
  Pool Type = Backup
  Recycle = no
  AutoPrune = no
  Volume Retention = 365 days
}
EOF
    cat > $BACULA_ETC/bacula-sd.conf << EOF
Storage {
  Name = lab-sd
  SDPort = 9103
  SDAddress = 127.0.0.1
  WorkingDirectory = "$BACULA_WORK"
  Pid Directory = "$BACULA_RUN"
  Maximum Concurrent Jobs = 5
}
Director {
  Name = lab-dir
  Password = "lab-sd-password"
}
Autochanger {
  Name = lab-changer
  Device = drive0
  Changer Command = "/etc/bacula/scripts/mtx-changer %c %o %S %a %d"
  Changer Device = $TAPE_CHANGER_SG
}
Device {
  Name = drive0
  Drive Index = 0
  Media Type = $BACULA_MEDIA
  Archive Device = $TAPE_NST0
  AutomaticMount = yes
  AlwaysOpen = yes
  RemovableMedia = yes
  RandomAccess = no
  AutoChanger = yes
}
Messages {
  Name = Standard
  director = lab-dir = all
}
EOF
    cat > $BACULA_ETC/bacula-fd.conf << EOF
FileDaemon {
  Name = lab-fd
  FDport = 9102
  FDAddress = 127.0.0.1
  WorkingDirectory = "$BACULA_WORK"
  Pid Directory = "$BACULA_RUN"
}
Director {
  Name = lab-dir
  Password = "lab-fd-password"
}
Messages {
  Name = Standard
  director = lab-dir = all, !skipped, !restored
}
EOF
    cat > $BACULA_ETC/bconsole.conf << EOF
Director {
  Name = lab-dir
  DIRport = 9101
  address = 127.0.0.1
  Password = "lab-dir-password"
}
EOF
    # btape's `test` writes and reads 2 x 10000 blocks of the device's largest size (63 KiB by
    # default): 1.3 GB, which under TCG takes far longer than the backups. It runs on this
    # copy of the storage daemon's configuration, the same drive and changer with blocks of
    # BACULA_BTAPE_BLOCK bytes (a multiple of 1024).
    sed "s/^  AutoChanger = yes$/&\n  Maximum Block Size = $BACULA_BTAPE_BLOCK/" $BACULA_ETC/bacula-sd.conf \
        > $BACULA_ETC/bacula-sd-btape.conf
    grep -q "Maximum Block Size = $BACULA_BTAPE_BLOCK" $BACULA_ETC/bacula-sd-btape.conf \
        || lab_fail "bacula-sd-btape.conf has no Maximum Block Size"
    cp $BACULA_ETC/bacula-dir.conf $BACULA_ETC/bacula-sd.conf $BACULA_ETC/bacula-sd-btape.conf \
        $BACULA_ETC/bacula-fd.conf "$BACULA_OUT/"
    # The catalog: Debian's own SQLite schema (the one dbconfig-common installs).
    sqlite3 "$BACULA_WORK/bacula.db" < /usr/share/dbconfig-common/data/bacula-director-sqlite3/install/sqlite3 \
        || lab_fail "the Bacula catalog's schema did not load into SQLite"
    local d
    for d in dir sd fd sd-btape; do
        "/usr/sbin/bacula-${d%-btape}" -t -c "$BACULA_ETC/bacula-$d.conf" > /tmp/bacula-$d-t.out 2>&1 \
            || lab_fail "bacula-$d -t refused its configuration: $(cat /tmp/bacula-$d-t.out)"
    done
}

# bacula_start: the storage, file and director daemons, each until its port listens.
bacula_start() {
    local d port
    for d in sd:9103 fd:9102 dir:9101; do
        port=${d#*:}
        d=${d%:*}
        "/usr/sbin/bacula-$d" -c "$BACULA_ETC/bacula-$d.conf" > "$BACULA_OUT/bacula-$d.out" 2>&1 \
            || lab_fail "bacula-$d did not start: $(cat "$BACULA_OUT/bacula-$d.out")"
        lab_wait_for 60 "bacula-$d listening on 127.0.0.1:$port" bacula__listening "$port"
    done
}

bacula__listening() {
    ss -ltnH "sport = :$1" | grep -q LISTEN
}

# bacula_console COMMANDS: bconsole reads COMMANDS (one a line); its answer is printed and
# appended to bconsole.log.
bacula_console() {
    local out
    out=$(printf '%s\n' "$1" | timeout 600 bconsole -n -c $BACULA_ETC/bconsole.conf 2>&1) \
        || lab_fail "bconsole failed on '$1': $out"
    printf '>>> %s\n%s\n' "$1" "$out" >> "$BACULA_OUT/bconsole.log"
    echo "$out"
}

# bacula_run_job ARGS...: `run ARGS yes`, waits for the job, prints its JobId; fails the
# scenario unless the catalog says it terminated normally (JobStatus T).
bacula_run_job() {
    local out id
    out=$(bacula_console "run $* yes")
    [[ "$out" =~ JobId=([0-9]+) ]] || lab_fail "run $* queued no job: $out"
    id=${BASH_REMATCH[1]}
    bacula_console "wait jobid=$id" > /dev/null
    bacula_expect_job_ok "$id" "run $*"
    echo "$id"
}

# bacula_expect_job_ok JOBID WHAT: the catalog says JOBID terminated normally.
bacula_expect_job_ok() {
    local out
    out=$(bacula_console "llist jobid=$1")
    grep -qiE '^ *jobstatus: *T *$' <<< "$out" \
        || lab_fail "$2: job $1 did not end OK:"$'\n'"$out"$'\n'"$(tail -n 40 "$BACULA_OUT/bacula.log" 2> /dev/null)"
}

# bacula_job_volumes JOBID: the volumes the job's data is on, in the order it was written
# (by each JobMedia row's FirstIndex), one a line.
bacula_job_volumes() {
    bacula_console "list jobmedia jobid=$1" \
        | awk -F'|' '$3 ~ /^ *[A-Z0-9]+ *$/ && $4 ~ /^ *[0-9]+ *$/ { gsub(/ /, "", $3); gsub(/ /, "", $4); print $4, $3 }' \
        | sort -n -s -k1,1 | awk '!seen[$2]++ { print $2 }'
}

# bacula_volume_status VOLUME: the catalog's VolStatus of VOLUME (Append, Full, ...).
bacula_volume_status() {
    bacula_console "llist volume=$1" | awk -F': *' 'tolower($1) ~ /^ *volstatus$/ { print $2 }'
}

# bacula_btape CONFIG DEVICE INPUT NAME: btape with the storage daemon's configuration CONFIG
# (bacula-sd or bacula-sd-btape) on DEVICE (a Device resource there; the storage daemon must not
# be running) reading INPUT; its output goes to $BACULA_OUT/NAME as it comes (a budget that runs
# out still leaves it) and its path is BACULA_BTAPE_OUT.
bacula_btape() {
    local status=0
    BACULA_BTAPE_OUT="$BACULA_OUT/$4"
    printf '%s\n' "$3" | timeout 1500 btape -c "$BACULA_ETC/$1.conf" "$2" > "$BACULA_BTAPE_OUT" 2>&1 || status=$?
    return $status
}

# bacula_stop: the director, file and storage daemons (SIGTERM by their pid files), so the
# storage daemon lets go of the drive and changer before lunforged stops.
bacula_stop() {
    local d pid
    for d in dir fd sd; do
        for pid in $(cat "$BACULA_RUN"/bacula-$d.*.pid 2> /dev/null); do
            kill -TERM "$pid" 2> /dev/null || true
        done
    done
    lab_wait_for 30 "the Bacula daemons to exit" bacula__none_running
}

bacula__none_running() {
    local pid
    for pid in $(cat "$BACULA_RUN"/bacula-*.pid 2> /dev/null); do
        kill -0 "$pid" 2> /dev/null && return 1
    done
    return 0
}

# bacula_body, after tape_login, on cartridges LAB001L8-LAB004L8 in slots 1-4 (1 and 2 of
# 400 MiB, 3 and 4 small: 16 MiB) with drive0 empty: `label barcodes` labels slots 1-3; a full
# backup larger than one cartridge spans two, the storage daemon changing the cartridge at early
# warning through the autochanger; an incremental follows; a restore of the latest state to
# another folder, reading the jobs off both cartridges, is byte-identical to the files backed
# up. Then, with the daemons stopped, btape's `test` (write/re-read 2x10000 blocks, positioning,
# append, fast forward space file, and the autochanger test) on LAB004L8 and, unless
# BACULA_FILL=no, `fill` over the cartridges of slots 1-2 end clean. The daemons are stopped and
# drive0's door unlocked when it returns; BACULA_SUMMARY holds what it saw, for the verdict.
bacula_body() {
    local out v vols full incr restore files want bad scan_bytes t0
    local full_secs incr_secs restore_secs btape_test_secs btape_fill_secs fill_said=""
    lab_require_commands mtx mt btape bconsole bacula-dir bacula-sd bacula-fd sqlite3 sha256sum ss
    rm -rf "$BACULA_SRC" /tmp/restored
    bacula_write_configs

    # --- the daemons; label barcodes ----------------------------------------------------------
    bacula_start
    # (label barcodes takes no `yes` on its line; it asks, and the answer is the next line)
    out=$(bacula_console $'label barcodes storage=lab-vtl pool=lab-pool slots=1-3 drive=0\nyes')
    for v in LAB001L8 LAB002L8 LAB003L8; do
        [[ $(bacula_volume_status $v) == Append ]] || lab_fail "label barcodes: $v is not an appendable volume: $out"
    done
    lab_log "label barcodes: LAB001L8-LAB003L8 appendable in lab-pool"

    # --- a full backup over two cartridges, an incremental, a restore ---------------------------
    tape_random_tree "$BACULA_SRC/full" 4096 4096 4096 4096 4096 4096 1 7
    mkdir -p "$BACULA_SRC/full/deep/er"
    echo "a small file in a deeper folder" > "$BACULA_SRC/full/deep/er/note.txt"
    t0=$SECONDS
    full=$(bacula_run_job job=lab-backup level=Full)
    full_secs=$((SECONDS - t0))
    mapfile -t vols < <(bacula_job_volumes "$full")
    lab_log "full backup (job $full, ${full_secs}s) on: ${vols[*]}"
    [[ ${#vols[@]} -ge 2 ]] || lab_fail "the full backup of $(du -sh "$BACULA_SRC" | cut -f1) is on ${#vols[@]} volume(s): ${vols[*]}; two expected"
    [[ $(bacula_volume_status "${vols[0]}") == Full ]] || lab_fail "${vols[0]} is not Full after the backup spanned it"

    sleep 1   # an incremental takes files changed after the full job's start, to the second
    tape_random_tree "$BACULA_SRC/incr" 512 3
    head -c 100000 /dev/urandom >> "$BACULA_SRC/full/f2"
    t0=$SECONDS
    incr=$(bacula_run_job job=lab-backup level=Incremental)
    incr_secs=$((SECONDS - t0))
    files=$(bacula_console "llist jobid=$incr" | awk -F': *' 'tolower($1) ~ /^ *jobfiles$/ { print $2 }')
    lab_log "incremental (job $incr, ${incr_secs}s): $files files"
    [[ "$files" =~ ^[0-9]+$ ]] && ((files >= 3 && files <= 6)) \
        || lab_fail "the incremental saved '$files' files; 3 new and 1 changed (and their folders) expected"

    t0=$SECONDS
    out=$(bacula_console 'restore client=lab-fd fileset=lab-set where=/tmp/restored select current all done yes')
    [[ "$out" =~ JobId=([0-9]+) ]] || lab_fail "restore queued no job: $out"
    restore=${BASH_REMATCH[1]}
    bacula_console "wait jobid=$restore" > /dev/null
    bacula_expect_job_ok "$restore" "restore"
    restore_secs=$((SECONDS - t0))
    tape_same_tree "$BACULA_SRC" "/tmp/restored$BACULA_SRC" "the restore of the full and the incremental"
    lab_log "restore (job $restore, ${restore_secs}s): identical"
    bacula_console 'messages' > /dev/null
    bacula_stop
    # The storage daemon locked the drive's door (MTLOCK: PREVENT MEDIUM REMOVAL) when it mounted
    # a volume; st keeps an explicit lock past close, so the changer would refuse to move the
    # cartridge out (MEDIUM REMOVAL PREVENTED, as a real library does) until it is unlocked.
    tape_mt "$TAPE_NST0" unlock

    # --- btape, with the storage daemon not running ------------------------------------------
    # test: on LAB004L8; its autochanger part unloads it, loads slot 1 and writes a filemark there.
    [[ $(tape_inventory | grep '^drive0=') == drive0=empty ]] || tape_mtx unload
    tape_mtx load 4 0
    t0=$SECONDS
    bacula_btape bacula-sd-btape drive0 $'test\nyes\nquit' btape-test.txt || lab_fail "btape test exited non-zero: $(tail -n 30 "$BACULA_BTAPE_OUT")"
    btape_test_secs=$((SECONDS - t0))
    lab_log "btape test: ${btape_test_secs}s"
    for want in '10000 blocks re-read correctly.' 'The above Bacula scan should have output' \
        'The test autochanger worked!!'; do
        grep -qF "$want" "$BACULA_BTAPE_OUT" || lab_fail "btape test never said '$want': $(tail -n 40 "$BACULA_BTAPE_OUT")"
    done
    for bad in 'Attempting again' 'Append test failed' '!!!!' 'Error' 'ERR=' 'Bad status'; do
        ! grep -qF -- "$bad" "$BACULA_BTAPE_OUT" || lab_fail "btape test said '$bad': $(grep -F -m3 -B3 -A3 -- "$bad" "$BACULA_BTAPE_OUT")"
    done
    # The sample's 451,136 bytes are 7 blocks of 64448 bytes (63 KiB less the block header).
    scan_bytes=$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<< $((7 * (BACULA_BTAPE_BLOCK - 64))))
    grep -q "Total files=4, blocks=7, bytes = $scan_bytes\$" "$BACULA_BTAPE_OUT" \
        || lab_fail "btape's scan after the append test is not the sample's (bytes = $scan_bytes): $(grep -A12 'Bacula scan' "$BACULA_BTAPE_OUT" | head -n 20)"
    tape_expect_inventory drive0=LAB001L8@1
    if [[ $BACULA_FILL != no ]]; then
        bacula__fill
        fill_said=" and fill ${btape_fill_secs}s"
    fi
    # Whatever lock btape's storage code left, so that the changer can move the cartridge on.
    tape_mt "$TAPE_NST0" unlock
    BACULA_SUMMARY="btape test ${btape_test_secs}s${fill_said} clean, autochanger test worked; label barcodes LAB001L8-LAB003L8; full backup of $(du -sh "$BACULA_SRC/full" | cut -f1) on ${vols[*]} (${full_secs}s), incremental of $files files (${incr_secs}s), restore identical (${restore_secs}s)"
}

# bacula__fill: btape fill, the multiple-tape test (sets btape_fill_secs of bacula_body). btape's
# autochanger loads slot 1, fills it with random blocks to the end, loads slot 2 and writes 1000
# blocks more there, then reads back the last block of the first cartridge and the first and
# last of the second. (The single-tape test cannot pass on any drive in Bacula 9.6: after the
# end of the tape btape keeps writing, the storage code refuses each block at EOM as a fatal
# error, and the re-read finds the job canceled.) With the storage daemon's own blocks (63 KiB):
# the re-read first reads 10000 records of 32 KiB, which btape assumes the first tape holds,
# hence the 400 MiB cartridges in slots 1-2 (with 16 MiB ones the read ran on into the second
# tape and MTFSR failed there).
bacula__fill() {
    local t0=$SECONDS want bad
    bacula_btape bacula-sd drive0 $'fill\nm\n\n\n\nquit' btape-fill.txt \
        || lab_fail "btape fill exited non-zero: $(grep -v 'Orphaned buffer' "$BACULA_BTAPE_OUT" | tail -n 30)"
    btape_fill_secs=$((SECONDS - t0))
    lab_log "btape fill: ${btape_fill_secs}s"
    for want in 'Wrote 1000 blocks on second tape. Done.' 'The last block of the first tape matches.' \
        'The first block on the second tape matches.' 'The last block on the second tape matches. Test succeeded.'; do
        grep -qF "$want" "$BACULA_BTAPE_OUT" || lab_fail "btape fill never said '$want': $(grep -v 'Orphaned buffer' "$BACULA_BTAPE_OUT" | tail -n 30)"
    done
    for bad in 'do_unfill failed' 'Error during test' 'Fatal error' 'canceled'; do
        ! grep -qF -- "$bad" "$BACULA_BTAPE_OUT" || lab_fail "btape fill said '$bad': $(grep -F -m3 -B3 -A3 -- "$bad" "$BACULA_BTAPE_OUT")"
    done
}
