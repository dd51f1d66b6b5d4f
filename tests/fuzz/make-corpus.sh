#!/usr/bin/env bash
# Seed corpora for the fuzz harnesses, made by the programs themselves (bin/, `make all`):
# matrices in every format, coda-encode streams of every scheme (product codes included),
# coda-worker-sim results, metadata and plans taken from them; plus testdata/bad/* and, where
# the directory exists, ../shared/bug-repros/* (or $CODA_BUG_REPROS) as seeds for the harness of
# their format.
#   tests/fuzz/make-corpus.sh [DIR]   (default build-fuzz/corpus; writes DIR/NAME/ per harness)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz/corpus}
bin=${CODA_BINDIR:-bin}
for p in gen cat encode worker-sim assign; do
  [ -x "$bin/coda-$p" ] || { echo "make-corpus: $bin/coda-$p missing (run make all)" >&2; exit 1; }
done
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
repo=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in stream csv npy mtx meta plan decode; do mkdir -p "$out/$h"; done
out=$(cd "$out" && pwd)
cd "$tmp"
gen() { "$repo/$bin/coda-gen" "$@"; }
cat_() { "$repo/$bin/coda-cat" -q "$@"; }
enc() { "$repo/$bin/coda-encode" -q "$@"; }
sim() { "$repo/$bin/coda-worker-sim" -q "$@"; }

# Matrices, written in every format: the single-format readers' seeds and the stream's.
gen --seed 1 6 4 -o A.coda
gen --seed 2 4 3 -o B.coda
gen --seed 3 4 1 -o v.coda
gen --seed 4 6 1 -o y.coda
gen --seed 5 4 1 -o beta.coda
gen --kind spd --seed 6 4 4 -o S.coda
gen --seed 7 1 1 -o one.coda
gen --seed 8 3000 2 -o big.coda # text over 64 KiB: a line crosses the input buffer's refill
for m in A B v S one big; do
  for f in csv tsv npy mtx; do cat_ -f $f $m.coda -o $m.$f; done
  [ $m = big ] || cp $m.coda "$out/stream/$m.coda"
done
for f in csv tsv; do cp A.$f B.$f v.$f one.$f big.$f "$out/csv/"; done
cp A.npy B.npy v.npy one.npy big.npy "$out/npy/"
cp A.mtx v.mtx one.mtx big.mtx "$out/mtx/"
cp A.csv B.tsv A.npy A.mtx "$out/stream/"
# what the writers do not produce but the readers take
printf '# comment\nx,y,z\n1,2,3\n\n4,"5",6e-3\n' > "$out/csv/header-comment.csv"
printf 'a\tb\n-inf\tnan\n1e308\t-0\n' > "$out/csv/header-special.tsv"
printf '%%%%MatrixMarket matrix coordinate real general\n%% c\n3 2 3\n1 1 1.5\n3 2 -2\n2 1 7\n' \
  > "$out/mtx/coordinate.mtx"
printf '%%%%MatrixMarket matrix coordinate pattern symmetric\n3 3 2\n2 1\n3 3\n' \
  > "$out/mtx/pattern-symmetric.mtx"
printf '%%%%MatrixMarket matrix coordinate integer skew-symmetric\n2 2 1\n2 1 4\n' \
  > "$out/mtx/integer-skew.mtx"
printf '%%%%MatrixMarket matrix array integer symmetric\n2 2\n1\n2\n3\n' \
  > "$out/mtx/array-symmetric.mtx"
