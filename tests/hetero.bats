#!/usr/bin/env bats
# The hetero scheme (papers/hetero-gc.txt) through the programs: coda-assign's report and
# matrix on the spec's §2.11 fixture, the pipeline coda-encode | coda-worker-sim
# --straggle-probs | coda-decode against g_hat = sum over the logged responders of
# w_i f_i computed here with numpy, the empty responder set, and bad input.

load helper

fixture() {
  printf '0.25\n0.5\n0.75\n' > p.csv
}

@test "hetero: coda-assign writes the §2.11 alpha and reports Y, S, b and both bounds" {
  fixture
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs p.csv -o a.csv
  assert_success
  assert_output --partial "construction interval, order 0,1,2, Y 2.769230769,0.9230769231,0.3076923077"
  assert_output --partial "b 3,2,1, load d 1.5, nnz 6, max b 3, groups 1"
  refute_output --partial "warning"
  npy "
from fractions import Fraction as F
a = np.loadtxt('a.csv', delimiter=',')
t = 1/13
want = np.array([[1, 1, 10*t, 0], [0, 0, 3*t, 9*t], [0, 0, 0, 4*t]])
assert np.abs(a - want).max() <= 1e-15 * 4, a
"
  # the paper's bound n^2 C / S = 48/13 and the valid one agree when alpha >= 0
  run coda-assign -q --scheme hetero -N 3 -K 4 --straggle-probs p.csv -o a.coda
  run coda-cat -i a.coda
  npy "
m = dict(l.strip().split('=', 1) for l in open('/dev/stdin') if '=' in l)
assert abs(float(m['bound_paper']) - 48/13) <= 1e-14, m
assert abs(float(m['bound_valid']) - 48/13) <= 1e-14, m
assert abs(float(m['S']) - 13/3) <= 1e-14, m
" <<< "$output"
}

@test "hetero: Scheme I and II with -b match §2.11 and warn that the paper's bound fails" {
  fixture
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs p.csv --construction star -b 3,2,1 -o s.csv
  assert_success
  assert_output --partial "bound valid 4"
  assert_output --partial "warning: alpha has negative entries"
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs p.csv -b 2,2,2 -o c.csv
  assert_success
  assert_output --partial "construction chain"
  assert_output --partial "the paper's bound n^2 C/S = 3.69231 does not hold"
  npy "
t = 1/13
s = np.loadtxt('s.csv', delimiter=','); c = np.loadtxt('c.csv', delimiter=',')
assert np.abs(s - [[10*t, 1, 1, 0], [-t, 0, 0, 1], [4*t, 0, 0, 0]]).max() <= 4e-15
assert np.abs(c - [[1, 23*t, 0, 0], [0, -10*t, 22*t, 0], [0, 0, -9*t, 1]]).max() <= 4e-15
"
}

@test "hetero: encode | worker-sim --straggle-probs | decode is sum over responders of w_i f_i" {
  fixture
  coda-gen 41 4 --seed 3 -o D.npy
  coda-gen 3 1 --seed 4 -o beta.npy
  coda-assign -q --scheme hetero -N 3 -K 4 --straggle-probs p.csv -o a.csv
  for wt in one propensity random; do
    coda-encode -q --scheme hetero -N 3 -K 4 --straggle-probs p.csv --wtilde $wt --op grad \
      --operand beta.npy D.npy > enc-$wt.coda
  done
  for seed in 1 2 3 4 5 6; do
    for wt in one propensity random; do
      coda-worker-sim -q --straggle-probs p.csv --seed $seed --log log-$seed.csv enc-$wt.coda |
        coda-decode -q -f csv -o g-$wt-$seed.csv
    done
    npy "
D = np.load('D.npy'); X, y = D[:, :3], D[:, 3]; b = np.load('beta.npy')[:, 0]
a = np.loadtxt('a.csv', delimiter=',')
p = np.loadtxt('p.csv')
bounds = [0, 11, 21, 31, 41]       # 41 rows in 4 blocks, the first 41 mod 4 one longer
gj = [X[s:e].T @ (X[s:e] @ b - y[s:e]) for s, e in zip(bounds, bounds[1:])]
resp = np.loadtxt('log-$seed.csv', delimiter=',', skiprows=1, ndmin=2)[:, 2]
want = sum(resp[i] / (1 - p[i]) * sum(a[i, j] * gj[j] for j in range(4)) for i in range(3))
scale = sum(1 / (1 - p[i]) * sum(abs(a[i, j]) * np.abs(gj[j]) for j in range(4)) for i in range(3))
for wt in ['one', 'propensity', 'random']:
    got = np.loadtxt('g-%s-$seed.csv' % wt, delimiter=',')
    assert np.all(np.abs(got - want) <= 64 * 2.2e-16 * scale), (wt, got, want)
"
  done
}

