#!/usr/bin/env python3
"""Regenerate the malformed-input corpus (python3 standard library only).
Each file's expected message is in EXPECTED; tests/bad.bats checks every one."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))

def frame(rows, cols, meta=b"", payload=None, magic=b"CODA", version=1, order=b"L", kind=1,
          dtype=1, storage=b"C", reserved=b"\0\0\0", plen=None):
    width = 8 if dtype == 1 else 4
    if payload is None:
        payload = b"\0" * (rows * cols * width)
    if plen is None:
        plen = rows * cols * width
    h = magic + bytes([version]) + order + bytes([kind, dtype]) + storage + reserved
    h += struct.pack("<IQQ", len(meta), rows, cols) + struct.pack("<4q", -1, -1, -1, -1)
    h += struct.pack("<Q", plen % (1 << 64))
    return h + meta + payload

def npy(descr, shape, data, version=(1, 0)):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    d = d + " " * ((64 - (10 + len(d) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack("<H", len(d)) + d.encode() + data

files = {
    "truncated-header.coda": frame(2, 2)[:40],
    "wrong-magic.coda": frame(2, 2, magic=b"CODX"),
    "truncated-payload.coda": frame(2, 2)[:-8],
    "truncated-meta.coda": frame(1, 1, meta=b"a=1\n")[:74],
    "dimension-overflow.coda": frame(1 << 33, 1 << 33, payload=b""),
    "too-large.coda": frame(1 << 20, 1 << 20, payload=b""),
    "bad-dtype.coda": frame(1, 1, dtype=7, payload=b"\0" * 8, plen=8),
    "bad-version.coda": frame(1, 1, version=9),
    "payload-mismatch.coda": frame(2, 2, plen=8),
    "bad-meta.coda": frame(1, 1, meta=b"novalue\n"),
    "second-frame-garbage.coda": frame(1, 1) + b"garbage!" * 10,
    "ragged.csv": b"1,2,3\n4,5\n",
    "non-numeric.csv": b"1,2\n3,abc\n",
    "empty-field.csv": b"1,,3\n",
    "unterminated-quote.csv": b'1,"2\n',
    "mixed-header.csv": b"x,1\n2,3\n",
    "empty.csv": b"",
    "only-header.csv": b"a,b\n",
    "binary-garbage.bin": bytes(range(0, 64)) * 2,
    "npy-bad-dtype.npy": npy("<c16", "(1,)", b"\0" * 16),
    "npy-truncated.npy": npy("<f8", "(4,)", b"\0" * 20),
    "npy-3d.npy": npy("<f8", "(2, 2, 2)", b"\0" * 64),
    "npy-bad-version.npy": npy("<f8", "(1,)", b"\0" * 8, version=(7, 0)),
    "npy-int64-inexact.npy": npy("<i8", "(1,)", struct.pack("<q", (1 << 60) + 1)),
    "mtx-bad-index.mtx": b"%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n",
    "mtx-truncated.mtx": b"%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n",
    "mtx-complex.mtx": b"%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
    "mtx-non-numeric.mtx": b"%%MatrixMarket matrix array real general\n1 2\n1.5\nx\n",
    "mtx-extra.mtx": b"%%MatrixMarket matrix array real general\n1 1\n1\n2\n",
}
for name, data in files.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
