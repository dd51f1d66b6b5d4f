#!/usr/bin/env bats
# Conventions every program keeps (coda(7)): output files that are never half-written, the
# output-format rule, one exit status per situation, progress only on a terminal, and --help
# and the man pages listing every option.
load helper

PROGS="cat encode worker-sim decode assign invert gen sketch solve"

# Small inputs for every program: A.csv (4 x 2), S.npy (4 x 4 SPD), T.npy (20 x 3, tall; its
# last column is b for coda-solve), stream.coda (coda-encode) and results.coda (its workers).
inputs() {
  printf '1,2\n3,4\n5,6\n7,8\n' > A.csv
  coda-gen --kind spd 4 4 -o S.npy
  coda-gen 20 3 -o T.npy
  coda-encode -q --scheme rep -N 4 -s 1 --op matvec --operand <(printf '1\n1\n') A.csv \
    -o stream.coda
  coda-worker-sim -q stream.coda -o results.coda
}

# The arguments (all but -o) of a run of program $1 that succeeds on the inputs above.
good_args() {
  case $1 in
  cat) echo A.csv ;;
  encode) echo "-q --scheme rep -N 2 A.csv" ;;
  worker-sim) echo "-q stream.coda" ;;
  decode) echo "-q results.coda" ;;
  assign) echo "--scheme rep -N 2" ;;
  invert) echo "-q S.npy" ;;
  gen) echo "2 2" ;;
  sketch) echo "-q T.npy" ;;
  solve) echo "-q T.npy" ;;
  esac
}

# The files in the current directory, hidden ones (a leftover temporary file) included.
files() { ls -A | tr '\n' ' '; }

@test "F09: a stream failing at its second frame leaves the old -o file as it was" {
  printf precious > out.coda
  run coda-cat "$DATA/bad/F09-cat-partial-output-second-frame-truncated.coda" -o out.coda
  assert_failure 1
  assert_output --partial "frame 1 at byte 80: truncated payload"
  [ "$(cat out.coda)" = precious ]
  [ "$(files)" = "out.coda " ]
}

@test "coda-cat: a missing input does not truncate the output" {
  printf precious > out.coda
  run coda-cat missing.csv -o out.coda
  assert_failure 1
  [ "$(cat out.coda)" = precious ]
  [ "$(files)" = "out.coda " ]
}

@test "coda-cat x.npy -o x.npy rewrites the file with the same matrix" {
  npy "np.save('x.npy', np.arange(6.0).reshape(3, 2) / 7)"
  before=$(coda-cat -f csv x.npy)
  run coda-cat x.npy -o x.npy
  assert_success
  [ "$(coda-cat -f csv x.npy)" = "$before" ]
  [ "$(files)" = "x.npy " ]
}

@test "every program: a failed run leaves the old -o file untouched and no temporary file" {
  inputs
  mkdir w && cd w
  # one failing run per program: bad data, a singular matrix, the memory limit, ...
  head -c 850 ../stream.coda > cut.coda # a stream cut inside its 5th frame, a task
  fails=(
    "coda-cat $DATA/bad/ragged.csv"
    "coda-encode -q --scheme rep -N 2 $DATA/bad/ragged.csv"
    "coda-worker-sim -q cut.coda"
    "coda-decode -q cut.coda"
    "coda-assign --scheme rep -N 3 -s 5"
    "coda-invert -q $DATA/bad/ragged.csv"
    "coda-gen 1000 1000"
    "coda-sketch -q $DATA/bad/ragged.csv"
    "coda-solve -q $DATA/bad/ragged.csv"
  )
  printf '1,1\n1,1\n' > singular.csv
  fails+=("coda-invert -q singular.csv")
  for cmd in "${fails[@]}"; do
    printf precious > out.coda
    CODA_MAX_MEMORY=100000 run $cmd -o out.coda
    [ "$status" -ne 0 ] || { echo "$cmd: exit 0"; false; }
    [ "$(cat out.coda)" = precious ] || { echo "$cmd: out.coda changed"; false; }
    [ "$(files)" = "cut.coda out.coda singular.csv " ] || { echo "$cmd: left $(files)"; false; }
  done
}

@test "a program killed while it writes leaves no temporary file and the old output" {
  printf precious > out.csv
  mkfifo in
  coda-cat -f csv -o out.csv < in &
  pid=$!
  exec 7> in
  printf '1,2\n' >&7
  for _ in $(seq 100); do # until coda-cat has its temporary file open
    ls -A | grep -q '^\.out\.csv\.' && break
    sleep 0.05
  done
  ls -A | grep -q '^\.out\.csv\.'
  kill -TERM $pid
  rc=0
  wait $pid || rc=$?
  exec 7>&-
  [ "$rc" -eq 143 ] # killed by SIGTERM
  [ "$(cat out.csv)" = precious ]
  [ "$(files)" = "in out.csv " ]
}

