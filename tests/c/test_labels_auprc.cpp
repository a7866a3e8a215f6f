// Labels of every dtype (docs/semantics.md section 9.1), the average precision
// of ssrl_auroc_auprc_cpu (section 9.2) and the bin table of confusion counts:
// a hand-computed AUPRC with ties, an O(N^2) reference written from the
// definition (scikit-learn's average_precision_score), every label dtype equal
// to the uint8 result, bad label values, and grids of thresholds that take the
// table (uniform, uneven) or the binary search.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>

#include "naive.h"
#include "scores.h"

namespace {

// AP from the definition: for each distinct score s among the positives, the
// positives at s over P times TP(>= s) / (TP(>= s) + FP(>= s)). NaN when P = 0.
std::vector<double> naive_ap(const std::vector<uint8_t> &y, const std::vector<double> &p,
                             int64_t N, int64_t C) {
  std::vector<double> out(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    int64_t P = 0;
    for (int64_t n = 0; n < N; ++n) P += y[n * C + c];
    if (P == 0) {
      out[c] = NAN;
      continue;
    }
    std::vector<double> seen;
    double ap = 0;
    for (int64_t i = 0; i < N; ++i) {
      if (!y[i * C + c]) continue;
      const double s = p[i * C + c];
      bool done = false;
      for (double v : seen) done |= v == s;
      if (done) continue;
      seen.push_back(s);
      int64_t at = 0, tp = 0, fp = 0;
      for (int64_t j = 0; j < N; ++j) {
        const double q = p[j * C + c];
        if (y[j * C + c] && q == s) at += 1;
        if (q >= s) (y[j * C + c] ? tp : fp) += 1;
      }
      ap += static_cast<double>(at) / P * (static_cast<double>(tp) / (tp + fp));
    }
    out[c] = ap;
  }
  return out;
}

// The labels as bytes of dtype (values 0/1, or `bad` at index bad_at).
std::vector<uint8_t> encode_labels(const std::vector<uint8_t> &y, ssrl_dtype dt,
                                   int64_t bad_at = -1, double bad = 2) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < y.size(); ++i) {
    const double v = static_cast<int64_t>(i) == bad_at ? bad : y[i];
    switch (dt) {
      case SSRL_UINT8: { uint8_t t = static_cast<uint8_t>(v); out.push_back(t); break; }
      case SSRL_INT8: { int8_t t = static_cast<int8_t>(v); out.push_back(static_cast<uint8_t>(t)); break; }
#define PUT(T)                                                   \
  {                                                              \
    T t = static_cast<T>(v);                                     \
    const uint8_t *b = reinterpret_cast<const uint8_t *>(&t);    \
    out.insert(out.end(), b, b + sizeof t);                      \
    break;                                                       \
  }
      case SSRL_INT16: PUT(int16_t)
      case SSRL_INT32: PUT(int32_t)
      case SSRL_INT64: PUT(int64_t)
      case SSRL_UINT16: PUT(uint16_t)
      case SSRL_UINT32: PUT(uint32_t)
      case SSRL_UINT64: PUT(uint64_t)
      default: {  // floating: the score encoder
        std::vector<uint8_t> f = scores::encode({v}, dt);
        out.insert(out.end(), f.begin(), f.end());
      }
#undef PUT
    }
  }
  return out;
}

const ssrl_dtype kLabelDtypes[] = {SSRL_UINT8,  SSRL_INT8,    SSRL_INT16,   SSRL_INT32,
                                   SSRL_INT64,  SSRL_UINT16,  SSRL_UINT32,  SSRL_UINT64,
                                   SSRL_FLOAT32, SSRL_FLOAT64, SSRL_FLOAT16, SSRL_BFLOAT16};

void expect_close(const std::vector<double> &got, const std::vector<double> &ref, double tol) {
  ASSERT_EQ(got.size(), ref.size());
  for (size_t c = 0; c < ref.size(); ++c) {
    if (std::isnan(ref[c])) EXPECT_TRUE(std::isnan(got[c])) << "class " << c;
    else EXPECT_NEAR(got[c], ref[c], tol) << "class " << c;
  }
}

