#!/usr/bin/env bash
# papers/hetero-gc.txt's Fig. 3 and Fig. 4 on two convex proxies (specs/hetero-gc.md §4.7).
#
# Part 1, linear regression (spec §4.7's proxy): Gaussian X (ROWS x COLS = 500 x 20),
# y = X beta0 + 3 eps, n = PARTS (20) partitions on k = WORKERS (10) workers,
# p_i = exp(-psi_i (tau - 1)) with psi_i ~ U(0.1, 2) redrawn per run, tau in TAUS ("1.1 1.5"),
# the decaying step gamma_t = 0.5 / lambda_max(X^T X) / (1 + 0.02 t) (in the paper's sum
# convention), ITERS (1000) iterations, RUNS (10) runs; beta* = X^+ y.
#
# Part 2, logistic regression on a real data set: scikit-learn's breast-cancer table (569 x 30,
# Wisconsin diagnostic, labels 0/1; python3-sklearn, installed here through scripts/deps.sh when
# missing), converted at run time to .npy under OUT (never committed). Features standardised
# (mean 0, sd 1) plus an intercept column (569 x 31); coda-solve --loss logistic --l2 LL2 (0.01,
# so that beta* exists and is unique: the table is nearly separable), the step
# gamma_t = (1/L) / (1 + LDECAY t) with L = lambda_max(X^T X)/(4 m) + 2 LL2 the solver's own
# Lipschitz bound (m rows) and LDECAY = 0.002, LITERS (2000) iterations, LRUNS (10) runs;
# beta* and f* by Newton's method in numpy. Same n, k, taus and straggler profile as part 1.
# LOGISTIC=0 skips this part.
#
# Both parts: every method gets the same straggler draws in a run (the same --seed,
# Bernoulli(p_i) per round and worker) and the same p file. Methods: GD (one device, no
# stragglers), Proposed-II (hetero, interval rule), Proposed-I (hetero, star with R-I
# rounding), SGC-mod (sgc-het), OD, EHD (first per group), IS-SGD and BGC, all at replication 2
# where they take one. Metric: ||beta - beta*||^2 / ||beta*||^2 (and for part 2 also the loss
# gap f(beta) - f*), averaged over the runs.
#
# Two x axes: the iteration t (Fig. 3), and the cumulative computation t d (Fig. 4, spec §4.3's
# reading), d = the code's load, partition gradients per iteration summed over the workers and
# divided by n: the "load d" of coda-assign's report for the same code (same options and seed),
# or nnz/n of the matrix coda-assign writes where the scheme reports none (GD: d = 1), averaged
# over the runs (hetero's interval load and BGC's depend on the run's p and seed).
#
# Writes, for part 1 NAME = hetero-gc and for part 2 NAME = hetero-gc-logistic:
#   OUT/NAME.csv        tau, method, iter, metric, loss
#   OUT/NAME-work.csv   tau, method, d, work (= iter d), metric, loss
#   OUT/NAME-TAU.png, OUT/NAME-work-TAU.png   gnuplot (gnuplot-nox, installed here when missing,
#                       as scripts/deps.sh installs; NO_GNUPLOT=1: CSV only)
# and prints the metric at the last iteration (part 1 next to the spec's proxy values).
# The script draws each run's p itself (numpy) and gives every method the same file, so it
# loops over the runs rather than using coda-solve --runs, which redraws psi inside the codes
# that take --psi-range (hetero, sgc-het) but keeps a --straggle-probs file fixed, and the
# other baselines (od, ehd, is-sgd, bgc) take their stragglers' p only from such a file.
#   RUNS=10 ITERS=1000 LRUNS=10 LITERS=2000 OUT=examples/out examples/hetero-gc.sh
# With a constant step the linear proxy does not reproduce "Proposed ~ GD" (spec §4.7): the
# unbiased estimators then keep a higher noise floor than the biased ones. Takes about a
# minute on two loaded cores.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
extra=""
[ -z "${NO_GNUPLOT:-}" ] && ! command -v gnuplot > /dev/null && extra="gnuplot-nox"
LOGISTIC=${LOGISTIC:-1}
[ "$LOGISTIC" = 1 ] && ! /usr/bin/python3 -c 'import sklearn' 2> /dev/null && extra="$extra python3-sklearn"
if [ -n "$extra" ]; then
  CODA_DEPS_EXTRA="$extra" scripts/deps.sh || echo "hetero-gc: could not install$extra"
