// test_cuda_args.cu: every CUDA entry point refuses, on the host and with the
// CPU's status, what the CPU refuses; no GPU needed.

#include "cuda_test_util.cuh"

namespace ssrl_test {
namespace {

// ---- argument errors: refused on the host, no GPU needed ---------------------------

// Never dereferenced: every call below is refused before any launch.
void *const kFake = reinterpret_cast<void *>(0x1000);
uint8_t *const kFakeU8 = reinterpret_cast<uint8_t *>(0x1000);
const uint64_t *const kFakeSeed = reinterpret_cast<const uint64_t *>(0x1000);

TEST(CudaArgs, MaskRefusesWhatTheCpuRefuses) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  struct Bad {
    const void *x;
    void *out;
    int64_t B, C, T;
    size_t es;
    double ratio;
    int64_t bs;
    ssrl_status want;
  };
  const Bad cases[] = {
      {kFake, kFake, 2, 3, 10, 4, nan, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 4, inf, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 4, 1.5, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 4, 0.5, 0, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 1, 1, int64_t(1) << 32, 1, 0.5, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 3, 0.5, 5, SSRL_ERR_DTYPE},
      {kFake, kFake, -1, 3, 10, 4, 0.5, 5, SSRL_ERR_SHAPE},
      {kFake, kFake, 2, -3, 10, 4, 0.5, 5, SSRL_ERR_SHAPE},
      {kFake, kFake, int64_t(1) << 40, int64_t(1) << 20, 10, 4, 0.5, 5, SSRL_ERR_SHAPE},
      {nullptr, kFake, 2, 3, 10, 4, 0.5, 5, SSRL_ERR_NULL_POINTER},
      {kFake, nullptr, 2, 3, 10, 4, 0.5, 5, SSRL_ERR_NULL_POINTER},
  };
  for (const Bad &c : cases) {
    EXPECT_EQ(ssrl_block_mask_cuda(c.x, c.out, kFakeU8, c.B, c.C, c.T, c.es, c.ratio, c.bs,
                                   kFakeSeed, kFake, SIZE_MAX, nullptr),
              c.want)
        << "B " << c.B << " T " << c.T << " es " << c.es << " ratio " << c.ratio;
    EXPECT_EQ(ssrl_block_mask_cpu(c.x, c.out, kFakeU8, c.B, c.C, c.T, c.es, c.ratio, c.bs, 1),
              c.want);
  }
  // CUDA only: the seed pointer, needed whenever something is masked.
  EXPECT_EQ(ssrl_block_mask_cuda(kFake, kFake, nullptr, 2, 3, 10, 4, 0.5, 5, nullptr, nullptr, 0, nullptr),
            SSRL_ERR_NULL_POINTER);
  // Empty tensors: fine, nothing launched.
  EXPECT_EQ(ssrl_block_mask_cuda(nullptr, nullptr, nullptr, 0, 3, 10, 4, 0.5, 5, nullptr, nullptr, 0, nullptr),
            SSRL_OK);
  EXPECT_EQ(ssrl_block_mask_cuda(nullptr, nullptr, nullptr, 2, 3, 0, 4, 0.5, 5, nullptr, nullptr, 0, nullptr),
            SSRL_OK);
}

// The mask's workspace: its query refuses what ssrl_block_starts refuses, says
// 0 for short samples, and a launch with less than it asks is refused.
TEST(CudaArgs, MaskWorkspace) {
  size_t ws = 7;
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(2, 10, 0.5, 5, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(-1, 10, 0.5, 5, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(2, -1, 0.5, 5, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(2, 10, std::nan(""), 5, &ws),
            SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(2, 10, 0.5, 0, &ws), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(2, int64_t(1) << 32, 0.5, 5, &ws),
            SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_mask_cuda_workspace_size(INT64_MAX / 4, int64_t(1) << 30, 1.0, 1, &ws),
            SSRL_ERR_SHAPE);
  ASSERT_EQ(ssrl_block_mask_cuda_workspace_size(256, 5000, 0.15, 50, &ws), SSRL_OK);
  EXPECT_EQ(ws, 0u);  // ECG clips: no workspace
  ASSERT_EQ(ssrl_block_mask_cuda_workspace_size(3, 2048 * 50, 1.0, 50, &ws), SSRL_OK);
  EXPECT_EQ(ws, 0u);  // n_blocks 2048: still direct
  ASSERT_EQ(ssrl_block_mask_cuda_workspace_size(0, 1 << 20, 1.0, 1, &ws), SSRL_OK);
  EXPECT_EQ(ws, 0u);  // no samples
  // T = 2^20, n = 2^20: starts and sorted 4 MiB each, 512 tiles x 8 bytes
  ASSERT_EQ(ssrl_block_mask_cuda_workspace_size(1, 1 << 20, 1.0, 1, &ws), SSRL_OK);
  EXPECT_GE(ws, (size_t{8} << 20) + 512 * 8);
  EXPECT_LT(ws, (size_t{8} << 20) + 512 * 8 + 4 * 256);
  EXPECT_EQ(ssrl_block_mask_cuda(kFake, kFake, nullptr, 1, 1, 1 << 20, 4, 1.0, 1, kFakeSeed,
                                 kFake, ws - 1, nullptr),
            SSRL_ERR_WORKSPACE);
  EXPECT_EQ(ssrl_block_mask_cuda(kFake, kFake, nullptr, 1, 1, 1 << 20, 4, 1.0, 1, kFakeSeed,
                                 nullptr, ws, nullptr),
            SSRL_ERR_NULL_POINTER);
}

TEST(CudaArgs, CountsRefusesWhatTheCpuRefuses) {
  const double *th = reinterpret_cast<const double *>(0x1000);
  int64_t *counts = reinterpret_cast<int64_t *>(0x1000);
  struct Bad {
    const uint8_t *y;
    const void *p;
    int d;
    int64_t N, C;
    const double *th;
    int64_t K;
    int64_t *counts;
    ssrl_status want;
  };
  const Bad cases[] = {
      {kFakeU8, kFake, 0, -1, 3, th, 4, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, -3, th, 4, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 9, 5, 3, th, 4, counts, SSRL_ERR_DTYPE},
      {nullptr, kFake, 0, 5, 3, th, 4, counts, SSRL_ERR_NULL_POINTER},
      {kFakeU8, nullptr, 0, 5, 3, th, 4, counts, SSRL_ERR_NULL_POINTER},
      {kFakeU8, kFake, 0, 5, 3, th, -1, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, 3, th, INT64_MAX, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, int64_t(1) << 40, th, int64_t(1) << 30, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, 3, nullptr, 4, counts, SSRL_ERR_NULL_POINTER},
      {kFakeU8, kFake, 0, 5, 3, th, 4, nullptr, SSRL_ERR_NULL_POINTER},
  };
  char ws_fake[1];
  for (const Bad &c : cases) {
    EXPECT_EQ(ssrl_confusion_counts_cuda(c.y, c.p, static_cast<ssrl_dtype>(c.d), c.N, c.C, c.th,
                                         c.K, c.counts, nullptr, ws_fake, 0, nullptr),
              c.want)
        << "N " << c.N << " C " << c.C << " K " << c.K << " dtype " << c.d;
    EXPECT_EQ(ssrl_confusion_counts_cpu(c.y, c.p, static_cast<ssrl_dtype>(c.d), c.N, c.C, c.th,
                                        c.K, c.counts),
              c.want);
  }
  size_t ws = 0;
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, 3, 4, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(-1, 3, 4, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, 3, INT64_MAX, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, int64_t(1) << 40, int64_t(1) << 30, &ws),
            SSRL_ERR_SHAPE);
  ASSERT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, 3, 4, &ws), SSRL_OK);
  EXPECT_GT(ws, 0u);
  // Too small a workspace is refused before anything touches the device.
  EXPECT_EQ(ssrl_confusion_counts_cuda(kFakeU8, kFake, SSRL_FLOAT32, 5, 3, th, 4, counts, nullptr,
                                       ws_fake, ws - 1, nullptr),
            SSRL_ERR_WORKSPACE);
  EXPECT_EQ(ssrl_confusion_counts_cuda(kFakeU8, kFake, SSRL_FLOAT32, 5, 3, th, 4, counts, nullptr,
                                       nullptr, ws, nullptr),
            SSRL_ERR_NULL_POINTER);
}

