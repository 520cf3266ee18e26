# Sourced by bin/ scripts: finds a JDK 25, makes sure Maven is there, and builds the project when its sources are
# newer than the daemon's jar. A fresh Debian machine with a JDK 25 needs nothing else.

LUNFORGE_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LUNFORGE_HOME

lunforge_die() {
    echo "lunforge: $*" >&2
    exit 1
}

# JAVA_HOME if it is a JDK 25 or later, else the first JDK 25+ under /usr/lib/jvm.
lunforge_find_jdk() {
    local candidate version
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
        # The JDK's release file names its version; starting a JVM to ask costs 20-30 s in the kernel lab's guest.
        version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null)
        [ -n "$version" ] || version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java.specification.version = //p')
        if [ -n "$version" ] && [ "${version%%.*}" -ge 25 ]; then
            export JAVA_HOME=$candidate
            return 0
        fi
    done
    lunforge_die "needs a JDK 25 or later (set JAVA_HOME, or install one under /usr/lib/jvm)"
}

# Debian packages, installed only when missing (CI and new machines start bare).
lunforge_need_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || lunforge_die "missing packages ${missing[*]}: install them, or run as root"
    echo "lunforge: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            "${missing[@]}" >&2; } || lunforge_die "could not install ${missing[*]}"
}

lunforge_mvn() {
    command -v mvn >/dev/null || lunforge_need_packages maven
    (cd "$LUNFORGE_HOME" && mvn -B -q "$@")
}

# Builds (without tests) when any source or POM is newer than the daemon's jar. With LUNFORGE_PREBUILT=1 (the
# kernel lab's guest: the host built before it booted, and a tree walk over 9p under TCG takes minutes) the jar only
# has to be there.
lunforge_build_if_stale() {
    local jar=$LUNFORGE_HOME/server/target/lunforge-server.jar
    if [ "${LUNFORGE_PREBUILT:-}" = 1 ]; then
        [ -f "$jar" ] || lunforge_die "$jar is missing (LUNFORGE_PREBUILT=1: build on the host first)"
        return 0
    fi
    if [ ! -f "$jar" ] || [ -n "$(find "$LUNFORGE_HOME" -path "$LUNFORGE_HOME/conformance/lab/work" -prune -o \
            \( -name pom.xml -o -path '*/src/*' \) -newer "$jar" -print -quit)" ]; then
        echo "lunforge: building (mvn install -DskipTests)" >&2
        lunforge_mvn install -DskipTests >&2 || lunforge_die "build failed"
    fi
}

lunforge_find_jdk
