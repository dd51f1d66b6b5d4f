#!/usr/bin/env bats
# coda-encode reads a coda stream or float64 .npy file in place (lib/io/matfile.c): the same
# bytes out as from a pipe (read whole), bad entries refused before anything appears, and the
# input never held whole.
load helper

schemes() {
  printf '0.1\n0.2\n0.3\n0.1\n0.2\n0.1\n' > p.csv
  cat <<'EOF'
uncoded -N 4
rep -N 6 -s 2
frc -N 7 -s 2
mds -N 10 -s 2
mds -N 7 -s 3 --generator chebyshev
mds -N 6 -s 1 -K 4 --op matvec
cyclic -N 8 -s 3 --op grad
rep -N 6 -s 2 --op grad
hetero -N 6 --op grad --straggle-probs p.csv
bgc -N 6 --op grad --replication 2
ehd -N 6 --op grad --replication 2
od -N 6 --op grad --replication 2
sgc-het -N 6 --op grad --straggle-probs p.csv
EOF
}

@test "coda-encode from a file writes the bytes it writes from a pipe, for every G-coded scheme" {
  coda-gen --seed 3 203 7 -o d.coda
  coda-gen --seed 4 7 2 -o B.coda
  coda-gen --seed 6 7 1 -o v.coda
  coda-cat d.coda -o d.npy
  npy "np.save('c.npy', np.ascontiguousarray(np.load('d.npy')))" # C order: read whole
  printf '1 0\n0 1\n1 1\n' > G.csv
  n=0
  while read -r name args; do
    case "$args" in *grad*) op="" ;; *matvec*) op="--operand v.coda" ;; *) op="--operand B.coda" ;; esac
    coda-encode -q --scheme "$name" $args $op --seed 9 < d.coda > pipe.coda
    for input in d.coda d.npy c.npy; do
      coda-encode -q --scheme "$name" $args $op --seed 9 "$input" -o file.coda
      cmp pipe.coda file.coda || { echo "$name $args from $input (-o) differs"; return 1; }
      coda-encode -q --scheme "$name" $args $op --seed 9 "$input" > out.coda
      cmp pipe.coda out.coda || { echo "$name $args from $input (stdout) differs"; return 1; }
      n=$((n + 1))
    done
  done < <(schemes)
  [ "$n" -eq 39 ]
  # an assignment, and a stream whose matrix is not its first frame
  coda-encode -q --assign G.csv --operand B.coda < d.coda > pipe.coda
  coda-encode -q --assign G.csv --operand B.coda d.coda -o file.coda
  cmp pipe.coda file.coda
  coda-encode -q --scheme cyclic -N 4 -s 1 --op grad d.coda > enc.coda # PLAN and TASK frames
  coda-cat enc.coda d.coda > mixed.coda
  coda-encode -q --scheme mds -N 4 -s 1 --operand B.coda < mixed.coda > pipe.coda
  coda-encode -q --scheme mds -N 4 -s 1 --operand B.coda mixed.coda -o file.coda
  cmp pipe.coda file.coda
}

@test "coda-encode from a file: a NaN is refused with its position, leaving no output" {
  npy "a = np.ones((300, 4)); a[250, 2] = np.nan; np.save('nan.npy', np.asfortranarray(a))"
  coda-cat nan.npy -o nan.coda
  echo keep > old.coda
  for input in nan.npy nan.coda; do
    # into a file (renamed into place at the end): found as the data is read
    run coda-encode -q --scheme mds -N 5 -s 1 "$input" -o old.coda
    assert_failure 1
    assert_output "coda-encode: $input: the data entry (251,3) is NaN"
    [ "$(cat old.coda)" = keep ]
    [ "$(ls | grep -c '^\.\?old\.coda\.')" -eq 0 ] # no temporary left
    # to stdout: found before the stream begins
    coda-encode -q --scheme mds -N 5 -s 1 "$input" > out.coda 2> err.txt && return 1
    [ ! -s out.coda ]
    grep -qx "coda-encode: $input: the data entry (251,3) is NaN" err.txt
  done
}

@test "coda-encode from a file holds less than its input" {
  coda-gen --seed 1 100000 60 -o big.coda # 48 MB
  peak=$("$PY" -c "
import resource, subprocess, sys
subprocess.run(['coda-encode', '-q', '--scheme', 'mds', '-N', '10', '-s', '2', 'big.coda', '-o', 'e.coda'], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)") # KB
  size=$(($(stat -c %s big.coda) / 1024))
  echo "peak $peak KB, input $size KB"
  # two parities of an eighth each, a piece, the libraries: well under the input itself
  [ "$peak" -lt $((size * 3 / 4)) ]
  coda-encode -q --scheme mds -N 10 -s 2 < big.coda | cmp - e.coda
}
