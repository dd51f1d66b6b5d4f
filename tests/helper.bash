# Shared set-up for the Bats tests: programs from $CODA_BIN (default bin/), a scratch dir,
# Debian's python3 (which has numpy) for interop checks.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
export PATH="${CODA_BIN:-$ROOT/bin}:$PATH"
PY=/usr/bin/python3
DATA="$ROOT/testdata"

setup() {
  T="$BATS_TEST_TMPDIR"
  cd "$T"
}

# numpy one-liner with np imported
npy() { "$PY" -c "import numpy as np; $1"; }
