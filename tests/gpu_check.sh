#!/usr/bin/env bash
# gpu_check.sh: one command for a GPU machine without network or a GoogleTest
# package. Configures and builds the library, the GoogleTest suites (GoogleTest
# built from source), the CUDA microbenchmark and, where torch imports, the
# torch ops; runs the suites with ctest (the CUDA suites then really run
# instead of skipping); optionally runs pytest against the built ops, the
# benchmarks and compute-sanitizer; writes a short report (device, pass/fail
# counts, failures) to ${OUT:-build-gpu}/gpu_report.md. Exits non-zero when
# anything fails.
#
#   cp -r /usr/src/googletest third_party/googletest   # on a machine that has it
#   tests/gpu_check.sh
#
# Environment:
#   SSRL_GTEST_SOURCE_DIR    GoogleTest sources (default third_party/googletest,
#                            relative to the repository root)
#   CUDAARCHS                CUDA architectures to build (default 90)
#   SSRL_GPU_BUILD_DIR       build folder (default build-gpu)
#   SSRL_GPU_CHECK_PYTEST=1  also run pytest tests/python on the built torch ops
#   SSRL_GPU_CHECK_BENCH=1   also run bench_ops_cuda and python -m ssrl_ecg bench
#                            --device cuda (results in $OUT/bench-cuda)
#   SSRL_GPU_CHECK_SANITIZE=1  also run the CUDA suite under compute-sanitizer
#                            (memcheck, racecheck, initcheck, synccheck)
#   OUT                      where the report goes (default: the build folder)
set -u -o pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
gtest=${SSRL_GTEST_SOURCE_DIR:-third_party/googletest}
[[ $gtest = /* ]] || gtest=$root/$gtest
archs=${CUDAARCHS:-90}
build=${SSRL_GPU_BUILD_DIR:-build-gpu}
[[ $build = /* ]] || build=$root/$build
out=${OUT:-$build}
jobs=$(nproc 2>/dev/null || echo 4)
mkdir -p "$build" "$out"
report=$out/gpu_report.md
log=$out/gpu_check.log
: >"$log"

status=0
step() { # step NAME CMD...: runs CMD, appending its output to the log
  local name=$1
  shift
  echo "== $name: $*" | tee -a "$log"
  "$@" >>"$log" 2>&1
  local rc=$?
  echo "== $name: exit $rc" | tee -a "$log"
  return $rc
}

device=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null |
  head -n 1)
[[ -n $device ]] || device="(nvidia-smi found no GPU)"

python=$(command -v python3 || true)
torch_build=$build/torch-ops
# pytest and the Python benchmark use the ops built here, not an installed copy.
py_env=(env PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}"
        SSRL_ECG_OPS_LIBRARY="$torch_build/torch_bindings/_ssrl_ecg_ops.so")

configure_ok=1 build_ok=1 ctest_rc=-1 pytest_rc=skipped bench_rc=skipped sanitize_rc=skipped
if [[ ! -f $gtest/CMakeLists.txt ]]; then
  echo "gpu_check: no GoogleTest sources at $gtest (set SSRL_GTEST_SOURCE_DIR)" | tee -a "$log"
  configure_ok=0
  status=1
elif ! step configure cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="$archs" -DSSRL_GTEST_SOURCE_DIR="$gtest" -DSSRL_BUILD_TESTS=ON \
  -DSSRL_BUILD_BENCH=ON -DSSRL_BUILD_TORCH=OFF; then
  configure_ok=0
  status=1
elif ! step build cmake --build "$build" -j "$jobs"; then
  build_ok=0
  status=1
else
  # ctest's own log keeps the per-test verdicts for the report
  step ctest ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 300 \
    --output-log "$out/ctest_output.log"
  ctest_rc=$?
  ((ctest_rc == 0)) || status=1
fi

# The torch ops in a build of their own, so that a torch problem never keeps
# the C/CUDA suites from running, and no stale library is ever tested.
built_ops=0 ops_note="not built (no python3 that imports torch)"
if [[ -n $python ]] && "$python" -c 'import torch' >/dev/null 2>&1; then
  rm -f "$torch_build/torch_bindings/_ssrl_ecg_ops.so"
  if step configure_torch cmake -S "$root" -B "$torch_build" -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_CUDA_ARCHITECTURES="$archs" -DSSRL_BUILD_TESTS=OFF -DSSRL_BUILD_BENCH=OFF \
       -DSSRL_BUILD_TORCH=ON -DPython_EXECUTABLE="$python" &&
     step build_torch cmake --build "$torch_build" -j "$jobs" --target _ssrl_ecg_ops; then
    built_ops=1 ops_note=built
  else
    ops_note="FAILED (see the log)"
    status=1
  fi
fi
if [[ ${SSRL_GPU_CHECK_PYTEST:-0} = 1 ]]; then
  if ((built_ops)); then
    step pytest "${py_env[@]}" "$python" -m pytest -q tests/python
    pytest_rc=$?
    ((pytest_rc == 0)) || status=1
  else
    pytest_rc="skipped (torch ops $ops_note)"
  fi
fi

if [[ ${SSRL_GPU_CHECK_BENCH:-0} = 1 ]]; then
  bench_rc=0
  if [[ -x $build/bench/bench_ops_cuda ]]; then
    step bench_ops_cuda "$build/bench/bench_ops_cuda" || bench_rc=1
  else
    echo "gpu_check: bench_ops_cuda was not built (no CUDA toolkit, or the build failed)" |
      tee -a "$log"
    bench_rc="1 (bench_ops_cuda not built)"
  fi
  if ((built_ops)); then
    step bench_python "${py_env[@]}" "$python" -m ssrl_ecg bench --device cuda \
      --out "$out/bench-cuda" || bench_rc=1
  fi
  [[ $bench_rc = 0 ]] || status=1
fi

if [[ ${SSRL_GPU_CHECK_SANITIZE:-0} = 1 ]]; then
  sanitizer=$(command -v compute-sanitizer || true)
  nvcc_dir=$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")
  [[ -n $sanitizer ]] || sanitizer=$nvcc_dir/compute-sanitizer
  if [[ -x $sanitizer && -x $build/tests/test_cuda_ops ]]; then
    sanitize_rc=0
    for tool in memcheck racecheck initcheck synccheck; do
      step "sanitize_$tool" "$sanitizer" --tool "$tool" --error-exitcode 1 \
        "$build/tests/test_cuda_ops" --gtest_brief=1 || sanitize_rc=1
    done
    ((sanitize_rc == 0)) || status=1
  else
    sanitize_rc="skipped (no compute-sanitizer or no test_cuda_ops)"
  fi
fi

# ---- report ------------------------------------------------------------------
summary=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1)
failed=$(sed -n '/The following tests FAILED:/,/^Errors while running CTest/p' "$log" |
  grep -E '^\s+[0-9]+ - ' || true)
skipped=$(sed -n '/The following tests did not run:/,/^$/p' "$log" | grep -cE '^\s+[0-9]+ - ' || true)
{
  echo "# ssrl_ecg GPU check"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'none')"
  echo "- device: $device"
  echo "- CUDA architectures: $archs; nvcc: $(nvcc --version 2>/dev/null | tail -n 1)"
  echo "- configure: $([[ $configure_ok = 1 ]] && echo ok || echo FAILED)," \
    "build: $([[ $build_ok = 1 && $configure_ok = 1 ]] && echo ok || echo FAILED)"
  echo "- ctest: ${summary:-not run} (exit $ctest_rc); skipped: ${skipped:-0}"
  echo "- torch ops: $ops_note"
  echo "- pytest: $pytest_rc"
  echo "- benchmarks: $bench_rc$([[ -d $out/bench-cuda ]] && echo " (results in $out/bench-cuda)")"
  echo "- compute-sanitizer: $sanitize_rc"
  echo "- verdict: $([[ $status = 0 ]] && echo PASS || echo FAIL)"
  if [[ -n $failed ]]; then
    echo
    echo "## Failed tests"
    echo
    echo '```'
    echo "$failed"
    echo '```'
  fi
  if [[ $status != 0 ]]; then
    echo
    echo "## Last lines of the log ($log)"
    echo
    echo '```'
    grep -E ': Failure|FAILED|error:|Expected|Which is|differs|Value of' "$log" | head -n 80
    echo '...'
    tail -n 40 "$log"
    echo '```'
  fi
} >"$report"
cat "$report"
exit $status
