#!/usr/bin/env bash
# Heterogeneous-straggler codes benchmark (a measurement, never a test): coda-assign --scheme
# hetero on k = BENCH_K (1000) workers and n = BENCH_PARTS (2000) partitions, p from
# psi ~ U(0.1, 2) at tau_th = 1.5 (eq. 23), for each construction, against the spec's
# pure-Python construction (specs/hetero-gc-checks/hgc.py: Yvec, interval, scheme1, copied
# below so the script needs nothing outside the repository) on the same p. Whole-process wall
# time, best of BENCH_REPS (3); also the largest |alpha_coda - alpha_python|. Prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH"
K=${BENCH_K:-1000} NP=${BENCH_PARTS:-2000} REPS=${BENCH_REPS:-3}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -c "
import numpy as np
r = np.random.default_rng(7)
np.savetxt('$tmp/p.csv', np.exp(-r.uniform(0.1, 2, $K) * 0.5), fmt='%.17g')"
cat > "$tmp/hgc.py" <<'PYEOF'
# from specs/hetero-gc-checks/hgc.py (the spec's prototype), with its b rule R-I for star
import math, sys, time
def Yvec(p, n):
    inv = [(1 - pi) / pi for pi in p]
    S = sum(inv)
    return [n * v / S for v in inv], S
def scheme1(Y, b, n):
    k = len(Y); assert sum(b) == n + k - 1
    A = [[0] * n for _ in range(k)]
    lp = 2
    for i in range(k):
        A[i][0] = Y[i] - b[i] + 1
        for j in range(lp, lp + b[i] - 1):
            A[i][j - 1] = 1
        lp = lp + b[i] - 1
    return A
def interval(Y, n, tol=1e-12):
    k = len(Y); A = [[0] * n for _ in range(k)]
    c0 = 0
    for i in range(k):
        c1 = c0 + Y[i]
        for j in range(max(1, math.floor(c0) + 1), min(n, math.ceil(c1)) + 1):
            ov = min(j, c1) - max(j - 1, c0)
            if ov > tol: A[i][j - 1] = ov
        c0 = c1
    return A
def star_b(Y, n):  # R-I: largest remainder
    e = [math.floor(y) for y in Y]
    extra = (n - 1) - sum(e)
    order = sorted(range(len(Y)), key=lambda i: -(Y[i] - math.floor(Y[i])))
    for i in order[:max(extra, 0)]: e[i] += 1
    return [x + 1 for x in e]
what, pfile, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
p = [float(l) for l in open(pfile)]
order = sorted(range(len(p)), key=lambda i: p[i])
t0 = time.perf_counter()
Y, S = Yvec([p[i] for i in order], n)
if what == 'interval': A = interval(Y, n)
elif what == 'star': A = scheme1(Y, star_b(Y, n), n)
else: A = [[y / n] * n for y in Y]
rows = [None] * len(p)
for r, i in enumerate(order): rows[i] = A[r]
t1 = time.perf_counter()
import numpy as np
np.save(out, np.array(rows, dtype=float))
print(t1 - t0)
PYEOF
best() { sort -g | head -1; }
calc() { awk "BEGIN { print $1 }"; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); calc "$t1 - $t0"; }
echo "== coda-assign --scheme hetero, k=$K workers, n=$NP partitions, best of $REPS"
printf '%-9s %11s %11s %13s %9s %11s\n' construction "coda s" "python s" "python build s" \
  "py/coda" "max|diff|"
for c in interval star groups dense; do
  ct=$(for r in $(seq "$REPS"); do
    wall coda-assign -q --scheme hetero -N "$K" -K "$NP" --straggle-probs "$tmp/p.csv" \
      --construction "$c" -o "$tmp/a.npy"; done | best)
  if [ "$c" = groups ]; then
    printf '%-9s %11.4f %11s %13s %9s %11s\n' "$c" "$ct" - - - "(heuristic above k=22)"
    continue
  fi
  pt=$(for r in $(seq "$REPS"); do wall "$PY" "$tmp/hgc.py" "$c" "$tmp/p.csv" "$NP" "$tmp/b.npy"; done | best)
  pb=$("$PY" "$tmp/hgc.py" "$c" "$tmp/p.csv" "$NP" "$tmp/b.npy")
  diff=$("$PY" -c "
import numpy as np
a = np.load('$tmp/a.npy'); b = np.load('$tmp/b.npy')
print('%.3g' % np.abs(a - b).max())")
  printf '%-9s %11.4f %11.4f %13.4f %9.1f %11s\n' "$c" "$ct" "$pt" "$pb" "$(calc "$pt / $ct")" "$diff"
done
echo "(coda s and python s: whole processes, each writing the k x n matrix as .npy; python"
echo " build s: the Python construction alone, without start-up, numpy import and output)"
