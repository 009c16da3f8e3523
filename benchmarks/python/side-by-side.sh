#!/usr/bin/env bash
# ctta against the papers' own PyTorch code, side by side on this machine
# (docs/benchmarks/python-side-by-side.md). A measurement tool: CI never runs it.
#
#   batch 1:  StepCpuTime (ctta's sgd/adam/upgd, predictAndLearn) against upgd_reference.py
#             (the UPGD authors' loop), 784-300-150-10 MLP, one thread, thread CPU time
#   batch 64: TtaCpuTime (ctta's source/norm/tent/rmt) against tent_reference.py (TENT's code,
#             source/norm/tent) and rmt_reference.py (the RMT authors' code, rmt) on
#             fixtures/torchscript/cnn-twin.pt, per thread count in TTA_THREADS, process CPU time
#
# The two sides alternate in every round (ctta first in odd rounds, Python first in even ones);
# the table holds each side's median over the rounds and the ratio ctta / Python of the medians.
# Needs: `mvn -B -DskipTests package` done, /usr/bin/python3 with python3-torch, OpenBLAS
# (apt-get install -y python3-torch libopenblas0-pthread), Fashion-MNIST in
# /usr/share/datasets/fashion-mnist (dataset-fashion-mnist); for the rmt reference also
# torchvision (apt-get install -y --no-install-recommends python3-torchvision: the RMT
# authors' augmentation), without which the rmt rows say "no reference".
#
# Settings (environment): ROUNDS (3), STEPS (1500, batch-1 timed steps; a quarter more warm up),
# BATCHES (60, batch-64 timed batches; 15 more warm up), TTA_THREADS ("1 2").
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-1500}
BATCHES=${BATCHES:-60}
TTA_THREADS=${TTA_THREADS:-"1 2"}
PY=/usr/bin/python3
CP="cli/target/ctta-cli.jar:cli/target/lib/*"
MODEL=fixtures/torchscript/cnn-twin.pt
[ -f cli/target/ctta-cli.jar ] || { echo "cli/target/ctta-cli.jar missing: run mvn -B -DskipTests package first" >&2; exit 2; }
$PY -c 'import torch' 2>/dev/null || { echo "$PY cannot import torch: apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 2; }
# As the ./ctta launcher: glibc keeps libtorch's large tensors in its heap (no page faults per batch).
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456}"
HAS_TORCHVISION=no
if $PY -c 'import torchvision' 2>/dev/null; then HAS_TORCHVISION=yes
else echo "$PY cannot import torchvision: no rmt reference (apt-get install -y --no-install-recommends python3-torchvision)" >&2; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

java_run() { # threads main args...
    local t=$1; shift
    OMP_NUM_THREADS=$t java -Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$t" \
        -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" "$@" 2>/dev/null
}
ctta_b1() { java_run 1 io.ctta.benchmarks.jmh.StepCpuTime "$STEPS" sgd,adam,upgd \
    | awk '$2 == "predictAndLearn" { print "ctta", $1, $3, $7 }'; }
py_b1() { OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $PY benchmarks/python/upgd_reference.py \
    --steps "$STEPS" --warmup $((STEPS / 4)); }
ctta_b64() { java_run "$1" io.ctta.benchmarks.jmh.TtaCpuTime "$BATCHES" source,norm,tent,rmt "$MODEL" 15 | grep '^ctta '; }
py_b64() {
    OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 $PY benchmarks/python/tent_reference.py \
        --model "$MODEL" --batches "$BATCHES" --warmup 15 --threads "$1"
    if [ "$HAS_TORCHVISION" = yes ]; then
        OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 $PY benchmarks/python/rmt_reference.py \
            --model "$MODEL" --batches "$BATCHES" --warmup 15 --threads "$1"
    fi
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) | $(nproc) cores | $($PY -c 'import torch; print("torch", torch.__version__)')"
for r in $(seq 1 "$ROUNDS"); do
    echo "# round $r, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    if [ $((r % 2)) -eq 1 ]; then order="ctta py"; else order="py ctta"; fi
    for side in $order; do "${side}_b1" | sed 's/^/b1 1 /' >> "$out/results"; done
    for t in $TTA_THREADS; do
        for side in $order; do "${side}_b64" "$t" | sed "s/^/b64 $t /" >> "$out/results"; done
    done
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# results lines: <b1|b64> <threads> <ctta|python> <strategy> <per CPU-second> <per second wall>
awk -v rounds="$ROUNDS" '
function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
{ k = $1 SUBSEP $2 SUBSEP $4; cpu[k, $3] = cpu[k, $3] " " $5; wall[k, $3] = wall[k, $3] " " $6
  if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
END {
    printf "| batch | threads | strategy | ctta per CPU-s | Python per CPU-s | ratio (CPU) | ctta wall/s | Python wall/s | ratio (wall) | 1.5x (CPU) |\n"
    printf "|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n"
    for (i = 1; i <= n; i++) {
        split(order[i], p, SUBSEP)
        c = median(cpu[order[i], "ctta"]); y = median(cpu[order[i], "python"])
        cw = median(wall[order[i], "ctta"]); yw = median(wall[order[i], "python"])
        rc = (c != "" && y != "") ? sprintf("%.2fx", c / y) : "-"
        rw = (cw != "" && yw != "") ? sprintf("%.2fx", cw / yw) : "-"
        met = (c != "" && y != "") ? (c / y >= 1.5 ? "met" : "not met") : "no reference"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", (p[1] == "b1" ? 1 : 64), p[2], p[3],
            c == "" ? "-" : sprintf("%.0f", c), y == "" ? "-" : sprintf("%.0f", y), rc,
            cw == "" ? "-" : sprintf("%.0f", cw), yw == "" ? "-" : sprintf("%.0f", yw), rw, met
    }
    print ""
    print "Per round (per CPU-second, in round order):"
    for (i = 1; i <= n; i++) {
        split(order[i], p, SUBSEP)
        printf "  batch %s, %s thread(s), %-6s ctta:%s | python:%s\n", (p[1] == "b1" ? 1 : 64), p[2], p[3], cpu[order[i], "ctta"], cpu[order[i], "python"]
    }
}' "$out/results"
