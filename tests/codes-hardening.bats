#!/usr/bin/env bats
# The coding layer never crashes, never blends wrong results, never refuses what suffices:
# the decode and encode bug repros (testdata/bad/F*, or generated here when large), each
# refused with one line naming the input and what is wrong, exit 1, and no output left.
load helper

# frames.py: read and write coda frame streams (coda-format(5)), to tamper with genuine ones
frames() {
  cat > "$T/frames.py" <<'PY'
import struct
def read(path):
    b = open(path, 'rb').read(); off = 0; out = []
    while off < len(b):
        h = b[off:off + 72]
        mlen, rows, cols = struct.unpack('<IQQ', h[12:32])
        tags = list(struct.unpack('<4q', h[32:64])); plen = struct.unpack('<Q', h[64:72])[0]
        out.append(dict(head=h[:12], rows=rows, cols=cols, tags=tags,
                        meta=b[off + 72:off + 72 + mlen], pay=b[off + 72 + mlen:off + 72 + mlen + plen]))
        off += 72 + mlen + plen
    return out
def write(path, frames):
    with open(path, 'wb') as f:
        for x in frames:
            f.write(x['head'] + struct.pack('<IQQ', len(x['meta']), x['rows'], x['cols']) +
                    struct.pack('<4q', *x['tags']) + struct.pack('<Q', len(x['pay'])) + x['meta'] + x['pay'])
def meta(x, key, val):
    kv = [l for l in x['meta'].decode().split('\n') if l and not l.startswith(key + '=')]
    x['meta'] = ('\n'.join(kv + [key + '=' + val]) + '\n').encode()
PY
}
fr() { PYTHONPATH="$T" "$PY" -c "from frames import *; $1"; }

# one line "coda-decode: FILE: ..." containing $2, exit 1
refused() {
  run coda-decode -f csv "$1"
  assert_failure 1
  assert_output --partial "coda-decode: $1: "
  assert_output --partial "$2"
  [ "${#lines[@]}" -eq 1 ]
}

data() {
  npy "r = np.random.default_rng(3)
np.save('A.npy', r.standard_normal((12, 6))); np.save('B.npy', r.standard_normal((6, 4)))
np.save('y.npy', r.standard_normal((12, 1))); np.save('beta.npy', r.standard_normal((6, 1)))
np.save('S.npy', r.standard_normal((5, 5)) + 4 * np.eye(5))"
}

@test "F01, F01b, F02, F02b: product plans with m > 16 are refused by the plan parser" {
  refused "$DATA/bad/F01-decode-poly-m17-stack-overflow.coda" "frame 0: plan: m = 17 is outside coda-encode's 1..16"
  refused "$DATA/bad/F02-decode-matdot-m17-stack-overflow.coda" "plan: m = 17 is outside"
  refused "$DATA/bad/F02b-decode-linear-m17-stack-overflow.coda" "plan: m = 17 is outside"
  # F01b: poly with m = 5000 (a 74 kB plan), made from F01
  frames
  fr "f = read('$DATA/bad/F01-decode-poly-m17-stack-overflow.coda')[0]; m = 5000
for k, v in [('K', m), ('m', m), ('length', m), ('rows', m), ('inner', m), ('cols', m),
             ('bounds', ','.join(map(str, range(m + 1)))), ('beta', ','.join(['1'] * m))]: meta(f, k, str(v))
f['cols'] = m; f['pay'] = b'\0' * (8 * m); write('F01b.coda', [f])"
  refused F01b.coda "plan: m = 5000 is outside"
  # m must be G's width
  fr "f = read('$DATA/bad/F01-decode-poly-m17-stack-overflow.coda')[0]; meta(f, 'm', '3'); write('m3.coda', [f])"
  refused m3.coda "plan: m = 3 but G has 17 columns"
}

@test "F17, F17b: a product plan with an unknown scheme or a short beta list is refused, freed once" {
  refused "$DATA/bad/F17-decode-product-beta-count-double-free.coda" "plan: unknown scheme 'pnly'"
  refused "$DATA/bad/F17b-decode-matdot-beta-short-double-free.coda" "plan: beta has 7 entries, need 8"
}

