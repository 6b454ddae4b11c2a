#!/usr/bin/env bash
# Launch akhbar on Dataflow. Not run here (no GCP).
#   deploy/dataflow/launch.sh template-ingest   # one incremental poll from the Flex Template
#   deploy/dataflow/launch.sh template-stream   # the streaming job from the Flex Template
#   deploy/dataflow/launch.sh direct-ingest     # without a template, from this machine
# The workers run the akhbar image (--sdk_container_image), which has akhbar installed.
set -euo pipefail
MODE="${1:?usage: $0 template-ingest|template-stream|direct-ingest}"
PROJECT="${PROJECT:-my-project}"
REGION="${REGION:-europe-west1}"
BUCKET="${BUCKET:-gs://news-bucket}"
VERSION="${VERSION:-0.1.0}"
IMAGE="${IMAGE:-${REGION}-docker.pkg.dev/${PROJECT}/akhbar/akhbar:${VERSION}}"
OUTPUT="${OUTPUT:-${BUCKET}/akhbar}"
FEEDS="${FEEDS:-/opt/akhbar/seeds/feeds.yaml}"

case "$MODE" in
  template-ingest)
    gcloud dataflow flex-template run "akhbar-ingest-$(date -u +%Y%m%d-%H%M%S)" \
      --project "$PROJECT" --region "$REGION" \
      --template-file-gcs-location "${BUCKET}/templates/akhbar-ingest-${VERSION}.json" \
      --worker-machine-type e2-standard-2 --max-workers 4 \
      --additional-experiments use_runner_v2 \
      --parameters "output=${OUTPUT},feeds=${FEEDS},sdk_container_image=${IMAGE}"
    ;;
  template-stream)
    gcloud dataflow flex-template run "akhbar-stream-${VERSION//./-}" \
      --project "$PROJECT" --region "$REGION" \
      --template-file-gcs-location "${BUCKET}/templates/akhbar-stream-${VERSION}.json" \
      --worker-machine-type e2-standard-2 --num-workers 1 --max-workers 2 \
      --enable-streaming-engine \
      --parameters "output=${OUTPUT},feeds=${FEEDS},poll_interval=300,window=900,sdk_container_image=${IMAGE}"
    ;;
  direct-ingest)
    akhbar ingest --feeds "$FEEDS" --output "$OUTPUT" \
      --runner=DataflowRunner --project="$PROJECT" --region="$REGION" \
      --temp_location="${BUCKET}/tmp" --staging_location="${BUCKET}/staging" \
      --sdk_container_image="$IMAGE" --experiments=use_runner_v2 \
      --machine_type=e2-standard-2 --max_num_workers=4
    ;;
  *)
    echo "usage: $0 template-ingest|template-stream|direct-ingest" >&2
    exit 2
    ;;
esac
