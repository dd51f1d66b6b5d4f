#!/usr/bin/env bash
# coda-invert benchmark (a measurement, never a test).
# 1. n = BENCH_N (2000) Gaussian and SPD (kappa 100) matrices: coda-invert --method direct,
#    wall time of the whole program (read, LU, condition check, dgetri, write) against a plain
#    LAPACKE_dgetrf + LAPACKE_dgetri call on the same matrix in the same run (compute only).
#    Best of BENCH_REPS (3) each.
# 2. cg and sd against direct on an SPD matrix of order BENCH_ITER_N (1000) with kappa
#    BENCH_ITER_KAPPA (10): wall times, iterations and the ratio to direct. CG needs about
#    kappa log(1/eps) iterations of two n x n x n GEMMs; SD about kappa^2 log(1/eps).
# 3. End to end from .npy: coda-invert --method direct A.npy -o X.npy against np.linalg.inv
#    reading and writing the same files (bench/np_baseline.py), whole processes interleaved,
#    BENCH_REPS runs, best and range; accuracy ||A X - I||_F / (||A||_F ||X||_F) of each.
#    BENCH_E2E_ONLY=1: this part alone.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
CODA_DEPS_EXTRA=python3-scipy scripts/deps.sh # np_baseline.py (benchmarks only)
export PATH="$PWD/bin:$PATH"
N=${BENCH_N:-2000} REPS=${BENCH_REPS:-3} IN=${BENCH_ITER_N:-1000} IK=${BENCH_ITER_KAPPA:-10}
EPS=${BENCH_EPS:-1e-6}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE $(pkg-config --cflags lapacke openblas) -o "$tmp/baseline" \
  bench/baseline.c lib/libcoda.a $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
best() { sort -g | head -1; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); calc "$t1 - $t0"; }
calc() { awk "BEGIN { print $1 }"; }
if [ -z "${BENCH_E2E_ONLY:-}" ]; then # BENCH_E2E_ONLY=1: only the end-to-end table
echo "== direct inverse, n=$N, best of $REPS (threads: ${OPENBLAS_NUM_THREADS:-all})"
printf '%-10s %12s %12s %8s\n' matrix coda-invert dgetrf+dgetri ratio
for kind in gaussian spd; do
  coda-gen --kind $kind --kappa 100 --seed 1 "$N" "$N" -o "$tmp/A.coda"
  c=$(for r in $(seq "$REPS"); do wall coda-invert -q "$tmp/A.coda" -o "$tmp/X.coda"; done | best)
  b=$(for r in $(seq "$REPS"); do "$tmp/baseline" getri "$tmp/A.coda"; done | best)
  printf '%-10s %12.4f %12.4f %8.3f\n' $kind "$c" "$b" "$(calc "$c / $b")"
done
echo "== iterative against direct: SPD n=$IN, kappa $IK, eps $EPS"
coda-gen --kind spd --kappa "$IK" --seed 2 "$IN" "$IN" -o "$tmp/S.coda"
d=$(wall coda-invert -q "$tmp/S.coda" -o "$tmp/X.coda")
printf '%-8s %10s %10s %10s %12s\n' method seconds vs-direct iters-max err_rF
printf '%-8s %10.4f %10.2f %10s %12s\n' direct "$d" 1 0 -
for m in cg sd; do
  t=$(wall coda-invert -q --method $m --tol "$EPS" --iters 100000 --report "$tmp/r.csv" "$tmp/S.coda" -o "$tmp/X.coda")
  # the report's own O(n^3) SVD is inside that time: time it alone and take it out
  r=$(wall coda-invert -q --method direct --report "$tmp/r0.csv" "$tmp/S.coda" -o "$tmp/X.coda")
  t=$(calc "$t - ($r - $d)")
  it=$(tail -1 "$tmp/r.csv" | cut -d, -f9); err=$(tail -1 "$tmp/r.csv" | cut -d, -f14)
  printf '%-8s %10.4f %10.2f %10s %12s\n' $m "$t" "$(calc "$t / $d")" "$it" "$err"
done
fi

echo "== end to end from .npy: coda-invert --method direct against np.linalg.inv, n=$N" \
  "Gaussian (C order), $REPS runs, best (range)"
PY=/usr/bin/python3
range() { sort -g | awk '{t[NR] = $1} END {printf "%.3f %.3f-%.3f\n", t[1], t[1], t[NR]}'; }
coda-gen --seed 1 "$N" "$N" -o "$tmp/A.npy"
"$PY" -c "import numpy as np; np.save('$tmp/A.npy', np.ascontiguousarray(np.load('$tmp/A.npy')))"
: > "$tmp/cw"; : > "$tmp/nw"; : > "$tmp/ni"
for r in $(seq "$REPS"); do
  wall coda-invert -q --method direct "$tmp/A.npy" -o "$tmp/Xc.npy" >> "$tmp/cw"
  wall "$PY" bench/np_baseline.py inv "$tmp/A.npy" "$tmp/Xn.npy" >> "$tmp/nw"
  "$PY" bench/np_baseline.py inv "$tmp/A.npy" "$tmp/Xn.npy" | cut -d' ' -f1 >> "$tmp/ni"
done
"$PY" bench/np_baseline.py inverr "$tmp/A.npy" "$tmp/Xc.npy" "$tmp/Xn.npy" > "$tmp/err"
read -r cb cr < <(range < "$tmp/cw")
read -r nb nr < <(range < "$tmp/nw")
printf '%-22s %7s %13s %7s %11s %12s\n' program wall range "÷coda" "in process" "||AX-I||_F/."
printf '%-22s %7.3f %13s %7.2f %11s %12s\n' "coda-invert direct" "$cb" "$cr" 1 - "$(sed -n 1p "$tmp/err")"
printf '%-22s %7.3f %13s %7.2f %11.3f %12s\n' np.linalg.inv "$nb" "$nr" "$(calc "$nb / $cb")" \
  "$(best < "$tmp/ni")" "$(sed -n 2p "$tmp/err")"
echo "(÷coda: numpy's best wall time over coda-invert's: >= 1 is coda no slower; in process:" \
  "numpy's own clock, load to save, without Python's start-up)"
