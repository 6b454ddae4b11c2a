#!/usr/bin/env bash
# Pre-fetch Beam's Flink job server jar, so that FlinkRunner does not download it from Maven
# Central at submit time (machines without internet, reproducible deploys). Pinned: Beam
# 2.77.0 for Flink 1.20; the checksum is Maven Central's own .sha1 for that file.
set -euo pipefail
BEAM_VERSION="${BEAM_VERSION:-2.77.0}"
FLINK_VERSION="${FLINK_VERSION:-1.20}"
DEST="${DEST:-/opt/beam}"
ARTIFACT="beam-runners-flink-${FLINK_VERSION}-job-server"
URL="https://repo.maven.apache.org/maven2/org/apache/beam/${ARTIFACT}/${BEAM_VERSION}/${ARTIFACT}-${BEAM_VERSION}.jar"

mkdir -p "$DEST"
curl -fsSL -o "$DEST/${ARTIFACT}-${BEAM_VERSION}.jar" "$URL"
curl -fsSL -o "$DEST/${ARTIFACT}-${BEAM_VERSION}.jar.sha1" "$URL.sha1"
(cd "$DEST" && echo "$(cat "${ARTIFACT}-${BEAM_VERSION}.jar.sha1")  ${ARTIFACT}-${BEAM_VERSION}.jar" | sha1sum -c -)
echo "$DEST/${ARTIFACT}-${BEAM_VERSION}.jar"
