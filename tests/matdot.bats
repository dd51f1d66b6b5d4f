#!/usr/bin/env bats
# Product codes (matdot, matdot-approx, poly, linear) through coda-encode | coda-worker-sim |
# coda-decode, and coda-assign --scheme matdot-search. Errors are relative to ||A||_F ||B||_F,
# the paper's epsilon; the bounds come from the codes (1e-12 exact, eps approximate, ||E_S||_2
# for a searched code), never from a run.
load helper

data() { # A 30x26 (26 = not a multiple of m = 4: padded), B 26x20
  npy "
rng=np.random.default_rng(1)
np.save('A.npy', rng.standard_normal((30,26))); np.save('B.npy', rng.standard_normal((26,20)))"
}

# relerr X: ||X - A B||_F / (||A||_F ||B||_F) below $2
relerr_below() {
  npy "a=np.load('A.npy'); b=np.load('B.npy'); x=np.load('$1')
e=np.linalg.norm(x-a@b)/np.linalg.norm(a)/np.linalg.norm(b); print(e); assert e<=$2, e"
}

@test "matdot: exact from 2m-1 of P workers; one fewer is refused" {
  data
  coda-encode -q --scheme matdot -m 4 -N 9 --operand B.npy A.npy -o s.coda
  coda-worker-sim -q -s 2 --seed 1 s.coda | coda-decode -q -o C.npy
  relerr_below C.npy 1e-12
  run sh -c "coda-worker-sim -q -s 3 --seed 1 s.coda | coda-decode -o C.npy"
  assert_failure 1
  assert_output --partial "need any 7 of 9 workers, got 6"
}

@test "matdot-approx: within eps from m responders, and the decode reports its prediction" {
  data
  coda-encode --scheme matdot-approx -m 3 -N 8 --eps 1e-3 --operand B.npy A.npy -o s.coda 2> enc.log
  grep -q "predicted error" enc.log
  run sh -c "coda-worker-sim -q -s 5 --seed 2 s.coda | coda-decode -o C.npy"
  assert_success
  assert_output --partial "decoded from 3 of 8"
  assert_output --partial "predicted"
  relerr_below C.npy 1e-3
  # the tight radius, Chebyshev points, more responders
  coda-encode -q --scheme matdot-approx -m 3 -N 8 --eps 1e-3 --radius tight --points cheb \
    --operand B.npy A.npy | coda-worker-sim -q -s 2 | coda-decode -q -o C2.npy
  relerr_below C2.npy 1e-3
  run sh -c "coda-worker-sim -q -s 6 --seed 2 s.coda | coda-decode -o C.npy"
  assert_failure 1
  assert_output --partial "need any 3 of 8 workers, got 2"
}

@test "matdot-approx --decoder minnorm: the paper's decoder, within its own prediction" {
  data
  coda-encode -q --scheme matdot-approx -m 3 -N 8 --eps 1e-3 --operand B.npy A.npy -o s.coda
  for s in 5 4; do # m and 2m-2 responders
    run sh -c "coda-worker-sim -q -s $s --seed 3 s.coda | coda-decode --decoder minnorm -o C.npy"
    assert_success
    assert_output --partial "min-norm, Algorithm 1"
    pred=$(echo "$output" | sed -n 's/.*predicted \([^,)]*\).*/\1/p')
    relerr_below C.npy "$pred"
    relerr_below C.npy 1e-3
  done
  # from 2m-1 responders both decoders are the exact one: the same bytes
  coda-worker-sim -q -s 3 --seed 3 s.coda > r.coda
  coda-decode -q --decoder minnorm -o M.npy r.coda
  coda-decode -q -o I.npy r.coda
  cmp M.npy I.npy
  run coda-decode --decoder pinv r.coda
  assert_failure 2
  assert_output --partial "unknown decoder 'pinv'"
  coda-encode -q --scheme poly -m 2 -N 5 --operand B.npy A.npy | coda-worker-sim -q > p.coda
  run coda-decode --decoder minnorm p.coda
  assert_failure 2
  assert_output --partial "option --decoder is for matdot, matdot-approx" # (and other schemes')
  assert_output --partial ", not poly"
}

@test "matdot-approx: an eps float64 cannot reach is refused, --force encodes anyway" {
  data
  run coda-encode --scheme matdot-approx -m 6 -N 12 --eps 1e-4 --operand B.npy A.npy -o s.coda
  assert_failure 1
  assert_output --partial "not reachable in float64"
  coda-encode -q --force --scheme matdot-approx -m 6 -N 12 --eps 1e-4 --operand B.npy A.npy -o s.coda
  run sh -c "coda-worker-sim -q s.coda | coda-decode -o C.npy"
  assert_success
  assert_output --partial "warning: the predicted error"
}

@test "poly: exact from m^2 responders, refused below" {
  data
  coda-encode -q --scheme poly -m 2 -N 6 --operand B.npy A.npy | coda-worker-sim -q -s 2 --seed 4 |
    coda-decode -q -o C.npy
  relerr_below C.npy 1e-12
  run sh -c "coda-encode -q --scheme poly -m 2 -N 6 --operand B.npy A.npy | coda-worker-sim -q -s 3 | coda-decode"
  assert_failure 1
  assert_output --partial "need any 4 of 6"
}

@test "matdot-search: a code file that coda-encode --scheme linear uses, decoded within ||E_S||_2" {
  data
  run coda-assign --scheme matdot-search -m 2 --threshold 2 -N 3 --starts 3 --iters 3000 \
    --seed 5 --trace tr.csv -o code.coda
  assert_success
  assert_output --partial "Theorem 5"
  head -1 tr.csv | grep -q "start,iteration,loss"
  coda-assign --scheme matdot-search -m 2 --threshold 2 -N 3 --starts 3 --iters 3000 --seed 5 \
    -o code2.coda 2>/dev/null
  cmp code.coda code2.coda
  # the worst-case bound the decode reports holds for every pair of responders
  for s in 1 2 3; do
    coda-encode -q --scheme linear --code code.coda --operand B.npy A.npy |
      coda-worker-sim -q -s 1 --seed $s | coda-decode -o C.npy 2> dec.log
    bound=$(sed -n 's/.*trunc \([^,)]*\).*/\1/p' dec.log)
    relerr_below C.npy "$bound*(1+1e-9)+1e-13"
  done
}

@test "product codes: usage errors exit 2" {
  data
  run coda-encode --scheme matdot -N 5 --operand B.npy A.npy
  assert_failure 2
  assert_output --partial "-m"
  run coda-encode --scheme matdot -m 2 -N 5 A.npy
  assert_failure 2
  assert_output --partial "--operand"
  run coda-encode --scheme linear --operand B.npy A.npy
  assert_failure 2
  assert_output --partial "--code"
  run coda-encode --scheme matdot-approx -m 2 -N 4 --radius huge --operand B.npy A.npy
  assert_failure 2
  run coda-encode --scheme matdot-approx -m 2 -N 4 --radius tight --operand B.npy A.npy
  assert_failure 2
  assert_output --partial "--eps"
  run coda-encode --scheme mds -m 2 -N 4 A.npy
  assert_failure 2
  run coda-assign --scheme matdot-search -m 2 -N 4
  assert_failure 2
  run coda-encode --scheme matdot -m 3 -N 4 --operand B.npy A.npy
  assert_failure 1
  assert_output --partial "at least 5 workers"
}