@test "F19, F19b: non-finite numbers anywhere in a plan are refused with their position" {
  refused "$DATA/bad/F19-decode-mds-G-inf-hang.coda" "frame 0: plan: G entry (1,1) is infinite"
  refused "$DATA/bad/F19b-decode-lsq-G-inf-hang.fuzz.coda" "plan: G entry (1,1) is infinite"
  data
  frames
  coda-encode -q --scheme matdot -m 2 -N 4 --operand B.npy A.npy | coda-worker-sim -q > md.coda
  coda-decode -q md.coda -o ok.npy # the genuine stream decodes
  for kv in "beta:1,1,inf,1,1,1,1,1:beta entry 3 is infinite" "nodes:0.9,nan,0.1,-0.5:nodes entry 2 is NaN" \
            "radius:inf:radius is infinite" "norm_a:-inf:norm_a is infinite" \
            "block_norms_b:0.5,inf:block_norms_b entry 2 is infinite" "radius:2:radius = 2 is outside"; do
    IFS=: read -r key val msg <<< "$kv"
    fr "s = read('md.coda'); meta(s[0], '$key', '$val'); write('bad.coda', s)"
    refused bad.coda "frame 0: plan: $msg"
  done
  coda-encode -q --scheme cyclic -N 4 -s 1 --op grad --labels y.npy --operand beta.npy A.npy \
    | coda-worker-sim -q > cy.coda
  fr "s = read('cy.coda'); meta(s[0], 'load', 'nan'); write('bad.coda', s)"
  refused bad.coda "plan: load = nan is out of range"
}

@test "F08c, F18: mds results of 2 x 0 are refused as empty, not decoded into 6 x 0" {
  refused "$DATA/bad/F08c-decode-mds-zero-cols-accepted.coda" "mds: result 0 from worker 0 is 2 x 0: empty"
}

@test "F07: a second, different result from a worker is refused; an exact repeat is ignored" {
  refused "$DATA/bad/F07-decode-cyclic-duplicate-worker-blended.coda" "results 0 and 1: worker 0 sent two different results"
  data
  frames
  coda-encode -q --scheme cyclic -N 4 -s 1 --op grad --labels y.npy --operand beta.npy A.npy \
    | coda-worker-sim -q -s 1 --seed 2 > cy.coda
  coda-decode -q cy.coda -o once.npy
  fr "s = read('cy.coda'); write('twice.coda', s + s[1:])"
  coda-decode -q twice.coda -o twice.npy
  cmp once.npy twice.npy
  # replicas: per worker and block
  coda-encode -q --scheme rep -N 4 -s 1 --operand B.npy A.npy | coda-worker-sim -q > rep.coda
  fr "s = read('rep.coda'); x = dict(s[1]); x['pay'] = b'\x01' + x['pay'][1:]; write('bad.coda', s + [x])"
  refused bad.coda "worker 0 sent two different results for block 0"
}

@test "F08, F08b, F08d: results of the wrong shape name the worker and the expected shape" {
  # F08 and F08d carry the result shape coda-encode now records in the plan (rows, cols)
  refused "$DATA/bad/F08-decode-grad-wrong-shape.coda" "cyclic: result 0 from worker 0 is 5 x 1, expected 3 x 1"
  refused "$DATA/bad/F08b-decode-matdot-wrong-shape-accepted.coda" "matdot: result 0 from worker 0 is 5 x 4, expected 4 x 4"
  refused "$DATA/bad/F08d-decode-lsq-wrong-shape.coda" "frc: result 0 from worker 0 is 5 x 2, expected 4 x 2"
  # the same from genuine streams: a grad result two rows too long, an lsq-columns one with an extra row
  data
  frames
  coda-encode -q --scheme frc -N 4 -s 1 --op grad --labels y.npy --operand beta.npy A.npy | coda-worker-sim -q > g.coda
  fr "s = read('g.coda'); s[2]['rows'] += 2; s[2]['pay'] += b'\0' * 16; write('bad.coda', s)"
  refused bad.coda "result 1 from worker 1 is 8 x 1, expected 6 x 1"
  coda-encode -q --scheme mds -N 4 -s 1 --op lsq-columns S.npy | coda-worker-sim -q > l.coda
  fr "s = read('l.coda'); r = s[1]; r['rows'] += 1; r['pay'] = b''.join(r['pay'][8*5*c:8*5*(c+1)] + b'\0' * 8 for c in range(r['cols'])); write('bad.coda', s)"
  refused bad.coda "result 0 from worker 0 is 6 x 2, expected 5 x 2"
}

