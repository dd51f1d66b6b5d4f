#!/usr/bin/env bash
# I/O benchmark (a measurement, never a test): in the same run,
#  - binary frames read+written through a pipe (coda-cat) against cat of the same bytes;
#  - CSV reading (coda-cat --info parses every field) against a bare strtod loop over the
#    same text;
#  - .npy, .npz and binary files read and written by whole coda-cat processes, on an
#    NPY_ROWS x NPY_COLS float64 array (default 50000 x 500, 200 MB), against cat of the same
#    file and numpy's np.load / np.save (timed inside python, so without its start-up), with
#    each coda process's peak memory (/usr/bin/time) against the array's size; the file-to-file
#    rows also against cat copying a file and numpy doing the same job (np.load then np.save
#    or np.savez), .npz into a pipe (its CRC taken first) as well;
#  - CSV and Matrix Market read and written on a TXT_ROWS x TXT_COLS array against cat of the
#    file and np.loadtxt / np.savetxt / scipy.io.mmread / mmwrite.
# Prints the times and the ratios (speed relative to the baseline; 1.0 = as fast).
# Sizes: CSV BENCH_ROWS x BENCH_COLS (default 4000 x 2000, ~150 MB), binary 4x the rows (256 MB).
# The machine may be shared: the best of the runs is kept, and the ratios, taken in the same
# run, are what to compare.
# BENCH_REPS runs each (default 5), best kept.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
CODA_DEPS_EXTRA=python3-scipy scripts/deps.sh # numpy and scipy: the baselines (benchmarks only)
rows=${BENCH_ROWS:-4000} cols=${BENCH_COLS:-2000} reps=${BENCH_REPS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PY=/usr/bin/python3
cc -O2 -std=c17 -D_DEFAULT_SOURCE -o "$tmp/baseline" bench/baseline.c lib/libcoda.a \
  $(pkg-config --libs lapacke openblas) -lcsv -lz -lm -fopenmp
"$tmp/baseline" gen "$((4 * rows))" "$cols" 1 bin > "$tmp/m.coda" # larger: a pipe of 64 MB is over in tens of ms
"$tmp/baseline" gen "$rows" "$cols" 1 csv > "$tmp/m.csv"
best() { # best wall time of $reps runs of "$@"
  local b=1e9 t0 t1
  for _ in $(seq "$reps"); do
    t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
    b=$(echo "$t1 $t0 $b" | awk '{t=$1-$2; print (t<$3)?t:$3}')
  done
  echo "$b"
}
cat "$tmp/m.coda" > /dev/null # warm the page cache
t_cat=$(best bash -c "cat '$tmp/m.coda' | cat | cat > /dev/null")
t_bin=$(best bash -c "cat '$tmp/m.coda' | bin/coda-cat | cat > /dev/null")
t_strtod=$(best bash -c "'$tmp/baseline' strtod '$tmp/m.csv' > /dev/null")
t_csv=$(best bash -c "bin/coda-cat --info '$tmp/m.csv' > /dev/null")
mb_bin=$(du -m "$tmp/m.coda" | cut -f1) mb_csv=$(du -m "$tmp/m.csv" | cut -f1)
awk -v a="$t_cat" -v b="$t_bin" -v c="$t_strtod" -v d="$t_csv" -v mb="$mb_bin" -v mc="$mb_csv" \
    -v r="$rows" -v k="$cols" 'BEGIN {
  printf "binary: %d x %d (%d MB); CSV: %d x %d (%d MB); best of runs\n", 4 * r, k, mb, r, k, mc
  printf "binary through a pipe: cat %.3f s, coda-cat %.3f s -> %.2fx the speed of cat (target >= 0.8)\n", a, b, a / b
  printf "CSV reading: strtod loop %.3f s, coda-cat %.3f s -> %.2fx the speed of strtod (target >= 0.7)\n", c, d, c / d
}'

