// ssrl_span_mask_cpu, ssrl_lead_mask_cpu and ssrl_token_mask_cpu: a hand-computed
// case of each (from Philox's known answer: seed 0, row 0 draws 0x6627e8d5,
// 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8), the per-lead overlapping rule against
// naive.h's block mask of B * C rows, per-sample overlapping = block_mask,
// exact counts and non-overlap on every row, fill values, in place = out of
// place, and every status path. The bit-exact references of every mode are in
// tests/python/masking_reference.py.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "internal.h"  // ssrl_line_stride, ssrl_lines_alloc
#include "naive.h"
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 1.0f + static_cast<float>(i % 97);
  return v;
}

TEST(SpanMask, HandComputedExact) {
  // T = 10, span 3, ratio 0.5: n = min(3, round(1.67)) = 2; M = 6; Floyd draws
  // t = (0x6627e8d5 * 5) >> 32 = 1, then (0xe169c58d * 6) >> 32 = 5: starts 1, 7.
  std::vector<float> x = ramp(20), out(20);
  std::vector<uint8_t> mask(10);
  ASSERT_EQ(ssrl_span_mask_cpu(x.data(), out.data(), mask.data(), 1, 2, 10, 4, 0.5, 3, 0, 1,
                               nullptr, 0),
            SSRL_OK);
  EXPECT_EQ(mask, (std::vector<uint8_t>{0, 1, 1, 1, 0, 0, 0, 1, 1, 1}));
  for (int c = 0; c < 2; ++c)
    for (int t = 0; t < 10; ++t) EXPECT_EQ(out[c * 10 + t], mask[t] ? 0.0f : x[c * 10 + t]);
}

TEST(SpanMask, PerLeadOverlappingIsBlockMaskOfEveryRow) {
  const int64_t B = 3, C = 4, T = 257, span = 9;
  const double ratio = 0.4;
  for (uint64_t seed : {1ull, 0xdeadbeefcafef00dull}) {
    std::vector<float> x = ramp(B * C * T), out(B * C * T);
    std::vector<uint8_t> mask(B * C * T);
    ASSERT_EQ(ssrl_span_mask_cpu(x.data(), out.data(), mask.data(), B, C, T, 4, ratio, span, 1, 0,
                                 nullptr, seed),
              SSRL_OK);
    EXPECT_EQ(mask, naive::mask(seed, B * C, T, ratio, span));  // row b * C + c = subsequence
  }
}

TEST(SpanMask, PerSampleOverlappingIsBlockMask) {
  const int64_t B = 4, C = 3, T = 501;
  std::vector<float> x = ramp(B * C * T), a(B * C * T), b(B * C * T);
  std::vector<uint8_t> ma(B * T), mb(B * T);
  ASSERT_EQ(ssrl_span_mask_cpu(x.data(), a.data(), ma.data(), B, C, T, 4, 0.3, 20, 0, 0, nullptr,
                               77),
            SSRL_OK);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), b.data(), mb.data(), B, C, T, 4, 0.3, 20, 77), SSRL_OK);
  EXPECT_EQ(a, b);
  EXPECT_EQ(ma, mb);
}