@test "F20: a 1.9 MB stream cannot make decode allocate a 1 GB system" {
  frames
  # frc/grad, N = 1, K = 130000, then 1000 RESULTs from worker 0: empty (the repro), then
  # different (each 1 x 1); the decode's system is bounded by one result per worker
  fr "K = 130000
p = dict(head=b'CODA\x01L\x02\x01C\0\0\0', rows=1, cols=K, tags=[-1] * 4, pay=b'\0\0\0\0\0\0\xf0\x3f' * K, meta=b'')
for k, v in [('scheme', 'frc'), ('op', 'grad'), ('N', 1), ('K', K), ('s', 0), ('result', 'sum'), ('axis', 'rows'),
             ('combine', 1), ('data_coded', 0), ('threshold', 1), ('load', 1), ('length', K),
             ('bounds', ','.join(map(str, range(K + 1)))), ('seed', 1), ('rows', 1), ('cols', 1)]: meta(p, k, str(v))
r = lambda i, n: dict(head=b'CODA\x01L\x04\x01C\0\0\0', rows=n, cols=n, tags=[0, -1, -1, -1], meta=b'op=grad\n',
                      pay=bytes(__import__('struct').pack('<d', i)) * n)
write('empty.coda', [p] + [r(0, 0) for i in range(1000)])
write('many.coda', [p] + [r(i, 1) for i in range(1000)])"
  run /usr/bin/time -f "%M" coda-decode -f csv empty.coda
  assert_failure 1
  assert_output --partial "frc: result 0 from worker 0 is 0 x 0: empty"
  [ "${lines[-1]}" -lt 400000 ] # kB of peak RSS, where the system was 1 GB
  refused many.coda "results 0 and 1: worker 0 sent two different results"
}

@test "decode refuses a system beyond CODA_MAX_MEMORY with the size it needs" {
  npy "r = np.random.default_rng(4); np.save('X.npy', r.standard_normal((80, 3)))
np.save('y.npy', r.standard_normal((80, 1))); np.save('b.npy', r.standard_normal((3, 1)))"
  coda-encode -q --scheme cyclic -N 40 -s 2 --op grad --labels y.npy --operand b.npy X.npy \
    | coda-worker-sim -q -s 2 > r.coda
  coda-decode -q r.coda -o ok.npy
  # 38 responders, 40 blocks: five 40 x 40 matrices (64000 bytes)
  CODA_MAX_MEMORY=40000 run coda-decode r.coda -o no.npy
  assert_failure 1
  assert_output --partial "the decoding system needs 5 matrices of 40 x 40 (64000 bytes), more than the 40000 allowed"
  [ ! -e no.npy ]
}

@test "cyclic with no stragglers: every seed decodes from all N workers" {
  data
  for seed in $(seq 1 30); do
    coda-encode -q --scheme cyclic -N 5 -s 1 --op grad --labels y.npy --operand beta.npy --seed $seed A.npy \
      | coda-worker-sim -q -s 0 | coda-decode -q -o g.npy
    # against X^T (X beta - y), relative to its terms' size (cond of the cyclic system is small)
    npy "X = np.load('A.npy'); y = np.load('y.npy'); b = np.load('beta.npy'); g = X.T @ (X @ b - y)
err = np.linalg.norm(np.load('g.npy') - g); assert err <= 1e-12 * np.linalg.norm(X) * (np.linalg.norm(X) * np.linalg.norm(b) + np.linalg.norm(y)), err"
  done
}

@test "too few responders: class too-few, exit 1, 'need any'" {
  data
  run sh -c "coda-encode -q --scheme cyclic -N 5 -s 1 --op grad --labels y.npy --operand beta.npy A.npy | coda-worker-sim -q -s 2 | coda-decode"
  assert_failure 1
  assert_output --partial "coda-decode: cyclic: need any 4 of 5 workers, got 3"
}

@test "F04: coda-encode refuses 0-row and 0-column inputs, leaving no output" {
  run coda-encode --scheme rep -N 2 -s 1 --operand "$DATA/bad/F04-encode-0-row-input-segv.npy" \
    "$DATA/bad/F04-encode-0-row-input-segv.npy" -o out.coda
  assert_failure 1
  assert_output "coda-encode: $DATA/bad/F04-encode-0-row-input-segv.npy: the data is 0 x 3: nothing to encode"
  [ ! -e out.coda ]
  npy "np.save('w.npy', np.zeros((4, 0)))"
  run coda-encode --scheme mds -N 3 -s 1 --op lsq-columns w.npy -o out.coda
  assert_failure 1
  assert_output --partial "w.npy: A is 4 x 0: nothing to encode"
  [ ! -e out.coda ]
}

