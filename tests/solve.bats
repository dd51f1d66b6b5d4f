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

# Rank-deficient problems, seeded: two equal columns, a zero column, and exact rank 4 of 8
# (U diag(s) V^T, s geometric from 1 to 1/kr); an inconsistent B (3 columns) and a consistent one.
rankdef_problems() {
  npy "r=np.random.default_rng(11); N,d=600,8
a=r.standard_normal((N,d)); a[:,5]=a[:,2]; np.save('eq.npy',a)
z=r.standard_normal((N,d)); z[:,4]=0; np.save('zero.npy',z)
u=np.linalg.qr(r.standard_normal((N,4)))[0]; v=np.linalg.qr(r.standard_normal((d,4)))[0]
np.save('low.npy', (u*np.geomspace(1,1/$1,4))@v.T)
np.save('bn.npy', r.standard_normal((N,3)))
for f in ('eq','zero','low'):
    np.save(f+'-bc.npy', np.load(f+'.npy')@r.standard_normal((d,3)))"
}

# ||x - x_np|| within 10 max(N,d) u (kr + kr^2 ||r|| / (s1 ||x||)) ||x|| per column, kr = s1 / s_r
# the condition number on the numerical range (singular values above rcond s1); EXTRA: a further
# allowance in units of ||A x|| / s_r (precond's stopping rule bounds ||A (x - x*)||)
cmp_numpy() { # A B X RCOND EXTRA
  npy "a=np.load('$1'); b=np.load('$2'); x=np.load('$3'); rc=$4; u=np.finfo(float).eps
assert x.shape==(a.shape[1],b.shape[1]), x.shape
s=np.linalg.svd(a,compute_uv=False); s=s[s>rc*s[0]]; kr=s[0]/s[-1]
xs=np.linalg.lstsq(a,b,rcond=rc)[0]
for j in range(b.shape[1]):
    xn=np.linalg.norm(xs[:,j]); rn=np.linalg.norm(a@xs[:,j]-b[:,j])
    tol=10*max(a.shape)*u*(kr+kr**2*rn/(s[0]*max(xn,1e-300)))*xn + $5*np.linalg.norm(a@xs[:,j])/s[-1]
    d=np.linalg.norm(x[:,j]-xs[:,j]); assert d<=tol, ('$3', j, d, tol)"
}

@test "solve: every method refuses a rank-deficient A (numerical rank r of n), exit 1, no output" {
  rankdef_problems 100
  for f in eq zero low; do
    for m in qr sketch-solve precond iterative-sketch; do
      run coda-solve -q --method $m $f.npy bn.npy -o x.npy
      assert_failure 1
      assert_output --partial "A is rank deficient: numerical rank"
      [[ "$output" == *"rank $([ $f = low ] && echo 4 || echo 7) of 8"* ]]
      assert_output --partial "give --rcond"
      [ ! -e x.npy ]
    done
  done
}

@test "solve: the rank threshold is max(N,d) u: qr accepts cond 1e11 and refuses cond 1e14 at N = 200" {
  # 1/(200 u) = 2.3e13; qr's R has A's singular values to rounding
  coda-gen --kind svd --kappa 1e11 --seed 12 200 10 -o A11.npy
  coda-gen --kind svd --kappa 1e14 --seed 12 200 10 -o A14.npy
  coda-gen --seed 13 200 1 -o b.npy
  run coda-solve -q --method qr A11.npy b.npy -o x.npy
  assert_success
  run coda-solve -q --method qr A14.npy b.npy -o x.npy
  assert_failure 1
  assert_output --partial "numerical rank 9 of 10"
  for r in 0 1.5 nan; do
    run coda-solve --rcond $r A11.npy b.npy
    assert_failure 2
  done
}

@test "solve: --rcond: qr and precond give numpy's minimum-norm lstsq on rank-deficient A, 3 columns" {
  rankdef_problems 100
  for f in eq zero low; do
    for m in qr precond; do
      run coda-solve -q --method $m --rcond 1e-10 $f.npy bn.npy -o x-$m.npy
      assert_success
    done
    cmp_numpy $f.npy bn.npy x-qr.npy 1e-10 0
    # precond: ||A (x - x*)|| <= (1 + eps) tol ||A x||, tol 1e-13, and x in A's row space
    cmp_numpy $f.npy bn.npy x-precond.npy 1e-10 2e-13
  done
}

