#!/usr/bin/env bats
# NumPy .npy and .npz: the header dict parsed as numpy parses it (F13, F13b), every dtype read
# exactly, 1-D shapes kept, float32 output only when asked, .npz read and written and checked
# against numpy both ways, memory bounded by what a zip's sizes justify.
load helper

one_line() { [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]; }

# Raw .npy bytes with header dict $1 and data $2 (python bytes expression), to file $3.
raw_npy() {
  npy "import struct
d=$1.encode('latin1'); open('$3','wb').write(b'\x93NUMPY\x01\x00'+struct.pack('<H',len(d))+d+$2)"
}

@test "F13, F13b: a key's name inside another value is not the key; numpy refuses both too" {
  for f in F13-npy-decoy-shape.npy F13b-npy-decoy-fortran-order.npy; do
    run npy "np.load('$DATA/bad/$f')"
    assert_failure
    run coda-cat -f csv "$DATA/bad/$f"
    assert_failure 1
    one_line
    assert_output --partial "coda-cat: $DATA/bad/$f: byte "
    assert_output --partial "unknown key 'note'"
  done
  # the same decoys inside a value numpy accepts are not taken either: 'descr' holds the
  # decoy text, so the dtype is refused, not the decoy's shape taken
  raw_npy "\"{'descr': \\\"'shape': (3, 2)\\\", 'fortran_order': False, 'shape': (2, 3), }\"" "b'\\0'*48" d.npy
  run coda-cat -f csv d.npy
  assert_failure 1
  assert_output --partial "unsupported .npy dtype ''shape': (3, 2)'"
}

