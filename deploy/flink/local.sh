#!/usr/bin/env bash
# A Flink 1.19 session cluster on this machine (Flink's ports and the SDK worker pool on
# 127.0.0.1): one JobManager (REST at 127.0.0.1:8081), two TaskManagers (1 slot, 2304 MB each)
# as separate JVMs, and Beam's Python SDK worker pool on 127.0.0.1:50000, which starts one SDK
# worker process per TaskManager and job (akhbar runs on it with --environment_type=EXTERNAL
# --environment_config=localhost:50000).
#   deploy/flink/local.sh up       fetch what is missing (fetch.sh), start, wait for 2 TaskManagers;
#                                  on a cluster that lost TaskManagers, start the missing ones
#   deploy/flink/local.sh down     stop everything this script started
#   deploy/flink/local.sh status   what runs (exit 0 only when the cluster is complete)
#   deploy/flink/local.sh fetch    only fetch/assemble the artifacts (what `make engines` calls)
# Environment: AKHBAR_ENGINE_CACHE (the cache), FLINK_RUN_DIR (config, logs and pids of the
# cluster; default the cache's flink/run/, and down/status must be given the same), AKHBAR_PYTHON
# (the interpreter of the worker pool and its workers: it must have akhbar installed; default the
# repository's .venv), JAVA_HOME (default Java 17), FLINK_UP_TIMEOUT (seconds, default 180),
# FLINK_TM_MEMORY (each TaskManager's process size, default 2304m; read when the cluster starts).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${AKHBAR_ENGINE_CACHE:-$HOME/.cache/akhbar/engines}/flink"
RUN="${FLINK_RUN_DIR:-$CACHE/run}"   # config, logs, pids of the running cluster
FLINK_VERSION="$(awk '$1 == "flink-libraries" { print $2 }' "$REPO/deploy/engines.lock")"
FLINK_HOME="$CACHE/flink-$FLINK_VERSION"
REST_PORT=8081
RPC_PORT=6123
POOL_PORT=50000
TASKMANAGERS=2
TIMEOUT="${FLINK_UP_TIMEOUT:-180}"
TM_MEMORY="${FLINK_TM_MEMORY:-2304m}"

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
if [ -n "${AKHBAR_PYTHON:-}" ]; then PYTHON="$AKHBAR_PYTHON"
elif [ -x "$REPO/.venv/bin/python" ]; then PYTHON="$REPO/.venv/bin/python"
else PYTHON="$(command -v python3)"; fi

export FLINK_CONF_DIR="$RUN/conf" FLINK_LOG_DIR="$RUN/log" FLINK_PID_DIR="$RUN/pid"

die() { echo "deploy/flink/local.sh: $*" >&2; exit 1; }

# The REST API's answer for PATH, or nothing when the JobManager does not answer.
rest() {
  "$PYTHON" -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
except Exception:
    pass' "http://127.0.0.1:$REST_PORT$1"
}

taskmanagers_registered() {
  rest /taskmanagers | "$PYTHON" -c 'import json, sys
try:
    print(len(json.load(sys.stdin)["taskmanagers"]))
except Exception:
    print(0)'
}

# The TaskManagers the JobManager lists whose RPC port (in their pekko path) still answers. A
# killed TaskManager stays listed until the JobManager notices (at its next heartbeat, within
# heartbeat.timeout), and a slot of it offered to a job then fails the job's deployment.
taskmanagers_reachable() {
  rest /taskmanagers | "$PYTHON" -c 'import json, re, socket, sys
def answers(path):
    found = re.search(r"@([^:/]+):(\d+)/", path)
    if not found:
        return False
    try:
        socket.create_connection((found[1], int(found[2])), timeout=2).close()
        return True
    except OSError:
        return False
try:
    print(sum(answers(tm.get("path", "")) for tm in json.load(sys.stdin)["taskmanagers"]))
except Exception:
    print(0)'
}

