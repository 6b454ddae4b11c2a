#!/usr/bin/env bash
# One incremental poll of the feed list on a running Dask cluster, into object storage.
# Usage: DASK_SCHEDULER=tcp://host:8786 OUTPUT=s3://bucket/akhbar deploy/dask/run-ingest.sh
set -euo pipefail
DASK_SCHEDULER="${DASK_SCHEDULER:-tcp://akhbar-dask-scheduler:8786}"
OUTPUT="${OUTPUT:-s3://news-bucket/akhbar}"
FEEDS="${FEEDS:-/opt/akhbar/seeds/feeds.yaml}"

akhbar ingest --feeds "$FEEDS" --output "$OUTPUT" \
  --runner=dask --dask_client_address="$DASK_SCHEDULER" \
  --state-horizon-days 30 --lock-wait 0
