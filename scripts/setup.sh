#!/usr/bin/env bash
# Sets up a fresh Debian machine for ssrl_ecg, idempotently:
#   1. system packages: a C/C++ toolchain, CMake, GoogleTest, Google Benchmark,
#      clang 14 with libFuzzer and OpenMP, valgrind (scripts/hardening.sh);
#   2. a virtual environment in .venv with the pinned Python packages
#      (requirements-dev.txt: torch 2.11.0, the CUDA 13 build from PyPI);
#   3. this checkout built and installed into it (pip install .: the C library,
#      the CUDA kernels where nvcc is found, and the torch ops).
# Usage: bash scripts/setup.sh        (PYTHON=python3.12 to pick the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in build-essential cmake libgtest-dev libbenchmark-dev clang-14 libclang-rt-14-dev libomp-14-dev valgrind; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "== installing system packages: ${missing[*]}"
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
echo "== installing pinned Python packages (torch is a few GB the first time)"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt

echo "== building and installing ssrl_ecg (pip install .)"
.venv/bin/python -m pip install -q --no-build-isolation --no-deps .
.venv/bin/python -c "import ssrl_ecg, torch; print('ssrl_ecg', ssrl_ecg.__version__, 'on torch', torch.__version__)"