# The cluster is whole: every TaskManager process alive, registered, reachable, and none gone
# still listed.
cluster_whole() {
  [ "$(daemon_pids taskexecutor | wc -l)" = "$TASKMANAGERS" ] &&
    [ "$(taskmanagers_registered)" = "$TASKMANAGERS" ] &&
    [ "$(taskmanagers_reachable)" = "$TASKMANAGERS" ]
}

# pids of a Flink daemon type (standalonesession / taskexecutor) that are still alive
daemon_pids() {
  local file pid
  for file in "$FLINK_PID_DIR"/flink-*-"$1".pid; do
    [ -f "$file" ] || continue
    while read -r pid; do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
    done <"$file"
  done
  return 0
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
  mkdir -p "$RUN/conf" "$RUN/log" "$RUN/pid" "$RUN/tmp"
  cp "$FLINK_HOME/conf/log4j.properties" "$FLINK_HOME/conf/log4j-console.properties" "$RUN/conf/"
  local java_opts
  java_opts="$(grep -m1 -E '^ +all: --add-' "$FLINK_HOME/conf/config.yaml" | sed -E 's/^ +all: //')"
  cat >"$RUN/conf/config.yaml" <<EOF
# Written by deploy/flink/local.sh: everything on 127.0.0.1, small memory, 1 slot per TaskManager.
env.java.opts.all: $java_opts
env.log.dir: $RUN/log
env.pid.dir: $RUN/pid
io.tmp.dirs: $RUN/tmp
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
jobmanager.execution.failover-strategy: region
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: 1
taskmanager.memory.process.size: $TM_MEMORY
taskmanager.memory.managed.size: 192m
# Off-heap (direct) memory for the Netty buffers of Beam's gRPC channels to the SDK workers, and
# a heap that holds what a step's SDK worker sends back: the job server used here (Beam 2.62)
# reads a bundle's output only once the bundle is done, and a Flink batch step is one bundle
# per partition, so a whole partition's output waits in the TaskManager's heap (up to 100
# messages of 10 MB). With 1280 MB and no task off-heap, a 50k-article run failed with
# "OutOfMemoryError: Direct buffer memory"; with a small heap, with "Java heap space".
taskmanager.memory.task.off-heap.size: 256m
# An error in any TaskManager thread (such an OutOfMemoryError in a gRPC thread) ends the
# TaskManager, so the job fails with a reason: by default Flink only logs it, and the job then
# waited forever for data that thread would have read.
cluster.uncaught-exception-handling: FAIL
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $REST_PORT
blob.server.port: 0
metrics.internal.query-service.port: 0
parallelism.default: 2
# A task that fails (its TaskManager died) restarts the job this many times, then it fails.
# With one of the two TaskManagers gone and none started again (local.sh up does), a step of
# parallelism 2 can never get its two slots: each restart fails at once or when
# slot.request.timeout has passed (Flink's default is 5 minutes), so the job fails 1-2
# minutes after the loss (deploy/flink/README.md). The loss itself is seen at the next
# heartbeat (every 10 s), whose connection fails, before heartbeat.timeout.
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 2
restart-strategy.fixed-delay.delay: 2 s
heartbeat.timeout: 20000
slot.request.timeout: 60000
EOF
}

