// fuzz_lead_mask: ssrl_lead_mask_cpu(x, out, dropped, B, C, T, es, p, exact, seed),
// out of place and in place, NULL pointers. Invariants: the status is one the
// header justifies; on OK, independent mode drops lead c of sample b iff the
// naive Philox output u_c of subsequence b is below floor(p * 2^32), exact mode
// drops exactly round(p * C) leads of every sample, out is 0 on dropped leads
// and x elsewhere, x unchanged out of place; on error nothing is written.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const int64_t B = fz::pick_size(in, 0, 6, edges);
  const int64_t C = fz::pick_size(in, 0, 40, edges);
  const int64_t T = fz::pick_size(in, 0, 50, edges);
  const size_t es = fz::pick_elem_size(in);
  const double p = fz::pick_ratio(in);
  const int exact = in.ConsumeBool();
  const bool in_place = in.ConsumeBool();
  const uint64_t seed = in.ConsumeIntegral<uint64_t>();
  const int nulls = in.ConsumeIntegralInRange<int>(0, 15);
  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_lead_mask_cpu(B=%lld, C=%lld, T=%lld, es=%zu, p=%a, exact=%d, in_place=%d, "
                "nulls=%d, seed=%llu)",
                (long long)B, (long long)C, (long long)T, es, p, exact, in_place, nulls,
                (unsigned long long)seed);
  fz::announce();

  fz::Oracle o;
  if (B < 0 || C < 0 || T < 0) o.add(SSRL_ERR_SHAPE);
  if (es != 1 && es != 2 && es != 4 && es != 8) o.add(SSRL_ERR_DTYPE);
  if (std::isnan(p) || p < 0.0 || p > 1.0 || C >= (int64_t{1} << 32))
    o.add(SSRL_ERR_INVALID_ARGUMENT);
  int64_t bytes = 0, dbytes = 0;
  if (B >= 0 && C >= 0 && T >= 0) {
    const int64_t es_i = es > static_cast<size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(es);
    fz::shape_oracle({B, C, T, es_i}, o);
    if (!fz::fits_ignoring_zeros({B, C / 32 + 1, 4})) o.allow(SSRL_ERR_SHAPE);
    bytes = fz::sat_mul({B, C, T, es_i});
    dbytes = fz::sat_mul({B, C});
    if (bytes > 0 && (nulls == 0 || nulls == 1)) o.add(SSRL_ERR_NULL_POINTER);
    if (dbytes > 0 && nulls == 2) o.add(SSRL_ERR_NULL_POINTER);
  }
  const bool may_run = o.valid();
  if (may_run && (bytes > fz::kCapBytes || dbytes > fz::kCapBytes)) return 0;
  const int64_t x_len = may_run ? bytes : (bytes < 64 ? bytes : 64);
  const int64_t d_len = may_run ? dbytes : (dbytes < 64 ? dbytes : 64);
  std::vector<uint8_t> x(static_cast<size_t>(x_len) + 1), out(static_cast<size_t>(x_len) + 1, 0xA5);
  std::vector<uint8_t> dropped(static_cast<size_t>(d_len) + 1, 0x5A);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 131 + 7) | 1;
  const std::vector<uint8_t> x_copy = x;
  uint8_t *dst = in_place ? x.data() : out.data();
  const ssrl_status st =
      ssrl_lead_mask_cpu(nulls == 0 ? nullptr : x.data(), nulls == 1 ? nullptr : dst,
                         nulls == 2 ? nullptr : dropped.data(), B, C, T, es, p, exact, seed);
  FUZZ_CHECK(o.accepts(st));
  if (st != SSRL_OK || !o.valid()) {
    FUZZ_CHECK(x == x_copy);
    FUZZ_CHECK(fz::all_equal(out.data(), out.size(), 0xA5));
    FUZZ_CHECK(fz::all_equal(dropped.data(), dropped.size(), 0x5A));
  } else {
    const uint64_t threshold =
        p >= 1.0 ? (uint64_t{1} << 32) : static_cast<uint64_t>(std::ldexp(p, 32));
    const int64_t k = static_cast<int64_t>(std::nearbyint(p * static_cast<double>(C)));
    for (int64_t b = 0; b < B && C > 0; ++b) {
      naive::Philox s(seed, static_cast<uint64_t>(b));
      int64_t count = 0;
      for (int64_t c = 0; c < C; ++c) {
        const uint8_t d = dropped[b * C + c];
        FUZZ_CHECK(d <= 1);
        count += d;
        if (!exact) FUZZ_CHECK(d == (s.next() < threshold));
        const size_t at = static_cast<size_t>((b * C + c) * T) * es,
                     len = static_cast<size_t>(T) * es;
        const uint8_t *res = in_place ? x.data() : out.data();
        if (d)
          FUZZ_CHECK(fz::all_zero(res + at, len));
        else
          FUZZ_CHECK(std::memcmp(res + at, x_copy.data() + at, len) == 0);
      }
      if (exact) FUZZ_CHECK(count == k);
    }
    FUZZ_CHECK(dropped[static_cast<size_t>(d_len)] == 0x5A);
    if (!in_place) FUZZ_CHECK(x == x_copy);
  }
  return 0;
}
