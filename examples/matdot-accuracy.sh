#!/usr/bin/env bash
# How accurate can epsilon-approximate MatDot be in float64? (papers/approx-matdot.txt
# Construction 2; ../shared/specs/approx-matdot.md §2.7, §4.3.) For each m in MS (2..10),
# P = 2m workers, equispaced points, Gaussian A (40 x 10m) and B (10m x 30): the radius that
# coda-encode --radius auto picks and radii from 10x below to 10x above it (4 per decade), each
# decoded from m responders drawn by coda-worker-sim with SEEDS seeds (the worst kept).
# Errors are ||C^ - AB||_F / (||A||_F ||B||_F). Prints, per m: the auto radius, its predicted
# and its measured worst error, the same for the paper's min-norm decoder (coda-decode --decoder
# minnorm) at that radius, and the best radius of the sweep with its worst error.
# Writes OUT/matdot-accuracy.csv (m, radius, worst error, auto?).
#   MS="2 3 4 5 6 7 8 9 10" SEEDS=10 OUT=examples/out examples/matdot-accuracy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
MS=${MS:-"2 3 4 5 6 7 8 9 10"}
SEEDS=${SEEDS:-10}
OUT=${OUT:-examples/out}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
csv="$OUT/matdot-accuracy.csv"
echo "m,radius,worst_error,auto" > "$csv"
# worst relative error of the decoded files $tmp/C*.npy
worst() {
  /usr/bin/python3 -c "
import numpy as np, glob
a = np.load('$tmp/A.npy'); b = np.load('$tmp/B.npy'); ab = a @ b
s = np.linalg.norm(a) * np.linalg.norm(b)
print('%.3g' % max(np.linalg.norm(np.load(f) - ab) / s for f in glob.glob('$tmp/C*.npy')))"
}
run() { # m radius-option [decoder]: worst error over SEEDS draws of m responders
  rm -f "$tmp"/C*.npy
  coda-encode -q --scheme matdot-approx -m "$1" -N $((2 * $1)) --radius "$2" \
    --operand "$tmp/B.npy" "$tmp/A.npy" -o "$tmp/s.coda"
  for s in $(seq "$SEEDS"); do
    coda-worker-sim -q -s "$1" --seed "$s" "$tmp/s.coda" | coda-decode -q --decoder "${3:-interp}" -o "$tmp/C$s.npy"
  done
  worst
}
printf '%3s %10s %10s %10s %10s   %10s %10s\n' m "r auto" predicted measured minnorm "best r" \
  "best error"
for m in $MS; do
  /usr/bin/python3 -c "
import numpy as np
r = np.random.default_rng($m)
np.save('$tmp/A.npy', r.standard_normal((40, 10 * $m))); np.save('$tmp/B.npy', r.standard_normal((10 * $m, 30)))"
  coda-encode --scheme matdot-approx -m "$m" -N $((2 * m)) --operand "$tmp/B.npy" "$tmp/A.npy" \
    -o "$tmp/s.coda" 2> "$tmp/enc.log"
  ra=$(sed -n 's/.*radius \([^,]*\), predicted error \([^ ]*\) .*/\1/p' "$tmp/enc.log")
  pa=$(sed -n 's/.*radius \([^,]*\), predicted error \([^ ]*\) .*/\2/p' "$tmp/enc.log")
  wa=$(run "$m" "$ra")
  wm=$(run "$m" "$ra" minnorm)
  echo "$m,$ra,$wa,1" >> "$csv"
  best_r=$ra best_w=$wa
  for k in -4 -3 -2 -1 1 2 3 4; do
    r=$(awk "BEGIN { r = $ra * 10 ^ ($k / 4); if (r > 1) r = 1; printf \"%.6g\", r }")
    w=$(run "$m" "$r")
    echo "$m,$r,$w,0" >> "$csv"
    if awk "BEGIN { exit !($w < $best_w) }"; then best_r=$r best_w=$w; fi
  done
  printf '%3s %10s %10s %10s %10s   %10s %10s\n' "$m" "$ra" "$pa" "$wa" "$wm" "$best_r" "$best_w"
done
echo "(errors relative to ||A||_F ||B||_F, worst of $SEEDS draws of m of 2m responders; $csv)"
