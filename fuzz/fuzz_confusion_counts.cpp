// fuzz_confusion_counts: ssrl_confusion_counts_cpu(y_true, y_prob, dtype, N, C,
// thresholds [K], counts [C, K, 4]), every dtype and invalid dtype values.
// Invariants: the status is one the header justifies; on OK, for every class
// and threshold TP + FN = positives, FP + TN = negatives (so the four sum to
// N), counts never increase with the threshold, and (for small inputs) they
// equal a double loop comparing each score with the threshold rounded to the
// dtype by fuzz_common.h's ref_round; on error counts is untouched.
#include <algorithm>

#include "fuzz_scores.h"

namespace {

// A threshold that stresses rounding into dtype d (known).
double pick_threshold(FuzzedDataProvider &in, ssrl_dtype d) {
  const std::vector<double> &pal = fz::palette(d);
  const double v = pal[in.ConsumeIntegralInRange<size_t>(0, pal.size() - 1)];
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
    case 1:
      return v;
    case 2:
    case 3: {  // exactly half-way to the next value: a tie, rounded to even
      if (!std::isfinite(v)) return v;
      const double up = fz::successor(v, d);
      return std::isfinite(up) ? v + (up - v) / 2 : v;
    }
    case 4: {  // just off the half-way point
      if (!std::isfinite(v)) return v;
      const double up = fz::successor(v, d);
      const double mid = std::isfinite(up) ? v + (up - v) / 2 : v;
      return std::nextafter(mid, in.ConsumeBool() ? HUGE_VAL : -HUGE_VAL);
    }
    case 5: {
      static const double edges[] = {HUGE_VAL,
                                     -HUGE_VAL,
                                     0.0,
                                     -0.0,
                                     65520.0,
                                     65519.99999,
                                     65536.0,
                                     -65520.0,
                                     3.4028235677973366e38,
                                     3.3961775292304767e38,
                                     1e-45,
                                     3e-8,
                                     0.5,
                                     1.0,
                                     2.0};
      return in.PickValueInArray(edges);
    }
    default: {
      const double r = fz::bits_to_double(in.ConsumeIntegral<uint64_t>());
      return std::isnan(r) ? HUGE_VAL : r;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const int64_t K = fz::pick_size(in, 0, 24, edges);
  const bool th_null = in.ConsumeIntegralInRange<int>(0, 19) == 0;
  const bool counts_null = in.ConsumeIntegralInRange<int>(0, 19) == 0;
  const bool nan_th = in.ConsumeIntegralInRange<int>(0, 11) == 0;
  const uint64_t nan_pos = in.ConsumeIntegral<uint64_t>();
  // Thresholds are drawn after the scores' dtype is known.
  fz::ScoreCase s = fz::draw_scores(in, edges);
  const ssrl_dtype d = s.known_dtype();  // for the references; the call gets s.dtype

  fz::Oracle o;
  fz::score_oracle(s, o);
  // counts [C, K, 4] int64, and the library's [C, 2, K + 1] histogram
  const int64_t C0 = s.C < 0 ? 0 : s.C;
  const bool k_ok = K >= 0 && K < INT64_MAX && fz::fits({C0, K, 32}) && fz::fits({C0, K + 1, 16});
  if (!k_ok) o.add(SSRL_ERR_SHAPE);
  if (k_ok) {
    fz::shape_oracle({C0, K, 32}, o);
    fz::shape_oracle({C0, K + 1, 16}, o);
  }
  // thresholds [K] and counts [C, K, 4]: exact buffers, NULL past the cap.
  fz::Buf th_buf, counts_buf;
  bool th_is_null = th_null, counts_is_null = counts_null;
  int64_t counts_len = 0;
  if (k_ok) {
    if (fz::sat_mul({K, 8}) > fz::kCapBytes) th_is_null = true;
    counts_len = s.C >= 0 ? fz::sat_mul({s.C, K, 4}) : 0;
    if (fz::sat_mul({counts_len, 8}) > fz::kCapBytes) counts_is_null = true;
    if (K > 0 && th_is_null) o.add(SSRL_ERR_NULL_POINTER);
    if (counts_len > 0 && counts_is_null) o.add(SSRL_ERR_NULL_POINTER);
    th_buf = fz::Buf(th_is_null ? 0 : K * 8, 0);
    counts_buf = fz::Buf(counts_is_null ? 0 : counts_len * 8, 0xEE);
  } else {
    th_buf = fz::Buf(64, 0);
    counts_buf = fz::Buf(64, 0xEE);
  }
  double *th = reinterpret_cast<double *>(th_buf.p);
  const int64_t th_len = th_buf.n / 8;
  for (int64_t k = 0; k < th_len; ++k)
    th[k] = fz::dtype_known(s.dtype) ? pick_threshold(in, d) : 0.5;
  if (nan_th && th_len > 0) {
    th[nan_pos % th_len] =
        fz::bits_to_double(fz::nan_bits(SSRL_FLOAT64, static_cast<unsigned>(nan_pos >> 60)));
    if (k_ok && !th_is_null) o.add(SSRL_ERR_NAN_THRESHOLD);
  }
  // The library's own scratch for a call it may run: skip if past the cap.
  if (!fz::argument_error(o) && fz::sat_mul({s.C, K + 1, 16 * 2}) > fz::kCapScratch) return 0;

  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_confusion_counts_cpu(y=%s, p=%s, dtype=%d, N=%lld, C=%lld, th=%s, K=%lld, "
                "counts=%s) bad_label=%d nan_score=%d nan_th=%d",
                s.y_arg() ? "y" : "NULL", s.p_arg() ? "p" : "NULL", s.dtype, (long long)s.N,
                (long long)s.C, th_is_null ? "NULL" : "th", (long long)K,
                counts_is_null ? "NULL" : "counts", s.bad_label, s.nan_score, nan_th);
  fz::announce();
  const std::vector<uint8_t> y_before(s.y.p, s.y.p + s.y.n), p_before(s.p.p, s.p.p + s.p.n);
  const std::vector<uint8_t> th_before(th_buf.p, th_buf.p + th_buf.n);
  int64_t *counts = reinterpret_cast<int64_t *>(counts_buf.p);
  const ssrl_status st =
      ssrl_confusion_counts_cpu(s.y_arg(), s.p_arg(), static_cast<ssrl_dtype>(s.dtype), s.N, s.C,
                                th_is_null ? nullptr : th, K, counts_is_null ? nullptr : counts);
  FUZZ_CHECK(o.accepts(st));
  // Inputs are const.
  FUZZ_CHECK(std::equal(y_before.begin(), y_before.end(), s.y.p));
  FUZZ_CHECK(std::equal(p_before.begin(), p_before.end(), s.p.p));
  FUZZ_CHECK(std::equal(th_before.begin(), th_before.end(), th_buf.p));
  if (st != SSRL_OK) {
    for (int64_t i = 0; i < counts_buf.n; ++i) FUZZ_CHECK(counts_buf.p[i] == 0xEE);
    return 0;
  }
  if (counts_len == 0) return 0;
  FUZZ_CHECK(s.have_data || s.N * s.C == 0);
  const int64_t N = s.N, C = s.C;
  std::vector<double> rounded(static_cast<size_t>(K));
  for (int64_t k = 0; k < K; ++k) rounded[k] = fz::ref_round(th[k], d);
  std::vector<int64_t> order(static_cast<size_t>(K));
  for (int64_t k = 0; k < K; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return th[a] < th[b]; });
  const bool naive_ok = N * C * K <= 400000;
  for (int64_t c = 0; c < C; ++c) {
    int64_t pos = 0;
    for (int64_t n = 0; n < N; ++n) pos += s.y.p[n * C + c];
    for (int64_t k = 0; k < K; ++k) {
      const int64_t *q = counts + (c * K + k) * 4;  // TP FP TN FN
      for (int j = 0; j < 4; ++j) FUZZ_CHECK(q[j] >= 0);
      FUZZ_CHECK(q[0] + q[3] == pos);
      FUZZ_CHECK(q[1] + q[2] == N - pos);
    }
    for (int64_t r = 1; r < K; ++r) {  // a higher threshold predicts no more positives
      const int64_t *lo = counts + (c * K + order[r - 1]) * 4,
                    *hi = counts + (c * K + order[r]) * 4;
      FUZZ_CHECK(hi[0] <= lo[0] && hi[1] <= lo[1]);
    }
    if (!naive_ok) continue;
    for (int64_t k = 0; k < K; ++k) {
      int64_t ref[4] = {0, 0, 0, 0};
      for (int64_t n = 0; n < N; ++n) {
        const bool pred = s.score(n * C + c) >= rounded[k];
        const bool truth = s.y.p[n * C + c] == 1;
        ref[truth ? (pred ? 0 : 3) : (pred ? 1 : 2)] += 1;
      }
      const int64_t *q = counts + (c * K + k) * 4;
      FUZZ_CHECK(q[0] == ref[0] && q[1] == ref[1] && q[2] == ref[2] && q[3] == ref[3]);
    }
  }
  return 0;
}
