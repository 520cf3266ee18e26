#!/bin/bash
# lab-timeout: 1200
# systemd-boot: the Debian package (bin/package, built on the host by systemd-boot.host) installed, removed, purged
# and upgraded with dpkg in the guest, then the guest's systemd booted as PID 1 with it installed:
# lunforged.service starts at boot (enabled by the package), serves the saved /etc/lunforge/config.json to open-iscsi
# (its own iSCSI target) and to the kernel (a TCMU disk through tcm_loop), comes back after kill -9 by systemd's
# Restart=on-failure with the same data, and stops cleanly on `systemctl stop`, taking its kernel exports down as
# the configuration says (no persist_kernel_exports).
#
# Two phases in one guest. `systemd-boot.sh` (run by stage2 as usual) does the dpkg part, installs the check unit
# and leaves /run/lab-exec-init: stage2 then execs systemd. `systemd-boot.sh booted` is that unit (after
# lunforged.service, wanted by multi-user.target); it writes the verdict, and the unit powers the guest off.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

iqn=iqn.2026-12.org.lunforge:systemd-boot
wwn=naa.5001405000000b00
portal=127.0.0.1:3260
marker_lba=100
unit=lunforged.service

# --- phase 1: dpkg ------------------------------------------------------------------------------------------------

# snapshot: the paths a package could leave behind, one a line (dpkg's own *-old backups aside).
snapshot() {
    { find /etc /var/lib /usr/bin /usr/lib/lunforge /usr/share/doc/lunforge /usr/share/man/man1 /usr/share/man/man8 \
        /lib/systemd/system 2> /dev/null || true; } | { grep -v '^/var/lib/dpkg/.*-old$' || true; } | LC_ALL=C sort
}

status_of() { dpkg-query -W -f='${db:Status-Status} ${Version}' lunforge 2> /dev/null || echo "not-installed"; }