@test "coda-worker-sim: a stream that ends early leaves the old -o and --log files" {
  inputs
  head -c 850 stream.coda > cut.coda
  printf precious > out.coda
  printf precious > log.csv
  run coda-worker-sim cut.coda -o out.coda --log log.csv
  assert_failure 1
  [ "$(cat out.coda)" = precious ]
  [ "$(cat log.csv)" = precious ]
  run ls -A
  refute_output --partial ".out.coda."
  refute_output --partial ".log.csv."
}

@test "every program: an unwritable -o exits 1 (class io) with 'cannot write'" {
  inputs
  for p in $PROGS; do
    run coda-$p $(good_args $p) -o nodir/out.coda
    [ "$status" -eq 1 ] || { echo "coda-$p: exit $status: $output"; false; }
    [[ "$output" == *"coda-$p: nodir/out.coda: cannot write"* ]] || { echo "coda-$p: $output"; false; }
  done
}

@test "every program: a write error (/dev/full) exits 1" {
  [ -c /dev/full ] || skip "no /dev/full"
  inputs
  for p in $PROGS; do
    run coda-$p $(good_args $p) -o /dev/full
    [ "$status" -eq 1 ] || { echo "coda-$p: exit $status: $output"; false; }
    [[ "$output" == *"write error"* ]] || { echo "coda-$p: $output"; false; }
  done
  [ -c /dev/full ]
}

@test "every program: an unknown output extension is a usage error, and nothing is written" {
  inputs
  for p in $PROGS; do
    for name in out.txt out.csv.gz out.xlsx; do
      run coda-$p $(good_args $p) -o $name
      [ "$status" -eq 2 ] || { echo "coda-$p -o $name: exit $status: $output"; false; }
      [[ "$output" == *"unknown output extension"* ]] || { echo "coda-$p: $output"; false; }
      [ ! -e $name ]
    done
  done
  run ls -A
  refute_output --partial ".out."
}

@test "-f names the format whatever the extension; no extension means binary" {
  coda-gen 2 2 -f csv -o out.txt
  [ "$(wc -l < out.txt)" -eq 2 ]
  grep -q , out.txt
  coda-gen 2 2 -o plain
  [ "$(head -c 4 plain)" = CODA ]
  coda-gen 2 2 -o .hidden
  [ "$(head -c 4 .hidden)" = CODA ]
  coda-gen 2 2 -o OUT.CSV # the extension's case does not matter
  grep -q , OUT.CSV
  run coda-gen 2 2 -f txt -o out.csv
  assert_failure 2
}

@test "stream programs write binary only: a .csv or unknown name is refused before any work" {
  inputs
  for name in s.csv s.npy s.txt; do
    run coda-encode -q --scheme rep -N 2 A.csv -o $name
    assert_failure 2
    [ ! -e $name ]
    run coda-worker-sim -q stream.coda -o $name
    assert_failure 2
    [ ! -e $name ]
  done
  coda-worker-sim -q stream.coda -o s.bin
  coda-worker-sim -q stream.coda -o s
  cmp s s.bin
}

@test "-o /dev/null is written in place (the device stays), a symbolic link is kept" {
  coda-gen 2 2 -o /dev/null
  [ -c /dev/null ]
  coda-gen 3 3 -o real.csv
  ln -s real.csv link.csv
  coda-gen 2 2 --seed 7 -o link.csv
  [ -L link.csv ]
  [ "$(wc -l < real.csv)" -eq 2 ]
  [ "$(files)" = "link.csv real.csv " ]
}

@test "the mode of a replaced file is kept" {
  coda-gen 2 2 -o x.csv
  chmod 640 x.csv
  coda-gen 3 3 -o x.csv
  [ "$(stat -c %a x.csv)" = 640 ]
}

@test "coda-solve --trace: committed with x; on failure the old trace stays; '-' is stdout" {
  coda-gen 20 3 -o T.npy
  printf precious > t.csv
  run coda-solve -q --method precond --trace t.csv T.npy -o nodir/x.npy
  assert_failure 1
  [ "$(cat t.csv)" = precious ]
  coda-solve -q --trace t.csv T.npy -o x.npy
  [ "$(head -1 t.csv)" = "iter,residual,error,seconds" ]
  [ "$(wc -l < t.csv)" -ge 2 ]
  run coda-solve -q --trace - T.npy -o x.npy
  assert_success
  assert_line --index 0 "iter,residual,error,seconds"
  run coda-solve -q --trace - T.npy
  assert_failure 2
  assert_output --partial "option --trace: '-' is stdout"
  [ "$(files)" = "T.npy t.csv x.npy " ]
}

