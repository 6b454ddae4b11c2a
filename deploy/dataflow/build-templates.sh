#!/usr/bin/env bash
# Build the two Flex Templates (ingest and stream) from one image. Not run here (no GCP).
set -euo pipefail
PROJECT="${PROJECT:?set PROJECT}"
REGION="${REGION:-europe-west1}"
BUCKET="${BUCKET:?set BUCKET (gs://... for templates)}"
REPO="${REPO:-${REGION}-docker.pkg.dev/${PROJECT}/akhbar}"
VERSION="${VERSION:-0.1.0}"
LAUNCHER_IMAGE="${LAUNCHER_IMAGE:?set LAUNCHER_IMAGE (python311-template-launcher-base:<dated tag>)}"

docker build -f deploy/docker/Dockerfile -t "${REPO}/akhbar:${VERSION}" .
docker build -f deploy/dataflow/Dockerfile \
  --build-arg AKHBAR_IMAGE="${REPO}/akhbar:${VERSION}" --build-arg LAUNCHER_IMAGE="${LAUNCHER_IMAGE}" \
  -t "${REPO}/akhbar-dataflow:${VERSION}" .
docker push "${REPO}/akhbar:${VERSION}"
docker push "${REPO}/akhbar-dataflow:${VERSION}"

for COMMAND in ingest stream; do
  gcloud dataflow flex-template build "${BUCKET}/templates/akhbar-${COMMAND}-${VERSION}.json" \
    --project "$PROJECT" \
    --image "${REPO}/akhbar-dataflow:${VERSION}" \
    --sdk-language PYTHON \
    --metadata-file "deploy/dataflow/${COMMAND}-metadata.json" \
    --env "AKHBAR_COMMAND=${COMMAND}"
done
