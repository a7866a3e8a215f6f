#!/usr/bin/env bash
# Every test on a fresh machine: set up, build the C library, the CUDA kernels
# (where nvcc is found) and the GoogleTest suite, run it with CTest, then run
# the Python suite with pytest. GPU-only tests skip with a reason without a GPU.
# Last, the torch-version matrix: the wheel built once and tested under the
# oldest and the newest torch, and the CPU-only wheel (scripts/torch_matrix.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== C library and GoogleTest suite"
cmake -S . -B build/c -DCMAKE_BUILD_TYPE=Release
cmake --build build/c -j "$(nproc)"
ctest --test-dir build/c --output-on-failure -j "$(nproc)"
bash scripts/hardening.sh

echo "== Python suite"
# test_deploy_cpp.py (C++ programs, ~3 min) runs in the matrix below, under
# torch 2.10 and the newest torch, against the installed wheel.
.venv/bin/python -m pytest tests/python -q -rs --ignore=tests/python/test_deploy_cpp.py

echo "== torch-version matrix (one wheel, torch 2.10.0 and the newest)"
bash scripts/torch_matrix.sh
