// ssrl_block_mask_cpu against a hand-computed case and naive.h's mask, for every
// element size, in place and out of place, awkward sizes and every error path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "naive.h"
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(rng() | 1);  // never zero: masked bytes stand out
  return v;
}

// Checks out = x with masked time steps zeroed (every channel), mask = naive.
void check_against_naive(int64_t B, int64_t C, int64_t T, size_t es, double ratio, int64_t bs,
                         uint64_t seed) {
  SCOPED_TRACE(testing::Message() << "B=" << B << " C=" << C << " T=" << T << " es=" << es
                                  << " ratio=" << ratio << " bs=" << bs << " seed=" << seed);
  const size_t n = static_cast<size_t>(B * C * T) * es;
  std::vector<uint8_t> x = random_bytes(n, 7), out(n, 0xAB), mask(static_cast<size_t>(B * T), 7);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), out.data(), mask.data(), B, C, T, es, ratio, bs, seed),
            SSRL_OK);
  std::vector<uint8_t> ref = ratio > 0 ? naive::mask(seed, B, T, ratio, bs)
                                       : std::vector<uint8_t>(static_cast<size_t>(B * T), 0);
  ASSERT_EQ(mask, ref);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < T; ++t) {
        size_t off = static_cast<size_t>((b * C + c) * T + t) * es;
        for (size_t k = 0; k < es; ++k)
          ASSERT_EQ(out[off + k], ref[b * T + t] ? 0 : x[off + k]) << b << "," << c << "," << t;
      }
  // In place gives the same bytes; without a mask output too.
  std::vector<uint8_t> inplace = x;
  ASSERT_EQ(ssrl_block_mask_cpu(inplace.data(), inplace.data(), nullptr, B, C, T, es, ratio, bs,
                                seed),
            SSRL_OK);
  ASSERT_EQ(inplace, out);
}

TEST(BlockMask, HandComputed) {
  // seed 0, sample 0: one block (100 * 0.1 // 10 = 1) starting at 36 (test_philox).
  std::vector<float> x(2 * 100);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i + 1);
  std::vector<float> out(x.size());
  std::vector<uint8_t> mask(100);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), out.data(), mask.data(), 1, 2, 100, 4, 0.1, 10, 0),
            SSRL_OK);
  for (int c = 0; c < 2; ++c)
    for (int t = 0; t < 100; ++t) {
      bool masked = t >= 36 && t < 46;
      EXPECT_EQ(mask[t], masked ? 1 : 0);
      EXPECT_EQ(out[c * 100 + t], masked ? 0.0f : x[c * 100 + t]);
    }
}

TEST(BlockMask, EveryElementSize) {
  for (size_t es : {1, 2, 4, 8}) check_against_naive(3, 4, 257, es, 0.3, 16, 99);
}

TEST(BlockMask, AwkwardSizes) {
  check_against_naive(0, 12, 5000, 4, 0.15, 50, 1);   // B = 0
  check_against_naive(2, 12, 1, 4, 0.5, 50, 2);       // T = 1
  check_against_naive(2, 3, 20, 4, 0.5, 50, 3);       // T < block_size: whole sample
  check_against_naive(2, 3, 50, 4, 0.5, 50, 4);       // T = block_size
  check_against_naive(3, 12, 769, 2, 0.15, 50, 5);    // odd T
  check_against_naive(2, 12, 5125, 4, 0.15, 50, 6);   // odd T
  check_against_naive(5, 1, 1000, 8, 0.6, 3, 7);      // C = 1, many overlapping blocks
  check_against_naive(2, 2, 100, 4, 1.0, 1, 8);       // every step drawn
  check_against_naive(4, 12, 1000, 4, 0.15, 50, 1ull << 40);  // seed above 2^32
}

