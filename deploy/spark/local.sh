#!/usr/bin/env bash
# A Spark 3.5 standalone cluster on this machine, every port on 127.0.0.1: a master at
# spark://127.0.0.1:7077 (web UI http://127.0.0.1:8080), two workers (1 core, 1 GB for executors
# each; web UIs on 8181 and 8182) as separate JVMs, and Beam's Python SDK worker pool on
# 127.0.0.1:50100, which starts one SDK worker process per executor and job (akhbar runs on it
# with --environment_type=EXTERNAL --environment_config=localhost:50100, which --runner=spark
# adds by itself for a spark:// master).
#   deploy/spark/local.sh up       fetch what is missing (fetch.sh), start, wait for 2 workers
#   deploy/spark/local.sh down     stop everything this script started, drop executor work dirs
#   deploy/spark/local.sh status   what runs (exit 0 only when the cluster is complete)
#   deploy/spark/local.sh fetch    only fetch/assemble the artifacts (what `make engines` calls)
# Environment: AKHBAR_ENGINE_CACHE (the cache), SPARK_RUN_DIR (config, logs, pids and executor
# work dirs of the cluster; default the cache's spark/run/, and down/status must be given the
# same), AKHBAR_PYTHON (the interpreter of the worker pool and its workers: it must have akhbar
# installed; default the repository's .venv), JAVA_HOME (default Java 17), SPARK_UP_TIMEOUT
# (seconds, default 120).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/spark"
RUN="${SPARK_RUN_DIR:-$CACHE/run}"
SPARK_VERSION="$(awk '$1 == "spark-dist" { print $2 }' "$REPO/deploy/engines.lock")"
export SPARK_HOME="$CACHE/spark-$SPARK_VERSION"
MASTER_PORT=7077
MASTER_UI_PORT=8080
WORKER_UI_PORTS=(8181 8182)
POOL_PORT=50100
WORKER_MEMORY=1g
TIMEOUT="${SPARK_UP_TIMEOUT:-120}"
MASTER_CLASS=org.apache.spark.deploy.master.Master
WORKER_CLASS=org.apache.spark.deploy.worker.Worker
# Beam's SDK worker pool, shared with deploy/flink/: it binds 127.0.0.1 only and never stops a
# worker by id (ids repeat across executors as they do across TaskManagers).
WORKER_POOL="$REPO/deploy/flink/worker_pool.py"

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
if [ -n "${AKHBAR_PYTHON:-}" ]; then PYTHON="$AKHBAR_PYTHON"
elif [ -x "$REPO/.venv/bin/python" ]; then PYTHON="$REPO/.venv/bin/python"
else PYTHON="$(command -v python3)"; fi

# spark-daemon.sh reads these (and spark-env.sh below) for every daemon it starts or stops.
export SPARK_CONF_DIR="$RUN/conf" SPARK_LOG_DIR="$RUN/log" SPARK_PID_DIR="$RUN/pid"
export SPARK_IDENT_STRING=akhbar

die() { echo "deploy/spark/local.sh: $*" >&2; exit 1; }

# The master's JSON status (workers, applications), or nothing when the master does not answer.
master_json() {
  "$PYTHON" -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
except Exception:
    pass' "http://127.0.0.1:$MASTER_UI_PORT/json/"
}

workers_alive() {
  master_json | "$PYTHON" -c 'import json, sys
try:
    print(sum(w["state"] == "ALIVE" for w in json.load(sys.stdin)["workers"]))
except Exception:
    print(0)'
}

# pid of daemon CLASS instance N (spark-daemon.sh's pid file), if that process is alive
daemon_pid() {
  local file="$SPARK_PID_DIR/spark-$SPARK_IDENT_STRING-$1-$2.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
  return 0
}

worker_pids() {
  local i
  for i in "${!WORKER_UI_PORTS[@]}"; do daemon_pid "$WORKER_CLASS" "$((i + 1))"; done
}

pool_pid() {
  local pid
  [ -f "$RUN/pid/worker-pool.pid" ] || return 0
  pid="$(cat "$RUN/pid/worker-pool.pid")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
  return 0
}

