#!/bin/bash
# lab-timeout: 900
# tape-encryption: SSC-4 tape data encryption on a lunforge library through open-iscsi, st and
# sg, driven by Debian's stenc (1.0.7) the way an administrator drives a real LTO drive. stenc
# sets a 256-bit key with a key descriptor (U-KAD) and reads the drive's status pages back; a
# tar archive written in ENCRYPT mode restores byte-identical with the key; with the key off,
# the same read fails with EIO, the kernel log and sg_raw show DATA PROTECT, UNABLE TO DECRYPT
# DATA, and stenc's next block status says "Encrypted, but unable to decrypt"; set again, the
# archive restores. A key set with --ckod is gone after the cartridge is unloaded and loaded
# (mtx), as on a real drive, and the archive cannot be read.
set -euo pipefail
. "$LAB_DIR/guest/lib.sh"
. "$LAB_DIR/scenarios/tape-lib.bash"

lab_require_commands stenc mtx mt tar sg_raw sha256sum
tape_write_config /tmp/vtl/vtl.json /tmp/vtl 67108864 2
tape_start_lunforged /tmp/vtl/vtl.json
tape_login
TAPE_SG0=$(lab_scsi_dev "$TAPE_HCTL_DRIVE0" sg)

tape_mtx load 1 0
tape_status_has "$TAPE_NST0" ONLINE BOT
tape_mt "$TAPE_NST0" setblk 0

# stenc's key file: the key in hex on the first line, its descriptor (the U-KAD) on the second.
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\nlab-key-1\n' "$key" > /tmp/lab.key
chmod 600 /tmp/lab.key

# stenc_run ARGS...: stenc -f $TAPE_NST0 ARGS, its output logged and printed; fails on error.
stenc_run() {
    local out
    out=$(stenc -f "$TAPE_NST0" "$@" 2>&1) || lab_fail "stenc $* failed: $out"
    lab_log "stenc $*: $(tr '\n' '|' <<< "$out")"
    echo "$out"
}
# stenc_expect ARGS... -- PATTERN...: one stenc run; its output must match each extended regexp.
stenc_expect() {
    local args=() out pattern
    while [[ $1 != -- ]]; do
        args+=("$1")
        shift
    done
    shift
    out=$(stenc_run "${args[@]}")
    for pattern in "$@"; do
        grep -Eq -- "$pattern" <<< "$out" || lab_fail "stenc ${args[*]}: no '$pattern' in:"$'\n'"$out"
    done
}

stenc_expect --detail -- '^Drive Encryption: +off'
stenc_expect -e on -k /tmp/lab.key -a 1 -- 'Success'
stenc_expect --detail -- '^Drive Encryption: +on' 'Drive Key Desc.\(uKAD\): +lab-key-1' 'Key Instance Counter: *1'

# --- an archive written encrypted, restored with the key ------------------------------------
src=/tmp/src
# Small: under TCG the guest CPU has no AES-NI, and the JDK's AES-GCM runs in software there.
tape_random_tree $src/set 512 200 7
# Text compresses: LTO drives compress before they encrypt, and so does lunforge.
seq 1 100000 > $src/set/counting.txt
started=$(date +%s.%N)
tar -C $src -b 512 -cf "$TAPE_NST0" set
write_secs=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $started }")
tape_mt "$TAPE_NST0" rewind
stenc_expect --detail -- 'Volume Encryption: +Encrypted and able to decrypt'
mkdir -p /tmp/out1
started=$(date +%s.%N)
tar -C /tmp/out1 -b 512 -xf "$TAPE_NST0"
read_secs=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $started }")
tape_same_tree $src/set /tmp/out1/set "restore with the key"

# --- the key off: the read fails the way a real drive fails it -----------------------------
stenc_expect -e off -- 'Success'
tape_mt "$TAPE_NST0" rewind
stenc_expect --detail -- '^Drive Encryption: +off' 'Volume Encryption: +Encrypted, but unable to decrypt' \
    'Volume Key Desc.\(uKAD\): +lab-key-1'
dmesg -c > /dev/null
mkdir -p /tmp/out2
if tar -C /tmp/out2 -b 512 -xf "$TAPE_NST0" 2> /tmp/tar-nokey.txt; then
    lab_fail "tar read the encrypted archive without the key"
fi
lab_log "tar without the key: $(tr '\n' '|' < /tmp/tar-nokey.txt)"
grep -q 'Input/output error' /tmp/tar-nokey.txt || lab_fail "tar without the key did not fail with EIO: $(cat /tmp/tar-nokey.txt)"
dmesg > "$LAB_OUT/dmesg-nokey.txt"
grep -qi 'Data protect' "$LAB_OUT/dmesg-nokey.txt" || lab_fail "no DATA PROTECT sense in the kernel log: $(tail -5 "$LAB_OUT/dmesg-nokey.txt")"
grep -qi 'Unable to decrypt data' "$LAB_OUT/dmesg-nokey.txt" || lab_fail "no 'Unable to decrypt data' in the kernel log: $(tail -5 "$LAB_OUT/dmesg-nokey.txt")"
# The same READ(6) through sg: the sense data itself (74h/01h).
tape_mt "$TAPE_NST0" rewind
sg_raw -r 512k "$TAPE_SG0" 08 00 08 00 00 00 > /tmp/sgraw.txt 2>&1 || true
lab_log "sg_raw READ(6) without the key: $(tr '\n' '|' < /tmp/sgraw.txt)"
grep -qi 'Data protect' /tmp/sgraw.txt && grep -qi 'Unable to decrypt data' /tmp/sgraw.txt \
    || lab_fail "sg_raw READ(6) without the key: $(cat /tmp/sgraw.txt)"

# --- the key back: the archive restores -----------------------------------------------------
stenc_expect -e on -k /tmp/lab.key -a 1 --ckod -- 'Success'
tape_mt "$TAPE_NST0" rewind
mkdir -p /tmp/out3
tar -C /tmp/out3 -b 512 -xf "$TAPE_NST0"
tape_same_tree $src/set /tmp/out3/set "restore after the key was set again"

# --- CKOD: a reload forgets the key ---------------------------------------------------------
tape_mtx unload 1 0
tape_mtx load 1 0
tape_status_has "$TAPE_NST0" ONLINE BOT
stenc_expect --detail -- '^Drive Encryption: +off'
mkdir -p /tmp/out4
if tar -C /tmp/out4 -b 512 -xf "$TAPE_NST0" 2> /tmp/tar-reload.txt; then
    lab_fail "tar read the encrypted archive after a reload with CKOD"
fi
grep -q 'Input/output error' /tmp/tar-reload.txt || lab_fail "tar after the reload did not fail with EIO: $(cat /tmp/tar-reload.txt)"

tape_mt "$TAPE_NST0" eod
blocks=$(( $(tape_tell "$TAPE_NST0") - 1 ))
dmesg > "$LAB_OUT/dmesg-tape.txt"
# A clean stop lets the JVM write its class archive for the next run's start.
lab_stop_lunforged || true
lab_result PASS "stenc 1.0.7 set a 256-bit key with U-KAD lab-key-1 and read the status pages; a tar archive ($(du -sk $src/set | cut -f1) KiB, $blocks blocks of 256 KiB, written encrypted in ${write_secs}s, read in ${read_secs}s) restored identical with the key; without it EIO, DATA PROTECT 74h/01h (kernel log, sg_raw) and next block status 'unable to decrypt'; restored again with the key; --ckod forgot the key on a reload"
