// test_cuda_metrics.cu: ssrl_confusion_counts_cuda and ssrl_auroc_cuda against the
// CPU ops, bit for bit: all four dtypes, ties, rounding-edge and duplicate
// thresholds, K = 1 .. 5000 (shared and global histograms), one-label classes,
// N = 0, C = 1 .. 71, *invalid flags and SSRL_ERR_WORKSPACE. The host copy of
// the kernels' threshold rounding runs without a GPU; the rest skips.

#include "cuda_test_util.cuh"

namespace ssrl_test {
namespace {

// ---- the rounding twin, on the host (no GPU) ------------------------------------

double Decode(const uint8_t *b, ssrl_dtype d) {
  if (d == SSRL_FLOAT64) { double v; std::memcpy(&v, b, 8); return v; }
  if (d == SSRL_FLOAT32) { float v; std::memcpy(&v, b, 4); return v; }
  uint16_t h;
  std::memcpy(&h, b, 2);
  return d == SSRL_FLOAT16 ? ssrl_half_to_float(h) : ssrl_bf16_to_float(h);
}

// The CPU rounds with ops/check.c; the kernels with cuda_common.cuh's copy. The
// CPU's TP at each threshold must equal the count the copy predicts.
TEST(CudaRoundingTwin, AgreesWithTheCpuOnEdges) {
  std::vector<double> scores;
  for (int k = -40; k <= 40; ++k) scores.push_back(0.5 + k / 4096.0);
  for (double s : {0.0, -0.0, 1e-8, 6e-8, 1e-40, 65504.0, 65520.0, 3.3e38, 3.4e38, 1e30})
    scores.push_back(s);
  std::vector<double> th = MakeThresholds(22, 1);
  for (double s : scores)
    for (double f : {0.5, 1.0, 1.5}) {  // midpoints of neighbouring narrow values and around
      const double up = std::nextafter(s, 2.0 * std::fabs(s) + 1.0);
      th.push_back(s + (up - s) * f);
      th.push_back(s + std::ldexp(std::fabs(s) + 1e-45, -11) * f);
      th.push_back(s + std::ldexp(std::fabs(s) + 1e-45, -8) * f);
      th.push_back(s + std::ldexp(std::fabs(s) + 1e-45, -24) * f);
    }
  for (ssrl_dtype d : kDtypes) {
    const std::vector<uint8_t> enc = Encode(scores, d);
    const int64_t N = static_cast<int64_t>(scores.size()), K = static_cast<int64_t>(th.size());
    std::vector<uint8_t> y(static_cast<size_t>(N), 1);
    std::vector<int64_t> counts(static_cast<size_t>(K * 4));
    ASSERT_EQ(ssrl_confusion_counts_cpu(y.data(), enc.data(), d, N, 1, th.data(), K, counts.data()),
              SSRL_OK);
    for (int64_t k = 0; k < K; ++k) {
      const double r = ssrl_cuda::round_to_dtype_hd(th[static_cast<size_t>(k)], d);
      int64_t tp = 0;
      for (int64_t n = 0; n < N; ++n) tp += Decode(enc.data() + n * SizeOf(d), d) >= r;
      ASSERT_EQ(counts[static_cast<size_t>(k * 4)], tp)
          << Name(d) << " threshold " << th[static_cast<size_t>(k)];
    }
  }
}

void CheckCounts(const Data &data, ssrl_dtype d, const std::vector<double> &th) {
  const int64_t K = static_cast<int64_t>(th.size());
  SCOPED_TRACE(std::string(Name(d)) + " N " + std::to_string(data.N) + " C " +
               std::to_string(data.C) + " K " + std::to_string(K));
  const std::vector<uint8_t> p = Encode(data.p, d);
  std::vector<int64_t> want(static_cast<size_t>(data.C * K * 4), -7);
  ASSERT_EQ(ssrl_confusion_counts_cpu(data.y.data(), p.data(), d, data.N, data.C, th.data(), K,
                                      want.data()),
            SSRL_OK);
  const CountsResult got = CountsOnGpu(data.y, p, d, data.N, data.C, th);
  ASSERT_EQ(got.status, SSRL_OK);
  EXPECT_EQ(got.invalid, 0);
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(got.counts[i], want[i]) << "class " << i / 4 / K << " threshold " << i / 4 % K
                                      << " slot " << i % 4;
}

class CudaCounts : public Gpu {};

TEST_F(CudaCounts, MatchesCpu) {
  struct Shape {
    int64_t N, C, K;
    int pool;
  };
  const Shape shapes[] = {{0, 3, 100, 0},    {1, 1, 1, 0},      {777, 12, 100, 0},
                          {5125, 71, 7, 0},  {3000, 3, 100, 3}, {2000, 1, 5000, 0},
                          {300, 71, 5000, 7}, {40000, 5, 100, 0}, {1000, 4, 1, 2},
                          {513, 2, 2047, 0}, {513, 3, 4095, 5}, {200, 1, 4096, 0}};
  uint32_t seed = 1;
  for (ssrl_dtype d : kDtypes)
    for (const Shape &s : shapes) {
      ++seed;
      CheckCounts(MakeData(s.N, s.C, s.pool, seed), d, MakeThresholds(s.K, seed));
    }
}

TEST_F(CudaCounts, FlagsBadValues) {
  Data data = MakeData(100, 3, 0, 5);
  const std::vector<double> th = MakeThresholds(10, 5);
  for (ssrl_dtype d : kDtypes) {
    Data bad = data;
    bad.y[17] = 2;
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, th).invalid, 1) << Name(d);
    bad = data;
    bad.p[42] = std::nan("");
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, th).invalid, 2) << Name(d);
    std::vector<double> bad_th = th;
    bad_th[3] = std::nan("");
    EXPECT_EQ(CountsOnGpu(data.y, Encode(data.p, d), d, 100, 3, bad_th).invalid, 4) << Name(d);
    bad.y[0] = 7;
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, bad_th).invalid, 7) << Name(d);
    // C == 0: the CPU still refuses a NaN threshold, so the GPU still flags it
    EXPECT_EQ(CountsOnGpu({}, {}, d, 100, 0, bad_th).invalid, 4) << Name(d);
    // K == 0: nothing to count, but the data are still inspected
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, {}).invalid, 3) << Name(d);
  }
}

