#!/usr/bin/env bash
# Pipeline stages and whole solves against moving their bytes (a measurement, never a test).
# 1. coda-encode, coda-worker-sim and coda-decode on an mds code (A ROWS x COLS times a vector:
#    the workers' arithmetic is one pass over their shards), each against coda-cat moving the
#    same bytes in the same run: reading the stage's input (coda-cat IN > /dev/null) plus
#    writing a stream of its output's size (coda-cat OUT -o Y, which also reads it: a little
#    generous to coda-cat). 1.0 = as fast as moving the bytes; the issue's target is >= 0.67.
# 2. coda-solve --method precond from .npy (50000 x 500 and 200000 x 200) against numpy's
#    np.linalg.lstsq and scipy's lstsq (gelsy), each reading the same files in a whole process,
#    with the relative residual gap; coda-invert --method direct (n = 2000) against
#    np.linalg.inv end to end. scipy comes from python3-scipy (installed here if missing).
# Best of BENCH_REPS runs (default 3); the machine may be shared: compare the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
CODA_DEPS_EXTRA=python3-scipy scripts/deps.sh
export PATH="$PWD/bin:$PATH"
PY=/usr/bin/python3
reps=${BENCH_REPS:-3} rows=${BENCH_ROWS:-200000} cols=${BENCH_COLS:-100}
tmp=$(mktemp -d)
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
echo
echo "== least squares from .npy, whole processes (best of $reps)"
printf '%-14s %8s %8s %8s %8s %8s %12s\n' size coda numpy scipy np/coda sp/coda resid_gap
for shape in 50000x500 200000x200; do
  m=${shape%x*} n=${shape#*x}
  "$PY" -c "
import numpy as np
g = np.random.default_rng(3)
A = np.asfortranarray(g.standard_normal(($m, $n))); b = g.standard_normal(($m, 1))
np.save('$tmp/LA.npy', A); np.save('$tmp/Lb.npy', b)"
  t_coda=$(best coda-solve -q --method precond "$tmp/LA.npy" "$tmp/Lb.npy" -o "$tmp/xc.npy")
  t_np=$(best "$PY" -c "
import numpy as np
A = np.load('$tmp/LA.npy'); b = np.load('$tmp/Lb.npy')
np.save('$tmp/xn.npy', np.linalg.lstsq(A, b, rcond=None)[0])")
  t_sp=$(best "$PY" -c "
import numpy as np, scipy.linalg as sl
A = np.load('$tmp/LA.npy'); b = np.load('$tmp/Lb.npy')
np.save('$tmp/xs.npy', sl.lstsq(A, b, lapack_driver='gelsy')[0])")
  gap=$("$PY" -c "
import numpy as np
A = np.load('$tmp/LA.npy'); b = np.load('$tmp/Lb.npy')
r = lambda x: np.linalg.norm(A @ np.load(x) - b)
print('%.2e' % ((r('$tmp/xc.npy') - r('$tmp/xn.npy')) / r('$tmp/xn.npy')))")
  awk -v s="$shape" -v c="$t_coda" -v n="$t_np" -v p="$t_sp" -v g="$gap" \
    'BEGIN { printf "%-14s %8.3f %8.3f %8.3f %8.2f %8.2f %12s\n", s, c, n, p, n / c, p / c, g }'
done
echo
"$PY" -c "
import numpy as np
g = np.random.default_rng(4)
np.save('$tmp/M.npy', g.standard_normal((2000, 2000)) + 2000 ** 0.5 * np.eye(2000))"
t_inv=$(best coda-invert -q --method direct "$tmp/M.npy" -o "$tmp/Mi.npy")
t_npinv=$(best "$PY" -c "
import numpy as np
np.save('$tmp/Mn.npy', np.linalg.inv(np.load('$tmp/M.npy')))")
awk -v c="$t_inv" -v n="$t_npinv" 'BEGIN { printf "inverse n=2000: coda-invert --method direct %.3f s, numpy %.3f s: %.2fx numpy speed (target >= 1)\n", c, n, n / c }'
