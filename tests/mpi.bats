#!/usr/bin/env bats
# The MPI engine on a real Open MPI job on this machine: coda-worker-mpi in the pipeline and
# coda-solve --method gd|pgd|sgd|cd --engine mpi, against the simulator byte for byte. Every
# mpirun is bounded by a timeout, so a hang fails the test instead of blocking the suite.
load helper

# Open MPI refuses root unless told; its own allocations are not freed at MPI_Finalize, so
# LeakSanitizer is off inside mpirun (AddressSanitizer and UBSan still check our code).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# one machine: shared memory only, and no single-copy (ptrace-based CMA is often forbidden in
# containers, where CI runs), so that the tests run the same wherever they run
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# mpirun -n RANKS ..., killed after 60 s
mpi() { local n=$1; shift; timeout -k 5 60 mpirun --oversubscribe -n "$n" "$@"; }

setup() {
  T="$BATS_TEST_TMPDIR"; cd "$T"
  command -v mpirun >/dev/null || { echo "mpirun missing: scripts/deps.sh installs openmpi-bin" >&2; return 1; }
  coda-gen --seed 1 40 6 -o A.npy
  coda-gen --seed 2 6 3 -o B.npy
  coda-gen --seed 3 6 1 -o beta.npy
  coda-gen --seed 4 40 1 -o y.npy
}

# decode the same stream through the simulator and through MPI (same responders): same bytes
same_as_sim() { # $1 ranks, $2 stream, then options of both worker stages
  local n=$1 s=$2; shift 2
  coda-worker-sim -q "$@" "$s" | coda-decode -q -o sim.npy
  mpi "$n" coda-worker-mpi -q "$@" "$s" > mpi.coda
  coda-decode -q -o mpi.npy mpi.coda
  cmp sim.npy mpi.npy
}

@test "mpi pipeline: every code that sums or concatenates decodes the simulator's bytes" {
  for sc in "uncoded -N 4" "rep -N 6 -s 1" "frc -N 6 -s 2" "mds -N 5 -s 2" "cyclic -N 5 -s 2"; do
    set -- $sc
    if [ "$1" = cyclic ]; then
      coda-encode -q --scheme $sc --op grad --labels y.npy --operand beta.npy A.npy > e.coda
    else
      coda-encode -q --scheme $sc --operand B.npy A.npy > e.coda
    fi
    n=$(( $3 + 1 ))
    same_as_sim $n e.coda || { echo "scheme $sc, every worker" >&2; return 1; }
    # the same responders: worker 1 never answers in either
    same_as_sim $n e.coda --straggle-workers 1 || { echo "scheme $sc, worker 1 out" >&2; return 1; }
  done
  # the gradient of rep, whose results sum
  coda-encode -q --scheme rep -N 4 -s 1 --op grad --labels y.npy --operand beta.npy A.npy > g.coda
  same_as_sim 5 g.coda --straggle-workers 2
}

@test "mpi pipeline: the product codes (matdot, poly, matdot-approx, linear) decode the simulator's bytes" {
  coda-gen --seed 5 6 8 -o C.npy
  coda-encode -q --scheme matdot -m 2 -N 4 --operand C.npy A.npy > m.coda
  same_as_sim 5 m.coda
  same_as_sim 5 m.coda --straggle-workers 0
  coda-encode -q --scheme poly -m 2 -N 5 --operand C.npy A.npy > p.coda
  same_as_sim 6 p.coda --straggle-workers 4
  coda-encode -q --scheme matdot-approx -m 2 -N 4 --radius 0.01 --operand C.npy A.npy > a.coda
  same_as_sim 5 a.coda --straggle-workers 1,3
  coda-assign -q --scheme matdot-search -m 2 --threshold 3 -N 4 --starts 1 --iters 300 -o code.npy
  coda-encode -q --scheme linear --code code.npy -m 2 --operand C.npy A.npy > l.coda
  same_as_sim 5 l.coda --straggle-workers 2
}

@test "mpi pipeline: a user-given allocation (coda-encode --assign) decodes the simulator's bytes" {
  coda-assign -q --scheme cyclic -N 5 -s 2 --seed 3 -o G.npy
  coda-encode -q --assign G.npy --op grad --labels y.npy --operand beta.npy A.npy > g.coda
  same_as_sim 6 g.coda --straggle-workers 0,4
}