bool same_bits(const std::vector<double> &a, const std::vector<double> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Auprc, HandComputedWithTies) {
  // positives at 0.8, 0.4, 0.4; negatives at 0.4, 0.1.
  // s = 0.8: 1 positive, precision 1/1; s = 0.4: 2 positives, precision 3/4.
  // AP = 1/3 * 1 + 2/3 * 3/4 = 5/6.
  scores::Data d{{1, 1, 0, 0, 1}, {0.8, 0.4, 0.4, 0.1, 0.4}};
  std::vector<double> auroc(1), auprc(1);
  ASSERT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, d.p.data(), SSRL_FLOAT64, 5, 1,
                                 auroc.data(), auprc.data()),
            SSRL_OK);
  EXPECT_NEAR(auprc[0], 5.0 / 6.0, 1e-15);
  EXPECT_DOUBLE_EQ(auroc[0], (1.0 * 2 + 0.5 + 1 + 0.5 + 1) / 6.0);  // 5 / 6 too
}

TEST(Auprc, MatchesDefinitionEveryDtypeHeavyTies) {
  const int64_t N = 203, C = 9;
  for (int levels : {2, 5, 33, 256}) {
    scores::Data d = scores::random_data(N, C, levels, 100 + levels);
    const std::vector<double> ref_ap = naive_ap(d.y, d.p, N, C);
    const std::vector<double> ref_auc = naive::auroc(d.y, d.p, N, C);
    for (ssrl_dtype dt : scores::kAllDtypes) {
      SCOPED_TRACE(testing::Message() << "levels " << levels << " dtype " << dt);
      std::vector<uint8_t> p = scores::encode(d.p, dt);
      std::vector<double> auroc(C), auprc(C), old(C);
      ASSERT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, p.data(), dt, N, C, auroc.data(),
                                     auprc.data()),
                SSRL_OK);
      expect_close(auprc, ref_ap, 1e-12);
      expect_close(auroc, ref_auc, 1e-15);
      ASSERT_EQ(ssrl_auroc_cpu(d.y.data(), p.data(), dt, N, C, old.data()), SSRL_OK);
      EXPECT_TRUE(same_bits(auroc, old)) << "ssrl_auroc_cpu and ssrl_auroc_auprc_cpu agree";
    }
  }
}

TEST(Auprc, NoPositiveIsNanNoNegativeIsOne) {
  const int64_t N = 40, C = 3;
  scores::Data d = scores::random_data(N, C, 10, 7);
  for (int64_t n = 0; n < N; ++n) d.y[n * C + 0] = 0, d.y[n * C + 2] = 1;
  std::vector<double> auroc(C), auprc(C);
  ASSERT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, d.p.data(), SSRL_FLOAT64, N, C,
                                 auroc.data(), auprc.data()),
            SSRL_OK);
  EXPECT_TRUE(std::isnan(auprc[0]));
  EXPECT_TRUE(std::isnan(auroc[0]));
  EXPECT_FALSE(std::isnan(auprc[1]));
  EXPECT_EQ(auprc[2], 1.0);
  EXPECT_TRUE(std::isnan(auroc[2]));
  ASSERT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, d.p.data(), SSRL_FLOAT64, 0, C,
                                 auroc.data(), auprc.data()),
            SSRL_OK);
  for (double v : auprc) EXPECT_TRUE(std::isnan(v)) << "N = 0 gives NaN";
}

TEST(Auprc, LargeParallelMatchesSerialDefinitionOnSubsets) {
  // Past the thread threshold; the AP of each class against the definition
  // computed by sorting (O(N log N)), so N can be large.
  const int64_t N = 300007, C = 14;  // N * C >= 2^22: the parallel path
  scores::Data d = scores::random_data(N, C, 97, 21);
  std::vector<double> auroc(C), auprc(C);
  ASSERT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, d.p.data(), SSRL_FLOAT64, N, C,
                                 auroc.data(), auprc.data()),
            SSRL_OK);
  for (int64_t c = 0; c < C; ++c) {
    std::map<double, std::pair<int64_t, int64_t>, std::greater<double>> by;  // desc: (pos, neg)
    int64_t P = 0;
    for (int64_t n = 0; n < N; ++n) {
      auto &e = by[d.p[n * C + c]];
      (d.y[n * C + c] ? e.first : e.second) += 1;
      P += d.y[n * C + c];
    }
    double ap = 0;
    int64_t tp = 0, fp = 0;
    for (auto &kv : by) {
      tp += kv.second.first, fp += kv.second.second;
      if (kv.second.first) ap += static_cast<double>(kv.second.first) / P * (double(tp) / (tp + fp));
    }
    EXPECT_NEAR(auprc[c], ap, 1e-12) << "class " << c;
  }
}