TEST_F(CudaCounts, WorkspaceErrorsAndUnalignedWorkspace) {
  const Data data = MakeData(300, 5, 0, 9);
  const std::vector<double> th = MakeThresholds(20, 9);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT32);
  size_t ws = 0;
  ASSERT_EQ(ssrl_confusion_counts_cuda_workspace_size(300, 5, 20, &ws), SSRL_OK);
  Dev yd = ToDevice(data.y), pd = ToDevice(p), td = ToDevice(th), wd(ws + 256), cd(5 * 20 * 32);
  auto call = [&](void *w, size_t bytes) {
    return ssrl_confusion_counts_cuda(
        reinterpret_cast<uint8_t *>(yd.p), pd.p, SSRL_FLOAT32, 300, 5,
        reinterpret_cast<double *>(td.p), 20, reinterpret_cast<int64_t *>(cd.p), nullptr, w,
        bytes, nullptr);
  };
  EXPECT_EQ(call(wd.p, ws - 1), SSRL_ERR_WORKSPACE);
  EXPECT_EQ(call(nullptr, ws), SSRL_ERR_NULL_POINTER);
  // Not 256-aligned: tolerated (the layout keeps 255 bytes of slack).
  ASSERT_EQ(call(wd.p + 8, ws), SSRL_OK);
  std::vector<int64_t> got(5 * 20 * 4), want(5 * 20 * 4);
  cd.get(got.data(), got.size() * 8);
  ASSERT_EQ(ssrl_confusion_counts_cpu(data.y.data(), p.data(), SSRL_FLOAT32, 300, 5, th.data(), 20,
                                      want.data()),
            SSRL_OK);
  EXPECT_EQ(got, want);
}

