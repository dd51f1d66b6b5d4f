#!/usr/bin/env bash
# I/O benchmark (a measurement, never a test): in the same run,
#  - binary frames read+written through a pipe (coda-cat) against cat of the same bytes;
#  - CSV reading (coda-cat --info parses every field) against a bare strtod loop over the
#    same text.
# Prints the times and the ratios (speed relative to the baseline; 1.0 = as fast).
# Sizes: CSV BENCH_ROWS x BENCH_COLS (default 4000 x 2000, ~150 MB), binary 4x the rows (256 MB).
# BENCH_REPS runs each (default 5), best kept.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
rows=${BENCH_ROWS:-4000} cols=${BENCH_COLS:-2000} reps=${BENCH_REPS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE -o "$tmp/baseline" bench/baseline.c lib/libcoda.a \
  $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
"$tmp/baseline" gen "$((4 * rows))" "$cols" 1 bin > "$tmp/m.coda" # larger: a pipe of 64 MB is over in tens of ms
"$tmp/baseline" gen "$rows" "$cols" 1 csv > "$tmp/m.csv"
best() { # best wall time of $reps runs of "$@"
  local b=1e9 t0 t1
  for _ in $(seq "$reps"); do
    t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
    b=$(echo "$t1 $t0 $b" | awk '{t=$1-$2; print (t<$3)?t:$3}')
  done
  echo "$b"
}
cat "$tmp/m.coda" > /dev/null # warm the page cache
t_cat=$(best bash -c "cat '$tmp/m.coda' | cat | cat > /dev/null")
t_bin=$(best bash -c "cat '$tmp/m.coda' | bin/coda-cat | cat > /dev/null")
t_strtod=$(best bash -c "'$tmp/baseline' strtod '$tmp/m.csv' > /dev/null")
t_csv=$(best bash -c "bin/coda-cat --info '$tmp/m.csv' > /dev/null")
mb_bin=$(du -m "$tmp/m.coda" | cut -f1) mb_csv=$(du -m "$tmp/m.csv" | cut -f1)
awk -v a="$t_cat" -v b="$t_bin" -v c="$t_strtod" -v d="$t_csv" -v mb="$mb_bin" -v mc="$mb_csv" \
    -v r="$rows" -v k="$cols" 'BEGIN {
  printf "binary: %d x %d (%d MB); CSV: %d x %d (%d MB); best of runs\n", 4 * r, k, mb, r, k, mc
  printf "binary through a pipe: cat %.3f s, coda-cat %.3f s -> %.2fx the speed of cat (target >= 0.8)\n", a, b, a / b
  printf "CSV reading: strtod loop %.3f s, coda-cat %.3f s -> %.2fx the speed of strtod (target >= 0.7)\n", c, d, c / d
}'
