#!/usr/bin/env bash
# Builds every fuzz target (fuzz/build.sh) and runs each under libFuzzer for a
# bounded time; exits non-zero if any target finds something: a sanitizer
# report (ASan, UBSan, LeakSanitizer), a broken invariant (abort), an input
# slower than 10 s, or one that needs more than 2 GiB.
#
#   bash fuzz/run.sh [seconds-per-target]      (default 60)
#
# Each target starts from its committed seeds in fuzz/corpus/<target>/ plus
# whatever earlier runs found (kept in $SSRL_FUZZ_BUILD_DIR/corpus/<target>/,
# where new inputs go: the committed seeds are never written). A finding is
# saved as $SSRL_FUZZ_BUILD_DIR/artifacts/<target>-crash-*, replayed once with
# SSRL_FUZZ_VERBOSE=1 to print the call, and can be rerun by hand with
#   $SSRL_FUZZ_BUILD_DIR/<target> <artifact>
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD=${SSRL_FUZZ_BUILD_DIR:-build/fuzz}
export SSRL_FUZZ_BUILD_DIR=$BUILD
TARGETS=(fuzz_block_count fuzz_block_starts fuzz_block_mask fuzz_confusion_counts fuzz_auroc
         fuzz_status_string)
TARGETS+=(fuzz_span_mask fuzz_lead_mask fuzz_token_mask)  # issue 10 masks
TARGETS+=(fuzz_confusion_counts2 fuzz_auroc_auprc)  # issue 11 label dtypes, AUPRC

echo "== building fuzz targets in $BUILD"
bash fuzz/build.sh

# Two OpenMP threads: the library's parallel paths run (the harnesses reach
# their size cut-offs) without oversubscribing a small machine.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

mkdir -p "$BUILD/artifacts"
failed=()
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$BUILD/corpus/$t"
  log="$BUILD/$t.log"
  echo "== $t: ${SECONDS_PER_TARGET} s"
  rc=0
  "$BUILD/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" \
    "$BUILD/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    summary+=("$(printf '%-24s %10s runs %8s exec/s  cov %-5s FOUND SOMETHING (exit %s)' \
      "$t" "${runs:-?}" "${eps:-?}" "${cov:-?}" "$rc")")
    echo "---- $t: last lines of $log"
    grep -v -E '^#[0-9]+' "$log" | tail -40
    artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -1)
    if [ -n "$artifact" ] && [ -f "$artifact" ]; then
      echo "---- replaying $artifact"
      SSRL_FUZZ_VERBOSE=1 timeout 15 "$BUILD/$t" "$artifact" 2>&1 |
        grep -E '^call: |runtime error|ERROR: AddressSanitizer|invariant violated|^    at ' |
        tail -6 || true
    fi
  else
    summary+=("$(printf '%-24s %10s runs %8s exec/s  cov %-5s ok' \
      "$t" "${runs:-?}" "${eps:-?}" "${cov:-?}")")
  fi
done

echo "== fuzz summary (${SECONDS_PER_TARGET} s per target)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]} (inputs in $BUILD/artifacts/)" >&2
  exit 1
fi