install_phase() {
    lab_require_modules target_core_user tcm_loop iscsi_tcp sd_mod
    lab_require_commands dpkg systemctl iscsiadm
    # shellcheck source=/dev/null
    . "$LAB_OUT/package.env"
    [[ -s "$LAB_DEB" && -s "$LAB_DEB_OLDER" ]] || lab_fail "package.env names no package (systemd-boot.host)"
    export DEBIAN_FRONTEND=noninteractive
    # man-db's trigger would index every manual page over 9p under TCG (minutes).
    rm -f /var/lib/man-db/auto-update
    local t0=$SECONDS before after
    before=$(snapshot)
    # The install, remove and purge cycle uses the uncompressed copy (xz under TCG costs minutes); the package
    # bin/package made is installed by the upgrade below, with the same files.
    lab_log "dpkg -i $(basename "$LAB_DEB_OLDER")"
    dpkg -i "$LAB_DEB_OLDER" < /dev/null > "$LAB_OUT/dpkg-install.log" 2>&1 \
        || lab_fail "dpkg -i failed: $(tail -3 "$LAB_OUT/dpkg-install.log")"
    local installed_secs=$((SECONDS - t0)) f
    for f in /usr/bin/lunforged /usr/bin/lunforge /usr/lib/lunforge/runtime/bin/java /usr/lib/lunforge/lunforge-server.jar \
        /lib/systemd/system/$unit /etc/lunforge/config.json /usr/share/man/man8/lunforged.8.gz \
        /usr/share/man/man1/lunforge.1.gz /etc/systemd/system/multi-user.target.wants/$unit; do
        [[ -e "$f" ]] || lab_fail "after dpkg -i: no $f"
    done
    [[ -d /var/lib/lunforge && "$(stat -c %a /var/lib/lunforge)" == 700 ]] || lab_fail "/var/lib/lunforge is not a 0700 folder"
    [[ ! -e /usr/lib/lunforge/runtime/bin/javac ]] || lab_fail "the runtime is a JDK (javac in it)"
    # Both launchers run under systemd below (lunforged as the unit, lunforge against its control socket);
    # conformance/package/run runs both --help on the packaged runtime.
    systemd-analyze verify /lib/systemd/system/$unit > "$LAB_OUT/systemd-analyze-verify.txt" 2>&1 \
        || lab_fail "systemd-analyze verify: $(head -3 "$LAB_OUT/systemd-analyze-verify.txt")"
    lab_log "installed in ${installed_secs}s: launchers, runtime without javac, unit enabled and verified, man pages"

    echo '{ "state_dir": "/var/lib/lunforge", "note": "the administrator edited this" }' > /etc/lunforge/config.json
    dpkg -r lunforge < /dev/null > "$LAB_OUT/dpkg-remove.log" 2>&1 || lab_fail "dpkg -r failed"
    [[ "$(status_of)" == config-files* ]] || lab_fail "after dpkg -r: status $(status_of)"
    for f in /usr/bin/lunforged /usr/bin/lunforge /usr/lib/lunforge /lib/systemd/system/$unit; do
        [[ ! -e "$f" ]] || lab_fail "after dpkg -r: $f is left"
    done
    grep -q 'administrator edited' /etc/lunforge/config.json || lab_fail "dpkg -r lost /etc/lunforge/config.json"
    [[ -d /var/lib/lunforge ]] || lab_fail "dpkg -r removed /var/lib/lunforge"
    dpkg -P lunforge < /dev/null > "$LAB_OUT/dpkg-purge.log" 2>&1 || lab_fail "dpkg -P failed"
    after=$(snapshot)
    if [[ "$before" != "$after" ]]; then
        diff <(echo "$before") <(echo "$after") > "$LAB_OUT/purge-left.diff" || true
        lab_fail "dpkg -P left the machine different: $(head -5 "$LAB_OUT/purge-left.diff" | tr '\n' ' ')"
    fi
    lab_log "dpkg -r kept the edited config and the state folder; dpkg -P left the machine as it was"

    # An older version, then the configuration and state an administrator saved, then the upgrade.
    dpkg -i "$LAB_DEB_OLDER" < /dev/null > "$LAB_OUT/dpkg-install-older.log" 2>&1 \
        || lab_fail "dpkg -i (older) failed: $(tail -3 "$LAB_OUT/dpkg-install-older.log")"
    cat > /etc/lunforge/config.json << EOF
{
  "state_dir": "/var/lib/lunforge",
  "backstores": [
    { "name": "disk1", "fileio": { "path": "/var/lib/lunforge/disk1.img", "size": "64M" } },
    { "name": "tcmu0", "memory": { "size": "32M" } }
  ],
  "iscsi_targets": [
    { "iqn": "$iqn",
      "portal_groups": [ { "tag": 1, "portals": ["$portal"], "generate_node_acls": true,
                           "luns": [ { "lun": 0, "object": "/backstores/fileio/disk1" } ] } ] }
  ],
  "tcmu_devices": [ { "name": "tcmu0", "object": "/backstores/memory/tcmu0" } ],
  "loopback_targets": [ { "wwn": "$wwn", "luns": [ { "lun": 0, "tcmu_device": "tcmu0" } ] } ]
}
EOF
    cp /etc/lunforge/config.json "$LAB_OUT/config.json"
    truncate -s 64M /var/lib/lunforge/disk1.img
    printf 'lunforge systemd-boot marker' | dd of=/var/lib/lunforge/disk1.img bs=512 seek=$marker_lba conv=notrunc status=none
    local sums
    sums=$(sha256sum /etc/lunforge/config.json /var/lib/lunforge/disk1.img)
    dpkg -i "$LAB_DEB" < /dev/null > "$LAB_OUT/dpkg-upgrade.log" 2>&1 \
        || lab_fail "dpkg -i (upgrade) failed: $(tail -3 "$LAB_OUT/dpkg-upgrade.log")"
    [[ "$(status_of)" == "installed $(dpkg-deb -f "$LAB_DEB" Version)" ]] || lab_fail "after the upgrade: $(status_of)"
    [[ "$(sha256sum /etc/lunforge/config.json /var/lib/lunforge/disk1.img)" == "$sums" ]] \
        || lab_fail "the upgrade changed the configuration or the state"
    [[ -e /etc/systemd/system/multi-user.target.wants/$unit ]] || lab_fail "the upgrade disabled $unit"
    lab_log "upgraded 0~lab.1 -> $(dpkg-deb -f "$LAB_DEB" Version): configuration and state unchanged, unit enabled"

    boot_systemd
}