TEST(SpanMask, ExactCountsFillAndInPlace) {
  const int64_t B = 5, C = 3, T = 1000, span = 50;
  for (int per_lead = 0; per_lead < 2; ++per_lead)
    for (double ratio : {0.15, 0.65, 1.0}) {
      int64_t n = 0;
      ASSERT_EQ(ssrl_span_count(T, ratio, span, 1, &n), SSRL_OK);
      const int64_t rows = per_lead ? B * C : B;
      std::vector<float> x = ramp(B * C * T), out(B * C * T), fill = {-1.0f, -2.0f, -3.0f};
      std::vector<uint8_t> mask(rows * T), mask2(rows * T);
      ASSERT_EQ(ssrl_span_mask_cpu(x.data(), out.data(), mask.data(), B, C, T, 4, ratio, span,
                                   per_lead, 1, fill.data(), 5),
                SSRL_OK);
      for (int64_t r = 0; r < rows; ++r) {
        int64_t masked = 0, runs = 0;
        for (int64_t t = 0; t < T; ++t) {
          masked += mask[r * T + t];
          runs += mask[r * T + t] && (t == 0 || !mask[r * T + t - 1]);
        }
        EXPECT_EQ(masked, n * span) << "row " << r;
        EXPECT_LE(runs, n);  // adjacent spans may touch, never overlap
      }
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t t = 0; t < T; ++t) {
            const int64_t i = (b * C + c) * T + t;
            const bool m = mask[(per_lead ? b * C + c : b) * T + t];
            ASSERT_EQ(out[i], m ? fill[c] : x[i]);
          }
      ASSERT_EQ(ssrl_span_mask_cpu(x.data(), x.data(), mask2.data(), B, C, T, 4, ratio, span,
                                   per_lead, 1, fill.data(), 5),
                SSRL_OK);
      EXPECT_EQ(x, out);
      EXPECT_EQ(mask, mask2);
    }
}

// Masks x [B, C, T] (elements of es bytes) into a buffer with 64 + shift guard
// bytes before it and 64 - shift after, in place or not, with a fill of
// random bytes; checks every element against the returned mask and the guards.
void check_fill(int64_t B, int64_t C, int64_t T, size_t es, size_t shift, int64_t span,
                int per_lead, int exact, bool inplace, uint32_t seed) {
  std::mt19937 rng(seed);
  const size_t n = static_cast<size_t>(B * C * T) * es;
  std::vector<uint8_t> x(n), fill(static_cast<size_t>(C) * es);
  for (auto &v : x) v = static_cast<uint8_t>(rng() | 1);  // never a fill byte of 0
  for (auto &v : fill) v = static_cast<uint8_t>(rng() & 0xfe);
  std::vector<uint8_t> buf(n + 128, 0xAB);
  uint8_t *out = buf.data() + 64 + shift;
  if (inplace) std::memcpy(out, x.data(), n);
  const int64_t rows = per_lead ? B * C : B;
  std::vector<uint8_t> mask(static_cast<size_t>(rows * T), 7);
  ASSERT_EQ(ssrl_span_mask_cpu(inplace ? out : x.data(), out, mask.data(), B, C, T, es, 0.4, span,
                               per_lead, exact, fill.data(), seed),
            SSRL_OK);
  for (int64_t r = 0; r < B * C; ++r)
    for (int64_t t = 0; t < T; ++t) {
      const uint8_t m = mask[static_cast<size_t>((per_lead ? r : r / C) * T + t)];
      ASSERT_LE(m, 1);
      const size_t at = static_cast<size_t>(r * T + t) * es;
      const uint8_t *want = m ? &fill[static_cast<size_t>(r % C) * es] : &x[at];
      ASSERT_EQ(std::memcmp(out + at, want, es), 0) << "row " << r << " t " << t;
    }
  for (size_t i = 0; i < 64 + shift; ++i) ASSERT_EQ(buf[i], 0xAB);
  for (size_t i = 64 + shift + n; i < buf.size(); ++i) ASSERT_EQ(buf[i], 0xAB);
}

// The fill values go through a 64-byte pattern aligned to absolute addresses
// (ops/mask_row.c): every element size, outputs shifted by any byte count
// (not even element-aligned), rows that start anywhere in a line, spans longer
// and shorter than a line, in place and out of place, past the 1 MiB thread
// cut-off; guard bytes either side stay untouched. Reference: x where the
// returned mask is 0, fill[c]'s bytes where it is 1.
TEST(SpanMask, FillEveryElemSizeAndAlignment) {
  for (size_t es : {1u, 2u, 4u, 8u})
    for (size_t shift : {0u, 1u, 3u, 6u, 13u})
      for (int per_lead = 0; per_lead < 2; ++per_lead)
        for (int inplace = 0; inplace < 2; ++inplace) {
          SCOPED_TRACE(testing::Message() << "es=" << es << " shift=" << shift
                                          << " per_lead=" << per_lead << " inplace=" << inplace);
          const int64_t T = (shift == 13 ? 70001 : 337) + static_cast<int64_t>(es);
          check_fill(3, 5, T, es, shift, shift == 1 ? 3 : 41, per_lead, shift % 2, inplace != 0,
                     static_cast<uint32_t>(31 + shift));
        }
}