@test "coda-assign --trace: committed with the code; on failure the old trace stays" {
  search="--scheme matdot-search -m 2 --threshold 2 -N 3 --starts 1 --iters 20"
  printf precious > t.csv
  run coda-assign -q $search --trace t.csv -o nodir/code.npy
  assert_failure 1
  [ "$(cat t.csv)" = precious ]
  coda-assign -q $search --trace t.csv -o code.npy
  [ "$(head -1 t.csv)" = "start,iteration,loss,max_d,max_alpha,max_beta" ]
  run coda-assign -q $search --trace - -o code.npy
  assert_success
  assert_line --index 0 "start,iteration,loss,max_d,max_alpha,max_beta"
  run coda-assign $search --trace -
  assert_failure 2
  [ "$(files)" = "code.npy t.csv " ]
}

@test "coda-worker-sim --log: committed with the stream; '-' is stdout" {
  inputs
  printf precious > log.csv
  run coda-worker-sim -q stream.coda --log log.csv -o nodir/s.coda
  assert_failure 1
  [ "$(cat log.csv)" = precious ]
  coda-worker-sim -q stream.coda --log log.csv -o s.coda
  [ "$(head -1 log.csv)" = "worker,latency,responded" ]
  [ "$(wc -l < log.csv)" -eq 5 ]
  run coda-worker-sim -q stream.coda --log - -o s.coda
  assert_success
  assert_line --index 0 "worker,latency,responded"
  run coda-worker-sim -q stream.coda --log -
  assert_failure 2
}

@test "coda-invert --report: committed with the estimate; '-' is stderr" {
  coda-gen --kind spd 4 4 -o S.npy
  printf precious > r.csv
  run coda-invert -q --report r.csv S.npy -o nodir/X.npy
  assert_failure 1
  [ "$(cat r.csv)" = precious ]
  coda-invert -q --report r.csv S.npy -o X.npy
  [ "$(head -c 17 r.csv)" = "mode,method,rows," ]
  [ "$(wc -l < r.csv)" -eq 2 ]
  coda-invert -q --report - S.npy -o X.npy 2> err > out
  [ "$(head -c 17 err)" = "mode,method,rows," ]
  [ ! -s out ]
  [ "$(files)" = "S.npy X.npy err out r.csv " ]
}

@test "missing operands are named" {
  run coda-gen
  assert_failure 2
  assert_output "coda-gen: missing operand: ROWS COLS (see coda-gen --help)"
  run coda-gen 3
  assert_failure 2
  assert_output --partial "missing operand: COLS"
  run coda-solve
  assert_failure 2
  assert_output --partial "coda-solve: missing operand: A (and b)"
  run coda-sketch -q
  assert_failure 2
  assert_output --partial "coda-sketch: missing operand: A"
  run coda-gen 2 2 2
  assert_failure 2
  assert_output --partial "unexpected argument '2'"
}

@test "usage errors exit 2 in every program: an unknown option, a bad -f" {
  for p in $PROGS; do
    run coda-$p --no-such-option
    [ "$status" -eq 2 ] || { echo "coda-$p: exit $status"; false; }
  done
  for p in cat decode assign invert gen sketch solve; do
    run coda-$p -f xls $(good_args $p)
    [ "$status" -eq 2 ] || { echo "coda-$p -f xls: exit $status: $output"; false; }
  done
}

@test "coda-cat -t is a deprecated alias of --tag that warns" {
  inputs
  coda-cat --tag worker=1 -n 1 -f csv stream.coda > tag.csv 2> tag.err
  [ ! -s tag.err ]
  [ -s tag.csv ]
  coda-cat -t worker=1 -n 1 -f csv stream.coda > t.csv 2> t.err
  cmp tag.csv t.csv
  [ "$(cat t.err)" = "coda-cat: warning: -t is deprecated, use --tag" ]
  coda-cat -q -t worker=1 -n 1 -f csv stream.coda > /dev/null 2> q.err
  [ ! -s q.err ]
}

@test "no progress line when stderr is not a terminal" {
  inputs
  coda-gen --kind spd 30 30 -o S.npy
  run coda-invert --method cg S.npy -o X.npy
  assert_success
  refute_output --partial "columns done"
  refute_output --partial $'\r'
  run coda-invert -N 20 -s 1 S.npy -o X.npy
  refute_output --partial $'\r'
  run coda-worker-sim stream.coda -o s.coda
  refute_output --partial $'\r'
}

