// fuzz_confusion_counts2: ssrl_confusion_counts2_cpu(y_true of labels_dtype,
// y_prob, dtype, N, C, thresholds [K], counts), every label and score dtype and
// invalid values of both (docs/semantics.md section 9.1); K up to 1100 and grids
// that take the bin table (uniform, with duplicates, uneven) or the search.
// Invariants: for a known label dtype the status and counts equal
// ssrl_confusion_counts_cpu's on the same data as uint8; for an unknown one the
// status is SSRL_ERR_DTYPE unless sizes or the score dtype fail first; on error
// counts is untouched.
#include "fuzz_labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool edges = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  const int ldt = fz::pick_label_dtype(in);
  const int grid = in.ConsumeIntegralInRange<int>(0, 3);
  const int64_t K = in.ConsumeIntegralInRange<int64_t>(0, 1100);
  const uint64_t th_seed = in.ConsumeIntegral<uint64_t>();
  const bool nan_th = in.ConsumeIntegralInRange<int>(0, 15) == 0;
  fz::ScoreCase s = fz::draw_scores(in, edges);
  if (!s.sizes_ok || s.C > 64 || fz::sat_mul({s.C, K + 1, 16, 3}) > fz::kCapScratch) return 0;
  std::vector<double> th(static_cast<size_t>(K) + 1);
  fz::Rng rng{th_seed};
  const std::vector<double> &pal = fz::palette(s.known_dtype());
  for (int64_t k = 0; k < K; ++k) {
    switch (grid) {
      case 0: th[k] = K > 1 ? static_cast<double>(k) / static_cast<double>(K - 1) : 0.5; break;
      case 1: th[k] = k == 0 ? 0.5 : static_cast<double>(k - 1) / (K > 2 ? K - 2 : 1); break;
      case 2: th[k] = pal[rng.next() % pal.size()]; break;
      default: {
        const double r = fz::bits_to_double(rng.next());
        th[k] = std::isnan(r) ? 0.25 : (rng.next() % 2 ? r : std::ldexp(r, -1000));
      }
    }
  }
  if (nan_th && K > 0) th[rng.next() % K] = NAN;
  const fz::Buf y = fz::encode_labels(s.y, ldt);
  const void *y_arg = s.y_arg() == nullptr ? nullptr : y.p;
  const size_t n_out = static_cast<size_t>(s.C * K * 4) + 1;
  std::vector<int64_t> want(n_out, 7), got(n_out, 7);

  std::snprintf(fz::g_call, sizeof fz::g_call,
                "ssrl_confusion_counts2_cpu(labels_dtype=%d, dtype=%d, N=%lld, C=%lld, K=%lld, "
                "grid=%d)",
                ldt, s.dtype, (long long)s.N, (long long)s.C, (long long)K, grid);
  fz::announce();
  const ssrl_status ws = ssrl_confusion_counts_cpu(s.y_arg(), s.p_arg(),
                                                   static_cast<ssrl_dtype>(s.dtype), s.N, s.C,
                                                   th.data(), K, want.data());
  const ssrl_status st = ssrl_confusion_counts2_cpu(y_arg, static_cast<ssrl_dtype>(ldt), s.p_arg(),
                                                    static_cast<ssrl_dtype>(s.dtype), s.N, s.C,
                                                    th.data(), K, got.data());
  if (!fz::label_dtype_known(ldt)) {
    FUZZ_CHECK(st == ((ws == SSRL_ERR_SHAPE || ws == SSRL_ERR_DTYPE) ? ws : SSRL_ERR_DTYPE));
    for (int64_t v : got) FUZZ_CHECK(v == 7);
    return 0;
  }
  FUZZ_CHECK(st == ws);
  FUZZ_CHECK(got == want);
  if (st == SSRL_OK && K > 0) {
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t k = 0; k < K; ++k) {
        const int64_t *q = &got[static_cast<size_t>((c * K + k) * 4)];
        FUZZ_CHECK(q[0] + q[1] + q[2] + q[3] == s.N);
      }
  }
  return 0;
}
