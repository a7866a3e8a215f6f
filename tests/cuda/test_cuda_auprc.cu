// test_cuda_auprc.cu: ssrl_auroc_auprc_cuda and ssrl_confusion_counts2_cuda
// (issue 11) against the CPU ops, bit for bit: AUROC and AUPRC in every score
// dtype, labels of every dtype read in place, classes with no positive or no
// negative, N = 0, bad label values of a wide dtype flagged in *invalid, and the
// argument checks (which run without a GPU: the same status as the CPU).

#include "cuda_test_util.cuh"

namespace ssrl_test {
namespace {

const ssrl_dtype kLabelDtypes[] = {SSRL_UINT8,  SSRL_INT8,   SSRL_INT16,   SSRL_INT32,
                                   SSRL_INT64,  SSRL_UINT16, SSRL_UINT32,  SSRL_UINT64,
                                   SSRL_FLOAT32, SSRL_FLOAT64, SSRL_FLOAT16, SSRL_BFLOAT16};

// The 0/1 labels as bytes of dtype lt (a floating dtype: the score encoder).
std::vector<uint8_t> EncodeLabels(const std::vector<uint8_t> &y, ssrl_dtype lt) {
  if (lt <= SSRL_BFLOAT16) return Encode(std::vector<double>(y.begin(), y.end()), lt);
  size_t size = 1;
  switch (lt) {
    case SSRL_INT16: case SSRL_UINT16: size = 2; break;
    case SSRL_INT32: case SSRL_UINT32: size = 4; break;
    case SSRL_INT64: case SSRL_UINT64: size = 8; break;
    default: break;
  }
  std::vector<uint8_t> out(y.size() * size, 0);
  for (size_t i = 0; i < y.size(); ++i) out[i * size] = y[i];  // little endian
  return out;
}

struct Both {
  std::vector<double> auroc, auprc;
  int32_t invalid = 0;
  ssrl_status status = SSRL_OK;
};

Both BothOnGpu(const std::vector<uint8_t> &y, ssrl_dtype lt, const std::vector<uint8_t> &p,
               ssrl_dtype d, int64_t N, int64_t C) {
  Both r;
  size_t ws = 0;
  EXPECT_EQ(ssrl_auroc_auprc_cuda_workspace_size(N, C, d, &ws), SSRL_OK);
  Dev yd = ToDevice(y), pd = ToDevice(p), wd(ws), inv(4), ad(static_cast<size_t>(C) * 8),
      bd(static_cast<size_t>(C) * 8);
  ad.fill(0x5A, static_cast<size_t>(C) * 8);
  bd.fill(0x5A, static_cast<size_t>(C) * 8);
  inv.fill(0, 4);
  r.status = ssrl_auroc_auprc_cuda(yd.p, lt, pd.p, d, N, C, reinterpret_cast<double *>(ad.p),
                                   reinterpret_cast<double *>(bd.p),
                                   reinterpret_cast<int32_t *>(inv.p), wd.p, ws, nullptr);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  r.auroc.resize(static_cast<size_t>(C));
  r.auprc.resize(static_cast<size_t>(C));
  ad.get(r.auroc.data(), r.auroc.size() * 8);
  bd.get(r.auprc.data(), r.auprc.size() * 8);
  inv.get(&r.invalid, 4);
  return r;
}

void CheckBoth(const Data &data, ssrl_dtype d, ssrl_dtype lt) {
  SCOPED_TRACE(std::string(Name(d)) + " labels " + std::to_string(lt) + " N " +
               std::to_string(data.N) + " C " + std::to_string(data.C));
  const std::vector<uint8_t> p = Encode(data.p, d), y = EncodeLabels(data.y, lt);
  std::vector<double> auroc(static_cast<size_t>(data.C)), auprc(auroc.size());
  ASSERT_EQ(ssrl_auroc_auprc_cpu(y.data(), lt, p.data(), d, data.N, data.C, auroc.data(),
                                 auprc.data()),
            SSRL_OK);
  const Both got = BothOnGpu(y, lt, p, d, data.N, data.C);
  ASSERT_EQ(got.status, SSRL_OK);
  EXPECT_EQ(got.invalid, 0);
  for (size_t c = 0; c < auroc.size(); ++c) {
    ASSERT_TRUE(SameBits(got.auroc[c], auroc[c])) << "auroc class " << c;
    ASSERT_TRUE(SameBits(got.auprc[c], auprc[c])) << "auprc class " << c;
  }
}

class CudaAuprc : public Gpu {};

TEST_F(CudaAuprc, MatchesCpuBitForBit) {
  struct Shape {
    int64_t N, C;
    int pool;
  };
  const Shape shapes[] = {{0, 3, 0},   {1, 1, 0},    {777, 12, 0}, {5125, 1, 3},
                          {3000, 71, 0}, {20000, 5, 3}, {2049, 4, 7}, {70000, 1, 5}};
  uint32_t seed = 500;
  for (ssrl_dtype d : kDtypes)
    for (const Shape &s : shapes) CheckBoth(MakeData(s.N, s.C, s.pool, ++seed), d, SSRL_UINT8);
}

TEST_F(CudaAuprc, EveryLabelDtype) {
  const Data data = MakeData(3001, 6, 5, 77);  // classes 0 and 1: no positive, no negative
  for (ssrl_dtype lt : kLabelDtypes) CheckBoth(data, SSRL_FLOAT32, lt);
}

TEST_F(CudaAuprc, CountsEveryLabelDtype) {
  const Data data = MakeData(1234, 5, 0, 78);
  const std::vector<double> th = MakeThresholds(40, 3);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT32);
  const CountsResult want = CountsOnGpu(data.y, p, SSRL_FLOAT32, 1234, 5, th);
  for (ssrl_dtype lt : kLabelDtypes) {
    const std::vector<uint8_t> y = EncodeLabels(data.y, lt);
    size_t ws = 0;
    ASSERT_EQ(ssrl_confusion_counts_cuda_workspace_size(1234, 5, 40, &ws), SSRL_OK);
    Dev yd = ToDevice(y), pd = ToDevice(p), td = ToDevice(th), wd(ws), cd(5 * 40 * 4 * 8);
    ASSERT_EQ(ssrl_confusion_counts2_cuda(yd.p, lt, pd.p, SSRL_FLOAT32, 1234, 5,
                                          reinterpret_cast<double *>(td.p), 40,
                                          reinterpret_cast<int64_t *>(cd.p), nullptr, wd.p, ws,
                                          nullptr),
              SSRL_OK);
    std::vector<int64_t> got(5 * 40 * 4);
    cd.get(got.data(), got.size() * 8);
    EXPECT_EQ(got, want.counts) << "labels dtype " << lt;
  }
}

TEST_F(CudaAuprc, FlagsBadLabelsOfWideDtypes) {
  const Data data = MakeData(300, 4, 0, 79);
  for (ssrl_dtype lt : {SSRL_INT64, SSRL_FLOAT32}) {
    std::vector<uint8_t> y = EncodeLabels(data.y, lt);
    y[5 * (lt == SSRL_INT64 ? 8 : 4) + (lt == SSRL_INT64 ? 7 : 3)] = 0x40;  // 2^62 / 2.0
    EXPECT_EQ(BothOnGpu(y, lt, Encode(data.p, SSRL_FLOAT32), SSRL_FLOAT32, 300, 4).invalid, 1);
  }
}

// auprc NULL: the AUROC alone, in ssrl_auroc_cuda's workspace (the torch op
// auroc calls it so), bit for bit ssrl_auroc_cpu's.
TEST_F(CudaAuprc, AurocAloneFitsTheAurocWorkspace) {
  const Data data = MakeData(4000, 9, 0, 80);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT32);
  const std::vector<uint8_t> y = EncodeLabels(data.y, SSRL_INT64);
  size_t ws = 0, ws_ap = 0;
  ASSERT_EQ(ssrl_auroc_cuda_workspace_size(4000, 9, SSRL_FLOAT32, &ws), SSRL_OK);
  ASSERT_EQ(ssrl_auroc_auprc_cuda_workspace_size(4000, 9, SSRL_FLOAT32, &ws_ap), SSRL_OK);
  EXPECT_GT(ws_ap, ws);
  Dev yd = ToDevice(y), pd = ToDevice(p), wd(ws), ad(9 * 8);
  ASSERT_EQ(ssrl_auroc_auprc_cuda(yd.p, SSRL_INT64, pd.p, SSRL_FLOAT32, 4000, 9,
                                  reinterpret_cast<double *>(ad.p), nullptr, nullptr, wd.p, ws,
                                  nullptr),
            SSRL_OK);
  EXPECT_EQ(ssrl_auroc_auprc_cuda(yd.p, SSRL_INT64, pd.p, SSRL_FLOAT32, 4000, 9,
                                  reinterpret_cast<double *>(ad.p),
                                  reinterpret_cast<double *>(ad.p), nullptr, wd.p, ws, nullptr),
            SSRL_ERR_WORKSPACE);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<double> got(9), want(9);
  ad.get(got.data(), 9 * 8);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), SSRL_FLOAT32, 4000, 9, want.data()), SSRL_OK);
  for (int c = 0; c < 9; ++c) EXPECT_TRUE(SameBits(got[c], want[c])) << c;
}

