#!/usr/bin/env bats
# Every file in testdata/bad/ is rejected with one line naming the program, the input and the
# position, and exit status 1. (testdata/bad/make-corpus.py regenerates the files.)
load helper

@test "bad input: truncated-header.coda" {
  run coda-cat -f csv "$DATA/bad/truncated-header.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/truncated-header.coda"
  assert_output --partial "frame 0 at byte 0: truncated header"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: wrong-magic.coda" {
  run coda-cat -f csv "$DATA/bad/wrong-magic.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/wrong-magic.coda"
  assert_output --partial "frame 0 at byte 0: bad magic 'CODX'"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: truncated-payload.coda" {
  run coda-cat -f csv "$DATA/bad/truncated-payload.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/truncated-payload.coda"
  assert_output --partial "frame 0 at byte 0: truncated payload"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: truncated-meta.coda" {
  run coda-cat -f csv "$DATA/bad/truncated-meta.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/truncated-meta.coda"
  assert_output --partial "truncated metadata"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: dimension-overflow.coda" {
  run coda-cat -f csv "$DATA/bad/dimension-overflow.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/dimension-overflow.coda"
  assert_output --partial "overflow"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: too-large.coda" {
  run coda-cat -f csv "$DATA/bad/too-large.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/too-large.coda"
  assert_output --partial "bytes, more than the"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: bad-dtype.coda" {
  run coda-cat -f csv "$DATA/bad/bad-dtype.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/bad-dtype.coda"
  assert_output --partial "unsupported dtype"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: bad-version.coda" {
  run coda-cat -f csv "$DATA/bad/bad-version.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/bad-version.coda"
  assert_output --partial "unsupported format version 9"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: payload-mismatch.coda" {
  run coda-cat -f csv "$DATA/bad/payload-mismatch.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/payload-mismatch.coda"
  assert_output --partial "payload length 8 does not match"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: bad-meta.coda" {
  run coda-cat -f csv "$DATA/bad/bad-meta.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/bad-meta.coda"
  assert_output --partial "has no '='"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: second-frame-garbage.coda" {
  run coda-cat -f csv "$DATA/bad/second-frame-garbage.coda"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/second-frame-garbage.coda"
  assert_output --partial "frame 1 at byte 80: bad magic"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: ragged.csv" {
  run coda-cat -f csv "$DATA/bad/ragged.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/ragged.csv"
  assert_output --partial ":2:4: ragged row: 2 fields, expected 3"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: non-numeric.csv" {
  run coda-cat -f csv "$DATA/bad/non-numeric.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/non-numeric.csv"
  assert_output --partial ":2:3: not a number: 'abc'"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: empty-field.csv" {
  run coda-cat -f csv "$DATA/bad/empty-field.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/empty-field.csv"
  assert_output --partial ":1:3: empty field"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: unterminated-quote.csv" {
  run coda-cat -f csv "$DATA/bad/unterminated-quote.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/unterminated-quote.csv"
  assert_output --partial ":1: unterminated quoted field"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: mixed-header.csv" {
  run coda-cat -f csv "$DATA/bad/mixed-header.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/mixed-header.csv"
  assert_output --partial ":1:1: not a number"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: empty.csv" {
  run coda-cat -f csv "$DATA/bad/empty.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/empty.csv"
  assert_output --partial "empty input"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: only-header.csv" {
  run coda-cat -f csv "$DATA/bad/only-header.csv"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/only-header.csv"
  assert_output --partial "no data rows"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: binary-garbage.bin" {
  run coda-cat -f csv "$DATA/bad/binary-garbage.bin"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/binary-garbage.bin"
  assert_output --partial "bad magic"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: npy-bad-dtype.npy" {
  run coda-cat -f csv "$DATA/bad/npy-bad-dtype.npy"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/npy-bad-dtype.npy"
  assert_output --partial "unsupported .npy dtype '<c16'"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: npy-truncated.npy" {
  run coda-cat -f csv "$DATA/bad/npy-truncated.npy"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/npy-truncated.npy"
  assert_output --partial "truncated .npy data"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: npy-3d.npy" {
  run coda-cat -f csv "$DATA/bad/npy-3d.npy"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/npy-3d.npy"
  assert_output --partial "more than 2 dimensions"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: npy-bad-version.npy" {
  run coda-cat -f csv "$DATA/bad/npy-bad-version.npy"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/npy-bad-version.npy"
  assert_output --partial "unsupported .npy version 7.0"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: npy-int64-inexact.npy" {
  run coda-cat -f csv "$DATA/bad/npy-int64-inexact.npy"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/npy-int64-inexact.npy"
  assert_output --partial "not exactly representable"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: mtx-bad-index.mtx" {
  run coda-cat -f csv "$DATA/bad/mtx-bad-index.mtx"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/mtx-bad-index.mtx"
  assert_output --partial ":3:1: index (3,1) outside 2 x 2"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: mtx-truncated.mtx" {
  run coda-cat -f csv "$DATA/bad/mtx-truncated.mtx"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/mtx-truncated.mtx"
  assert_output --partial ":6: truncated"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: mtx-complex.mtx" {
  run coda-cat -f csv "$DATA/bad/mtx-complex.mtx"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/mtx-complex.mtx"
  assert_output --partial "unsupported Matrix Market type"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: mtx-non-numeric.mtx" {
  run coda-cat -f csv "$DATA/bad/mtx-non-numeric.mtx"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/mtx-non-numeric.mtx"
  assert_output --partial ":4:1: value is not a number: 'x'"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

@test "bad input: mtx-extra.mtx" {
  run coda-cat -f csv "$DATA/bad/mtx-extra.mtx"
  assert_failure 1
  assert_output --partial "coda-cat: $DATA/bad/mtx-extra.mtx"
  assert_output --partial "more entries than the size line declares"
  [ "${#lines[@]}" -eq 1 ] || [ "$(printf '%s\n' "${lines[@]}" | grep -c '^coda-cat:')" -eq 1 ]
}

