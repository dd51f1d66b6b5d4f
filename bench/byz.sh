#!/usr/bin/env bash
# Byzantine-resilient code benchmark (a measurement, never a test): the master's decode of one
# round (locate, least squares, verify) against one worker's product S_i A v, for N = 15, 31,
# 63 workers and t = 1, (N-1)/4, (N-3)/2 (q = 3; q = 1 stores N full copies) corrupt (the N(0, 100^2) attack), on a Gaussian n x d
# matrix (BENCH_SHAPES, default the paper's dataset A 10000x250 and 40000x250 for the scaling
# in n), best of BENCH_REPS (5), in one process (bench/byz_decode.c). The paper claims the
# master costs O(p N^2), linear in n: the last column is decode / (p N^2) in nanoseconds.
# Also the encoding against its nnz(S) d multiply-adds (orth basis: N n d).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
SHAPES=${BENCH_SHAPES:-"10000x250 40000x250"} REPS=${BENCH_REPS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE $(pkg-config --cflags lapacke openblas) -o "$tmp/byz" \
  bench/byz_decode.c lib/libcoda.a $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
echo "== byz decode against one worker's product, best of $REPS (threads: ${OPENBLAS_NUM_THREADS:-all})"
printf '%-10s %4s %3s %3s %6s %10s %10s %10s %12s %8s %12s\n' shape N t q p "encode s" \
  "worker s" "decode s" decode/worker "rel err" "ns/(p N^2)"
for shape in $SHAPES; do
  n=${shape%x*} d=${shape#*x}
  for N in 15 31 63; do
    for t in 1 $(( (N - 1) / 4 )) $(( (N - 3) / 2 )); do
      "$tmp/byz" "$N" "$t" "$n" "$d" "$REPS" | awk -v shape="$shape" '{
        printf "%-10s %4d %3d %3d %6d %10.3e %10.3e %10.3e %12.3g %8.1e %12.3g\n", shape, $1, $2,
               $3, $4, $7, $8, $9, $9 / $8, $10, 1e9 * $9 / ($4 * $1 * $1) }'
    done
  done
done