@test "hetero: nobody responds: zero of the gradient's shape, status empty, exit 0" {
  fixture
  coda-gen 41 4 --seed 3 -o D.npy
  coda-gen 3 1 --seed 4 -o beta.npy
  coda-encode -q --scheme hetero -N 3 -K 4 --straggle-probs p.csv --op grad --operand beta.npy \
    D.npy > enc.coda
  coda-worker-sim -q --straggle-workers 0,1,2 -o sim.coda enc.coda
  run coda-decode -f csv -o g.csv sim.coda
  assert_success
  assert_output --partial "decoded from 0 of 3 workers (empty"
  assert_output --partial "nobody responded"
  npy "g = np.loadtxt('g.csv', delimiter=','); assert g.shape == (3,) and not g.any(), g"
}

@test "hetero: p from psi and a deadline, from ranges with --seed, and Algorithm 1's groups" {
  run coda-assign --scheme hetero -N 10 -K 10 --psi-range 0.1,2 --deadline 1.1 --seed 3 -o a.csv
  assert_success
  run coda-assign -q --scheme hetero -N 10 -K 10 --psi-range 0.1,2 --deadline 1.1 --seed 3 -o b.csv
  cmp a.csv b.csv
  printf '1\n2\n0.5\n' > psi.csv
  run coda-assign --scheme hetero -N 3 -K 3 --psi psi.csv --deadline 1.5 -o /dev/null
  assert_success
  # p_i = exp(-psi_i (tau - 1)): delta_inv = (1-p)/p, Y = n delta_inv / S
  npy "
import subprocess
p = np.exp(-np.array([1, 2, 0.5]) * 0.5); d = (1 - p) / p; Y = 3 * d / d.sum()
out = subprocess.run(['coda-assign', '--scheme', 'hetero', '-N', '3', '-K', '3', '--psi', 'psi.csv',
                      '--deadline', '1.5', '-o', '/dev/null'], capture_output=True, text=True).stderr
S = float(out.split(', S ')[1].split(',')[0])
assert abs(S - d.sum()) <= 1e-14 * d.sum(), (S, d.sum())
"
  # §2.5 fixture: p = (2/7, 2/5, 5/11, 5/9), n = 6: groups {1,2} and {3,4}, nnz 8
  python3 -c "print('\n'.join(str(x) for x in [2/7, 2/5, 5/11, 5/9]))" > pg.csv
  run coda-assign --scheme hetero -N 4 -K 6 --straggle-probs pg.csv --construction groups -o g.csv
  assert_success
  assert_output --partial "nnz 8"
  assert_output --partial "groups 2"
  assert_output --partial "group search dp"
}

