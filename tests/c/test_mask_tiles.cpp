// test_mask_tiles.cpp: the CUDA block mask's tile logic (ops/mask_tiles.h), run
// on the host. A sequential emulation of the kernels, bucketed (count, scan,
// scatter in a scrambled order, per-tile difference array from the bucket and
// the carry) and direct (every tile clips every start), must give the mask the
// CPU entry point gives, bit for bit, up to T = 2^24 with small blocks. No GPU
// needed: this is what makes the GPU path's index math checkable here.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "mask_tiles.h"
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

// One tile's mask from its difference array (the kernel's block scan).
void FinishTile(const std::vector<int64_t> &cover, int64_t t0, int64_t len, uint8_t *mask) {
  int64_t run = 0;
  for (int64_t i = 0; i < len; ++i) {
    run += cover[i];
    mask[t0 + i] = run != 0;
  }
}

void Mark(std::vector<int64_t> &cover, int64_t s, int64_t bs, int64_t T, int64_t t0, int64_t len) {
  int64_t lo, hi;
  if (!ssrl_mask_clip(s, bs, T, t0, len, &lo, &hi)) return;
  cover[lo] += 1;
  if (hi < len) cover[hi] -= 1;
}

std::vector<int64_t> Starts(uint64_t seed, int64_t b, int64_t n, uint64_t R) {
  std::vector<int64_t> s(n);
  for (int64_t j = 0; j < n; ++j)
    s[j] = ssrl_start_from_u32(ssrl_mask_stream_group(seed, b, j / 4).v[j % 4], R);
  return s;
}

// block_mask_buckets.cuh + mark_bucket, one thread at a time.
std::vector<uint8_t> Bucketed(uint64_t seed, int64_t b, int64_t T, int64_t bs, int64_t n) {
  const uint64_t R = ssrl_start_range(T, bs);
  const int64_t nt = ssrl_mask_tile_count(T);
  const std::vector<int64_t> starts = Starts(seed, b, n, R);
  std::vector<uint32_t> ends(nt, 0), carry(nt, 0), sorted(n, 0xFFFFFFFFu);
  for (int64_t s : starts) {  // count
    ends[ssrl_mask_tile_of(s)] += 1;
    carry[ssrl_mask_tile_of(s)] = std::max(carry[ssrl_mask_tile_of(s)], ssrl_mask_carry_word(s));
  }
  uint32_t sum = 0, top = 0;  // exclusive sum, exclusive max
  for (int64_t k = 0; k < nt; ++k) {
    const uint32_t c = ends[k], w = carry[k];
    ends[k] = sum, carry[k] = top;
    sum += c, top = std::max(top, w);
  }
  EXPECT_EQ(sum, static_cast<uint32_t>(n));
  std::vector<int64_t> order(n);  // the GPU's atomics scatter in any order
  for (int64_t j = 0; j < n; ++j) order[j] = j;
  std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<uint32_t>(seed + b)));
  for (int64_t j : order) sorted[ends[ssrl_mask_tile_of(starts[j])]++] = starts[j];
  std::vector<uint8_t> mask(T);
  std::vector<int64_t> cover(SSRL_MASK_TILE);
  for (int64_t k = 0; k < nt; ++k) {
    const int64_t t0 = k * SSRL_MASK_TILE, len = std::min<int64_t>(SSRL_MASK_TILE, T - t0);
    std::fill(cover.begin(), cover.end(), 0);
    for (uint32_t j = k ? ends[k - 1] : 0; j < ends[k]; ++j) {
      EXPECT_EQ(ssrl_mask_tile_of(sorted[j]), k) << "a start in another tile's bucket";
      Mark(cover, sorted[j], bs, T, t0, len);
    }
    if (carry[k] != 0) Mark(cover, int64_t{carry[k]} - 1, bs, T, t0, len);
    FinishTile(cover, t0, len, mask.data());
  }
  return mask;
}

// The direct path: every tile clips every start.
std::vector<uint8_t> Direct(uint64_t seed, int64_t b, int64_t T, int64_t bs, int64_t n) {
  const std::vector<int64_t> starts = Starts(seed, b, n, ssrl_start_range(T, bs));
  std::vector<uint8_t> mask(T);
  std::vector<int64_t> cover(SSRL_MASK_TILE);
  for (int64_t t0 = 0; t0 < T; t0 += SSRL_MASK_TILE) {
    const int64_t len = std::min<int64_t>(SSRL_MASK_TILE, T - t0);
    std::fill(cover.begin(), cover.end(), 0);
    for (int64_t s : starts) Mark(cover, s, bs, T, t0, len);
    FinishTile(cover, t0, len, mask.data());
  }
  return mask;
}