// Tiles of many short rows (52 bytes: 315 rows a tile) past the 1 MiB thread
// cut-off: a tile that ran past its thread's last row would write rows of the
// other thread (a race, and wrong bytes where that thread already masked).
TEST(SpanMask, TilesOfShortRowsStayInTheirThread) {
  for (int per_lead = 0; per_lead < 2; ++per_lead)
    for (int inplace = 0; inplace < 2; ++inplace) {
      SCOPED_TRACE(testing::Message() << "per_lead=" << per_lead << " inplace=" << inplace);
      check_fill(2, 40000, 13, 4, 3, 5, per_lead, 1, inplace != 0,
                 static_cast<uint32_t>(90 + 2 * per_lead + inplace));
    }
}

// Out-of-place outputs of 32 MiB and more take the gap writer (ops/mask_row.c)
// where the block copy is libc's (SSRL_ECG_PORTABLE_COPY=1: ctest runs this
// suite both ways), the tile writer of the tests above otherwise: 33.5 MB
// outputs of bytes, per sample with short spans and per lead, shifted off a line.
TEST(SpanMask, LargeOutputsEitherWriter) {
  for (int per_lead = 0; per_lead < 2; ++per_lead) {
    SCOPED_TRACE(testing::Message() << "per_lead=" << per_lead);
    check_fill(2, 4, 4194319, 1, 5, per_lead ? 5000 : 37, per_lead, per_lead, false,
               static_cast<uint32_t>(77 + per_lead));
  }
}

// No channels with a fill (an empty fill [0]): the per-sample mask is still
// written, as without fill, and nothing else is (the fuzzer found an early
// version writing a fill line into a table sized for C = 0 lines).
TEST(SpanMask, FillWithNoChannels) {
  const int64_t B = 3, T = 97;
  const float x = 0.0f, fill = 9.0f;
  float out = 0.0f;
  std::vector<uint8_t> with_fill(B * T, 7), without(B * T, 7);
  for (int exact = 0; exact < 2; ++exact) {
    ASSERT_EQ(ssrl_span_mask_cpu(&x, &out, with_fill.data(), B, 0, T, 4, 0.3, 10, 0, exact, &fill,
                                 3),
              SSRL_OK);
    ASSERT_EQ(ssrl_span_mask_cpu(&x, &out, without.data(), B, 0, T, 4, 0.3, 10, 0, exact, nullptr,
                                 3),
              SSRL_OK);
    EXPECT_EQ(with_fill, without);
    EXPECT_EQ(out, 0.0f);
  }
}

TEST(SpanMask, Counts) {
  int64_t n = -1;
  ASSERT_EQ(ssrl_span_count(1000, 0.15, 50, 1, &n), SSRL_OK);
  EXPECT_EQ(n, 3);
  ASSERT_EQ(ssrl_span_count(10, 0.5, 4, 1, &n), SSRL_OK);  // round(1.25) = 1
  EXPECT_EQ(n, 1);
  ASSERT_EQ(ssrl_span_count(20, 0.3, 4, 1, &n), SSRL_OK);  // round(1.5) = 2, half to even
  EXPECT_EQ(n, 2);
  ASSERT_EQ(ssrl_span_count(28, 0.5, 8, 1, &n), SSRL_OK);  // round(1.75) = 2 <= 28 / 8
  EXPECT_EQ(n, 2);
  ASSERT_EQ(ssrl_span_count(100, 1.0, 30, 1, &n), SSRL_OK);  // capped at T / span = 3
  EXPECT_EQ(n, 3);
  ASSERT_EQ(ssrl_span_count(7, 0.5, 9, 1, &n), SSRL_OK);  // T < span: the whole row
  EXPECT_EQ(n, 1);
  ASSERT_EQ(ssrl_span_count(100, 0.0, 9, 1, &n), SSRL_OK);
  EXPECT_EQ(n, 0);
  ASSERT_EQ(ssrl_span_count(100, 0.3, 9, 0, &n), SSRL_OK);  // block_mask's rule
  EXPECT_EQ(n, 3);
}

