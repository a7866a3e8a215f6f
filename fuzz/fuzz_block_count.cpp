// fuzz_block_count: ssrl_block_count(T, mask_ratio, block_size, n_blocks).
// Invariants: the status is one the header justifies (OK iff nothing is wrong);
// on OK n_blocks equals max(1, int((T * r) // bs)) with Python's floor division
// (0 for r <= 0) and lies in [1, max(1, T)]; on error *n_blocks is untouched.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int64_t T = fz::pick_size(in, 0, 100000, true);
  const double r = fz::pick_ratio(in);
  const int64_t bs = fz::pick_block_size(in, 1000);
  const bool null_out = in.ConsumeIntegralInRange<int>(0, 15) == 0;
  std::snprintf(fz::g_call, sizeof fz::g_call, "ssrl_block_count(T=%lld, r=%a, bs=%lld, %s)",
                (long long)T, r, (long long)bs, null_out ? "NULL" : "&n");
  fz::announce();

  fz::Oracle o;
  fz::count_oracle(T, r, bs, o);
  if (null_out) o.add(SSRL_ERR_NULL_POINTER);

  int64_t n = INT64_MIN + 12345;  // sentinel
  const ssrl_status st = ssrl_block_count(T, r, bs, null_out ? nullptr : &n);
  FUZZ_CHECK(o.accepts(st));
  if (st != SSRL_OK) {
    FUZZ_CHECK(n == INT64_MIN + 12345);
    return 0;
  }
  FUZZ_CHECK(n == fz::ref_n_blocks(T, r, bs));
  if (r <= 0) {
    FUZZ_CHECK(n == 0);
  } else {
    FUZZ_CHECK(n >= 1 && n <= (T > 1 ? T : 1));
    // Within one of the real quotient's floor: Python's rounding never strays further.
    const double q = std::floor(static_cast<double>(T) * r / static_cast<double>(bs));
    FUZZ_CHECK(q < 1 ? n <= 2 : std::fabs(static_cast<double>(n) - q) <= 1.0);
  }
  return 0;
}
