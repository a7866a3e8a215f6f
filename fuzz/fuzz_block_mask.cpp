// fuzz_block_mask: ssrl_block_mask_cpu(x, out, mask, B, C, T, elem_size, r, bs, seed),
// out of place and in place, with and without a mask, NULL pointers.
// Invariants: the status is one the header justifies; on OK the mask equals
// the naive Philox mask (all zero for r <= 0), out equals x with every masked
// time step zeroed in every channel, and x is unchanged out of place; on error
// x, out and mask are untouched. Buffers are exactly the sizes the call says
// (ASan sees one byte too far); valid calls past the cap are skipped.
#include "fuzz_common.h"

namespace {

uint8_t *alloc_filled(int64_t n, uint8_t fill) {
  uint8_t *p = static_cast<uint8_t *>(std::malloc(static_cast<size_t>(n)));  // malloc(0): non-NULL
  if (p == nullptr) std::abort();
  std::memset(p, fill, static_cast<size_t>(n));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const int64_t B = fz::pick_size(in, 0, 4, edges);
  const int64_t C = fz::pick_size(in, 0, 4, edges);
  const int64_t T = fz::pick_size(in, 0, 600, edges);
  const size_t es = fz::pick_elem_size(in);
  const double r = fz::pick_ratio(in);
  const int64_t bs = fz::pick_block_size(in, 400);
  const uint64_t seed = in.ConsumeIntegral<uint64_t>();
  const bool in_place = in.ConsumeBool();
  const bool want_mask = in.ConsumeIntegralInRange<int>(0, 3) != 0;
  const int nulls = in.ConsumeIntegralInRange<int>(0, 15);  // 0: x NULL, 1: out NULL
  const bool x_null = nulls == 0, out_null = nulls == 1 || (in_place && x_null);
  const uint64_t fill_seed = in.ConsumeIntegral<uint64_t>();
  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_block_mask_cpu(x=%s, out=%s, mask=%s, B=%lld, C=%lld, T=%lld, es=%zu, "
                "r=%a, bs=%lld, seed=%llu)",
                x_null ? "NULL" : "x", out_null ? "NULL" : (in_place ? "x" : "out"),
                want_mask ? "mask" : "NULL", (long long)B, (long long)C, (long long)T, es, r,
                (long long)bs, (unsigned long long)seed);
  fz::announce();

  // What the header allows.
  fz::Oracle o;
  if (B < 0 || C < 0 || T < 0) o.add(SSRL_ERR_SHAPE);
  if (es != 1 && es != 2 && es != 4 && es != 8) o.add(SSRL_ERR_DTYPE);
  fz::count_oracle(T, r, bs, o);
  int64_t n = 0, bytes = 0, mask_bytes = 0;
  const bool sizes_ok = B >= 0 && C >= 0 && T >= 0;
  if (sizes_ok && (o.codes & (1u << SSRL_ERR_INVALID_ARGUMENT)) == 0) {
    n = fz::ref_n_blocks(T, r, bs);
    if (!fz::fits({B, n})) o.add(SSRL_ERR_SHAPE);
  }
  if (sizes_ok) {
    const int64_t es_i = es > static_cast<size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(es);
    fz::shape_oracle({B, C, T, es_i}, o);
    bytes = fz::sat_mul({B, C, T, es_i});
    mask_bytes = fz::sat_mul({B, T});
    if (bytes > 0 && (x_null || out_null)) o.add(SSRL_ERR_NULL_POINTER);
    // mask [B, T]: a product that overflows is a shape error when the mask is
    // asked for; without one, ignoring it is also fine.
    if (!fz::fits({B, T})) {
      if (want_mask)
        o.add(SSRL_ERR_SHAPE);
      else
        o.allow(SSRL_ERR_SHAPE);
    }
  }
  // A call the library may carry out must fit the cap: buffers and scratch.
  const bool may_run = o.valid();
  if (may_run && (bytes > fz::kCapBytes || (want_mask && mask_bytes > fz::kCapBytes) ||
                  fz::sat_mul({n, 2 * 8 * 2}) > fz::kCapScratch))
    return 0;

  // Exact-size buffers for a call that may run; small ones otherwise (the
  // library must not touch them).
  const int64_t x_len = may_run ? bytes : (bytes < 64 ? bytes : 64);
  const int64_t m_len = may_run ? mask_bytes : (mask_bytes < 64 ? mask_bytes : 64);
  uint8_t *x = alloc_filled(x_len, 0);
  fz::Rng rng{fill_seed};
  for (int64_t i = 0; i < x_len; ++i) {
    const uint64_t v = rng.next();
    x[i] = (v & 0x700) ? static_cast<uint8_t>(v | 1) : 0;  // mostly non-zero
  }
  uint8_t *x_copy = alloc_filled(x_len, 0);
  std::memcpy(x_copy, x, static_cast<size_t>(x_len));
  uint8_t *out = in_place ? x : alloc_filled(x_len, 0xA5);
  uint8_t *mask = want_mask ? alloc_filled(m_len, 0x5A) : nullptr;

  const ssrl_status st = ssrl_block_mask_cpu(x_null ? nullptr : x, out_null ? nullptr : out, mask,
                                             B, C, T, es, r, bs, seed);
  FUZZ_CHECK(o.accepts(st));
  if (st != SSRL_OK || !o.valid()) {  // untouched, whatever the status
    FUZZ_CHECK(std::memcmp(x, x_copy, static_cast<size_t>(x_len)) == 0);
    if (!in_place) FUZZ_CHECK(fz::all_equal(out, static_cast<size_t>(x_len), 0xA5));
    if (mask != nullptr) FUZZ_CHECK(fz::all_equal(mask, static_cast<size_t>(m_len), 0x5A));
  } else if (mask_bytes <= fz::kCapBytes) {  // (larger only with no mask and no data)
    std::vector<uint8_t> ref(static_cast<size_t>(mask_bytes), 0);
    if (n > 0)
      for (int64_t b = 0; b < B && T > 0; ++b) fz::ref_mask_row(seed, b, T, bs, n, &ref[b * T]);
    if (mask != nullptr)
      FUZZ_CHECK(mask_bytes == 0 || std::memcmp(mask, ref.data(), ref.size()) == 0);
    // Every row, run by run of the reference mask: masked runs all zero,
    // the others equal to x.
    const uint8_t *result = in_place ? x : out;
    const size_t row_bytes = static_cast<size_t>(T) * es;
    for (int64_t b = 0; bytes > 0 && b < B; ++b)
      for (int64_t t0 = 0; t0 < T;) {
        const uint8_t masked = ref[b * T + t0];
        int64_t t1 = t0;
        while (t1 < T && ref[b * T + t1] == masked) ++t1;
        const size_t at = static_cast<size_t>(t0) * es, len = static_cast<size_t>(t1 - t0) * es;
        for (int64_t c = 0; c < C; ++c) {
          const size_t row = static_cast<size_t>(b * C + c) * row_bytes;
          if (masked)
            FUZZ_CHECK(fz::all_zero(result + row + at, len));
          else
            FUZZ_CHECK(std::memcmp(result + row + at, x_copy + row + at, len) == 0);
        }
        t0 = t1;
      }
    if (!in_place) FUZZ_CHECK(std::memcmp(x, x_copy, static_cast<size_t>(x_len)) == 0);
  }
  std::free(x);
  std::free(x_copy);
  if (!in_place) std::free(out);
  std::free(mask);
  return 0;
}