# .npy variants the writer does not produce (python3 standard library only, as below)
python3 - "$out/npy" <<'EOF'
import struct, sys
def npy(name, descr, shape, data, fortran=False, version=1):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    pre = 8 + (2 if version == 1 else 4)
    d += " " * ((64 - (pre + len(d) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H" if version == 1 else "<I", len(d))
    with open("%s/%s.npy" % (sys.argv[1], name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, 0]) + size + d.encode() + data)
six = [0.5, -1, 2, 3e-300, float("inf"), -0.0]
npy("c-order", "<f8", (2, 3), struct.pack("<6d", *six))
npy("fortran", "<f8", (2, 3), struct.pack("<6d", *six), fortran=True)
npy("f4", "<f4", (3, 2), struct.pack("<6f", *six))
npy("i4", "<i4", (2, 3), struct.pack("<6i", 1, -2, 3, 4, 5, 2**31 - 1))
npy("i8", "<i8", (3, 2), struct.pack("<6q", 1, -2, 3, 4, 5, 2**53))
npy("be-f8", ">f8", (2, 3), struct.pack(">6d", *six))
npy("vector", "<f8", (4,), struct.pack("<4d", 1, 2, 3, 4))
npy("scalar", "<f8", (), struct.pack("<d", 2.5))
npy("empty", "<f8", (0, 3), b"")
npy("v2", "<f8", (2, 3), struct.pack("<6d", *six), version=2)
npy("v3", "<f8", (2, 3), struct.pack("<6d", *six), version=3)
EOF

# Streams: coda-encode with each scheme and op, then coda-worker-sim with some stragglers.
gen --kind svd --kappa 10 --seed 9 8 3 -o L.coda
"$repo/$bin/coda-assign" --scheme matdot-search -m 2 --threshold 2 -N 4 --starts 2 --iters 300 \
  --seed 5 -o code.coda 2>/dev/null
n=0
encode() { # NAME STRAGGLERS ENCODE-ARGS...: the stream, its results, its plan
  local name=$1 s=$2
  shift 2
  enc "$@" -o "$name.coda"
  sim -s "$s" --seed 3 "$name.coda" -o "$name.res.coda"
  cp "$name.coda" "$out/stream/enc-$name.coda"
  cp "$name.res.coda" "$out/decode/$name.coda"
  cp "$name.res.coda" "$out/stream/res-$name.coda"
  cat_ --kind plan "$name.coda" -o "$out/plan/$name.coda"
  n=$((n + 1))
}
encode uncoded 0 --scheme uncoded -N 3 --operand B.coda A.coda
encode rep 1 --scheme rep -N 4 -s 1 --operand B.coda A.coda
encode frc-matvec 1 --scheme frc -N 6 -s 1 --op matvec --operand v.coda A.coda
encode cyclic-grad 2 --scheme cyclic -N 5 -s 2 --op grad --labels y.coda --operand beta.coda A.coda
encode mds 2 --scheme mds -N 6 -s 2 --operand B.coda A.coda
encode mds-cheb 1 --scheme mds --generator chebyshev -N 5 -s 1 --op matvec --operand v.coda A.coda
encode frc-grad 1 --scheme frc -N 6 -s 1 --op grad --labels y.coda --operand beta.coda A.coda
encode lsq-direct 1 --scheme frc -N 4 -s 1 --op lsq-columns S.coda
encode lsq-sd 1 --scheme mds -N 4 -s 1 --op lsq-columns --method sd --tol 1e-6 --iters 50 L.coda
encode lsq-cg 0 --scheme rep -N 4 -s 1 --op lsq-columns --method cg --tol 1e-8 L.coda
encode matdot 1 --scheme matdot -m 2 -N 4 --operand B.coda A.coda
encode matdot-approx 2 --scheme matdot-approx -m 2 -N 4 --eps 1e-3 --force --operand B.coda A.coda
encode poly 1 --scheme poly -m 2 -N 5 --operand B.coda A.coda
encode linear 1 --scheme linear --code code.coda -m 2 -N 4 --operand B.coda A.coda
encode byz 1 --scheme byz -N 7 -t 2 --op matvec --operand v.coda A.coda
encode hetero 1 --scheme hetero -N 4 -K 6 --p-range 0.1,0.5 --op grad --labels y.coda --operand beta.coda A.coda
encode leverage 4 --scheme leverage -N 8 -K 3 --responders 4 --op grad --labels y.coda --operand beta.coda A.coda
encode od 1 --scheme od -N 4 -K 4 --op grad --labels y.coda --operand beta.coda A.coda

# Metadata: the text of every frame of those streams (the bytes after each 72-byte header).
python3 - "$out/meta" ./*.coda <<'EOF'
import struct, sys
seen = set()
for path in sys.argv[2:]:
    b = open(path, "rb").read()
    at = 0
    while at + 72 <= len(b):
        meta_len, rows, cols = struct.unpack_from("<IQQ", b, at + 12)
        (payload,) = struct.unpack_from("<Q", b, at + 64)
        text = b[at + 72:at + 72 + meta_len]
        if text and text not in seen:
            seen.add(text)
            open("%s/%03d.txt" % (sys.argv[1], len(seen)), "wb").write(text)
        at += 72 + meta_len + payload
EOF

# The malformed inputs of tests/bad.bats and the bug reproducers, each for its format's harness
# (any of them is a stream to coda_reader; a .coda stream also feeds the plan and decode ones).
seed_dir() { # FILE: the harnesses it seeds
  case $1 in
    *.csv) echo csv stream ;;
    *.npy) echo npy stream ;;
    *.mtx) echo mtx stream ;;
    *decode*.coda) echo decode plan stream ;;
    *) echo stream ;;
  esac
}
for dir in "$repo/testdata/bad" "$repo/tests/fuzz/findings" "${CODA_BUG_REPROS:-$repo/../shared/bug-repros}"; do
  [ -d "$dir" ] || continue
  for f in "$dir"/*; do
    case $f in *.py | */README) continue ;; esac
    for h in $(seed_dir "$f"); do install -m 644 "$f" "$out/$h/${dir##*/}-${f##*/}"; done
  done
done
counts=$(for h in "$out"/*; do printf ' %s %s' "${h##*/}" "$(ls "$h" | wc -l)"; done)
echo "make-corpus: $n encoded streams; inputs in $out:$counts"
