#!/usr/bin/env bash
# Builds one libFuzzer binary per C entry point into $SSRL_FUZZ_BUILD_DIR
# (default build/fuzz): the CPU sources of ops/ compiled by clang with coverage
# instrumentation, AddressSanitizer and UndefinedBehaviorSanitizer (every UB
# check fatal), OpenMP on as in the library build, linked with each harness.
#   bash fuzz/build.sh            (CLANG=... CLANGXX=... to pick other compilers)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SSRL_FUZZ_BUILD_DIR:-build/fuzz}
# clang 14 by default: its libFuzzer runtime is libclang-rt-14-dev (scripts/setup.sh).
CC=${CLANG:-$(command -v clang-14 || command -v clang)}
CXX=${CLANGXX:-$(command -v clang++-14 || command -v clang++)}
TARGETS=(fuzz_block_count fuzz_block_starts fuzz_block_mask fuzz_confusion_counts fuzz_auroc
         fuzz_status_string)
TARGETS+=(fuzz_span_mask fuzz_lead_mask fuzz_token_mask)  # issue 10 masks
TARGETS+=(fuzz_confusion_counts2 fuzz_auroc_auprc)  # issue 11 label dtypes, AUPRC
# Listed, not globbed (as in CMakeLists.txt): a new source must be added here.
SOURCES=(ops/status.c ops/check.c ops/block_mask.c ops/mask_row.c ops/block_copy.c ops/confusion_counts.c ops/auroc.c
         ops/cuda_stubs.c)
SOURCES+=(ops/span_mask.c ops/lead_mask.c ops/token_mask.c ops/masking_cuda_stubs.c)
# SSRL_FUZZ_UB_RECOVER=1: UBSan reports and goes on (each place once), for
# triage; the default stops at the first report, which libFuzzer records.
RECOVER=-fno-sanitize-recover=all
[ "${SSRL_FUZZ_UB_RECOVER:-0}" = 1 ] && RECOVER=-fsanitize-recover=undefined
SAN=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined "$RECOVER" -fopenmp)

mkdir -p "$BUILD/obj"
OBJS=()
pids=()
for src in "${SOURCES[@]}"; do
  obj="$BUILD/obj/$(basename "$src" .c).o"
  OBJS+=("$obj")
  "$CC" -std=c11 "${SAN[@]}" -fsanitize=fuzzer-no-link -Wall -Wextra -Werror \
    -Wno-unknown-pragmas -DSSRL_ECG_NO_CUDA=1 -DSSRL_ECG_BUILDING=1 -Iops/include -Iops \
    -c "$src" -o "$obj" &
  pids+=($!)
  if ((${#pids[@]} >= 2)); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

# The harnesses are sanitized but not coverage-instrumented (compiled without
# -fsanitize=fuzzer, linked with it): libFuzzer is steered by the library's
# branches alone, and the references in the harnesses (sorts, double loops)
# run at full speed instead of paying for a callback per compare.
pids=()
for t in "${TARGETS[@]}"; do
  ( "$CXX" -std=c++17 "${SAN[@]}" -Wall -Wextra -Werror -Iops/include -Itests/c \
      -c "fuzz/$t.cpp" -o "$BUILD/obj/$t.harness.o" &&
    "$CXX" "${SAN[@]}" -fsanitize=fuzzer "$BUILD/obj/$t.harness.o" "${OBJS[@]}" -lm \
      -o "$BUILD/$t" ) &
  pids+=($!)
  if ((${#pids[@]} >= 2)); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
echo "fuzz targets in $BUILD: ${TARGETS[*]}"
