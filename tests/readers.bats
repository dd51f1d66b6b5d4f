#!/usr/bin/env bats
# The text readers and writers: CSV/TSV/blank-separated text and Matrix Market, on the inputs
# fuzzing found (testdata/bad/F*, copied from the bug repros; the large ones, F05 and F14, are
# generated here; F10 and F11 are valid inputs that did not survive a conversion) and the formats
# numpy writes.
load helper

# one line on stderr naming the program and the input, exit 1
one_error() {
  assert_failure 1
  assert_output --partial "coda-cat: $1"
  [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "F03: an array file declaring 0 x 2e16 is refused at once, not looped over" {
  run timeout 5 coda-cat -f csv "$DATA/bad/F03-mtx-array-0xhuge-hang.mtx"
  one_error "$DATA/bad/F03-mtx-array-0xhuge-hang.mtx:2: a 0 x 19947631222711744 matrix: one row of it needs"
  # the other shapes that hold no entries, each with a dimension no row or column could have
  for head in 'array real general\n19947631222711744 0' 'coordinate real general\n0 19947631222711744 0' \
              'array real symmetric\n0 0\n1' 'array real skew-symmetric\n1 1\n1'; do
    printf "%%%%MatrixMarket matrix $head\n" > v.mtx
    run timeout 5 coda-cat -f bin -o v.coda v.mtx
    [ "$status" -ne 124 ]
  done
  # a 0 x 0 or skew 1 x 1 file holds nothing but is no error; the extra "1" above is one
  printf '%%%%MatrixMarket matrix array real skew-symmetric\n1 1\n' > k.mtx
  run coda-cat --info k.mtx
  assert_success
  assert_output --partial "matrix 1 x 1"
  printf '%%%%MatrixMarket matrix array real symmetric\n0 0\n1\n' > s.mtx
  run coda-cat -f bin s.mtx
  assert_failure 1
  assert_output --partial "more entries than the size line declares"
}

@test "F05: a NUL at the start of a line after the first 64 KiB is an error, not a skipped row" {
  # the repro: 17000 lines '1,2', then NUL '9,9' at byte 68000
  "$PY" -c "import sys; sys.stdout.buffer.write(b'1,2\n' * 17000 + b'\0' + b'9,9\n5,6\n')" > big.csv
  run coda-cat -f csv big.csv
  one_error "big.csv:17001:1: NUL byte in text input"
  # anywhere in a line, named by its column; in the first 64 bytes too, after the first line
  printf '1,2\n3,\0004\n' > mid.csv
  run coda-cat -f csv mid.csv
  one_error "mid.csv:2:3: NUL byte in text input"
}

@test "F06, F06b: a NUL in a Matrix Market file is an error with its position" {
  run coda-cat -f csv "$DATA/bad/F06-mtx-nul-linestart-entry-dropped.mtx"
  one_error "$DATA/bad/F06-mtx-nul-linestart-entry-dropped.mtx:3:1: NUL byte in text input"
  run coda-cat -f csv "$DATA/bad/F06b-mtx-nul-midline-truncated.mtx"
  one_error "$DATA/bad/F06b-mtx-nul-midline-truncated.mtx:3:2: NUL byte in text input"
  printf '%%%%MatrixMarket matrix array real general\0\n1 1\n1\n' > b.mtx
  run coda-cat -f csv b.mtx
  one_error "b.mtx:1:41: NUL byte"
}

@test "F10: header names that need quotes are written quoted, so coda reads its own output" {
  run coda-cat -f csv "$DATA/bad/F10-csv-quoted-header-roundtrip.csv"
  assert_success
  assert_output "$(printf '"x,y",z\n1,2')"
  coda-cat -f csv "$DATA/bad/F10-csv-quoted-header-roundtrip.csv" | coda-cat -f csv > again.csv
  run cat again.csv
  assert_output "$(printf '"x,y",z\n1,2')"
  # awkward names through CSV, TSV and binary: a quote, a tab, blanks, '#', ';', an empty one
  printf '"say ""hi""","a\tb"," lead",#hash,"semi;colon",""\n1,2,3,4,5,6\n' > w.csv
  coda-cat -f tsv w.csv > w.tsv
  coda-cat w.tsv | coda-cat -f csv > w2.csv
  run coda-cat -f csv w.csv
  assert_output "$(cat w2.csv)"
  # Python's csv module reads the same names from coda's output
  run "$PY" -c "import csv; print(next(csv.reader(open('w2.csv'))))"
  assert_output "['say \"hi\"', 'a\\tb', ' lead', '#hash', 'semi;colon', '']"
  run "$PY" -c "import csv; print(next(csv.reader(open('w.tsv'), delimiter='\t')))"
  assert_output "['say \"hi\"', 'a\\tb', ' lead', '#hash', 'semi;colon', '']"
}

@test "F10: columns= that does not name every column (or names a number) is not written" {
  # frames with columns=x,y on a 2 x 3 matrix and columns=5 (lsq's count) on a 2 x 2
  "$PY" - <<'EOF'
import struct
def frame(rows, cols, meta):
    h = b"CODA" + bytes([1]) + b"L" + bytes([1, 1]) + b"C" + b"\0\0\0"
    h += struct.pack("<IQQ", len(meta), rows, cols) + struct.pack("<4q", -1, -1, -1, -1)
    h += struct.pack("<Q", rows * cols * 8)
    return h + meta + struct.pack("<%dd" % (rows * cols), *range(rows * cols))
open("short.coda", "wb").write(frame(2, 3, b"columns=x,y\n"))
open("count.coda", "wb").write(frame(2, 2, b"columns=5\n"))
EOF
  run coda-cat -f csv short.coda
  assert_success
  assert_output "$(printf '0,2,4\n1,3,5')"
  run coda-cat -f tsv count.coda
  assert_output "$(printf '0\t2\n1\t3')"
}

@test "F11: a 2^62 x 0 frame is refused as CSV at once (no 2^62 blank lines)" {
  run timeout 5 coda-cat -f csv "$DATA/bad/F11-bin-2p62x0-endless-csv-output.coda"
  assert_failure 1
  assert_output "coda-cat: stdout: a 4611686018427387904 x 0 matrix has no entries, which CSV and TSV cannot hold (write it as bin, npy or mtx)"
  # the frame itself is valid: it converts to binary, and mtx writes its size line only
  run coda-cat -f mtx "$DATA/bad/F11-bin-2p62x0-endless-csv-output.coda"
  assert_success
  assert_output "$(printf '%%%%MatrixMarket matrix array real general\n4611686018427387904 0')"
  run coda-cat -f tsv -o e.tsv "$DATA/bad/F11-bin-2p62x0-endless-csv-output.coda"
  assert_failure 1
  [ ! -e e.tsv ]
}

@test "F12: messages show control bytes from the input escaped, never raw" {
  run coda-cat "$DATA/bad/F12-meta-escape-sequence-echoed.coda"
  one_error "$DATA/bad/F12-meta-escape-sequence-echoed.coda: frame 0 at byte 0: metadata line '\\x1b[31mRED\\x1b[0m' has no '='"
  printf '1,2\n3,\033]0;pwned\007\r\n' > esc.csv
  printf '%%%%MatrixMarket matrix array real general\n1 1\n\033[2J\n' > esc.mtx
  printf '%%%%MatrixMarket matrix \033[1m real general\n' > banner.mtx
  for f in esc.csv esc.mtx banner.mtx "$DATA/bad/F12-meta-escape-sequence-echoed.coda"; do
    coda-cat -f csv "$f" 2> err.txt && false
    [ "$(LC_ALL=C grep -c "$(printf '[\001-\010\013-\037\177]')" err.txt)" -eq 0 ]
    grep -q '\\x1b' err.txt
  done
  run coda-cat -f csv esc.csv
  assert_output --partial "esc.csv:2:3: not a number: '\\x1b]0;pwned\\x07' (field 2)"
}

@test "F15: overflow and underflow to 0 are errors with a position; subnormals are kept" {
  run coda-cat -f csv "$DATA/bad/F15-csv-1e400-becomes-inf.csv"
  one_error "$DATA/bad/F15-csv-1e400-becomes-inf.csv:2:1: number overflows float64 (magnitude above 1.8e308): '1e400' (field 1)"
  printf '1,-1e400\n' > neg.csv
  run coda-cat -f csv neg.csv
  one_error "neg.csv:1:3: number overflows float64"
  printf '1 2\n3 1e-400\n' > under.txt
  run coda-cat -f csv under.txt
  one_error "under.txt:2:3: number underflows to 0 (nonzero, but below the smallest float64, 4.9e-324): '1e-400' (field 2)"
  printf '%%%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 -1e999\n' > o.mtx
  run coda-cat -f csv o.mtx
  one_error "o.mtx:3:5: value overflows float64"
  printf '%%%%MatrixMarket matrix array real general\n1 1\n1e-999\n' > u.mtx
  run coda-cat -f csv u.mtx
  one_error "u.mtx:3:1: value underflows to 0"
  # written inf and nan, 0 however written, and gradual underflow to the nearest subnormal
  printf 'nan,inf,-inf\n0e-999,3e-324,2.2250738585072014e-308\n' > ok.csv
  coda-cat ok.csv -o ok.npy
  run npy "a = np.load('ok.npy'); t = np.finfo(float).tiny
assert np.isnan(a[0,0]) and a[0,1] == np.inf and a[0,2] == -np.inf
assert a[1,0] == 0 and a[1,1] == np.nextafter(0, 1) and a[1,2] == t, a"
  assert_success
}

@test "F16: Matrix Market integers are parsed exactly, and bounded" {
  # 2^53 + 1 would print as ...992 through a double
  printf '%%%%MatrixMarket matrix coordinate real general\n3 3 1\n9007199254740993 1 1\n' > i.mtx
  run coda-cat -f csv i.mtx
  one_error "i.mtx:3:1: index (9007199254740993,1) outside 3 x 3"
  printf '%%%%MatrixMarket matrix coordinate real general\n3 3 1\n18446744073709551616 1 1\n' > o.mtx
  run coda-cat -f csv o.mtx
  one_error "o.mtx:3:1: row index is too large: '18446744073709551616'"
  printf '%%%%MatrixMarket matrix array real general\n-1 2\n' > n.mtx
  run coda-cat -f csv n.mtx
  one_error "n.mtx:2:1: row count is not a non-negative whole number: '-1'"
  run coda-cat -f bin -o x.coda "$DATA/bad/F16-mtx-dims-rounded-through-double.mtx"
  one_error "$DATA/bad/F16-mtx-dims-rounded-through-double.mtx:2: a 9223372036854775783 x 0 matrix: one column of it needs 73.8 EB"
}

@test "F21: a coordinate file is densified only under CODA_MAX_MEMORY" {
  CODA_MAX_MEMORY=1000000 run coda-cat -f bin -o x.coda "$DATA/bad/F21-mtx-60B-to-3.2GB-dense.mtx"
  one_error "$DATA/bad/F21-mtx-60B-to-3.2GB-dense.mtx:2: densifying 20000 x 20000 needs 3.2 GB, more than the memory limit of 1.0 MB (CODA_MAX_MEMORY, default physical memory)"
  [ ! -e x.coda ]
  # under the limit: 100 x 100 (80 kB) with one entry
  printf '%%%%MatrixMarket matrix coordinate real general\n100 100 1\n100 100 7\n' > s.mtx
  CODA_MAX_MEMORY=1000000 run coda-cat --info s.mtx
  assert_success
  assert_output --partial "matrix 100 x 100"
  # an array file's memory follows its entries, not its size line
  printf '%%%%MatrixMarket matrix array real general\n100000 10\n1\n' > t.mtx
  run coda-cat -f bin t.mtx
  one_error "t.mtx:4: truncated: 1 of 1000000 entries"
}

@test "F14: a 200000-column CSV with a header converts to binary; the names are left out with a warning" {
  "$PY" -c "
n = 200000
print(','.join('col%06d' % j for j in range(n)))
print(','.join(str(j % 7) for j in range(n)))" > wide.csv
  run coda-cat -f bin wide.csv -o x.coda
  assert_success
  assert_output "coda-cat: warning: x.coda: frame 0: the column names (columns=) do not fit in a frame's 1048576 bytes of metadata: left out"
  run coda-cat --info x.coda
  assert_output "x.coda: frame 0 at byte 0: matrix 1 x 200000 float64"
  coda-cat -f csv x.coda > back.csv
  [ "$(cat back.csv)" = "$(sed -n 2p wide.csv)" ]
  run coda-cat -q -f bin wide.csv -o y.coda
  assert_success
  assert_output ""
  # CSV to CSV keeps the names
  coda-cat -f csv wide.csv | cmp - wide.csv
}

@test "blank-separated text: numpy.savetxt's default, aligned columns, bit-exact" {
  npy "rng = np.random.default_rng(7); a = rng.standard_normal((6, 4)) * 10.0 ** rng.integers(-300, 300, (6, 4))
np.save('a.npy', a); np.savetxt('a.txt', a); np.savetxt('h.txt', a, header='w x y z', comments='')
np.savetxt('al.txt', a[:, :2], fmt='%25.17g'); np.savetxt('c.txt', a, header='a header')"
  for f in a.txt h.txt c.txt; do
    coda-cat "$f" -o "${f%.txt}.npy"
    run npy "a = np.load('a.npy'); b = np.load('${f%.txt}.npy'); assert a.tobytes() == b.tobytes(), '$f'"
    assert_success
  done
  coda-cat al.txt -o al.npy
  run npy "a = np.load('a.npy')[:, :2]; b = np.load('al.npy'); assert a.tobytes() == b.tobytes()"
  assert_success
  run coda-cat -f csv h.txt
  assert_line --index 0 "w,x,y,z"
  # several blanks, tabs and CRLF between and around fields
  printf '  1   2   3  \r\n4 5\t\t6\r\n' > sp.txt
  run coda-cat -f csv sp.txt
  assert_output "$(printf '1,2,3\n4,5,6')"
  # a one-column CSV keeps a header with a blank in it
  printf 'mean value\n1\n2\n' > one.csv
  run coda-cat -f csv one.csv
  assert_output "$(printf '"mean value"\n1\n2')"
  # the column of an error counts blank-separated fields
  printf '1 2 3\n4   x 6\n' > bad.txt
  run coda-cat -f csv bad.txt
  one_error "bad.txt:2:5: not a number: 'x' (field 2)"
}

@test "--delimiter forces ',', ';', tab or blanks; an unknown one is a usage error" {
  printf 'a;b\n1.5;2\n3;4\n' > s.txt
  run coda-cat -f csv s.txt
  assert_failure 1
  run coda-cat -f csv --delimiter ';' s.txt
  assert_success
  assert_output "$(printf 'a,b\n1.5,2\n3,4')"
  run coda-cat -f csv -d semicolon s.txt
  assert_output "$(printf 'a,b\n1.5,2\n3,4')"
  # a tab-separated file with a blank inside its values: auto and tab agree, blanks do not
  printf 'x y\tz\n2 3\t4\n' > t.txt
  for d in auto '\t' tab "$(printf '\t')"; do
    run coda-cat -f csv --delimiter "$d" t.txt
    one_error "t.txt:2:1: not a number: '2 3' (field 1)"
  done
  run coda-cat -f csv -d space t.txt
  assert_success
  assert_output "$(printf 'x,y,z\n2,3,4')"
  # blank-separated by detection; forced ',' makes it one column
  printf 'a b\n1 2\n' > c.txt
  run coda-cat -f csv -d ' ' c.txt
  assert_output "$(printf 'a,b\n1,2')"
  run coda-cat -f csv -d , c.txt
  one_error "c.txt:2:1: not a number: '1 2' (field 1)"
  run coda-cat -f csv -d '|' c.txt
  assert_failure 2
  assert_output --partial "option --delimiter: unknown delimiter '|'"
  # binary and Matrix Market input are not affected
  printf '%%%%MatrixMarket matrix array real general\n1 2\n1\n2\n' > m.mtx
  run coda-cat -f csv -d ';' m.mtx
  assert_output "1,2"
}

@test "a UTF-8 byte-order mark at the start is skipped (CSV, blank-separated, Matrix Market)" {
  printf '\357\273\277x,y\n1,2\n' > b.csv
  run coda-cat -f csv b.csv
  assert_success
  assert_output "$(printf 'x,y\n1,2')"
  printf '\357\273\2771 2\n' > b.txt
  run coda-cat -f csv b.txt
  assert_output "1,2"
  printf '\357\273\277%%%%MatrixMarket matrix array real general\n1 1\n5\n' > b.mtx
  run coda-cat -f csv b.mtx
  assert_output "5"
  # not a BOM elsewhere
  printf 'x,y\n1,\357\273\2772\n' > m.csv
  run coda-cat -f csv m.csv
  one_error "m.csv:2:3: not a number: '\\xef\\xbb\\xbf2' (field 2)"
}
