#!/usr/bin/env bash
# gpu_check.sh BUNDLE: the whole GPU proof in one short call, building nothing.
# BUNDLE comes from scripts/gpu_bundle.sh (built on a machine with nvcc and
# GoogleTest); this script runs, each step under its own time limit:
#
#   1. every GoogleTest suite of the bundle (the binaries themselves: CTest files
#      hold the build machine's paths), label "huge" left out
#   2. pytest tests/python on the bundle's torch ops     } side by side
#      (not test_deploy_cpp.py: it compiles C++ for minutes; CI runs it)
#   3. compute-sanitizer memcheck, racecheck, initcheck,  } (the GPU has room;
#      synccheck over the suites that use CUDA            }  timings come later)
#   4. bench_ops_cuda (validate, then time the C entry points)
#   5. python -m ssrl_ecg bench --device cuda --targets (the target table)
#
# and writes at most 6 files to $OUT (default build/gpu-check-out):
# gpu_report.md (device, every step's verdict and time, failures), gpu_check.log
# (all output), bench_ops_cuda.txt, bench_cuda.json, bench_cuda.md. Without a GPU
# every step still runs, the GPU parts say "no GPU", and the verdict is NO GPU.
# Exit status: 0 when nothing failed (with or without a GPU), else 1.
#
# The device tool call (README, "GPU proof"):
#   run(command="tests/gpu_check.sh build/gpu-bundle", carry=["build/gpu-bundle"], timeout_s=420)
#
# Environment: PYTHON (default python3), OUT, SSRL_GPU_CHECK_HUGE=1 (also the
# "huge" suites), SSRL_GPU_CHECK_PYTEST_ARGS (default tests/python
# --ignore=tests/python/test_deploy_cpp.py), time limits in seconds
# SSRL_GPU_T_SUITE (90 per suite), SSRL_GPU_T_PYTEST (240),
# SSRL_GPU_T_SANITIZE (150 per tool), SSRL_GPU_T_BENCH_C (60),
# SSRL_GPU_T_BENCH_PY (120).
set -u -o pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
if [[ $# -lt 1 || ! -f ${1:-}/suites.txt ]]; then
  echo "usage: tests/gpu_check.sh BUNDLE   (BUNDLE from scripts/gpu_bundle.sh)" >&2
  exit 2
fi
bundle=$(cd "$1" && pwd)
out=${OUT:-$root/build/gpu-check-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$out/gpu_check.log report=$out/gpu_report.md
: >"$log"
export LD_LIBRARY_PATH=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
py_env=(env PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}"
        SSRL_ECG_OPS_LIBRARY="$bundle/_ssrl_ecg_ops.so")
t0=$SECONDS
failed=0
declare -a rows=()
row() { rows+=("| $1 | $2 | $3 s |"); } # row STEP VERDICT SECONDS
note() { echo "$*" | tee -a "$log"; }

# ---- the device --------------------------------------------------------------
device=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
  2>/dev/null | head -n 1)
gpu=0
[[ -n $device ]] && gpu=1
[[ -n $device ]] || device="none (nvidia-smi found no GPU)"
note "== gpu_check: bundle $bundle, device: $device"
bundle_commit=$(awk '$1 == "commit" {print $2}' "$bundle/MANIFEST" 2>/dev/null)
tree_commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo none)
[[ ${bundle_commit%+dirty} = "$tree_commit" ]] || note "== warning: bundle built from" \
  "${bundle_commit:-?}, this tree is $tree_commit: Python tests and ops may disagree"