@test "solve: --rcond: sketch-solve exact on consistent B, within its sketch's accuracy otherwise, min-norm" {
  rankdef_problems 100
  for f in eq zero low; do
    run coda-solve -q --method sketch-solve --rcond 1e-10 $f.npy $f-bc.npy -o xc.npy
    assert_success
    # consistent: S A has A's row space, so the sketched problem's min-norm solution is x*
    cmp_numpy $f.npy $f-bc.npy xc.npy 1e-10 0
    run coda-solve -q --method sketch-solve --sketch gaussian --sketch-rows 200 --rcond 1e-10 $f.npy bn.npy -o xn.npy
    assert_success
    # Gaussian sketch of r rows: E ||A x - b||^2 = (1 + p / (r - p - 1)) ||r*||^2 (p the rank);
    # allowed 5 times that excess; and no component in A's null space beyond rounding
    npy "a=np.load('$f.npy'); b=np.load('bn.npy'); x=np.load('xn.npy')
U,s,Vt=np.linalg.svd(a); p=int((s>1e-10*s[0]).sum()); xs=np.linalg.lstsq(a,b,rcond=1e-10)[0]
for j in range(3):
    r2=np.linalg.norm(a@xs[:,j]-b[:,j])**2; f2=np.linalg.norm(a@(x[:,j]-xs[:,j]))**2
    assert f2 <= 5*p/(200-p-1)*r2, (j, f2/r2)
    nul=np.linalg.norm(Vt[p:]@x[:,j]); assert nul <= 1e-12*np.linalg.norm(x[:,j]), (j, nul)"
  done
}

@test "solve: --rcond: iterative-sketch converges to the minimum-norm solution on consistent B" {
  rankdef_problems 2
  for f in eq zero low; do
    run coda-solve -q --method iterative-sketch --line-search --sketch-rows 200 --iters 80 --rcond 1e-10 $f.npy $f-bc.npy -o x.npy
    assert_success
    cmp_numpy $f.npy $f-bc.npy x.npy 1e-10 1e-10
  done
}

@test "solve: three right-hand sides: every method against numpy, column by column" {
  coda-gen --kind svd --kappa 1e3 --seed 14 2000 30 -o A.npy
  npy "r=np.random.default_rng(15); a=np.load('A.npy'); np.save('B.npy', r.standard_normal((2000,3)))
np.save('Bc.npy', a@r.standard_normal((30,3)))
for j in range(3): np.save('b%d.npy'%j, np.load('B.npy')[:,j:j+1])"
  for m in qr precond sketch-solve; do
    run coda-solve -q --method $m A.npy B.npy -o X-$m.npy
    assert_success
  done
  cmp_numpy A.npy B.npy X-qr.npy 0 0
  cmp_numpy A.npy B.npy X-precond.npy 0 2e-13
  # sketch-solve: each column is the single-column solve of that column (the same sketch)
  for j in 0 1 2; do
    coda-solve -q --method sketch-solve A.npy b$j.npy -o x$j.npy
  done
  npy "a=np.load('A.npy'); X=np.load('X-sketch-solve.npy'); u=np.finfo(float).eps
for j in range(3):
    x=np.load('x%d.npy'%j)[:,0]; d=np.linalg.norm(X[:,j]-x)
    assert d <= 100*2000*u*1e3**2*np.linalg.norm(x), (j, d)"
  # iterative-sketch: a consistent B on a well-conditioned A (it stalls near x* otherwise)
  coda-gen --kind svd --kappa 2 --seed 16 2000 30 -o A2.npy
  npy "r=np.random.default_rng(17); np.save('Bc2.npy', np.load('A2.npy')@r.standard_normal((30,3)))"
  run coda-solve -q --method iterative-sketch --line-search --sketch-rows 300 --iters 80 A2.npy Bc2.npy -o X-it.npy
  assert_success
  cmp_numpy A2.npy Bc2.npy X-it.npy 0 1e-10
}
