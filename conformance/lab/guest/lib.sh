# shellcheck shell=bash
# The kernel lab's guest-side library. A scenario (conformance/lab/scenarios/<name>.sh)
# starts with
#     set -euo pipefail
#     . "$LAB_DIR/guest/lib.sh"
# and ends with `lab_result PASS|FAIL "reason"`. It runs as root inside the guest, with:
#   LAB_OUT        the results share (host: conformance/results/lab/<scenario>/)
#   LAB_DIR        conformance/lab of the checkout the run started from (host path)
#   LUNFORGE_HOME  that checkout (the guest sees the host root at the same paths)
#   LAB_SCENARIO   the scenario's name;  LAB_KVER  the guest kernel's version
# The configfs sequences follow /work/shared/design/KERNEL-LAB.md and TCMU-ABI.md.
#
# Conventions: functions that find something print it on stdout (capture them with
# $(...)); everything meant for people goes to stderr, which is the scenario log. A
# function that cannot do its job ends the scenario with a FAIL verdict and the reason.

LAB_CONFIGFS=/sys/kernel/config/target
LAB_JAVA_HOME=${LAB_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# LAB_PARAM_* variables the host's conformance/lab/run was given.
# shellcheck source=/dev/null
[[ -r "$LAB_OUT/params.env" ]] && . "$LAB_OUT/params.env"

# --- logging and verdicts -------------------------------------------------------------

# lab_log MESSAGE...: a line in the scenario log, stamped with the guest's uptime.
lab_log() {
    local up
    up=$(cut -d' ' -f1 /proc/uptime)
    printf '[%8s] %s\n' "$up" "$*" >&2
}

# lab_result PASS|FAIL REASON: records the scenario's verdict on the results share and
# ends the scenario (exit 0 for PASS, 1 for FAIL). A FAIL already recorded (say by a
# helper running in a subshell) is never overwritten by a later PASS.
lab_result() {
    local verdict="${1:-}" reason="${2:-}"
    if [[ "$verdict" != PASS && "$verdict" != FAIL ]]; then
        reason="lab_result called with '$verdict' (want PASS or FAIL): $reason"
        verdict=FAIL
    fi
    if [[ "$(head -n 1 "$LAB_OUT/result" 2> /dev/null || true)" == FAIL ]]; then
        lab_log "verdict $verdict ($reason) ignored: the scenario already failed"
        exit 1
    fi
    printf '%s\n%s\n' "$verdict" "$reason" > "$LAB_OUT/result"
    lab_log "verdict: $verdict${reason:+ - $reason}"
    [[ "$verdict" == PASS ]] && exit 0
    exit 1
}

# lab_fail REASON: shorthand for lab_result FAIL.
lab_fail() {
    lab_result FAIL "$*"
}

# With `set -e` a failing command ends the scenario; this trap writes which command and
# where, so stage2 can put it into the FAIL reason instead of a bare exit status.
lab__on_err() {
    local status="$1" command="$2"
    # shellcheck disable=SC2016 # the backquotes are literal, they frame the command
    printf '%s:%s: `%s` exited with status %s\n' \
        "$(basename "${BASH_SOURCE[1]:-?}")" "${BASH_LINENO[0]:-?}" "$command" "$status" > "$LAB_OUT/.last-error"
    lab_log "command failed (status $status): $command  [$(basename "${BASH_SOURCE[1]:-?}"):${BASH_LINENO[0]:-?}]"
}
set -E
trap 'lab__on_err "$?" "$BASH_COMMAND"' ERR

# lab_wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; fails the
# scenario with "timed out after SECONDS s waiting for WHAT" otherwise.
lab_wait_for() {
    local timeout="$1" what="$2"
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" > /dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            lab_fail "timed out after ${timeout}s waiting for $what"
        fi
        sleep 0.2
    done
}

# lab_wait_for_log SECONDS WANTED [OTHERWISE]: waits until lunforged.log has a line matching the extended
# regular expression WANTED (status 0), or one matching OTHERWISE, the decision made the other way (status 1), or
# SECONDS pass (status 1). For what the daemon logs after it is ready (the adoption of kernel exports, say).
lab_wait_for_log() {
    local timeout="$1" wanted="$2" otherwise="${3:-}" log="$LAB_OUT/lunforged.log"
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        grep -Eq -- "$wanted" "$log" 2> /dev/null && return 0
        [[ -n "$otherwise" ]] && grep -Eq -- "$otherwise" "$log" 2> /dev/null && return 1
        sleep 0.2
    done
    return 1
}

# lab_require_modules MODULE...: each must be loaded (the initramfs loads them at boot).
lab_require_modules() {
    local m missing=()
    for m in "$@"; do
        [[ -d "/sys/module/${m//-/_}" ]] || missing+=("$m")
    done
    [[ ${#missing[@]} -eq 0 ]] || lab_fail "kernel modules not loaded: ${missing[*]} (see insmod-failures.txt)"
}

# lab_require_commands COMMAND...: each must be on PATH (installed on the host).
lab_require_commands() {
    local c missing=()
    for c in "$@"; do
        command -v "$c" > /dev/null || missing+=("$c")
    done
    [[ ${#missing[@]} -eq 0 ]] || lab_fail "commands missing on the host root: ${missing[*]}"
}

# --- LIO core: dbroot and backstores --------------------------------------------------

# lab_configfs_init: sets LIO's dbroot to /etc/target with pr/ and alua/ in it. Without
# pr/ every PERSISTENT RESERVE OUT fails with NOT READY, and dbroot can only be set
# while no device exists, so every scenario calls this first.
lab_configfs_init() {
    [[ -e "$LAB_CONFIGFS/dbroot" ]] || lab_fail "no $LAB_CONFIGFS/dbroot (configfs or target_core_mod missing)"
    mkdir -p /etc/target/pr /etc/target/alua
    if [[ "$(cat "$LAB_CONFIGFS/dbroot")" != /etc/target ]]; then
        echo /etc/target > "$LAB_CONFIGFS/dbroot" || lab_fail "cannot set dbroot (a device already exists?)"
    fi
}

# lab__apply_options DEVDIR PHASE OPTION...: OPTION is control.KEY=VALUE (written to
# DEVDIR/control, PHASE=control, before enable), attrib.KEY=VALUE (DEVDIR/attrib/KEY) or
# wwn.KEY=VALUE (DEVDIR/wwn/KEY, e.g. wwn.vpd_unit_serial), both PHASE=after, after enable.
lab__apply_options() {
    local dir="$1" phase="$2" opt key value
    shift 2
    for opt in "$@"; do
        key="${opt%%=*}"
        value="${opt#*=}"
        case "$phase:$key" in
            control:control.*) echo "${key#control.}=$value" > "$dir/control" \
                || lab_fail "$dir/control rejected ${key#control.}=$value" ;;
            after:attrib.* | after:wwn.*) echo "$value" > "$dir/${key%%.*}/${key#*.}" \
                || lab_fail "$dir/${key%%.*}/${key#*.} rejected $value" ;;
            control:attrib.* | control:wwn.* | after:control.*) ;;
            *) lab_fail "unknown backstore option '$opt' (want control.KEY=VALUE, attrib.KEY=VALUE or wwn.KEY=VALUE)" ;;
        esac
    done
}

# lab__unit_serial DEVDIR OPTION...: gives the device a T10 unit serial number unless the
# options set one. LIO has none by default, and without it the device reports no VPD
# pages at all (0x80 and 0x83 are missing from page 0): the kernel initiator then finds
# no device identifiers and scsi_dh_alua no target port group, so multipath cannot attach
# its ALUA handler. targetcli sets a UUID for the same reason. Derived from the device's
# configfs path so that a scenario's identifiers are the same on every run.
lab__unit_serial() {
    local dir="$1" opt sum
    shift
    for opt in "$@"; do
        [[ "$opt" == wwn.vpd_unit_serial=* ]] && return 0
    done
    sum=$(printf '%s' "${dir#"$LAB_CONFIGFS"/core/}" | md5sum)
    echo "${sum:0:8}-${sum:8:4}-${sum:12:4}-${sum:16:4}-${sum:20:12}" > "$dir/wwn/vpd_unit_serial" \
        || lab_fail "cannot set $dir/wwn/vpd_unit_serial"
}

# lab_tcmu_create NAME DEV_CONFIG [SIZE_BYTES [BLOCK_SIZE]] [control.K=V...] [attrib.K=V... wwn.K=V...]
# Creates the TCMU user backstore core/user_1/NAME with dev_config DEV_CONFIG
# ("<subtype>/<handler config>"), size (default 64 MiB) and block size (default 512),
# applies the control.* options before enable (max_data_area_mb, cmd_ring_size_mb, ...)
# and the attrib.* / wwn.* options after it (tmr_notification, cmd_time_out, ...; all
# before any export, which cmd_time_out requires), gives it a unit serial (see
# lab__unit_serial), and prints the /dev/uioN that appeared for it.
# Export it (lab_loop_export, lab_iscsi_lun) only once a daemon serves that uio device:
# until then every command the kernel queues waits for cmd_time_out.
lab_tcmu_create() {
    local name="$1" config="$2"
    shift 2
    local size=67108864 block=512
    if [[ $# -gt 0 && "$1" != *=* ]]; then size="$1"; shift; fi
    if [[ $# -gt 0 && "$1" != *=* ]]; then block="$1"; shift; fi
    local dir="$LAB_CONFIGFS/core/user_1/$name"
    [[ -e "$dir" ]] && lab_fail "TCMU backstore user_1/$name already exists"
    mkdir -p "$dir" || lab_fail "cannot create $dir (target_core_user loaded?)"
    echo "dev_config=$config" > "$dir/control" || lab_fail "dev_config=$config rejected"
    echo "dev_size=$size" > "$dir/control" || lab_fail "dev_size=$size rejected"
    echo "hw_block_size=$block" > "$dir/control" || lab_fail "hw_block_size=$block rejected"
    lab__apply_options "$dir" control "$@"
    echo 1 > "$dir/enable" || lab_fail "cannot enable user_1/$name"
    lab__unit_serial "$dir" "$@"
    lab__apply_options "$dir" after "$@"
    lab_wait_for 10 "the uio device of user_1/$name" lab_tcmu_uio "$name"
    lab_tcmu_uio "$name"
}

# lab_tcmu_uio NAME: prints /dev/uioN of the user backstore NAME (its sysfs name is
# tcm-user/1/NAME/<dev_config>); fails (status 1, no verdict) when there is none yet.
lab_tcmu_uio() {
    local n
    for n in /sys/class/uio/uio*; do
        [[ -r "$n/name" ]] || continue
        if [[ "$(cat "$n/name")" == "tcm-user/1/$1/"* ]] && [[ -c "/dev/$(basename "$n")" ]]; then
            echo "/dev/$(basename "$n")"
            return 0
        fi
    done
    return 1
}

# lab_tcmu_remove NAME: removes core/user_1/NAME (unexport it first).
lab_tcmu_remove() {
    rmdir "$LAB_CONFIGFS/core/user_1/$1" || lab_fail "cannot remove user_1/$1 (still exported?)"
}

# lab_fileio_create NAME FILE [SIZE_BYTES] [control.K=V...] [attrib.K=V... wwn.K=V...]: LIO's own
# file backstore core/fileio_0/NAME over FILE (created sparse, default 256 MiB; put it in
# /tmp, which is guest RAM). Its path for the export functions is fileio_0/NAME.
lab_fileio_create() {
    local name="$1" file="$2"
    shift 2
    local size=268435456
    if [[ $# -gt 0 && "$1" != *=* ]]; then size="$1"; shift; fi
    local dir="$LAB_CONFIGFS/core/fileio_0/$name"
    [[ -e "$dir" ]] && lab_fail "fileio backstore fileio_0/$name already exists"
    truncate -s "$size" "$file"
    mkdir -p "$dir"
    echo "fd_dev_name=$file,fd_dev_size=$size" > "$dir/control" || lab_fail "fileio control rejected for $file"
    lab__apply_options "$dir" control "$@"
    echo 1 > "$dir/enable" || lab_fail "cannot enable fileio_0/$name"
    lab__unit_serial "$dir" "$@"
    lab__apply_options "$dir" after "$@"
}

# --- tcm_loop: a backstore as a local SCSI device -------------------------------------

# lab_loop_export BACKSTORE [LUN]: exports core/BACKSTORE (e.g. user_1/dev0) as LUN
# (default 0) of the lab's one tcm_loop target (one SCSI host), waits for the kernel to
# scan it and prints its H:C:T:L. Find /dev nodes with lab_scsi_dev.
lab_loop_export() {
    local backstore="$1" lun="${2:-0}"
    local wwn=naa.5001405000000001 nexus=naa.5001405000000002
    local tpg="$LAB_CONFIGFS/loopback/$wwn/tpgt_1"
    [[ -e "$LAB_CONFIGFS/core/$backstore" ]] || lab_fail "no backstore core/$backstore"
    mkdir -p "$tpg/lun/lun_$lun" || lab_fail "cannot create tcm_loop LUN $lun (tcm_loop loaded?)"
    if [[ -z "$(cat "$tpg/nexus" 2> /dev/null)" ]]; then
        echo "$nexus" > "$tpg/nexus" || lab_fail "cannot create the tcm_loop nexus"
    fi
    ln -s "$LAB_CONFIGFS/core/$backstore" "$tpg/lun/lun_$lun/$(basename "$backstore")" \
        || lab_fail "cannot link core/$backstore into tcm_loop LUN $lun"
    # tpgt_1/address is host:channel:target of the SCSI host tcm_loop made for the nexus.
    local address hctl
    address=$(cat "$tpg/address")
    hctl="$address:$lun"
    lab_wait_for 30 "SCSI device $hctl (tcm_loop LUN $lun)" test -e "/sys/bus/scsi/devices/$hctl"
    echo "$hctl"
}

# lab_loop_unexport BACKSTORE [LUN]: removes the LUN again (the SCSI device goes away).
lab_loop_unexport() {
    local backstore="$1" lun="${2:-0}"
    local tpg="$LAB_CONFIGFS/loopback/naa.5001405000000001/tpgt_1"
    rm -f "$tpg/lun/lun_$lun/$(basename "$backstore")"
    rmdir "$tpg/lun/lun_$lun" || lab_fail "cannot remove tcm_loop LUN $lun"
}

# lab_loop_hctl WWN [LUN]: prints the H:C:T:L of LUN (default 0) of the tcm_loop target
# loopback/WWN/tpgt_1 that someone else made (lunforged, from its loopback_targets),
# waiting up to 60 s for the target, its nexus and the kernel's scan of the LUN.
lab_loop_hctl() {
    local wwn="$1" lun="${2:-0}" tpg
    tpg="$LAB_CONFIGFS/loopback/$1/tpgt_1"
    lab_wait_for 60 "tcm_loop target $wwn with a nexus" lab__loop_has_nexus "$tpg"
    local hctl
    hctl="$(cat "$tpg/address"):$lun"
    lab_wait_for 60 "SCSI device $hctl (tcm_loop $wwn LUN $lun)" test -e "/sys/bus/scsi/devices/$hctl"
    echo "$hctl"
}

lab__loop_has_nexus() {
    [[ -n "$(cat "$1/nexus" 2> /dev/null)" && -e "$1/lun/lun_0" ]]
}

# lab_scsi_dev H:C:T:L KIND: prints the /dev node the kernel's upper-level driver made
# for that SCSI device, waiting up to 30 s for the driver to bind. KIND is one of
#   disk (/dev/sdX), tape (/dev/stN), ntape (/dev/nstN, no rewind), changer (/dev/schN),
#   sg (/dev/sgN).
# The driver that binds follows the peripheral device type of the device's INQUIRY.
lab_scsi_dev() {
    local hctl="$1" kind="$2" sys="/sys/bus/scsi/devices/$1" class pattern prefix=""
    case "$kind" in
        disk) class=block pattern='sd*' ;;
        tape) class=scsi_tape pattern='st[0-9]*' ;;
        ntape) class=scsi_tape pattern='nst[0-9]*' ;;
        changer) class=scsi_changer pattern='sch[0-9]*' ;;
        sg) class=scsi_generic pattern='sg[0-9]*' ;;
        *) lab_fail "lab_scsi_dev: unknown kind '$kind'" ;;
    esac
    lab_wait_for 30 "a $kind node for SCSI device $hctl" lab__scsi_node "$sys/$class" "$pattern"
    prefix=$(lab__scsi_node "$sys/$class" "$pattern")
    echo "/dev/$prefix"
}

lab__scsi_node() {
    local dir="$1" pattern="$2" f b
    for f in "$dir"/$pattern; do
        b=$(basename "$f")
        # st makes st0, st0l, st0m, st0a (and nst*): the plain name is the one we mean.
        [[ "$b" =~ ^(sd[a-z]+|n?st[0-9]+|sch[0-9]+|sg[0-9]+)$ ]] || continue
        [[ -e "/dev/$b" ]] || continue
        echo "$b"
        return 0
    done
    return 1
}

# --- LIO's iSCSI fabric --------------------------------------------------------------

# lab_iscsi_target IQN PORTAL...: creates iSCSI target IQN with TPG 1 listening on each
# PORTAL (ADDRESS:PORT, default 127.0.0.1:3260), open to any initiator (generated node
# ACLs, no authentication, writable), and enables it. Add LUNs with lab_iscsi_lun.
lab_iscsi_target() {
    local iqn="$1"
    shift
    [[ $# -gt 0 ]] || set -- 127.0.0.1:3260
    local tpg="$LAB_CONFIGFS/iscsi/$iqn/tpgt_1" portal
    mkdir -p "$tpg" || lab_fail "cannot create iSCSI target $iqn (iscsi_target_mod loaded?)"
    for portal in "$@"; do
        mkdir "$tpg/np/$portal" || lab_fail "cannot open portal $portal for $iqn"
    done
    echo 0 > "$tpg/attrib/authentication"
    echo 1 > "$tpg/attrib/generate_node_acls"
    echo 1 > "$tpg/attrib/cache_dynamic_acls"
    echo 0 > "$tpg/attrib/demo_mode_write_protect"
    echo 1 > "$tpg/enable" || lab_fail "cannot enable iSCSI target $iqn"
}

# lab_iscsi_lun IQN LUN BACKSTORE: maps core/BACKSTORE (e.g. fileio_0/disk0 or
# user_1/dev0) as LUN of the iSCSI target's TPG 1.
lab_iscsi_lun() {
    local iqn="$1" lun="$2" backstore="$3"
    local dir="$LAB_CONFIGFS/iscsi/$iqn/tpgt_1/lun/lun_$lun"
    [[ -e "$LAB_CONFIGFS/core/$backstore" ]] || lab_fail "no backstore core/$backstore"
    mkdir -p "$dir" || lab_fail "cannot create LUN $lun of $iqn"
    ln -s "$LAB_CONFIGFS/core/$backstore" "$dir/$(basename "$backstore")" \
        || lab_fail "cannot link core/$backstore into LUN $lun of $iqn"
}

# lab_loopback_address ADDRESS: adds ADDRESS (e.g. 127.0.0.2) to lo, for a second portal.
lab_loopback_address() {
    ip -o addr show dev lo | grep -q " $1/" || ip addr add "$1/32" dev lo \
        || lab_fail "cannot add $1 to lo"
}

# --- the initiator side: udev, open-iscsi, dm-multipath --------------------------------

# lab_udev_start: systemd-udevd, so /dev/disk/by-* links and multipath's udev data exist.
lab_udev_start() {
    [[ -S /run/udev/control ]] && return 0
    local udevd
    for udevd in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
        [[ -x "$udevd" ]] && break
    done
    [[ -x "$udevd" ]] || lab_fail "systemd-udevd not found (install udev)"
    "$udevd" --daemon || lab_fail "systemd-udevd did not start"
    # Only the SCSI side: a full trigger makes udev modprobe drivers for every emulated PC
    # device (ata_piix, floppy, kvm, ...), which costs tens of seconds under TCG.
    udevadm trigger --action=add --subsystem-match=scsi --subsystem-match=block \
        --subsystem-match=scsi_generic --subsystem-match=scsi_tape --subsystem-match=scsi_changer \
        --subsystem-match=scsi_device --subsystem-match=scsi_disk --subsystem-match=uio
    udevadm settle --timeout=30 || lab_log "udevadm settle timed out (continuing)"
}

# lab_iscsid_start [INITIATOR_IQN]: starts iscsid with Debian's config adjusted for a
# system without systemd (iscsid.startup) and with a short replacement_timeout, so a lost
# path fails over in seconds.
# shellcheck disable=SC2120 # the initiator name is optional
lab_iscsid_start() {
    local initiator="${1:-iqn.2005-03.org.open-iscsi:lab}"
    lab_require_commands iscsiadm iscsid
    lab_udev_start
    echo "InitiatorName=$initiator" > /etc/iscsi/initiatorname.iscsi
    sed -i 's|^iscsid.startup = .*|iscsid.startup = /sbin/iscsid|;
            s|^node.session.timeo.replacement_timeout = .*|node.session.timeo.replacement_timeout = 5|' \
        /etc/iscsi/iscsid.conf
    mkdir -p /run/lock/iscsi
    pgrep -x iscsid > /dev/null || iscsid || lab_fail "iscsid did not start"
    # iscsiadm -m session exits 21 (no sessions) once iscsid answers on its socket.
    lab_wait_for 20 "iscsid to answer" lab__iscsid_answers
}

lab__iscsid_answers() {
    local status=0
    iscsiadm -m session > /dev/null 2>&1 || status=$?
    [[ $status -eq 0 || $status -eq 21 ]]
}

# lab_iscsi_login IQN PORTAL: discovers PORTAL (sendtargets), logs in to IQN through it,
# waits for the session's LUNs to be scanned and prints their H:C:T:L, one a line.
lab_iscsi_login() {
    local iqn="$1" portal="$2"
    iscsiadm -m discovery -t sendtargets -p "$portal" >&2 || lab_fail "iSCSI discovery at $portal failed"
    iscsiadm -m node -T "$iqn" -p "$portal" --login >&2 || lab_fail "iSCSI login to $iqn at $portal failed"
    lab_wait_for 30 "a LUN in the session to $iqn at $portal" lab_iscsi_session_luns "$iqn" "$portal"
    udevadm settle --timeout=30 || true
    lab_iscsi_session_luns "$iqn" "$portal"
}

# lab_iscsi_session_luns IQN PORTAL: prints H:C:T:L of each SCSI device of the session
# to IQN at PORTAL; fails (status 1, no verdict) when there is none.
lab_iscsi_session_luns() {
    local iqn="$1" portal="$2" s conn found=1 dev ours
    local address="${portal%:*}" port="${portal##*:}"
    for s in /sys/class/iscsi_session/session*; do
        [[ -e "$s/targetname" && "$(cat "$s/targetname")" == "$iqn" ]] || continue
        ours=0
        for conn in /sys/class/iscsi_connection/connection"${s##*session}":*; do
            [[ "$(cat "$conn/persistent_address" 2> /dev/null || true)" == "$address" ]] || continue
            [[ "$(cat "$conn/persistent_port" 2> /dev/null || true)" == "$port" ]] || continue
            ours=1
        done
        ((ours)) || continue
        for dev in "$(readlink -f "$s/device")"/target*/*:*:*:*; do
            [[ -e "$dev" ]] || continue
            basename "$dev"
            found=0
        done
    done
    return "$found"
}

# lab_multipathd_start [SETTING...]: dm-multipath with every SCSI disk a path candidate
# (find_multipaths no: a single-path LUN still gets a map, as the lab wants to see it)
# and fast path checking; each SETTING (`no_path_retry queue`) is one more line of its
# defaults section. Needs udevd (started here if it is not running).
lab_multipathd_start() {
    lab_require_commands multipath multipathd
    lab_udev_start
    {
        echo "defaults {"
        printf '    %s\n' "user_friendly_names yes" "find_multipaths no" "polling_interval 2" "$@"
        echo "}"
    } > /etc/multipath.conf
    pgrep -x multipathd > /dev/null || multipathd || lab_fail "multipathd did not start"
    lab_wait_for 20 "multipathd to answer" multipathd show status
}

# lab_multipath_paths MAP: prints the number of paths multipathd has for MAP (mpatha, ...).
lab_multipath_paths() {
    multipathd show paths format '%m %d' 2> /dev/null | awk -v m="$1" '$1 == m {n++} END {print n + 0}'
}

# --- libiscsi's conformance suite ----------------------------------------------------

# lab_test_cu NAME URL [ARG...]: runs iscsi-test-cu URL ARG... (for example
# `--dataloss --test=ALL`), line-buffered so its stdout and stderr do not interleave
# mid-line, keeping the raw output as $LAB_OUT/NAME.log. Writes $LAB_OUT/NAME.tsv
# ("FAMILY.Suite.Test<TAB>PASS|FAIL|SKIP", one test a line, sorted) and NAME.notes.tsv
# (the same plus the test's first [SKIPPED]/[FAILED] note), and prints
# "pass=N fail=N skip=N total=N". Returns 0 when the suite ran to its end (CUnit's
# "Run Summary" was printed and no test the run selected is missing from the output),
# non-zero otherwise; a run where tests FAIL still returns 0: judging is the caller's.
lab_test_cu() {
    local name="$1" url="$2"
    shift 2
    lab_require_commands iscsi-test-cu stdbuf
    local log="$LAB_OUT/$name.log" family=ALL arg status=0
    for arg in "$@"; do
        case "$arg" in
            --test=*) family="${arg#--test=}" ;;
        esac
    done
    # The tests the run should report, as --list names them (FAMILY.Suite.Test).
    iscsi-test-cu --list | awk -F. -v sel="$family" 'NF == 3 && (index($0, sel ".") == 1 || $0 == sel)' \
        > "$LAB_OUT/$name.expected"
    lab_log "iscsi-test-cu $* $url ($(wc -l < "$LAB_OUT/$name.expected") tests)"
    stdbuf -oL -eL iscsi-test-cu "$@" "$url" > "$log" 2>&1 || status=$?
    lab_log "iscsi-test-cu exited with status $status"
    lab_test_cu_parse "$log" "${family%%.*}" "$LAB_OUT/$name.expected" > "$LAB_OUT/$name.notes.tsv"
    cut -f1,2 "$LAB_OUT/$name.notes.tsv" > "$LAB_OUT/$name.tsv"
    local counts
    counts=$(awk -F'\t' '{n[$2]++; t++} END {printf "pass=%d fail=%d skip=%d total=%d", n["PASS"], n["FAIL"], n["SKIP"], t}' \
        "$LAB_OUT/$name.tsv")
    echo "$counts"
    if ((status > 128)); then
        lab_log "iscsi-test-cu died from signal $((status - 128))"
        return 1
    fi
    grep -q '^Run Summary:' "$log" || { lab_log "iscsi-test-cu printed no Run Summary"; return 1; }
    if grep -q $'\tFAIL\tnot reported' "$LAB_OUT/$name.notes.tsv"; then
        lab_log "tests missing from iscsi-test-cu's output: $(grep -c $'\tnot reported' "$LAB_OUT/$name.notes.tsv")"
        return 1
    fi
    return 0
}

# lab_test_cu_parse LOG FAMILY [EXPECTED]: turns iscsi-test-cu 1.19's CUnit output into
# "FAMILY.Suite.Test<TAB>VERDICT<TAB>NOTE" lines, sorted. What the output looks like:
#     Suite: Read10
#       Test: Simple ...passed
#       Test: DpoFua ...    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
#         [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
#     passed
#       Test: Miscompare ...    [FAILED] COMPAREANDWRITE failed with wrong sense. ...
#     FAILED
#         1. test_compareandwrite_miscompare.c:73  - CU_ASSERT_EQUAL(_r,0)
# Notes follow "Test: X ..." on the same line or on the next ones, and the verdict word
# ("passed" or "FAILED") ends the test's block. CUnit counts a test that skipped itself
# as passed; here a "passed" test with a [SKIPPED] note is SKIP. Tests named in EXPECTED
# (one FAMILY.Suite.Test a line) but absent from the output are FAIL "not reported".
lab_test_cu_parse() {
    local log="$1" family="$2" expected="${3:-/dev/null}"
    awk -v fam="$family" -v expected="$expected" '
        function finish(verdict) {
            if (test == "") return
            if (verdict == "FAIL") v = "FAIL"
            else if (skipped) v = "SKIP"
            else v = "PASS"
            result[fam "." suite "." test] = v "\t" note
            test = ""
        }
        function take_note(text) {
            if (text ~ /\[SKIPPED\]/) skipped = 1
            if (note == "" && text ~ /\[(SKIPPED|FAILED)\]/) {
                sub(/^[ \t]+/, "", text)
                gsub(/\t/, " ", text)
                note = text
            }
        }
        { sub(/\r$/, "") }
        /^Suite: / { finish("none"); suite = substr($0, 8); next }
        /^  Test: / {
            finish("none")
            rest = substr($0, 9)
            i = index(rest, " ...")
            test = substr(rest, 1, i - 1)
            rest = substr(rest, i + 4)
            skipped = 0; note = ""
            take_note(rest)
            if (rest ~ /(^|[ \t])passed$/) finish("PASS")
            else if (rest ~ /(^|[ \t])FAILED$/) finish("FAIL")
            next
        }
        /^Run Summary:/ { finish("none"); next }
        test != "" {
            if ($0 == "passed") { finish("PASS"); next }
            if ($0 == "FAILED") { finish("FAIL"); next }
            take_note($0)
        }
        END {
            finish("none")
            while ((getline name < expected) > 0)
                if (!(name in result)) result[name] = "FAIL\tnot reported"
            for (name in result) print name "\t" result[name]
        }
    ' "$log" | LC_ALL=C sort
}

# --- lunforge itself ---------------------------------------------------------------

# lab_lunforged_java_opts: the JVM options lunforged starts with in the guest, printed on
# one line: $LAB_LUNFORGED_JAVA_OPTS if set (a benchmark wants C2 and its own GC), else
# options for a fast start on a slow, emulated CPU where the JVM's start dominates:
#   -XX:TieredStopAtLevel=1  C1 only: no C2 compiler threads competing with the daemon;
#   -XX:+UseSerialGC         no parallel GC threads to start, a small heap to set up;
#   -XX:SharedArchiveFile + -XX:+AutoCreateSharedArchive  an AppCDS archive of lunforge's
#       classes (on top of the JDK's own), written when a daemon exits cleanly and used by
#       every later start; the JVM makes it again when the jar changes. It lives on the
#       writable share conformance/lab/work/jvm (mounted on /lab/jvm), so it outlives the
#       guest; without that share the daemon runs with the JDK's archive only.
lab_lunforged_java_opts() {
    if [[ -n "${LAB_LUNFORGED_JAVA_OPTS:-}" ]]; then
        echo "$LAB_LUNFORGED_JAVA_OPTS"
        return 0
    fi
    local opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    if lab__jvm_cache; then
        opts+=" -XX:SharedArchiveFile=$LAB_JVM_CACHE/lunforged.jsa -XX:+AutoCreateSharedArchive -Xlog:cds=error"
    fi
    echo "$opts"
}

LAB_JVM_CACHE=/lab/jvm

# lab__jvm_cache: mounts the share labjvm (the host's conformance/lab/work/jvm) on
# $LAB_JVM_CACHE unless it is mounted; fails (no verdict) if the guest has no such share.
lab__jvm_cache() {
    mountpoint -q "$LAB_JVM_CACHE" && return 0
    mkdir -p "$LAB_JVM_CACHE" 2> /dev/null || return 1
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 labjvm "$LAB_JVM_CACHE" 2> /dev/null
}

# lab_start_lunforged CONFIG_FILE [--port PORT|ADDRESS:PORT]... [--uio NAME]... [--timeout SECONDS] [--log NAME]
# Starts lunforged (the JVM on $LUNFORGE_HOME/server/target/lunforge-server.jar, which
# conformance/lab/run builds on the host before the guest boots) with --config CONFIG_FILE
# in the background, its output in $LAB_OUT/lunforged.log (or $LAB_OUT/NAME.log: several
# daemons at once), and waits until it serves: each --port must be a listening TCP port
# (on that address, if one is given), each --uio NAME (a backstore name, as in
# tcm-user/1/NAME/...) must be a /dev/uioN held open by some process (uio opens once at a
# time, so the holder is the daemon). With neither, it waits for the daemon's own process
# tree to listen on any TCP port or hold any /dev/uioN. Sets LAB_LUNFORGED_PID. Fails the
# scenario, with the tail of the daemon's log, if it exits first or is not ready in time
# (default 120 s). The JVM runs with $LAB_LUNFORGED_JAVA_OPTS (see lab_lunforged_java_opts).
lab_start_lunforged() {
    lab_spawn_lunforged "$@"
    lab_await_lunforged "$LAB_LUNFORGED_PID" "$@"
}

# lab_spawn_lunforged CONFIG_FILE [OPTION]...: the first half of lab_start_lunforged (same
# options): starts the daemon and sets LAB_LUNFORGED_PID without waiting, so that several
# daemons start at once; lab_await_lunforged PID CONFIG_FILE [OPTION]... is the second half.
lab_spawn_lunforged() {
    local config="$1" log="$LAB_OUT/lunforged.log"
    shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --port | --uio | --timeout) shift 2 ;;
            --log) log="$LAB_OUT/$2.log"; shift 2 ;;
            *) lab_fail "lab_start_lunforged: unknown option '$1'" ;;
        esac
    done
    local jar="$LUNFORGE_HOME/server/target/lunforge-server.jar" opts
    [[ -r "$jar" ]] || lab_fail "$jar is missing (conformance/lab/run builds it on the host before booting)"
    [[ -r "$config" ]] || lab_fail "lunforged config $config is not readable"
    [[ -x "$LAB_JAVA_HOME/bin/java" ]] || lab_fail "no JDK at $LAB_JAVA_HOME"
    opts=$(lab_lunforged_java_opts)
    lab_log "starting lunforged --config $config (java $opts)"
    # Not bin/lunforged: its JDK probe starts a JVM of its own and its staleness check walks
    # the checkout over 9p, which under TCG costs as much as the daemon's own start. In a
    # session (and process group) of its own, so lab_stop_lunforged signals all of it.
    # shellcheck disable=SC2086 # opts are words
    setsid "$LAB_JAVA_HOME/bin/java" $opts --enable-native-access=ALL-UNNAMED -jar "$jar" --config "$config" \
        > "$log" 2>&1 < /dev/null &
    LAB_LUNFORGED_PID=$!
}

lab_await_lunforged() {
    local pid="$1" ports=() uios=() timeout=120 log="$LAB_OUT/lunforged.log"
    shift 2
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --port) ports+=("$2"); shift 2 ;;
            --uio) uios+=("$2"); shift 2 ;;
            --timeout) timeout="$2"; shift 2 ;;
            --log) log="$LAB_OUT/$2.log"; shift 2 ;;
            *) lab_fail "lab_start_lunforged: unknown option '$1'" ;;
        esac
    done
    local deadline=$((SECONDS + timeout)) t0=$SECONDS waited_for=""
    [[ ${#ports[@]} -gt 0 ]] && waited_for+="TCP port ${ports[*]} listening; "
    [[ ${#uios[@]} -gt 0 ]] && waited_for+="uio of ${uios[*]} held open; "
    waited_for="${waited_for:-any TCP port or uio device of its own}"
    while ! lab__lunforged_ready "$pid" "${#ports[@]}" "${ports[@]}" "${uios[@]}"; do
        if ! kill -0 "$pid" 2> /dev/null; then
            local status=0
            wait "$pid" || status=$?
            lab__show_tail "$log"
            lab_fail "lunforged exited with status $status before it was ready"
        fi
        if ((SECONDS >= deadline)); then
            lab__show_tail "$log"
            lab_fail "lunforged was not ready after ${timeout}s (waited for: $waited_for)"
        fi
        sleep 0.2
    done
    # The JVM says when it cannot use the archive (a new jar: it makes the archive again when the daemon exits).
    local archive="no class archive of lunforge's"
    if grep -q 'Unable to use shared archive' "$log"; then
        archive="its class archive is stale; the JVM makes it again when the daemon exits"
    elif grep -q 'lunforged\.jsa$' "/proc/$pid/maps" 2> /dev/null; then
        archive="with its class archive"
    fi
    lab_log "lunforged (pid $pid) ready after $((SECONDS - t0))s, $archive"
}

# lab_stop_lunforged: SIGTERM to the daemon's process group, SIGKILL to what is left
# after 15 s; returns the launcher's exit status (143 = ended by the SIGTERM).
lab_stop_lunforged() {
    [[ -n "${LAB_LUNFORGED_PID:-}" ]] || return 0
    local i status=0 group="$LAB_LUNFORGED_PID"
    kill -TERM -- "-$group" 2> /dev/null || true
    for ((i = 0; i < 75; i++)); do
        kill -0 -- "-$group" 2> /dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$group" 2> /dev/null || true
    wait "$LAB_LUNFORGED_PID" || status=$?
    LAB_LUNFORGED_PID=""
    return "$status"
}

lab__show_tail() {
    [[ -s "$1" ]] || return 0
    lab_log "--- last lines of $1:"
    tail -n 30 "$1" | sed 's/^/    | /' >&2
}

# lab__lunforged_ready PID NPORTS PORT... NAME...
lab__lunforged_ready() {
    local pid="$1" nports="$2"
    shift 2
    local ports=("${@:1:nports}") uios=("${@:nports+1}") p u dev tree
    if [[ ${#ports[@]} -eq 0 && ${#uios[@]} -eq 0 ]]; then
        tree=$(lab__process_tree "$pid")
        lab__tree_listens "$tree" && return 0
        lab__tree_holds_uio "$tree" && return 0
        return 1
    fi
    for p in "${ports[@]}"; do
        if [[ $p == *:* ]]; then
            [[ -n "$(ss -Hltn "src ${p%:*} and sport = :${p##*:}" 2> /dev/null)" ]] || return 1
        else
            [[ -n "$(ss -Hltn "sport = :$p" 2> /dev/null)" ]] || return 1
        fi
    done
    for u in "${uios[@]}"; do
        dev=$(lab_tcmu_uio "$u") || return 1
        lab__uio_held "$dev" || return 1
    done
    return 0
}

# lab__process_tree PID: PID and all its descendants, space separated (the launcher
# script may run java as a child rather than exec it).
lab__process_tree() {
    local tree=" $1 " grew=1 stat pid rest ppid fields
    while ((grew)); do
        grew=0
        for stat in /proc/[0-9]*/stat; do
            read -r rest 2> /dev/null < "$stat" || continue
            pid="${rest%% *}"
            # The command name (field 2) may hold spaces; the fields after its ")" do not.
            read -r -a fields <<< "${rest##*) }"
            ppid="${fields[1]}"
            if [[ "$tree" == *" $ppid "* && "$tree" != *" $pid "* ]]; then
                tree+="$pid "
                grew=1
            fi
        done
    done
    echo "$tree"
}

lab__tree_listens() {
    local pid
    for pid in $1; do
        ss -Hltnp 2> /dev/null | grep -q "pid=$pid," && return 0
    done
    return 1
}

# One find per check, not a readlink per descriptor: a JVM holds hundreds of them and
# forks are slow under TCG.
lab__tree_holds_uio() {
    local pid dirs=()
    for pid in $1; do
        dirs+=("/proc/$pid/fd")
    done
    [[ -n "$(find "${dirs[@]}" -maxdepth 1 -lname '/dev/uio*' -print -quit 2> /dev/null)" ]]
}

lab__uio_held() {
    [[ -n "$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" -print -quit 2> /dev/null)" ]]
}
