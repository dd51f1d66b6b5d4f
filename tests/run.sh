#!/usr/bin/env bash
# Run every test: the C unit tests of lib/ and the Bats tests of the programs, first on the
# normal build, then (unless --plain) on the AddressSanitizer + UBSan build. Ends with one
# line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
run_suite() { # $1 build dir, $2 bin dir, $3 label
  local build=$1 bindir=$2 label=$3 out
  echo "== $label: unit tests"
  for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); local rc=$?
    echo "$out" | grep -E '^(FAIL|unit:)' || true
    local p f
    p=$(echo "$out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
      echo "FAIL: $t crashed or printed no summary (exit $rc)"; echo "$out" | tail -5; failed=$((failed+1))
    else
      passed=$((passed+p)); failed=$((failed+f))
    fi
  done
  echo "== $label: bats"
  out=$(CODA_BIN="$PWD/$bindir" bats --tap tests/*.bats 2>&1)
  echo "$out" | grep -E '^not ok|^#' | head -60 || true
  passed=$((passed+$(echo "$out" | grep -c '^ok ')))
  failed=$((failed+$(echo "$out" | grep -c '^not ok ')))
  [ "$(echo "$out" | grep -c '^ok \|^not ok ')" -gt 0 ] || { echo "FAIL: bats ran no test"; failed=$((failed+1)); }
}
run_suite build bin "normal build"
if [ "${1:-}" != "--plain" ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite build-asan build-asan/bin "ASan+UBSan build"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