# .npy / .npz / binary files, whole processes
nr=${NPY_ROWS:-50000} nc=${NPY_COLS:-500}
"$PY" -c "
import numpy as np
a = np.random.default_rng(1).standard_normal(($nr, $nc))
np.save('$tmp/C.npy', a); np.save('$tmp/F.npy', np.asfortranarray(a))
np.save('$tmp/F4.npy', np.asfortranarray(a, dtype='<f4')); np.save('$tmp/BE.npy', a.astype('>f8'))
np.savez('$tmp/S.npz', np.asfortranarray(a))"
bin/coda-cat "$tmp/F.npy" -o "$tmp/A.coda"
bytes=$((nr * nc * 8))
np_times=$("$PY" -c "
import numpy as np, time
def best(f):
    b = 1e9
    for _ in range($reps):
        t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)
    return b
a = np.load('$tmp/F.npy')
# the same jobs as the coda-cat rows: np.save alone (the array already in memory), and file to
# file (np.load then np.save / np.savez)
print(best(lambda: np.load('$tmp/C.npy')), best(lambda: np.save('$tmp/np-out.npy', a)),
      best(lambda: np.save('$tmp/np-out.npy', np.load('$tmp/F.npy'))),
      best(lambda: np.save('$tmp/np-out.npy', np.load('$tmp/C.npy'))),
      best(lambda: np.savez('$tmp/np-out.npz', np.load('$tmp/F.npy'))))")
read -r t_npload t_npsave t_npcopyF t_npcopyC t_npz <<< "$np_times"
t_catf=$(best bash -c "cat '$tmp/F.npy' > /dev/null")
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; } # KB
row() { # label, baseline label, baseline time, command...
  local label=$1 bl=$2 bt=$3; shift 3
  local t; t=$(best "$@")
  local kb; kb=$(peak "$@")
  awk -v l="$label" -v t="$t" -v bl="$bl" -v bt="$bt" -v b="$bytes" -v kb="$kb" 'BEGIN {
    printf "%-34s %.3f s  %5.2f GB/s  %5.2fx %-8s peak %.2fx the array\n", l, t, b / t / 1e9,
           bt / t, bl, kb * 1024 / b }'
}
printf "files: %d x %d float64 (%d MB); cat of the .npy %.3f s, np.load (C order) %.3f s, np.save %.3f s\n" "$nr" "$nc" "$((bytes / 1000000))" "$t_catf" "$t_npload" "$t_npsave"
row "read .npy Fortran order" np.load "$t_npload" bash -c "bin/coda-cat '$tmp/F.npy' -f bin > /dev/null"
row "read .npy C order (transposed)" np.load "$t_npload" bash -c "bin/coda-cat '$tmp/C.npy' -f bin > /dev/null"
row "  (the same against cat)" cat "$t_catf" bash -c "bin/coda-cat '$tmp/C.npy' -f bin > /dev/null"
row "read .npy big-endian C order" np.load "$t_npload" bash -c "bin/coda-cat '$tmp/BE.npy' -f bin > /dev/null"
row "read .npy float32 (converted)" np.load "$t_npload" bash -c "bin/coda-cat '$tmp/F4.npy' -f bin > /dev/null"
row "read .npz stored (CRC checked)" np.load "$t_npload" bash -c "bin/coda-cat '$tmp/S.npz' -f bin > /dev/null"
row "read binary file" cat "$t_catf" bash -c "bin/coda-cat '$tmp/A.coda' -f npy > /dev/null"
t_catcp=$(best bash -c "cat '$tmp/A.coda' > '$tmp/cat-copy'") # a file copied (cat: in the kernel)
printf "file to file: cat copy %.3f s; numpy from the .npy file: np.load+np.save %.3f s (Fortran), %.3f s (C order), np.load+np.savez %.3f s\n" \
  "$t_catcp" "$t_npcopyF" "$t_npcopyC" "$t_npz"