@test "hetero: bad input is one line naming the value" {
  fixture
  printf '0.25\n1.5\n0.75\n' > bad.csv
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs bad.csv
  assert_failure 1
  assert_output "coda-assign: bad.csv: row 2: straggling probability 1.5 is outside [0, 1]"
  run coda-assign --scheme hetero -N 4 -K 4 --straggle-probs p.csv
  assert_failure 1
  assert_output "coda-assign: p.csv: 3 values for N = 4 workers"
  printf '1\n1\n1\n' > ones.csv
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs ones.csv
  assert_failure 1
  assert_output --partial "every straggling probability is 1"
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs p.csv -b 3,3,1
  assert_failure 2
  assert_output --partial "-b sums to 7, need n + k - 1 = 6"
  printf '0.1\n0.2\n0.3\n0.4\n' > p4.csv
  run coda-assign --scheme hetero -N 4 -K 5 --straggle-probs p4.csv -b 3,1,2,2
  assert_failure 2
  assert_output --partial "b_2 = 1 breaks Scheme II"
  run coda-assign --scheme hetero -N 3 -K 4
  assert_failure 2
  assert_output --partial "needs one of --straggle-probs FILE"
  run coda-assign --scheme hetero -N 3 -K 4 --straggle-probs p.csv --wtilde half
  assert_failure 2
  assert_output --partial "'half'"
  [ "${#lines[@]}" -eq 1 ]
}

@test "hetero: coda-solve --method gd: with every p_i = 0 the estimate is the gradient (equals plain GD)" {
  npy "
r = np.random.default_rng(2); X = r.standard_normal((60, 4)); y = X @ r.standard_normal(4) + 0.1 * r.standard_normal(60)
np.save('X.npy', X); np.save('y.npy', y.reshape(-1, 1))"
  printf '0\n0\n0\n0\n0\n' > p0.csv
  run coda-solve --method gd --scheme hetero -N 5 -K 8 --straggle-probs p0.csv --step const:0.1 \
    --iters 40 --compare-plain X.npy y.npy -o b.csv
  assert_success
  # all five respond, w = 1, alpha's columns sum to 1: the iterates are plain GD's to round-off
  gap=$(grep -o 'uncoded GD [0-9.e+-]*' <<< "$output" | awk '{print $3}')
  [ -n "$gap" ]
  awk -v g="$gap" 'BEGIN { exit !(g <= 1e-12) }'
}

@test "hetero: coda-solve --method gd with Bernoulli(p_i) rounds: empty rounds are not convergence" {
  npy "
r = np.random.default_rng(2); X = r.standard_normal((60, 4)); y = X @ r.standard_normal(4)
np.save('X.npy', X); np.save('y.npy', y.reshape(-1, 1))"
  printf '0.9\n0.9\n0.9\n' > p9.csv
  # P(nobody answers) = 0.729 a round: a zero estimate must not pass for ||grad|| <= tol
  run coda-solve --method gd --scheme hetero -N 3 -K 3 --straggle-probs p9.csv --step const:0.01 \
    --iters 30 --tol 1e-6 --trace t.csv X.npy y.npy -o b.csv
  assert_success
  assert_output --partial "30 iterations"
  [ "$(awk -F, '!/^#/ && $5 == 0' t.csv | wc -l)" -gt 5 ]
  # the same seed, the same run
  coda-solve -q --method gd --scheme hetero -N 3 -K 3 --straggle-probs p9.csv --step const:0.01 \
    --iters 30 --tol 1e-6 X.npy y.npy -o b2.csv
  cmp b.csv b2.csv
}

