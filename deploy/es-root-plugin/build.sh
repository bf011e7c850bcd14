#!/usr/bin/env bash
# Builds the peacewatch-root Elasticsearch plugin zip.
#
#   deploy/es-root-plugin/build.sh [OUTPUT_DIR]
#
# Writes OUTPUT_DIR/peacewatch-root-<es version>.zip (default OUTPUT_DIR: ./dist beside
# this script) and prints its path on stdout. Needs Maven and a JDK >= 21 (JAVA_HOME,
# ES_JAVA_HOME, or the newest one under /usr/lib/jvm). Maven's default repository
# settings are used; extra Maven arguments can be given in MVN_ARGS (e.g. MVN_ARGS=-o).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

java_major() {  # prints the major version of $1/bin/javac, or nothing
    [ -x "$1/bin/javac" ] || return 0
    "$1/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' | head -n1
}

pick_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" "${ES_JAVA_HOME:-}"; do
        [ -n "$candidate" ] || continue
        major="$(java_major "$candidate")"
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$candidate"; return 0; fi
    done
    local best="" best_major=0
    for candidate in /usr/lib/jvm/*; do
        [ -L "$candidate" ] && continue
        major="$(java_major "$candidate")"
        if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate"; best_major="$major"
        fi
    done
    [ -n "$best" ] && echo "$best"
}

jdk="$(pick_jdk || true)"
if [ -z "$jdk" ]; then
    echo "build.sh: no JDK >= 21 found (set JAVA_HOME)" >&2
    exit 1
fi
command -v mvn >/dev/null || { echo "build.sh: mvn not found (apt-get install maven)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK >= 24; that's noise.
maven_opts="${MAVEN_OPTS:-}"
if [ "$(java_major "$jdk")" -ge 24 ]; then
    maven_opts="$maven_opts --sun-misc-unsafe-memory-access=allow"
fi

# shellcheck disable=SC2086
JAVA_HOME="$jdk" MAVEN_OPTS="$maven_opts" mvn -q -B -Dstyle.color=never -f "$here/pom.xml" ${MVN_ARGS:-} \
    "-Dpeacewatch.build.dir=$work" package >&2

zip="$(ls "$work"/peacewatch-root-*.zip)"
cp "$zip" "$out/"
echo "$out/$(basename "$zip")"