@test "mpi pipeline: a worker that never answers, with a code that tolerates it" {
  coda-encode -q --scheme frc -N 4 -s 1 --operand B.npy A.npy > e.coda
  mpi 5 coda-worker-mpi --fail-workers 2 --log log.csv e.coda > r.coda
  coda-decode -q -o mpi.npy r.coda
  coda-worker-sim -q --straggle-workers 2 e.coda | coda-decode -q -o sim.npy
  cmp sim.npy mpi.npy
  run cat log.csv
  assert_line --index 3 --regexp '^2,inf,0$'
}

@test "mpi pipeline: too many stragglers are refused at the deadline, and the sleepers stopped" {
  coda-encode -q --scheme frc -N 4 -s 1 --operand B.npy A.npy > e.coda
  printf '60\n60\n0\n0\n' > slow.csv # workers 0 and 1 (block 0) would sleep 30 s
  start=$(date +%s)
  mpi 5 coda-worker-mpi --delay replay:slow.csv --deadline 0.5 e.coda > r.coda
  run coda-decode r.coda
  assert_failure 1
  assert_output --partial "missing"
  [ $(( $(date +%s) - start )) -lt 20 ]
}

@test "mpi gd: equals the simulator's trajectory byte for byte, with and without stragglers" {
  coda-gen --seed 7 200 6 -o Xy.npy
  coda-solve -q --method gd --scheme frc -N 4 --iters 15 Xy.npy -o s.npy
  mpi 5 coda-solve -q --method gd --engine mpi --scheme frc -N 4 --iters 15 Xy.npy -o m.npy
  cmp s.npy m.npy
  coda-solve -q --method gd --scheme cyclic -N 5 -s 2 --iters 15 --seed 3 Xy.npy -o s2.npy
  mpi 6 coda-solve -q --method gd --engine mpi --scheme cyclic -N 5 -s 2 --iters 15 --seed 3 \
    --trace t.csv Xy.npy -o m2.npy
  cmp s2.npy m2.npy
  # the trace has the round's responders and its real (wall-clock) time
  run sed -n 4p t.csv
  assert_output --regexp '^1,[^,]*,[^,]*,nan,3,[0-9.e-]+,'
}

@test "mpi gd: a delayed worker is left behind, its late results dropped, and it never blocks the end" {
  coda-gen --seed 7 200 6 -o Xy.npy
  # frc N=4 s=1: load 1/2, so workers 0..2 sleep 0.05 s a round and worker 3 0.25 s: its answer
  # to round r comes in a later round
  printf '0.1\n0.1\n0.1\n0.5\n' > slow.csv
  start=$(date +%s)
  run mpi 5 coda-solve --method gd --engine mpi --scheme frc -N 4 --code-stragglers 1 --iters 8 \
    --wait-for 3 --delay replay:slow.csv Xy.npy -o m.npy
  assert_success
  assert_output --regexp 'gd: frc on 4 MPI workers, 8 iterations.* [1-9][0-9]* late results dropped'
  [ $(( $(date +%s) - start )) -lt 20 ]
  # workers 0..2 answered every round: the simulator with worker 3 out gives the same bytes
  coda-solve -q --method gd --scheme frc -N 4 --iters 8 --straggle-workers 3 Xy.npy -o s.npy
  cmp s.npy m.npy
}

# the data of the Byzantine methods (tests/byz.bats): a sparse model and its labels
byz_data() {
  npy "
rng=np.random.default_rng(5); n,d=60,24
X=rng.standard_normal((n,d)); th=np.zeros(d); th[:8]=2*rng.standard_normal(8); y=X@th+rng.standard_normal(n)
np.save('X.npy',X); np.save('y.npy',y[:,None]); np.save('yb.npy',(y>0).astype(float)[:,None])"
}

@test "mpi pgd, sgd, cd (both bases): two jobs on the same workers, the simulator's iterates byte for byte" {
  byz_data
  # a code for 2 liars, every worker honest and answering: pgd and cd run X by rows and X by
  # columns (or X^T) as two task sets on the same 7 workers
  for m in "pgd --l1 0.3" "pgd --loss logistic" "sgd --batch 4" "cd --tau 3" \
           "cd --tau 2 --scheme-opt basis=systematic --cd-order random"; do
    labels=y.npy; case "$m" in *logistic*) labels=yb.npy;; esac
    coda-solve -q --method $m -N 7 --code-adversaries 2 --iters 12 X.npy $labels -o s.npy
    mpi 8 coda-solve -q --method $m --engine mpi -N 7 --code-adversaries 2 --iters 12 \
      X.npy $labels -o m.npy
    cmp s.npy m.npy || { echo "--method $m" >&2; return 1; }
  done
}

