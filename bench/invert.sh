#!/usr/bin/env bash
# coda-invert benchmark (a measurement, never a test).
# 1. n = BENCH_N (2000) Gaussian and SPD (kappa 100) matrices: coda-invert --method direct,
#    wall time of the whole program (read, LU, condition check, dgetri, write) against a plain
#    LAPACKE_dgetrf + LAPACKE_dgetri call on the same matrix in the same run (compute only).
#    Best of BENCH_REPS (3) each.
# 2. cg and sd against direct on an SPD matrix of order BENCH_ITER_N (1000) with kappa
#    BENCH_ITER_KAPPA (10): wall times, iterations and the ratio to direct. CG needs about
#    kappa log(1/eps) iterations of two n x n x n GEMMs; SD about kappa^2 log(1/eps).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
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
