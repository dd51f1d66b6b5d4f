#!/usr/bin/env bats
# The Byzantine-resilient code (--scheme byz): coda-encode | coda-worker-sim --attack |
# coda-decode recovers A v and names the corrupt workers; more corruption than t exits 3 with a
# best-effort result; stragglers count against t; the same seed gives the same bytes.
load helper

data() { # A 64x6 (enough rows for q = m at m = 31, t = 0), v 6x1, B 6x3, references
  npy "
rng=np.random.default_rng(3)
A=rng.standard_normal((64,6)); v=rng.standard_normal((6,1)); B=rng.standard_normal((6,3))
np.save('A.npy',A); np.save('v.npy',v); np.save('B.npy',B); np.save('Av.npy',A@v); np.save('AB.npy',A@B)"
}

# check.py MANIFEST: each line "out.coda truth.csv reference.npy m attack"; the decoded result
# must equal the reference within the round-off of its decoding system (100 m u cond, cond as
# decode reports it), and the workers it excluded must be exactly the corrupt responders of
# --truth. A small:S attack may go unlocated: then its error is bounded by what it added,
# ||pinv(F^perp_T)|| ||e_T|| <= cond 5 S sqrt(t p) (orthonormal basis: ||F^perp_T|| <= 1).
checker() {
  cat > check.py <<'EOF'
import struct, sys, numpy as np
def frames(p):
    b = open(p, 'rb').read(); o = 0; out = []
    while o < len(b):
        ml, r, c = struct.unpack('<IQQ', b[o+12:o+32]); pl = struct.unpack('<Q', b[o+64:o+72])[0]
        meta = dict(kv.split('=', 1) for kv in b[o+72:o+72+ml].decode().splitlines() if '=' in kv)
        x = np.frombuffer(b[o+72+ml:o+72+ml+pl], '<f8').reshape((r, c), order='F')
        out.append((meta, x)); o += 72 + ml + pl
    return out
bad = 0; n = 0
for line in open(sys.argv[1]):
    out, truth, ref, m, attack = line.split(); m = int(m); n += 1
    meta, x = frames(out)[0]; r = np.load(ref)
    rows = [l.strip().split(',') for l in open(truth)][1:]
    corrupt = sorted(int(w) for _, w, c, s, _ in rows if c == '1' and s == '0')
    got = sorted(int(w) for w in meta.get('excluded', '').split(',') if w)
    err = np.linalg.norm(x - r); tol = 100 * m * 2.2e-16 * float(meta['decode_cond']) * np.linalg.norm(r)
    if attack.startswith('small:'):
        S = float(attack.split(':')[1]); p = -(-r.shape[0] // 1)
        tol += float(meta['decode_cond']) * 5 * S * np.sqrt(len(corrupt) * r.size)
        ok = err <= tol and set(got) <= set(corrupt)
    else:
        ok = err <= tol and got == corrupt
    if not ok or meta['decode_status'] != 'exact':
        bad += 1; print('FAIL', out, attack, 'error', err, 'tol', tol, 'excluded', got, 'corrupt', corrupt, meta['decode_status'])
print(n, 'decodes,', bad, 'failed'); assert bad == 0 and n > 0
EOF
}

attacks="gauss replace:3 scale:2 flip zero const:5 sparse:1:10 small:1e-12 uniform:1 wrong-input:1 collude:5"

@test "byz: every attack, every t up to (m-1)/2, m = 3, 7, 15, 31: A v exact, the corrupt located" {
  data
  checker
  : > manifest
  for m in 3 7 15 31; do
    ts=$(seq 0 $(( (m - 1) / 2 )))
    for t in $ts; do
      coda-encode -q --scheme byz -N $m -t $t --op matvec --operand v.npy A.npy -o s.coda
      for a in $attacks; do
        id=$m-$t-${a%%:*}
        coda-worker-sim -q -t $t --attack $a --seed $((m * 100 + t)) --truth t-$id.csv s.coda \
          | coda-decode -q -o x-$id.coda
        echo "x-$id.coda t-$id.csv Av.npy $m $a" >> manifest
      done
    done
  done
  # a product (matmul), the systematic basis and the Vandermonde locator at m = 15
  for opts in "--basis systematic" "--locator vandermonde" "--locator vandermonde --nodes cheb --basis systematic"; do
    for t in 1 4 7; do
      id=mm-$t-$(echo $opts | tr -d ' -')
      coda-encode -q --scheme byz -N 15 -t $t $opts --operand B.npy A.npy -o s.coda
      coda-worker-sim -q -t $t --seed $t --truth t-$id.csv s.coda | coda-decode -q -o x-$id.coda
      echo "x-$id.coda t-$id.csv AB.npy 15 gauss" >> manifest
    done
  done
  run "$PY" check.py manifest
  echo "$output"
  assert_success
}

@test "byz: t+1 .. 2t corrupt workers exit 3, the best-effort result written and marked suspect" {
  data
  for m in 7 15; do
    for t in $(seq 1 $(( (m - 1) / 2 ))); do
      coda-encode -q --scheme byz -N $m -t $t --op matvec --operand v.npy A.npy -o s.coda
      for c in $(seq $((t + 1)) $((2 * t))); do
        [ $c -lt $m ] || continue
        rm -f x.coda
        run sh -c "coda-worker-sim -q -t $c --seed $((m + c)) s.coda | coda-decode -o x.coda"
        [ "$status" -eq 3 ] || { echo "m=$m t=$t corrupt=$c: exit $status: $output"; false; }
        coda-cat --info x.coda | grep -q "decode_status=suspect"
      done
    done
  done
  assert_output --partial "verification failed"
  assert_output --partial "best effort"
}

@test "byz: stragglers are zero-filled and count against t; --erasures likewise" {
  data
  coda-encode -q --scheme byz -N 15 -t 4 --op matvec --operand v.npy A.npy -o s.coda
  # s + corrupt <= t: exact, only the corrupt responders named
  for s in 1 2 4; do
    coda-worker-sim -q -s $s -t $((4 - s)) --seed $s --truth t-$s.csv s.coda | coda-decode -q -o x-$s.coda
    echo "x-$s.coda t-$s.csv Av.npy 15 gauss" >> manifest
  done
  checker
  run "$PY" check.py manifest
  assert_success
  # more missing than t: too few responders (exit 1)
  run sh -c "coda-worker-sim -q -s 5 s.coda | coda-decode -q -o y.npy"
  assert_failure 1
  assert_output --partial "need any 11 of 15 workers"
  # --erasures drops named workers as if they were missing
  coda-worker-sim -q --corrupt-workers 3 s.coda > r.coda
  run coda-decode --erasures 0,1,2 r.coda -o e.coda
  assert_success
  assert_output --partial "excluded worker 3 as corrupt"
  assert_output --partial "workers 0, 1 and 2 missing or left out"
  # a worker that sends two different results is left out like a missing one
  coda-worker-sim -q --corrupt-workers 2 --attack flip s.coda | coda-cat --kind result --tag worker=2 -o b.coda
  coda-cat r.coda b.coda -o rb.coda
  run coda-decode rb.coda -o rb.out.coda
  assert_success
  assert_output --partial "excluded worker 3 as corrupt"
  assert_output --partial "worker 2 missing or left out"
  # four erased and one corrupt: more than t, caught by the check (exit 3)
  run coda-decode -q --erasures 0,1,2,4 r.coda -o e2.npy
  assert_failure 3
  run coda-decode -q --erasures 0,1,2,4,5 r.coda -o e2.npy
  assert_failure 1
  run coda-decode -q --erasures 15 r.coda -o e3.npy
  assert_failure 2
}

@test "byz: same seed, same bytes; t = 0 is a plain partition of the rows" {
  data
  for k in 1 2; do
    coda-encode -q --scheme byz -N 15 -t 3 --op matvec --operand v.npy A.npy -o s$k.coda
    coda-worker-sim -q -t 3 --seed 9 s$k.coda | coda-decode -q -o x$k.coda
  done
  cmp s1.coda s2.coda
  cmp x1.coda x2.coda
  coda-encode -q --scheme byz -N 7 -t 0 A.npy -o b.coda
  coda-encode -q --scheme uncoded -N 7 A.npy -o u.coda
  npy "
import struct
def tasks(p):
    b=open(p,'rb').read(); o=0; out=[]
    while o < len(b):
        ml, r, c = struct.unpack('<IQQ', b[o+12:o+32]); pl = struct.unpack('<Q', b[o+64:o+72])[0]
        if b[o+6] == 3: out.append(np.frombuffer(b[o+72+ml:o+72+ml+pl], '<f8'))
        o += 72+ml+pl
    return out
# worker c's task is block c of the interleaved rows (c, c+7, ...), padded with zero rows to
# the longest block (10); the uncoded partition has the same block lengths
b, u, A = tasks('b.coda'), tasks('u.coda'), np.load('A.npy')
assert len(b) == len(u) == 7
for c, (x, z) in enumerate(zip(b, u)):
    x = x.reshape((-1, 6), order='F'); y = A[c::7]
    assert x.shape[0] == 10 and len(y) == z.size // 6
    assert np.array_equal(x[:len(y)], y) and not x[len(y):].any()"
}

@test "byz: coda-encode reports the code and refuses what cannot work" {
  data
  run coda-encode --scheme byz -N 15 -t 3 --op matvec --operand v.npy A.npy -o s.coda
  assert_success
  # q = 15 - 6 = 9 blocks of 64 rows: p = 8 rows per worker, l = 1 block of that length
  assert_output --partial "t 3, q 9, p 8, l 1, nnz S 960"
  assert_output --partial "storage redundancy 1.875"
  assert_output --regexp "worst cond [0-9.]+"
  run coda-encode --scheme byz -N 15 -t 3 --basis systematic --op matvec --operand v.npy A.npy -o s.coda
  assert_success
  assert_output --partial "nnz S 448"   # (2t+1) n_r
  assert_output --partial "warning: the systematic basis loses about"
  # the systematic basis at m = 63 is numerically singular: refused unless --force
  run coda-encode --scheme byz -N 63 -t 10 --basis systematic A.npy -o s.coda
  assert_failure 2
  assert_output --partial "numerically singular"
  run coda-encode -q --scheme byz -N 63 -t 10 --basis systematic --force A.npy -o s.coda
  assert_success
  run coda-encode --scheme byz -N 8 -t 4 A.npy -o s.coda
  assert_failure 2
  assert_output --partial "2t < N"
  run coda-encode --scheme byz -N 8 -s 2 -t 1 A.npy -o s.coda
  assert_failure 2
  run coda-encode --scheme byz -N 8 --nodes cheb A.npy -o s.coda
  assert_failure 2
  assert_output --partial "--nodes is for --locator vandermonde"
  run coda-encode --scheme byz -N 8 -t 1 --epsilon 1 A.npy -o s.coda
  assert_failure 2
  run coda-encode --scheme byz -N 8 --locator dft A.npy -o s.coda
  assert_failure 2
  # coda-assign prints the code's figures (no data: no p, l or nnz)
  run coda-assign --scheme byz -N 15 -t 3 -o g.csv
  assert_success
  assert_output --partial "t 3, q 9, worst cond"
  # --epsilon E: t = floor(E/(1+E) m/2)
  run coda-encode --scheme byz -N 15 --epsilon 1 A.npy -o s.coda
  assert_success
  assert_output --partial "t 3, q 9"
  # nodes from a file: m distinct numbers
  npy "np.save('z.npy', np.linspace(-1, 1, 15))"
  run coda-encode -q --scheme byz -N 15 -t 2 --locator vandermonde --nodes z.npy A.npy -o s.coda
  assert_success
  npy "np.save('z2.npy', np.zeros(15))"
  run coda-encode -q --scheme byz -N 15 -t 2 --locator vandermonde --nodes z2.npy A.npy -o s.coda
  assert_failure 2
  assert_output --partial "distinct"
}

@test "byz: the paper's integer nodes fail at m = 15, t = 5, and the check says so (exit 3)" {
  data
  coda-encode -q --scheme byz -N 15 -t 5 --locator vandermonde --nodes int --op matvec \
    --operand v.npy A.npy -o s.coda
  run sh -c "coda-worker-sim -q -t 5 --seed 1 s.coda | coda-decode -o x.coda"
  assert_failure 3
  assert_output --partial "verification failed"
}

@test "coda-solve --method pgd: under attack in both rounds the trajectory is uncoded PGD's" {
  npy "
rng=np.random.default_rng(5); n,d=80,30
X=rng.standard_normal((n,d)); th=np.zeros(d); th[:10]=2*rng.standard_normal(10); y=X@th+rng.standard_normal(n)
np.save('X.npy',X); np.save('y.npy',y[:,None]); np.save('yb.npy',(y>0).astype(float)[:,None])"
  # 1e-10 relative: the issue's bound, far above the round-off of these well-conditioned codes
  dev() { coda-cat --info w.coda | sed -n 's/^ *plain_deviation=//p' | awk '{ v = $1 } END { exit !(v != "" && v + 0 < 1e-10) }'; }
  for args in "-N 9 -t 3 --l1 0.5" "-N 9 -t 3 --attack flip" "-N 15 -t 5 -s 2 --code-adversaries 7" \
              "-N 7 -t 3 --attack collude --l2 0.1"; do
    coda-solve -q --method pgd $args --iters 30 --compare-plain X.npy y.npy -o w.coda
    dev
    excl=$(coda-cat --info w.coda | sed -n 's/^ *excluded=//p')
    [ "$excl" -gt 0 ]
  done
  coda-solve -q --method pgd -N 7 -t 3 --loss logistic --iters 20 --compare-plain X.npy yb.npy -o w.coda
  dev
  # the objective falls: 100 iterations below 30
  coda-solve -q --method pgd -N 9 -t 3 --l1 0.5 --iters 100 X.npy y.npy -o w.coda
  coda-cat --info w.coda | sed -n 's/^ *loss=//p' | awk '{ v = $1 } END { exit !(v != "" && v + 0 < 30) }'
  # one corrupt worker more than the code's t: the check stops the run (exit 3)
  run coda-solve -q --method pgd -N 9 -t 4 --code-adversaries 3 --iters 5 X.npy y.npy -o w2.coda
  assert_failure 3
  assert_output --partial "failed its consistency check"
  [ ! -e w2.coda ]
  run coda-solve --l1 1 X.npy y.npy
  assert_failure 2
}

@test "coda-solve --method sgd: the points decoded under attack give uncoded SGD's trajectory" {
  npy "
rng=np.random.default_rng(5); n,d=80,30
X=rng.standard_normal((n,d)); th=np.zeros(d); th[:10]=2*rng.standard_normal(10); y=X@th+rng.standard_normal(n)
np.save('X.npy',X); np.save('y.npy',y[:,None]); np.save('yb.npy',(y>0).astype(float)[:,None])"
  meta() { coda-cat --info w.coda | sed -n "s/^ *$1=//p"; }
  for args in "-N 9 -t 3 --batch 4" "-N 15 -t 2 -s 3 --code-adversaries 5 --attack flip" \
              "-N 7 -t 3 --loss logistic --l2 0.01"; do
    labels=y.npy; case "$args" in *logistic*) labels=yb.npy;; esac
    coda-solve -q --method sgd $args --iters 200 --compare-plain X.npy $labels -o w.coda
    meta plain_deviation | awk '{ v = $1 } END { exit !(v != "" && v + 0 < 1e-10) }'
    [ "$(meta excluded)" -gt 0 ]
  done
  # the loss falls from ||y||^2/n (w = 0) towards the noise level
  coda-solve -q --method sgd -N 9 -t 3 --batch 4 --iters 2000 X.npy y.npy -o w.coda
  l0=$(npy "y=np.load('y.npy'); print((y**2).mean())")
  meta loss | awk -v l0="$l0" '{ v = $1 } END { exit !(v != "" && v + 0 < l0 / 10) }'
  # the workers' op: columns of X^T at the drawn indices, decoded through the pipeline too
  npy "np.save('Xt.npy', np.load('X.npy').T.copy()); np.save('idx.npy', np.array([[3.], [7.], [79.]]))"
  coda-encode -q --scheme byz -N 9 -t 3 --op columns --operand idx.npy Xt.npy \
    | coda-worker-sim -q -t 3 | coda-decode -q -o c.npy
  npy "X=np.load('X.npy'); c=np.load('c.npy'); assert c.shape == (30, 3); e=np.abs(c - X[[3,7,79]].T).max(); assert e < 1e-13, e"
  run coda-solve -q --method sgd -N 9 -t 4 --code-adversaries 3 --iters 5 X.npy y.npy -o w2.coda
  assert_failure 3
  run coda-solve -q --method gd --batch 2 X.npy y.npy
  assert_failure 2
}

