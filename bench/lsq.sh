#!/usr/bin/env bash
# Least-squares benchmark (a measurement, never a test): coda-solve --method precond against a
# plain LAPACKE_dgels call on the same problem in the same run.
# Problems: A = U diag(s) V^T from coda-gen --kind svd, kappa BENCH_KAPPA (100), incoherent
#   (Haar U) and coherent (--coherent: the leverage sits on the first d rows); b ~ N(0, I), a
#   large residual, the harder case for sketch-and-precondition (its start x0 is worst when b is
#   far from range(A)). Shapes BENCH_SHAPES ("50000x500 200000x200").
# Times, best of BENCH_REPS (3), the two programs interleaved so that drift in the machine's load
#   hits both:
#   compute  coda-solve's own solve time (its summary line) against dgels alone;
#   wall     the whole programs, each reading the same file.
# Accuracy: ||x - x_dgels|| / ||x_dgels|| (the target is 1e-12), and in the fit,
#   ||A (x - x_dgels)|| / ||A x_dgels||, what the stopping rule bounds by about --tol.
# coda-solve options: BENCH_SOLVE_OPTS (default none: the default tolerance, 1e-13 on the fit).
# Then the end-to-end table from .npy files against numpy and scipy (below).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
CODA_DEPS_EXTRA=python3-scipy scripts/deps.sh # the end-to-end baselines (benchmarks only)
export PATH="$PWD/bin:$PATH"
SHAPES=${BENCH_SHAPES:-"50000x500 200000x200"} REPS=${BENCH_REPS:-3} KAPPA=${BENCH_KAPPA:-100}
OPTS=${BENCH_SOLVE_OPTS:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -std=c17 -D_DEFAULT_SOURCE $(pkg-config --cflags lapacke openblas) -o "$tmp/baseline" \
  bench/baseline.c lib/libcoda.a $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
best() { sort -g | head -1; }
calc() { awk "BEGIN { print $1 }"; }
now() { date +%s.%N; }
if [ -z "${BENCH_E2E_ONLY:-}" ]; then # BENCH_E2E_ONLY=1: only the end-to-end table
echo "== coda-solve --method precond $OPTS against LAPACKE_dgels, kappa $KAPPA, b ~ N(0,I)," \
  "best of $REPS (threads: ${OPENBLAS_NUM_THREADS:-all})"
printf '%-11s %-10s %-8s %6s %9s %9s %7s %9s %9s %7s %10s %10s\n' shape A R iters "precond" \
  dgels ratio "wall" "wall" ratio "rel.err" "fit err"
for shape in $SHAPES; do
  n=${shape%x*} d=${shape#*x}
  coda-gen --seed 2 "$n" 1 -o "$tmp/b.coda"
  for kind in incoherent coherent; do
    flag=; [ $kind = coherent ] && flag=--coherent
    coda-gen --kind svd --kappa "$KAPPA" $flag --seed 1 "$n" "$d" -o "$tmp/A.coda"
    : > "$tmp/pc" ; : > "$tmp/pw" ; : > "$tmp/gc" ; : > "$tmp/gw"
    for r in $(seq "$REPS"); do
      t0=$(now)
      coda-solve $OPTS "$tmp/A.coda" "$tmp/b.coda" -o "$tmp/xp.coda" 2> "$tmp/log"
      t1=$(now)
      calc "$t1 - $t0" >> "$tmp/pw"
      sed -n 's/.*, \([0-9.]*\) s$/\1/p' "$tmp/log" >> "$tmp/pc"
      iters=$(sed -n 's/.*, \([0-9]*\) iterations.*/\1/p' "$tmp/log")
      factor=$(sed -n 's/.*R by \([a-z]*\),.*/\1/p' "$tmp/log")
      t0=$(now)
      "$tmp/baseline" gels "$tmp/A.coda" "$tmp/b.coda" > "$tmp/xg.coda" 2>> "$tmp/gc"
      t1=$(now)
      calc "$t1 - $t0" >> "$tmp/gw"
    done
    pc=$(best < "$tmp/pc") gc=$(best < "$tmp/gc") pw=$(best < "$tmp/pw") gw=$(best < "$tmp/gw")
    err=$("$tmp/baseline" relerr "$tmp/xp.coda" "$tmp/xg.coda")
    fit=$("$tmp/baseline" fiterr "$tmp/A.coda" "$tmp/xp.coda" "$tmp/xg.coda")
    printf '%-11s %-10s %-8s %6s %9.3f %9.3f %7.2f %9.3f %9.3f %7.2f %10s %10s\n' "$shape" \
      $kind "$factor" "$iters" "$pc" "$gc" "$(calc "$gc / $pc")" "$pw" "$gw" "$(calc "$gw / $pw")" \
      "$err" "$fit"
  done
done
echo "(ratio = dgels time / precond time; rel.err = ||x_precond - x_dgels|| / ||x_dgels||;" \
  "fit err = ||A (x_precond - x_dgels)|| / ||A x_dgels||)"
fi

# End to end from .npy, the way numpy users arrive: A in C order (as np.save writes an array)
# and a 1-D b, in .npy files; each program reads them, solves and writes x to a .npy file.
# coda-solve --method precond against numpy's np.linalg.lstsq (gelsd) and scipy's
# scipy.linalg.lstsq(lapack_driver='gelsy'), on the same OpenBLAS, whole processes interleaved
# (BENCH_E2E_REPS, default 5: best and range), the python ones with their start-up; "in
# process" is python's own clock from the first load to the last save, "solve" the solve alone
# (coda-solve's summary line). Accuracy against LAPACKE_dgels on the same files: rel.err
# ||x - x_dgels|| / ||x_dgels||, fit err ||A (x - x_dgels)|| / ||A x_dgels||, and the relative
# residual ||A x - b|| / ||b|| of each (equal to many digits when the accuracies are equal).
# BENCH_E2E_ORDER=F stores A in Fortran order instead; BENCH_E2E_KIND=coherent the other A.
PY=/usr/bin/python3
E2E_REPS=${BENCH_E2E_REPS:-5} KIND=${BENCH_E2E_KIND:-incoherent} ORDER=${BENCH_E2E_ORDER:-C}
range() { sort -g | awk '{t[NR] = $1} END {printf "%.3f %.3f-%.3f\n", t[1], t[1], t[NR]}'; }
wall() { local t0 t1; t0=$(now); "$@" > /dev/null; t1=$(now); calc "$t1 - $t0"; }
echo
echo "== end to end from .npy: coda-solve --method precond $OPTS against np.linalg.lstsq and" \
  "scipy lstsq (gelsy), $KIND A ($ORDER order) kappa $KAPPA, b ~ N(0,I); $E2E_REPS runs, best (range)"
printf '%-11s %-22s %7s %13s %6s %10s %7s %9s %9s %s\n' shape program wall range "÷coda" \
  "in process" solve rel.err "fit err" "||Ax-b||/||b||"
for shape in $SHAPES; do
  n=${shape%x*} d=${shape#*x}
  flag=; [ "$KIND" = coherent ] && flag=--coherent
  coda-gen --kind svd --kappa "$KAPPA" $flag --seed 1 "$n" "$d" -o "$tmp/A.npy"
  coda-gen --seed 2 "$n" 1 -o "$tmp/b.npy"
  "$PY" -c "import numpy as np
np.save('$tmp/A.npy', np.asarray(np.load('$tmp/A.npy'), order='$ORDER'))
np.save('$tmp/b.npy', np.load('$tmp/b.npy').reshape(-1))"
  "$tmp/baseline" gels "$tmp/A.npy" "$tmp/b.npy" > "$tmp/xg.coda" 2> /dev/null
  bin/coda-cat "$tmp/xg.coda" -o "$tmp/xg.npy"
  for f in cw cs nw ni ns sw si ss; do : > "$tmp/$f"; done
  for r in $(seq "$E2E_REPS"); do
    wall coda-solve --method precond $OPTS "$tmp/A.npy" "$tmp/b.npy" -o "$tmp/xc.npy" \
      2> "$tmp/log" >> "$tmp/cw"
    sed -n 's/.*, \([0-9.]*\) s$/\1/p' "$tmp/log" >> "$tmp/cs"
    wall "$PY" bench/np_baseline.py lstsq numpy "$tmp/A.npy" "$tmp/b.npy" "$tmp/xn.npy" >> "$tmp/nw"
    "$PY" bench/np_baseline.py lstsq numpy "$tmp/A.npy" "$tmp/b.npy" "$tmp/xn.npy" > "$tmp/t"
    read -r a b < "$tmp/t"; echo "$a" >> "$tmp/ni"; echo "$b" >> "$tmp/ns"
    wall "$PY" bench/np_baseline.py lstsq scipy "$tmp/A.npy" "$tmp/b.npy" "$tmp/xs.npy" >> "$tmp/sw"
    "$PY" bench/np_baseline.py lstsq scipy "$tmp/A.npy" "$tmp/b.npy" "$tmp/xs.npy" > "$tmp/t"
    read -r a b < "$tmp/t"; echo "$a" >> "$tmp/si"; echo "$b" >> "$tmp/ss"
  done
  "$PY" bench/np_baseline.py lsqerr "$tmp/A.npy" "$tmp/b.npy" "$tmp/xg.npy" "$tmp/xc.npy" \
    "$tmp/xn.npy" "$tmp/xs.npy" "$tmp/xg.npy" > "$tmp/err"
  read -r cwb cwr < <(range < "$tmp/cw")
  for p in coda numpy scipy dgels; do
    case $p in
      coda) w=$(range < "$tmp/cw") i=- s=$(best < "$tmp/cs") k=1 label="coda-solve precond" ;;
      numpy) w=$(range < "$tmp/nw") i=$(printf %.3f "$(best < "$tmp/ni")") s=$(best < "$tmp/ns") k=2 label="np.linalg.lstsq" ;;
      scipy) w=$(range < "$tmp/sw") i=$(printf %.3f "$(best < "$tmp/si")") s=$(best < "$tmp/ss") k=3 label="scipy lstsq gelsy" ;;
      dgels) k=4 label="(LAPACKE_dgels)" ;;
    esac
    read -r re fe res < <(sed -n "${k}p" "$tmp/err")
    if [ $p = dgels ]; then
      printf '%-11s %-22s %7s %13s %6s %10s %7s %9s %9s %s\n' "$shape" "$label" - - - - - \
        "$re" "$fe" "$res"
      continue
    fi
    read -r wb wr <<< "$w"
    printf '%-11s %-22s %7.3f %13s %6.2f %10s %7.3f %9s %9s %s\n' "$shape" "$label" "$wb" "$wr" \
      "$(calc "$wb / $cwb")" "$i" "$s" "$re" "$fe" "$res"
  done
done
echo "(÷coda: the program's best wall time over coda-solve's; 2.00 = coda twice as fast)"
