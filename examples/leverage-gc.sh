#!/usr/bin/env bash
# papers/leverage-gc.txt §IV reduced to what runs in minutes here (specs/leverage-gc.md §4):
#  Table II / Fig. 6: Student-t(3) A (N x D = 2000 x 40, not normalized), b = A x0 + w with
#    x0, w ~ N(0, I), INSTANCES (3; the paper 6) draws of (A, b); iterative sketching
#    (Algorithm 3) from x = 0 for ITERS (600) iterations with the relative step xi = c 2 /
#    sigma_max(A)^2, c in CS ("0.001 0.01 0.1 1"), on the gradient F (S A)^T (S A x - S b) with
#    F = GRAD_FACTOR (1: the paper's 2 / sigma_max^2 is then SD's marginal step; with F = 2 as
#    printed SD diverges at c >= 0.5, spec §2.8). K = 100 blocks, q = 50, r = q N / K = 1000.
#    Methods: SD (regular, S = I), Gaussian and Rademacher (r = 1000), block-SRHT, block-lvg
#    (Algorithm 1, exact scores), SSD (uniform blocks), block-lvg-fixed (one sketch, the
#    non-iterative variant). Metric: log10(||x* - x|| / sqrt(N)), the mean over instances.
#  Fig. 7: the same with the exact line search on the full problem instead of a fixed step.
#  Table III: the allocation of m = 500 servers to K = 100 blocks (the first instance's block
#    scores) by eq. (20) and Algorithm 2 at the deadlines T of the table under the stand-in CDF
#    examples/table3-runtime.csv (the CDF coda-solve --latency empirical:FILE draws from).
# Writes OUT/leverage-gc-table2.csv (method, c, metric), OUT/leverage-gc-fig6.csv and -fig7.csv
# (method, iter, metric), OUT/leverage-gc-table3.csv, and the PNGs (gnuplot, installed by
# scripts/deps.sh when missing). The Gaussian and Rademacher runs cost most (30-60 s each): the
# defaults took 29 min on 2 shared cores; INSTANCES=1 about a third of that.
#   INSTANCES=3 ITERS=600 OUT=examples/out examples/leverage-gc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
PY=/usr/bin/python3
N=${N:-2000} D=${D:-40} K=${K:-100} Q=${Q:-50} ITERS=${ITERS:-600} INSTANCES=${INSTANCES:-3}
CS=${CS:-"0.001 0.01 0.1 1"} GRAD_FACTOR=${GRAD_FACTOR:-1} OUT=${OUT:-examples/out}
METHODS=${METHODS:-"SD Gaussian Rademacher block-SRHT block-lvg SSD block-lvg-fixed"}
FIG7=${FIG7:-"SD Gaussian block-lvg SSD block-lvg-fixed"}
command -v gnuplot > /dev/null || CODA_DEPS_EXTRA=gnuplot-nox scripts/deps.sh || true
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R=$((Q * N / K))
sk() { # the coda-solve iterative-sketch options of a method
  local b=(--blocks "$K" --sketch-rows "$R")
  case $1 in
    SD) echo --sketch none ;;
    Gaussian) echo --sketch gaussian --sketch-rows "$R" ;;
    Rademacher) echo --sketch rademacher --sketch-rows "$R" ;;
    block-SRHT) echo --sketch block-srht "${b[@]}" ;;
    block-lvg) echo --sketch block "${b[@]}" ;;
    SSD) echo --sketch block-uniform "${b[@]}" ;;
    block-lvg-fixed) echo --sketch block --fixed-sketch "${b[@]}" ;;
  esac
}
# trace (iter,residual,error,seconds; error = ||x - x*|| / ||x*||) -> method,c,inst,iter,metric
# (a non-finite error, a run that overflowed, becomes "diverged")
metric() { awk -F, -v m="$1" -v c="$2" -v i="$3" -v s="$4" 'NR > 1 {
  if ($3 ~ /^[0-9.]+(e[-+]?[0-9]+)?$/ && $3 + 0 > 0 && $3 + 0 < 1e300)
    printf "%s,%s,%s,%s,%.6f\n", m, c, i, $1, log($3 * s) / log(10)
  else printf "%s,%s,%s,%s,diverged\n", m, c, i, $1 }' "$5"; }
