#!/usr/bin/env bash
# The experiments of Data, Song and Diggavi (papers/byzantine.txt §7): Byzantine-resilient
# coordinate descent CD(gamma d) on linear regression with m = 15 workers, t = 1..7 of them
# adding N(0, 100^2) noise to their messages, a fresh random set every round (both rounds of
# every iteration), gamma in {0.1, 0.25, 0.5, 1} (gamma = 1: every coordinate, i.e. GD), and the
# per-iteration time of the slowest worker (both rounds summed; each worker's median over ITERS
# iterations, the largest of them) and of the master (decodes and the rest; the median).
# Workers run one after the other in this process (the simulator), each op timed by itself;
# one BLAS thread.
#   dataset A: the paper's n = 10000, d = 250 (its Fig. 4), t = 1..7;
#   dataset B: the paper's 20000 x 22000 scaled by SCALE_B (default 0.25: 5000 x 5500), t = 1..6
#              (at full size the shards need about 35 GB at t = 6).
# Each run also runs uncoded CD alongside (--compare-plain) and records the largest relative
# deviation of the iterates. Writes OUT/byzantine.csv and, with gnuplot, OUT/byzantine.png
# (total time per iteration against t, one curve per gamma, one panel per dataset).
#   ITERS=42 SCALE_B=0.25 DATASETS="A B" OUT=examples/out examples/byzantine.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH" OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
ITERS=${ITERS:-42} SCALE_B=${SCALE_B:-0.25} DATASETS=${DATASETS:-A B} OUT=${OUT:-examples/out}
M=15
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
csv="$OUT/byzantine.csv"
echo "dataset,n,d,t,q,gamma,tau,p2,worker_s,master_s,total_s,plain_deviation" > "$csv"
meta() { coda-cat --info "$tmp/w.coda" | sed -n "s/^ *$1=//p"; }
for ds in $DATASETS; do
  case $ds in
    A) n=10000 d=250 tmax=7 ;;
    B) n=$(awk -v s="$SCALE_B" 'BEGIN { printf "%d", 20000 * s }')
       d=$(awk -v s="$SCALE_B" 'BEGIN { printf "%d", 22000 * s }') tmax=6 ;;
    *) echo "byzantine.sh: unknown dataset '$ds' (A, B)" >&2; exit 2 ;;
  esac
  # X ~ N(0, 1); the labels only set the loss, not the time: y ~ N(0, 1) too
  coda-gen --seed 1 "$n" "$d" -o "$tmp/X.npy"
  coda-gen --seed 2 "$n" 1 -o "$tmp/y.npy"
  for t in $(seq 1 $tmax); do
    q=$((M - 2 * t)) p2=$(( (d + q - 1) / q ))
    for gamma in 0.1 0.25 0.5 1; do
      coda-solve -q --method cd -N $M -t $t --attack gauss:100 --fraction $gamma \
        --iters "$ITERS" --seed 7 --compare-plain "$tmp/X.npy" "$tmp/y.npy" -o "$tmp/w.coda"
      wk=$(meta worker_s) ms=$(meta master_s)
      row=$(awk -v w="$wk" -v m="$ms" 'BEGIN { printf "%.4g,%.4g,%.4g", w, m, w + m }')
      echo "$ds,$n,$d,$t,$q,$gamma,$(meta tau),$p2,$row,$(meta plain_deviation)" | tee -a "$csv"
    done
  done
done
if command -v gnuplot > /dev/null; then
  plots=""
  for ds in $DATASETS; do
    for g in 0.1 0.25 0.5 1; do
      awk -F, -v s=$ds -v g=$g '$1 == s && $6 == g { print $4, $11 }' "$csv" > "$tmp/$ds-$g.dat"
    done
  done
  {
    echo "set terminal pngcairo size 1000,450"
    echo "set output '$OUT/byzantine.png'"
    echo "set multiplot layout 1,$(echo $DATASETS | wc -w)"
    for ds in $DATASETS; do
      echo "set title 'dataset $ds, m = $M'; set xlabel 't (corrupt workers)'"
      echo "set ylabel 'seconds per iteration (slowest worker + master)'; set logscale y; set key top left"
      echo "plot '$tmp/$ds-0.1.dat' w lp t 'CD(0.1d)', '$tmp/$ds-0.25.dat' w lp t 'CD(0.25d)', \
'$tmp/$ds-0.5.dat' w lp t 'CD(0.5d)', '$tmp/$ds-1.dat' w lp t 'GD'"
    done
    echo "unset multiplot"
  } | gnuplot
  echo "wrote $csv and $OUT/byzantine.png"
else
  echo "no gnuplot (CODA_DEPS_EXTRA=gnuplot-nox scripts/deps.sh): wrote $csv only"
fi