row "binary file -> .npy file" np.save "$t_npsave" bin/coda-cat "$tmp/A.coda" -o "$tmp/out.npy"
row "  (the same against cat copy)" cat "$t_catcp" bin/coda-cat "$tmp/A.coda" -o "$tmp/out.npy"
row ".npy Fortran -> .npy file" load+save "$t_npcopyF" bin/coda-cat "$tmp/F.npy" -o "$tmp/out.npy"
row ".npy C order -> .npy file" load+save "$t_npcopyC" bin/coda-cat "$tmp/C.npy" -o "$tmp/out.npy"
row ".npy file -> binary file" cat "$t_catcp" bin/coda-cat "$tmp/F.npy" -o "$tmp/out.coda"
row "binary file -> binary file" cat "$t_catcp" bin/coda-cat "$tmp/A.coda" -o "$tmp/out.coda"
row "binary file -> .npz file" load+savez "$t_npz" bin/coda-cat "$tmp/A.coda" -o "$tmp/out.npz"
row ".npy file -> .npz file" load+savez "$t_npz" bin/coda-cat "$tmp/F.npy" -o "$tmp/out.npz"
row "binary file -> .npz into a pipe" load+savez "$t_npz" bash -c "bin/coda-cat '$tmp/A.coda' -f npz | cat > '$tmp/out.npz'"
echo "(GB/s: array bytes over the whole process's wall time; the -> rows read and write the array)"

# Text formats, whole processes, on a TXT_ROWS x TXT_COLS float64 array (default 20000 x 50:
# numpy's and scipy's text readers take seconds on more), against cat of the same file and
# np.loadtxt / np.savetxt / scipy.io.mmread / mmwrite doing the same job (timed inside python)
tr=${TXT_ROWS:-20000} tc=${TXT_COLS:-50}
"$tmp/baseline" gen "$tr" "$tc" 2 bin > "$tmp/t.coda"
bin/coda-cat "$tmp/t.coda" -o "$tmp/t.csv"
bin/coda-cat "$tmp/t.coda" -o "$tmp/t.mtx"
txt_times=$("$PY" -c "
import numpy as np, time
def best(f, reps=$reps):
    b = 1e9
    for _ in range(reps):
        t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)
    return b
a = np.loadtxt('$tmp/t.csv', delimiter=',')
r = [best(lambda: np.loadtxt('$tmp/t.csv', delimiter=',')),
     best(lambda: np.savetxt('$tmp/np.csv', a, delimiter=',', fmt='%.17g'))]
try:
    import scipy.io
    r += [best(lambda: scipy.io.mmread('$tmp/t.mtx')),
          best(lambda: scipy.io.mmwrite('$tmp/sp.mtx', a, precision=17))]
except ImportError: # scipy is for the benchmarks only: python3-scipy
    r += [0, 0]
print(*r)")
read -r t_loadtxt t_savetxt t_mmread t_mmwrite <<< "$txt_times"
t_catcsv=$(best bash -c "cat '$tmp/t.csv' > /dev/null") t_catmtx=$(best bash -c "cat '$tmp/t.mtx' > /dev/null")
bytes=$((tr * tc * 8))
printf "text: %d x %d float64; CSV %d MB (cat %.4f s), Matrix Market %d MB (cat %.4f s); np.loadtxt %.3f s, np.savetxt %.3f s, scipy mmread %.3f s, mmwrite %.3f s\n" \
  "$tr" "$tc" "$(du -m "$tmp/t.csv" | cut -f1)" "$t_catcsv" "$(du -m "$tmp/t.mtx" | cut -f1)" "$t_catmtx" \
  "$t_loadtxt" "$t_savetxt" "$t_mmread" "$t_mmwrite"
row "read CSV" np.loadtxt "$t_loadtxt" bash -c "bin/coda-cat '$tmp/t.csv' -f bin > /dev/null"
row "  (the same against cat)" cat "$t_catcsv" bash -c "bin/coda-cat '$tmp/t.csv' -f bin > /dev/null"
row "write CSV (binary file -> .csv)" np.savetxt "$t_savetxt" bin/coda-cat "$tmp/t.coda" -o "$tmp/o.csv"
if [ "$t_mmread" != 0 ]; then
  row "read Matrix Market" mmread "$t_mmread" bash -c "bin/coda-cat '$tmp/t.mtx' -f bin > /dev/null"
  row "write Matrix Market" mmwrite "$t_mmwrite" bin/coda-cat "$tmp/t.coda" -o "$tmp/o.mtx"
else
  echo "(scipy not installed: no Matrix Market baseline; apt-get install python3-scipy)"
fi
row "  (Matrix Market read against cat)" cat "$t_catmtx" bash -c "bin/coda-cat '$tmp/t.mtx' -f bin > /dev/null"
echo "(text rows: GB/s of the array's float64 bytes, not of the text)"
