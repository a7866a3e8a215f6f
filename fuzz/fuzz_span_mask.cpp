// fuzz_span_mask: ssrl_span_mask_cpu(x, out, mask, B, C, T, es, r, span, per_lead,
// exact, fill, seed), out of place and in place, with and without mask and
// fill, NULL pointers. Invariants: the status is one the header justifies; on
// OK, overlapping mode's mask equals the naive Philox mask of every selection
// row (sample, or sample x lead), exact mode masks exactly n * span steps of
// every row (T when T < span) in runs that are whole multiples of span, out is
// fill[c] (or 0) where masked and x elsewhere, and x is unchanged out of place;
// on error nothing is written.
#include "fuzz_common.h"

namespace {

uint8_t *alloc_filled(int64_t n, uint8_t v) {
  uint8_t *p = static_cast<uint8_t *>(std::malloc(static_cast<size_t>(n)));
  if (p == nullptr) std::abort();
  std::memset(p, v, static_cast<size_t>(n));
  return p;
}

int64_t ref_exact_n(int64_t T, double r,
                    int64_t span) {  // Python's min(T // s, max(1, round(...)))
  if (T < span) return 1;
  const double q = std::nearbyint(static_cast<double>(T) * r / static_cast<double>(span));
  const int64_t want = q < 1.0 ? 1 : static_cast<int64_t>(q);
  return want < T / span ? want : T / span;
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
  const int64_t span = fz::pick_block_size(in, 400);
  const int per_lead = in.ConsumeBool(), exact = in.ConsumeBool();
  const bool in_place = in.ConsumeBool(), want_mask = in.ConsumeIntegralInRange<int>(0, 3) != 0;
  const bool with_fill = in.ConsumeBool();
  const uint64_t seed = in.ConsumeIntegral<uint64_t>();
  const int nulls = in.ConsumeIntegralInRange<int>(0, 15);
  const bool x_null = nulls == 0, out_null = nulls == 1 || (in_place && x_null);
  const uint64_t data_seed = in.ConsumeIntegral<uint64_t>();
  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_span_mask_cpu(x=%s, out=%s, mask=%s, B=%lld, C=%lld, T=%lld, es=%zu, r=%a, "
                "span=%lld, per_lead=%d, exact=%d, fill=%s, seed=%llu)",
                x_null ? "NULL" : "x", out_null ? "NULL" : (in_place ? "x" : "out"),
                want_mask ? "mask" : "NULL", (long long)B, (long long)C, (long long)T, es, r,
                (long long)span, per_lead, exact, with_fill ? "fill" : "NULL",
                (unsigned long long)seed);
  fz::announce();

  fz::Oracle o;
  if (B < 0 || C < 0 || T < 0) o.add(SSRL_ERR_SHAPE);
  if (es != 1 && es != 2 && es != 4 && es != 8) o.add(SSRL_ERR_DTYPE);
  fz::count_oracle(T, r, span, o);
  const bool sizes_ok = B >= 0 && C >= 0 && T >= 0;
  const bool args_ok = (o.codes & (1u << SSRL_ERR_INVALID_ARGUMENT)) == 0;
  int64_t n = 0, bytes = 0, mask_bytes = 0;
  if (sizes_ok && args_ok)
    n = r > 0 ? (exact ? ref_exact_n(T, r, span) : fz::ref_n_blocks(T, r, span)) : 0;
  const int64_t rows = per_lead ? fz::sat_mul({B, C}) : B;
  if (sizes_ok) {
    const int64_t es_i = es > static_cast<size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(es);
    fz::shape_oracle({B, C, T, es_i}, o);
    bytes = fz::sat_mul({B, C, T, es_i});
    mask_bytes = per_lead ? fz::sat_mul({B, C, T}) : fz::sat_mul({B, T});
    if (bytes > 0 && (x_null || out_null)) o.add(SSRL_ERR_NULL_POINTER);
    if (!fz::fits({B, T}) || (per_lead && !fz::fits({B, C, T}))) o.add(SSRL_ERR_SHAPE);
    // the per-row scratch (bitmap + starts) of every row must be addressable
    if (!fz::fits_ignoring_zeros({rows, T / 8 + 16 + 8 * n})) o.allow(SSRL_ERR_SHAPE);
    if (!fz::fits({B, n})) o.allow(SSRL_ERR_SHAPE);
  }
  const bool may_run = o.valid();
  if (may_run && (bytes > fz::kCapBytes || mask_bytes > fz::kCapBytes ||
                  fz::sat_mul({n, 64}) > fz::kCapScratch))
    return 0;

  const int64_t x_len = may_run ? bytes : (bytes < 64 ? bytes : 64);
  const int64_t m_len = may_run ? mask_bytes : (mask_bytes < 64 ? mask_bytes : 64);
  const int64_t f_len = sizes_ok && C < 64 ? C * static_cast<int64_t>(es < 8 ? es : 8) : 64;
  uint8_t *x = alloc_filled(x_len, 0);
  fz::Rng rng{data_seed};
  for (int64_t i = 0; i < x_len; ++i) x[i] = static_cast<uint8_t>(rng.next() | 1);
  uint8_t *x_copy = alloc_filled(x_len, 0);
  std::memcpy(x_copy, x, static_cast<size_t>(x_len));
  uint8_t *fill = alloc_filled(f_len, 0);
  for (int64_t i = 0; i < f_len; ++i) fill[i] = static_cast<uint8_t>(rng.next());
  uint8_t *out = in_place ? x : alloc_filled(x_len, 0xA5);
  uint8_t *mask = want_mask ? alloc_filled(m_len, 0x5A) : nullptr;

  const ssrl_status st =
      ssrl_span_mask_cpu(x_null ? nullptr : x, out_null ? nullptr : out, mask, B, C, T, es, r, span,
                         per_lead, exact, with_fill ? fill : nullptr, seed);
  FUZZ_CHECK(o.accepts(st));
  if (st != SSRL_OK || !o.valid()) {
    FUZZ_CHECK(std::memcmp(x, x_copy, static_cast<size_t>(x_len)) == 0);
    if (!in_place) FUZZ_CHECK(fz::all_equal(out, static_cast<size_t>(x_len), 0xA5));
    if (mask != nullptr) FUZZ_CHECK(fz::all_equal(mask, static_cast<size_t>(m_len), 0x5A));
  } else {
    std::vector<uint8_t> ref(static_cast<size_t>(mask_bytes), 0);
    const bool exact_mode = exact && T >= span;
    for (int64_t row = 0; n > 0 && T > 0 && row < rows; ++row) {
      if (!exact_mode) {
        fz::ref_mask_row(seed, row, T, span, n, &ref[row * T]);
        continue;
      }
      if (mask == nullptr) continue;  // exact: checked on the mask itself
      int64_t masked = 0;
      for (int64_t t = 0; t < T;) {
        int64_t t1 = t;
        while (t1 < T && mask[row * T + t1]) ++t1;
        FUZZ_CHECK((t1 - t) % span == 0);  // whole spans, none cut by another
        masked += t1 - t;
        t = t1 + 1;
      }
      FUZZ_CHECK(masked == n * span);
      std::memcpy(&ref[row * T], mask + row * T, static_cast<size_t>(T));
    }
    if (mask != nullptr)
      FUZZ_CHECK(mask_bytes == 0 || std::memcmp(mask, ref.data(), ref.size()) == 0);
    const uint8_t *result = in_place ? x : out;
    const bool checkable = !exact_mode || mask != nullptr;
    for (int64_t b = 0; checkable && bytes > 0 && b < B; ++b)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t t = 0; t < T; ++t) {
          const size_t at = static_cast<size_t>((b * C + c) * T + t) * es;
          const bool m = ref[(per_lead ? b * C + c : b) * T + t] != 0;
          for (size_t k = 0; k < es; ++k) {
            const uint8_t want = m ? (with_fill ? fill[c * es + k] : 0) : x_copy[at + k];
            FUZZ_CHECK(result[at + k] == want);
          }
        }
    if (!in_place) FUZZ_CHECK(std::memcmp(x, x_copy, static_cast<size_t>(x_len)) == 0);
  }
  std::free(x);
  std::free(x_copy);
  std::free(fill);
  if (!in_place) std::free(out);
  std::free(mask);
  return 0;
}