# boot_systemd: the check unit, the JVM options for TCG, and masks for what the host enables but this test does not
# need (Ceph, PostgreSQL, tgt and tcmu-runner would even compete for port 3260 and for LIO); then hands over.
boot_systemd() {
    local etc=/etc/systemd/system u
    # The administrator's own file (the unit reads it if present): C1 and SerialGC start the JVM faster under TCG.
    echo 'LUNFORGED_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"' > /etc/default/lunforged
    cat > $etc/lab-systemd-boot.service << EOF
[Unit]
Description=kernel lab: the systemd-boot scenario's checks of lunforged.service
After=$unit

[Service]
Type=oneshot
TimeoutStartSec=infinity
EnvironmentFile=$LAB_OUT/lab.env
Environment=LAB_OUT=$LAB_OUT LUNFORGE_PREBUILT=1 LAB_SCENARIO=systemd-boot HOME=/root LANG=C.UTF-8 TERM=dumb
ExecStart=/bin/bash $LAB_DIR/scenarios/systemd-boot.sh booted
StandardOutput=append:$LAB_OUT/scenario.log
StandardError=inherit
ExecStopPost=/bin/bash $LAB_DIR/scenarios/systemd-boot.sh power-off

[Install]
WantedBy=multi-user.target
EOF
    ln -sfn $etc/lab-systemd-boot.service $etc/multi-user.target.wants/lab-systemd-boot.service
    for u in $etc/*.wants/*; do
        u=$(basename "$u")
        [[ "$u" == "$unit" || "$u" == lab-systemd-boot.service ]] || ln -sfn /dev/null "$etc/$u"
    done
    for u in getty@tty1.service serial-getty@ttyS0.service getty.target console-getty.service \
        systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
        systemd-udev-settle.service systemd-remount-fs.service systemd-random-seed.service systemd-update-utmp.service \
        systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.timer \
        systemd-sysusers.service systemd-firstboot.service systemd-machine-id-commit.service \
        systemd-hwdb-update.service ldconfig.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
        sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount dev-hugepages.mount \
        systemd-modules-load.service systemd-sysctl.service systemd-logind.service dbus.service dbus.socket \
        console-setup.service keyboard-setup.service kmod-static-nodes.service systemd-journal-flush.service \
        systemd-pstore.service systemd-timesyncd.service systemd-networkd.service systemd-resolved.service \
        cron.service rsyslog.service ssh.service postgresql.service tgt.service tcmu-runner.service \
        rtslib-fb-targetctl.service iscsid.service iscsid.socket open-iscsi.service multipathd.service \
        multipathd.socket lvm2-monitor.service lvm2-lvmpolld.socket blk-availability.service dm-event.socket \
        dm-event.service e2scrub_reap.service smartmontools.service rbdmap.service ceph.target \
        remote-fs.target timers.target systemd-ask-password-console.path systemd-ask-password-wall.path \
        cryptsetup.target veritysetup.target integritysetup.target swap.target; do
        ln -sfn /dev/null "$etc/$u"
    done
    echo "/lib/systemd/systemd --unit=multi-user.target --log-level=notice --show-status=error" > /run/lab-exec-init
    lab_log "phase 1 done in ${SECONDS}s; booting systemd as PID 1"
    exit 0
}

# --- phase 2: under systemd ---------------------------------------------------------------------------------------

prop() { systemctl show -P "$2" "$1"; }

# ready PID: lunforged (PID) listens on 3260 and holds the TCMU device's uio.
ready() {
    [[ -n "$(ss -Hltnp "sport = :3260" 2> /dev/null | grep "pid=$1,")" ]] || return 1
    local dev
    dev=$(lab_tcmu_uio tcmu0 2> /dev/null) || return 1
    [[ -n "$(find "/proc/$1/fd" -maxdepth 1 -lname "$dev" -print -quit 2> /dev/null)" ]]
}

wait_ready() { # wait_ready WHAT: waits for a MainPID that serves; prints it
    local deadline=$((SECONDS + 240)) pid
    while :; do
        pid=$(prop $unit MainPID)
        [[ "$pid" != 0 ]] && ready "$pid" && break
        ((SECONDS < deadline)) || lab_fail "$1: $unit not serving after 240s ($(prop $unit ActiveState)/$(prop $unit SubState)); $(journalctl -u $unit --no-pager -n 5 2> /dev/null | tr '\n' ' ')"
        sleep 0.5
    done
    echo "$pid"
}

read_marker() { dd if="$1" bs=512 skip=$marker_lba count=1 iflag=direct status=none | tr -d '\0'; }

restarted() { [[ "$(prop $unit NRestarts)" -ge 1 ]]; }

session_logged_in() { iscsiadm -m session -P 1 2> /dev/null | grep -q 'iSCSI Session State: LOGGED_IN'; }

booted_phase() {
    local up pid pid2 hctl disk loop_disk
    lab_log "systemd is PID 1 ($(readlink /proc/1/exe)); $(systemctl is-system-running 2> /dev/null || true)"
    [[ "$(systemctl is-enabled $unit)" == enabled ]] || lab_fail "$unit is not enabled"
    pid=$(wait_ready "at boot")
    up=$(cut -d' ' -f1 /proc/uptime)
    lab_log "$unit serves at uptime ${up}s: MainPID $pid"
    systemd-analyze security $unit --no-pager > "$LAB_OUT/systemd-analyze-security.txt" 2>&1 || true
    local exposure
    exposure=$(grep -o 'Overall exposure level for.*' "$LAB_OUT/systemd-analyze-security.txt" | sed 's/.*: //')
    lab_log "systemd-analyze security: ${exposure:-?}"
    local capbnd nnp
    capbnd=$(awk '/^CapBnd/{print $2}' "/proc/$pid/status")
    nnp=$(awk '/^NoNewPrivs/{print $2}' "/proc/$pid/status")
    [[ "$capbnd" == 0000000000000400 ]] || lab_fail "lunforged's capability bounding set is $capbnd, not CAP_NET_BIND_SERVICE alone"
    [[ "$nnp" == 1 ]] || lab_fail "lunforged runs without NoNewPrivileges"

    # The saved configuration, as open-iscsi and the kernel see it.
    lab_iscsid_start
    hctl=$(lab_iscsi_login "$iqn" "$portal" | head -1)
    disk=$(lab_scsi_dev "$hctl" disk)
    [[ "$(read_marker "$disk")" == "lunforge systemd-boot marker" ]] || lab_fail "$disk (iSCSI) lacks the marker the saved state holds"
    loop_disk=$(lab_scsi_dev "$(lab_loop_hctl "$wwn" 0)" disk)
    printf 'written before kill -9' | dd of="$loop_disk" bs=512 seek=$marker_lba oflag=direct,dsync conv=sync status=none
    lab_log "open-iscsi: $disk reads the saved disk's marker; tcm_loop: $loop_disk"
    # The shell, as root, over the unit's /run/lunforge/control.sock.
    lunforge sessions > "$LAB_OUT/lunforge-sessions.txt" 2>&1 || lab_fail "lunforge sessions: $(tail -2 "$LAB_OUT/lunforge-sessions.txt")"
    grep -q 'iqn.2005-03.org.open-iscsi:lab' "$LAB_OUT/lunforge-sessions.txt" \
        || lab_fail "lunforge sessions does not list the initiator: $(head -3 "$LAB_OUT/lunforge-sessions.txt")"

    # kill -9: systemd's Restart=on-failure brings it back; the initiator logs in again.
    kill -9 "$pid"
    local t_kill=$SECONDS
    lab_wait_for 60 "systemd to restart $unit" restarted
    pid2=$(wait_ready "after kill -9")
    [[ "$pid2" != "$pid" ]] || lab_fail "MainPID did not change after kill -9"
    lab_wait_for 120 "open-iscsi to log in again" session_logged_in
    [[ "$(read_marker "$disk")" == "lunforge systemd-boot marker" ]] || lab_fail "$disk unreadable after the restart"
    # The restarted daemon adopts the TCMU device and its tcm_loop export (tcmu0 is a memory disk: empty again).
    dd if="$loop_disk" of=/dev/null bs=4096 count=16 iflag=direct status=none \
        || lab_fail "the TCMU disk $loop_disk is unreadable after the restart"
    lab_log "kill -9 of $pid: restarted as $pid2 in $((SECONDS - t_kill))s (NRestarts $(prop $unit NRestarts));" \
        "iSCSI back, marker read; the TCMU disk reads again"

    # systemctl stop: exit 0, and the kernel exports go (the configuration does not say persist_kernel_exports).
    iscsiadm -m node -T "$iqn" -p "$portal" --logout > /dev/null 2>&1 || true
    local t_stop=$SECONDS
    systemctl stop $unit
    [[ "$(prop $unit Result)" == success ]] || lab_fail "systemctl stop: Result=$(prop $unit Result)"
    [[ "$(prop $unit ExecMainStatus)" == 0 ]] || lab_fail "lunforged exited with $(prop $unit ExecMainStatus) on stop"
    [[ ! -e $LAB_CONFIGFS/core/user_1/tcmu0 ]] || lab_fail "core/user_1/tcmu0 left in configfs after stop"
    [[ ! -e $LAB_CONFIGFS/loopback/$wwn ]] || lab_fail "loopback/$wwn left in configfs after stop"
    [[ ! -e /run/lunforge ]] || lab_fail "/run/lunforge left after stop"
    lab_log "systemctl stop: $((SECONDS - t_stop))s, exit 0, kernel exports gone"
    lab_result PASS "dpkg install/remove (config kept)/purge (clean)/upgrade (config and state kept); at boot $unit served at ${up}s uptime; open-iscsi read the saved disk, lunforge sessions listed it; kill -9 -> restarted by systemd, session back; stop: exit 0, TCMU and tcm_loop exports gone; CapBnd NET_BIND_SERVICE only; exposure ${exposure:-?}"
}

# power_off (the check unit's ExecStopPost): a verdict even if the checks died without one, the logs, power off.
power_off() {
    [[ -s "$LAB_OUT/result" ]] || printf 'FAIL\nthe booted checks ended without a verdict (%s)\n' "${SERVICE_RESULT:-?}" \
        > "$LAB_OUT/result"
    journalctl -b --no-pager > "$LAB_OUT/journal.log" 2>&1 || true
    dmesg > "$LAB_OUT/dmesg.log" 2>&1 || true
    # The results share only, and SCSI devices offline first: guest/stage2.sh's power_off says why.
    sync -f "$LAB_OUT" 2> /dev/null || true
    for state in /sys/class/scsi_device/*/device/state; do
        echo offline > "$state" 2> /dev/null || true
    done
    /bin/busybox poweroff -f -n
}

case "${1:-}" in
    booted) booted_phase ;;
    power-off) power_off ;;
    *) install_phase ;;
esac
