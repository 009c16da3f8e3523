#!/usr/bin/env bash
# Measures ctta run's startup to first prediction on its embedded broker: a clean start, then a
# restart after kill -9 of the whole process (broker, model and pipeline in one JVM), both on the
# same data-dir, port and checkpoints (docs/operations.md, "Restarts"). Needs ./ctta built
# (mvn -B -DskipTests package) and kcat.
#   tools/startup-time.sh [rounds]        (GROUP_INSTANCE_ID= for dynamic group membership)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-2}
work=$(mktemp -d)
instance=${GROUP_INSTANCE_ID-node-1}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 19092)
cat > "$work/run.conf" <<CONF
ctta {
  kafka.embedded { data-dir = "$work/kafka", port = $port }
  checkpoints { dir = "$work/ckpt", every-records = 1, interval = 1s }
  http.port = 0
  pipelines = [ { name = st, input-topic = st.in, strategy = source, max-latency = 10ms, group-instance-id = "$instance" } ]
}
CONF
record=$(head -1 "$here/docs/examples/kcat/records.txt")
ms() { date +%s%3N; }
# Waits until the process of the last run has exited (kill -9 or a clean stop).
gone() { local pid; pid=$(cat "$work/pid"); while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; }
# Starts ctta run, produces one record as soon as the broker takes it, prints ms to its prediction.
first_prediction() {
  local id=$1 t0 pid
  t0=$(ms)
  "$here/ctta" run --config "$work/run.conf" > "$work/run-$id.log" 2>&1 &
  pid=$!
  echo "$pid" > "$work/pid"
  local rec=${record//\"id\":\"kcat-100\"/\"id\":\"$id\"}
  until printf '%s\n' "$rec" | kcat -b 127.0.0.1:$port -t st.in -P -K : -H content-type=application/json -H ctta.schema=1 \
        -X message.timeout.ms=2000 -X socket.connection.setup.timeout.ms=1000 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "ctta run exited; see $work/run-$id.log" >&2; exit 1; }
    sleep 0.1
  done
  local t_produced; t_produced=$(ms)
  until kcat -b 127.0.0.1:$port -t st.predictions -C -o beginning -e -q 2>/dev/null | grep -q "\"$id\""; do
    kill -0 "$pid" 2>/dev/null || { echo "ctta run exited; see $work/run-$id.log" >&2; exit 1; }
    sleep 0.1
  done
  local t1; t1=$(ms)
  echo "$((t_produced - t0)) $((t1 - t0))"
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); group-instance-id: '${instance}'"
r=$(first_prediction clean-0); echo "clean start:      broker took a record after $(cut -d' ' -f1 <<<"$r") ms, first prediction after $(cut -d' ' -f2 <<<"$r") ms"
for i in $(seq 1 "$rounds"); do
  kill -9 "$(cat "$work/pid")"; gone
  r=$(first_prediction kill9-$i); echo "after kill -9 #$i: broker took a record after $(cut -d' ' -f1 <<<"$r") ms, first prediction after $(cut -d' ' -f2 <<<"$r") ms"
done
kill "$(cat "$work/pid")"; gone
r=$(first_prediction clean-1); echo "after clean stop: broker took a record after $(cut -d' ' -f1 <<<"$r") ms, first prediction after $(cut -d' ' -f2 <<<"$r") ms"
kill "$(cat "$work/pid")"; gone
rm -rf "$work"
