#!/usr/bin/env bats
# Streaming (coda-encode --append, --append-columns; spec byzantine.md §3.9): an encoded byz
# stream extended by new rows or columns of its data, in one step or several, is byte for
# byte the stream that encoding the whole data gives (cmp), for row and column codes and
# both bases; what cannot be extended is refused and leaves the stream as it was.
load helper

data() { # A 23x11, its row chunks (10, 1, 1, 11 rows: the first needs a row per block),
  # the rows after the first chunk, and its column chunks (4, 1, 6 columns)
  npy "
rng=np.random.default_rng(5); A=rng.standard_normal((23,11)); np.save('A.npy',A)
for k,(a,b) in enumerate([(0,10),(10,11),(11,12),(12,23)]): np.save('r%d.npy'%k, A[a:b])
np.save('rest.npy', A[10:])
for k,(a,b) in enumerate([(0,4),(4,5),(5,11)]): np.save('c%d.npy'%k, A[:,a:b])
v=rng.standard_normal((11,1)); np.save('v.npy',v); np.save('Av.npy',A@v)
g=rng.standard_normal(23); np.save('g.npy', np.r_[0, g][:,None]); np.save('gA.npy', (g@A)[None,:])"
}

@test "append rows, one step and several, equals the batch encode byte for byte (m, t, bases)" {
  data
  for code in "-N 7 -t 2" "-N 9 -t 3" "-N 5 -t 0" "-N 15 -t 7" "-N 7 -t 1 --locator vandermonde"; do
    for basis in orth systematic; do
      coda-encode -q --scheme byz $code --basis $basis A.npy -o full.coda
      # 10 rows, then one at a time (continuing the last line, or starting one), then 11
      coda-encode -q --scheme byz $code --basis $basis r0.npy -o s.coda
      for k in 1 2 3; do coda-encode -q --append r$k.npy -o s.coda s.coda; done
      cmp full.coda s.coda
      # one step, through a pipe
      coda-encode -q --scheme byz $code --basis $basis r0.npy | coda-encode -q --append rest.npy > p.coda
      cmp full.coda p.coda
    done
  done
}

@test "append rows with the operand in the stream: the same bytes, and it decodes under attack" {
  data
  coda-encode -q --scheme byz -N 9 -t 3 --op matvec --operand v.npy A.npy -o full.coda
  coda-encode -q --scheme byz -N 9 -t 3 --op matvec --operand v.npy r0.npy -o s.coda
  coda-encode -q --append r1.npy s.coda | coda-encode -q --append r2.npy \
    | coda-encode -q --append r3.npy -o s.coda
  cmp full.coda s.coda
  coda-worker-sim -q -t 3 --seed 2 s.coda | coda-decode -q -o x.npy
  npy "x=np.load('x.npy'); r=np.load('Av.npy'); assert np.abs(x-r).max() < 1e-12*np.abs(r).max()"
}

@test "append columns: row codes (new features) and column codes (the split continues)" {
  data
  for basis in orth systematic; do
    # S_i A: every shard line gains the new columns' entries
    coda-encode -q --scheme byz -N 7 -t 2 --basis $basis A.npy -o full.coda
    coda-encode -q --scheme byz -N 7 -t 2 --basis $basis c0.npy -o s.coda
    coda-encode -q --append-columns c1.npy -o s.coda s.coda
    coda-encode -q --append-columns c2.npy -o s.coda s.coda
    cmp full.coda s.coda
    # A S_i^T (vecmat): the columns continue the split, the operand stays
    coda-encode -q --scheme byz -N 7 -t 2 --basis $basis --op vecmat --operand g.npy A.npy -o vf.coda
    coda-encode -q --scheme byz -N 7 -t 2 --basis $basis --op vecmat --operand g.npy c0.npy \
      | coda-encode -q --append-columns c1.npy | coda-encode -q --append-columns c2.npy > vs.coda
    cmp vf.coda vs.coda
    coda-worker-sim -q -t 2 --seed 3 vs.coda | coda-decode -q -o x.npy
    npy "x=np.load('x.npy'); r=np.load('gA.npy'); assert np.abs(x-r).max() < 1e-12*np.abs(r).max()"
  done
  # lsq-columns: new right-hand sides
  npy "
rng=np.random.default_rng(6); M=rng.standard_normal((5,5))+5*np.eye(5); R=rng.standard_normal((5,9))
np.save('M.npy',M); np.save('R.npy',R); np.save('R1.npy',R[:,:4]); np.save('R2.npy',R[:,4:])"
  coda-encode -q --scheme byz -N 7 -t 2 --op lsq-columns --rhs R.npy M.npy -o lf.coda
  coda-encode -q --scheme byz -N 7 -t 2 --op lsq-columns --rhs R1.npy M.npy \
    | coda-encode -q --append-columns R2.npy > ls.coda
  cmp lf.coda ls.coda
}

