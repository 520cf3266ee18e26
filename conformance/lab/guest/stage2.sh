#!/bin/bash
# PID 1 of the lab guest after switch_root: the root is now the host's own root file
# system (read-only 9p under a tmpfs overlay), so this is the host's bash and every tool
# installed on the host is available. It finishes the system set-up, runs the one
# scenario named on the kernel command line, makes sure a verdict lands on the results
# share, and powers the guest off. PID 1 must never exit (the kernel would panic), so
# nothing here uses `set -e`; every step checks its own result.
set -uo pipefail

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
export LAB_OUT=/lab/out

say() { echo "lab-stage2: $*" > /dev/console; }

power_off() {
    # Only the results share needs its data on the host (9p without a cache writes through anyway); a global sync
    # would also wait for block devices a scenario leaves behind with nothing to answer them (a TCMU disk whose
    # daemon is gone, a multipath map without paths).
    sync -f "$LAB_OUT" 2> /dev/null || true
    # The kernel's power-off sends SYNCHRONIZE CACHE to every SCSI disk (sd_shutdown), which waits out the command
    # timeout on a disk nothing answers any more: 18-30 s after tcmu-kill9 and cluster-failover. An offline device
    # refuses it at once; what the scenario wrote is on the results share already.
    for state in /sys/class/scsi_device/*/device/state; do
        echo offline > "$state" 2> /dev/null || true
    done
    # busybox-static is a hard requirement of the lab (it built the initramfs); its poweroff
    # calls reboot(2) directly, which is what we want with no init system running (-n: without its own sync).
    /bin/busybox poweroff -f -n
    sleep 5
    echo o > /proc/sysrq-trigger
    sleep 3600
}

verdict() {
    # Writes a verdict only if the scenario has not left one; a FAIL is never overwritten.
    if [[ ! -s "$LAB_OUT/result" ]]; then
        printf '%s\n%s\n' "$1" "$2" > "$LAB_OUT/result"
    fi
}

# Last line of defence: should this script die anyway (a bug here, `set -u`), still leave
# a verdict and power off, instead of a kernel panic with no reason on the results share.
trap 'verdict FAIL "guest/stage2.sh failed (see console.log)"; power_off' EXIT

# shellcheck source=/dev/null
. "$LAB_OUT/lab.env" || { say "cannot read $LAB_OUT/lab.env"; power_off; }
export LAB_DIR LUNFORGE_HOME LAB_KVER LAB_MODULES_DIR
# conformance/lab/run built lunforge on the host before booting: bin/lunforged must not look for stale sources.
export LUNFORGE_PREBUILT=1

scenario=""
read -r -a cmdline < /proc/cmdline
for word in "${cmdline[@]}"; do
    case "$word" in
        lab.scenario=*) scenario="${word#lab.scenario=}" ;;
    esac
done
export LAB_SCENARIO="$scenario"

setup_failed=""
need_mount() {
    # need_mount WHAT: runs `mount "$@"` and records a failure that fails the scenario.
    if ! mount "$@" 2> /tmp/.mount.err; then
        setup_failed+="mount $* failed: $(cat /tmp/.mount.err 2> /dev/null); "
    fi
}

# guest_tmpfs DIR MODE: a fresh tmpfs on DIR. A checkout that lives below DIR on the host
# (a CI job in /tmp, say) would vanish under it, so it is bound aside first and bound
# back onto the same path inside the new tmpfs: scenarios and lunforged must see it.
guest_tmpfs() {
    local dir="$1" mode="$2"
    case "$LUNFORGE_HOME/" in
        "$dir"/*)
            mkdir -p /lab/home
            need_mount --bind "$LUNFORGE_HOME" /lab/home
            need_mount -t tmpfs -o "mode=$mode" tmpfs "$dir"
            mkdir -p "$LUNFORGE_HOME"
            need_mount --bind /lab/home "$LUNFORGE_HOME"
            umount /lab/home 2> /dev/null || true
            ;;
        *) need_mount -t tmpfs -o "mode=$mode" tmpfs "$dir" ;;
    esac
}

guest_tmpfs /tmp 1777
guest_tmpfs /run 0755
mkdir -p /dev/pts /dev/shm /dev/mqueue /run/lock
guest_tmpfs /dev/shm 1777
need_mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
need_mount -t configfs configfs /sys/kernel/config
# Bash process substitution and scripts reading /dev/stdin need these; devtmpfs does not
# create them.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr

# modprobe (used by iscsid, multipathd and scenarios) looks in /lib/modules/$(uname -r);
# the host has no such folder, so bind the unpacked Debian kernel's modules there.
mkdir -p "/lib/modules/$LAB_KVER"
need_mount --bind "$LAB_MODULES_DIR" "/lib/modules/$LAB_KVER"

hostname lab 2> /dev/null || true
ip link set lo up || setup_failed+="ip link set lo up failed; "

if [[ -s "$LAB_OUT/insmod-failures.txt" ]]; then
    say "modules that did not load (scenarios check what they need):"
    sed 's/^/  /' "$LAB_OUT/insmod-failures.txt" > /dev/console
fi

script="$LAB_DIR/scenarios/$scenario.sh"
started=$(cut -d' ' -f1 /proc/uptime)
say "booted in ${started}s; running scenario '$scenario'"

if [[ -z "$scenario" ]]; then
    verdict FAIL "no lab.scenario= on the kernel command line"
elif [[ ! -r "$script" ]]; then
    verdict FAIL "no scenario script $script"
elif [[ -n "$setup_failed" ]]; then
    verdict FAIL "guest set-up failed: $setup_failed"
else
    # The scenario runs in its own bash, in /tmp, with its output both in scenario.log on
    # the results share and on the console (the host shows the console's tail on a
    # timeout). Through a FIFO rather than a pipeline: daemons a scenario starts may keep
    # the output open, and stage2 must wait for the scenario only, not for them.
    cd /tmp || true
    mkfifo /run/lab-output
    tee "$LAB_OUT/scenario.log" < /run/lab-output > /dev/console &
    tee_pid=$!
    bash "$script" > /run/lab-output 2>&1 < /dev/null
    status=$?
    # Give tee a moment to write the last lines (it ends once no daemon holds the FIFO).
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$tee_pid" 2> /dev/null || break
        sleep 0.2
    done
    # A scenario that boots a real init (systemd-boot) ends without a verdict, leaving that init's command line in
    # /run/lab-exec-init: it becomes PID 1 here, and the scenario's own unit writes the verdict and powers off.
    if [[ $status -eq 0 && ! -s "$LAB_OUT/result" && -s /run/lab-exec-init ]]; then
        read -r -a init < /run/lab-exec-init
        say "scenario '$scenario' hands PID 1 to ${init[*]}"
        trap - EXIT
        shopt -s execfail
        exec "${init[@]}"
        trap 'verdict FAIL "guest/stage2.sh failed (see console.log)"; power_off' EXIT
        verdict FAIL "stage2 could not exec ${init[*]}"
    fi
    if [[ $status -ne 0 ]]; then
        reason="scenario exited with status $status"
        if [[ -s "$LAB_OUT/.last-error" ]]; then
            reason+=" after: $(cat "$LAB_OUT/.last-error")"
        fi
        verdict FAIL "$reason"
    else
        verdict FAIL "scenario ended without calling lab_result"
    fi
fi

ended=$(cut -d' ' -f1 /proc/uptime)
say "scenario '$scenario' done: $(head -1 "$LAB_OUT/result") (ran $(awk -v a="$started" -v b="$ended" 'BEGIN{printf "%.1f", b-a}')s)"
dmesg > "$LAB_OUT/dmesg.log" 2>&1 || true
rm -f "$LAB_OUT/.last-error"
trap - EXIT
power_off
