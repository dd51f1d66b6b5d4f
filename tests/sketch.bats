#!/usr/bin/env bats
# coda-sketch: the program around lib/sketch (whose numbers tests/unit/test_sketch.c checks
# against theory): A and b by one S, scores, distortion, seeds and threads, bad input.
load helper

@test "sketch: --help, usage errors" {
  run coda-sketch --help
  assert_success
  assert_output --partial "--emit"
  run coda-sketch --emit nothing x
  assert_failure 2
  run coda-sketch --sketch block x
  assert_failure 2
  assert_output --partial "--blocks"
  coda-gen 50 3 -o A.npy
  coda-gen 50 1 -o b.npy
  run coda-sketch --emit scores A.npy b.npy
  assert_failure 2
}

@test "sketch: S [A b] is S A next to S b, for every oblivious sketch" {
  coda-gen --seed 3 300 4 -o A.npy
  coda-gen --seed 4 300 1 -o b.npy
  for k in gaussian rademacher srht countsketch; do
    coda-sketch -q --sketch $k --sketch-rows 40 --seed 9 A.npy b.npy -o SAb.npy
    coda-sketch -q --sketch $k --sketch-rows 40 --seed 9 A.npy -o SA.npy
    coda-sketch -q --sketch $k --sketch-rows 40 --seed 9 b.npy -o Sb.npy
    npy "x=np.load('SAb.npy'); assert x.shape==(40,5)
assert np.array_equal(x[:,:4], np.load('SA.npy')) and np.array_equal(x[:,4:], np.load('Sb.npy')), '$k'"
  done
}

@test "sketch: leverage sampling of [A b] keeps whole scaled rows of [A b]" {
  coda-gen --kind svd --coherent --seed 5 200 3 -o A.npy
  coda-gen --seed 6 200 1 -o b.npy
  coda-sketch -q --sketch leverage --sketch-rows 30 A.npy b.npy -o SAb.npy
  # each sketched row is a scaled row of [A b]
  npy "a=np.hstack([np.load('A.npy'), np.load('b.npy')]); s=np.load('SAb.npy')
for r in s:
    c=[(r@a[i])/(a[i]@a[i]) for i in range(200)]; i=int(np.argmax([abs(np.dot(r,a[i]))/np.linalg.norm(a[i]) for i in range(200)]))
    assert np.allclose(r, c[i]*a[i], rtol=1e-12, atol=0), i"
}

@test "sketch: --emit scores: leverage scores sum to the rank, block scores to 1, against numpy" {
  coda-gen --kind svd --kappa 1e3 --seed 7 120 5 -o A.npy
  coda-sketch -q --emit scores A.npy -o l.npy
  coda-sketch -q --emit scores --blocks 12 A.npy -o p.npy
  npy "a=np.load('A.npy'); q,_=np.linalg.qr(a); l=(q*q).sum(1)
x=np.load('l.npy').ravel(); assert np.allclose(x, l, atol=1e-13*5), abs(x-l).max()
p=np.load('p.npy').ravel(); assert p.shape==(12,) and abs(p.sum()-1) < 1e-13
assert np.allclose(p, l.reshape(12,10).sum(1)/5, atol=1e-14)"
}

@test "sketch: --emit distortion equals ||I - (SU)^T SU||_2 computed by numpy from the sketch" {
  coda-gen --kind svd --kappa 10 --seed 8 500 4 -o A.npy
  for k in gaussian srht countsketch leverage uniform; do
    coda-sketch -q --emit distortion --sketch $k --sketch-rows 60 --seed 2 A.npy -o d.npy
    # the same S applied to an orthonormal basis U of range(A)
    npy "a=np.load('A.npy'); q,_=np.linalg.qr(a); np.save('U.npy', q)"
    coda-sketch -q --sketch $k --sketch-rows 60 --seed 2 U.npy -o SU.npy
    npy "s=np.load('SU.npy'); m=s.T@s-np.eye(4); want=np.abs(np.linalg.eigvalsh(m)).max()
got=float(np.load('d.npy').ravel()[0]); assert abs(got-want) < 1e-10, ('$k', got, want)"
  done
}

@test "sketch: the same seed gives the same bytes whatever the thread count; seeds differ" {
  coda-gen --seed 9 4000 30 -o A.coda
  for k in gaussian rademacher srht countsketch uniform leverage block; do
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 coda-sketch -q --sketch $k --blocks 40 --sketch-rows 300 A.coda -o s1.coda
    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 coda-sketch -q --sketch $k --blocks 40 --sketch-rows 300 A.coda -o s2.coda
    cmp s1.coda s2.coda
    coda-sketch -q --sketch $k --blocks 40 --sketch-rows 300 --seed 2 A.coda -o s3.coda
    ! cmp -s s1.coda s3.coda
  done
}

@test "sketch: bad input" {
  npy "a=np.ones((6,2)); a[4,1]=np.nan; np.save('nan.npy', a)"
  run coda-sketch nan.npy
  assert_failure 1
  assert_output --partial "nan.npy"
  coda-gen 6 2 -o A.npy
  coda-gen 5 1 -o b.npy
  run coda-sketch A.npy b.npy
  assert_failure 1
  assert_output --partial "b has 5 rows but A has 6"
  run coda-sketch --sketch srht --sketch-rows 100 A.npy
  assert_failure 1
  run coda-sketch --sketch leverage --sketch-rows 10 A.npy -o out.npy
  assert_success
}