void CheckAuroc(const Data &data, ssrl_dtype d) {
  SCOPED_TRACE(std::string(Name(d)) + " N " + std::to_string(data.N) + " C " +
               std::to_string(data.C));
  const std::vector<uint8_t> p = Encode(data.p, d);
  std::vector<double> want(static_cast<size_t>(data.C), -7.0);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), d, data.N, data.C, want.data()), SSRL_OK);
  const AurocResult got = AurocOnGpu(data.y, p, d, data.N, data.C);
  ASSERT_EQ(got.status, SSRL_OK);
  EXPECT_EQ(got.invalid, 0);
  for (size_t c = 0; c < want.size(); ++c)
    ASSERT_TRUE(SameBits(got.auroc[c], want[c]))
        << "class " << c << ": gpu " << got.auroc[c] << " cpu " << want[c];
}

class CudaAuroc : public Gpu {};

TEST_F(CudaAuroc, MatchesCpu) {
  struct Shape {
    int64_t N, C;
    int pool;
  };
  const Shape shapes[] = {{0, 3, 0},    {1, 1, 0},     {2, 2, 0},      {777, 12, 0},
                          {5125, 1, 0}, {3000, 71, 0}, {20000, 5, 3},  {4096, 2, 2},
                          {2049, 4, 7}, {100, 71, 1},  {70000, 1, 5},  {30000, 3, 0}};
  uint32_t seed = 100;
  for (ssrl_dtype d : kDtypes)
    for (const Shape &s : shapes) CheckAuroc(MakeData(s.N, s.C, s.pool, ++seed), d);
}

TEST_F(CudaAuroc, OneLabelClassesAreNan) {
  Data data = MakeData(50, 3, 0, 7);
  for (int64_t n = 0; n < 50; ++n) data.y[n * 3 + 0] = 0, data.y[n * 3 + 2] = 1;
  for (ssrl_dtype d : kDtypes) {
    const AurocResult r = AurocOnGpu(data.y, Encode(data.p, d), d, 50, 3);
    EXPECT_TRUE(std::isnan(r.auroc[0]) && std::isnan(r.auroc[2]) && !std::isnan(r.auroc[1]));
    CheckAuroc(data, d);
  }
}

TEST_F(CudaAuroc, FlagsBadValues) {
  const Data data = MakeData(200, 4, 0, 11);
  for (ssrl_dtype d : kDtypes) {
    Data bad = data;
    bad.y[5] = 3;
    EXPECT_EQ(AurocOnGpu(bad.y, Encode(bad.p, d), d, 200, 4).invalid, 1) << Name(d);
    bad = data;
    bad.p[77] = std::nan("");
    EXPECT_EQ(AurocOnGpu(bad.y, Encode(bad.p, d), d, 200, 4).invalid, 2) << Name(d);
  }
}

TEST_F(CudaAuroc, WorkspaceErrors) {
  const Data data = MakeData(500, 3, 0, 13);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT64);
  size_t ws = 0;
  ASSERT_EQ(ssrl_auroc_cuda_workspace_size(500, 3, SSRL_FLOAT64, &ws), SSRL_OK);
  ASSERT_GT(ws, 0u);
  Dev yd = ToDevice(data.y), pd = ToDevice(p), wd(ws + 256), ad(3 * 8);
  auto call = [&](void *w, size_t bytes) {
    return ssrl_auroc_cuda(reinterpret_cast<uint8_t *>(yd.p), pd.p, SSRL_FLOAT64, 500, 3,
                           reinterpret_cast<double *>(ad.p), nullptr, w, bytes, nullptr);
  };
  EXPECT_EQ(call(wd.p, ws - 1), SSRL_ERR_WORKSPACE);
  EXPECT_EQ(call(nullptr, ws), SSRL_ERR_NULL_POINTER);
  ASSERT_EQ(call(wd.p + 8, ws), SSRL_OK);
  std::vector<double> got(3), want(3);
  ad.get(got.data(), 24);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), SSRL_FLOAT64, 500, 3, want.data()), SSRL_OK);
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(SameBits(got[c], want[c])) << c;
  size_t none = 1;
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(0, 3, SSRL_FLOAT32, &none), SSRL_OK);
  EXPECT_EQ(none, 0u);
}

}  // namespace
}  // namespace ssrl_test
