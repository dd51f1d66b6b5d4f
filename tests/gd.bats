#!/usr/bin/env bats
# coda-solve --method gd: coded gradient descent on the simulator engine, through the program.
load helper

setup() {
  T="$BATS_TEST_TMPDIR"; cd "$T"
  coda-gen --seed 3 400 6 -o X.npy
  coda-gen --seed 4 400 1 -o y.npy
}

@test "gd: frc with 2 stragglers a round follows uncoded GD to 1e-12" {
  run coda-solve --method gd --scheme frc -N 10 -s 2 --latency shifted-exp:1,1 --iters 40 \
    --compare-plain X.npy y.npy -o b.npy
  assert_success
  gap=$(echo "$output" | sed -n 's/.*largest relative deviation from uncoded GD \(.*\)$/\1/p')
  [ -n "$gap" ]
  "$PY" -c "import sys; sys.exit(0 if float('$gap') < 1e-12 else 1)"
}

@test "gd: line search on ls reaches the least-squares solution (numpy lstsq)" {
  run coda-solve --method gd --scheme cyclic -N 6 -s 1 --iters 300 --tol 1e-12 X.npy y.npy -o b.npy
  assert_success
  # ||b - b*|| <= ||grad|| / (2 sigma_min^2 / n): the iteration stopped at ||grad|| <= 1e-12
  npy "X=np.load('X.npy'); y=np.load('y.npy'); b=np.load('b.npy')
xs=np.linalg.lstsq(X,y,rcond=None)[0]; s=np.linalg.svd(X,compute_uv=False)[-1]
bound=1e-12/(2*s*s/X.shape[0])
assert np.linalg.norm(b-xs) <= 1.01*bound+1e-14, (np.linalg.norm(b-xs), bound)"
}

@test "gd: the same seed gives the same bytes; another seed another trajectory" {
  coda-solve --method gd --scheme frc -N 6 -s 1 --latency shifted-exp:1,1 --step const:0.5 \
    --iters 10 --seed 3 -q X.npy y.npy -o a.npy
  coda-solve --method gd --scheme frc -N 6 -s 1 --latency shifted-exp:1,1 --step const:0.5 \
    --iters 10 --seed 3 -q X.npy y.npy -o b.npy
  cmp a.npy b.npy
  coda-solve --method gd --scheme frc -N 6 -s 1 --latency shifted-exp:1,1 --step const:0.5 \
    --iters 10 --seed 3 --trace t1.csv -q X.npy y.npy -o c.npy
  coda-solve --method gd --scheme frc -N 6 -s 1 --latency shifted-exp:1,1 --step const:0.5 \
    --iters 10 --seed 4 --trace t2.csv -q X.npy y.npy -o d.npy
  # the simulated times differ between seeds
  ! cmp <(cut -d, -f6 t1.csv | tail -n +4) <(cut -d, -f6 t2.csv | tail -n +4)
}

@test "gd: logistic with -1/+1 labels converges (gradient below tol)" {
  npy "X=np.load('X.npy'); y=np.sign(X[:,0]+0.3*np.load('y.npy')[:,0]+1e-9); np.save('l.npy', y.reshape(-1,1))"
  run coda-solve --method gd --loss logistic --l2 0.01 --scheme rep -N 4 -s 1 --iters 5000 --tol 1e-9 X.npy l.npy -o b.npy
  assert_success
  npy "X=np.load('X.npy'); y=(np.load('l.npy')[:,0]>0)*1.0; b=np.load('b.npy')[:,0]
p=1/(1+np.exp(-X@b)); g=X.T@(p-y)/len(y)+0.02*b
assert np.linalg.norm(g) <= 1e-9*1.01, np.linalg.norm(g)"
}

@test "gd: trace echoes every parameter and has a row per iteration" {
  run coda-solve --method gd --iters 7 --trace t.csv -q X.npy y.npy -o b.npy
  assert_success
  grep -q '^# program=coda-solve method=gd scheme=uncoded' t.csv
  grep -q '^iter,loss,grad_norm,error,responders,round_time,sim_time,seconds$' t.csv
  [ "$(grep -c '^[0-9]' t.csv)" -eq 7 ]
}

