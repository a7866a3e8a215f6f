// fuzz_token_mask: ssrl_token_mask_cpu(rows, L, r, seed, ids_keep, ids_restore,
// mask), NULL pointers. Invariants: the status is one the header justifies; on
// OK every row keeps exactly int(L * (1 - r)) ids, ascending and in [0, L), mask
// is 0.0 exactly there and 1.0 elsewhere, and ids_restore inverts "kept
// ascending, then masked ascending"; nothing is written past the outputs or on
// error.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const int64_t rows = fz::pick_size(in, 0, 40, edges);
  const int64_t L = fz::pick_size(in, 0, 300, edges);
  const double r = fz::pick_ratio(in);
  const uint64_t seed = in.ConsumeIntegral<uint64_t>();
  const int nulls = in.ConsumeIntegralInRange<int>(0, 15);
  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_token_mask_cpu(rows=%lld, L=%lld, r=%a, seed=%llu, nulls=%d)",
                (long long)rows, (long long)L, r, (unsigned long long)seed, nulls);
  fz::announce();

  fz::Oracle o;
  if (L < 0) o.add(SSRL_ERR_SHAPE);
  if (std::isnan(r) || r < 0.0 || r > 1.0 || L >= (int64_t{1} << 32))
    o.add(SSRL_ERR_INVALID_ARGUMENT);
  if (rows < 0 && o.valid()) o.add(SSRL_ERR_SHAPE);
  int64_t keep = 0, n = 0;
  if (o.valid()) {
    keep = static_cast<int64_t>(static_cast<double>(L) * (1.0 - r));
    fz::shape_oracle({rows, L, 8}, o);
    if (!fz::fits_ignoring_zeros({rows, L / 32 + 1, 4})) o.allow(SSRL_ERR_SHAPE);
    n = fz::sat_mul({rows, L});
    if (n > 0 && (nulls == 1 || nulls == 2)) o.add(SSRL_ERR_NULL_POINTER);
    if (fz::sat_mul({rows, keep}) > 0 && nulls == 0) o.add(SSRL_ERR_NULL_POINTER);
  }
  const bool may_run = o.valid();
  if (may_run && n * 8 > fz::kCapBytes) return 0;
  const size_t nl = may_run ? static_cast<size_t>(n) : 8,
               nk = may_run ? static_cast<size_t>(rows * keep) : 8;
  std::vector<int64_t> ids_keep(nk + 1, -7), restore(nl + 1, -7);
  std::vector<float> mask(nl + 1, -7.0f);
  const ssrl_status st = ssrl_token_mask_cpu(
      rows, L, r, seed, nulls == 0 ? nullptr : ids_keep.data(),
      nulls == 1 ? nullptr : restore.data(), nulls == 2 ? nullptr : mask.data());
  FUZZ_CHECK(o.accepts(st));
  if (st != SSRL_OK || !o.valid()) {
    for (int64_t v : ids_keep) FUZZ_CHECK(v == -7);
    for (int64_t v : restore) FUZZ_CHECK(v == -7);
    for (float v : mask) FUZZ_CHECK(v == -7.0f);
    return 0;
  }
  FUZZ_CHECK(ids_keep[nk] == -7 && restore[nl] == -7 && mask[nl] == -7.0f);
  for (int64_t row = 0; row < rows && L > 0; ++row) {
    std::vector<int64_t> perm;
    for (int64_t j = 0; j < keep; ++j) {
      const int64_t id = ids_keep[row * keep + j];
      FUZZ_CHECK(id >= 0 && id < L && (j == 0 || id > ids_keep[row * keep + j - 1]));
      FUZZ_CHECK(mask[row * L + id] == 0.0f);
      perm.push_back(id);
    }
    for (int64_t l = 0; l < L; ++l) {
      FUZZ_CHECK(mask[row * L + l] == 0.0f || mask[row * L + l] == 1.0f);
      if (mask[row * L + l] == 1.0f) perm.push_back(l);
    }
    FUZZ_CHECK(static_cast<int64_t>(perm.size()) == L);
    for (int64_t i = 0; i < L; ++i) FUZZ_CHECK(restore[row * L + perm[i]] == i);
  }
  return 0;
}
