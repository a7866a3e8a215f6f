// test_cuda_block_mask.cu: ssrl_block_mask_cuda against the CPU mask, bit for bit:
// elem sizes 1/2/4/8, in and out of place, mask or not, aligned (16-byte path),
// element- and byte-misaligned buffers, awkward shapes, ratio <= 0, seeds > 2^32,
// large n_blocks (bucketed by tile through the workspace), B > 65535, long
// recordings up to T = 2^24 with small blocks, the seed read on the device; no
// byte outside the outputs written. Skips without a GPU.

#include "cuda_test_util.cuh"

namespace ssrl_test {
namespace {

const MaskCase kMaskCases[] = {
    {0, 3, 100, 0.5, 10},     // B = 0
    {2, 0, 50, 0.5, 10},      // C = 0: the mask is still defined
    {2, 3, 0, 0.5, 10},       // T = 0
    {2, 3, 1, 0.5, 5},        // T = 1
    {3, 2, 7, 0.5, 10},       // T < block_size
    {3, 2, 10, 0.5, 10},      // T == block_size
    {3, 12, 769, 0.3, 50},    // awkward T, ECG-like
    {2, 1, 5125, 0.5, 50},    // C = 1, three tiles
    {4, 12, 5125, 0.9, 13},
    {2, 3, 4096, 1.0, 1},     // n_blocks = 4096, 16-byte path for every es
    {2, 2, 6000, 0.5, 2048},  // block longer than a tile
    {2, 2, 2048, 0.5, 3000},  // T < block_size = one whole-sample block
    {1, 5, 8192, 0.02, 1},    // many one-step blocks
    {2, 3, 20011, 1.0, 2},    // n_blocks 10005 > a tile: the bucketed path
    {3, 2, 9000, 0.9, 3},     // bucketed, a start in most tiles' carry
    {5, 3, 2000, 0.0, 10},    // ratio 0: a copy
    {5, 3, 2000, -1.0, 10},   // ratio < 0: a copy
};
const uint64_t kMaskSeeds[] = {7ull, 0x123456789abcdef0ull};

class CudaMask : public Gpu {};

TEST_F(CudaMask, EveryElemSizeShapeAndMode) {
  for (size_t es : {1, 2, 4, 8})
    for (const MaskCase &m : kMaskCases)
      for (uint64_t seed : kMaskSeeds)
        for (int mode = 0; mode < 4; ++mode) {
          MaskRun r;
          r.in_place = mode & 1;
          r.with_mask = !(mode & 2);
          CheckMask(m, es, seed, r);
        }
}

TEST_F(CudaMask, MisalignedBuffers) {
  const MaskCase cases[] = {{3, 4, 4096, 0.5, 30}, {2, 3, 769, 0.5, 20}, {2, 2, 16, 0.5, 3}};
  struct Off {
    size_t x, out;
  };
  for (size_t es : {1, 2, 4, 8}) {
    const Off offs[] = {{es, es}, {es, 0}, {0, es}, {1, 1}, {1, 3}, {16, 48}};
    for (const MaskCase &m : cases)
      for (const Off &o : offs)
        for (int mode = 0; mode < 2; ++mode) {
          MaskRun r;
          r.in_place = mode == 1;
          r.x_off = o.x;
          r.out_off = o.out;
          CheckMask(m, es, 99, r);
        }
  }
}

TEST_F(CudaMask, BatchBeyondGridLimit) {
  MaskRun r;
  CheckMask({70000, 1, 8, 0.5, 2}, 4, 5, r);
  r.in_place = true;
  CheckMask({66000, 2, 3, 1.0, 1}, 1, 6, r);
}

// Holter-length samples: the bucketed path (work linear in T + n_blocks) and
// the direct one just below its threshold, against the CPU bit for bit.
TEST_F(CudaMask, LongRecordings) {
  const MaskCase cases[] = {
      {1, 1, int64_t{1} << 24, 0.15, 5},         // n_blocks 503316
      {2, 2, (int64_t{1} << 22) + 77, 0.5, 1},   // n_blocks ~2.1M, T not a tile multiple
      {1, 3, int64_t{1} << 24, 0.15, 50},        // 24 h at 250 Hz is 21.6M steps, n 50331
      {3, 1, 2048 * 50, 1.0, 50},                // n_blocks 2048: the last direct size
  };
  for (const MaskCase &m : cases) {
    MaskRun r;
    CheckMask(m, 4, 0x9E3779B97F4A7C15ull, r);
    r.in_place = true;
    r.with_mask = false;
    CheckMask(m, 2, 11, r);
  }
}

TEST_F(CudaMask, SeedIsReadOnTheDevice) {
  // Same seed pointer, new value: the next launch must use it.
  const MaskCase m{2, 3, 1000, 0.5, 20};
  std::vector<uint8_t> first(2 * 1000), second(2 * 1000);
  Dev x(2 * 3 * 1000 * 4), out(2 * 3 * 1000 * 4), mask(2 * 1000), seed(8);
  x.fill(1, 2 * 3 * 1000 * 4);
  const uint64_t seeds[2] = {1, 0x100000001ull};
  for (int i = 0; i < 2; ++i) {
    seed.put(&seeds[i], 8);
    ASSERT_EQ(ssrl_block_mask_cuda(x.p, out.p, reinterpret_cast<uint8_t *>(mask.p), m.B, m.C, m.T,
                                   4, m.ratio, m.bs, reinterpret_cast<uint64_t *>(seed.p), nullptr,
                                   0, nullptr),
              SSRL_OK);
    mask.get(i ? second.data() : first.data(), first.size());
    std::vector<uint8_t> x_host(2 * 3 * 1000 * 4, 1), out_cpu(x_host.size()), want(2 * 1000);
    ASSERT_EQ(ssrl_block_mask_cpu(x_host.data(), out_cpu.data(), want.data(), m.B, m.C, m.T, 4,
                                  m.ratio, m.bs, seeds[i]),
              SSRL_OK);
    EXPECT_EQ(FirstDiff(i ? second : first, want), -1) << "seed " << seeds[i];
  }
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace ssrl_test