struct Case {
  int64_t B, T;
  double ratio;
  int64_t bs;
};

// The CPU mask of every sample (C = 0: the mask alone, no data).
std::vector<uint8_t> CpuMask(const Case &c, uint64_t seed) {
  std::vector<uint8_t> mask(static_cast<size_t>(c.B * c.T));
  EXPECT_EQ(ssrl_block_mask_cpu(nullptr, nullptr, mask.data(), c.B, 0, c.T, 4, c.ratio, c.bs, seed),
            SSRL_OK);
  return mask;
}

void CheckBothPaths(const Case &c, uint64_t seed, bool direct_too) {
  SCOPED_TRACE("T " + std::to_string(c.T) + " ratio " + std::to_string(c.ratio) + " bs " +
               std::to_string(c.bs) + " seed " + std::to_string(seed));
  int64_t n;
  ASSERT_EQ(ssrl_block_count(c.T, c.ratio, c.bs, &n), SSRL_OK);
  const std::vector<uint8_t> want = CpuMask(c, seed);
  for (int64_t b = 0; b < c.B; ++b) {
    const std::vector<uint8_t> row(want.begin() + b * c.T, want.begin() + (b + 1) * c.T);
    EXPECT_EQ(Bucketed(seed, b, c.T, c.bs, n), row) << "bucketed, sample " << b;
    if (direct_too) EXPECT_EQ(Direct(seed, b, c.T, c.bs, n), row) << "direct, sample " << b;
  }
}

TEST(MaskTiles, BothPathsEqualTheCpuOnAwkwardShapes) {
  const Case cases[] = {
      {3, 1, 0.5, 5},      {3, 7, 0.5, 10},       {2, 2048, 0.5, 3000}, {2, 2049, 1.0, 1},
      {3, 5125, 0.9, 13},  {2, 6000, 0.5, 2048},  {2, 6000, 0.9, 2047}, {2, 20000, 1.0, 1},
      {2, 20000, 0.9, 7},  {2, 100003, 0.3, 2},   {1, 70000, 1.0, 4097},
  };
  for (const Case &c : cases)
    for (uint64_t seed : {7ull, 0x123456789abcdef0ull}) CheckBothPaths(c, seed, true);
}

// Long recordings: the bucketed path alone (the direct emulation is the
// quadratic work this path removes).
TEST(MaskTiles, BucketedEqualsTheCpuUpTo2To24) {
  const Case cases[] = {{1, int64_t{1} << 24, 0.15, 5}, {2, (int64_t{1} << 22) + 77, 0.5, 1},
                        {1, int64_t{1} << 24, 0.3, 50}};
  for (const Case &c : cases) CheckBothPaths(c, 0xfeedface12345678ull, false);
}

TEST(MaskTiles, PathChoiceAndTileMath) {
  EXPECT_FALSE(ssrl_mask_bucketed(SSRL_MASK_TILE));
  EXPECT_TRUE(ssrl_mask_bucketed(SSRL_MASK_TILE + 1));
  EXPECT_EQ(ssrl_mask_tile_count(0), 0);
  EXPECT_EQ(ssrl_mask_tile_count(1), 1);
  EXPECT_EQ(ssrl_mask_tile_count(2048), 1);
  EXPECT_EQ(ssrl_mask_tile_count(2049), 2);
  EXPECT_EQ(ssrl_mask_tile_of(2047), 0);
  EXPECT_EQ(ssrl_mask_tile_of(2048), 1);
  int64_t lo = -1, hi = -1;
  // block [2000, 2100) of T = 5000 against tile [2048, 4096): [0, 52)
  ASSERT_TRUE(ssrl_mask_clip(2000, 100, 5000, 2048, 2048, &lo, &hi));
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 52);
  EXPECT_FALSE(ssrl_mask_clip(1900, 100, 5000, 2048, 2048, &lo, &hi));  // ends at 2000
  EXPECT_FALSE(ssrl_mask_clip(1948, 100, 5000, 2048, 2048, &lo, &hi));  // ends at t0
  ASSERT_TRUE(ssrl_mask_clip(4990, 100, 5000, 4096, 904, &lo, &hi));    // clipped to T
  EXPECT_EQ(lo, 894);
  EXPECT_EQ(hi, 904);
  // the largest start below 2^32 - 1 still has a non-zero carry word
  EXPECT_EQ(ssrl_mask_carry_word((int64_t{1} << 32) - 2), 0xFFFFFFFFu);
}

}  // namespace
