// fuzz_auroc: ssrl_auroc_cpu(y_true, y_prob, dtype, N, C, auroc [C]), every
// dtype and invalid dtype values.
// Invariants: the status is one the header justifies; on OK each class's AUROC
// is NaN exactly when its labels are all 0 or all 1 (or N == 0), else it lies in
// [0, 1] and equals U2 / (2 P M) counted exactly by a sort-based reference
// (tie groups by value, -0 == +0, infinities in order); on error auroc is
// untouched.
#include <algorithm>
#include <utility>

#include "fuzz_scores.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const bool out_null = in.ConsumeIntegralInRange<int>(0, 19) == 0;
  fz::ScoreCase s = fz::draw_scores(in, edges);

  fz::Oracle o;
  fz::score_oracle(s, o);
  fz::Buf out_buf;
  bool out_is_null = out_null;
  if (s.sizes_ok) {
    if (fz::sat_mul({s.C, 8}) > fz::kCapBytes) out_is_null = true;
    if (s.C > 0 && out_is_null) o.add(SSRL_ERR_NULL_POINTER);
    out_buf = fz::Buf(out_is_null ? 0 : s.C * 8, 0xEE);
  } else {
    out_buf = fz::Buf(64, 0xEE);
  }
  // The library's scratch for a call it may run (per thread, two here: up to
  // min(C, 16) + 1 key buffers of N keys of <= 8 bytes; C results): skip if
  // past the cap.
  const int64_t width = s.C < 16 ? s.C + 1 : 17;
  if (!fz::argument_error(o) && (fz::sat_mul({2, width, 8, s.N}) > fz::kCapScratch ||
                                 fz::sat_mul({s.C, 16}) > fz::kCapScratch))
    return 0;

  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_auroc_cpu(y=%s, p=%s, dtype=%d, N=%lld, C=%lld, auroc=%s) bad_label=%d "
                "nan_score=%d",
                s.y_arg() ? "y" : "NULL", s.p_arg() ? "p" : "NULL", s.dtype, (long long)s.N,
                (long long)s.C, out_is_null ? "NULL" : "auroc", s.bad_label, s.nan_score);
  fz::announce();
  const std::vector<uint8_t> y_before(s.y.p, s.y.p + s.y.n), p_before(s.p.p, s.p.p + s.p.n);
  double *auroc = reinterpret_cast<double *>(out_buf.p);
  const ssrl_status st = ssrl_auroc_cpu(s.y_arg(), s.p_arg(), static_cast<ssrl_dtype>(s.dtype), s.N,
                                        s.C, out_is_null ? nullptr : auroc);
  FUZZ_CHECK(o.accepts(st));
  FUZZ_CHECK(std::equal(y_before.begin(), y_before.end(), s.y.p));
  FUZZ_CHECK(std::equal(p_before.begin(), p_before.end(), s.p.p));
  if (st != SSRL_OK) {
    for (int64_t i = 0; i < out_buf.n; ++i) FUZZ_CHECK(out_buf.p[i] == 0xEE);
    return 0;
  }
  if (out_is_null || s.C == 0) return 0;
  FUZZ_CHECK(s.have_data || s.N == 0);
  const int64_t N = s.N, C = s.C;
  std::vector<std::pair<double, uint8_t>> col(static_cast<size_t>(N));
  for (int64_t c = 0; c < C; ++c) {
    int64_t P = 0;
    for (int64_t n = 0; n < N; ++n) {
      col[n] = {s.score(n * C + c), s.y.p[n * C + c]};
      P += col[n].second;
    }
    const int64_t M = N - P;
    if (P == 0 || M == 0) {
      FUZZ_CHECK(std::isnan(auroc[c]));
      continue;
    }
    // Tie groups by value: a positive beats the negatives below it (2) and
    // ties with those equal to it (1).
    std::sort(col.begin(), col.end(),
              [](const std::pair<double, uint8_t> &a, const std::pair<double, uint8_t> &b) {
                return a.first < b.first;
              });
    unsigned __int128 u2 = 0;
    int64_t neg_below = 0;
    for (int64_t i = 0; i < N;) {
      int64_t j = i, pos = 0, neg = 0;
      for (; j < N && col[j].first == col[i].first; ++j) (col[j].second ? pos : neg) += 1;
      u2 +=
          static_cast<unsigned __int128>(pos) * static_cast<unsigned __int128>(2 * neg_below + neg);
      neg_below += neg;
      i = j;
    }
    const double ref =
        static_cast<double>(u2) / (2.0 * static_cast<double>(P) * static_cast<double>(M));
    FUZZ_CHECK(!std::isnan(auroc[c]));
    FUZZ_CHECK(auroc[c] >= 0.0 && auroc[c] <= 1.0);
    FUZZ_CHECK(auroc[c] == ref);
  }
  return 0;
}
