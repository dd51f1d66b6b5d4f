#!/usr/bin/env bats
# coda-invert: usage, refusals, the report's bounds, and the same bytes as the pipeline.
load helper

gauss() { npy "r=np.random.default_rng($3); np.save('$4', r.standard_normal(($1,$2)))"; }

@test "invert: --help and --version" {
  run coda-invert --help
  assert_success
  assert_output --partial "--method M"
  run coda-invert --version
  assert_success
}

@test "invert: usage errors exit 2" {
  gauss 4 4 1 a.npy
  run coda-invert --method newton a.npy
  assert_failure 2
  assert_output --partial "unknown method 'newton'"
  run coda-invert --mode sideways a.npy
  assert_failure 2
  run coda-invert --tol -1 a.npy
  assert_failure 2
  run coda-invert -s 1 a.npy
  assert_failure 2
  assert_output --partial "need -N"
}

@test "invert: direct inverse matches numpy to the condition number" {
  gauss 30 30 2 a.npy
  run coda-invert -q a.npy -o x.npy
  assert_success
  npy "a=np.load('a.npy'); x=np.load('x.npy'); k=np.linalg.cond(a); \
       assert np.linalg.norm(x-np.linalg.inv(a))/np.linalg.norm(x) < 30*k*np.finfo(float).eps"
}

@test "invert: sd and cg reports: errors within the bounds they print" {
  gauss 40 40 3 a.npy
  for m in sd cg; do
    run coda-invert -q --method $m --tol 1e-7 --iters 1000000 --report r.csv a.npy -o x.npy
    assert_success
    npy "import csv; r=next(csv.DictReader(open('r.csv'))); f=lambda k: float(r[k]); \
         assert r['method']=='$m' and f('capped')==0; \
         assert f('err_F') <= f('bound_F_obs') and f('err_rF') <= f('bound_rF_obs'); \
         assert '$m'!='sd' or (f('err_F') <= f('bound_F') and f('err_rF') <= f('bound_rF')); \
         a=np.load('a.npy'); x=np.load('x.npy'); d=x-np.linalg.inv(a); \
         assert abs(f('err_F')-np.sum(d*d)) <= 1e-6*np.sum(d*d)"
  done
}

@test "invert: left and right pseudoinverses by sd agree with numpy's pinv" {
  gauss 30 12 4 t.npy
  gauss 12 30 5 w.npy
  run coda-invert -q --mode pinv --method sd --tol 1e-9 t.npy -o pt.npy
  assert_success
  run coda-invert -q --mode right --method cg --tol 1e-12 w.npy -o pw.npy
  assert_success
  npy "
for a, x in (('t.npy','pt.npy'), ('w.npy','pw.npy')):
    a=np.load(a); x=np.load(x); p=np.linalg.pinv(a); s=np.linalg.svd(a, compute_uv=False)
    # per column of (A^T A)^-1: error <= g/(2 sigma^4), times sigma_max for A^T
    bound=np.sqrt(a.shape[1]*min(a.shape))*1e-9*s[0]/(2*s[-1]**4)
    assert x.shape == p.shape and np.linalg.norm(x-p) <= bound, (np.linalg.norm(x-p), bound)"
}

@test "invert: distributed run gives the pipeline's bytes, whichever worker straggles" {
  gauss 24 24 6 a.npy
  for seed in 1 2 3; do
    coda-invert -q -N 6 -s 1 --seed $seed --method sd --tol 1e-6 a.npy -o inv$seed.npy
    coda-encode -q --scheme frc -N 6 -s 1 --op lsq-columns --method sd --tol 1e-6 --seed $seed a.npy |
      coda-worker-sim -q -s 1 --seed $seed | coda-decode -q -o pipe$seed.npy
    cmp inv$seed.npy pipe$seed.npy
  done
  # replicas compute the same block, so who straggles does not change a byte
  cmp inv1.npy inv2.npy
  cmp inv1.npy inv3.npy
}

@test "invert: more stragglers than the code tolerates name the missing block" {
  gauss 12 12 7 a.npy
  run coda-invert -q -N 6 -s 1 --straggle-workers 2,3 a.npy -o x.npy
  assert_failure 1
  assert_output --partial "need any 5 of 6 workers, got 4: block 1 missing"
}

@test "invert: bad input is refused with the reason" {
  gauss 5 3 8 tall.npy
  run coda-invert tall.npy
  assert_failure 1
  assert_output --partial "tall.npy: the matrix is 5 x 3: an inverse needs a square matrix"
  gauss 3 5 9 wide.npy
  run coda-invert --mode left wide.npy
  assert_failure 1
  assert_output --partial "a left pseudoinverse needs more rows than columns"
  npy "a=np.eye(4); a[2,1]=np.nan; np.save('nan.npy', a)"
  run coda-invert nan.npy
  assert_failure 1
  assert_output --partial "entry (3,2) is NaN"
  npy "a=np.random.default_rng(1).standard_normal((6,6)); a[:,4]=a[:,1]; np.save('sing.npy', a)"
  for m in direct sd cg; do
    run coda-invert --method $m --tol 1e-8 sing.npy
    assert_failure 1
    assert_output --partial "singular"
  done
  npy "a=np.random.default_rng(1).standard_normal((8,4)); a[:,3]=2*a[:,0]; np.save('rd.npy', a)"
  run coda-invert --mode left --method direct rd.npy
  assert_failure 1
  assert_output --partial "A^T A: the matrix is singular"
}

@test "invert: columns at the iteration cap are named in a warning" {
  gauss 20 20 10 a.npy
  run coda-invert --method sd --tol 1e-12 --iters 2 a.npy -o x.npy
  assert_output --partial "warning: 20 columns stopped at the iteration cap 2 before meeting eps: 0, 1, 2"
  run coda-invert --method cg --tol 1e-12 --iters 1000 a.npy -o x.npy
  assert_success
  refute_output --partial "warning"
}

@test "invert: --scale d solves (dA)^-1 and rescales; auto uses 1/sigma_min" {
  gauss 20 20 11 a.npy
  run coda-invert -q --method cg --tol 1e-12 --scale 0.25 a.npy -o s.npy
  assert_success
  run coda-invert -q --method cg --tol 1e-12 --scale auto --report r.csv a.npy -o t.npy
  assert_success
  npy "import csv; a=np.load('a.npy'); i=np.linalg.inv(a); k=np.linalg.cond(a); \
       r=next(csv.DictReader(open('r.csv'))); s=np.linalg.svd(a, compute_uv=False); \
       assert abs(float(r['scale'])*s[-1]-1) < 1e-5; \
       [np.testing.assert_allclose(np.load(f), i, atol=1e-8*k*np.abs(i).max()) for f in ('s.npy','t.npy')]"
}
