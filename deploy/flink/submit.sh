#!/usr/bin/env bash
# Submit akhbar to the Flink session cluster of flink-session.yaml.
#   deploy/flink/submit.sh stream   # continuous polling (the usual Flink job)
#   deploy/flink/submit.sh ingest   # one batch run (backfill or one poll)
# Needs on this machine: akhbar installed (same version as the image), Java 11+ (FlinkRunner
# starts the job server from the jar), the pre-fetched jar (fetch-job-server.sh: Beam 2.62.0's
# job server for Flink 1.19, the one the local cluster is tested with), and the
# JobManager's REST endpoint, e.g. kubectl port-forward svc/akhbar-flink-rest 8081.
# The output must be object storage: the workers are pods.
set -euo pipefail
COMMAND="${1:-stream}"
FLINK_MASTER="${FLINK_MASTER:-localhost:8081}"
FLINK_VERSION="${FLINK_VERSION:-1.19}"
JOB_SERVER_JAR="${JOB_SERVER_JAR:-/opt/beam/beam-runners-flink-1.19-job-server-2.62.0.jar}"
OUTPUT="${OUTPUT:-s3://news-bucket/akhbar}"
FEEDS="${FEEDS:-/opt/akhbar/seeds/feeds.yaml}"
PARALLELISM="${PARALLELISM:-4}"

case "$COMMAND" in
  stream)
    exec akhbar stream --feeds "$FEEDS" --output "$OUTPUT" \
      --poll-interval 300 --window 900 \
      --runner=FlinkRunner --flink_version="$FLINK_VERSION" --flink_master="$FLINK_MASTER" \
      --flink_job_server_jar="$JOB_SERVER_JAR" --parallelism="$PARALLELISM" \
      --environment_type=EXTERNAL --environment_config=localhost:50000 \
      --checkpointing_interval=60000
    ;;
  ingest)
    exec akhbar ingest --feeds "$FEEDS" --output "$OUTPUT" \
      --runner=FlinkRunner --flink_version="$FLINK_VERSION" --flink_master="$FLINK_MASTER" \
      --flink_job_server_jar="$JOB_SERVER_JAR" --parallelism="$PARALLELISM" \
      --environment_type=EXTERNAL --environment_config=localhost:50000
    ;;
  *)
    echo "usage: $0 stream|ingest" >&2
    exit 2
    ;;
esac