@test "baselines: is-sgd, bgc, ehd, od and sgc-het run the pipeline; ehd's --ehd-decoder sum is w = 1" {
  coda-gen 40 4 --seed 3 -o D.npy
  coda-gen 3 1 --seed 4 -o beta.npy
  printf '0.3\n0.5\n0.2\n0.6\n' > p4.csv
  for s in is-sgd bgc ehd od; do
    coda-encode -q --scheme $s -N 4 -K 8 --op grad --operand beta.npy D.npy > enc-$s.coda
    run bash -c "coda-worker-sim -q --straggle-probs p4.csv --seed 2 enc-$s.coda | coda-decode -f csv"
    assert_success
  done
  coda-encode -q --scheme sgc-het -N 4 -K 8 --straggle-probs p4.csv --op grad --operand beta.npy \
    D.npy > enc-sgc.coda
  run bash -c "coda-worker-sim -q --straggle-probs p4.csv --seed 2 enc-sgc.coda | coda-decode -f csv"
  assert_success
  # everyone answers: ehd's first-per-group is the gradient, its literal sum twice it
  coda-encode -q --scheme uncoded -N 1 --op grad --operand beta.npy D.npy | coda-worker-sim -q |
    coda-decode -q -f csv -o g.csv
  coda-worker-sim -q enc-ehd.coda | coda-decode -q -f csv -o first.csv
  coda-worker-sim -q enc-ehd.coda | coda-decode -q --ehd-decoder sum -f csv -o sum.csv
  npy "
g = np.loadtxt('g.csv'); f = np.loadtxt('first.csv'); s = np.loadtxt('sum.csv')
tol = 1e-13 * np.abs(g).sum() * 10
assert np.abs(f - g).max() <= tol and np.abs(s - 2 * g).max() <= tol, (g, f, s)"
  run coda-encode --scheme ehd -N 4 -K 5 --op grad --operand beta.npy D.npy -o x.coda
  assert_failure 2
  assert_output --partial "N/d to divide K (N = 4, d = 2, K = 5)"
}

@test "coda-solve --scheme-opt passes the scheme's own options; one it does not take is a usage error" {
  npy "
r = np.random.default_rng(2); X = r.standard_normal((60, 4)); y = X @ r.standard_normal(4)
np.save('X.npy', X); np.save('y.npy', y.reshape(-1, 1))"
  printf '0\n0\n0\n0\n0\n' > p0.csv
  # star with p = 0 everywhere is still exact (alpha's columns sum to 1, everyone answers)
  run coda-solve --method gd --scheme hetero --scheme-opt construction=star -N 5 -K 8 \
    --straggle-probs p0.csv --step const:0.1 --iters 20 --compare-plain X.npy y.npy -o b.csv
  assert_success
  gap=$(grep -o 'uncoded GD [0-9.e+-]*' <<< "$output" | awk '{print $3}')
  awk -v g="$gap" 'BEGIN { exit !(g <= 1e-12) }'
  run coda-solve --method gd --scheme hetero --scheme-opt construction=fancy -N 5 -K 8 \
    --straggle-probs p0.csv X.npy y.npy -o b.csv
  assert_failure 2
  assert_output --partial "unknown 'fancy'"
  run coda-solve --method gd --scheme od --scheme-opt construction=star -N 5 -K 8 X.npy y.npy -o b.csv
  assert_failure 2
  assert_output "coda-solve: --scheme-opt construction=star: scheme od has no option --construction"
}

@test "the worker stage draws from the plan's p unless told otherwise (worker-sim and solve)" {
  coda-gen 40 4 --seed 3 -o D.npy
  coda-gen 3 1 --seed 4 -o beta.npy
  coda-encode -q --scheme hetero -N 6 -K 8 --psi-range 0.1,2 --deadline 1.5 --seed 5 --op grad \
    --operand beta.npy D.npy > enc.coda
  coda-cat -i enc.coda | sed -n 's/^ *straggle_probs=//p' | tr , '\n' > p.csv
  [ "$(wc -l < p.csv)" -eq 6 ]
  for seed in 1 2 3 4 5 6 7 8; do
    run coda-worker-sim --seed $seed --log a-$seed.csv -o /dev/null enc.coda
    assert_output --partial "the probability its plan records"
    coda-worker-sim -q --seed $seed --straggle-probs p.csv --log b-$seed.csv -o /dev/null enc.coda
    cmp a-$seed.csv b-$seed.csv
  done
  # somebody straggled in some round (the plan's p are not ignored)
  [ "$(cat a-*.csv | awk -F, '$3 == 0' | wc -l)" -gt 0 ]
  npy "
r = np.random.default_rng(2); X = r.standard_normal((60, 4)); y = X @ r.standard_normal(4)
np.save('X.npy', X); np.save('y.npy', y.reshape(-1, 1))"
  coda-solve -q --method gd --scheme hetero --scheme-opt psi-range=0.1,2 --scheme-opt deadline=1.5 \
    --seed 5 -N 6 -K 8 --step const:0.01 --iters 30 --trace t1.csv X.npy y.npy -o b1.csv
  # the same p from a file: the same code and the same draws
  coda-solve -q --method gd --scheme hetero --seed 5 -N 6 -K 8 --straggle-probs p.csv \
    --step const:0.01 --iters 30 X.npy y.npy -o b2.csv
  cmp b1.csv b2.csv
  [ "$(awk -F, '!/^#/ && NR > 3 && $5 < 6' t1.csv | wc -l)" -gt 0 ]
}