@test "gd: bad input is one line and exit 1 or 2, with nothing written" {
  run coda-solve --method gd --loss logistic X.npy y.npy -o b.npy
  assert_failure 1
  assert_output --partial "logistic labels must be 0/1 or -1/+1: row 1"
  [ ! -e b.npy ]
  run coda-solve --method gd --step const:-1 X.npy y.npy
  assert_failure 2
  run coda-solve --method gd --scheme mds -N 4 -s 1 X.npy y.npy
  assert_failure 2
  run coda-solve --method gd -N 3 -s 4 X.npy y.npy
  assert_failure 2
  run coda-solve --method gd --step const:100 --iters 50 X.npy y.npy -o b.npy
  assert_failure 1
  assert_output --partial "smaller step"
  [ ! -e b.npy ]
  run coda-solve --method gd
  assert_failure 2
  assert_output --partial "missing operand"
}

@test "gd: on-short fail stops at a round that cannot decode; skip goes on" {
  run coda-solve --method gd --scheme frc -N 4 --code-stragglers 1 -s 3 --on-short fail --iters 5 X.npy y.npy
  assert_failure 1
  assert_output --partial "iteration 1"
  run coda-solve --method gd --scheme frc -N 4 --code-stragglers 1 -s 3 --on-short skip --iters 5 X.npy y.npy -o b.npy
  assert_success
  assert_output --regexp "iterations, loss .*, [1-9][0-9]* rounds could not decode"
}

@test "worker-sim --round: rounds draw differently, the same round replays, --truth records it" {
  coda-gen --seed 5 6 2 -o B.npy
  coda-encode -q --scheme frc -N 8 -s 2 --operand B.npy X.npy -o s.coda
  for r in 0 1; do
    coda-worker-sim -q -s 2 --latency shifted-exp:1,1 --seed 4 --round $r --truth t$r.csv s.coda -o w$r.coda
  done
  coda-worker-sim -q -s 2 --latency shifted-exp:1,1 --seed 4 --round 1 --truth u1.csv s.coda -o v1.coda
  cmp w1.coda v1.coda
  cmp t1.csv u1.csv
  ! cmp -s t0.csv t1.csv
  [ "$(head -1 t0.csv)" = "round,worker,corrupt,straggled,latency" ]
  [ "$(grep -c '^1,' t1.csv)" -eq 8 ]
  [ "$(awk -F, 'NR>1 && $4==1' t1.csv | wc -l)" -eq 2 ]
  # round 0 is what the worker stage drew before rounds existed: no --round at all
  coda-worker-sim -q -s 2 --latency shifted-exp:1,1 --seed 4 s.coda -o n.coda
  cmp n.coda w0.coda
}

@test "worker-sim --attack: only the corrupt workers' results change, as documented" {
  coda-gen --seed 5 6 2 -o B.npy
  coda-encode -q --scheme uncoded -N 4 --operand B.npy X.npy -o s.coda
  coda-worker-sim -q s.coda -o honest.coda
  coda-worker-sim -q --corrupt-workers 1,3 --attack scale:2 --truth t.csv s.coda -o bad.coda
  npy "
import struct
def frames(p):
    b=open(p,'rb').read(); o=0; out=[]
    while o < len(b):
        ml, r, c = struct.unpack('<IQQ', b[o+12:o+32]); w = struct.unpack('<q', b[o+32:o+40])[0]
        pl = struct.unpack('<Q', b[o+64:o+72])[0]; meta = b[o+72:o+72+ml].decode()
        out.append((b[o+6], w, meta, np.frombuffer(b[o+72+ml:o+72+ml+pl], '<f8'))); o += 72+ml+pl
    return out
h = [f for f in frames('honest.coda') if f[0] == 4]; x = [f for f in frames('bad.coda') if f[0] == 4]
assert len(h) == len(x) == 4
for a, b in zip(h, x):
    if a[1] in (1, 3):
        assert np.array_equal(b[3], 2 * a[3]) and 'corrupt=1' in b[2], a[1]
    else:
        assert np.array_equal(b[3], a[3]) and 'corrupt' not in b[2], a[1]
"
  [ "$(awk -F, 'NR>1 && $3==1 {print $2}' t.csv | tr '\n' ' ')" = "1 3 " ]
  run coda-worker-sim -q -t 5 s.coda -o x.coda
  assert_failure 2
  assert_output --partial "cannot draw 5 corrupt workers among 4"
  [ ! -e x.coda ]
  run coda-worker-sim -q --attack gaus s.coda -o x.coda
  assert_failure 2
}

