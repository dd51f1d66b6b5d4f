#!/usr/bin/env bats
# Gradient coding by block leverage scores through the programs: coda-encode --scheme leverage
# | coda-worker-sim (the fixed-q model) | coda-decode against the gradient computed directly,
# coda-assign's report, and the refusals.
load helper

data() { # X 40x3, y, beta and the direct gradient; Appendix B's scores (5 blocks)
  npy "
rng=np.random.default_rng(1)
A=rng.standard_normal((40,3)); y=rng.standard_normal((40,1)); beta=rng.standard_normal((3,1))
np.save('A.npy',A); np.save('y.npy',y); np.save('beta.npy',beta); np.save('g.npy',A.T@(A@beta-y))"
  printf '0.15\n0.15\n0.2\n0.25\n0.25\n' > pi.csv
}

encode() { # Appendix B: m = 20 servers, q = 3, perfect emulation r = (3,3,4,5,5)
  coda-encode -q --scheme leverage -N 20 -K 5 --scores pi.csv --initial lcm --responders 3 \
    --op grad --labels y.npy --operand beta.npy "$@" A.npy
}

@test "leverage: q responders give the sketched gradient, duplicates kept; all give g" {
  data
  encode > s.coda
  for seed in 1 2 3 4 5 6; do
    coda-worker-sim -q --responders 3 --seed $seed --log log$seed.csv < s.coda \
      | coda-decode -o g$seed.npy 2> dec$seed.txt
    # the responders' blocks (servers 0-2 hold block 0, 3-5 block 1, 6-9 block 2, 10-14
    # block 3, 15-19 block 4), each weighted 1/(q Pi-bar): the sketch's gradient (eq. 29)
    npy "
import csv
A=np.load('A.npy'); y=np.load('y.npy'); b=np.load('beta.npy'); pi=[.15,.15,.2,.25,.25]
first=[0,3,6,10,15,20]; ref=np.zeros((3,1)); n=0
for row in csv.DictReader(open('log$seed.csv')):
    if row['responded']!='1': continue
    l=int(row['worker']); j=max(k for k in range(5) if first[k]<=l); n+=1
    X=A[8*j:8*j+8]; ref+=X.T@(X@b-y[8*j:8*j+8])/(3*pi[j])
assert n==3, n
x=np.load('g$seed.npy'); e=np.linalg.norm(x-ref)/np.linalg.norm(ref); assert e<1e-12, e"
  done
  cat dec*.txt | grep -q "duplicates [12]," # some round drew a block twice (two servers)
  coda-worker-sim -q < s.coda | coda-decode -q -o gall.npy
  npy "x=np.load('gall.npy'); r=np.load('g.npy'); e=np.linalg.norm(x-r)/np.linalg.norm(r); assert e<1e-12, e"
}

@test "leverage: the realized scale divides by the count; the optimal decoder reports err(B_I)" {
  data
  encode --scale realized > s.coda
  coda-worker-sim -q < s.coda | coda-decode -q -o gall.npy
  npy "x=np.load('gall.npy'); r=np.load('g.npy'); e=np.linalg.norm(x-r)/np.linalg.norm(r); assert e<1e-12, e"
  run bash -c "coda-worker-sim -q --responders 3 --seed 2 < s.coda | coda-decode --decoder optimal -o o.npy"
  assert_success
  assert_output --partial "err_B_I 1"
  run bash -c "coda-worker-sim -q < s.coda | coda-decode --decoder optimal -o o.npy"
  assert_success
  assert_output --partial "err_B_I 0"
  npy "x=np.load('o.npy'); r=np.load('g.npy'); e=np.linalg.norm(x-r)/np.linalg.norm(r); assert e<1e-12, e"
}

@test "leverage: fewer than q responders is too few" {
  data
  run bash -c "$(declare -f encode); encode | coda-worker-sim -q --responders 2 | coda-decode -o x.npy"
  assert_failure 1
  assert_output --partial "need any 3 of 20 servers, got 2"
}

