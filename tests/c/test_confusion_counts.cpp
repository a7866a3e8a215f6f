// ssrl_confusion_counts_cpu against naive.h's double loop: every dtype, heavy
// ties, unsorted and duplicate thresholds, threshold rounding, awkward sizes and
// every error path.
#include <gtest/gtest.h>

#include "naive.h"
#include "scores.h"

namespace {

std::vector<int64_t> run(const scores::Data &d, ssrl_dtype dtype, int64_t N, int64_t C,
                         const std::vector<double> &th, ssrl_status expect = SSRL_OK) {
  std::vector<uint8_t> p = scores::encode(d.p, dtype);
  std::vector<int64_t> counts(static_cast<size_t>(C) * th.size() * 4, -1);
  EXPECT_EQ(ssrl_confusion_counts_cpu(d.y.data(), p.data(), dtype, N, C, th.data(),
                                      static_cast<int64_t>(th.size()), counts.data()),
            expect);
  return counts;
}

TEST(ConfusionCounts, HandComputed) {
  // one class, scores 0.1 0.4 0.5 0.9, labels 0 1 0 1, threshold 0.5:
  // predicted 0 0 1 1 -> TP 1 (0.9), FP 1 (0.5), TN 1 (0.1), FN 1 (0.4).
  scores::Data d{{0, 1, 0, 1}, {0.1, 0.4, 0.5, 0.9}};
  std::vector<int64_t> c = run(d, SSRL_FLOAT64, 4, 1, {0.5});
  EXPECT_EQ(c, (std::vector<int64_t>{1, 1, 1, 1}));
}

TEST(ConfusionCounts, MatchesNaiveEveryDtype) {
  const int64_t N = 503, C = 7;
  scores::Data d = scores::random_data(N, C, 9, 1);
  std::vector<double> th = {0.5, 0.0, 1.0, 0.25, 0.5, 0.875, -3.0, 2.0, 0.375, 0.625};
  for (ssrl_dtype dt : scores::kAllDtypes)
    EXPECT_EQ(run(d, dt, N, C, th), naive::counts(d.y, d.p, N, C, th)) << "dtype " << dt;
}

TEST(ConfusionCounts, HundredThresholdsParallelPath) {
  const int64_t N = 350003, C = 12;  // N * C above the 2^22 parallel cut-off
  scores::Data d = scores::random_data(N, C, 200, 2);
  std::vector<double> th;
  for (int k = 0; k < 100; ++k) th.push_back(std::ldexp(std::round(std::ldexp((k * 37 % 100) / 99.0, 8)), -8));
  EXPECT_EQ(run(d, SSRL_FLOAT32, N, C, th), naive::counts(d.y, d.p, N, C, th));
}

TEST(ConfusionCounts, ThresholdRoundedToScoreDtype) {
  // 0.7 is not exact in any dtype: the score 0.7 stored in that dtype equals the
  // threshold rounded to it, so it is predicted positive. In double precision
  // (float)0.7 < 0.7 would call it negative.
  const float f = 0.7f;
  const uint8_t y[1] = {1};
  int64_t counts[4];
  ASSERT_EQ(ssrl_confusion_counts_cpu(y, &f, SSRL_FLOAT32, 1, 1, (const double[]){0.7}, 1, counts),
            SSRL_OK);
  EXPECT_EQ(counts[0], 1) << "TP";
  const uint16_t h = 0x399A;  // float16 nearest 0.7 = 0.7001953125
  ASSERT_EQ(ssrl_confusion_counts_cpu(y, &h, SSRL_FLOAT16, 1, 1, (const double[]){0.7}, 1, counts),
            SSRL_OK);
  EXPECT_EQ(counts[0], 1);
  const uint16_t b = 0x3F33;  // bfloat16 nearest 0.7 = 0.69921875
  ASSERT_EQ(ssrl_confusion_counts_cpu(y, &b, SSRL_BFLOAT16, 1, 1, (const double[]){0.7}, 1, counts),
            SSRL_OK);
  EXPECT_EQ(counts[0], 1);
  // float16 halfway case: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 and
  // rounds to even (1.0): a score of 1.0 is then >= the threshold.
  const uint16_t one = 0x3C00;
  ASSERT_EQ(ssrl_confusion_counts_cpu(y, &one, SSRL_FLOAT16, 1, 1,
                                      (const double[]){1.0 + std::ldexp(1.0, -11)}, 1, counts),
            SSRL_OK);
  EXPECT_EQ(counts[0], 1);
  // float16 overflow: 1e6 rounds to +inf, which no finite score reaches.
  const uint16_t big = 0x7BFF;  // 65504
  ASSERT_EQ(ssrl_confusion_counts_cpu(y, &big, SSRL_FLOAT16, 1, 1, (const double[]){1e6}, 1, counts),
            SSRL_OK);
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[3], 1) << "FN";
}

