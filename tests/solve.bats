#!/usr/bin/env bats
# coda-solve: every method against numpy's least squares, with tolerances from the problem.
load helper

@test "solve: --help, usage errors" {
  run coda-solve --help
  assert_success
  run coda-solve --method magic x
  assert_failure 2
}

@test "solve: qr and precond agree with numpy lstsq on a kappa=1e8 problem" {
  coda-gen --kind svd --kappa 1e8 --seed 2 2000 40 -o A.npy
  npy "r=np.random.default_rng(3); np.save('b.npy', r.standard_normal((2000,1)))"
  for m in qr precond; do
    run coda-solve -q --method $m A.npy b.npy -o x$m.npy
    assert_success
  done
  # compare predictions A x (backward-stable quantity): relative 1e-12 of ||A x*||... scaled by kappa eps
  npy "a=np.load('A.npy'); b=np.load('b.npy'); x=np.linalg.lstsq(a,b,rcond=None)[0]
for m in ('qr','precond'):
    y=np.load('x'+m+'.npy'); d=np.linalg.norm(a@(y-x))/np.linalg.norm(a@x)
    assert d < 1e-12*1e8**0.5, (m, d)"
}

@test "solve: coherent problem: precond with leverage sketch, and ridge against the normal equations" {
  coda-gen --kind svd --kappa 1e4 --coherent --seed 4 1000 20 -o A.npy
  npy "r=np.random.default_rng(5); np.save('b.npy', r.standard_normal((1000,1)))"
  run coda-solve -q --method precond --sketch leverage A.npy b.npy -o x.npy
  assert_success
  run coda-solve -q --method qr --l2 0.5 A.npy b.npy -o xr.npy
  assert_success
  npy "a=np.load('A.npy'); b=np.load('b.npy'); x=np.linalg.lstsq(a,b,rcond=None)[0]
y=np.load('x.npy'); assert np.linalg.norm(a@(y-x)) < 1e-10*np.linalg.norm(a@x)
xr=np.linalg.solve(a.T@a+0.5*np.eye(20), a.T@b); assert np.linalg.norm(np.load('xr.npy')-xr) < 1e-10*np.linalg.norm(xr)"
}

@test "solve: iterative-sketch with line search converges on a consistent system; trace; same seed, same bytes" {
  # with a large residual the sketched gradients are dominated by sketching noise (Alg. 3
  # then stalls near x*); a consistent system shows the linear rate
  coda-gen --kind svd --kappa 2 --seed 6 4000 10 -o A.npy
  npy "a=np.load('A.npy'); r=np.random.default_rng(7); np.save('b.npy', a@r.standard_normal((10,1)))"
  run coda-solve -q --method iterative-sketch --line-search --sketch-rows 200 --iters 60 --trace t.csv A.npy b.npy -o x1.npy
  assert_success
  coda-solve -q --method iterative-sketch --line-search --sketch-rows 200 --iters 60 A.npy b.npy -o x2.npy
  cmp x1.npy x2.npy
  npy "a=np.load('A.npy'); b=np.load('b.npy'); x=np.linalg.lstsq(a,b,rcond=None)[0]
y=np.load('x1.npy'); assert np.linalg.norm(y-x) < 1e-10*np.linalg.norm(x), np.linalg.norm(y-x)
import csv; rows=list(csv.DictReader(open('t.csv'))); assert len(rows)==60"
}

@test "solve: bad input" {
  npy "np.save('a.npy', np.ones((3,5)))"
  npy "np.save('b.npy', np.ones((4,1)))"
  run coda-solve a.npy b.npy
  assert_failure 1
  assert_output --partial "b is 4 x 1 but A has 3 rows"
  npy "a=np.ones((6,2)); a[1,1]=np.inf; np.save('inf.npy', a)"
  run coda-solve inf.npy
  assert_failure 1
  # precond finds a NaN or Inf through its sketch, the other methods by a scan first: the same
  # message either way
  npy "rng=np.random.default_rng(1); a=rng.standard_normal((400,4)); a[17,2]=np.nan; np.save('nan.npy', a); a[17,2]=1; a[5,3]=-np.inf; np.save('binf.npy', a)"
  for m in precond qr sketch-solve; do
    run coda-solve --method $m nan.npy
    assert_failure 1
    assert_output --partial "A entry (18,3) is not finite"
    run coda-solve --method $m binf.npy
    assert_failure 1
    assert_output --partial "b entry 6 is not finite"
  done
  # finite entries whose sketch overflows
  npy "np.save('huge.npy', np.full((2000,2), 1.7e308))"
  run coda-solve huge.npy
  assert_failure 1
  assert_output --partial "overflowed"
}

@test "solve: precond: the same bytes for any OpenMP thread count, and run to run" {
  # LSQR's products run over fixed row blocks in OpenMP; with one BLAS thread (the QR of the
  # sketch is the threaded-BLAS part) the bytes must not depend on OMP_NUM_THREADS
  coda-gen --kind svd --kappa 1e3 --seed 6 20000 60 -o A.coda
  coda-gen --seed 7 20000 1 -o b.coda
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 coda-solve -q --method precond A.coda b.coda -o x1.coda
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 coda-solve -q --method precond A.coda b.coda -o x2.coda
  cmp x1.coda x2.coda
  coda-solve -q --method precond A.coda b.coda -o x3.coda
  coda-solve -q --method precond A.coda b.coda -o x4.coda
  cmp x3.coda x4.coda
}
