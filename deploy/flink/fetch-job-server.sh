#!/usr/bin/env bash
# Put Beam's Flink job server on the submitting machine, so that FlinkRunner does not download
# a jar at submit time (machines without internet, reproducible deploys). It is the jar the local
# cluster is tested with: Beam 2.62.0's Flink 1.19 job server, assembled from Maven Central's
# published jars by deploy/flink/fetch.sh (jobserver/pom.xml) and checked against the sha256 in
# deploy/engines.lock, then copied to DEST. Needs mvn, Java 11+ and pip (fetch.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="${DEST:-/opt/beam}"
JAR="beam-runners-flink-1.19-job-server-2.62.0.jar"

CACHE="$("$HERE/fetch.sh")"
mkdir -p "$DEST"
cp "$CACHE/$JAR" "$DEST/$JAR.tmp" && mv "$DEST/$JAR.tmp" "$DEST/$JAR"
echo "$DEST/$JAR"
