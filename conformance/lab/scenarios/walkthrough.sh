#!/bin/bash
# lab-timeout: 900
# walkthrough: samples/WALKTHROUGH.md as a newcomer runs it, commands as written there. lunforged starts with no
# configuration; the lunforge shell builds a disk target and the sample tape library (a changer, two LTO-8 drives,
# 20 cartridges); open-iscsi logs in to both; the disk gets an ext4 file system that is mounted, written, unmounted,
# mounted again and read; mtx loads LF0001L8 into the first drive, tar writes an archive to /dev/nstN, reads it back
# after a rewind, and mtx puts the cartridge back. PASS when every step did what the walkthrough says.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"

lab_require_modules iscsi_tcp sd_mod sg st ch
lab_require_commands iscsiadm iscsid mkfs.ext4 mount mtx mt tar lsscsi
cd "$LUNFORGE_HOME"
export JAVA_HOME=$LAB_JAVA_HOME

# Not a walkthrough step: the guest's root is an overlay on the host's, so a folder left there by a run on the host
# would not be empty.
rm -rf /var/tmp/lunforge/walkthrough

# Not a walkthrough step: every bin/lunforge and bin/lunforged starts a JVM, which under TCG costs tens of seconds
# without a class archive; give them the lab's options and archives (kept in the host's conformance/lab/work/jvm).
LUNFORGE_JAVA_OPTS=$(lab_lunforged_java_opts)
export LUNFORGE_JAVA_OPTS
export LUNFORGE_SHELL_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC${LUNFORGE_JAVA_OPTS#*UseSerialGC}"
LUNFORGE_SHELL_JAVA_OPTS=${LUNFORGE_SHELL_JAVA_OPTS//lunforged.jsa/lunforge-shell.jsa}

# --- WALKTHROUGH.md, step 2: the daemon, empty
PORT=3260
export LUNFORGE_CONTROL=/var/tmp/lunforge/walkthrough/control.sock
mkdir -p /var/tmp/lunforge/walkthrough
bin/lunforged --config /var/tmp/lunforge/walkthrough/config.json --control "$LUNFORGE_CONTROL" \
    > /var/tmp/lunforge/walkthrough/lunforged.log 2>&1 &
daemon=$!
stop_daemon() {
    cp /var/tmp/lunforge/walkthrough/lunforged.log "$LAB_OUT/lunforged.log" 2> /dev/null || true
    if kill "$daemon" 2> /dev/null; then
        wait "$daemon" 2> /dev/null || true
    fi
}
trap stop_daemon EXIT
bin/lunforge --wait 180 ls >&2 || lab_fail "the shell found no daemon within 180 s (lunforged.log)"

# --- step 3: a disk target
bin/lunforge /backstores/fileio create disk0 /var/tmp/lunforge/walkthrough/disk0.img size=1G >&2
bin/lunforge /iscsi create iqn.2026-11.org.lunforge:disk0 portal=127.0.0.1:$PORT >&2
bin/lunforge /iscsi/iqn.2026-11.org.lunforge:disk0/tpg1/luns create /backstores/fileio/disk0 >&2
bin/lunforge /iscsi/iqn.2026-11.org.lunforge:disk0/tpg1 set attribute generate_node_acls=true >&2

# --- step 4: the tape library
bin/lunforge /vtl create vtl0 slots=24 import_export=4 drives=2 model=IBM_LTO8 >&2
bin/lunforge /vtl/vtl0/cartridges create LF0001L8..LF0020L8 | tail -1 >&2
bin/lunforge >&2 <<END
/iscsi create iqn.2026-11.org.lunforge:vtl0 portal=127.0.0.1:$PORT
cd /iscsi/iqn.2026-11.org.lunforge:vtl0/tpg1
luns create /vtl/vtl0/changer
luns create /vtl/vtl0/drives/drive0
luns create /vtl/vtl0/drives/drive1
set attribute generate_node_acls=true
END
bin/lunforge saveconfig >&2

# --- step 5: open-iscsi, a file system on the disk
lab_iscsid_start
iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$PORT >&2
disk_luns=$(lab_iscsi_login iqn.2026-11.org.lunforge:disk0 127.0.0.1:$PORT)
lsscsi -g >&2
disk=$(lab_scsi_dev "$(head -n 1 <<< "$disk_luns")" disk)
lab_log "the disk is $disk"
mkfs.ext4 -q "$disk"
mkdir -p /mnt/lunforge
mount "$disk" /mnt/lunforge
cp -r /etc/iscsi /mnt/lunforge/
df -h /mnt/lunforge >&2
umount /mnt/lunforge
mount "$disk" /mnt/lunforge
diff -r /etc/iscsi /mnt/lunforge/iscsi >&2 || lab_fail "the files read back from $disk differ from what was copied"
umount /mnt/lunforge

# --- step 6: tar on a cartridge, through st and mtx
tape_luns=$(lab_iscsi_login iqn.2026-11.org.lunforge:vtl0 127.0.0.1:$PORT)
lsscsi -g >&2
changer=$(lab_scsi_dev "$(grep ':0$' <<< "$tape_luns")" sg)
tape=$(lab_scsi_dev "$(grep ':1$' <<< "$tape_luns")" ntape)
lab_log "the changer is $changer, the first drive $tape"
mtx -f "$changer" status | tee "$LAB_OUT/mtx-status-before.txt" >&2
grep -q 'Storage Element 1:Full :VolumeTag=LF0001L8' "$LAB_OUT/mtx-status-before.txt" \
    || lab_fail "mtx status does not show LF0001L8 in slot 1 (mtx-status-before.txt)"
mtx -f "$changer" load 1 0
mt -f "$tape" status >&2
tar -cvf "$tape" -C /etc iscsi >&2
mt -f "$tape" rewind
tar -tvf "$tape" | tee "$LAB_OUT/tar-list.txt" >&2
grep -q 'iscsi/iscsid.conf' "$LAB_OUT/tar-list.txt" || lab_fail "tar -t does not list iscsi/iscsid.conf (tar-list.txt)"
mt -f "$tape" offline
mtx -f "$changer" unload 1 0
mtx -f "$changer" status | tee "$LAB_OUT/mtx-status-after.txt" >&2
grep -q 'Storage Element 1:Full :VolumeTag=LF0001L8' "$LAB_OUT/mtx-status-after.txt" \
    || lab_fail "LF0001L8 is not back in slot 1 (mtx-status-after.txt)"

iscsiadm -m node --logout >&2 || true
lab_result PASS "ext4 on $disk mounted, written and read back; tar archive on LF0001L8 through $tape and $changer listed back"
