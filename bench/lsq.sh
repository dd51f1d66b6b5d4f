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
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
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