fi
if [ "$LOGISTIC" = 1 ] && ! /usr/bin/python3 -c 'import sklearn' 2> /dev/null; then
  echo "hetero-gc: no python3-sklearn: linear part only"
  LOGISTIC=0
fi
export PATH="$PWD/bin:$PATH"
PY=/usr/bin/python3
ROWS=${ROWS:-500} COLS=${COLS:-20} PARTS=${PARTS:-20} WORKERS=${WORKERS:-10}
ITERS=${ITERS:-1000} RUNS=${RUNS:-10} TAUS=${TAUS:-"1.1 1.5"} OUT=${OUT:-examples/out}
LITERS=${LITERS:-2000} LRUNS=${LRUNS:-10} LL2=${LL2:-0.01} LDECAY=${LDECAY:-0.002}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
methods="GD Proposed-II Proposed-I SGC-mod OD EHD IS-SGD BGC"
# coda-solve's options for a method; P is the run's p file
args() {
  case $1 in
    GD) echo "--scheme uncoded -N 1" ;;
    Proposed-II) echo "--scheme hetero --straggle-probs $2" ;;
    Proposed-I) echo "--scheme hetero --scheme-opt construction=star --straggle-probs $2" ;;
    SGC-mod) echo "--scheme sgc-het --straggle-probs $2" ;;
    OD) echo "--scheme od --straggle-probs $2" ;;
    EHD) echo "--scheme ehd --straggle-probs $2" ;;
    IS-SGD) echo "--scheme is-sgd --straggle-probs $2" ;;
    BGC) echo "--scheme bgc --straggle-probs $2" ;;
  esac
}
# the same code through coda-assign: the baselines build no code from p (their stragglers'
# p reach only coda-solve's worker stage), so only hetero and sgc-het get the file
assign_args() {
  case $1 in
    GD) echo "--scheme uncoded -N 1" ;;
    Proposed-II) echo "--scheme hetero --straggle-probs $2 -N $WORKERS -K $PARTS" ;;
    Proposed-I) echo "--scheme hetero --construction star --straggle-probs $2 -N $WORKERS -K $PARTS" ;;
    SGC-mod) echo "--scheme sgc-het --straggle-probs $2 -N $WORKERS -K $PARTS" ;;
    OD) echo "--scheme od -N $WORKERS -K $PARTS" ;;
    EHD) echo "--scheme ehd -N $WORKERS -K $PARTS" ;;
    IS-SGD) echo "--scheme is-sgd -N $WORKERS -K $PARTS" ;;
    BGC) echo "--scheme bgc -N $WORKERS -K $PARTS" ;;
  esac
}
# the load d of method $1's code for p file $2 and seed $3
load_of() {
  local rep d
  # shellcheck disable=SC2046
  rep=$(coda-assign $(assign_args "$1" "$2") --seed "$3" -o "$tmp/G.npy" 2>&1)
  d=$(printf '%s\n' "$rep" | sed -n 's/.*load d \([0-9.e+-]*\).*/\1/p' | head -1)
  [ -n "$d" ] || d=$("$PY" -c "
import numpy as np
G = np.load('$tmp/G.npy'); print(np.count_nonzero(G) / G.shape[1])")
  echo "$d"
}
# part NAME X Y BSTAR STEP NRUNS NITERS [coda-solve options...]: every method, every tau
part() {
  local name=$1 X=$2 Y=$3 B=$4 step=$5 nruns=$6 niters=$7
  shift 7
  local csv="$OUT/$name.csv" work="$OUT/$name-work.csv" tau run m n
  echo "tau,method,iter,metric,loss" > "$csv"
  echo "tau,method,d,work,metric,loss" > "$work"
  for tau in $TAUS; do
    : > "$tmp/runs.csv"
    : > "$tmp/loads.csv"
    for run in $(seq "$nruns"); do
      "$PY" -c "
import numpy as np
r = np.random.default_rng(1000 + $run)
np.savetxt('$tmp/p.csv', np.exp(-r.uniform(0.1, 2, $WORKERS) * ($tau - 1)), fmt='%.17g')"
      for m in $methods; do
        n=(-N "$WORKERS" -K "$PARTS")
        [ "$m" = GD ] && n=()
        # shellcheck disable=SC2046
        coda-solve -q --method gd $(args "$m" "$tmp/p.csv") "${n[@]}" "$@" --step "$step" \
          --iters "$niters" --seed "$run" --reference "$B" --trace "$tmp/t.csv" "$X" "$Y" \
          -o "$tmp/b.npy"
        grep -v '^#' "$tmp/t.csv" | tail -n +2 | awk -F, -v m="$m" -v r="$run" \
          '{ print m "," r "," $1 "," $4 * $4 "," $2 }' >> "$tmp/runs.csv"
        echo "$m,$(load_of "$m" "$tmp/p.csv" "$run")" >> "$tmp/loads.csv"
      done
    done
    awk -F, -v tau="$tau" '{ s[$1 "," $3] += $4; l[$1 "," $3] += $5; n[$1 "," $3]++ }
      END { for (k in s) printf "%s,%s,%.17g,%.17g\n", tau, k, s[k] / n[k], l[k] / n[k] }' \
      "$tmp/runs.csv" | sort -t, -k2,2 -k3,3n > "$tmp/mean.csv"
    cat "$tmp/mean.csv" >> "$csv"
    awk -F, 'NR == FNR { s[$1] += $2; c[$1]++; next }
      { d = s[$2] / c[$2]; printf "%s,%s,%.17g,%.17g,%s,%s\n", $1, $2, d, $3 * d, $4, $5 }' \
      "$tmp/loads.csv" "$tmp/mean.csv" >> "$work"
  done
  echo "wrote $csv $work"
}
# at CSV $1, tau $2, method $3, iteration $4: column $5
final() {
  awk -F, -v t="$2" -v m="$3" -v it="$4" -v c="$5" \
    '$1 == t && $2 == m && $3 == it { print $c }' "$1"
}
# plot NAME TAU: the metric against t and against t d
plot() {
  local name=$1 tau=$2 title=$3 m lo what col file xlabel p
  for what in iter work; do
    if [ $what = iter ]; then file="$OUT/$name.csv" col=3 xlabel=iteration p="$OUT/$name-$tau.png"
    else file="$OUT/$name-work.csv" col=4 p="$OUT/$name-work-$tau.png"
      xlabel="cumulative computation t d (partition gradients / n)"
    fi
    local mc=$((col + 1)) cmd=""
    [ $what = work ] && mc=5
    for m in $methods; do
      awk -F, -v t="$tau" -v m="$m" -v x="$col" -v y="$mc" '$1 == t && $2 == m { print $x, $y }' \
        "$file" > "$tmp/$m.dat"
      cmd="$cmd${cmd:+, }\"$tmp/$m.dat\" using 1:2 with lines title \"$m\""
    done
    # the coded methods' range: GD falls to round-off, below the plot
    lo=$(awk -F, -v t="$tau" -v y="$mc" 'NR > 1 && $1 == t && $2 != "GD" && $y > 0 &&
      (m == "" || $y < m) { m = $y } END { print m / 2 }' "$file")
    gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set output "$p"
set xlabel "$xlabel"
set ylabel "||beta - beta*||^2 / ||beta*||^2"
set logscale y
set yrange [$lo:2]
set key outside right
set title "$title"
plot $cmd
GP
    echo "wrote $p"
  done
}

# part 1: the data, beta* = X^+ y, and the step in coda-solve's mean convention: its gradient
# is (2/ROWS) times the paper's sum, so gamma_coda = gamma_paper ROWS / 2
G0=$("$PY" -c "
import numpy as np
r = np.random.default_rng(1)
X = r.standard_normal(($ROWS, $COLS)); y = X @ r.standard_normal($COLS) + 3 * r.standard_normal($ROWS)
np.save('$tmp/X.npy', X); np.save('$tmp/y.npy', y.reshape(-1, 1))
np.save('$tmp/bstar.npy', np.linalg.lstsq(X, y, rcond=None)[0].reshape(-1, 1))
print(repr(0.5 / np.linalg.eigvalsh(X.T @ X).max() * $ROWS / 2))")
part hetero-gc "$tmp/X.npy" "$tmp/y.npy" "$tmp/bstar.npy" "decay:$G0,0.02" "$RUNS" "$ITERS"
csv="$OUT/hetero-gc.csv"
echo "== linear: ||beta - beta*||^2 / ||beta*||^2 at iteration $ITERS, mean of $RUNS runs" \
  "(k = $WORKERS, n = $PARTS); spec §4.7's proxy in brackets; d the mean load"
declare -A spec=([GD,1.1]=1.5e-29 [GD,1.5]=1.5e-29 [Proposed-II,1.1]=1.0e-3 [Proposed-II,1.5]=1.7e-4
  [Proposed-I,1.1]=1.3e-3 [Proposed-I,1.5]=2.1e-4 [SGC-mod,1.1]=1.1e-3 [SGC-mod,1.5]=2.8e-4
  [OD,1.1]=3.6e-3 [OD,1.5]=2.2e-3 [EHD,1.1]=5.8e-3 [EHD,1.5]=3.2e-3 [IS-SGD,1.1]=5.8e-3
  [IS-SGD,1.5]=4.6e-3 [BGC,1.1]=1.1e-2 [BGC,1.5]=1.1e-2)
printf '%-12s' method; for tau in $TAUS; do printf ' %22s %5s' "tau=$tau" d; done; echo
for m in $methods; do
  printf '%-12s' "$m"
  for tau in $TAUS; do
    v=$(final "$csv" "$tau" "$m" "$ITERS" 4)
    d=$(awk -F, -v t="$tau" -v m="$m" '$1 == t && $2 == m { print $3; exit }' "$OUT/hetero-gc-work.csv")
    printf ' %10.2e [%9s] %5.3g' "${v:-nan}" "${spec[$m,$tau]:-}" "${d:-nan}"
  done
  echo
done

# part 2: the breast-cancer table, standardised, with an intercept; beta* and f* by Newton
if [ "$LOGISTIC" = 1 ]; then
  L=$("$PY" -c "
import numpy as np
from sklearn.datasets import load_breast_cancer
b = load_breast_cancer()
X = (b.data - b.data.mean(0)) / b.data.std(0)
X = np.hstack([X, np.ones((X.shape[0], 1))]); y = b.target.astype(float)
m, l2 = X.shape[0], $LL2
beta = np.zeros(X.shape[1])
for _ in range(100):
    s = 1 / (1 + np.exp(-X @ beta))
    g = X.T @ (s - y) / m + 2 * l2 * beta
    H = (X.T * (s * (1 - s))) @ X / m + 2 * l2 * np.eye(X.shape[1])
    beta -= np.linalg.solve(H, g)
    if np.linalg.norm(g) < 1e-15: break
z = X @ beta
fstar = np.mean(np.logaddexp(0, z) - y * z) + l2 * beta @ beta
np.save('$OUT/breast-cancer-X.npy', X); np.save('$OUT/breast-cancer-y.npy', y.reshape(-1, 1))
np.save('$OUT/breast-cancer-bstar.npy', beta.reshape(-1, 1))
print(repr(np.linalg.eigvalsh(X.T @ X).max() / (4 * m) + 2 * l2), repr(fstar))")
  read -r Lip fstar <<< "$L"
  G0=$(awk -v l="$Lip" 'BEGIN { printf "%.17g", 1 / l }')
  part hetero-gc-logistic "$OUT/breast-cancer-X.npy" "$OUT/breast-cancer-y.npy" \
    "$OUT/breast-cancer-bstar.npy" "decay:$G0,$LDECAY" "$LRUNS" "$LITERS" --loss logistic --l2 "$LL2"
  csv="$OUT/hetero-gc-logistic.csv"
  echo "== logistic (breast cancer, 569 x 31, l2 = $LL2, f* = $fstar): ||beta - beta*||^2 /" \
    "||beta*||^2 and f - f* at iteration $LITERS, mean of $LRUNS runs; d the mean load"
  printf '%-12s' method; for tau in $TAUS; do printf ' %21s %9s %5s' "tau=$tau err" "f-f*" d; done; echo
  for m in $methods; do
    printf '%-12s' "$m"
    for tau in $TAUS; do
      v=$(final "$csv" "$tau" "$m" "$LITERS" 4)
      f=$(final "$csv" "$tau" "$m" "$LITERS" 5)
      d=$(awk -F, -v t="$tau" -v m="$m" '$1 == t && $2 == m { print $3; exit }' \
        "$OUT/hetero-gc-logistic-work.csv")
      printf ' %21.2e %9.2e %5.3g' "${v:-nan}" "$(awk -v f="${f:-nan}" -v s="$fstar" \
        'BEGIN { print f - s }')" "${d:-nan}"
    done
    echo
  done
fi

if command -v gnuplot > /dev/null; then
  for tau in $TAUS; do
    plot hetero-gc "$tau" \
      "linear, tau_th = $tau, k = $WORKERS, n = $PARTS, mean of $RUNS runs (GD leaves the plot: round-off)"
    [ "$LOGISTIC" = 1 ] && plot hetero-gc-logistic "$tau" \
      "logistic (breast cancer), tau_th = $tau, k = $WORKERS, n = $PARTS, mean of $LRUNS runs"
  done
else
  echo "no gnuplot (CODA_DEPS_EXTRA=gnuplot-nox scripts/deps.sh): no PNG"
fi
