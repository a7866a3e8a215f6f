#!/usr/bin/env bash
# Every test on a fresh machine: set up, build the C library, the CUDA kernels
# (where nvcc is found) and the GoogleTest suite, run it with CTest, then run
# the Python suite with pytest. GPU-only tests skip with a reason without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== C library and GoogleTest suite"
cmake -S . -B build/c -DCMAKE_BUILD_TYPE=Release
cmake --build build/c -j "$(nproc)"
ctest --test-dir build/c --output-on-failure -j "$(nproc)"
bash scripts/hardening.sh

echo "== Python suite"
.venv/bin/python -m pytest tests/python -q -rs
