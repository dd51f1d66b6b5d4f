#!/usr/bin/env bash
# MatDot benchmark (a measurement, never a test): n x n Gaussian A and B (BENCH_N, 4000),
# m = 4 (BENCH_M), P = 8 workers (BENCH_P). In the same run:
#   baseline   one plain cblas_dgemm of the whole product, and one worker's product
#              (n x n/m times n/m x n), the work each MatDot worker does;
#   matdot-approx (radius auto) decoded from m responders, and exact matdot (radius 1, Chebyshev)
#              decoded from 2m-1: the wall time of coda-encode (reading A and B, writing the P
#              pairs), of coda-worker-sim (the responders' products, with its reading and
#              writing) and of coda-decode (reading the results, the weights, the combination),
#              each also as a ratio to one worker's dgemm;
#   accuracy   ||C^ - AB||_F / (||A||_F ||B||_F) of both decodes, against the dgemm product.
# The streams go through files in a temporary directory (P pairs and K products of n^2/m and n^2
# doubles: about 1 GB each at n = 4000), so the times include their disk traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
n=${BENCH_N:-4000} m=${BENCH_M:-4} P=${BENCH_P:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE $(pkg-config --cflags lapacke openblas) -o "$tmp/baseline" \
  bench/baseline.c lib/libcoda.a $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3g\", $1 }"; }
coda-gen --seed 1 "$n" "$n" -o "$tmp/A.coda"
coda-gen --seed 2 "$n" "$n" -o "$tmp/B.coda"
read -r full worker < <("$tmp/baseline" gemm "$tmp/A.coda" "$tmp/B.coda" "$m" "$tmp/AB.coda")
echo "== MatDot, n = $n, m = $m, P = $P (threads: ${OPENBLAS_NUM_THREADS:-all})"
echo "dgemm of A B: $(calc "$full") s; one worker's product (n x n/$m x n): $(calc "$worker") s"
printf '%-14s %4s %9s %9s %9s %9s %9s %9s %11s\n' scheme K encode "/worker" workers "/worker" \
  decode "/worker" "rel.error"
one() { # scheme stragglers extra-options
  local t0 t1 t2 t3
  t0=$(now)
  coda-encode -q --scheme "$1" -m "$m" -N "$P" $3 --operand "$tmp/B.coda" "$tmp/A.coda" -o "$tmp/s.coda"
  t1=$(now)
  coda-worker-sim -q -s "$2" --seed 1 "$tmp/s.coda" -o "$tmp/r.coda"
  t2=$(now)
  coda-decode -q "$tmp/r.coda" -o "$tmp/C.coda"
  t3=$(now)
  rm -f "$tmp/s.coda" "$tmp/r.coda"
  local enc wrk dec err
  enc=$(calc "$t1 - $t0") wrk=$(calc "$t2 - $t1") dec=$(calc "$t3 - $t2")
  err=$("$tmp/baseline" abrel "$tmp/C.coda" "$tmp/AB.coda" "$tmp/A.coda" "$tmp/B.coda")
  printf '%-14s %4s %9s %9s %9s %9s %9s %9s %11s\n' "$1" $((P - $2)) "$enc" \
    "$(calc "$enc / $worker")" "$wrk" "$(calc "$wrk / $worker")" "$dec" "$(calc "$dec / $worker")" "$err"
}
one matdot-approx $((P - m)) ""
one matdot $((P - 2 * m + 1)) ""
echo "(seconds are wall times of the whole programs; /worker = ratio to one worker's dgemm;"
echo " rel.error = ||C^ - AB||_F / (||A||_F ||B||_F); coda-worker-sim runs every responder's product)"
