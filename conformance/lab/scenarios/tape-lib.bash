# shellcheck shell=bash
# Helpers the tape-* scenarios share (sourced after guest/lib.sh; not a scenario itself:
# `run all` only picks up *.sh). A library of lunforge's and the st/ch/sg nodes the kernel
# made for it, served by TAPE_TRANSPORT: "iscsi" (the default: lunforge's own iSCSI target on
# the guest's loopback, open-iscsi logs in) or "tcmu" (three TCMU user backstores, changer
# and drives, exported as LUNs 0-2 of one tcm_loop target TAPE_LOOP_WWN). A scenario body
# that only uses tape_write_config, tape_start_lunforged and tape_login runs over either.
#
# After tape_login: TAPE_CHANGER_SG (/dev/sgN of LUN 0, for mtx), TAPE_SCH (/dev/schN),
# TAPE_ST0/TAPE_NST0 (drive0, LUN 1), TAPE_ST1/TAPE_NST1 (drive1, LUN 2), TAPE_HCTL_*.

TAPE_IQN=iqn.2026-11.org.lunforge:lab-vtl
TAPE_PORTAL=127.0.0.1:3260
TAPE_LOOP_WWN=${TAPE_LOOP_WWN:-naa.5001405000000021}
# Over TCMU: the kernel's timeout for a command the daemon holds (cmd_time_out, seconds), and
# whether the daemon leaves its configfs objects for the next one (persist_kernel_exports).
TAPE_TCMU_CMD_TIME_OUT=${TAPE_TCMU_CMD_TIME_OUT:-60}
TAPE_TCMU_PERSIST=${TAPE_TCMU_PERSIST:-false}

# tape_use_transport iscsi|tcmu: what the next tape_write_config, tape_start_lunforged and
# tape_login serve the library by (one guest may serve it one way, then the other).
tape_use_transport() {
    TAPE_TRANSPORT="$1"
    case "$TAPE_TRANSPORT" in
        iscsi) ;;
        tcmu)
            lab_require_modules target_core_user tcm_loop st ch sg
            lab_configfs_init
            ;;
        *) lab_fail "TAPE_TRANSPORT is '$TAPE_TRANSPORT', not iscsi or tcmu" ;;
    esac
}
tape_use_transport "${TAPE_TRANSPORT:-iscsi}"
# Under TCG on a loaded host the daemon's JVM takes one to three minutes to serve; C1 alone
# and the serial collector spend less of the guest's CPU on getting there.
export LUNFORGE_JAVA_OPTS="${LUNFORGE_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
TAPE_START_TIMEOUT=${TAPE_START_TIMEOUT:-300}
TAPE_DISCOVERY_TIMEOUT=${TAPE_DISCOVERY_TIMEOUT:-150}

# tape_start_lunforged CONFIG: lab_start_lunforged with the library's portal (iscsi) or its
# three uio devices (tcmu) and the time budget; its log is $LAB_OUT/lunforged.log, or
# $LAB_OUT/$TAPE_LUNFORGED_LOG.log if that is set.
tape_start_lunforged() {
    local log=()
    [[ -n "${TAPE_LUNFORGED_LOG:-}" ]] && log=(--log "$TAPE_LUNFORGED_LOG")
    if [[ $TAPE_TRANSPORT == tcmu ]]; then
        lab_start_lunforged "$1" --uio vtl-changer --uio vtl-drive0 --uio vtl-drive1 --timeout "$TAPE_START_TIMEOUT" "${log[@]}"
    else
        lab_start_lunforged "$1" --port "${TAPE_PORTAL##*:}" --timeout "$TAPE_START_TIMEOUT" "${log[@]}"
    fi
}