# Start the TaskManagers that are missing (all of them on a fresh cluster; after a kill, the
# dead one's replacement, as a supervisor would) until the cluster is whole (cluster_whole: the
# JobManager has dropped the dead and registered the new). Prints how many it started.
start_taskmanagers() {
  local started=0 alive i deadline=$((SECONDS + TIMEOUT))
  until cluster_whole; do
    alive="$(daemon_pids taskexecutor | wc -l)"
    for ((i = alive; i < TASKMANAGERS; i++)); do
      "$FLINK_HOME/bin/taskmanager.sh" start >/dev/null
      started=$((started + 1))
    done
    if ((SECONDS > deadline)); then
      tail -20 "$RUN"/log/*standalonesession*.log >&2 || true
      die "the cluster did not report $TASKMANAGERS reachable TaskManagers within ${TIMEOUT}s (logs in $RUN/log; '$0 down' stops what started)"
    fi
    sleep 1
  done
  echo "$started"
}

up() {
  "$HERE/fetch.sh" >/dev/null
  local started
  if [ -n "$(daemon_pids standalonesession)" ] && [ -n "$(pool_pid)" ]; then
    started="$(start_taskmanagers)"
    if [ "$started" = 0 ]; then
      echo "Flink cluster already up: http://127.0.0.1:$REST_PORT, $TASKMANAGERS TaskManagers, SDK worker pool on 127.0.0.1:$POOL_PORT"
    else
      echo "Flink cluster repaired: started $started TaskManager(s); http://127.0.0.1:$REST_PORT, $TASKMANAGERS TaskManagers (logs in $RUN/log)"
    fi
    return 0
  fi
  if [ -n "$(daemon_pids standalonesession)$(daemon_pids taskexecutor)$(pool_pid)" ]; then
    die "a partial cluster from an earlier 'up' is running: run '$0 down' first ($0 status shows it)"
  fi
  local port
  for port in $REST_PORT $RPC_PORT $POOL_PORT; do
    port_busy "$port" && die "port 127.0.0.1:$port is in use by another program"
  done
  write_config
  # The pool starts its SDK workers with this interpreter (it must have akhbar), in its group,
  # from the run folder: `python -c` puts the working directory first on sys.path, and from a
  # checkout the workers would import its folders instead of the installed akhbar.
  (cd "$RUN" && exec setsid nohup "$PYTHON" "$HERE/worker_pool.py" "$POOL_PORT" \
    >"$RUN/log/worker-pool.log" 2>&1 </dev/null) &
  echo $! >"$RUN/pid/worker-pool.pid"
  "$FLINK_HOME/bin/jobmanager.sh" start >/dev/null
  start_taskmanagers >/dev/null
  [ -n "$(pool_pid)" ] || die "the SDK worker pool exited: $(tail -5 "$RUN/log/worker-pool.log")"
  echo "Flink cluster up: http://127.0.0.1:$REST_PORT, $TASKMANAGERS TaskManagers, SDK worker pool on 127.0.0.1:$POOL_PORT (logs in $RUN/log)"
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

down() {
  local pool
  pool="$(pool_pid)"
  # The pool and the SDK workers it started share a process group (setsid above).
  [ -n "$pool" ] && { kill -- "-$pool" 2>/dev/null || true; stop_pids 15 "$pool"; }
  # shellcheck disable=SC2046
  stop_pids 30 $(daemon_pids taskexecutor)
  # shellcheck disable=SC2046
  stop_pids 30 $(daemon_pids standalonesession)
  rm -f "$RUN"/pid/*.pid
  echo "Flink cluster stopped"
}

either() { if [ -n "$1" ]; then echo "$2"; else echo "$3"; fi; }

status() {
  local jm tms pool registered
  jm="$(daemon_pids standalonesession | xargs)"
  tms="$(daemon_pids taskexecutor | xargs)"
  pool="$(pool_pid)"
  registered="$(taskmanagers_registered)"
  echo "JobManager       $(either "$jm" "pid $jm, REST http://127.0.0.1:$REST_PORT" "not running")"
  echo "TaskManagers     $(either "$tms" "pids $tms" "none running"), $registered registered, $(taskmanagers_reachable) reachable"
  echo "SDK worker pool  $(either "$pool" "pid $pool, 127.0.0.1:$POOL_PORT" "not running")"
  local jobs
  jobs="$(rest /jobs/overview | "$PYTHON" -c 'import json, sys
try:
    jobs = json.load(sys.stdin)["jobs"]
except Exception:
    jobs = []
print(", ".join(j["name"] + " " + j["state"] for j in jobs[-5:]) or "none")')"
  echo "jobs             $jobs"
  [ -n "$jm" ] && [ -n "$pool" ] && cluster_whole
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  fetch) "$HERE/fetch.sh" ;;
  *) echo "usage: $0 up|down|status|fetch" >&2; exit 2 ;;
esac
