#!/usr/bin/env bash
# Coded gradient descent against simulated time: least squares on a ROWSxCOLS Gaussian problem,
# N workers with shifted-exponential latencies (shift 1, rate RATE) drawn every round:
#   uncoded  waits for all N (every block is needed);
#   frc, cyclic  tolerate S stragglers: each round ends at the arrival that makes the gradient
#            decodable (--until-decodable), and the iterates are uncoded GD's (--compare-plain).
# Writes OUT/coded-gd.csv (scheme, iter, loss, sim_time) and OUT/coded-gd.png (gnuplot: the
# loss against the cumulated simulated time, log scale).
#   N=12 S=3 ITERS=60 ROWS=6000 COLS=30 RATE=0.1 STEP=const:0.2 OUT=examples/out examples/coded-gd.sh
# (with a light tail, RATE=1, waiting for all N at load 1/N beats the codes: they pay s+1 times
# the load for the stragglers they skip)
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
STEP=${STEP:-const:0.2}
N=${N:-12} S=${S:-3} ITERS=${ITERS:-60} ROWS=${ROWS:-6000} COLS=${COLS:-30} RATE=${RATE:-0.1}
OUT=${OUT:-examples/out}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
coda-gen --seed 1 "$ROWS" "$COLS" -o "$tmp/X.npy"
coda-gen --seed 2 "$ROWS" 1 -o "$tmp/y.npy"
csv="$OUT/coded-gd.csv"
echo "scheme,iter,loss,sim_time" > "$csv"
for scheme in uncoded frc cyclic; do
  if [ $scheme = uncoded ]; then opts=(-N "$N"); else opts=(-N "$N" --code-stragglers "$S" --until-decodable --compare-plain); fi
  coda-solve --method gd --scheme $scheme "${opts[@]}" --latency "shifted-exp:1,$RATE" \
    --step "$STEP" --iters "$ITERS" --seed 3 --trace "$tmp/$scheme.csv" \
    "$tmp/X.npy" "$tmp/y.npy" -o "$tmp/b.npy" 2> "$tmp/$scheme.log"
  sed -n 's/^coda-solve: gd: //p' "$tmp/$scheme.log" | sed "s/^/$scheme: /"
  grep -v '^#' "$tmp/$scheme.csv" | tail -n +2 | awk -F, -v s=$scheme '{ print s "," $1 "," $2 "," $7 }' >> "$csv"
done
if command -v gnuplot > /dev/null; then
  for s in uncoded frc cyclic; do grep "^$s," "$csv" | cut -d, -f3,4 | tr , ' ' > "$tmp/$s.dat"; done
  gnuplot <<GP
set terminal pngcairo size 800,500
set output "$OUT/coded-gd.png"
set xlabel "simulated time"
set ylabel "loss (1/n) ||X b - y||^2"
set logscale y
set key top right
plot "$tmp/uncoded.dat" using 2:1 with lines title "uncoded (waits for all $N)", \
     "$tmp/frc.dat" using 2:1 with lines title "frc, s = $S", \
     "$tmp/cyclic.dat" using 2:1 with lines title "cyclic, s = $S"
GP
  echo "wrote $OUT/coded-gd.png"
else
  echo "no gnuplot (CODA_DEPS_EXTRA=gnuplot-nox make deps): wrote $csv only"
fi
