#!/usr/bin/env bats
# coda-cat: conversions, bit-exact round trips, numpy interop both ways, frame listing and
# selection, usage errors.
load helper

mk() { # a 6 x 4 matrix of awkward doubles, as .npy written by numpy
  npy "rng=np.random.default_rng(5); a=rng.standard_normal((6,4))*10.0**rng.integers(-300,300,(6,4)); a[0,0]=-0.0; a[1,1]=5e-324; a[2,2]=1/3; np.save('a.npy', a)"
}

@test "help and version" {
  run coda-cat --help
  assert_success
  assert_output --partial "Usage: coda-cat"
  run coda-cat --version
  assert_success
  assert_output --partial "coda"
}

@test "unknown option and bad --kind are usage errors (exit 2)" {
  run coda-cat --bogus
  assert_failure 2
  run coda-cat --kind nope
  assert_failure 2
  assert_output --partial "unknown kind"
  run coda-cat -f xls a
  assert_failure 2
}

@test "round trips bin, csv, tsv, npy, mtx are bit-exact" {
  mk
  coda-cat a.npy -o a.coda
  for f in csv tsv npy mtx; do
    coda-cat a.coda -o "b.$f"
    coda-cat "b.$f" -o "back.$f.coda"
    cmp a.coda "back.$f.coda" || { echo "format $f differs"; return 1; }
  done
}

@test "numpy reads what we write, bit for bit" {
  mk
  coda-cat a.npy -f csv > a.csv
  coda-cat a.csv -o b.npy
  npy "a=np.load('a.npy'); b=np.load('b.npy'); assert a.shape==b.shape and a.tobytes()==b.tobytes()"
  npy "a=np.load('a.npy'); b=np.loadtxt('a.csv', delimiter=','); assert (a.view(np.int64)==b.view(np.int64)).all()"
}

@test "we read what numpy writes: dtypes, orders, versions" {
  npy "
a=np.arange(12.0).reshape(3,4)+0.5
np.save('c.npy', a); np.save('f.npy', np.asfortranarray(a))
np.save('be.npy', a.astype('>f8')); np.save('f4.npy', a.astype('<f4'))
np.save('i4.npy', (a*2).astype('<i4')); np.save('i8.npy', (a*2).astype('<i8'))
np.save('v.npy', np.arange(5.0))
from numpy.lib import format as F
with open('v2.npy','wb') as fh: F.write_array(fh, a, version=(2,0))
with open('v3.npy','wb') as fh: F.write_array(fh, a, version=(3,0))
"
  for f in c f be f4 v2 v3; do
    run coda-cat -f csv $f.npy
    assert_success
    assert_line --index 0 "0.5,1.5,2.5,3.5"
    assert_line --index 2 "8.5,9.5,10.5,11.5"
  done
  run coda-cat -f csv i4.npy
  assert_line --index 0 "1,3,5,7"
  run coda-cat -f csv i8.npy
  assert_line --index 2 "17,19,21,23"
  run coda-cat -f csv v.npy
  assert_success
  assert_equal "${#lines[@]}" 5
}

@test "npy header is 64-byte aligned and Fortran ordered" {
  printf '1,2\n3,4\n' > s.csv
  coda-cat s.csv -o s.npy
  npy "
import numpy.lib.format as F
f=open('s.npy','rb'); v=F.read_magic(f); F.read_array_header_1_0(f); assert f.tell()%64==0
a=np.load('s.npy'); assert a.flags.f_contiguous and a.tolist()==[[1,2],[3,4]]"
}

@test "csv: header row, comments, blank lines, CRLF, TSV detection" {
  printf '# a comment\nx,y\n\n1,2\r\n  # another\n3,4\n' > h.csv
  run coda-cat -f csv h.csv
  assert_success
  assert_output "$(printf 'x,y\n1,2\n3,4')"
  printf '1\t2\n3\t4\n' > t.tsv
  run coda-cat -f csv t.tsv
  assert_output "$(printf '1,2\n3,4')"
}