@test "coda-assign --scheme leverage: the allocation and its report" {
  data
  run coda-assign --scheme leverage -N 20 --scores pi.csv --responders 3 --initial lcm -o G.csv
  assert_success
  assert_output --partial "replicas 3,3,4,5,5"
  assert_output --partial "d Pi Pibar 0"
  assert_output --partial "beta def 1"
  npy "
G=np.loadtxt('G.csv',delimiter=','); assert G.shape==(20,5)
r=(G!=0).sum(0); assert list(r)==[3,3,4,5,5], r
assert np.allclose(G[G!=0], [20/(3*k) for k in [3]*3+[3]*3+[4]*4+[5]*5+[5]*5])"
  # eq. (20) example: phi = 0.9, m = 16 and 10, the paper's own rules (no floor)
  printf '0.05\n0.15\n0.3\n0.5\n' > p4.csv
  run coda-assign --scheme leverage -N 16 --scores p4.csv --phi 0.9 --min-replicas 0
  assert_success
  assert_output --partial "R hat 12"
  assert_output --partial "replicas 1,2,5,8"
  run coda-assign --scheme leverage -N 10 --scores p4.csv --phi 0.9 --min-replicas 0
  assert_success
  assert_output --partial "replicas 0,2,3,5"
  assert_output --partial "no server"
  run coda-assign --scheme leverage -N 10 --scores p4.csv --phi 0.9 --adjust hamilton
  assert_success
  assert_output --partial "replicas 1,1,3,5"
  # Table III's q(T) column from the stand-in CDF (m = 500, K = 100)
  npy "s=np.random.default_rng(2).standard_t(3,100)**2; np.savetxt('p100.csv', s/s.sum())"
  for tq in 6:142 12:226 24:230 42:230 48:262 54:267 60:499; do
    run coda-assign --scheme leverage -N 500 --scores p100.csv --normalize --runtime table3 \
      --deadline ${tq%:*} -o G.npy
    assert_success
    assert_output --partial "q ${tq#*:}, "
    assert_output --partial "q T ${tq#*:}, "
  done
}

@test "leverage: bad input is refused, naming the value" {
  data
  printf '0.5\n-0.1\n0.6\n' > neg.csv
  run coda-assign --scheme leverage -N 10 --scores neg.csv
  assert_failure 1
  assert_output --partial "score 2 is negative (-0.10000000000000001)"
  printf '0.5\n0.3\n' > off.csv
  run coda-assign --scheme leverage -N 10 --scores off.csv
  assert_failure 1
  assert_output --partial "off by -0.2"
  run coda-assign --scheme leverage -N 10 --scores off.csv --normalize
  assert_success
  printf '0.5\nnan\n0.5\n' > nan.csv
  run coda-assign --scheme leverage -N 10 --scores nan.csv
  assert_failure 1
  run coda-assign --scheme leverage -N 4 --scores pi.csv
  assert_failure 2
  assert_output --partial "N = 4 servers for 5 blocks"
  run coda-assign --scheme leverage -N 20 --scores pi.csv --deadline 0.5 --runtime shifted-exp:1,1
  assert_failure 2
  assert_output --partial "no server is expected to answer by --deadline 0.5"
  run coda-assign --scheme leverage -N 20
  assert_failure 2
  assert_output --partial "--scores FILE"
  run coda-assign --scheme leverage -N 20 --scores pi.csv --phi 1
  assert_failure 2
}

@test "coda-solve --method gd --scheme leverage: Algorithm 4 reaches x* of a consistent system" {
  npy "
rng=np.random.default_rng(3)
X=rng.standard_t(3,(200,5)); x0=rng.standard_normal((5,1))
np.save('X.npy',X); np.save('y.npy',X@x0); np.save('x0.npy',x0)"
  # fixed-q (8 uniformly random of 40 servers) and q-fastest (the 8 earliest of shifted-exp
  # times), each at c = 0.05 of the paper's 2/sigma_max^2: x* is a fixed point of every
  # sketched step, so the iterates converge linearly to round-off (spec §3, extra facts)
  coda-solve -q --method gd --scheme leverage -N 40 -K 20 --responders 8 --step rel:0.05 \
    --iters 600 X.npy y.npy -o b1.npy
  coda-solve -q --method gd --scheme leverage -N 40 -K 20 --latency shifted-exp:1,1 \
    --wait-for 8 --code-stragglers 32 --step rel:0.05 --iters 600 X.npy y.npy -o b2.npy
  for b in b1 b2; do
    npy "e=np.linalg.norm(np.load('$b.npy')-np.load('x0.npy'))/np.linalg.norm(np.load('x0.npy')); assert e<1e-10, e"
  done
  # the paper's "stable" step 2/sigma_max^2 with the gradient 2 X^T (X b - y) diverges even
  # without sketching (spec §2.8); with the gradient X^T (X b - y) (F = 1) it is marginal
  run coda-solve -q --method gd -N 1 --step rel:1 --iters 100 X.npy y.npy -o b3.npy
  assert_failure 1
  assert_output --partial "the gradient grew"
  run coda-solve -q --method gd -N 1 --step rel:1,3 --iters 10 X.npy y.npy -o b3.npy
  assert_failure 2
}

