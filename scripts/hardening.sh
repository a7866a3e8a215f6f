#!/usr/bin/env bash
# Hardening checks for the C library, run by scripts/test.sh after the CTest
# step (so by CI), or on their own:
#   1. the GoogleTest suite built with AddressSanitizer + UndefinedBehavior-
#      Sanitizer (SSRL_SANITIZE=ON, CPU only), run with CTest;
#   2. the same suite, built plainly, under valgrind memcheck: zero errors, no
#      definite or indirect leaks (tests/valgrind.supp names the one
#      suppression, libgomp's worker-thread TLS);
#   3. fuzz/run.sh: libFuzzer + ASan + UBSan on every C entry point,
#      $SSRL_FUZZ_SECONDS per target (default 60).
# Every stage runs even if an earlier one fails; the exit status is non-zero
# if any did. About 10 minutes on 2 cores with the default fuzz time.
#   bash scripts/hardening.sh
# Builds go to $SSRL_HARDENING_BUILD_DIR (default build/hardening): asan/,
# memcheck/ and fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${SSRL_HARDENING_BUILD_DIR:-build/hardening}
FUZZ_SECONDS=${SSRL_FUZZ_SECONDS:-60}
JOBS=$(nproc)
failed=()
start=$SECONDS
stage() { echo "== hardening: $* ($((SECONDS - start)) s)"; }

stage "GoogleTest suite under ASan + UBSan"
# cmake_package_example is left out: it builds examples/ as a plain program
# against the installed (instrumented) library, which the ASan runtime refuses
# to load unless it comes first; it runs in the ordinary build.
if cmake -S . -B "$OUT/asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSRL_SANITIZE=ON \
     -DSSRL_ENABLE_CUDA=OFF -DSSRL_BUILD_TESTS=ON &&
   cmake --build "$OUT/asan" -j "$JOBS" &&
   ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --test-dir "$OUT/asan" --output-on-failure -j "$JOBS" -E '^cmake_package_example$'
then :; else
  failed+=("asan+ubsan gtest")
fi

stage "GoogleTest suite under valgrind memcheck"
# test_huge is left out: it touches ~20 GiB on purpose, hours under memcheck;
# it runs in the sanitizer build above and in the ordinary one.
if cmake -S . -B "$OUT/memcheck" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSRL_SANITIZE=OFF \
     -DSSRL_ENABLE_CUDA=OFF -DSSRL_BUILD_TESTS=ON &&
   cmake --build "$OUT/memcheck" -j "$JOBS"; then
  for t in "$OUT"/memcheck/tests/test_*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    case "$(basename "$t")" in test_huge) continue ;; esac
    echo "-- valgrind $(basename "$t")"
    if ! valgrind -q --error-exitcode=1 --leak-check=full \
         --errors-for-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp \
         "$t" --gtest_brief=1; then
      failed+=("valgrind $(basename "$t")")
    fi
  done
else
  failed+=("memcheck build")
fi

stage "libFuzzer, $FUZZ_SECONDS s per target"
if ! SSRL_FUZZ_BUILD_DIR="$OUT/fuzz" bash fuzz/run.sh "$FUZZ_SECONDS"; then
  failed+=("fuzz")
fi

stage "done"
if ((${#failed[@]})); then
  printf 'hardening FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "hardening: all clean"