@test "coda-solve --method cd: encoded coordinates under attack give uncoded CD's trajectory (both bases)" {
  npy "
rng=np.random.default_rng(5); n,d=60,24
X=rng.standard_normal((n,d)); th=np.zeros(d); th[:8]=2*rng.standard_normal(8); y=X@th+rng.standard_normal(n)
np.save('X.npy',X); np.save('y.npy',y[:,None]); np.save('yb.npy',(y>0).astype(float)[:,None])"
  meta() { coda-cat --info w.coda | sed -n "s/^ *$1=//p"; }
  # the spec's case (m = 7, t = 2, tau = 3, fresh corrupt sets in both rounds) and more: the
  # deviation bound 1e-10 is the issue's, far above these well-conditioned codes' round-off
  for args in "-N 7 -t 2 --tau 3" "-N 7 -t 2 --tau 3 --scheme-opt basis=systematic" \
              "-N 9 -t 3 --fraction 0.25 --cd-order random --attack flip" \
              "-N 15 -t 5 -s 2 --code-adversaries 7 --tau 2 --l1 0.3 --resync 7" \
              "-N 15 -t 4 --scheme-opt basis=systematic --attack collude --l2 0.1" \
              "-N 7 -t 3 --loss logistic --tau 2"; do
    labels=y.npy; case "$args" in *logistic*) labels=yb.npy;; esac
    coda-solve -q --method cd $args --iters 40 --compare-plain X.npy $labels -o w.coda
    meta plain_deviation | awk '{ v = $1 } END { exit !(v != "" && v + 0 < 1e-10) }'
    [ "$(meta excluded)" -gt 0 ]
  done
  # the objective falls from ||y||^2/n at w = 0
  coda-solve -q --method cd -N 7 -t 2 --tau 3 --iters 200 X.npy y.npy -o w.coda
  l0=$(npy "y=np.load('y.npy'); print((y**2).mean())")
  meta loss | awk -v l0="$l0" '{ v = $1 } END { exit !(v != "" && v + 0 < l0 / 5) }'
  # tau = p2 updates every coordinate: one CD iteration is one GD step of the same size
  coda-solve -q --method cd -N 7 -t 2 --step 0.01 --iters 1 X.npy y.npy -o w.coda
  coda-solve -q --method pgd -N 7 -t 2 --step 0.01 --iters 1 X.npy y.npy -o w2.coda
  coda-cat -f npy w.coda > a.npy; coda-cat -f npy w2.coda > b.npy
  npy "a=np.load('a.npy'); b=np.load('b.npy'); assert np.abs(a-b).max() <= 1e-12*np.abs(b).max(), (a, b)"
  # more corrupt workers than the code's t: the check stops the run (exit 3), nothing written
  run coda-solve -q --method cd -N 9 -t 4 --code-adversaries 3 --tau 2 --iters 5 X.npy y.npy -o w3.coda
  assert_failure 3
  [ ! -e w3.coda ]
  run coda-solve -q --method cd -N 7 -t 2 --tau 99 X.npy y.npy
  assert_failure 2
  assert_output --partial "--tau 99 outside 1..8"
  run coda-solve -q --method cd -N 7 -t 2 --attack wrong-input:1 X.npy y.npy
  assert_failure 2
  run coda-solve -q --method pgd --tau 2 X.npy y.npy
  assert_failure 2
  run coda-solve -q --method cd --scheme mds -N 7 -s 2 --tau 3 X.npy y.npy
  assert_failure 2
  assert_output --partial "can not decode chosen positions"
}

