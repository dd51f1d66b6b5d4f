#!/usr/bin/env bash
# Pipeline benchmark (a measurement, never a test).
# 1. Simulated completion time of uncoded, rep, frc, cyclic and mds on N=100 workers with
#    shifted-exponential latencies (X = SHIFT + Exp(RATE), latency = load * X), waiting for
#    the scheme's recovery threshold F, averaged over R seeds, next to the order-statistics
#    formula  E = load * (SHIFT + (H_N - H_{N-F}) / RATE).
# 2. Encode and decode throughput on a large product, as a ratio to memcpy of the same bytes
#    in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
N=${BENCH_N:-100} S=${BENCH_S:-10} R=${BENCH_RUNS:-40} SHIFT=1 RATE=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE -o "$tmp/baseline" bench/baseline.c lib/libcoda.a \
  $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
"$tmp/baseline" gen 2000 4 1 bin > "$tmp/A.coda"
"$tmp/baseline" gen 4 1 2 bin > "$tmp/v.coda"
"$tmp/baseline" gen 2000 5 3 bin > "$tmp/Xy.coda"
echo "== simulated completion time, N=$N workers, s=$S, shifted-exp:$SHIFT,$RATE, mean of $R seeds"
printf '%-8s %5s %8s %12s %12s %8s\n' scheme F load simulated formula ratio
for scheme in uncoded rep frc cyclic mds; do
  s=$S; op=matvec; input="$tmp/A.coda"
  [ $scheme = uncoded ] && s=0
  [ $scheme = cyclic ] && { op=grad; input="$tmp/Xy.coda"; }
  coda-encode -q --scheme $scheme -N "$N" -s $s --op $op --operand "$tmp/v.coda" "$input" > "$tmp/enc.coda"
  plan=$(coda-cat --info --kind plan "$tmp/enc.coda")
  F=$(echo "$plan" | sed -n 's/^ *threshold=//p'); load=$(echo "$plan" | sed -n 's/^ *load=//p')
  sum=0
  for seed in $(seq "$R"); do
    t=$(coda-worker-sim --latency shifted-exp:$SHIFT,$RATE --wait-for "$F" --seed "$seed" \
          "$tmp/enc.coda" 2>&1 >"$tmp/sim.coda" | sed -n 's/.*completion time \([^ ]*\).*/\1/p')
    coda-decode -q "$tmp/sim.coda" > /dev/null
    sum=$(awk -v a="$sum" -v b="$t" 'BEGIN{print a+b}')
  done
  awk -v n="$N" -v f="$F" -v l="$load" -v s="$SHIFT" -v r="$RATE" -v sum="$sum" -v R="$R" -v sc=$scheme 'BEGIN {
    h = 0; for (k = n - f + 1; k <= n; k++) h += 1 / k
    e = l * (s + h / r); m = sum / R
    printf "%-8s %5d %8.4f %12.5f %12.5f %8.3f\n", sc, f, l, m, e, m / e }'
done
echo
rows=${BENCH_ROWS:-16000} cols=${BENCH_COLS:-1000}
echo "== encode/decode throughput: A $rows x $cols times B $cols x 200, mds N=10 s=2"
"$tmp/baseline" gen "$rows" "$cols" 4 bin > "$tmp/big.coda"
"$tmp/baseline" gen "$cols" 200 5 bin > "$tmp/B.coda"
now() { date +%s.%N; }
t0=$(now); coda-encode -q --scheme mds -N 10 -s 2 --operand "$tmp/B.coda" "$tmp/big.coda" > "$tmp/e.coda"; t1=$(now)
coda-worker-sim -q -s 2 "$tmp/e.coda" > "$tmp/s.coda"
t2=$(now); coda-decode -q "$tmp/s.coda" -f bin > /dev/null; t3=$(now)
enc_bytes=$(stat -c %s "$tmp/e.coda"); dec_bytes=$(stat -c %s "$tmp/s.coda")
m_enc=$("$tmp/baseline" memcpy "$enc_bytes" 5); m_dec=$("$tmp/baseline" memcpy "$dec_bytes" 5)
awk -v te="$(echo "$t1 $t0" | awk '{print $1-$2}')" -v td="$(echo "$t3 $t2" | awk '{print $1-$2}')" \
    -v me="$m_enc" -v md="$m_dec" -v be="$enc_bytes" -v bd="$dec_bytes" 'BEGIN {
  printf "encode: %.3f s for %.0f MB written (memcpy of those bytes %.4f s): %.3fx memcpy speed\n", te, be/1e6, me, me/te
  printf "decode: %.3f s for %.0f MB read (memcpy of those bytes %.4f s): %.3fx memcpy speed\n", td, bd/1e6, md, md/td }'