TEST(BlockMask, ParallelPathMatchesNaive) {
  // Past the 1 MiB cut-off: rows split over threads, samples straddle threads.
  check_against_naive(48, 12, 5000, 4, 0.15, 50, 2024);  // 11.5 MB
  check_against_naive(21, 13, 5125, 8, 0.25, 33, 11);    // 11.2 MB, odd row split
  check_against_naive(7, 5, 4001, 4, 0.2, 40, 12);       // 0.56 MB: one thread
  check_against_naive(9, 5, 4001, 8, 0.2, 40, 13);       // 1.4 MB, odd row split
}

// Large outputs (>= 4 MiB; an earlier version streamed them in whole 64-byte
// lines; from 32 MiB the gap writer of ops/mask_row.c where the block copy is
// libc's (SSRL_ECG_PORTABLE_COPY=1: ctest runs this suite both ways), the tile
// writer otherwise and below 32 MiB): every element size, odd T (rows start anywhere in a line), an output
// that is not 16-byte aligned, spans shorter than a line, many in one line,
// whole masked rows, and rows shorter than a line.
TEST(BlockMask, LargeMisalignedOutputsMatchNaive) {
  struct Case {
    int64_t B, C, T;
    size_t es;
    double ratio;
    int64_t bs;
    uint64_t seed;
    size_t shift;  // bytes the output starts past a 64-byte boundary
  };
  const Case cases[] = {
      {2, 8, 262147, 1, 0.3, 3, 21, 0},        // 4.2 MB, several spans per line
      {3, 12, 30001, 4, 0.15, 50, 22, 4},      // 4.3 MB, output one float off
      {2, 3, 87383, 8, 0.6, 5, 23, 24},        // 4.2 MB, heavy overlap
      {4, 2, 262147, 2, 1.0, 262147, 24, 2},   // 4.2 MB, every row wholly masked
      {1, 81000, 13, 4, 0.3, 5, 25, 8},        // 4.2 MB of 52-byte rows: no whole line
      {2, 4, 4194319, 1, 0.3, 37, 26, 5},      // 33.5 MB: the gap writer (>= 32 MiB)
  };
  for (const Case &k : cases) {
    SCOPED_TRACE(testing::Message() << "T=" << k.T << " es=" << k.es << " bs=" << k.bs);
    const size_t n = static_cast<size_t>(k.B * k.C * k.T) * k.es;
    ASSERT_GE(n, size_t{1} << 22);
    const std::vector<uint8_t> x = random_bytes(n, static_cast<uint32_t>(k.seed));
    const std::vector<uint8_t> ref = naive::mask(k.seed, k.B, k.T, k.ratio, k.bs);
    std::vector<uint8_t> want = x;
    for (int64_t r = 0; r < k.B * k.C; ++r)
      for (int64_t t = 0; t < k.T; ++t)
        if (ref[static_cast<size_t>((r / k.C) * k.T + t)])
          std::memset(&want[static_cast<size_t>(r * k.T + t) * k.es], 0, k.es);
    // 64 guard bytes either side; the output starts k.shift bytes past a line.
    std::vector<uint8_t> buf(n + 192, 0xAB);
    const size_t lead = (64 - reinterpret_cast<uintptr_t>(buf.data()) % 64) % 64 + 64 + k.shift;
    std::vector<uint8_t> mask(static_cast<size_t>(k.B * k.T), 7);
    ASSERT_EQ(ssrl_block_mask_cpu(x.data(), buf.data() + lead, mask.data(), k.B, k.C, k.T, k.es,
                                  k.ratio, k.bs, k.seed),
              SSRL_OK);
    EXPECT_EQ(mask, ref);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), buf.begin() + static_cast<ptrdiff_t>(lead)));
    EXPECT_TRUE(std::all_of(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(lead),
                            [](uint8_t b) { return b == 0xAB; }));
    EXPECT_TRUE(std::all_of(buf.begin() + static_cast<ptrdiff_t>(lead + n), buf.end(),
                            [](uint8_t b) { return b == 0xAB; }));
  }
}

TEST(BlockMask, NonPositiveRatioCopies) {
  check_against_naive(3, 2, 100, 4, 0.0, 10, 1);
  check_against_naive(3, 2, 100, 4, -1.0, 10, 1);
}

