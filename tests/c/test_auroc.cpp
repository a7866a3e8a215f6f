// ssrl_auroc_cpu against naive.h's O(N^2) Mann-Whitney count and a counting
// reference for large N: every dtype, heavy ties, one-label classes (NaN),
// awkward sizes and every error path.
#include <gtest/gtest.h>

#include <map>

#include "naive.h"
#include "scores.h"

namespace {

std::vector<double> run(const scores::Data &d, ssrl_dtype dtype, int64_t N, int64_t C) {
  std::vector<uint8_t> p = scores::encode(d.p, dtype);
  std::vector<double> out(static_cast<size_t>(C), -7.0);
  EXPECT_EQ(ssrl_auroc_cpu(d.y.data(), p.data(), dtype, N, C, out.data()), SSRL_OK);
  return out;
}

void expect_same(const std::vector<double> &got, const std::vector<double> &ref) {
  ASSERT_EQ(got.size(), ref.size());
  for (size_t c = 0; c < ref.size(); ++c) {
    if (std::isnan(ref[c])) EXPECT_TRUE(std::isnan(got[c])) << "class " << c;
    else EXPECT_NEAR(got[c], ref[c], 1e-15) << "class " << c;
  }
}

// Exact AUROC of discrete scores by counting: for each value, positives times
// negatives below (twice) plus positives times negatives equal.
std::vector<double> counting_auroc(const scores::Data &d, int64_t N, int64_t C) {
  std::vector<double> out(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    std::map<double, std::pair<uint64_t, uint64_t>> by_value;  // value -> (pos, neg)
    for (int64_t n = 0; n < N; ++n) {
      auto &e = by_value[d.p[n * C + c]];
      (d.y[n * C + c] ? e.first : e.second) += 1;
    }
    uint64_t neg_below = 0, P = 0, M = 0, u2 = 0;
    for (auto &kv : by_value) {
      u2 += kv.second.first * (2 * neg_below + kv.second.second);
      neg_below += kv.second.second;
      P += kv.second.first;
      M += kv.second.second;
    }
    out[c] = (P == 0 || M == 0) ? NAN : static_cast<double>(u2) / (2.0 * P * M);
  }
  return out;
}

TEST(Auroc, HandComputed) {
  // pos {0.8, 0.4}, neg {0.4, 0.1}: pairs (0.8>0.4) 1, (0.8>0.1) 1, (0.4=0.4) 1/2,
  // (0.4>0.1) 1 -> 3.5 / 4 = 0.875.
  scores::Data d{{1, 1, 0, 0}, {0.8, 0.4, 0.4, 0.1}};
  std::vector<double> a = run(d, SSRL_FLOAT64, 4, 1);
  EXPECT_DOUBLE_EQ(a[0], 0.875);
}

TEST(Auroc, MatchesNaiveEveryDtypeHeavyTies) {
  const int64_t N = 301, C = 12;
  for (int levels : {2, 5, 33, 256}) {
    scores::Data d = scores::random_data(N, C, levels, levels);
    for (ssrl_dtype dt : scores::kAllDtypes) {
      SCOPED_TRACE(testing::Message() << "levels " << levels << " dtype " << dt);
      expect_same(run(d, dt, N, C), naive::auroc(d.y, d.p, N, C));
    }
  }
}

TEST(Auroc, OneLabelClassesAreNaN) {
  const int64_t N = 50, C = 4;
  scores::Data d = scores::random_data(N, C, 10, 9);
  for (int64_t n = 0; n < N; ++n) d.y[n * C + 1] = 0, d.y[n * C + 3] = 1;
  std::vector<double> a = run(d, SSRL_FLOAT32, N, C);
  EXPECT_TRUE(std::isnan(a[1]));
  EXPECT_TRUE(std::isnan(a[3]));
  EXPECT_FALSE(std::isnan(a[0]));
  expect_same(a, naive::auroc(d.y, d.p, N, C));
}

TEST(Auroc, SignedZeroAndInfinitiesOrder) {
  // -0.0 ties with +0.0; -inf < everything < +inf.
  scores::Data d{{1, 0, 1, 0, 0, 1}, {-0.0, 0.0, INFINITY, -INFINITY, 1.0, 0.5}};
  expect_same(run(d, SSRL_FLOAT64, 6, 1), naive::auroc(d.y, d.p, 6, 1));
  expect_same(run(d, SSRL_FLOAT32, 6, 1), naive::auroc(d.y, d.p, 6, 1));
}

TEST(Auroc, LargeNCountingReference) {
  const int64_t N = 400003, C = 11;  // parallel path (N * C >= 2^22), multi-pass radix sort
  scores::Data d = scores::random_data(N, C, 97, 11);
  expect_same(run(d, SSRL_FLOAT32, N, C), counting_auroc(d, N, C));
  expect_same(run(d, SSRL_FLOAT64, N, C), counting_auroc(d, N, C));
}

TEST(Auroc, ManyClassesAcrossGroups) {
  const int64_t N = 97, C = 71;
  scores::Data d = scores::random_data(N, C, 20, 12);
  expect_same(run(d, SSRL_BFLOAT16, N, C), naive::auroc(d.y, d.p, N, C));
}

TEST(Auroc, AwkwardSizes) {
  scores::Data one{{1}, {0.3}};
  EXPECT_TRUE(std::isnan(run(one, SSRL_FLOAT32, 1, 1)[0]));
  std::vector<double> out(3, 0.0);
  const uint8_t y = 0;
  const float p = 0;
  ASSERT_EQ(ssrl_auroc_cpu(&y, &p, SSRL_FLOAT32, 0, 3, out.data()), SSRL_OK);
  for (double v : out) EXPECT_TRUE(std::isnan(v)) << "N = 0 gives NaN";
  EXPECT_EQ(ssrl_auroc_cpu(nullptr, nullptr, SSRL_FLOAT32, 10, 0, nullptr), SSRL_OK);
}

TEST(Auroc, Errors) {
  scores::Data d = scores::random_data(10, 2, 4, 5);
  std::vector<uint8_t> p = scores::encode(d.p, SSRL_FLOAT32);
  std::vector<double> out(2, 7.0);
  EXPECT_EQ(ssrl_auroc_cpu(nullptr, p.data(), SSRL_FLOAT32, 10, 2, out.data()), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_cpu(d.y.data(), nullptr, SSRL_FLOAT32, 10, 2, out.data()), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_cpu(d.y.data(), p.data(), SSRL_FLOAT32, 10, 2, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_cpu(d.y.data(), p.data(), SSRL_FLOAT32, -10, 2, out.data()), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_auroc_cpu(d.y.data(), p.data(), static_cast<ssrl_dtype>(4), 10, 2, out.data()),
            SSRL_ERR_DTYPE);
  std::vector<uint8_t> bad_y = d.y;
  bad_y[19] = 255;
  EXPECT_EQ(ssrl_auroc_cpu(bad_y.data(), p.data(), SSRL_FLOAT32, 10, 2, out.data()), SSRL_ERR_LABEL_VALUE);
  std::vector<double> nan_p = d.p;
  nan_p[0] = NAN;
  EXPECT_EQ(ssrl_auroc_cpu(d.y.data(), scores::encode(nan_p, SSRL_FLOAT32).data(), SSRL_FLOAT32, 10,
                           2, out.data()),
            SSRL_ERR_NAN_SCORE);
  const uint16_t half_nan[2] = {0x7E00, 0x3C00};
  const uint8_t y2[2] = {0, 1};
  EXPECT_EQ(ssrl_auroc_cpu(y2, half_nan, SSRL_FLOAT16, 2, 1, out.data()), SSRL_ERR_NAN_SCORE);
  const uint16_t bf16_nan[2] = {0x3F80, 0x7FC0};
  EXPECT_EQ(ssrl_auroc_cpu(y2, bf16_nan, SSRL_BFLOAT16, 1, 2, out.data()), SSRL_ERR_NAN_SCORE);
  for (double v : out) EXPECT_EQ(v, 7.0) << "auroc written on error";
}

}  // namespace