@test "leverage: examples/table3-runtime.csv is the allocation's table3 CDF and the worker stage's" {
  T3="$ROOT/examples/table3-runtime.csv"
  npy "s=np.random.default_rng(2).standard_t(3,100)**2; np.savetxt('p100.csv', s/s.sum())"
  # the file gives Table III's q(T) column (m = 500) and the very allocation of --runtime table3
  for tq in 6:142 12:226 24:230 42:230 48:262 54:267 60:499; do
    run coda-assign --scheme leverage -N 500 --scores p100.csv --normalize \
      --runtime "empirical:$T3" --deadline ${tq%:*} -o G2.npy
    assert_success
    assert_output --partial "q T ${tq#*:}, "
    coda-assign -q --scheme leverage -N 500 --scores p100.csv --normalize --runtime table3 \
      --deadline ${tq%:*} -o G1.npy
    cmp G1.npy G2.npy
  done
  printf '0,0\n1,0.5\n' > short.csv
  run coda-assign --scheme leverage -N 500 --scores p100.csv --normalize \
    --runtime empirical:short.csv --deadline 6
  assert_failure 1
  assert_output --partial "must end at probability 1, not 0.5"
}

@test "coda-solve --method gd --scheme leverage: the deadline model (realized scale) reaches x*" {
  T3="$ROOT/examples/table3-runtime.csv"
  npy "
rng=np.random.default_rng(3)
X=rng.standard_t(3,(200,5)); x0=rng.standard_normal((5,1))
np.save('X.npy',X); np.save('y.npy',X@x0); np.save('x0.npy',x0)"
  # m = 40 servers, each done by T = 12 s with F(12) = 0.452 under the Table III stand-in: a
  # Binomial(40, 0.452) number of responses a round, the master dividing by that count
  # (scale=realized); the allocation's eq. (20) sees the same CDF and T
  coda-solve -q --method gd --scheme leverage -N 40 -K 20 --scheme-opt scale=realized \
    --scheme-opt runtime=empirical:$T3 --scheme-opt deadline=12 \
    --latency "empirical:$T3" --deadline 12 --step rel:0.05 --iters 600 --trace tr.csv \
    X.npy y.npy -o b.npy
  # x* is a fixed point of every sketched step of a consistent system whatever the responders,
  # so the error contracts to round-off: relative error ~ cond(X) u, far below 1e-10 (cond < 1e3)
  npy "
X=np.load('X.npy'); assert np.linalg.cond(X)<1e3
e=np.linalg.norm(np.load('b.npy')-np.load('x0.npy'))/np.linalg.norm(np.load('x0.npy')); assert e<1e-10, e
r=np.loadtxt('tr.csv',delimiter=',',comments='#',skiprows=3,usecols=4)
# the deadline bites: the mean count is F(12) m within 5 standard errors of a Binomial mean
n=len(r); p=0.452; se=np.sqrt(40*p*(1-p)/n)
assert n==600 and abs(r.mean()-40*p)<5*se, (r.mean(), se)
assert r.min()<r.max() and r.max()<40, (r.min(), r.max())"
  # a deadline at which no server is expected to answer is refused
  run coda-solve -q --method gd --scheme leverage -N 40 -K 20 --scheme-opt scale=realized \
    --scheme-opt runtime=empirical:$T3 --scheme-opt deadline=0 --latency "empirical:$T3" \
    --deadline 0 --iters 5 X.npy y.npy -o b.npy
  assert_failure 2
  assert_output --partial "no server is expected to answer by --deadline 0"
}