# tape_write_config FILE DIR CAPACITY_BYTES CARTRIDGES: a library "lab" with a changer on
# LUN 0, two IBM LTO-8 drives on LUNs 1 and 2, 16 slots (the first CARTRIDGES of them
# holding LAB001L8, LAB002L8, ...) and 2 import/export slots; pool and state under DIR.
# TAPE_CARTRIDGE_CAPACITIES="SLOT=BYTES ..." gives those cartridges a capacity of their own.
tape_write_config() {
    local file="$1" dir="$2" capacity="$3" count="$4" i carts="" own
    for ((i = 1; i <= count; i++)); do
        own=$(tr ' ' '\n' <<< "${TAPE_CARTRIDGE_CAPACITIES:-}" | sed -n "s/^$i=//p")
        carts+=$(printf '%s{"barcode": "LAB%03dL8", "slot": %d%s}' "${carts:+, }" "$i" "$i" \
            "${own:+, \"capacity\": $own}")
    done
    mkdir -p "$dir"
    cat > "$file" << EOF
{
  "state_dir": "$dir/state",
  "libraries": [{
    "name": "lab",
    "pool_dir": "$dir/pool",
    "changer_model": "STK_L700",
    "drives": [{"name": "drive0", "model": "IBM_LTO8"}, {"name": "drive1", "model": "IBM_LTO8"}],
    "slots": 16,
    "import_export_slots": 2,
    "cartridge_capacity": $capacity,
    "cartridges": [$carts]
  }],
  "iscsi_targets": [{
    "iqn": "$TAPE_IQN",
    "portal_groups": [{
      "tag": 1,
      "portals": ["$TAPE_PORTAL"],
      "generate_node_acls": true,
      "luns": [
        {"lun": 0, "object": "/vtl/lab/changer"},
        {"lun": 1, "object": "/vtl/lab/drives/drive0"},
        {"lun": 2, "object": "/vtl/lab/drives/drive1"}
      ]
    }]
  }]
}
EOF
    [[ $TAPE_TRANSPORT == tcmu ]] || return 0
    # The same library, served through TCMU instead of lunforge's iSCSI target.
    lab_require_commands python3
    python3 - "$file" "$TAPE_LOOP_WWN" "$TAPE_TCMU_CMD_TIME_OUT" "$TAPE_TCMU_PERSIST" << 'PY'
import json, sys
path, wwn, timeout, persist = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "true"
c = json.load(open(path))
del c["iscsi_targets"]
units = [("vtl-changer", "/vtl/lab/changer"), ("vtl-drive0", "/vtl/lab/drives/drive0"),
         ("vtl-drive1", "/vtl/lab/drives/drive1")]
c["tcmu_devices"] = [{"name": n, "object": o, "attributes": {"cmd_time_out": timeout}} for n, o in units]
c["loopback_targets"] = [{"wwn": wwn, "luns": [{"lun": i, "tcmu_device": n} for i, (n, _) in enumerate(units)]}]
if persist:
    c["persist_kernel_exports"] = True
json.dump(c, open(path, "w"), indent=2)
PY
}

# tape_login: the library's SCSI devices on the guest: over iscsi open-iscsi logs in, over
# tcmu the tcm_loop target's LUNs are already there. Sets the TAPE_* device variables.
tape_login() {
    if [[ $TAPE_TRANSPORT == tcmu ]]; then
        tape_loop_devices "$TAPE_LOOP_WWN"
        return
    fi
    lab_require_modules iscsi_tcp st ch sg
    lab_iscsid_start
    local luns hctl
    # A daemon that has just started answers its first login slowly (class loading and JIT
    # under TCG): on a loaded host that has taken longer than iscsiadm's 30 s discovery
    # login timeout. Discover until it answers (at most TAPE_DISCOVERY_TIMEOUT s), then log in.
    lab_wait_for "$TAPE_DISCOVERY_TIMEOUT" "the target to answer a SendTargets discovery at $TAPE_PORTAL" \
        iscsiadm -m discovery -t sendtargets -p "$TAPE_PORTAL"
    luns=$(lab_iscsi_login "$TAPE_IQN" "$TAPE_PORTAL")
    # The session's LUNs arrive one by one; wait for all three.
    lab_wait_for 30 "three LUNs in the library's session" tape__three_luns
    luns=$(lab_iscsi_session_luns "$TAPE_IQN" "$TAPE_PORTAL")
    for hctl in $luns; do
        case "${hctl##*:}" in
            0) TAPE_HCTL_CHANGER=$hctl ;;
            1) TAPE_HCTL_DRIVE0=$hctl ;;
            2) TAPE_HCTL_DRIVE1=$hctl ;;
        esac
    done
    tape__find_nodes
}