@test "mpi pgd, sgd, cd under attack: the corrupt workers are the simulator's, the trajectory uncoded's" {
  byz_data
  meta() { coda-cat --info w.coda | sed -n "s/^ *$1=//p"; }
  for m in "pgd --attack flip" "sgd --attack collude" "cd --tau 3" \
           "cd --tau 3 --scheme-opt basis=systematic --attack flip"; do
    coda-solve -q --method $m -N 7 -t 2 --iters 12 X.npy y.npy -o s.npy
    mpi 8 coda-solve -q --method $m --engine mpi -N 7 -t 2 --iters 12 X.npy y.npy -o m.npy
    cmp s.npy m.npy || { echo "--method $m" >&2; return 1; }
    # 1e-10 relative: the issue's bound, far above these well-conditioned codes' round-off
    mpi 8 coda-solve -q --method $m --engine mpi -N 7 -t 2 --iters 12 --compare-plain \
      X.npy y.npy -o w.coda
    meta plain_deviation | awk '{ v = $1 } END { exit !(v != "" && v + 0 < 1e-10) }'
    [ "$(meta excluded)" -gt 0 ]
  done
}

@test "mpi pgd and cd: a delayed worker is left behind in both jobs, its late results dropped" {
  byz_data
  # byz N=7, t=1 (the straggler counts against t): load 1/5, so workers 0..5 sleep 0.02 s a
  # round and worker 6 0.2 s; 12 iterations are 24 rounds of at least 0.02 s, so its answer
  # to an early round comes in a later one, of either job, and it still sleeps at the end
  printf '0.1\n0.1\n0.1\n0.1\n0.1\n0.1\n1\n' > slow.csv
  for m in pgd "cd --tau 2"; do
    start=$(date +%s)
    run mpi 8 coda-solve --method $m --engine mpi -N 7 --code-stragglers 1 --iters 12 \
      --wait-for 6 --delay replay:slow.csv X.npy y.npy -o m.npy
    assert_success
    assert_output --regexp "${m%% *}: byz on 7 MPI workers .t=1., 12 iterations"
    assert_output --regexp "${m%% *}: [1-9][0-9]* late results dropped"
    [ $(( $(date +%s) - start )) -lt 20 ]
    # workers 0..5 answered every round: the simulator with worker 6 out gives the same bytes
    coda-solve -q --method $m -N 7 --iters 12 --straggle-workers 6 X.npy y.npy -o s.npy
    cmp s.npy m.npy
  done
}

@test "mpi: started without mpirun, or with the wrong number of ranks, says so and exits 2" {
  coda-encode -q --scheme frc -N 4 -s 1 --operand B.npy A.npy > e.coda
  run env -u OMPI_COMM_WORLD_SIZE coda-worker-mpi e.coda
  assert_failure 2
  assert_output --partial "not started by mpirun"
  run coda-solve --method gd --engine mpi -N 2 A.npy y.npy
  assert_failure 2
  assert_output --partial "not started by mpirun"
  run mpi 3 coda-worker-mpi e.coda
  assert_failure 2
  assert_output --partial "needs mpirun -n 5"
  # every rank says it
  [ "$(echo "$output" | grep -o 'needs mpirun -n 5' | wc -l)" -eq 3 ]
  run mpi 1 coda-worker-mpi e.coda
  assert_failure 2
  assert_output --partial "no workers"
  run coda-worker-mpi --delay nosuch e.coda
  assert_failure 2
}

@test "mpi: a malformed stream stops every rank with the reader's message" {
  coda-encode -q --scheme frc -N 4 -s 1 --operand B.npy A.npy > e.coda
  head -c 300 e.coda > bad.coda
  run mpi 5 coda-worker-mpi bad.coda
  assert_failure 1
  [ "$(echo "$output" | grep -o 'bad.coda: frame' | wc -l)" -eq 5 ]
  run mpi 5 coda-solve --method gd --engine mpi -N 4 nosuch.npy
  assert_failure 1
  [ "$(echo "$output" | grep -o 'nosuch.npy' | wc -l)" -ge 5 ]
}