# A port another program listens on (SO_REUSEADDR: a closed connection in TIME_WAIT is no owner).
port_busy() { "$PYTHON" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$1"; }

write_config() {
  mkdir -p "$RUN/conf" "$RUN/log" "$RUN/pid" "$RUN/work" "$RUN/tmp"
  cat >"$RUN/conf/spark-env.sh" <<EOF
# Written by deploy/spark/local.sh: everything on 127.0.0.1, small memory, 1 core per worker.
# SPARK_LOCAL_IP binds the daemons, their web UIs and the executors they start to loopback
# (Spark otherwise picks a non-loopback interface when the host name resolves to 127.0.0.1).
SPARK_LOCAL_IP=127.0.0.1
SPARK_MASTER_HOST=127.0.0.1
SPARK_LOG_DIR=$RUN/log
SPARK_PID_DIR=$RUN/pid
SPARK_WORKER_DIR=$RUN/work
SPARK_LOCAL_DIRS=$RUN/tmp
SPARK_DAEMON_MEMORY=512m
# Each application's executor dir holds a copy of the job-server jar (200 MB): drop those of
# finished applications after an hour (local.sh down drops them all).
SPARK_WORKER_OPTS="-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=600 -Dspark.worker.cleanup.appDataTtl=3600"
EOF
}

up() {
  "$HERE/fetch.sh" >/dev/null
  [ -f "$WORKER_POOL" ] || die "$WORKER_POOL is missing"
  if [ "$(workers_alive)" = "${#WORKER_UI_PORTS[@]}" ] && [ -n "$(pool_pid)" ]; then
    echo "Spark cluster already up: spark://127.0.0.1:$MASTER_PORT (UI http://127.0.0.1:$MASTER_UI_PORT), ${#WORKER_UI_PORTS[@]} workers, SDK worker pool on 127.0.0.1:$POOL_PORT"
    return 0
  fi
  if [ -n "$(daemon_pid "$MASTER_CLASS" 1)$(worker_pids)$(pool_pid)" ]; then
    die "a partial cluster from an earlier 'up' is running: run '$0 down' first ($0 status shows it)"
  fi
  local port
  for port in $MASTER_PORT $MASTER_UI_PORT "${WORKER_UI_PORTS[@]}" $POOL_PORT; do
    port_busy "$port" && die "port 127.0.0.1:$port is in use by another program"
  done
  write_config
  # The pool starts its SDK workers with this interpreter (it must have akhbar), in its group.
  setsid nohup "$PYTHON" "$WORKER_POOL" "$POOL_PORT" \
    >"$RUN/log/worker-pool.log" 2>&1 </dev/null &
  echo $! >"$RUN/pid/worker-pool.pid"
  "$SPARK_HOME/sbin/spark-daemon.sh" start "$MASTER_CLASS" 1 \
    --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT" >/dev/null
  local i
  for i in "${!WORKER_UI_PORTS[@]}"; do
    "$SPARK_HOME/sbin/spark-daemon.sh" start "$WORKER_CLASS" "$((i + 1))" \
      --host 127.0.0.1 --webui-port "${WORKER_UI_PORTS[$i]}" --cores 1 --memory "$WORKER_MEMORY" \
      "spark://127.0.0.1:$MASTER_PORT" >/dev/null
  done
  local deadline=$((SECONDS + TIMEOUT))
  until [ "$(workers_alive)" = "${#WORKER_UI_PORTS[@]}" ]; do
    if ((SECONDS > deadline)); then
      tail -20 "$RUN"/log/*Master*.out >&2 || true
      die "the master did not report ${#WORKER_UI_PORTS[@]} workers within ${TIMEOUT}s (logs in $RUN/log; '$0 down' stops what started)"
    fi
    sleep 1
  done
  [ -n "$(pool_pid)" ] || die "the SDK worker pool exited: $(tail -5 "$RUN/log/worker-pool.log")"
  echo "Spark cluster up: spark://127.0.0.1:$MASTER_PORT (UI http://127.0.0.1:$MASTER_UI_PORT), ${#WORKER_UI_PORTS[@]} workers, SDK worker pool on 127.0.0.1:$POOL_PORT (logs in $RUN/log)"
}

# stop_pids TIMEOUT PID...: SIGTERM, wait, then SIGKILL what is left
stop_pids() {
  local wait_s="$1"; shift
  [ $# -gt 0 ] || return 0
  kill "$@" 2>/dev/null || true
  local deadline=$((SECONDS + wait_s)) pid alive
  while ((SECONDS < deadline)); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.5
  done
  kill -9 "$@" 2>/dev/null || true
}

# pids of the executor JVMs the workers started (children of a worker pid)
executor_pids() {
  local worker
  for worker in "$@"; do pgrep -P "$worker" || true; done
}

down() {
  local pool workers executors
  pool="$(pool_pid)"
  # The pool and the SDK workers it started share a process group (setsid above).
  [ -n "$pool" ] && { kill -- "-$pool" 2>/dev/null || true; stop_pids 15 "$pool"; }
  workers="$(worker_pids | xargs)"
  # shellcheck disable=SC2086
  executors="$(executor_pids $workers | xargs)"
  # A worker stops its executors as it stops; SIGKILL would leave them, so they are named too.
  # shellcheck disable=SC2086
  stop_pids 30 $workers
  # shellcheck disable=SC2086
  stop_pids 10 $executors
  # shellcheck disable=SC2046
  stop_pids 30 $(daemon_pid "$MASTER_CLASS" 1)
  rm -f "$RUN"/pid/*.pid
  rm -rf "$RUN/work" "$RUN/tmp"
  echo "Spark cluster stopped"
}

either() { if [ -n "$1" ]; then echo "$2"; else echo "$3"; fi; }

status() {
  local master workers pool alive apps
  master="$(daemon_pid "$MASTER_CLASS" 1)"
  workers="$(worker_pids | xargs)"
  pool="$(pool_pid)"
  alive="$(workers_alive)"
  echo "master           $(either "$master" "pid $master, spark://127.0.0.1:$MASTER_PORT, UI http://127.0.0.1:$MASTER_UI_PORT" "not running")"
  echo "workers          $(either "$workers" "pids $workers" "none running"), $alive alive"
  echo "SDK worker pool  $(either "$pool" "pid $pool, 127.0.0.1:$POOL_PORT" "not running")"
  apps="$(master_json | "$PYTHON" -c 'import json, sys
try:
    status = json.load(sys.stdin)
except Exception:
    status = {}
apps = status.get("activeapps", []) + status.get("completedapps", [])
print(", ".join(a["name"] + " " + a["state"] for a in apps[-5:]) or "none")')"
  echo "applications     $apps"
  [ -n "$master" ] && [ "$alive" = "${#WORKER_UI_PORTS[@]}" ] && [ -n "$pool" ]
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  fetch) "$HERE/fetch.sh" ;;
  *) echo "usage: $0 up|down|status|fetch" >&2; exit 2 ;;
esac