@test "coda-solve --optimizer adam is Adam (numpy reference); --two-track shrinks the second track by L S/(1+L S)" {
  npy "
r = np.random.default_rng(2); X = r.standard_normal((60, 4)); y = X @ r.standard_normal(4)
np.save('X.npy', X); np.save('y.npy', y.reshape(-1, 1))"
  coda-solve -q --method gd --optimizer adam --adam 0.8,0.99,1e-6 --l2 0.1 --step const:0.05 \
    --iters 40 X.npy y.npy -o b.csv
  npy "
X = np.load('X.npy'); y = np.load('y.npy')[:, 0]; n = len(y)
b = np.zeros(4); m = np.zeros(4); v = np.zeros(4)
for t in range(1, 41):
    g = 2 / n * X.T @ (X @ b - y) + 2 * 0.1 * b
    m = 0.8 * m + 0.2 * g; v = 0.99 * v + 0.01 * g * g
    b = b - 0.05 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-6)
got = np.loadtxt('b.csv', delimiter=',')
assert np.linalg.norm(got - b) <= 1e-12 * np.linalg.norm(b), (got, b)"
  # with EPS = 0, shrinking g_v by c is plain Adam with step gamma / c: the same iterates
  printf '0.1\n0.2\n0.3\n0.2\n0.1\n' > pa.csv
  coda-solve -q --method gd --optimizer adam --adam 0.9,0.999,0 --two-track 1 --step const:0.05 \
    --iters 40 --scheme hetero -N 5 -K 8 --straggle-probs pa.csv --trace t.csv X.npy y.npy -o tt.csv
  grep -q 'shrink=0.9659090909090909' t.csv
  step=$(npy "S = 9 + 4 + 7/3 + 4 + 9; print(repr(0.05 / (S / (1 + S))))")
  coda-solve -q --method gd --optimizer adam --adam 0.9,0.999,0 --step const:$step \
    --iters 40 --scheme hetero -N 5 -K 8 --straggle-probs pa.csv X.npy y.npy -o pl.csv
  npy "
a = np.loadtxt('tt.csv', delimiter=','); b = np.loadtxt('pl.csv', delimiter=',')
assert np.linalg.norm(a - b) <= 1e-10 * np.linalg.norm(b), (a, b)"
  # and differs from plain Adam at the same step
  coda-solve -q --method gd --optimizer adam --adam 0.9,0.999,0 --step const:0.05 \
    --iters 40 --scheme hetero -N 5 -K 8 --straggle-probs pa.csv X.npy y.npy -o p0.csv
  npy "
a = np.loadtxt('tt.csv', delimiter=','); b = np.loadtxt('p0.csv', delimiter=',')
assert np.linalg.norm(a - b) > 1e-6 * np.linalg.norm(b)"
  run coda-solve --method gd --two-track 1 --scheme hetero -N 5 -K 8 --straggle-probs pa.csv X.npy y.npy
  assert_failure 2
  assert_output --partial "give --optimizer adam"
  run coda-solve --method gd --optimizer adam --step line X.npy y.npy
  assert_failure 2
  run coda-solve --method gd --optimizer adam --adam 1,0.9,0 X.npy y.npy
  assert_failure 2
}

