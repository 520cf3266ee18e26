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

# bacula_write_configs: the four configuration files, for the nodes tape_login found.
bacula_write_configs() {
    mkdir -p "$BACULA_WORK" "$BACULA_RUN" /var/lib/bacula
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
  append = "$LAB_OUT/bacula.log" = all, !skipped
  catalog = all
}
Messages {
  Name = Daemon
  console = all, !skipped, !saved
  append = "$LAB_OUT/bacula.log" = all, !skipped
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
        $BACULA_ETC/bacula-fd.conf "$LAB_OUT/"
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
        "/usr/sbin/bacula-$d" -c "$BACULA_ETC/bacula-$d.conf" > "$LAB_OUT/bacula-$d.out" 2>&1 \
            || lab_fail "bacula-$d did not start: $(cat "$LAB_OUT/bacula-$d.out")"
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
    printf '>>> %s\n%s\n' "$1" "$out" >> "$LAB_OUT/bconsole.log"
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
        || lab_fail "$2: job $1 did not end OK:"$'\n'"$out"$'\n'"$(tail -n 40 "$LAB_OUT/bacula.log" 2> /dev/null)"
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
# be running) reading INPUT; its output goes to $LAB_OUT/NAME as it comes (a budget that runs
# out still leaves it) and its path is BACULA_BTAPE_OUT.
bacula_btape() {
    local status=0
    BACULA_BTAPE_OUT="$LAB_OUT/$4"
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