@test "coda-solve iterative-sketch: the paper's baselines reach x* of a consistent system" {
  npy "
rng=np.random.default_rng(5)
X=rng.standard_t(3,(400,8)); x0=rng.standard_normal((8,1))
np.save('X.npy',X); np.save('y.npy',X@x0); np.save('x0.npy',x0)"
  # regular SD (none), Gaussian, Rademacher, SRHT, uniform rows, block-lvg, uniform blocks
  # (SSD), block-SRHT: each sketched step keeps x* fixed (S A x* = S y), and at c = 0.1 the
  # mean iterate contracts like plain SD, by |1 - 4 c / kappa^2| a step (Thm 7), kappa^2 < 3
  # here: 300 steps leave 0.87^300 < 1e-18, so the error is round-off, ~ kappa u a step;
  # 1e3 kappa u allows for the sketches' own rounding
  for sk in none gaussian rademacher srht uniform block block-uniform block-srht; do
    coda-solve -q --method iterative-sketch --sketch $sk --blocks 20 --sketch-rows 200 \
      --step rel:0.1 --iters 300 X.npy y.npy -o x_$sk.npy
    npy "
X=np.load('X.npy'); k=np.linalg.cond(X); assert k*k<3
x0=np.load('x0.npy'); e=np.linalg.norm(np.load('x_$sk.npy')-x0)/np.linalg.norm(x0)
assert e<1e3*k*np.finfo(float).eps, ('$sk', e)"
  done
}

@test "coda-solve iterative-sketch: --fixed-sketch is sketch-and-solve; none is plain GD" {
  npy "
rng=np.random.default_rng(6)
X=rng.standard_t(3,(400,8)); y=X@rng.standard_normal((8,1))+rng.standard_normal((400,1))
np.save('X.npy',X); np.save('y.npy',y); np.save('xs.npy',np.linalg.lstsq(X,y,rcond=None)[0])"
  for sk in gaussian block; do
    coda-solve -q --method iterative-sketch --fixed-sketch --sketch $sk --blocks 20 \
      --sketch-rows 200 --step rel:0.1 --iters 300 X.npy y.npy -o f.npy
    coda-solve -q --method sketch-solve --sketch $sk --blocks 20 --sketch-rows 200 X.npy y.npy \
      -o s.npy
    coda-sketch -q --sketch $sk --blocks 20 --sketch-rows 200 X.npy y.npy -o SAb.npy
    coda-solve -q --method iterative-sketch --sketch $sk --blocks 20 --sketch-rows 200 \
      --step rel:0.1 --iters 300 X.npy y.npy -o i.npy
    # one sketch S (stream 0, the one coda-sketch and sketch-solve draw): SD on (S X, S y) from
    # 0 contracts by rho = max |1 - 2 xi sigma_i(S X)^2| a step, xi = 0.1 * 2 / sigma_max(X)^2,
    # so it ends within rho^300 of argmin ||S (X x - y)|| (relative), plus round-off; the
    # fresh sketches of the iterative variant end closer to x* (the paper's Fig. 7 claim)
    npy "
X=np.load('X.npy'); M=np.load('SAb.npy'); SX=M[:,:-1]; n=np.linalg.norm
xi=0.2/np.linalg.norm(X,2)**2; sv=np.linalg.svd(SX,compute_uv=False)
rho=max(abs(1-2*xi*sv**2)); assert rho<1, rho
s=np.load('s.npy'); f=np.load('f.npy'); xs=np.load('xs.npy'); i=np.load('i.npy')
e=n(f-s)/n(s); tol=rho**300+1e3*np.linalg.cond(SX)*np.finfo(float).eps
assert e<tol, ('$sk', e, tol)
assert n(i-xs)<n(f-xs), ('$sk', n(i-xs), n(f-xs))"
  done
  # --sketch none with the relative step is coda-solve --method gd's plain GD, step for step
  # (the two conventions differ by the 1/n of the mean loss, which rel:C undoes); F = 1 at 2C
  # is F = 2 at C
  coda-solve -q --method iterative-sketch --sketch none --step rel:0.01 --iters 50 X.npy y.npy \
    -o n1.npy
  coda-solve -q --method iterative-sketch --sketch none --step rel:0.02,1 --iters 50 X.npy \
    y.npy -o n2.npy
  coda-solve -q --method gd -N 1 --step rel:0.01 --iters 50 X.npy y.npy -o n3.npy
  npy "
a,b,c=(np.load(f) for f in ('n1.npy','n2.npy','n3.npy')); n=np.linalg.norm
assert n(a-b)<=1e-14*n(a) and n(a-c)<=1e-12*n(a), (n(a-b)/n(a), n(a-c)/n(a))"
  run coda-solve -q --method iterative-sketch --step rel:0.1,3 X.npy y.npy
  assert_failure 2
  assert_output --partial "rel:C[,F]"
  run coda-solve -q --method iterative-sketch --sketch block-srht X.npy y.npy
  assert_failure 2
  assert_output --partial "--sketch block-srht needs --blocks K"
}