TEST(Labels, EveryDtypeEqualsUint8) {
  const int64_t N = 157, C = 7;
  scores::Data d = scores::random_data(N, C, 20, 3);
  std::vector<uint8_t> p = scores::encode(d.p, SSRL_FLOAT32);
  const std::vector<double> th = {0.0, 0.25, 0.5, 0.75, 1.0};
  std::vector<int64_t> ref_counts(C * 5 * 4);
  std::vector<double> ref_auc(C), ref_ap(C);
  ASSERT_EQ(ssrl_confusion_counts_cpu(d.y.data(), p.data(), SSRL_FLOAT32, N, C, th.data(), 5,
                                      ref_counts.data()),
            SSRL_OK);
  ASSERT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, p.data(), SSRL_FLOAT32, N, C,
                                 ref_auc.data(), ref_ap.data()),
            SSRL_OK);
  for (ssrl_dtype lt : kLabelDtypes) {
    SCOPED_TRACE(testing::Message() << "labels dtype " << lt);
    std::vector<uint8_t> y = encode_labels(d.y, lt);
    std::vector<int64_t> counts(C * 5 * 4);
    std::vector<double> auc(C), ap(C);
    ASSERT_EQ(ssrl_confusion_counts2_cpu(y.data(), lt, p.data(), SSRL_FLOAT32, N, C, th.data(), 5,
                                         counts.data()),
              SSRL_OK);
    EXPECT_EQ(counts, ref_counts);
    ASSERT_EQ(ssrl_auroc_auprc_cpu(y.data(), lt, p.data(), SSRL_FLOAT32, N, C, auc.data(),
                                   ap.data()),
              SSRL_OK);
    EXPECT_TRUE(same_bits(auc, ref_auc));
    EXPECT_TRUE(same_bits(ap, ref_ap));
  }
}

TEST(Labels, BadValuesOfEveryDtypeAreRefused) {
  const int64_t N = 31, C = 3;
  scores::Data d = scores::random_data(N, C, 8, 5);
  std::vector<uint8_t> p = scores::encode(d.p, SSRL_FLOAT32);
  const double th = 0.5;
  for (ssrl_dtype lt : kLabelDtypes) {
    const bool floating = lt <= SSRL_BFLOAT16;
    const bool is_signed = floating || lt == SSRL_INT8 || lt == SSRL_INT16 || lt == SSRL_INT32 ||
                           lt == SSRL_INT64;
    std::vector<double> bads = {2.0};
    if (is_signed) bads.push_back(-1.0);
    if (floating) bads.push_back(0.5), bads.push_back(NAN);
    for (double bad : bads) {
      SCOPED_TRACE(testing::Message() << "labels dtype " << lt << " value " << bad);
      std::vector<uint8_t> y = encode_labels(d.y, lt, 50, bad);
      std::vector<int64_t> counts(C * 4, 7);
      std::vector<double> auc(C, 7.0), ap(C, 7.0);
      EXPECT_EQ(ssrl_confusion_counts2_cpu(y.data(), lt, p.data(), SSRL_FLOAT32, N, C, &th, 1,
                                           counts.data()),
                SSRL_ERR_LABEL_VALUE);
      EXPECT_EQ(ssrl_auroc_auprc_cpu(y.data(), lt, p.data(), SSRL_FLOAT32, N, C, auc.data(),
                                     ap.data()),
                SSRL_ERR_LABEL_VALUE);
      for (double v : ap) EXPECT_EQ(v, 7.0) << "outputs untouched on error";
    }
  }
  // -0.0 is 0.
  std::vector<uint8_t> y = encode_labels(d.y, SSRL_FLOAT64, 0, -0.0);
  std::vector<double> auc(C), ap(C);
  EXPECT_EQ(ssrl_auroc_auprc_cpu(y.data(), SSRL_FLOAT64, p.data(), SSRL_FLOAT32, N, C, auc.data(),
                                 ap.data()),
            SSRL_OK);
}