@test "byz column code (A S_i^T, op vecmat) and sparse-matvec through the pipeline, --positions" {
  npy "
rng=np.random.default_rng(2); X=rng.standard_normal((40,17)); g=rng.standard_normal(40)
np.save('X.npy',X); np.save('g.npy',g)
np.save('all.npy', np.r_[0, g][:,None]); np.save('u.npy', np.r_[2, 1, 3, g][:,None])
np.save('xs.npy', np.r_[3, 0, 7, 16, 1.5, -2, 0.25][:,None])"
  for basis in orth systematic; do
    # every column: 1 x d, X^T g, corrupt workers excluded
    coda-encode -q --scheme byz -N 9 -t 3 --basis $basis --op vecmat --operand all.npy X.npy \
      | coda-worker-sim -q -t 3 --seed 4 | coda-decode -q -o r.npy
    npy "X=np.load('X.npy'); g=np.load('g.npy'); r=np.load('r.npy'); assert r.shape == (1, 17)
e=np.abs(r.ravel()-X.T@g).max()/np.abs(X.T@g).max(); assert e < 1e-12, e"
    # positions 1 and 3 of the shards: columns 3j + c of the interleaved blocks (q = 3),
    # zeros elsewhere
    coda-encode -q --scheme byz -N 9 -t 3 --basis $basis --op vecmat --operand u.npy X.npy \
      | coda-worker-sim -q -t 3 --seed 4 | coda-decode -q --positions 1,3 -o r.npy
    npy "X=np.load('X.npy'); g=np.load('g.npy'); r=np.load('r.npy').ravel(); ref=X.T@g
f=[3*j+c for c in range(3) for j in (1,3)]; rest=[k for k in range(17) if k not in f]
assert np.abs(r[f]-ref[f]).max() < 1e-12*np.abs(ref).max(); assert not r[rest].any()"
    # a vector given by its non-zeros, times the row code
    coda-encode -q --scheme byz -N 9 -t 3 --basis $basis --op sparse-matvec --operand xs.npy X.npy \
      | coda-worker-sim -q -t 3 --seed 4 | coda-decode -q -o r.npy
    npy "X=np.load('X.npy'); x=np.zeros(17); x[[0,7,16]]=[1.5,-2,0.25]; r=np.load('r.npy')
assert np.abs(r.ravel()-X@x).max() < 1e-12*np.abs(X@x).max()"
  done
  run sh -c "coda-encode -q --scheme byz -N 9 -t 3 --op vecmat --operand u.npy X.npy | coda-worker-sim -q | coda-decode -q --positions 1,9 -o r.npy"
  assert_failure 2
  assert_output --partial "position 9 outside 0..5"
  npy "np.save('bad.npy', np.r_[2, 1, 3.5, np.load('g.npy')][:,None])"
  run coda-encode -q --scheme byz -N 9 -t 3 --op vecmat --operand bad.npy X.npy -o s.coda
  assert_success # indices are checked by the workers, on their shards
  run sh -c "coda-worker-sim -q s.coda > /dev/null"
  assert_failure 1
  assert_output --partial "index 2 is 3.5"
}

@test "byz: --labels codes y with the data, so that [w; -1] decodes the residual X w - y" {
  npy "
rng=np.random.default_rng(4); X=rng.standard_normal((50,7)); y=rng.standard_normal((50,1)); w=rng.standard_normal((7,1))
np.save('X.npy',X); np.save('y.npy',y); np.save('wm.npy', np.r_[w, [[-1.]]]); np.save('res.npy', X@w-y)"
  coda-encode -q --scheme byz -N 7 -t 2 --op matvec --labels y.npy --operand wm.npy X.npy \
    | coda-worker-sim -q -t 2 --seed 3 | coda-decode -q -o r.npy
  npy "r=np.load('r.npy'); ref=np.load('res.npy'); assert np.abs(r-ref).max() < 1e-12*np.abs(ref).max()"
  # the operand must then have d + 1 entries
  run coda-encode -q --scheme byz -N 7 -t 2 --op matvec --labels y.npy --operand y.npy X.npy -o s.coda
  assert_failure
  run coda-encode -q --op lsq-columns --labels y.npy X.npy -o s.coda
  assert_failure 2
}