TEST(ConfusionCounts, AwkwardSizes) {
  scores::Data d = scores::random_data(5, 1, 4, 3);
  EXPECT_EQ(run(d, SSRL_FLOAT32, 5, 1, {0.5}), naive::counts(d.y, d.p, 5, 1, {0.5}));
  scores::Data one = scores::random_data(1, 12, 4, 4);
  EXPECT_EQ(run(one, SSRL_FLOAT64, 1, 12, {0.5, 0.1}), naive::counts(one.y, one.p, 1, 12, {0.5, 0.1}));
  // N = 0: every count is zero.
  scores::Data none;
  std::vector<int64_t> c(3 * 2 * 4, -1);
  const float dummy = 0;
  const uint8_t ydummy = 0;
  ASSERT_EQ(ssrl_confusion_counts_cpu(&ydummy, &dummy, SSRL_FLOAT32, 0, 3, (const double[]){0.5, 0.2},
                                      2, c.data()),
            SSRL_OK);
  for (int64_t v : c) EXPECT_EQ(v, 0);
  // K = 0 and C = 0: nothing to write, no error.
  EXPECT_EQ(ssrl_confusion_counts_cpu(d.y.data(), scores::encode(d.p, SSRL_FLOAT32).data(),
                                      SSRL_FLOAT32, 5, 1, nullptr, 0, nullptr),
            SSRL_OK);
  EXPECT_EQ(ssrl_confusion_counts_cpu(nullptr, nullptr, SSRL_FLOAT32, 5, 0, (const double[]){0.5}, 1,
                                      nullptr),
            SSRL_OK);
}

TEST(ConfusionCounts, Errors) {
  scores::Data d = scores::random_data(10, 2, 4, 5);
  std::vector<uint8_t> p = scores::encode(d.p, SSRL_FLOAT32);
  std::vector<int64_t> counts(2 * 4, 7);
  const double th[1] = {0.5};
  auto call = [&](const uint8_t *y, const void *pp, int dt, int64_t N, int64_t C, const double *t,
                  int64_t K, int64_t *out) {
    return ssrl_confusion_counts_cpu(y, pp, static_cast<ssrl_dtype>(dt), N, C, t, K, out);
  };
  EXPECT_EQ(call(nullptr, p.data(), 0, 10, 2, th, 1, counts.data()), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(call(d.y.data(), nullptr, 0, 10, 2, th, 1, counts.data()), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(call(d.y.data(), p.data(), 0, 10, 2, nullptr, 1, counts.data()), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(call(d.y.data(), p.data(), 0, 10, 2, th, 1, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(call(d.y.data(), p.data(), 0, -1, 2, th, 1, counts.data()), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(d.y.data(), p.data(), 0, 10, -2, th, 1, counts.data()), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(d.y.data(), p.data(), 0, 10, 2, th, -1, counts.data()), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(d.y.data(), p.data(), 0, INT64_MAX, 2, th, 1, counts.data()), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(d.y.data(), p.data(), 9, 10, 2, th, 1, counts.data()), SSRL_ERR_DTYPE);
  EXPECT_EQ(call(d.y.data(), p.data(), -1, 10, 2, th, 1, counts.data()), SSRL_ERR_DTYPE);
  const double nan_th[2] = {0.5, NAN};
  EXPECT_EQ(call(d.y.data(), p.data(), 0, 10, 2, nan_th, 2, counts.data()), SSRL_ERR_NAN_THRESHOLD);
  std::vector<uint8_t> bad_y = d.y;
  bad_y[13] = 2;
  EXPECT_EQ(call(bad_y.data(), p.data(), 0, 10, 2, th, 1, counts.data()), SSRL_ERR_LABEL_VALUE);
  std::vector<double> nan_p = d.p;
  nan_p[4] = NAN;
  EXPECT_EQ(call(d.y.data(), scores::encode(nan_p, SSRL_FLOAT64).data(), 1, 10, 2, th, 1,
                 counts.data()),
            SSRL_ERR_NAN_SCORE);
  for (int64_t v : counts) EXPECT_EQ(v, 7) << "counts written on error";
}

}  // namespace