TEST(BlockMask, NoChannelsStillWritesMask) {
  std::vector<uint8_t> mask(3 * 100, 9);
  ASSERT_EQ(ssrl_block_mask_cpu(nullptr, nullptr, mask.data(), 3, 0, 100, 4, 0.2, 10, 5),
            SSRL_OK);
  EXPECT_EQ(mask, naive::mask(5, 3, 100, 0.2, 10));
}

TEST(BlockMask, InPlaceTouchesOnlyMaskedSpans) {
  // Unmasked bytes keep their value even if another thread wrote them: check
  // against a copy made before.
  std::vector<uint8_t> x = random_bytes(4 * 3 * 500 * 4, 3), before = x;
  std::vector<uint8_t> mask(4 * 500);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), x.data(), mask.data(), 4, 3, 500, 4, 0.3, 20, 77),
            SSRL_OK);
  int64_t masked = 0;
  for (int64_t b = 0; b < 4; ++b)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t t = 0; t < 500; ++t) {
        size_t off = static_cast<size_t>((b * 3 + c) * 500 + t) * 4;
        float v;
        std::memcpy(&v, &x[off], 4);
        if (mask[b * 500 + t]) {
          EXPECT_EQ(v, 0.0f);
          ++masked;
        } else {
          EXPECT_EQ(0, std::memcmp(&x[off], &before[off], 4));
        }
      }
  EXPECT_GT(masked, 0);
}

TEST(BlockMask, SameSeedSameMaskDifferentSeedDifferent) {
  std::vector<uint8_t> a(8 * 1000), b(8 * 1000), c(8 * 1000);
  std::vector<float> x(8 * 1000, 1.0f), out(x.size());
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), out.data(), a.data(), 8, 1, 1000, 4, 0.3, 50, 1), SSRL_OK);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), out.data(), b.data(), 8, 1, 1000, 4, 0.3, 50, 1), SSRL_OK);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), out.data(), c.data(), 8, 1, 1000, 4, 0.3, 50, 2), SSRL_OK);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(BlockMask, Errors) {
  float x[40] = {0}, out[40];
  uint8_t mask[20];
  auto call = [&](const void *xp, void *op, int64_t B, int64_t C, int64_t T, size_t es, double r,
                  int64_t bs) { return ssrl_block_mask_cpu(xp, op, mask, B, C, T, es, r, bs, 0); };
  EXPECT_EQ(call(nullptr, out, 2, 2, 10, 4, 0.5, 2), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(call(x, nullptr, 2, 2, 10, 4, 0.5, 2), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(call(x, out, -1, 2, 10, 4, 0.5, 2), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(x, out, 2, -2, 10, 4, 0.5, 2), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(x, out, 2, 2, -10, 4, 0.5, 2), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(x, out, 2, 2, 10, 3, 0.5, 2), SSRL_ERR_DTYPE);
  EXPECT_EQ(call(x, out, 2, 2, 10, 0, 0.5, 2), SSRL_ERR_DTYPE);
  EXPECT_EQ(call(x, out, 2, 2, 10, 16, 0.5, 2), SSRL_ERR_DTYPE);
  EXPECT_EQ(call(x, out, 2, 2, 10, 4, NAN, 2), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call(x, out, 2, 2, 10, 4, INFINITY, 2), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call(x, out, 2, 2, 10, 4, 1.5, 2), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call(x, out, 2, 2, 10, 4, 0.5, 0), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call(x, out, 2, 2, 10, 4, 0.5, -5), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call(x, out, INT64_MAX, 2, 10, 4, 0.5, 2), SSRL_ERR_SHAPE);
  EXPECT_EQ(call(x, out, 1, 1, 1ll << 32, 1, 0.5, 2), SSRL_ERR_INVALID_ARGUMENT);
  // Nothing written on error.
  for (float v : x) EXPECT_EQ(v, 0.0f);
}

}  // namespace