TEST(Labels, UnknownDtypesAreRefused) {
  scores::Data d = scores::random_data(10, 2, 4, 5);
  std::vector<uint8_t> p = scores::encode(d.p, SSRL_FLOAT32);
  std::vector<double> auc(2), ap(2);
  std::vector<int64_t> counts(2 * 4);
  const double th = 0.5;
  for (int bad : {-1, 12, 99}) {
    EXPECT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), static_cast<ssrl_dtype>(bad), p.data(),
                                   SSRL_FLOAT32, 10, 2, auc.data(), ap.data()),
              SSRL_ERR_DTYPE);
    EXPECT_EQ(ssrl_confusion_counts2_cpu(d.y.data(), static_cast<ssrl_dtype>(bad), p.data(),
                                         SSRL_FLOAT32, 10, 2, &th, 1, counts.data()),
              SSRL_ERR_DTYPE);
  }
  // an integer dtype is a label dtype, never a score dtype
  EXPECT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, p.data(), SSRL_INT32, 10, 2, auc.data(),
                                 ap.data()),
            SSRL_ERR_DTYPE);
  EXPECT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, p.data(), SSRL_FLOAT32, 10, 2, nullptr,
                                 ap.data()),
            SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_auprc_cpu(d.y.data(), SSRL_UINT8, p.data(), SSRL_FLOAT32, 10, 2, auc.data(),
                                 nullptr),
            SSRL_OK) << "auprc may be NULL";
}

// Grids that take the cell table (uniform, with a duplicate, uneven) or the
// binary search (too uneven, infinite, small), scores on and between them.
TEST(CountsBins, TableAndSearchEqualNaive) {
  const int64_t N = 301, C = 5;
  scores::Data d = scores::random_data(N, C, 256, 9);
  std::vector<std::vector<double>> grids;
  std::vector<double> g(1002);
  g[0] = 0.5;
  for (int k = 0; k < 1001; ++k) g[k + 1] = k / 1000.0;  // MultilabelMetrics' default
  grids.push_back(g);
  std::vector<double> uneven;
  for (int k = 0; k < 40; ++k) uneven.push_back(std::pow(k / 39.0, 3));
  grids.push_back(uneven);
  std::vector<double> clustered(30, 0.5);  // too many in one cell: binary search
  clustered.push_back(0.0), clustered.push_back(1.0);
  grids.push_back(clustered);
  std::vector<double> infinite = uneven;
  infinite.push_back(-INFINITY), infinite.push_back(INFINITY);
  grids.push_back(infinite);
  grids.push_back({0.3, 0.7, 0.1});
  for (size_t gi = 0; gi < grids.size(); ++gi) {
    for (ssrl_dtype dt : scores::kAllDtypes) {
      SCOPED_TRACE(testing::Message() << "grid " << gi << " dtype " << dt);
      const std::vector<double> &th = grids[gi];
      std::vector<double> rounded(th.size());  // the thresholds in the score dtype
      for (size_t k = 0; k < th.size(); ++k)
        rounded[k] = dt == SSRL_FLOAT32 ? static_cast<double>(static_cast<float>(th[k])) : th[k];
      const int64_t K = static_cast<int64_t>(th.size());
      std::vector<uint8_t> p = scores::encode(d.p, dt);
      std::vector<int64_t> got(C * K * 4);
      ASSERT_EQ(ssrl_confusion_counts_cpu(d.y.data(), p.data(), dt, N, C, th.data(), K,
                                          got.data()),
                SSRL_OK);
      // scores are multiples of 1/256, exact in every dtype; thresholds k/1000
      // round in the score dtype (float16/bfloat16: tested in test_confusion_counts)
      if (dt == SSRL_FLOAT64 || dt == SSRL_FLOAT32)
        EXPECT_EQ(got, naive::counts(d.y, d.p, N, C, rounded));
      // every dtype: counts are monotone in the threshold and sum to N
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < K; ++k) {
          const int64_t *q = &got[(c * K + k) * 4];
          EXPECT_EQ(q[0] + q[1] + q[2] + q[3], N);
        }
    }
  }
}

}  // namespace
