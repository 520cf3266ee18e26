#!/bin/bash
# Runs libiscsi's iSCSI test family against the test target three ways: plain, with header digests, and over
# mutual CHAP. Prints the CUnit summary of each; a "[SKIPPED]" inside a test is a skip, not a pass.
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-3291}
IQN=iqn.2026-11.org.lunforge:test
run_target() {
  "$HERE/run-test-target.sh" -Dport=$PORT -Dsize=256 "$@" > /tmp/lunforge-cu-target.log 2>&1 &
  TARGET=$!
  for i in $(seq 60); do grep -q serving /tmp/lunforge-cu-target.log && return; sleep 1; done
  echo "target did not start"; exit 1
}
suite() {
  echo "== $1"
  stdbuf -oL -eL iscsi-test-cu --dataloss --test=${TESTS:-iSCSI} "$2" 2>&1 | grep -E 'Test:|SKIPPED\] [A-Z]|tests |asserts'
}
run_target
suite "plain" "iscsi://127.0.0.1:$PORT/$IQN/0"
suite "HeaderDigest=CRC32C" "iscsi://127.0.0.1:$PORT/$IQN/0?header_digest=crc32c"
kill $TARGET; wait $TARGET 2>/dev/null
run_target -Dchap.user=alice -Dchap.secret=initiator-secret -Dchap.mutual.user=lunforge \
    -Dchap.mutual.secret=target-secret-1
suite "mutual CHAP" "iscsi://alice%initiator-secret@127.0.0.1:$PORT/$IQN/0?target_user=lunforge&target_password=target-secret-1"
kill $TARGET; wait $TARGET 2>/dev/null