@test "matrix market: coordinate, symmetric, skew-symmetric, pattern, integer" {
  printf '%%%%MatrixMarket matrix coordinate real symmetric\n%% c\n3 3 2\n2 1 5.5\n3 3 1\n' > s.mtx
  run coda-cat -f csv s.mtx
  assert_output "$(printf '0,5.5,0\n5.5,0,0\n0,0,1')"
  printf '%%%%MatrixMarket matrix coordinate integer skew-symmetric\n2 2 1\n2 1 3\n' > k.mtx
  run coda-cat -f csv k.mtx
  assert_output "$(printf '0,-3\n3,0')"
  printf '%%%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n' > p.mtx
  run coda-cat -f csv p.mtx
  assert_output "$(printf '0,0,1\n1,0,0')"
  printf '%%%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n' > a.mtx
  run coda-cat -f csv a.mtx
  assert_output "$(printf '1,2\n2,3')"
}

@test "frames concatenate; --info lists them; --kind, --tag, --frame select" {
  printf '1,2\n' > a.csv
  printf '3\n4\n' > b.csv
  coda-cat a.csv > a.coda
  coda-cat b.csv > b.coda
  cat a.coda b.coda a.coda | coda-cat --info > info.txt
  run cat info.txt
  assert_line --index 0 --partial "frame 0 at byte 0: matrix 1 x 2 float64"
  assert_line --index 1 --partial "frame 1 at byte 88: matrix 2 x 1 float64"
  cat a.coda b.coda | coda-cat --frame 1 -f csv > sel.csv
  run cat sel.csv
  assert_output "$(printf '3\n4')"
  run coda-cat --frame 5 a.coda -f csv
  assert_failure 1
  assert_output --partial "frame 5 not found"
}

@test "selecting by kind and tag in a pipeline stream" {
  printf '1,2\n3,4\n5,6\n7,8\n' > A.csv
  coda-encode --scheme frc -N 4 -s 1 -q --operand <(printf '1\n1\n') A.csv > s.coda
  run coda-cat --info --kind task s.coda
  assert_success
  assert_equal "$(echo "$output" | grep -c ': task ')" 4
  run coda-cat --kind task --tag worker=3 -f csv s.coda
  assert_success
  assert_output "$(printf '5,6\n7,8')"
  run coda-cat --tag color=1 s.coda
  assert_failure 2
}

@test "several frames to a one-matrix format is an error, not a partial file" {
  printf '1\n' > a.csv
  coda-cat a.csv a.csv > two.coda
  run coda-cat two.coda -f npy -o two.npy
  assert_failure 1
  assert_output --partial "holds one matrix"
}

@test "the same input gives the same bytes through a pipe and through files" {
  mk
  coda-cat a.npy -o x.coda
  coda-cat < a.npy > y.coda
  cmp x.coda y.coda
}

@test "reads float32, big-endian and row-major frames written by another producer" {
  "$PY" - <<'PY'
import struct
def frame(order, dtype, storage, vals, rows, cols):
    e = '<' if order == b'L' else '>'
    fmt = 'd' if dtype == 1 else 'f'
    h = b'CODA' + bytes([1]) + order + bytes([1, dtype]) + storage + b'\0\0\0'
    h += struct.pack(e + 'IQQ', 0, rows, cols) + struct.pack(e + '4q', -1, -1, -1, -1)
    h += struct.pack(e + 'Q', rows * cols * (8 if dtype == 1 else 4))
    return h + struct.pack(e + str(len(vals)) + fmt, *vals)
# the matrix [[1, 2.5, 3], [4, 5, -6]] stored three ways
open('f32.coda', 'wb').write(frame(b'L', 2, b'C', [1, 4, 2.5, 5, 3, -6], 2, 3))
open('be.coda', 'wb').write(frame(b'B', 1, b'C', [1, 4, 2.5, 5, 3, -6], 2, 3))
open('rm.coda', 'wb').write(frame(b'B', 2, b'R', [1, 2.5, 3, 4, 5, -6], 2, 3))
PY
  for f in f32 be rm; do
    run coda-cat -f csv $f.coda
    assert_success
    assert_output "$(printf '1,2.5,3\n4,5,-6')"
  done
  run coda-cat --info f32.coda
  assert_output --partial "matrix 2 x 3 float32"
}

@test "make install puts programs and man pages under PREFIX" {
  make -s -C "$ROOT" install PREFIX="$T/inst" >/dev/null
  [ -x "$T/inst/bin/coda-cat" ]
  [ -f "$T/inst/share/man/man5/coda-format.5" ]
  [ -f "$T/inst/share/man/man7/coda.7" ]
  run "$T/inst/bin/coda-cat" --version
  assert_success
}
