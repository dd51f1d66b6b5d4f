#!/usr/bin/env bash
# Coded gradient descent benchmark (a measurement, never a test): iterations per second of
# coda-solve --method gd (frc, N = BENCH_N (20), s = 2, 2 stragglers a round) against
#   (a) a plain C loop of the same BLAS calls with no coding (bench/baseline.c gd: each of the
#       N - s responders' block gradients, one per block summed, the step), and
#   (b) numpy running the same coded loop (Tandon et al.'s decode: least squares on the
#       responders' rows of B every round), on the same OpenBLAS,
# on least squares at BENCH_SHAPES ("200000x100 2000x40"), BENCH_ITERS (30) iterations, best of
# BENCH_REPS (3). coda's time per iteration is the difference of two whole runs, ITERS and 1
# iterations, over ITERS - 1 (reading and encoding cancel out); the others time their loops. Also peak memory of the coda run
# against the data's size (/usr/bin/time). Prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
SHAPES=${BENCH_SHAPES:-"200000x100 2000x40"} ITERS=${BENCH_ITERS:-30} REPS=${BENCH_REPS:-3}
N=${BENCH_N:-20} S=2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE $(pkg-config --cflags lapacke openblas) -o "$tmp/baseline" \
  bench/baseline.c lib/libcoda.a $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
best() { sort -g | head -1; }
calc() { awk "BEGIN { print $1 }"; }
echo "== coded GD, frc N=$N s=$S (2 stragglers a round), $ITERS iterations, best of $REPS" \
  "(threads: ${OPENBLAS_NUM_THREADS:-all})"
printf '%-11s %12s %12s %12s %9s %9s %10s\n' shape "coda s/it" "plain s/it" "numpy s/it" \
  "coda/plain" "numpy/coda" "peak/data"
for shape in $SHAPES; do
  n=${shape%x*} d=${shape#*x}
  coda-gen --seed 1 "$n" "$d" -o "$tmp/X.npy"
  coda-gen --seed 2 "$n" 1 -o "$tmp/y.npy"
  step=$(calc "0.25")
  run() { # iterations: wall seconds of the whole program
    local t0 t1
    t0=$(date +%s.%N)
    coda-solve --method gd --scheme frc -N "$N" -s "$S" --step const:$step --iters "$1" -q \
      "$tmp/X.npy" "$tmp/y.npy" -o "$tmp/b.npy"
    t1=$(date +%s.%N)
    calc "$t1 - $t0"
  }
  many=$(for r in $(seq "$REPS"); do run "$ITERS"; done | best)
  one=$(for r in $(seq "$REPS"); do run 1; done | best)
  c=$(calc "($many - $one) / ($ITERS - 1)")
  p=$(for r in $(seq "$REPS"); do "$tmp/baseline" gd "$tmp/X.npy" "$tmp/y.npy" "$N" "$S" "$ITERS" "$step"; done | best)
  y=$(/usr/bin/python3 - "$tmp/X.npy" "$tmp/y.npy" "$N" "$S" "$ITERS" "$step" "$REPS" <<'PY'
import sys, time
import numpy as np
X = np.load(sys.argv[1]); y = np.load(sys.argv[2])[:, 0]
N, S, iters, step, reps = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
n, d = X.shape; g = S + 1; K = N // g
bounds = [n * j // K for j in range(K + 1)]
blocks = [(X[bounds[j]:bounds[j + 1]], y[bounds[j]:bounds[j + 1]]) for j in range(K)]
B = np.zeros((N, K))
for w in range(N):
    B[w, min(w // g, K - 1)] = 1.0
rng = np.random.default_rng(1)
best = float('inf')
for _ in range(reps):
    beta = np.zeros(d)
    t0 = time.perf_counter()
    for it in range(iters):
        alive = np.sort(rng.choice(N, N - S, replace=False))
        grads = np.array([blocks[min(w // g, K - 1)][0].T @ (blocks[min(w // g, K - 1)][0] @ beta
                          - blocks[min(w // g, K - 1)][1]) for w in alive])
        a = np.linalg.lstsq(B[alive].T, np.ones(K), rcond=None)[0]  # Tandon et al.'s decode
        beta -= step * 2.0 / n * (a @ grads)
    best = min(best, (time.perf_counter() - t0) / iters)
print(best)
PY
)
  peak=$(/usr/bin/time -f "%M" coda-solve --method gd --scheme frc -N "$N" -s "$S" --step const:$step \
           --iters 3 -q "$tmp/X.npy" "$tmp/y.npy" -o "$tmp/b.npy" 2>&1 >/dev/null | tail -1)
  data_kb=$(( n * (d + 1) * 8 / 1024 ))
  printf '%-11s %12.6f %12.6f %12.6f %9.2f %9.2f %10.2f\n' "$shape" "$c" "$p" "$y" \
    "$(calc "$c / $p")" "$(calc "$y / $c")" "$(calc "$peak / $data_kb")"
done