TEST(CudaArgs, AurocRefusesWhatTheCpuRefuses) {
  double *auroc = reinterpret_cast<double *>(0x1000);
  char ws_fake[1];
  auto gpu = [&](const uint8_t *y, const void *p, int d, int64_t N, int64_t C, double *a) {
    return ssrl_auroc_cuda(y, p, static_cast<ssrl_dtype>(d), N, C, a, nullptr, ws_fake, 0, nullptr);
  };
  auto cpu = [&](const uint8_t *y, const void *p, int d, int64_t N, int64_t C, double *a) {
    return ssrl_auroc_cpu(y, p, static_cast<ssrl_dtype>(d), N, C, a);
  };
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, -1, 3, auroc), SSRL_ERR_SHAPE);
  EXPECT_EQ(cpu(kFakeU8, kFake, 0, -1, 3, auroc), SSRL_ERR_SHAPE);
  EXPECT_EQ(gpu(kFakeU8, kFake, 5, 10, 3, auroc), SSRL_ERR_DTYPE);
  EXPECT_EQ(cpu(kFakeU8, kFake, 5, 10, 3, auroc), SSRL_ERR_DTYPE);
  EXPECT_EQ(gpu(nullptr, kFake, 0, 10, 3, auroc), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(cpu(nullptr, kFake, 0, 10, 3, auroc), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, 10, 3, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(cpu(kFakeU8, kFake, 0, 10, 3, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, int64_t(1) << 61, 8, auroc), SSRL_ERR_SHAPE);
  EXPECT_EQ(cpu(kFakeU8, kFake, 0, int64_t(1) << 61, 8, auroc), SSRL_ERR_SHAPE);
  // CUDA only: N * C >= 2^31 (CUB's item count)
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, int64_t(1) << 16, int64_t(1) << 15, auroc), SSRL_ERR_SHAPE);
  size_t ws = 0;
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(10, 3, SSRL_FLOAT32, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(-1, 3, SSRL_FLOAT32, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(10, 3, static_cast<ssrl_dtype>(9), &ws), SSRL_ERR_DTYPE);
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(int64_t(1) << 31, 1, SSRL_FLOAT32, &ws), SSRL_ERR_SHAPE);
  // Empty: no workspace, nothing to do.
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(10, 0, SSRL_FLOAT32, &ws), SSRL_OK);
  EXPECT_EQ(ws, 0u);
  EXPECT_EQ(gpu(nullptr, nullptr, 0, 10, 0, nullptr), SSRL_OK);
}

}  // namespace
}  // namespace ssrl_test