// No GPU needed: the argument checks run on the host before any launch.
TEST(CudaAuprcArgs, RefusesWhatTheCpuRefuses) {
  const uint8_t y = 0;
  const float p = 0;
  double a[3], b[3];
  size_t ws = 0;
  auto gpu = [&](int lt, int d, int64_t N, int64_t C) {
    return ssrl_auroc_auprc_cuda(&y, static_cast<ssrl_dtype>(lt), &p, static_cast<ssrl_dtype>(d),
                                 N, C, a, b, nullptr, nullptr, 0, nullptr);
  };
  auto cpu = [&](int lt, int d, int64_t N, int64_t C) {
    return ssrl_auroc_auprc_cpu(&y, static_cast<ssrl_dtype>(lt), &p, static_cast<ssrl_dtype>(d),
                                N, C, a, b);
  };
  for (int lt : {-1, 12, 40}) {
    EXPECT_EQ(gpu(lt, 0, 1, 1), SSRL_ERR_DTYPE);
    EXPECT_EQ(cpu(lt, 0, 1, 1), SSRL_ERR_DTYPE);
  }
  EXPECT_EQ(gpu(0, SSRL_INT64, 1, 1), SSRL_ERR_DTYPE);
  EXPECT_EQ(cpu(0, SSRL_INT64, 1, 1), SSRL_ERR_DTYPE);
  EXPECT_EQ(gpu(0, 0, -1, 1), SSRL_ERR_SHAPE);
  EXPECT_EQ(cpu(0, 0, -1, 1), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_auroc_auprc_cuda(nullptr, SSRL_UINT8, &p, SSRL_FLOAT32, 1, 1, a, b, nullptr,
                                  nullptr, 0, nullptr),
            SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_auprc_cuda(&y, SSRL_UINT8, &p, SSRL_FLOAT32, 1, 1, nullptr, b, nullptr,
                                  nullptr, 0, nullptr),
            SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_auprc_cuda_workspace_size(10, 3, SSRL_FLOAT32, nullptr),
            SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_auprc_cuda_workspace_size(10, 3, SSRL_UINT8, &ws), SSRL_ERR_DTYPE);
  EXPECT_EQ(ssrl_auroc_auprc_cuda_workspace_size(int64_t(1) << 31, 1, SSRL_FLOAT32, &ws),
            SSRL_ERR_SHAPE);
  const double th = 0.5;
  int64_t counts[4];
  EXPECT_EQ(ssrl_confusion_counts2_cuda(&y, static_cast<ssrl_dtype>(12), &p, SSRL_FLOAT32, 1, 1,
                                        &th, 1, counts, nullptr, nullptr, 0, nullptr),
            SSRL_ERR_DTYPE);
  EXPECT_EQ(ssrl_confusion_counts2_cpu(&y, static_cast<ssrl_dtype>(12), &p, SSRL_FLOAT32, 1, 1,
                                       &th, 1, counts),
            SSRL_ERR_DTYPE);
}

}  // namespace
}  // namespace ssrl_test
