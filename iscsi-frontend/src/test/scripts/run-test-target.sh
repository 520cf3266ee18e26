#!/bin/bash
# Serves the test RAM disk (iqn.2026-11.org.lunforge:test, LUN 0) on 127.0.0.1.
# JVM options pass through: -Dport=3260 -Dsize=<MiB> -Dasync=true -Dchap.user=.. -Dchap.secret=..
#                           -Dchap.mutual.user=.. -Dchap.mutual.secret=.. -Dthreads=N
# Build first: mvn -B -pl iscsi-frontend -am test-compile
set -e
MODULE=$(cd "$(dirname "$0")/../../.." && pwd)
REPO=$(cd "$MODULE/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
CPFILE="$MODULE/target/test-classpath.txt"
if [ ! -s "$CPFILE" ]; then
  (cd "$REPO" && mvn -B -q -o -pl iscsi-frontend dependency:build-classpath -Dmdep.outputFile="$CPFILE" \
      -Dmdep.includeScope=test >/dev/null)
fi
CP="$MODULE/target/classes:$MODULE/target/test-classes:$REPO/scsi-emulation/target/classes:$(cat "$CPFILE")"
exec "$JAVA" -Xmx2g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow "$@" \
    -cp "$CP" org.lunforge.iscsi.IscsiTestTarget