runs="$tmp/runs.csv"
: > "$runs"
for inst in $(seq "$INSTANCES"); do
  # scale = ||x*|| / sqrt(N), to turn the trace's relative error into the paper's metric
  scale=$("$PY" -c "
import numpy as np
r = np.random.default_rng(100 + $inst)
A = r.standard_t(3, ($N, $D)); b = A @ r.standard_normal(($D, 1)) + r.standard_normal(($N, 1))
np.save('$tmp/A.npy', A); np.save('$tmp/b.npy', b)
xs = np.linalg.lstsq(A, b, rcond=None)[0]; np.save('$tmp/xs.npy', xs)
print(repr(np.linalg.norm(xs) / np.sqrt($N)))")
  [ "$inst" = 1 ] && coda-sketch -q --emit scores --blocks "$K" "$tmp/A.npy" -o "$tmp/pi.csv"
  for m in $METHODS; do
    for c in $CS; do
      # shellcheck disable=SC2046
      coda-solve -q --method iterative-sketch $(sk "$m") --step "rel:$c,$GRAD_FACTOR" \
        --iters "$ITERS" --seed "$inst" --reference "$tmp/xs.npy" --trace "$tmp/t.csv" \
        "$tmp/A.npy" "$tmp/b.npy" -o "$tmp/x.npy" 2> "$tmp/err" ||
        { echo "$m c=$c instance $inst: $(cat "$tmp/err")" >&2; continue; }
      metric "$m" "$c" "$inst" "$scale" "$tmp/t.csv" >> "$runs"
    done
  done
  for m in $FIG7; do
    # shellcheck disable=SC2046
    coda-solve -q --method iterative-sketch $(sk "$m") --line-search --iters "$ITERS" \
      --seed "$inst" --reference "$tmp/xs.npy" --trace "$tmp/t.csv" "$tmp/A.npy" "$tmp/b.npy" \
      -o "$tmp/x.npy"
    metric "$m" line "$inst" "$scale" "$tmp/t.csv" >> "$runs"
  done
  echo "instance $inst of $INSTANCES done" >&2
done
# means over the instances: "diverged" when one instance did
mean() { awk -F, -v sel="$1" -v it="$2" '($2 == sel || (sel == "fixed" && $2 != "line")) &&
  (it == "" || $4 == it) { k = $1 "," (it == "" ? $4 : $2); n[k]++
    if ($5 == "diverged") bad[k] = 1; else s[k] += $5 }
  END { for (k in n) if (bad[k]) printf "%s,diverged,%d\n", k, n[k]
        else printf "%s,%.4f,%d\n", k, s[k] / n[k], n[k] }' "$runs"; }
t2="$OUT/leverage-gc-table2.csv"
echo "method,c,metric,instances" > "$t2"
mean fixed "$ITERS" | sort -t, -k1,1 -k2,2g >> "$t2"
cmax=${CS##* }
echo "method,iter,metric,instances" > "$OUT/leverage-gc-fig6.csv"
mean "$cmax" "" | sort -t, -k1,1 -k2,2n >> "$OUT/leverage-gc-fig6.csv"
echo "method,iter,metric,instances" > "$OUT/leverage-gc-fig7.csv"
mean line "" | sort -t, -k1,1 -k2,2n >> "$OUT/leverage-gc-fig7.csv"
echo "== Table II: log10(||x* - x|| / sqrt(N)) at iteration $ITERS, mean of $INSTANCES instances" \
  "(N = $N, d = $D, K = $K, q = $Q, gradient factor $GRAD_FACTOR; step c 2 / sigma_max^2)"
printf '%-16s' method; for c in $CS; do printf ' %10s' "c=$c"; done; printf ' %10s\n' line
for m in $METHODS; do
  printf '%-16s' "$m"
  for c in $CS line; do
    v=$(awk -F, -v m="$m" -v c="$c" '$1 == m && $2 == c { print $3 }' "$t2")
    [ "$c" = line ] && v=$(awk -F, -v m="$m" -v it="$ITERS" '$1 == m && $2 == it { print $3 }' \
      "$OUT/leverage-gc-fig7.csv")
    printf ' %10s' "${v:--}"
  done
  echo
done
echo "wrote $t2, $OUT/leverage-gc-fig6.csv (c = $cmax), $OUT/leverage-gc-fig7.csv (line search)"
# Table III under the stand-in CDF: eq. (20) at phi(T) = 1 - F(T), Algorithm 2, m = 500
t3="$OUT/leverage-gc-table3.csv"
echo "T,q_T,delta,beta_def,beta_paper,d,zeros" > "$t3"
for T in 6 12 24 42 48 54 60; do
  coda-assign --scheme leverage -N 500 --scores "$tmp/pi.csv" --normalize \
    --runtime empirical:examples/table3-runtime.csv --deadline "$T" -o "$tmp/G.npy" 2>&1 |
    awk -v T="$T" '{ for (i = 1; i <= NF; i++) { w = $i; sub(/,$/, "", $(i + 1))
      if (w == "T" && $(i - 1) == "q") q = $(i + 1); if (w == "Delta") dl = $(i + 1)
      if (w == "def") bd = $(i + 1); if (w == "paper") bp = $(i + 1)
      if (w == "Pibar" && $(i - 1) == "Pi") d = $(i + 1); if (w == "replica") z = $(i + 1) }
      printf "%s,%s,%.4f,%.4f,%.4f,%.3g,%s\n", T, q, dl, bd, bp, d, z }' >> "$t3"
done
echo "== Table III under examples/table3-runtime.csv (m = 500, K = $K, exact scores of instance 1)"
column -t -s, "$t3"
if command -v gnuplot > /dev/null; then
  for f in fig6 fig7; do
    plot=""
    for m in $METHODS; do
      awk -F, -v m="$m" 'NR > 1 && $1 == m && $3 != "diverged" { print $2, $3 }' \
        "$OUT/leverage-gc-$f.csv" > "$tmp/$m.dat"
      [ -s "$tmp/$m.dat" ] && plot="$plot${plot:+, }\"$tmp/$m.dat\" using 1:2 with lines title \"$m\""
    done
    title="c = $cmax"
    [ "$f" = fig7 ] && title="exact line search"
    gnuplot <<GP
set terminal pngcairo size 800,500
set output "$OUT/leverage-gc-$f.png"
set xlabel "iteration"
set ylabel "log10(||x* - x|| / sqrt(N))"
set title "t(3) $N x $D, K = $K, q = $Q, $title, mean of $INSTANCES instances"
plot $plot
GP
    echo "wrote $OUT/leverage-gc-$f.png"
  done
  plot=""
  for m in $METHODS; do
    awk -F, -v m="$m" 'NR > 1 && $1 == m && $3 != "diverged" { print $2, $3 }' "$t2" > "$tmp/$m.t2"
    [ -s "$tmp/$m.t2" ] && plot="$plot${plot:+, }\"$tmp/$m.t2\" using 1:2 with linespoints title \"$m\""
  done
  gnuplot <<GP
set terminal pngcairo size 800,500
set output "$OUT/leverage-gc-table2.png"
set logscale x
set xlabel "c (step c 2 / sigma_max^2)"
set ylabel "log10(||x* - x|| / sqrt(N)) at iteration $ITERS"
set title "Table II / Fig. 5: t(3) $N x $D, mean of $INSTANCES instances"
plot $plot
GP
  echo "wrote $OUT/leverage-gc-table2.png"
else
  echo "no gnuplot (CODA_DEPS_EXTRA=gnuplot-nox scripts/deps.sh): no PNG"
fi