runs_data() {
  npy "
r = np.random.default_rng(5); X = r.standard_normal((80, 5)); y = X @ r.standard_normal(5) + 0.3 * r.standard_normal(80)
np.save('X.npy', X); np.save('y.npy', y.reshape(-1, 1))
np.save('bstar.npy', np.linalg.lstsq(X, y, rcond=None)[0].reshape(-1, 1))"
}

# the trace's rows as a numpy record array ('#' lines dropped)
TRACE="def trace(f): return np.genfromtxt([l for l in open(f) if not l.startswith('#')], delimiter=',', names=True)"

@test "coda-solve --runs 1 is the plain run byte for byte; --runs 3 is the mean of --run-index 0, 1, 2" {
  runs_data
  args=(--method gd --scheme hetero -N 6 -K 10 --scheme-opt psi-range=0.1,2 --scheme-opt deadline=1.5
        --step decay:0.3,0.02 --iters 60 --seed 11 --reference bstar.npy X.npy y.npy)
  coda-solve -q "${args[@]}" --trace plain.csv -o plain.npy
  coda-solve -q "${args[@]}" --runs 1 --trace r1.csv -o r1.npy
  cmp plain.npy r1.npy
  # the plain trace's columns but the wall-clock seconds, the same bytes
  diff <(grep -v '^#' plain.csv | cut -d, -f1-7) <(grep -v '^#' r1.csv | cut -d, -f1-7)
  grep -q '^# runs=1' r1.csv
  run coda-solve "${args[@]}" --runs 3 --trace r3.csv -o r3.npy
  assert_success
  assert_output --partial "3 runs of up to 60 iterations"
  grep -q '^# runs=3' r3.csv
  for i in 0 1 2; do
    coda-solve -q "${args[@]}" --run-index $i --trace i$i.csv -o i$i.npy
  done
  cmp i0.npy plain.npy
  npy "
$TRACE
t = [trace('i%d.csv' % i) for i in range(3)]; r = trace('r3.csv')
assert len(r) == 60 and (r['iter'] == np.arange(1, 61)).all() and (r['runs'] == 3).all()
for c in ['loss', 'grad_norm', 'error', 'responders', 'round_time', 'sim_time']:
    v = np.array([x[c] for x in t])
    tol = 1e-12 * np.abs(v).max()
    assert np.abs(v.mean(axis=0) - r[c]).max() <= tol, c
    if c in ('loss', 'grad_norm', 'error', 'responders'):
        assert np.abs(v.std(axis=0, ddof=1) - r[c + '_sd']).max() <= tol, c
e = np.array([x['error'] for x in t])
assert np.abs((e ** 2).mean(axis=0) - r['error_sq']).max() <= 1e-12 * (e ** 2).max()
b = np.array([np.load('i%d.npy' % i) for i in range(3)])
got = np.load('r3.npy')
assert np.abs(b.mean(axis=0) - got).max() <= 1e-12 * np.abs(b).max(), (got, b)
# three different runs: the mean is no single run's
assert np.abs(b[0] - b[1]).max() > 1e-6 and np.abs(r['error_sd']).max() > 0"
}

