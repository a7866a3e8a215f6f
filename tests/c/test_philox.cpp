// Philox4x32-10 against Random123's known answers, the mask stream layout, the
// block count against values CPython computed, and starts against naive.h.
#include <gtest/gtest.h>

#include "naive.h"
#include "philox.h"
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

struct Kat {
  uint32_t ctr[4], key[2], expect[4];
};

// Random123 kat_vectors, philox4x32 with 10 rounds.
const Kat kKats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(Philox, KnownAnswers) {
  for (const Kat &k : kKats) {
    ssrl_u32x4 ctr = {{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}};
    ssrl_u32x4 r = ssrl_philox4x32_10(ctr, k.key[0], k.key[1]);
    for (int m = 0; m < 4; ++m) EXPECT_EQ(r.v[m], k.expect[m]) << "word " << m;
    uint32_t naive_out[4];
    naive::Philox::block(k.ctr, k.key, naive_out);
    for (int m = 0; m < 4; ++m) EXPECT_EQ(naive_out[m], k.expect[m]) << "naive word " << m;
  }
}

TEST(Philox, StreamIsCounterIThenSampleB) {
  // seed 0, sample 0, group 0 is the first known answer.
  ssrl_u32x4 g = ssrl_mask_stream_group(0, 0, 0);
  EXPECT_EQ(g.v[0], 0x6627e8d5u);
  EXPECT_EQ(g.v[3], 0x9b00dbd8u);
  const uint64_t seeds[] = {0, 1, 42, 0xdeadbeefcafef00dull, 1ull << 32, ~0ull};
  const uint64_t subs[] = {0, 1, 7, 255, (1ull << 32) + 3, ~0ull};
  for (uint64_t seed : seeds)
    for (uint64_t b : subs) {
      naive::Philox ref(seed, b);
      for (uint64_t i = 0; i < 40; ++i) {
        ssrl_u32x4 grp = ssrl_mask_stream_group(seed, b, i);
        for (int m = 0; m < 4; ++m) ASSERT_EQ(grp.v[m], ref.next()) << seed << " " << b << " " << i;
      }
    }
}

TEST(Philox, CounterCarriesIntoHighWord) {
  // Group 2^32 has ctr = (0, 1, b, b>>32): the naive stream reaches it by carry.
  ssrl_u32x4 direct = ssrl_mask_stream_group(5, 9, 1ull << 32);
  ssrl_u32x4 ctr = {{0, 1, 9, 0}};
  ssrl_u32x4 r = ssrl_philox4x32_10(ctr, 5, 0);
  for (int m = 0; m < 4; ++m) EXPECT_EQ(direct.v[m], r.v[m]);
}

struct CountCase {
  int64_t T;
  double ratio;
  int64_t bs, expect;
};

// expect = max(1, int((T * ratio) // bs)) evaluated by CPython.
const CountCase kCounts[] = {
    {5000, 0.15, 50, 15}, {1000, 0.15, 50, 3},   {1000, 0.3, 50, 6},
    {769, 0.5, 7, 54},    {5125, 0.33, 13, 130}, {1, 1.0, 1, 1},
    {1, 0.5, 50, 1},      {10, 0.01, 1, 1},      {50, 1.0, 50, 1},
    {49, 1.0, 50, 1},     {100, 0.7, 1, 70},     {3, 0.1, 1, 1},
    {12345, 0.123456789, 17, 89},                {4294967295, 1.0, 1, 4294967295},
    {4294967295, 1e-09, 3, 1},                   {7, 1e-300, 1, 1},
    {1000000, 0.999999999, 999, 1001},
};

TEST(BlockCount, MatchesPython) {
  for (const CountCase &c : kCounts) {
    int64_t n = -1;
    ASSERT_EQ(ssrl_block_count(c.T, c.ratio, c.bs, &n), SSRL_OK);
    EXPECT_EQ(n, c.expect) << c.T << " " << c.ratio << " " << c.bs;
  }
}

TEST(BlockCount, NonPositiveRatioMasksNothing) {
  int64_t n = -1;
  ASSERT_EQ(ssrl_block_count(100, 0.0, 5, &n), SSRL_OK);
  EXPECT_EQ(n, 0);
  ASSERT_EQ(ssrl_block_count(100, -0.5, 5, &n), SSRL_OK);
  EXPECT_EQ(n, 0);
}

TEST(BlockCount, Errors) {
  int64_t n = 0;
  EXPECT_EQ(ssrl_block_count(10, 0.5, 2, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_block_count(-1, 0.5, 2, &n), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_block_count(10, NAN, 2, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_count(10, INFINITY, 2, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_count(10, -INFINITY, 2, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_count(10, 1.0000001, 2, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_count(10, 0.5, 0, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_count(10, 0.5, -3, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_block_count(1ll << 32, 0.5, 2, &n), SSRL_ERR_INVALID_ARGUMENT);
}

TEST(BlockStarts, MatchNaive) {
  struct {
    int64_t B, T;
    double ratio;
    int64_t bs;
  } cases[] = {{3, 5000, 0.15, 50}, {5, 769, 0.5, 7}, {2, 5125, 0.9, 13}, {4, 1, 1.0, 1},
               {2, 10, 0.5, 50},    {3, 50, 1.0, 50}, {1, 100, 1.0, 1}};
  for (auto &c : cases)
    for (uint64_t seed : {0ull, 123ull, 0x1234567890abcdefull}) {
      int64_t n = 0;
      ASSERT_EQ(ssrl_block_count(c.T, c.ratio, c.bs, &n), SSRL_OK);
      std::vector<int64_t> got(static_cast<size_t>(c.B * n));
      ASSERT_EQ(ssrl_block_starts(seed, c.B, c.T, c.ratio, c.bs, got.data()), SSRL_OK);
      for (int64_t b = 0; b < c.B; ++b) {
        std::vector<int64_t> ref = naive::starts(seed, b, c.T, c.bs, n);
        for (int64_t j = 0; j < n; ++j) {
          ASSERT_EQ(got[b * n + j], ref[j]) << "b=" << b << " j=" << j;
          ASSERT_GE(got[b * n + j], 0);
          ASSERT_LT(got[b * n + j], std::max<int64_t>(1, c.T - c.bs + 1));
        }
      }
    }
}

TEST(BlockStarts, HandComputed) {
  // seed 0, b 0: u0 = 0x6627e8d5, R = 100 - 10 + 1 = 91: (0x6627e8d5 * 91) >> 32 = 36.
  int64_t s = -1;
  ASSERT_EQ(ssrl_block_starts(0, 1, 100, 0.1, 10, &s), SSRL_OK);
  EXPECT_EQ(s, (int64_t)((0x6627e8d5ull * 91ull) >> 32));
  EXPECT_EQ(s, 36);
}

TEST(BlockStarts, Errors) {
  int64_t s[4];
  EXPECT_EQ(ssrl_block_starts(0, -1, 10, 0.5, 2, s), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_block_starts(0, 2, 10, 0.5, 2, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_block_starts(0, 0, 10, 0.5, 2, nullptr), SSRL_OK);
  EXPECT_EQ(ssrl_block_starts(0, 2, 10, NAN, 2, s), SSRL_ERR_INVALID_ARGUMENT);
}

}  // namespace
