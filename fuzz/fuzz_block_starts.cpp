// fuzz_block_starts: ssrl_block_starts(seed, B, T, r, bs, starts [B, n]).
// Invariants: the status is one the header justifies; on OK every start equals
// naive.h's Philox start (stream of sample b, R = max(1, T - bs + 1)) and lies
// in [0, R); on error starts is untouched. Valid calls needing more than the
// cap are skipped, never made with a short buffer.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 5) == 0;
  const uint64_t seed =
      in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 3) : in.ConsumeIntegral<uint64_t>();
  const int64_t B = fz::pick_size(in, 0, 9, edges);
  const int64_t T = fz::pick_size(in, 0, 5000, edges);
  const double r = fz::pick_ratio(in);
  const int64_t bs = fz::pick_block_size(in, 600);
  const bool null_out = in.ConsumeIntegralInRange<int>(0, 15) == 0;
  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_block_starts(seed=%llu, B=%lld, T=%lld, r=%a, bs=%lld, %s)",
                (unsigned long long)seed, (long long)B, (long long)T, r, (long long)bs,
                null_out ? "NULL" : "starts");
  fz::announce();

  fz::Oracle o;
  fz::count_oracle(T, r, bs, o);
  if (B < 0) o.add(SSRL_ERR_SHAPE);
  int64_t n = 0, total = 0;
  if (o.valid()) {
    n = fz::ref_n_blocks(T, r, bs);
    if (!fz::fits({B, n}))
      o.add(SSRL_ERR_SHAPE);
    else
      total = B * n;
    if (total > 0 && null_out) o.add(SSRL_ERR_NULL_POINTER);
  }
  const int64_t need = o.valid() && !null_out ? total : 0;
  if (need > (int64_t{1} << 17)) return 0;  // valid but too big to check quickly here

  const int64_t len = need > 0 ? need : 4;
  std::vector<int64_t> starts(static_cast<size_t>(len), -777);
  const ssrl_status st = ssrl_block_starts(seed, B, T, r, bs, null_out ? nullptr : starts.data());
  FUZZ_CHECK(o.accepts(st));
  if (st != SSRL_OK || !o.valid()) {
    for (int64_t v : starts) FUZZ_CHECK(v == -777);
    return 0;
  }
  const int64_t R = T - bs + 1 > 1 ? T - bs + 1 : 1;
  for (int64_t b = 0; total > 0 && b < B; ++b) {
    const std::vector<int64_t> ref = naive::starts(seed, b, T, bs, n);
    for (int64_t j = 0; j < n; ++j) {
      FUZZ_CHECK(starts[b * n + j] == ref[j]);
      FUZZ_CHECK(starts[b * n + j] >= 0 && starts[b * n + j] < R);
    }
  }
  return 0;
}