@test "coda-solve --runs redraws psi per run (the codes differ); a --straggle-probs file stays fixed" {
  runs_data
  args=(--method gd --scheme hetero -N 6 -K 10 --step decay:0.3,0.02 --iters 30 --seed 11 X.npy y.npy)
  coda-solve -q "${args[@]}" --scheme-opt psi-range=0.1,2 --scheme-opt deadline=1.5 --runs 3 \
    --trace r3.csv -o r3.npy
  seeds=$(sed -n 's/^# run_seeds=//p' r3.csv)
  [ "$(tr , '\n' <<< "$seeds" | sort -u | wc -l)" -eq 3 ]
  [ "${seeds%%,*}" = 11 ]   # run 0 keeps the seed
  s1=$(cut -d, -f2 <<< "$seeds")
  # run 1 is the plain run at its seed, and its code is coda-assign's at that seed
  coda-solve -q "${args[@]}" --scheme-opt psi-range=0.1,2 --scheme-opt deadline=1.5 --run-index 1 -o i1.npy
  coda-solve -q "${args[@]}" --scheme-opt psi-range=0.1,2 --scheme-opt deadline=1.5 --seed "$s1" -o s1.npy
  cmp i1.npy s1.npy
  for s in ${seeds//,/ }; do
    coda-assign -q --scheme hetero -N 6 -K 10 --psi-range 0.1,2 --deadline 1.5 --seed "$s" -o "a-$s.csv"
  done
  npy "
a = [np.loadtxt('a-%s.csv' % s, delimiter=',') for s in '$seeds'.split(',')]
assert all(np.abs(a[i] - a[j]).max() > 1e-3 for i in range(3) for j in range(i))"
  # a fixed file: every run has the same code; with p = 0 nobody straggles, so the runs agree
  printf '0\n0\n0\n0\n0\n0\n' > p0.csv
  coda-solve -q "${args[@]}" --straggle-probs p0.csv -o one.npy
  coda-solve -q "${args[@]}" --straggle-probs p0.csv --runs 3 --trace f3.csv -o f3.npy
  npy "
$TRACE
a = np.load('one.npy'); b = np.load('f3.npy'); assert (a == b).all(), (a, b)
r = trace('f3.csv')
for c in ['loss_sd', 'grad_norm_sd', 'responders_sd']:
    assert (r[c] == 0).all(), c"
  # with p > 0 from the file the stragglers differ from run to run
  printf '0.3\n0.3\n0.3\n0.3\n0.3\n0.3\n' > p3.csv
  coda-solve -q "${args[@]}" --straggle-probs p3.csv --runs 3 --trace g3.csv -o g3.npy
  npy "
$TRACE
assert trace('g3.csv')['responders_sd'].max() > 0"
}

@test "coda-solve --runs with --tol: a row is the mean over the runs that reached it" {
  runs_data
  # one worker failing half the rounds, skipped: each run converges at its own iteration
  args=(--method gd -N 1 -p 0.5 --on-short skip --step const:0.2 --iters 400 --tol 1e-6 --seed 3
        X.npy y.npy)
  coda-solve -q "${args[@]}" --runs 4 --trace r.csv -o r.npy
  for i in 0 1 2 3; do coda-solve -q "${args[@]}" --run-index $i --trace i$i.csv -o i$i.npy; done
  npy "
$TRACE
t = [trace('i%d.csv' % i) for i in range(4)]; r = trace('r.csv')
n = [len(x) for x in t]
assert len(set(n)) > 1 and len(r) == max(n), n
for k in range(len(r)):
    v = np.array([x['loss'][k] for x in t if len(x) > k])
    assert r['runs'][k] == len(v)
    assert abs(v.mean() - r['loss'][k]) <= 1e-12 * np.abs(v).max(), k"
}

@test "coda-solve --runs: a bad R or a combination it does not run is a usage error" {
  runs_data
  for R in 0 -1 x 2.5 100001; do
    run coda-solve --method gd --runs "$R" X.npy y.npy
    assert_failure 2
    assert_output --partial "option --runs"
  done
  run coda-solve --method gd --runs 2 --compare-plain X.npy y.npy
  assert_failure 2
  assert_output --partial "--runs averages --method gd runs"
  run coda-solve --method pgd --runs 2 X.npy y.npy
  assert_failure 2
  run coda-solve --method gd --runs 2 --run-index 1 X.npy y.npy
  assert_failure 2
  run coda-solve --method gd --run-index -1 X.npy y.npy
  assert_failure 2
  assert_output --partial "option --run-index"
}
