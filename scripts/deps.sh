#!/usr/bin/env bash
# Install the Debian packages coda needs, and only those that are missing. Says what it installs.
# `scripts/deps.sh fuzz` adds what `make fuzz` needs: clang, libFuzzer's runtime and OpenMP for
# clang (the default LLVM version's packages).
set -euo pipefail
need=(gcc make pkg-config libopenblas-dev liblapacke-dev libcsv-dev bats bats-assert bats-support
      python3-numpy zlib1g-dev openmpi-bin libopenmpi-dev)
[ "${1:-}" = fuzz ] && need+=(clang libclang-rt-dev libomp-dev)
[ "${CODA_DEPS_EXTRA:-}" ] && need+=($CODA_DEPS_EXTRA)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
