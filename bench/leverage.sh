#!/usr/bin/env bash
# Gradient coding by block leverage scores (a measurement, never a test):
#   (1) one coded GD round of coda-solve --method gd --scheme leverage (m = BENCH_M (500)
#       servers, K = BENCH_K (100) blocks, q = BENCH_Q (50) responders) against one round of
#       uncoded GD (one worker, the whole gradient) on the same least-squares data
#       (BENCH_SHAPE, 200000x100), in the same run. A round's time is the difference of two
#       whole runs, ITERS and 1 iterations, over ITERS - 1 (reading, the scores' QR and the
#       encoding cancel out); best of BENCH_REPS (3).
#   (2) coda-assign --scheme leverage on BENCH_BLOCKS (10000) random scores for m = 500
#       servers (--min-replicas 0: fewer servers than blocks), Algorithm 2 against Hamilton.
# Prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
SHAPE=${BENCH_SHAPE:-200000x100} ITERS=${BENCH_ITERS:-200} REPS=${BENCH_REPS:-3}
M=${BENCH_M:-500} K=${BENCH_K:-100} Q=${BENCH_Q:-50} BLOCKS=${BENCH_BLOCKS:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
best() { sort -g | head -1; }
calc() { awk "BEGIN { print $1 }"; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); calc "$t1 - $t0"; }
n=${SHAPE%x*} d=${SHAPE#*x}
coda-gen --seed 1 "$n" "$d" -o "$tmp/X.npy"
coda-gen --seed 2 "$n" 1 -o "$tmp/y.npy"
round() { # scheme options... : seconds per round
  local many one
  many=$(for r in $(seq "$REPS"); do wall coda-solve -q --method gd "$@" --step rel:0.01 \
    --iters "$ITERS" "$tmp/X.npy" "$tmp/y.npy" -o "$tmp/b.npy"; done | best)
  one=$(for r in $(seq "$REPS"); do wall coda-solve -q --method gd "$@" --step rel:0.01 \
    --iters 1 "$tmp/X.npy" "$tmp/y.npy" -o "$tmp/b.npy"; done | best)
  calc "($many - $one) / ($ITERS - 1)"
}
echo "== one GD round at $SHAPE, $ITERS iterations, best of $REPS" \
  "(threads: ${OPENBLAS_NUM_THREADS:-all})"
c=$(round --scheme leverage -N "$M" -K "$K" --responders "$Q")
u=$(round --scheme uncoded -N 1)
printf '%-28s %12s\n' "leverage m=$M K=$K q=$Q" "$c s/round" "uncoded, 1 worker" "$u s/round"
printf 'leverage/uncoded: %.3g (the responders hold q/K = %s of the data)\n' \
  "$(calc "$c / $u")" "$(calc "$Q / $K")"
echo "== coda-assign --scheme leverage, K=$BLOCKS blocks, m=$M servers, best of $REPS"
/usr/bin/python3 -c "
import numpy as np
s=np.random.default_rng(1).standard_t(3,$BLOCKS)**2; np.savetxt('$tmp/pi.csv', s/s.sum())"
a=$(for r in $(seq "$REPS"); do wall coda-assign -q --scheme leverage -N "$M" --min-replicas 0 \
  --scores "$tmp/pi.csv" --normalize -o "$tmp/G.npy"; done | best)
h=$(for r in $(seq "$REPS"); do wall coda-assign -q --scheme leverage -N "$M" --min-replicas 0 \
  --scores "$tmp/pi.csv" --normalize --adjust hamilton -o "$tmp/G.npy"; done | best)
printf '%-28s %12s\n' "Algorithm 2 (paper)" "$a s" "Hamilton" "$h s"
printf 'paper/hamilton: %.3g\n' "$(calc "$a / $h")"