@test "coda-encode checks operand, labels and right-hand sides against the data before writing" {
  data
  npy "np.save('B5.npy', np.ones((5, 2))); np.save('y5.npy', np.ones((5, 1))); np.save('S4.npy', np.ones((4, 3)))
np.save('Bnan.npy', np.array([[1.0, 2], [3, np.nan], [0, 0], [0, 0], [0, 0], [0, 0]]))"
  run coda-encode --scheme mds -N 4 -s 1 --operand B5.npy A.npy -o out.coda
  assert_failure 1
  assert_output "coda-encode: B5.npy: matmul: task is 12 x 6 but operand is 5 x 2 (inner dimensions differ)"
  run coda-encode --scheme cyclic -N 4 -s 1 --op grad --labels y5.npy --operand beta.npy A.npy -o out.coda
  assert_failure 1
  assert_output "coda-encode: y5.npy: labels are 5 x 1, need 12 x 1"
  run coda-encode --scheme cyclic -N 4 -s 1 --op grad --labels y.npy --operand B5.npy A.npy -o out.coda
  assert_failure 1
  assert_output --partial "B5.npy: grad: task is 12 x 7 but operand is 5 x 2"
  run coda-encode --scheme frc -N 4 -s 1 --op lsq-columns --rhs S4.npy S.npy -o out.coda
  assert_failure 1
  assert_output --partial "S4.npy: lsq-columns: task is 4 x 3 but operand is 5 x 5"
  run coda-encode --scheme mds -N 4 -s 1 --operand Bnan.npy A.npy -o out.coda
  assert_failure 1
  assert_output "coda-encode: Bnan.npy: the operand entry (2,2) is NaN"
  run coda-encode --scheme matdot -m 2 -N 4 --operand Bnan.npy A.npy -o out.coda
  assert_failure 1
  assert_output "coda-encode: Bnan.npy: B entry (2,2) is NaN"
  [ ! -e out.coda ]
  # the recorded shape: decode checks every result against it
  coda-encode -q --scheme cyclic -N 4 -s 1 --op grad --labels y.npy --operand beta.npy A.npy -o g.coda
  coda-cat -i g.coda | grep -q "rows=6"
  # a matmul's columns stay open: the worker stage may bring another operand
  npy "np.save('B2.npy', np.random.default_rng(9).standard_normal((6, 2)))"
  coda-encode -q --scheme mds -N 4 -s 1 --operand B.npy A.npy | coda-worker-sim -q --operand B2.npy -s 1 \
    | coda-decode -q -o C2.npy
  npy "C = np.load('A.npy') @ np.load('B2.npy'); assert np.linalg.norm(np.load('C2.npy') - C) <= 1e-12 * np.linalg.norm(np.load('A.npy')) * np.linalg.norm(np.load('B2.npy'))"
}

@test "coda-encode --assign reports G's true threshold and refuses a G that can never decode" {
  data
  coda-assign --scheme frc -N 6 -s 1 -o G.csv
  run coda-encode --assign G.csv --operand B.npy A.npy -o s.coda
  assert_success
  assert_output --partial "any 5 responders suffice (fewer may, depending on which)"
  # one block left on one worker: all 6 needed
  npy "G = np.loadtxt('G.csv', delimiter=',', ndmin=2, comments='#'); G[1, :] = 0; G[1, 2] = 1; np.savetxt('E.csv', G, delimiter=',', fmt='%g')" 2>/dev/null \
    || skip "coda-assign CSV layout"
  run coda-encode --assign E.csv --operand B.npy A.npy -o s.coda
  assert_success
  assert_output --partial "any 6 responders suffice"
  coda-assign --scheme cyclic -N 5 -s 2 --seed 3 -o C.npy
  run coda-encode --assign C.npy --op grad --labels y.npy --operand beta.npy A.npy -o c.coda
  assert_success
  assert_output --partial "any 3 responders suffice"
  # rank 2 of 3 coded blocks even from all workers
  npy "np.save('D.npy', np.array([[1.0, 2, 0.5], [1, 2, 0.5], [0, 1, 3]]))"
  run coda-encode --assign D.npy --operand B.npy A.npy -o d.coda
  assert_failure 1
  assert_output "coda-encode: D.npy: assignment: even all 3 workers cannot decode: their rows of G have rank below K = 3"
  [ ! -e d.coda ]
}