# tape__find_nodes: the sg/sch/st/nst nodes of TAPE_HCTL_CHANGER, _DRIVE0 and _DRIVE1.
tape__find_nodes() {
    TAPE_CHANGER_SG=$(lab_scsi_dev "$TAPE_HCTL_CHANGER" sg)
    TAPE_SCH=$(lab_scsi_dev "$TAPE_HCTL_CHANGER" changer)
    TAPE_ST0=$(lab_scsi_dev "$TAPE_HCTL_DRIVE0" tape)
    TAPE_NST0=$(lab_scsi_dev "$TAPE_HCTL_DRIVE0" ntape)
    TAPE_ST1=$(lab_scsi_dev "$TAPE_HCTL_DRIVE1" tape)
    TAPE_NST1=$(lab_scsi_dev "$TAPE_HCTL_DRIVE1" ntape)
    lab_log "changer $TAPE_HCTL_CHANGER: $TAPE_SCH $TAPE_CHANGER_SG; drive0 $TAPE_HCTL_DRIVE0: $TAPE_NST0;" \
        "drive1 $TAPE_HCTL_DRIVE1: $TAPE_NST1"
}

# tape_loop_devices WWN: the library's LUNs 0-2 (changer, drive0, drive1) as lunforged
# exported them through the tcm_loop target WWN; sets the same TAPE_* variables as tape_login.
tape_loop_devices() {
    lab_require_modules tcm_loop st ch sg
    TAPE_HCTL_CHANGER=$(lab_loop_hctl "$1" 0)
    TAPE_HCTL_DRIVE0=$(lab_loop_hctl "$1" 1)
    TAPE_HCTL_DRIVE1=$(lab_loop_hctl "$1" 2)
    tape__find_nodes
}

# tape_logout: over iscsi, open-iscsi logs out of the library's session and its SCSI devices go
# away (before lunforged stops, so no initiator keeps reconnecting); over tcmu nothing: the
# daemon takes its tcm_loop target down when it stops.
tape_logout() {
    [[ $TAPE_TRANSPORT == iscsi ]] || return 0
    local out
    out=$(iscsiadm -m node -T "$TAPE_IQN" -p "$TAPE_PORTAL" --logout 2>&1) || lab_fail "iscsiadm logout failed: $out"
    lab_wait_for 30 "the library's SCSI devices to go after the logout" tape__devices_gone
}

tape__devices_gone() {
    [[ ! -e "/sys/bus/scsi/devices/$TAPE_HCTL_CHANGER" && ! -e "/sys/bus/scsi/devices/$TAPE_HCTL_DRIVE0" \
        && ! -e "/sys/bus/scsi/devices/$TAPE_HCTL_DRIVE1" ]]
}

tape__three_luns() {
    [[ $(lab_iscsi_session_luns "$TAPE_IQN" "$TAPE_PORTAL" | wc -l) -ge 3 ]]
}

# --- the drives: st through mt-st ------------------------------------------------------

# tape_tell DEV: the block address `mt tell` reports (st sends READ POSITION).
tape_tell() {
    local out
    out=$(mt -f "$1" tell 2>&1) || lab_fail "mt -f $1 tell failed: $out"
    [[ "$out" =~ ^At\ block\ ([0-9]+)\. ]] || lab_fail "mt -f $1 tell said '$out'"
    echo "${BASH_REMATCH[1]}"
}

# tape_expect_tell DEV BLOCK WHAT: `mt tell` must report BLOCK (WHAT says where we are).
tape_expect_tell() {
    local at
    at=$(tape_tell "$1")
    [[ "$at" == "$2" ]] || lab_fail "after $3: mt tell says block $at, expected $2"
    lab_log "after $3: at block $at"
}

# tape_mt DEV OPERATION [COUNT]: one mt-st operation, logged; fails the scenario on error.
tape_mt() {
    local dev="$1" out
    shift
    out=$(mt -f "$dev" "$@" 2>&1) || lab_fail "mt -f $dev $* failed: $out"
}