@test "append rows with --labels: [X y] grows as the batch encode of [X y] would" {
  data
  npy "
A=np.load('A.npy'); y=np.arange(23.0)[:,None]; np.save('y.npy',y); np.save('y0.npy',y[:10]); np.save('y1.npy',y[10:])
np.save('X0.npy',A[:10]); np.save('X1.npy',A[10:])"
  coda-encode -q --scheme byz -N 7 -t 2 --labels y.npy A.npy -o full.coda
  coda-encode -q --scheme byz -N 7 -t 2 --labels y0.npy X0.npy \
    | coda-encode -q --append X1.npy --labels y1.npy > s.coda
  cmp full.coda s.coda
  run coda-encode -q --append X1.npy --labels y0.npy full.coda
  assert_failure 1
  assert_output --partial "labels are 10 x 1, need 13 x 1"
}

@test "append refuses what cannot be extended, and leaves the stream as it was" {
  data
  coda-encode -q --scheme byz -N 7 -t 2 r0.npy -o s.coda
  cp s.coda keep.coda
  # rows of the wrong width, in place: exit 1, s.coda untouched, no temporary left
  run coda-encode -q --append c0.npy -o s.coda s.coda
  assert_failure 1
  assert_output --partial "s.coda: the new rows have 4 entries, the encoded data's have 11"
  cmp s.coda keep.coda
  [ "$(ls -A | grep -c coda)" = 2 ] # s.coda and keep.coda: no temporary file left
  # new columns of the wrong length
  run coda-encode -q --append-columns r3.npy s.coda
  assert_failure 1
  assert_output --partial "the new columns have 11 entries, the encoded data's have 10"
  # new columns of a code whose operand multiplies them
  coda-encode -q --scheme byz -N 7 -t 2 --op matvec --operand v.npy A.npy -o mv.coda
  run coda-encode -q --append-columns c1.npy mv.coda
  assert_failure 1
  assert_output --partial "which the stream's operand (11 x 1) multiplies"
  # a scheme without the append hook: a usage error naming it
  coda-encode -q --scheme mds -N 7 -s 2 A.npy -o mds.coda
  run coda-encode -q --append r1.npy mds.coda
  assert_failure 2
  assert_output --partial "scheme mds cannot extend its shards"
  # not an encoded stream; the code given again; labels for new columns
  run coda-encode -q --append r1.npy A.npy
  assert_failure 1
  assert_output --partial "A.npy: frame 1 is matrix, not PLAN"
  run coda-encode -q --scheme byz --append r1.npy s.coda
  assert_failure 2
  run coda-encode -q --seed 5 --append r1.npy s.coda
  assert_failure 2
  assert_output --partial "the code is the stream's"
  run coda-encode -q --append-columns c1.npy --labels v.npy s.coda
  assert_failure 2
  run coda-encode -q --append r1.npy --append-columns c1.npy s.coda
  assert_failure 2
  cmp s.coda keep.coda
}
