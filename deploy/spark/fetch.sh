#!/usr/bin/env bash
# Fetch Spark 3.5.9 and assemble Beam's Spark job server into the engine cache, pinned and
# verified by deploy/engines.lock. Idempotent: what is already there and verified is kept.
#   deploy/spark/fetch.sh           fetch/assemble what is missing, print the cache folder
#   deploy/spark/fetch.sh --check   verify what is there, fetch nothing (exit 1 if incomplete)
#
# Cache: ${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/spark/
#   spark-3.5.9/         Spark's distribution (jars/, bin/, sbin/) from PyPI's pyspark sdist,
#                        which carries it under deps/ (Maven Central serves no Spark distribution)
#   beam-runners-spark-3-job-server-2.62.0.jar
#                        Beam's Spark job server, assembled from Maven Central's published jars
#                        (deploy/spark/jobserver/pom.xml says why and how; nothing is compiled)
#   downloads/           the pyspark sdist
#
# Environment: AKHBAR_PYTHON (an interpreter with pip; default the repository's .venv, else
# python3), JAVA_HOME (for mvn).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LOCK="$REPO/deploy/engines.lock"
CACHE="${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/spark"
CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1

die() { echo "deploy/spark/fetch.sh: $*" >&2; exit 1; }

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

read -r SPARK_VERSION DIST_SHA DIST_SRC <<<"$(lock spark-dist)"
read -r JOBSERVER_VERSION JOBSERVER_SHA JOBSERVER_SRC <<<"$(lock spark-job-server)"

SPARK_HOME="$CACHE/spark-$SPARK_VERSION"
DOWNLOADS="$CACHE/downloads"
DIST_FILE="$DOWNLOADS/${DIST_SRC##*:}"   # the sdist's file name is the source's last field
JAR="$CACHE/beam-runners-spark-3-job-server-$JOBSERVER_VERSION.jar"

fetch_spark() {
  # A finished unpack writes .complete last, so an interrupted one is redone.
  [ -f "$SPARK_HOME/.complete" ] && [ "$(cat "$SPARK_HOME/.complete")" = "$DIST_SHA" ] && return 0
  if ! sha_ok "$DIST_FILE" "$DIST_SHA"; then
    [ "$CHECK_ONLY" = 1 ] && die "Spark $SPARK_VERSION missing or wrong checksum: $DIST_FILE (run make engines)"
    mkdir -p "$DOWNLOADS"
    rm -f "$DIST_FILE"
    echo "fetching Spark $SPARK_VERSION ($(basename "$DIST_FILE"), 318 MB) from PyPI ..." >&2
    "$(python_with_pip)" -m pip download --quiet --no-deps --no-binary :all: \
      --dest "$DOWNLOADS" "pyspark==$SPARK_VERSION" >&2
    sha_ok "$DIST_FILE" "$DIST_SHA" \
      || { rm -f "$DIST_FILE"; die "sha256 of $(basename "$DIST_FILE") is not $DIST_SHA (deploy/engines.lock)"; }
  fi
  [ "$CHECK_ONLY" = 1 ] && die "Spark $SPARK_VERSION is not unpacked in $SPARK_HOME (run make engines)"
  local tmp="$SPARK_HOME.tmp" top="pyspark-$SPARK_VERSION/deps"
  rm -rf "$tmp" "$SPARK_HOME" && mkdir -p "$tmp"
  tar -xzf "$DIST_FILE" -C "$tmp" --no-same-owner --strip-components=2 "$top/jars" "$top/bin" "$top/sbin"
  chmod +x "$tmp"/bin/* "$tmp"/sbin/*.sh
  echo "$DIST_SHA" >"$tmp/.complete"
  mv "$tmp" "$SPARK_HOME"
}

assemble_job_server() {
  sha_ok "$JAR" "$JOBSERVER_SHA" && return 0
  [ "$CHECK_ONLY" = 1 ] && die "job server missing or wrong checksum: $JAR (run make engines)"
  command -v mvn >/dev/null || die "mvn is needed to assemble Beam's Spark job server (apt-get install maven)"
  local build
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' RETURN
  echo "assembling Beam's Spark job server $JOBSERVER_VERSION from Maven Central (about 1 minute) ..." >&2
  cp "$HERE/jobserver/pom.xml" "$build/pom.xml"
  (cd "$build" && mvn -B -q package -DskipTests >"$build/build.log" 2>&1) \
    || { grep -v '^\[WARNING\]' "$build/build.log" | tail -40 >&2; die "the job server assembly failed (log above)"; }
  local built="$build/target/beam-runners-spark-3-job-server-$JOBSERVER_VERSION.jar"
  if ! sha_ok "$built" "$JOBSERVER_SHA"; then
    die "the assembled job server's sha256 is $(sha256sum "$built" | cut -d' ' -f1), not $JOBSERVER_SHA (deploy/engines.lock): a different Maven artifact?"
  fi
  mkdir -p "$CACHE"
  mv "$built" "$JAR.tmp" && mv "$JAR.tmp" "$JAR"
}

fetch_spark
assemble_job_server
echo "$CACHE"