TEST(SpanMask, Errors) {
  float x[8] = {0}, out[8];
  uint8_t mask[8];
  int64_t n;
  EXPECT_EQ(ssrl_span_count(10, 0.5, 2, 1, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_span_count(-1, 0.5, 2, 1, &n), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_span_count(10, 1.5, 2, 1, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_span_count(10, 0.5, 0, 1, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_span_count(int64_t{1} << 32, 0.5, 2, 1, &n), SSRL_ERR_INVALID_ARGUMENT);
  for (int pl = 0; pl < 2; ++pl)
    for (int ex = 0; ex < 2; ++ex) {
      EXPECT_EQ(ssrl_span_mask_cpu(x, out, mask, 1, 2, 4, 3, 0.5, 2, pl, ex, nullptr, 1),
                SSRL_ERR_DTYPE);
      EXPECT_EQ(ssrl_span_mask_cpu(x, out, mask, -1, 2, 4, 4, 0.5, 2, pl, ex, nullptr, 1),
                SSRL_ERR_SHAPE);
      EXPECT_EQ(ssrl_span_mask_cpu(nullptr, out, mask, 1, 2, 4, 4, 0.5, 2, pl, ex, nullptr, 1),
                SSRL_ERR_NULL_POINTER);
      EXPECT_EQ(ssrl_span_mask_cpu(x, out, mask, 1, 2, 4, 4, NAN, 2, pl, ex, nullptr, 1),
                SSRL_ERR_INVALID_ARGUMENT);
      EXPECT_EQ(ssrl_span_mask_cpu(x, out, mask, 1, 2, 4, 4, 0.5, 0, pl, ex, nullptr, 1),
                SSRL_ERR_INVALID_ARGUMENT);
      EXPECT_EQ(ssrl_span_mask_cpu(x, out, mask, int64_t{1} << 40, int64_t{1} << 40, 4, 4, 0.5,
                                   2, pl, ex, nullptr, 1),
                SSRL_ERR_SHAPE);
    }
}

TEST(LeadMask, HandComputedAndCounts) {
  // p = 0.5: threshold 2^31; 0x6627e8d5 < 2^31 <= 0xe169c58d, 0xbc57ac4c
  std::vector<float> x = ramp(15), out(15);
  std::vector<uint8_t> d(3);
  ASSERT_EQ(ssrl_lead_mask_cpu(x.data(), out.data(), d.data(), 1, 3, 5, 4, 0.5, 0, 0), SSRL_OK);
  EXPECT_EQ(d, (std::vector<uint8_t>{1, 0, 0}));
  for (int i = 0; i < 15; ++i) EXPECT_EQ(out[i], i < 5 ? 0.0f : x[i]);
  // exact, k = 1 of 3: Floyd's j = 2 draws t = (0x6627e8d5 * 3) >> 32 = 1
  ASSERT_EQ(ssrl_lead_mask_cpu(x.data(), out.data(), d.data(), 1, 3, 5, 4, 0.4, 1, 0), SSRL_OK);
  EXPECT_EQ(d, (std::vector<uint8_t>{0, 1, 0}));
  int64_t k = 0;
  ASSERT_EQ(ssrl_lead_count(12, 0.3, &k), SSRL_OK);  // round(3.6)
  EXPECT_EQ(k, 4);
  ASSERT_EQ(ssrl_lead_count(5, 0.5, &k), SSRL_OK);  // round(2.5) = 2, half to even
  EXPECT_EQ(k, 2);
  const int64_t B = 50, C = 12, T = 3;
  std::vector<float> y = ramp(B * C * T), o(B * C * T);
  std::vector<uint8_t> dd(B * C);
  for (double p : {0.0, 0.25, 1.0}) {
    ASSERT_EQ(ssrl_lead_mask_cpu(y.data(), o.data(), dd.data(), B, C, T, 4, p, 1, 9), SSRL_OK);
    ASSERT_EQ(ssrl_lead_count(C, p, &k), SSRL_OK);
    for (int64_t b = 0; b < B; ++b) {
      int64_t s = 0;
      for (int64_t c = 0; c < C; ++c) s += dd[b * C + c];
      EXPECT_EQ(s, k);
    }
  }
}

// Each row is one block copy or one zero fill (ops/block_copy.c: a vector loop
// with stores aligned to the output, its head and tail by libc): rows of every
// byte length around the loop's 32- and 128-byte steps, outputs shifted off
// alignment by any byte count, every element size, both modes, past the
// 1 MiB thread cut-off; guard bytes either side stay untouched. Reference:
// x's row, or zeros where the returned `dropped` says so.
TEST(LeadMask, RowsOfEveryLengthAndAlignment) {
  std::mt19937 rng(5);
  for (size_t es : {1u, 2u, 4u, 8u})
    for (int64_t T : {1, 3, 31, 33, 127, 129, 301, 20011})
      for (size_t shift : {0u, 1u, 7u, 31u}) {
        const int64_t B = T > 20000 ? 9 : 5, C = 7;
        const int exact = static_cast<int>(shift % 2);
        SCOPED_TRACE(testing::Message() << "es=" << es << " T=" << T << " shift=" << shift);
        const size_t row = static_cast<size_t>(T) * es, bytes = static_cast<size_t>(B * C) * row;
        std::vector<uint8_t> x(bytes), buf(bytes + 128 + shift, 0xAB), d(B * C);
        for (auto &v : x) v = static_cast<uint8_t>(rng() % 255 + 1);  // never 0
        uint8_t *out = buf.data() + 64 + shift;
        ASSERT_EQ(ssrl_lead_mask_cpu(x.data(), out, d.data(), B, C, T, es, 0.4, exact,
                                     static_cast<uint64_t>(T) * 7 + shift),
                  SSRL_OK);
        for (int64_t r = 0; r < B * C; ++r)
          for (size_t i = 0; i < row; ++i)
            ASSERT_EQ(out[r * row + i], d[r] ? 0 : x[r * row + i]) << "row " << r << " byte " << i;
        for (size_t i = 0; i < 64 + shift; ++i) ASSERT_EQ(buf[i], 0xAB);
        for (size_t i = 64 + shift + bytes; i < buf.size(); ++i) ASSERT_EQ(buf[i], 0xAB);
      }
}

TEST(LeadMask, Errors) {
  float x[8] = {0}, out[8];
  uint8_t d[4];
  int64_t k;
  EXPECT_EQ(ssrl_lead_count(4, 0.5, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_lead_count(-1, 0.5, &k), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_lead_count(4, -0.1, &k), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_lead_count(4, NAN, &k), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_lead_count(int64_t{1} << 32, 0.5, &k), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_lead_mask_cpu(x, out, d, 1, 4, 2, 5, 0.5, 0, 1), SSRL_ERR_DTYPE);
  EXPECT_EQ(ssrl_lead_mask_cpu(x, out, nullptr, 1, 4, 2, 4, 0.5, 0, 1), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_lead_mask_cpu(x, nullptr, d, 1, 4, 2, 4, 0.5, 0, 1), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_lead_mask_cpu(x, out, d, 1, -4, 2, 4, 0.5, 0, 1), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_lead_mask_cpu(x, out, d, 1, 4, 2, 4, 1.5, 1, 1), SSRL_ERR_INVALID_ARGUMENT);
}

TEST(TokenMask, HandComputedAndInverse) {
  // L = 4, keep 1: Floyd's j = 3 draws t = (0x6627e8d5 * 4) >> 32 = 1
  std::vector<int64_t> keep(1), restore(4);
  std::vector<float> mask(4);
  ASSERT_EQ(ssrl_token_mask_cpu(1, 4, 0.75, 0, keep.data(), restore.data(), mask.data()), SSRL_OK);
  EXPECT_EQ(keep, (std::vector<int64_t>{1}));
  EXPECT_EQ(restore, (std::vector<int64_t>{1, 0, 2, 3}));
  EXPECT_EQ(mask, (std::vector<float>{1, 0, 1, 1}));
  const int64_t rows = 100, L = 30;
  int64_t len_keep = 0;
  ASSERT_EQ(ssrl_token_keep_count(L, 0.75, &len_keep), SSRL_OK);
  ASSERT_EQ(len_keep, 7);
  std::vector<int64_t> k(rows * len_keep), r(rows * L);
  std::vector<float> m(rows * L);
  ASSERT_EQ(ssrl_token_mask_cpu(rows, L, 0.75, 3, k.data(), r.data(), m.data()), SSRL_OK);
  for (int64_t row = 0; row < rows; ++row) {
    std::vector<int64_t> perm;  // kept ascending, then masked ascending
    for (int64_t j = 0; j < len_keep; ++j) perm.push_back(k[row * len_keep + j]);
    for (int64_t l = 0; l < L; ++l)
      if (m[row * L + l] == 1.0f) perm.push_back(l);
    ASSERT_EQ(static_cast<int64_t>(perm.size()), L);
    for (int64_t i = 0; i < L; ++i) EXPECT_EQ(r[row * L + perm[i]], i);
    for (int64_t j = 1; j < len_keep; ++j) EXPECT_LT(k[row * len_keep + j - 1], k[row * len_keep + j]);
  }
}

TEST(TokenMask, Errors) {
  int64_t k[4], r[4], n;
  float m[4];
  EXPECT_EQ(ssrl_token_keep_count(4, 0.5, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_token_keep_count(-1, 0.5, &n), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_token_keep_count(4, 1.5, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_token_keep_count(4, -0.5, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_token_keep_count(int64_t{1} << 32, 0.5, &n), SSRL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ssrl_token_mask_cpu(-1, 4, 0.5, 1, k, r, m), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_token_mask_cpu(1, 4, 0.5, 1, nullptr, r, m), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_token_mask_cpu(1, 4, 0.5, 1, k, nullptr, m), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_token_mask_cpu(1, 4, 0.5, 1, k, r, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_token_mask_cpu(int64_t{1} << 40, int64_t{1} << 30, 0.5, 1, k, r, m),
            SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_token_mask_cpu(1, 4, 1.0, 1, nullptr, r, m), SSRL_OK);  // keeps none
}

}  // namespace

// Per-thread scratch slices (ops/internal.h): whole 64-byte lines, starting on
// one; a size past SIZE_MAX is refused, not wrapped.
TEST(LineSlices, StrideRoundsToWholeLinesAndAllocRefusesOverflow) {
  EXPECT_EQ(ssrl_line_stride(0, 4), 0u);
  EXPECT_EQ(ssrl_line_stride(1, 4), 16u);
  EXPECT_EQ(ssrl_line_stride(16, 4), 16u);
  EXPECT_EQ(ssrl_line_stride(17, 4), 32u);
  EXPECT_EQ(ssrl_line_stride(9, 8), 16u);
  EXPECT_EQ(ssrl_line_stride(65, 1), 128u);
  for (size_t bytes : {size_t{0}, size_t{1}, size_t{64}, size_t{1000}}) {
    void *p = ssrl_lines_alloc(bytes, 1);
    ASSERT_NE(p, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << bytes;
    std::memset(p, 1, bytes);
    ssrl_lines_free(p);
  }
  EXPECT_EQ(ssrl_lines_alloc((SIZE_MAX - 63) / 8 + 1, 8), nullptr);  // count * 8 + 63 would wrap
  EXPECT_EQ(ssrl_lines_alloc(SIZE_MAX, 4), nullptr);
}
