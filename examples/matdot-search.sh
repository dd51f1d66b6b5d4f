#!/usr/bin/env bash
# Fig. 1 of papers/approx-matdot.txt (§IV-C): the loss (28) that the code search (Algorithm 1,
# coda-assign --scheme matdot-search) reaches, best of STARTS random starts of ITERS iterations.
#   (a) loss against the threshold k = 2m-1 down to m, P = k+1, one curve per m in MS_A;
#   (b) loss against m in MS_B for k = 2m-2, one curve per P = k+1, k+2, k+3.
# Expected trend (specs §4.1): k = 2m-1 exact (loss below 1e-20); k = 2m-2 small (about
# (2m-1)/(4 ITERS) at P = k+1: the loss decays like 1/iterations, it has no floor); stuck
# random starts on integer plateaus (1, 2, 3 ...) as k nears m. The paper ran 20 starts of
# 100000 iterations ("minutes" in C for the largest cases); the defaults here are CI-sized.
# Writes OUT/matdot-search-a.csv, OUT/matdot-search-b.csv and OUT/matdot-search.png (gnuplot).
#   STARTS=5 ITERS=20000 MS_A="3 4 5" MS_B="2 3 4 5 6" OUT=examples/out examples/matdot-search.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
STARTS=${STARTS:-5}
ITERS=${ITERS:-20000}
MS_A=${MS_A:-"3 4 5"}
MS_B=${MS_B:-"2 3 4 5 6"}
OUT=${OUT:-examples/out}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
loss() { # m k P: the best loss (28)
  coda-assign --scheme matdot-search -m "$1" --threshold "$2" -N "$3" --starts "$STARTS" \
    --iters "$ITERS" --seed 1 -o "$tmp/code.coda" 2>&1 |
    sed -n 's/.*loss (28) \([^,]*\),.*/\1/p'
}
a="$OUT/matdot-search-a.csv" b="$OUT/matdot-search-b.csv"
echo "m,k,P,steps_below_2m-1,loss" > "$a"
echo "== (a) best loss of $STARTS starts x $ITERS iterations, P = k+1"
for m in $MS_A; do
  line="m=$m:"
  for k in $(seq $((2 * m - 1)) -1 "$m"); do
    l=$(loss "$m" "$k" $((k + 1)))
    echo "$m,$k,$((k + 1)),$((2 * m - 1 - k)),$l" >> "$a"
    line="$line k=$k $l"
  done
  echo "$line"
done
echo "m,k,P,extra_workers,loss" > "$b"
echo "== (b) k = 2m-2"
for x in 1 2 3; do # one curve at a time, so that its rows are contiguous for the plot
  line="P=k+$x:"
  for m in $MS_B; do
    k=$((2 * m - 2))
    l=$(loss "$m" "$k" $((k + x)))
    echo "$m,$k,$((k + x)),$x,$l" >> "$b"
    line="$line m=$m $l"
  done
  echo "$line"
done
if command -v gnuplot > /dev/null; then
  pa= pb=
  for m in $MS_A; do
    pa="$pa${pa:+, }'$a' using (\$1 == $m ? \$4 : 1/0):(\$5 > 0 ? \$5 : 1e-32) with linespoints title 'm=$m'"
  done
  for x in 1 2 3; do
    pb="$pb${pb:+, }'$b' using (\$4 == $x ? \$1 : 1/0):5 with linespoints title 'P=k+$x'"
  done
  gnuplot <<GP
set terminal pngcairo size 1100,450
set output "$OUT/matdot-search.png"
set datafile separator ","
set logscale y
set format y "1e%T"
set multiplot layout 1,2
set title "(a) loss (28) vs threshold, P = k+1"
set xlabel "2m-1 - k (k from 2m-1 down to m)"
set ylabel "best loss"
plot $pa
set title "(b) k = 2m-2"
set xlabel "m"
plot $pb
unset multiplot
GP
  echo "plot: $OUT/matdot-search.png"
else
  echo "gnuplot not found: no plot (CODA_DEPS_EXTRA=gnuplot-nox make deps installs it)" >&2
fi
