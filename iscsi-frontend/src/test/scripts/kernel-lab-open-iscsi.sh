#!/bin/bash
# Boots a QEMU guest with Debian's kernel (KERNEL-LAB.md recipe: the host's root shared read-only over 9p and
# overlaid with tmpfs), runs lunforge's test target on the guest's loopback and logs in with the Linux initiator
# (open-iscsi): discovery, login, O_DIRECT write/read-back, ext4 mkfs/mount/fsck, then again with HeaderDigest and
# DataDigest CRC32C. Prints the guest's log. Needs qemu-system-x86, busybox-static, open-iscsi, e2fsprogs on the host.
# Usage: kernel-lab-open-iscsi.sh [WORKDIR]        (build the module first: mvn -B -pl iscsi-frontend -am test-compile)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
W=${1:-/tmp/lunforge-iscsi-lab}
mkdir -p "$W/out" && cd "$W"
if [ ! -f vmlinuz ]; then
  apt-get download $(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image/{print $2}') >/dev/null
  dpkg-deb -x linux-image-*.deb root
  cp root/boot/vmlinuz-* vmlinuz
fi
KVER=$(ls root/lib/modules)
depmod -b root "$KVER"
rm -rf initrd && mkdir -p initrd/bin initrd/lib/modules initrd/proc initrd/sys initrd/dev initrd/lower initrd/upper initrd/newroot
cp /bin/busybox initrd/bin/busybox
for m in virtio_pci 9pnet_virtio 9p overlay iscsi_tcp sd_mod crc32c_generic ext4; do
  modprobe -d root -S "$KVER" --show-depends $m
done | awk '{print $2}' | awk '!s[$0]++' > modules.list
for f in $(cat modules.list); do b=$(basename $f)
  case $b in *.xz) xz -dc $f > initrd/lib/modules/${b%.xz};; *) cp $f initrd/lib/modules/$b;; esac
done
sed 's|.*/||; s|\.xz$||' modules.list > initrd/modules.txt
cat > initrd/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /modules.txt); do insmod /lib/modules/$m 2>/dev/null; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /lower
mount -t tmpfs tmpfs /upper; mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot
mkdir -p /newroot/out; mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /newroot/out
mount --move /proc /newroot/proc; mount --move /sys /newroot/sys; mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh /out/stage2.sh
INIT
chmod +x initrd/init
(cd initrd && find . | cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.gz)
cat > out/stage2.sh <<STAGE2
#!/bin/sh
mount -t tmpfs tmpfs /tmp; mount -t tmpfs tmpfs /run; mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
exec > /out/log.txt 2>&1
ip link set lo up
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
$HERE/run-test-target.sh -Dport=3260 -Dsize=128 -Dthreads=2 > /out/target.log 2>&1 &
for i in \$(seq 300); do grep -q serving /out/target.log && break; sleep 1; done
echo InitiatorName=iqn.2005-03.org.open-iscsi:lab > /etc/iscsi/initiatorname.iscsi
sed -i 's|^iscsid.startup = .*|iscsid.startup = /sbin/iscsid|; s|replacement_timeout = .*|replacement_timeout = 5|' /etc/iscsi/iscsid.conf
mkdir -p /run/lock/iscsi /var/lib/iscsi; iscsid; sleep 1
N="iscsiadm -m node -T iqn.2026-11.org.lunforge:test -p 127.0.0.1:3260"
check() { # label seek-MiB
  sleep 3; DEV=/dev/\$(ls /sys/class/scsi_disk/*/device/block/ | head -1)
  iscsiadm -m session -P 3 | grep -E 'HeaderDigest|DataDigest|MaxRecvDataSegmentLength|MaxBurstLength|FirstBurstLength|ImmediateData|InitialR2T'
  dd if=/dev/urandom of=/tmp/p bs=1M count=16 2>/dev/null
  dd if=/tmp/p of=\$DEV bs=1M seek=\$2 oflag=direct 2>/dev/null; dd if=\$DEV of=/tmp/b bs=1M skip=\$2 count=16 iflag=direct 2>/dev/null
  cmp /tmp/p /tmp/b && echo "\$1: DATA OK"
}
iscsiadm -m discovery -t st -p 127.0.0.1:3260
\$N --login && check "no digests" 0
mkfs.ext4 -q -F \$DEV && mkdir -p /mnt/l && mount \$DEV /mnt/l && cp /tmp/p /mnt/l/f && sync && umount /mnt/l
mount \$DEV /mnt/l && cmp /tmp/p /mnt/l/f && echo "ext4: DATA OK"; umount /mnt/l; fsck.ext4 -n \$DEV && echo "ext4: FSCK CLEAN"
\$N --logout
\$N -o update -n node.conn[0].iscsi.HeaderDigest -v CRC32C; \$N -o update -n node.conn[0].iscsi.DataDigest -v CRC32C
\$N --login && check "CRC32C digests" 32
\$N --logout
grep -E 'WARNING|SEVERE' /out/target.log
echo LAB-DONE; sync; poweroff -f
STAGE2
chmod +x out/stage2.sh; rm -f out/log.txt
timeout 1800 qemu-system-x86_64 -accel tcg -m 3072 -smp 2 -kernel vmlinuz -initrd initrd.gz \
  -append "console=ttyS0 quiet loglevel=3 panic=1" -nographic -no-reboot -nic none \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$W/out",mount_tag=out,security_model=none,multidevs=remap > console.txt 2>&1 || true
cat out/log.txt
