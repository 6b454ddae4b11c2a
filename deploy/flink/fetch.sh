#!/usr/bin/env bash
# Fetch Flink 1.19.3 and assemble Beam's Flink job server into the engine cache, pinned and
# verified by deploy/engines.lock. Idempotent: what is already there and verified is kept.
#   deploy/flink/fetch.sh           fetch/assemble what is missing, print the cache folder
#   deploy/flink/fetch.sh --check   verify what is there, fetch nothing (exit 1 if incomplete)
#
# Cache: ${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/flink/
#   flink-1.19.3/        Flink's distribution: lib/, opt/, plugins/ and bin/bash-java-utils.jar from
#                        PyPI's apache-flink-libraries sdist, bin/ and conf/ from the apache-flink
#                        wheel (Maven Central does not serve flink-dist)
#   beam-runners-flink-1.19-job-server-2.62.0.jar
#                        Beam's Flink job server, assembled from Maven Central's published jars
#                        (deploy/flink/jobserver/pom.xml says why and how; nothing is compiled)
#   downloads/           the two PyPI files
#
# Environment: AKHBAR_PYTHON (an interpreter with pip; default the repository's .venv, else
# python3), JAVA_HOME (for mvn).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LOCK="$REPO/deploy/engines.lock"
CACHE="${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/flink"
CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1

die() { echo "deploy/flink/fetch.sh: $*" >&2; exit 1; }

# lock NAME -> "version checksum source" of that line of deploy/engines.lock
lock() {
  local line
  line="$(awk -v n="$1" '$1 == n { print $2, $3, $4 }' "$LOCK")"
  [ -n "$line" ] || die "no '$1' line in $LOCK"
  echo "$line"
}

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

python_with_pip() {
  if [ -n "${AKHBAR_PYTHON:-}" ]; then echo "$AKHBAR_PYTHON"
  elif [ -x "$REPO/.venv/bin/python" ]; then echo "$REPO/.venv/bin/python"
  else command -v python3 || die "python3 is needed (pip download)"; fi
}

read -r FLINK_VERSION LIBS_SHA LIBS_SRC <<<"$(lock flink-libraries)"
read -r SCRIPTS_VERSION SCRIPTS_SHA SCRIPTS_SRC <<<"$(lock flink-scripts)"
read -r JOBSERVER_VERSION JOBSERVER_SHA JOBSERVER_SRC <<<"$(lock flink-job-server)"
[ "$FLINK_VERSION" = "$SCRIPTS_VERSION" ] || die "flink-libraries and flink-scripts versions differ in $LOCK"

FLINK_HOME="$CACHE/flink-$FLINK_VERSION"
DOWNLOADS="$CACHE/downloads"
JAR="$CACHE/beam-runners-flink-1.19-job-server-$JOBSERVER_VERSION.jar"
LIBS_FILE="$DOWNLOADS/apache-flink-libraries-$FLINK_VERSION.tar.gz"
SCRIPTS_FILE="$DOWNLOADS/${SCRIPTS_SRC##*:}"   # the wheel's file name is the source's last field

# download NAME FILE SHA PIP_ARGS...: pip download into DOWNLOADS, then check the sha256
download() {
  local name="$1" file="$2" sha="$3"; shift 3
  sha_ok "$file" "$sha" && return 0
  [ "$CHECK_ONLY" = 1 ] && die "$name missing or wrong checksum: $file (run make engines)"
  mkdir -p "$DOWNLOADS"
  rm -f "$file"
  echo "fetching $name ($(basename "$file")) from PyPI ..." >&2
  "$(python_with_pip)" -m pip download --quiet --no-deps --dest "$DOWNLOADS" "$@" >&2
  sha_ok "$file" "$sha" || { rm -f "$file"; die "$name: sha256 of $(basename "$file") is not $sha (deploy/engines.lock)"; }
}

fetch_flink() {
  # A finished unpack writes .complete last, so an interrupted one is redone.
  [ -f "$FLINK_HOME/.complete" ] && [ "$(cat "$FLINK_HOME/.complete")" = "$LIBS_SHA $SCRIPTS_SHA" ] && return 0
  download flink-libraries "$LIBS_FILE" "$LIBS_SHA" --no-binary :all: "apache-flink-libraries==$FLINK_VERSION"
  download flink-scripts "$SCRIPTS_FILE" "$SCRIPTS_SHA" --only-binary :all: \
    --python-version 3.11 --platform manylinux2014_x86_64 "apache-flink==$FLINK_VERSION"
  [ "$CHECK_ONLY" = 1 ] && die "Flink $FLINK_VERSION is not unpacked in $FLINK_HOME (run make engines)"
  local tmp="$FLINK_HOME.tmp"
  rm -rf "$tmp" "$FLINK_HOME" && mkdir -p "$tmp/unpack"
  tar -xzf "$LIBS_FILE" -C "$tmp/unpack"
  local deps="$tmp/unpack/apache-flink-libraries-$FLINK_VERSION/deps"
  mv "$deps/lib" "$deps/opt" "$deps/plugins" "$tmp/"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith(("pyflink/bin/", "pyflink/conf/"))])' \
    "$SCRIPTS_FILE" "$tmp/unpack"
  mv "$tmp/unpack/pyflink/bin" "$tmp/unpack/pyflink/conf" "$tmp/"
  mv "$deps/bin/bash-java-utils.jar" "$tmp/bin/"
  chmod +x "$tmp"/bin/*.sh "$tmp/bin/flink"
  rm -rf "$tmp/unpack"
  echo "$LIBS_SHA $SCRIPTS_SHA" >"$tmp/.complete"
  mv "$tmp" "$FLINK_HOME"
}

assemble_job_server() {
  sha_ok "$JAR" "$JOBSERVER_SHA" && return 0
  [ "$CHECK_ONLY" = 1 ] && die "job server missing or wrong checksum: $JAR (run make engines)"
  command -v mvn >/dev/null || die "mvn is needed to assemble Beam's Flink job server (apt-get install maven)"
  local build
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' RETURN
  echo "assembling Beam's Flink job server $JOBSERVER_VERSION from Maven Central (about 1 minute) ..." >&2
  cp "$HERE/jobserver/pom.xml" "$build/pom.xml"
  (cd "$build" && mvn -B -q package -DskipTests >"$build/build.log" 2>&1) \
    || { grep -v '^\[WARNING\]' "$build/build.log" | tail -40 >&2; die "the job server assembly failed (log above)"; }
  local built="$build/target/beam-runners-flink-1.19-job-server-$JOBSERVER_VERSION.jar"
  if ! sha_ok "$built" "$JOBSERVER_SHA"; then
    die "the assembled job server's sha256 is $(sha256sum "$built" | cut -d' ' -f1), not $JOBSERVER_SHA (deploy/engines.lock): a different Maven artifact?"
  fi
  mkdir -p "$CACHE"
  mv "$built" "$JAR.tmp" && mv "$JAR.tmp" "$JAR"
}

fetch_flink
assemble_job_server
echo "$CACHE"