# ---- 1. GoogleTest suites ----------------------------------------------------
# count WORD FILE: N from gtest's "[  WORD  ] N test" line, else 0
count() { sed -n "s/^\[ *$1 *\] \([0-9]*\) test.*/\1/p" "$2" | tail -n 1 | grep . || echo 0; }
suites_pass=0 suites_fail=0 cases_pass=0 cases_skip=0 cases_fail=0
s=$SECONDS
while read -r name labels; do
  [[ -n $name ]] || continue
  if [[ ,$labels, = *,huge,* && ${SSRL_GPU_CHECK_HUGE:-0} != 1 ]]; then
    note "== suite $name: left out (label huge)"
    continue
  fi
  timeout "${SSRL_GPU_T_SUITE:-90}" "$bundle/tests/$name" >"$tmp/$name.out" 2>&1
  rc=$?
  cat "$tmp/$name.out" >>"$log"
  p=$(count PASSED "$tmp/$name.out") k=$(count SKIPPED "$tmp/$name.out")
  f=$(count FAILED "$tmp/$name.out")
  cases_pass=$((cases_pass + p)) cases_skip=$((cases_skip + k)) cases_fail=$((cases_fail + f))
  if ((rc == 0)); then
    suites_pass=$((suites_pass + 1))
  else
    suites_fail=$((suites_fail + 1))
    ((rc == 124)) && note "== suite $name: TIMED OUT"
    grep -E '^\[  FAILED  \] [A-Za-z]' "$tmp/$name.out" | sed "s/^/$name: /" >>"$tmp/failures"
  fi
  note "== suite $name: exit $rc ($p passed, $k skipped, $f failed)"
done <"$bundle/suites.txt"
verdict="$suites_pass suites ok, $suites_fail failed; cases: $cases_pass passed, $cases_skip skipped, $cases_fail failed"
((gpu)) || verdict+=" (no GPU: CUDA cases skip)"
((suites_fail == 0)) || failed=1
row "GoogleTest suites" "$verdict" $((SECONDS - s))

# ---- 2 and 3. pytest beside compute-sanitizer ----------------------------------
s=$SECONDS
# shellcheck disable=SC2086  # the arguments are words on purpose
timeout "${SSRL_GPU_T_PYTEST:-240}" "${py_env[@]}" "$python" -m pytest -q -p no:cacheprovider \
  ${SSRL_GPU_CHECK_PYTEST_ARGS:-tests/python --ignore=tests/python/test_deploy_cpp.py} \
  >"$tmp/pytest.out" 2>&1 &
pytest_pid=$!

sanitizer=$(command -v compute-sanitizer || true)
[[ -n $sanitizer ]] || for d in /usr/local/cuda/bin /usr/local/cuda/compute-sanitizer; do
  [[ -x $d/compute-sanitizer ]] && sanitizer=$d/compute-sanitizer && break