@test "progress on a terminal: sd/cg iterations, workers, erased at the end; none with -q" {
  command -v script > /dev/null || skip "no script(1)"
  inputs
  coda-gen --kind spd 30 30 -o S.npy
  out=$(script -qec "coda-invert --method cg $T/S.npy -o $T/X.npy" /dev/null)
  [[ "$out" == *$'\r'"coda-invert: iteration 0, 0 of 30 columns done"* ]]
  # the line is blanked out before the summary
  [[ "$out" == *$'\r'"    "*$'\r'"coda-invert: inverse of 30 x 30 by cg"* ]]
  out=$(script -qec "coda-invert --method sd --iters 50 $T/S.npy -o $T/X.npy" /dev/null)
  [[ "$out" == *$'\r'"coda-invert: iteration 0, 0 of 30 columns done"* ]]
  out=$(script -qec "coda-invert -q --method cg $T/S.npy -o $T/X.npy" /dev/null)
  [ -z "$out" ]
  out=$(script -qec "coda-invert -q -N 20 -s 1 $T/S.npy -o $T/X.npy" /dev/null)
  [ -z "$out" ]
  out=$(script -qec "coda-invert -N 20 -s 1 $T/S.npy -o $T/X.npy" /dev/null)
  [[ "$out" == *"coda-invert: worker 1 of 20"* ]]
  out=$(script -qec "coda-worker-sim $T/stream.coda -o $T/s.coda" /dev/null)
  [[ "$out" == *$'\r'"coda-worker-sim: worker 1 of 4"* ]]
  coda-gen 40 3 -o $T/E.npy
  out=$(script -qec "coda-encode --scheme rep -N 8 -s 1 $T/E.npy -o $T/e.coda" /dev/null)
  [[ "$out" == *$'\r'"coda-encode: worker 1 of 8"* ]]
  out=$(script -qec "coda-encode -q --scheme rep -N 8 -s 1 $T/E.npy -o $T/e.coda" /dev/null)
  [ -z "$out" ]
}

# Every long and short option of a program's option table is in its man page (--help, which
# the table generates, lists them all by construction).
@test "the man page of every program lists every option of its table" {
  run "$PY" - "$ROOT" <<'EOF'
import os, re, subprocess, sys
root = sys.argv[1]
bad = 0
def help_options(help):
    """The options a generated --help lists (lib/cli/options.c's lines), before the schemes'
    own, which their coda-SCHEME(7) pages document."""
    longs, shorts = [], ""
    for line in help.split("\n"):
        if line.startswith("The schemes' own"):
            break
        m = re.match(r'  (?:-(\w)(?:, |\s|$))?(?:--([a-z0-9-]+))?', line)
        if m and (m.group(1) or m.group(2)):
            shorts += m.group(1) or ""
            longs += [m.group(2)] if m.group(2) else []
    return longs, shorts
for src in sorted(os.listdir(f"{root}/cmd")):
    prog = "coda-" + src[:-2].replace("_", "-")
    s = open(f"{root}/cmd/{src}").read()
    # every program's --help is generated from its option table (lib/cli/options.h)
    if "coda_cli_getopt_build" not in s:
        print(f"{prog}: no option table (coda_cli_getopt_build)"); bad += 1
        continue
    help = subprocess.run([prog, "--help"], capture_output=True, text=True).stdout
    if prog == "coda-solve":  # and --method gd's table, which --help prints after its own
        help += subprocess.run([prog, "--method", "gd", "--help"], capture_output=True,
                               text=True).stdout
    longs, shorts = help_options(help)
    assert longs, prog
    man = open(f"{root}/man/{prog}.1").read()
    for o in longs:  # in the man page a hyphen is written - or \-
        if not re.search(r'\\-\\-' + o.replace('-', r'\\?-') + r'(?![\w-]|\\-)', man):
            print(f"{prog}: --{o} is not in man/{prog}.1"); bad += 1
    for c in shorts:
        if not re.search(r'(?<!\\-)\\-' + c + r'(?![\w]|\\-)', man):
            print(f"{prog}: -{c} is not in man/{prog}.1"); bad += 1
sys.exit(1 if bad else 0)
EOF
  assert_success
}

@test "--help fits in 79 columns, for every program" {
  for p in $PROGS worker-mpi "solve --method gd"; do
    long=$(coda-$p --help | awk 'length > 79')
    [ -z "$long" ] || { echo "coda-$p: $long"; false; }
  done
}

@test "the man pages format without warnings" {
  for f in "$ROOT"/man/*; do
    run bash -c 'groff -ww -man -Tutf8 "$1" 2>&1 > /dev/null' - "$f"
    assert_success
    assert_output ""
  done
}
