#!/usr/bin/env bash
# MPI engine benchmark (a measurement, never a test), on this machine's Open MPI.
# 1. Per-round overhead: coda-solve --method gd --engine mpi (uncoded, NA workers, one data row
#    each) against a bare MPI exchange of the same bytes with the same ranks (bench/mpi_bare.c:
#    Isend/Irecv/Waitall), and against the same bare exchange with the workers making the same
#    BLAS calls for their row's gradient (a hand-written MPI gradient descent), for models of
#    100, 10000 and 100000 doubles: the median round (broadcast to last arrival). NA is one
#    worker per spare core (at most 8; BENCH_NA to choose), so that nobody waits for a core.
#    Open MPI's shared-memory transport, with its single-copy mechanism (CMA) unless
#    BENCH_CMA=0 (as in the tests).
# 2. Wall-clock completion of N=8 workers sleeping shifted-exponential delays (--delay
#    shifted-exp:SHIFT,RATE --delay-scale X): uncoded waiting for all, frc and mds for their
#    threshold F, mean over R seeds, against the order-statistics formula of bench/pipeline.sh,
#    X * load * (SHIFT + (H_N - H_{N-F}) / RATE).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
export PATH="$PWD/bin:$PATH" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
N=${BENCH_N:-8} R=${BENCH_RUNS:-8} ROUNDS=${BENCH_ROUNDS:-200} SHIFT=1 RATE=2 SCALE=${BENCH_SCALE:-0.05}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpicc -O2 $(pkg-config --cflags openblas) -o "$tmp/bare" bench/mpi_bare.c \
  $(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
run() { timeout -k 5 300 mpirun --oversubscribe -n $((N + 1)) "$@"; }
NA=${BENCH_NA:-$(( $(nproc) - 1 < 8 ? $(nproc) - 1 : 8 ))}
[ "$NA" -ge 1 ] || NA=1
runa() { timeout -k 5 300 mpirun --oversubscribe -n $((NA + 1)) "$@"; }
echo "== per-round time, $NA workers on $(nproc) cores, median of $ROUNDS rounds"
[ "${BENCH_CMA:-1}" = 0 ] && export OMPI_MCA_btl_vader_single_copy_mechanism=none
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%8s %10s %12s %12s %7s %12s %7s\n' d bytes round_s bare_s ratio bare_grad_s ratio
for d in 100 10000 100000; do
  coda-gen --seed 1 "$NA" $((d + 1)) -o "$tmp/Xy.npy"
  runa coda-solve -q --method gd --engine mpi -N "$NA" --step const:1e-6 --iters "$ROUNDS" \
    --trace "$tmp/t.csv" "$tmp/Xy.npy" -o "$tmp/b.npy"
  eng=$(grep -v '^#' "$tmp/t.csv" | tail -n +2 | cut -d, -f6 | median)
  # the engine's messages: a frame header (72 bytes) and its metadata around d doubles
  bytes=$((8 * d + 200))
  bare=$(runa "$tmp/bare" "$bytes" "$bytes" "$ROUNDS")
  # one BLAS thread per worker, as the engine's workers have (coda_blas_serial)
  grad=$(runa -x OPENBLAS_NUM_THREADS=1 "$tmp/bare" "$bytes" "$bytes" "$ROUNDS" "$d")
  awk -v d=$d -v b=$bytes -v e="$eng" -v m="$bare" -v g="$grad" 'BEGIN {
    printf "%8d %10d %12.4g %12.4g %7.2f %12.4g %7.2f\n", d, b, e, m, e / m, g, e / g }'
done
echo
echo "== wall-clock completion, N=$N, --delay shifted-exp:$SHIFT,$RATE --delay-scale $SCALE, mean of $R seeds"
printf '%-8s %3s %7s %11s %11s %7s\n' scheme F load measured formula ratio
coda-gen --seed 2 400 8 -o "$tmp/A.npy"
coda-gen --seed 3 8 1 -o "$tmp/v.npy"
for scheme in uncoded frc mds; do
  s=2; [ $scheme = uncoded ] && s=0
  coda-encode -q --scheme $scheme -N "$N" -s $s --operand "$tmp/v.npy" "$tmp/A.npy" > "$tmp/e.coda"
  plan=$(coda-cat --info --kind plan "$tmp/e.coda")
  F=$(echo "$plan" | sed -n 's/^ *threshold=//p'); load=$(echo "$plan" | sed -n 's/^ *load=//p')
  sum=0
  for seed in $(seq "$R"); do
    t=$(run coda-worker-mpi --delay shifted-exp:$SHIFT,$RATE --delay-scale "$SCALE" --wait-for "$F" \
          --seed "$seed" "$tmp/e.coda" 2>&1 >"$tmp/r.coda" | sed -n 's/.*round time \([^ ]*\) s.*/\1/p')
    coda-decode -q "$tmp/r.coda" > /dev/null
    sum=$(awk -v a="$sum" -v b="$t" 'BEGIN{print a+b}')
  done
  awk -v n="$N" -v f="$F" -v l="$load" -v s="$SHIFT" -v r="$RATE" -v x="$SCALE" -v sum="$sum" -v R="$R" -v sc=$scheme 'BEGIN {
    h = 0; for (k = n - f + 1; k <= n; k++) h += 1 / k
    e = x * l * (s + h / r); m = sum / R
    printf "%-8s %3d %7.4f %11.5f %11.5f %7.3f\n", sc, f, l, m, e, m / e }'
done