done
# the suites that call the CUDA runtime; long cases left out (sanitizers are slow)
san_suites=()
for f in "$bundle"/tests/*; do
  ldd "$f" 2>/dev/null | grep -q libcudart && san_suites+=("$f")
done
san_filter=${SSRL_GPU_SANITIZE_FILTER:--*LongRecordings*:*BatchBeyondGridLimit*}
san_pids=()
if ((gpu)) && [[ -n $sanitizer ]]; then
  for tool in memcheck racecheck initcheck synccheck; do
    (
      rc=0
      for f in "${san_suites[@]}"; do
        timeout "${SSRL_GPU_T_SANITIZE:-150}" "$sanitizer" --tool "$tool" --error-exitcode 1 \
          "$f" --gtest_filter="$san_filter" --gtest_brief=1 || rc=1
      done
      exit $rc
    ) >"$tmp/sanitize_$tool.out" 2>&1 &
    san_pids+=($!)
  done
fi

wait "$pytest_pid"
rc=$?
cat "$tmp/pytest.out" >>"$log"
summary=$(grep -E '[0-9]+ (passed|failed|error)' "$tmp/pytest.out" | tail -n 1)
if ((rc == 0)); then
  verdict="ok: $summary"
else
  failed=1
  verdict="FAILED (exit $rc$( ((rc == 124)) && echo ', timed out')): ${summary:-no summary}"
  grep -E '^(FAILED|ERROR) ' "$tmp/pytest.out" | sed 's/^/pytest: /' >>"$tmp/failures"
fi
((gpu)) || verdict+=" (no GPU: CUDA tests skip)"
row "pytest on the bundle's ops" "$verdict" $((SECONDS - s))

if ((!gpu)); then
  row "compute-sanitizer" "no GPU: not run" 0
elif [[ -z $sanitizer ]]; then
  failed=1
  row "compute-sanitizer" "FAILED: compute-sanitizer not found" 0
else
  i=0
  for tool in memcheck racecheck initcheck synccheck; do
    wait "${san_pids[$i]}"
    rc=$?
    i=$((i + 1))
    cat "$tmp/sanitize_$tool.out" >>"$log"
    errors=$(grep -E 'ERROR SUMMARY: [0-9]+' "$tmp/sanitize_$tool.out" |
      awk '{s += $(NF-1)} END {print s + 0}')
    if ((rc == 0)); then
      verdict="ok (${#san_suites[@]} suites, $errors errors)"
    else
      failed=1
      verdict="FAILED (exit $rc, $errors errors)"
      echo "sanitize_$tool: see gpu_check.log" >>"$tmp/failures"
    fi
    row "compute-sanitizer $tool" "$verdict" $((SECONDS - s))
  done
fi

# ---- 4. the C benchmark ----------------------------------------------------------
s=$SECONDS
timeout "${SSRL_GPU_T_BENCH_C:-60}" "$bundle/bin/bench_ops_cuda" >"$out/bench_ops_cuda.txt" 2>&1
rc=$?
cat "$out/bench_ops_cuda.txt" >>"$log"
if grep -q 'no CUDA device' "$out/bench_ops_cuda.txt"; then
  verdict="no GPU: $(head -n 1 "$out/bench_ops_cuda.txt")"
elif ((rc == 0)); then
  verdict="ok: every case validated, then timed (bench_ops_cuda.txt)"
else
  failed=1
  verdict="FAILED (exit $rc): $(grep -E 'FAILED|ERROR' "$out/bench_ops_cuda.txt" | head -n 1)"
fi
row "bench_ops_cuda" "$verdict" $((SECONDS - s))

# ---- 5. the Python benchmark and its target table -------------------------------
s=$SECONDS
timeout "${SSRL_GPU_T_BENCH_PY:-120}" "${py_env[@]}" "$python" -m ssrl_ecg bench --device cuda \
  --targets --out "$tmp/bench" >"$tmp/bench_py.out" 2>&1
rc=$?
cat "$tmp/bench_py.out" >>"$log"
targets=""
if [[ -f $tmp/bench/results.json ]]; then
  cp "$tmp/bench/results.json" "$out/bench_cuda.json"
  cp "$tmp/bench/results.md" "$out/bench_cuda.md"
  targets=$(sed -n '/^## Targets/,/^## /p' "$tmp/bench/results.md" | grep '^| cuda')
fi
if ((!gpu)) && grep -q 'no CUDA device' "$tmp/bench_py.out"; then
  verdict="no GPU: $(grep 'no CUDA device' "$tmp/bench_py.out" | head -n 1)"
elif ((rc == 0)); then
  verdict="ok: validated; targets below (bench_cuda.md)"
else
  failed=1
  verdict="FAILED (exit $rc$( ((rc == 124)) && echo ', timed out'))"
fi
row "python -m ssrl_ecg bench --device cuda --targets" "$verdict" $((SECONDS - s))

# ---- report ----------------------------------------------------------------------
if ((failed)); then final=FAIL; elif ((gpu)); then final=PASS; else
  final="NO GPU (every step ran; the CUDA parts skipped, nothing failed)"
fi
{
  echo "# ssrl_ecg GPU check"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); wall: $((SECONDS - t0)) s"
  echo "- device: $device"
  echo "- bundle: $(tr '\n' ';' <"$bundle/MANIFEST" 2>/dev/null)"
  echo "- tree: $tree_commit"
  echo "- verdict: **$final**"
  echo
  echo "| step | verdict | time |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [[ -n $targets ]]; then
    echo
    echo "## Targets"
    echo
    echo "| device | target | measured | goal | status |"
    echo "|---|---|---|---|---|"
    echo "$targets"
  fi
  if [[ -s $tmp/failures ]]; then
    echo
    echo "## Failures"
    echo
    echo '```'
    head -n 60 "$tmp/failures"
    echo '```'
  fi
} >"$report"
cat "$report"
exit $failed
