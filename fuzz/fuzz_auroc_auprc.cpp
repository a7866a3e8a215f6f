// fuzz_auroc_auprc: ssrl_auroc_auprc_cpu(y_true of labels_dtype, y_prob, dtype,
// N, C, auroc [C], auprc [C]), every label and score dtype and invalid values
// of both (docs/semantics.md sections 9.1, 9.2).
// Invariants: the status is one the header justifies and, for a known label
// dtype, ssrl_auroc_cpu's on the same data as uint8; on OK auroc is that call's
// bit for bit, and auprc is NaN exactly when a class has no positive (or
// N == 0), 1 when it has no negative, else in (0, 1] and within 1e-12 of the
// average precision summed from tie groups by a sort-based reference; on error
// both outputs are untouched.
#include <algorithm>
#include <functional>
#include <map>

#include "fuzz_labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const int ldt = fz::pick_label_dtype(in);
  const bool auprc_null = in.ConsumeIntegralInRange<int>(0, 9) == 0;
  fz::ScoreCase s = fz::draw_scores(in, edges);
  if (s.sizes_ok && fz::sat_mul({2, 17, 8, s.N}) > fz::kCapScratch) return 0;
  if (s.C > 4096) return 0;
  const int64_t C0 = s.sizes_ok ? s.C : 0;
  const fz::Buf y = fz::encode_labels(s.y, ldt);
  const void *y_arg = s.y_arg() == nullptr ? nullptr : y.p;
  std::vector<double> ref(static_cast<size_t>(C0 + 1), 7.0), auroc(ref.size(), 7.0),
      auprc(ref.size(), 7.0);

  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_auroc_auprc_cpu(labels_dtype=%d, dtype=%d, N=%lld, C=%lld) bad_label=%d "
                "nan_score=%d",
                ldt, s.dtype, (long long)s.N, (long long)s.C, s.bad_label, s.nan_score);
  fz::announce();
  const ssrl_status want = ssrl_auroc_cpu(s.y_arg(), s.p_arg(), static_cast<ssrl_dtype>(s.dtype),
                                          s.N, s.C, ref.data());
  const ssrl_status st = ssrl_auroc_auprc_cpu(y_arg, static_cast<ssrl_dtype>(ldt), s.p_arg(),
                                              static_cast<ssrl_dtype>(s.dtype), s.N, s.C,
                                              auroc.data(), auprc_null ? nullptr : auprc.data());
  if (!fz::label_dtype_known(ldt)) {  // checked after sizes and the score dtype
    FUZZ_CHECK(st == ((want == SSRL_ERR_SHAPE || want == SSRL_ERR_DTYPE) ? want : SSRL_ERR_DTYPE));
  } else {
    FUZZ_CHECK(st == want);
  }
  if (st != SSRL_OK) {
    for (double v : auroc) FUZZ_CHECK(v == 7.0);
    for (double v : auprc) FUZZ_CHECK(v == 7.0);
    return 0;
  }
  for (int64_t c = 0; c < C0; ++c)
    FUZZ_CHECK(std::memcmp(&auroc[c], &ref[c], 8) == 0 || (std::isnan(auroc[c]) && std::isnan(ref[c])));
  if (auprc_null) {
    for (double v : auprc) FUZZ_CHECK(v == 7.0);
    return 0;
  }
  const int64_t N = s.N;
  for (int64_t c = 0; c < C0; ++c) {
    // tie groups by value, descending: (positives, negatives)
    std::map<double, std::pair<int64_t, int64_t>, std::greater<double>> by;
    int64_t P = 0;
    for (int64_t n = 0; n < N; ++n) {
      double v = s.score(n * s.C + c);
      if (v == 0) v = 0;  // -0 ties with +0
      const bool pos = s.y.p[n * s.C + c] == 1;
      (pos ? by[v].first : by[v].second) += 1;
      P += pos;
    }
    if (P == 0) {
      FUZZ_CHECK(std::isnan(auprc[c]));
      continue;
    }
    if (P == N) {
      FUZZ_CHECK(auprc[c] == 1.0);
      continue;
    }
    double ap = 0;
    int64_t tp = 0, fp = 0;
    for (const auto &kv : by) {
      tp += kv.second.first, fp += kv.second.second;
      if (kv.second.first) ap += static_cast<double>(kv.second.first) / P * (double(tp) / (tp + fp));
    }
    FUZZ_CHECK(auprc[c] > 0.0 && auprc[c] <= 1.0);
    FUZZ_CHECK(std::fabs(auprc[c] - ap) <= 1e-12);
  }
  return 0;
}
