#!/usr/bin/env bash
# Pipeline stages against moving their bytes (a measurement, never a test).
# 1. coda-encode, coda-worker-sim and coda-decode on an mds code (A ROWS x COLS times a vector:
#    the workers' arithmetic is one pass over their shards), each against coda-cat moving the
#    same bytes in the same run: reading the stage's input (coda-cat IN > /dev/null) plus
#    writing a stream of its output's size (coda-cat OUT -o Y, which also reads it: a little
#    generous to coda-cat). 1.0 = as fast as moving the bytes; the issue's target is >= 0.67.
# The whole solves from .npy against numpy and scipy are in bench/lsq.sh and bench/invert.sh
# (their end-to-end tables, BENCH_E2E_ONLY=1 for those alone).
# Best of BENCH_REPS runs (default 5); the machine may be shared: compare the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
reps=${BENCH_REPS:-5} rows=${BENCH_ROWS:-200000} cols=${BENCH_COLS:-100}
# in memory (tmpfs) where there is one: on a disk, the writeback of earlier runs' outputs
# lands on whichever run comes next (0.13 to 0.36 s for the same encode here), which is the
# disk's work, not the stage's; BENCH_TMPDIR to choose
tmpdir=${BENCH_TMPDIR:-/tmp}
[ -n "${BENCH_TMPDIR:-}" ] || { [ -d /dev/shm ] && [ -w /dev/shm ] && tmpdir=/dev/shm; }
tmp=$(mktemp -d -p "$tmpdir")
trap 'rm -rf "$tmp"' EXIT
best() {
  local b=1e9 t0 t1
  for _ in $(seq "$reps"); do
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    b=$(echo "$t1 $t0 $b" | awk '{t=$1-$2; print (t<$3)?t:$3}')
  done
  echo "$b"
}
coda-gen --seed 1 "$rows" "$cols" -o "$tmp/A.coda"
coda-gen --seed 2 "$cols" 1 -o "$tmp/v.coda"
coda-encode -q --scheme mds -N 10 -s 2 --operand "$tmp/v.coda" "$tmp/A.coda" -o "$tmp/e.coda"
coda-worker-sim -q -s 2 "$tmp/e.coda" -o "$tmp/r.coda"
coda-decode -q "$tmp/r.coda" -o "$tmp/x.coda"
moving() { # seconds coda-cat takes to move IN, plus a stream of OUT's size
  local a b
  a=$(best coda-cat "$1" -f bin); b=$(best coda-cat "$2" -o "$tmp/m2.coda")
  echo "$a $b" | awk '{print $1 + $2}'
}
echo "== pipeline stages: mds N=10 s=2 on A $rows x $cols times v (best of $reps)"
printf '%-16s %9s %9s %9s %8s\n' stage in_MB out_MB seconds vs_cat
stage() { # label, input, output, command...
  local label=$1 in=$2 out=$3; shift 3
  local t m
  t=$(best "$@"); m=$(moving "$in" "$out")
  awk -v l="$label" -v i="$(stat -c %s "$in")" -v o="$(stat -c %s "$out")" -v t="$t" -v m="$m" \
    'BEGIN { printf "%-16s %9.1f %9.1f %9.3f %8.2f\n", l, i / 1e6, o / 1e6, t, m / t }'
}
stage coda-encode "$tmp/A.coda" "$tmp/e.coda" \
  coda-encode -q --scheme mds -N 10 -s 2 --operand "$tmp/v.coda" "$tmp/A.coda" -o "$tmp/e2.coda"
stage coda-worker-sim "$tmp/e.coda" "$tmp/r.coda" coda-worker-sim -q -s 2 "$tmp/e.coda" -o "$tmp/r2.coda"
stage coda-decode "$tmp/r.coda" "$tmp/x.coda" coda-decode -q "$tmp/r.coda" -o "$tmp/x2.coda"
