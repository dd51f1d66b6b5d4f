#!/usr/bin/env bash
# Run the libFuzzer harnesses of BUILD (default build-fuzz; `make fuzz` builds them), one after
# the other, FUZZ_SECONDS (default 60) each, from seeds made by make-corpus.sh. A crash, leak,
# timeout (-timeout=10: a hang is a failure) or out-of-memory (-rss_limit_mb=2048) fails the
# run; each failure names its artifact. Prints one line per harness and exits 1 if any failed.
#   FUZZ_ONLY="csv npy"  run only these harnesses
#   FUZZ_KEEP_GOING=1    go on after a finding (libFuzzer -fork=1 -ignore_crashes ...: one
#                        process at a time) and save every one; the run still fails
#   FUZZ_ARGS=...        more libFuzzer options (-seed=N, -max_len=N, ...)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
tests/fuzz/make-corpus.sh "$build/corpus" || exit 1
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
keep=()
[ "${FUZZ_KEEP_GOING:-}" = 1 ] && keep=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
failed=0
for h in "$build"/fuzz_*; do
  [ -x "$h" ] || continue
  name=${h##*/fuzz_}
  [ -z "${FUZZ_ONLY:-}" ] || [[ " $FUZZ_ONLY " == *" $name "* ]] || continue
  art=$build/artifacts/$name
  log=$build/logs/$name.log
  mkdir -p "$art" "${log%/*}"
  stamp=$(mktemp)
  # the corpus directory also keeps what the fuzzer adds, for the next run; -max_len 128 KiB
  # lets a line cross the 64 KiB input buffer's refill
  "$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -max_len=131072 \
    -dict=tests/fuzz/coda.dict -print_final_stats=1 -artifact_prefix="$art/" "${keep[@]}" \
    ${FUZZ_ARGS:-} \
    "$build/corpus/$name" > "$log" 2>&1
  rc=$?
  found=$(find "$art" -type f -newer "$stamp" | sort)
  rm -f "$stamp"
  # the last status line: "#RUNS ... cov: C ft: F corp: N/..." (fork mode: "#RUNS: cov: ...")
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -1)
  if [ -z "$runs" ]; then # fork mode: the totals are in the last status line
    runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<< "$last")
    t=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<< "$last")
    [ -n "$runs" ] && [ "${t:-0}" -gt 0 ] && rate=$((runs / t))
  fi
  cov=$(sed -nE 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/p' <<< "$last")
  printf 'fuzz %-7s %s runs, %s exec/s, %s' "$name" "${runs:-?}" "${rate:-?}" \
    "${cov:-no coverage line}"
  if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
    echo ": ok"
    continue
  fi
  failed=1
  echo ": FAILED (exit $rc; log $log)"
  grep -E '^(fuzz: |SUMMARY: |==[0-9]+==ERROR: )' "$log" | sort -u | head -5 | sed 's/^/    /'
  for f in $found; do echo "    artifact: $f"; done
  [ -z "$found" ] || echo "    (reproduce: $h ARTIFACT)"
  [ -n "$found" ] || grep -E 'Test unit written to' "$log" | sed 's/^/    /'
done
exit $failed
