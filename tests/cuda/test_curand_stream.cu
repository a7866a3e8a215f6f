// test_curand_stream.cu: the C Philox stream of ops/philox.h (what the CPU mask
// draws) equals cuRAND's Philox4_32_10 word for word (what the CUDA kernel
// draws), with cuRAND's own header code run on the host: no GPU needed.
//
// Covers curand_Philox4x32_10 vs ssrl_philox4x32_10 on random counters and
// keys, curand_init(seed, b, 0) + curand() vs ssrl_mask_stream_group for seeds
// and subsequences past 2^32, skipahead (how the kernel splits the draws), and
// the public ssrl_block_starts against starts computed from cuRAND's stream.
//
// Build/run: ctest --test-dir build -R Curand (built wherever nvcc is found).

// cuRAND's device functions become host functions too: must precede the include.
#define QUALIFIERS static __forceinline__ __host__ __device__
#include <curand_kernel.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "philox.h"
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

const uint64_t kSeeds[] = {0ull,
                           1ull,
                           42ull,
                           0xffffffffull,
                           0x100000000ull,
                           0x123456789abcdef0ull,
                           0xfedcba9876543210ull,
                           0xffffffffffffffffull};
const uint64_t kSubsequences[] = {0ull, 1ull, 2ull, 7ull, 1000ull, 0xffffffffull,
                                  0x100000000ull, 0x1234567890ull, 0xffffffffffffffffull};

TEST(CurandStream, KnownAnswer) {
  curandStatePhilox4_32_10_t s;
  curand_init(0ull, 0ull, 0ull, &s);
  const uint32_t expect[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  for (uint32_t e : expect) EXPECT_EQ(curand(&s), e);
}

TEST(CurandStream, PhiloxBlockMatchesOnRandomInputs) {
  std::mt19937_64 rng(20240611);
  for (int trial = 0; trial < 10000; ++trial) {
    const uint64_t a = rng(), b = rng(), k = rng();
    const uint4 ctr = make_uint4(uint32_t(a), uint32_t(a >> 32), uint32_t(b), uint32_t(b >> 32));
    const uint2 key = make_uint2(uint32_t(k), uint32_t(k >> 32));
    const uint4 want = curand_Philox4x32_10(ctr, key);
    const ssrl_u32x4 got = ssrl_philox4x32_10({{ctr.x, ctr.y, ctr.z, ctr.w}}, key.x, key.y);
    ASSERT_EQ(got.v[0], want.x) << "trial " << trial;
    ASSERT_EQ(got.v[1], want.y) << "trial " << trial;
    ASSERT_EQ(got.v[2], want.z) << "trial " << trial;
    ASSERT_EQ(got.v[3], want.w) << "trial " << trial;
  }
}

// curand() after curand_init(seed, b, 0) is group i = j / 4, word j % 4.
TEST(CurandStream, StreamMatchesMaskStreamGroups) {
  for (uint64_t seed : kSeeds) {
    for (uint64_t b : kSubsequences) {
      curandStatePhilox4_32_10_t s;
      curand_init(seed, b, 0ull, &s);
      for (uint64_t j = 0; j < 260; ++j) {
        const uint32_t want = curand(&s);
        const ssrl_u32x4 g = ssrl_mask_stream_group(seed, b, j / 4);
        ASSERT_EQ(g.v[j % 4], want) << "seed " << seed << " b " << b << " j " << j;
      }
    }
  }
}

// The kernel's split: each thread starts at draw j0 with skipahead(j0).
TEST(CurandStream, SkipaheadLandsOnTheSameDraw) {
  const uint64_t offsets[] = {0, 1, 2, 3, 4, 5, 255, 256, 1023, 4097, 0xfffffffeull,
                              0x100000001ull, 0x7ffffffffffull};
  for (uint64_t seed : kSeeds) {
    for (uint64_t j0 : offsets) {
      const uint64_t b = seed % 5;
      curandStatePhilox4_32_10_t s;
      curand_init(seed, b, 0ull, &s);
      skipahead(static_cast<unsigned long long>(j0), &s);
      for (uint64_t j = j0; j < j0 + 9; ++j) {
        const uint32_t want = curand(&s);
        ASSERT_EQ(ssrl_mask_stream_group(seed, b, j / 4).v[j % 4], want)
            << "seed " << seed << " j0 " << j0 << " j " << j;
      }
    }
  }
}

struct StartsCase {
  int64_t T;
  double ratio;
  int64_t block_size;
};

TEST(CurandStream, BlockStartsMatchCurand) {
  const StartsCase cases[] = {{5000, 0.5, 50}, {769, 0.3, 13},  {10, 1.0, 10},  {7, 0.9, 20},
                              {1, 1.0, 1},     {4096, 1.0, 1},  {5125, 0.15, 7}, {100, 0.01, 3},
                              {65536, 0.75, 64}};
  const int64_t B = 5;
  for (const StartsCase &c : cases) {
    for (uint64_t seed : kSeeds) {
      int64_t n = -1;
      ASSERT_EQ(ssrl_block_count(c.T, c.ratio, c.block_size, &n), SSRL_OK);
      ASSERT_GE(n, 1);
      std::vector<int64_t> starts(static_cast<size_t>(B * n), -1);
      ASSERT_EQ(ssrl_block_starts(seed, B, c.T, c.ratio, c.block_size, starts.data()), SSRL_OK);
      const uint64_t R = c.T - c.block_size + 1 > 1 ? uint64_t(c.T - c.block_size + 1) : 1u;
      for (int64_t b = 0; b < B; ++b) {
        curandStatePhilox4_32_10_t s;
        curand_init(seed, static_cast<unsigned long long>(b), 0ull, &s);
        for (int64_t j = 0; j < n; ++j) {
          const int64_t want = static_cast<int64_t>((uint64_t(curand(&s)) * R) >> 32);
          ASSERT_EQ(starts[size_t(b * n + j)], want)
              << "T " << c.T << " ratio " << c.ratio << " bs " << c.block_size << " seed "
              << seed << " b " << b << " j " << j;
          ASSERT_LT(want, int64_t(R));
        }
      }
    }
  }
}

}  // namespace