# tape_status DEV: `mt status`, logged to the scenario log and printed.
tape_status() {
    local out
    out=$(mt -f "$1" status 2>&1) || lab_fail "mt -f $1 status failed: $out"
    echo "$out"
}

# tape_status_has DEV WORD...: each WORD (ONLINE, BOT, EOF, EOD, DR_OPEN, "File number=2,")
# must appear in `mt status`; tape_status_lacks likewise must not.
tape_status_has() {
    local dev="$1" out w
    shift
    out=$(tape_status "$dev")
    for w in "$@"; do
        grep -qw -- "$w" <<< "$out" || lab_fail "mt -f $dev status lacks '$w':"$'\n'"$out"
    done
}
tape_status_lacks() {
    local dev="$1" out w
    shift
    out=$(tape_status "$dev")
    for w in "$@"; do
        ! grep -qw -- "$w" <<< "$out" || lab_fail "mt -f $dev status shows '$w':"$'\n'"$out"
    done
}

# --- the changer: mtx over sg ------------------------------------------------------------

# tape_mtx ARGS...: mtx -f $TAPE_CHANGER_SG ARGS, logged; fails the scenario on error.
tape_mtx() {
    local out
    out=$(mtx -f "$TAPE_CHANGER_SG" "$@" 2>&1) || lab_fail "mtx $* failed: $out"
    lab_log "mtx $*: $(tr '\n' ' ' <<< "$out")"
}

# tape_inventory [DEV]: `mtx status` as one "element=content" line each: drive0=LAB001L8@1
# (loaded from slot 1), drive1=empty, slot1=LAB002L8, slot17=empty (import/export
# slots are numbered on after the storage slots, as mtx numbers them).
tape_inventory() {
    local dev="${1:-$TAPE_CHANGER_SG}" out
    out=$(mtx -f "$dev" status 2>&1) || lab_fail "mtx -f $dev status failed: $out"
    awk '
        /Data Transfer Element [0-9]+:Empty/ { split($4, a, ":"); print "drive" a[1] "=empty"; next }
        /Data Transfer Element [0-9]+:Full/ {
            split($4, a, ":")
            from = ""
            if (match($0, /Storage Element [0-9]+ Loaded/)) { s = substr($0, RSTART, RLENGTH); split(s, b, " "); from = "@" b[3] }
            tag = $0; sub(/.*VolumeTag *= */, "", tag); sub(/ *$/, "", tag)
            print "drive" a[1] "=" tag from; next
        }
        /Storage Element [0-9]+.*:Empty/ { n = $3; sub(/:.*/, "", n); print "slot" n "=empty"; next }
        /Storage Element [0-9]+.*:Full/ {
            n = $3; sub(/:.*/, "", n)
            tag = $0; sub(/.*VolumeTag *= */, "", tag); sub(/ *$/, "", tag)
            print "slot" n "=" tag; next
        }
    ' <<< "$out"
}

# tape_expect_inventory LINE...: each "element=content" line must be in tape_inventory.
tape_expect_inventory() {
    local inv line
    inv=$(tape_inventory)
    for line in "$@"; do
        grep -qxF -- "$line" <<< "$inv" || lab_fail "mtx status: expected $line, have:"$'\n'"$inv"
    done
}

# --- data -------------------------------------------------------------------------------

# tape_random_tree DIR SIZE_KIB...: DIR with one file of random bytes per SIZE (f1, f2, ...).
tape_random_tree() {
    local dir="$1" i=0 size
    shift
    mkdir -p "$dir"
    for size in "$@"; do
        i=$((i + 1))
        head -c "$((size * 1024))" /dev/urandom > "$dir/f$i"
    done
}

# tape_manifest DIR: sha256 of every file under DIR, by relative path, sorted.
tape_manifest() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# tape_same_tree EXPECTED_DIR ACTUAL_DIR WHAT: both hold the same files, byte for byte.
tape_same_tree() {
    local want have
    want=$(tape_manifest "$1")
    have=$(tape_manifest "$2")
    [[ -n "$want" ]] || lab_fail "tape_same_tree: $1 is empty"
    [[ "$want" == "$have" ]] || lab_fail "$3: restored files differ from the originals:"$'\n'"$(diff <(echo "$want") <(echo "$have"))"
}