@test "decode: codes that cannot locate liars say so when spare responders disagree" {
  coda-gen --seed 5 6 2 -o B.npy
  coda-gen --seed 7 6 1 -o beta.npy
  for s in frc mds cyclic; do
    if [ $s = cyclic ]; then args="--op grad --labels y.npy --operand beta.npy"; else args="--operand B.npy"; fi
    coda-encode -q --scheme $s -N 6 -s 2 $args X.npy -o s.coda
    # honest, with one spare responder: exact, no warning
    run sh -c "coda-worker-sim -q -s 1 s.coda | coda-decode -o h.npy"
    assert_success
    refute_output --partial warning
    coda-worker-sim -q -s 1 s.coda | coda-decode -o h.coda
    coda-cat --info h.coda | grep -q "decode_status=exact"
    # two workers adding N(0, 1) noise: the result is suspect, and the report says why
    for seed in 2 4 6; do
      coda-worker-sim -q -s 1 -t 2 --attack gauss:1 --seed $seed --truth t.csv s.coda > c.coda
      # only rounds where a corrupt worker answered can show it
      awk -F, 'NR>1 && $3==1 && $4==0' t.csv | grep -q . || continue
      run coda-decode c.coda -o c.out.coda
      assert_success
      assert_output --partial "suspect"
      assert_output --regexp "warning: (the responders disagree|workers [0-9]+ and [0-9]+ sent different copies)"
      coda-cat --info c.out.coda | grep -q "decode_status=suspect"
    done
  done
}

@test "gd: rounds skipped before the first decode do not pass for divergence; usage errors exit 2" {
  npy "X=np.load('X.npy'); np.save('l.npy', (X[:,:1] > 0) * 1.0)"
  run coda-solve --method gd --scheme uncoded -N 3 -p 0.5 --on-short skip --step const:0.25 \
    --iters 40 --seed 1 X.npy y.npy -o b.npy
  assert_success
  assert_output --regexp "[1-9][0-9]* rounds could not decode"
  run coda-solve --method gd --loss logistic --step line X.npy l.npy -o b.npy
  assert_failure 2
  assert_output --partial "--step line"
  run coda-solve --method gd --trace - X.npy y.npy
  assert_failure 2
  run coda-solve --method gd X.npy y.npy -o b.txt
  assert_failure 2
  [ ! -e b.txt ]
}

@test "worker-sim --attack wrong-input: perturbs a product code's own operand too" {
  coda-gen --seed 3 8 6 -o A8.npy
  coda-gen --seed 4 6 4 -o B8.npy
  coda-encode -q --scheme matdot -m 2 -N 5 --operand B8.npy A8.npy -o m.coda
  coda-worker-sim -q m.coda | coda-decode -q -o h.npy
  coda-worker-sim -q --corrupt-workers 0 --attack wrong-input:1 m.coda | coda-decode -q -o c.npy
  ! cmp -s h.npy c.npy
  coda-worker-sim -q --corrupt-workers 0 --attack wrong-input:1 m.coda | coda-decode -q -o c2.npy
  cmp c.npy c2.npy
}

@test "decode: an exact product code with spare responders flags a corrupt one" {
  coda-gen --seed 3 8 6 -o A8.npy
  coda-gen --seed 4 6 4 -o B8.npy
  coda-encode -q --scheme matdot -m 2 -N 5 --operand B8.npy A8.npy -o m.coda
  coda-worker-sim -q m.coda | coda-decode -q -o h.coda
  coda-cat --info h.coda | grep -q "decode_status=exact"
  run sh -c "coda-worker-sim -q --corrupt-workers 2 --attack gauss:1 m.coda | coda-decode -o c.coda"
  assert_success
  assert_output --partial "warning: the responders disagree: leaving one out changes the product"
  coda-cat --info c.coda | grep -q "decode_status=suspect"
  # with no spare responder (2m-1 = 3 of 5) there is nothing to compare: exact, unverified
  run sh -c "coda-worker-sim -q -s 2 --corrupt-workers 2 --attack gauss:1 --seed 9 m.coda | coda-decode -o d.coda"
  assert_success
  refute_output --partial "disagree"
}