@test "header dicts: coda accepts exactly what numpy accepts (numpy is the judge)" {
  # each header with 6 float64 values; numpy decides which are valid, coda must agree and,
  # when it reads one, give the values numpy gives
  npy "
import struct, io
hs = [\"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\",
 \"{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3)}\",
 \"{'shape': (2, 3), 'descr': '<f8', 'fortran_order': False}\",
 '{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}',
 \"\\n {'descr':'<f8','fortran_order':False,'shape':( 2 ,3 ,)}\\r\\n\\t \",
 \"\\n\\n{'descr':'<f8','fortran_order':False,'shape':( 2 ,3 ,)}   \\r\\n\\n\",
 \" \\t{'descr':'<f8','fortran_order':False,'shape':(2,3)}\\n  \",
 \"\\n \\x0c{'descr':'<f8','fortran_order':False,'shape':(2,3)}\",
 \"\\x0c{'descr':'<f8','fortran_order':False,'shape':(2,3)}\",
 \"\\n\\n\\t{'descr':'<f8','fortran_order':False,'shape':(2,3)}\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (6), }\",
 \"{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }\",
 \"{'descr': '<f8', 'fortran_order': Falsey, 'shape': (2, 3), }\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3),, }\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (02, 3), }\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (-2, -3), }\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}\",
 \"{'descr': '<f8', 'fortran_order': False}\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)} x\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}\\x0b\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}\\x00\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L)}\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)\",
 \"['descr', '<f8']\",
 \"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'shape': (6,)}\"]
for i, h in enumerate(hs):
    d = h.encode('latin1'); b = b'\x93NUMPY\x01\x00' + struct.pack('<H', len(d)) + d + np.arange(6.0).tobytes()
    try:
        a = np.load(io.BytesIO(b)); ok = True
    except Exception:
        ok = False
    # duplicate keys: numpy takes the last; coda refuses the ambiguity
    if h.count(\"'shape'\") > 1: ok = False
    open('%s-%02d.npy' % ('ok' if ok else 'bad', i), 'wb').write(b)
    if ok: np.save('want-%02d.npy' % i, a)
"
  ls ok-*.npy bad-*.npy > /dev/null
  for f in ok-*.npy; do
    n=${f#ok-}; n=${n%.npy}
    coda-cat "$f" -o "got-$n.npy" || { echo "coda refused $f, numpy read it"; return 1; }
    npy "a=np.load('want-$n.npy'); b=np.load('got-$n.npy'); assert a.shape==b.shape and (a==b).all(), '$f'"
  done
  for f in bad-*.npy; do
    run coda-cat -f csv "$f"
    [ "$status" -eq 1 ] || { echo "coda read $f (status $status), numpy refuses it: $output"; return 1; }
    one_line
    assert_output --regexp "^coda-cat: $f: byte [0-9]+: "
  done
}

@test "every dtype numpy writes for numbers is read exactly, both byte orders, both orders" {
  npy "
r = np.random.default_rng(7)
a = r.standard_normal((5, 3)) * 100
i = r.integers(-100, 100, (5, 3))
vals = {'f8': a, 'f4': a, 'f2': a / 10, 'b1': i > 0, 'i1': i, 'u1': abs(i), 'i2': i * 300,
        'u2': abs(i) * 600, 'i4': i * 10**7, 'u4': abs(i) * 4 * 10**7, 'i8': i * 2**45,
        'u8': abs(i) * 2**46}
# extremes that float64 holds exactly
vals['u8'] = vals['u8'].astype(np.uint64)
vals['i8'][0, 0] = -2**63; vals['i8'][1, 0] = 2**62 + 2**10; vals['u8'][0, 0] = 2**64 - 2**11
vals['f2'][0, 0] = np.inf; vals['f2'][1, 0] = 6e-8; vals['f2'][2, 0] = -0.0; vals['f2'][3, 0] = 65504
for k, v in vals.items():
    for bo in '<>':
        t = np.dtype(bo + k) if k not in ('b1', 'i1', 'u1') else np.dtype(k)
        x = v.astype(t)
        np.save('%s%s-c.npy' % (k, bo), x); np.save('%s%s-f.npy' % (k, bo), np.asfortranarray(x))
"
  for f in ??[\<\>]-?.npy; do
    coda-cat "$f" -o "back-$f"
    npy "x=np.load('$f'); y=np.load('back-$f'); w=x.astype(np.float64)
assert y.dtype==np.float64 and y.shape==x.shape, '$f'
assert (w.view(np.int64)==y.view(np.int64)).all(), ('$f', x, y)"
  done
}

@test "float16 NaN, subnormals and infinities; bool bytes other than 0 and 1" {
  npy "np.save('h.npy', np.array([np.nan, -np.inf, 2**-24, -2**-14, 1/3], dtype='<f2'))"
  coda-cat h.npy -o h8.npy
  npy "x=np.load('h.npy').astype(np.float64); y=np.load('h8.npy'); assert np.isnan(y[0]) and (x[1:]==y[1:]).all(), y"
  raw_npy "\"{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\"" "bytes([0, 1, 7])" b.npy
  run coda-cat -f csv b.npy
  assert_success
  assert_output "$(printf '0\n1\n1')"
}

@test "an integer float64 cannot hold exactly is an error naming its byte" {
  npy "a=np.zeros(6, dtype='<i8'); a[4]=2**60+1; np.save('i.npy', a); a=np.zeros((2,3), dtype='>u8'); a[1,0]=2**64-1; np.save('u.npy', a)"
  # data starts after the header: the file's size less the 48 data bytes
  size=$(stat -c %s i.npy)
  run coda-cat -f csv i.npy
  assert_failure 1
  one_line
  assert_output --partial "i.npy: byte $((size - 48 + 4 * 8)): int64 value 1152921504606846977 is not exactly representable"
  size=$(stat -c %s u.npy)
  run coda-cat -f csv u.npy
  assert_failure 1
  assert_output --partial "u.npy: byte $((size - 48 + 3 * 8)): uint64 value 18446744073709551615"
  # 2^60 itself is exact
  npy "np.save('p.npy', np.array([2**60, -2**63], dtype='<i8'))"
  coda-cat p.npy -o p8.npy
  npy "assert (np.load('p8.npy') == [2.0**60, -2.0**63]).all()"
}

@test "an unsupported dtype's error lists what is read" {
  npy "np.save('c.npy', np.zeros(2, dtype=np.complex128)); np.save('s.npy', np.array(['ab']))
np.save('r.npy', np.zeros(2, dtype=[('x', '<f8')]))"
  for f in c s; do
    run coda-cat -f csv $f.npy
    assert_failure 1
    one_line
    assert_output --partial "unsupported .npy dtype"
    assert_output --partial "float16"
    assert_output --partial "uint8/16/32/64"
  done
  run coda-cat -f csv r.npy
  assert_failure 1
  assert_output --partial "structured dtype"
}

@test "a 1-D array keeps its shape through coda, also via the binary format; n x 1 stays 2-D" {
  npy "np.save('v.npy', np.arange(7.0)); np.save('c.npy', np.arange(7.0).reshape(7, 1)); np.save('s.npy', np.float64(2.5))"
  coda-cat v.npy -o v.coda
  coda-cat v.coda -o v2.npy
  coda-cat c.npy -o c2.npy
  coda-cat s.npy -o s2.npy
  coda-cat v.npy -o v.npz
  npy "
assert np.load('v2.npy').shape == (7,) and (np.load('v2.npy') == np.arange(7.0)).all()
assert np.load('c2.npy').shape == (7, 1)
assert np.load('s2.npy').shape == () and np.load('s2.npy') == 2.5
assert np.load('v.npz')['arr_0'].shape == (7,)"
  run coda-cat --info v.coda
  assert_output --partial "shape=1d"
}

@test "C-order arrays larger than a chunk, and rows wider than one, are transposed right" {
  # bit for bit: signalling and quiet NaNs with payloads, -0, subnormals go through the
  # transpose as they are
  npy "
r = np.random.default_rng(3)
a = r.standard_normal((3001, 701))
a.reshape(-1).view(np.uint64)[[5, 7, 701, 702, 3000 * 701]] = [0x7ff0000000000001,
    0xfff4000000000abc, 0x8000000000000000, 1, 0x7ff8000000000123]
np.save('big.npy', a)
np.save('bigbe.npy', a.astype('>f8'))
np.save('wide.npy', r.standard_normal((3, 600001)).astype('>f4'))
np.save('ints.npy', r.integers(-30000, 30000, (2999, 703)).astype('<i2'))"
  for f in big bigbe wide ints; do
    coda-cat $f.npy -o back-$f.npy
    cat $f.npy | coda-cat - -o back-p-$f.npy
    cmp back-$f.npy back-p-$f.npy
    npy "x=np.load('$f.npy').astype(np.float64); y=np.load('back-$f.npy')
assert x.shape==y.shape and (x.view(np.int64)==y.view(np.int64)).all(), '$f'"
  done
}

@test "the binary format: row-major, float32 and big-endian frames are read exactly" {
  # header as in coda-format(5): magic, version, byte order, kind, dtype, storage, reserved,
  # metadata length, rows, cols, 4 tags, payload bytes
  npy "
import struct
r = np.random.default_rng(11)
a = r.standard_normal((1201, 517))
def frame(a, order, dtype, storage):
    bo = '<' if order == b'L' else '>'
    x = a.astype(bo + ('f8' if dtype == 1 else 'f4'))
    data = (x if storage == b'R' else x.T).tobytes()
    h = b'CODA' + bytes([1]) + order + bytes([1, dtype]) + storage + b'\0\0\0'
    h += struct.pack(bo + 'IQQ', 0, *a.shape) + struct.pack(bo + '4q', -1, -1, -1, -1) + struct.pack(bo + 'Q', len(data))
    return h + data
for o in (b'L', b'B'):
    for d in (1, 2):
        for s in (b'C', b'R'):
            open('m-%s%d%s.coda' % (o.decode(), d, s.decode()), 'wb').write(frame(a, o, d, s))
np.save('want8.npy', a); np.save('want4.npy', a.astype(np.float32).astype(np.float64))"
  for f in m-*.coda; do
    coda-cat "$f" -o "back-$f.npy"
    w=want8; case $f in *2?.coda) w=want4 ;; esac
    npy "x=np.load('$w.npy'); y=np.load('back-$f.npy'); assert (x==y).all(), '$f'"
  done
}

@test "--dtype f4 writes float32 when asked, float64 otherwise; never elsewhere" {
  npy "a=np.random.default_rng(2).standard_normal((4, 5)); np.save('a.npy', a)"
  coda-cat a.npy -o d.npy
  coda-cat --dtype f4 a.npy -o s.npy
  coda-cat --dtype f4 a.npy -o s.npz
  coda-cat --dtype f8 a.npy -o e.npy
  npy "a=np.load('a.npy')
assert np.load('d.npy').dtype == np.float64 and (np.load('d.npy') == a).all()
assert np.load('e.npy').dtype == np.float64
for x in (np.load('s.npy'), np.load('s.npz')['arr_0']):
    assert x.dtype == np.float32 and (x == a.astype(np.float32)).all()"
  run coda-cat --dtype f4 a.npy -f csv
  assert_failure 2
  assert_output --partial "only npy and npz output"
  run coda-cat --dtype f2 a.npy -o x.npy
  assert_failure 2
  npy "np.save('big.npy', np.array([1.0, 1e300]))"
  run coda-cat --dtype f4 big.npy -o x.npy
  assert_failure 1
  assert_output --partial "beyond float32's range"
  [ ! -e x.npy ]
}

@test "npz from numpy: stored and deflated, first member or one by name" {
  npy "
a = np.random.default_rng(4).standard_normal((300, 200)); b = np.arange(12.0).reshape(3, 4)
np.savez('s.npz', a, b=b); np.savez_compressed('c.npz', a=a, b=np.asfortranarray(b))
np.save('a.npy', a); np.save('b.npy', b)"
  for z in s c; do
    coda-cat $z.npz:b -o $z-b.npy
    cmp <(npy "print(np.load('$z-b.npy').tobytes().hex())") <(npy "print(np.load('b.npy').tobytes().hex())")
  done
  coda-cat s.npz:arr_0 -o s-a.npy
  coda-cat c.npz:a.npy -o c-a.npy
  coda-cat c.npz -o c-first.npy # the first member is a
  cat c.npz | coda-cat -o pipe-a.npy # no seeking
  for f in s-a c-a c-first pipe-a; do
    npy "assert (np.load('$f.npy') == np.load('a.npy')).all(), '$f'"
  done
  run coda-cat -f csv c.npz:nope
  assert_failure 1
  one_line
  assert_output --partial "no member 'nope' (it has 'a.npy', 'b.npy')"
}

@test "npz written by coda is read by numpy, stored, named, to a pipe" {
  npy "np.save('a.npy', np.random.default_rng(8).standard_normal((50, 40)))"
  coda-cat a.npy -o x.npz
  coda-cat a.npy -o y.npz:weights
  coda-cat a.npy -f npz > z.npz
  npy "
import zipfile
a = np.load('a.npy')
for f, k in (('x.npz', 'arr_0'), ('y.npz', 'weights'), ('z.npz', 'arr_0')):
    with np.load(f) as z:
        assert z.files == [k] and z[k].tobytes() == a.tobytes(), f
    assert zipfile.ZipFile(f).testzip() is None"
  coda-cat y.npz:weights -o back.npy
  npy "assert np.load('back.npy').tobytes() == np.load('a.npy').tobytes()"
}

@test "npz: a zip bomb is refused with the size it would need, not inflated" {
  # 32 MB of zeros deflate to ~32 KB; a 1 MB limit refuses it from the .npy header alone
  npy "np.savez_compressed('bomb.npz', np.zeros((2000, 2000)))"
  [ "$(stat -c %s bomb.npz)" -lt 200000 ]
  CODA_MAX_MEMORY=1000000 run coda-cat -f csv bomb.npz
  assert_failure 1
  one_line
  assert_output --partial "needs 32000000 bytes, more than the 1000000 allowed"
  # a member whose .npy header claims more than the member's declared size: refused before
  # allocating for it
  npy "
import zipfile, struct
d = b\"{'descr': '<f8', 'fortran_order': True, 'shape': (40000, 40000), }\"
b = b'\x93NUMPY\x01\x00' + struct.pack('<H', len(d)) + d + bytes(800)
with zipfile.ZipFile('liar.npz', 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('arr_0.npy', b)"
  run /usr/bin/time -f "maxrss %M" coda-cat -f csv liar.npz
  assert_failure 1
  assert_output --partial "truncated .npy data"
  rss=$(echo "$output" | sed -n 's/^maxrss //p')
  [ "$rss" -lt 100000 ] # KB: nothing near the 12.8 GB the header claims
  # data that inflates to more than the header says stops one byte past it
  npy "
import zipfile
b = open('/dev/null','rb').read()
x = np.zeros(4); import io; f = io.BytesIO(); np.save(f, x)
with zipfile.ZipFile('long.npz', 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('arr_0.npy', f.getvalue() + bytes(10**7))"
  run coda-cat -f csv long.npz
  assert_failure 1
  assert_output --partial "trailing bytes after the .npy data"
}

@test "npz: corrupt CRC, truncated archive, bad deflate data, empty archive" {
  npy "np.savez('s.npz', np.arange(100.0)); np.savez_compressed('c.npz', np.arange(100.0))
import zipfile; zipfile.ZipFile('e.npz', 'w').close()"
  # flip one data byte of the stored member (the last of its 800 data bytes)
  npy "
b = bytearray(open('s.npz','rb').read()); i = b.index(b'\x93NUMPY') + 128 + 799; b[i] ^= 1
open('crc.npz','wb').write(b)
b = open('c.npz','rb').read(); open('cut.npz','wb').write(b[:120])
b = bytearray(b); i = b.index(b'arr_0.npy') + 9 + 20 + 5
for k in range(40): b[i + k] ^= 0x55
open('junk.npz','wb').write(b)"
  run coda-cat -f csv crc.npz
  assert_failure 1
  assert_output --partial "CRC-32 mismatch"
  for f in cut junk; do
    run coda-cat -f csv $f.npz
    assert_failure 1
    one_line
    assert_output --regexp "$f.npz: arr_0.npy: .*(deflate|truncated)"
  done
  run coda-cat -f csv e.npz
  assert_failure 1
  assert_output --partial "no members"
}

# Payloads that need no conversion are passed through in pieces (binary, Fortran-order
# float64 .npy, .npz into a file with its CRC filled in last); those that do are read whole.
# Both ways, and every output (file, pipe, redirection), must give the same bytes.
@test "passed-through payloads: the same bytes as whole frames, every shape and output" {
  npy "
r = np.random.default_rng(5)
for t, s in (('m', (301, 17)), ('row', (1, 9)), ('col', (9, 1)), ('empty', (0, 3)), ('vec', (6,)),
             ('big', (700, 400))):
    a = r.standard_normal(s)
    np.save(t + '-C.npy', a); np.save(t + '-F.npy', np.asfortranarray(a))
    np.save(t + '-np.npy', np.asfortranarray(a) if a.ndim == 2 else a)"
  for t in m row col empty vec big; do
    coda-cat "$t-F.npy" -o "$t.coda"              # passed through
    coda-cat "$t-C.npy" -f bin | cat > "$t-p.coda" # converted, into a pipe
    cmp "$t.coda" "$t-p.coda"
    for out in npy npz; do
      coda-cat "$t.coda" -o "$t-pass.$out"             # binary payload passed on
      coda-cat "$t-F.npy" -o "$t-passnpy.$out"         # .npy payload passed on
      coda-cat "$t-C.npy" -o "$t-whole.$out"           # read whole, transposed
      coda-cat "$t.coda" -f "$out" | cat > "$t-pipe.$out" # a pipe: no seeking back
      coda-cat "$t.coda" -f "$out" > "$t-redir.$out"   # stdout that is a file
      for v in passnpy whole pipe redir; do cmp "$t-pass.$out" "$t-$v.$out"; done
    done
  done
  # numpy's own bytes for a Fortran-order array that is not also C-contiguous, or a 1-D one
  for t in m big vec; do cmp "$t-pass.npy" "$t-np.npy"; done
  npy "
import zipfile
for t in ('m', 'row', 'col', 'empty', 'vec', 'big'):
    with np.load(t + '-pass.npz') as z:
        assert z['arr_0'].tobytes() == np.load(t + '-np.npy').tobytes(), t
    assert zipfile.ZipFile(t + '-pass.npz').testzip() is None, t"
  # several frames through one file, with inputs of every kind between them
  cat m.coda big.coda row.coda > s.coda
  coda-cat s.coda big-F.npy m-C.npy s.coda -o all.coda
  coda-cat s.coda big-F.npy m-C.npy s.coda | cat > all-p.coda
  cmp all.coda all-p.coda
  run coda-cat --info all.coda
  assert_success
  [ "$(grep -c ': frame ' <<< "$output")" -eq 8 ]
}

# Column-major payloads in another byte order or float32 are converted a chunk at a time on
# their way to a binary, .npy or .npz output: the process's peak memory stays well below the
# matrix (30 MB here), near that of passing the same matrix through unconverted.
@test "converted column-major payloads go out a chunk at a time: numpy's bytes, bounded memory" {
  npy "
import struct
a = np.random.default_rng(8).standard_normal((1500, 2500))
for t in ('>f8', '<f4', '>f4'):
    x, name = np.asfortranarray(a.astype(t)), t[1:] + ('be' if t[0] == '>' else '')
    np.save('in%s.npy' % name, x)
    np.save('want%s.npy' % name, np.asfortranarray(x.astype(np.float64)))
x = a.astype('>f8')
h = b'CODA\x01B\x01\x01C\0\0\0' + struct.pack('>IQQ', 0, *a.shape) + struct.pack('>4q', -1, -1, -1, -1)
open('inbe.coda', 'wb').write(h + struct.pack('>Q', x.nbytes) + x.T.tobytes())
np.save('wantbe.npy', np.asfortranarray(a))"
  for f in inf8be.npy inf4.npy inf4be.npy inbe.coda; do
    w=want${f#in}; w=${w%.*}.npy
    /usr/bin/time -f "%M" -o rss coda-cat "$f" -o out.npy
    cmp out.npy "$w"
    # against the same matrix passed through as it is (float64, Fortran order): at most
    # the chunk buffers (8 MB) more, where holding the matrix would be 30 MB more
    /usr/bin/time -f "%M" -o rss0 coda-cat "$w" -o out0.npy
    [ "$(cat rss)" -lt $(($(cat rss0) + 15000)) ] ||
      { echo "$f: peak $(cat rss) KB, passed through $(cat rss0) KB; the matrix is 30000 KB"; false; }
    cat "$f" | coda-cat - -f npy | cat > pipe.npy
    cmp pipe.npy "$w"
    coda-cat "$f" -o out.npz
    coda-cat "$f" -o out.coda
    coda-cat out.coda -o back.npy
    cmp back.npy "$w"
    npy "
import zipfile
assert zipfile.ZipFile('out.npz').testzip() is None
assert np.load('out.npz')['arr_0'].tobytes() == np.load('$w').tobytes()"
  done
}

@test "a payload passed through that fails leaves the old file and no temporary file" {
  npy "np.save('a.npy', np.asfortranarray(np.random.default_rng(2).standard_normal((400, 30))))"
  coda-cat a.npy -o a.coda
  head -c 20000 a.coda > short.coda
  head -c 20000 a.npy > short.npy
  cp a.npy over.npy && echo junk >> over.npy
  for out in old.npy old.npz old.coda; do
    echo keep > "$out"
    for in in short.coda short.npy over.npy; do
      run coda-cat "$in" -o "$out"
      assert_failure 1
      one_line
      [ "$(cat "$out")" = keep ]
    done
  done
  run coda-cat short.npy -o x.coda
  assert_output "coda-cat: short.npy: byte 20000: truncated .npy data: 19872 of 96000 bytes"
  run coda-cat over.npy -o x.coda
  assert_output "coda-cat: over.npy: byte 96128: trailing bytes after the .npy data"
  run coda-cat short.coda -o x.npy
  assert_output --partial "coda-cat: short.coda: frame 0 at byte 0: truncated payload"
  [ -z "$(ls -A | grep '^\.')" ]
  [ ! -e x.coda ] && [ ! -e x.npy ]
}
