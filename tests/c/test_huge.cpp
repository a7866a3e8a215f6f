// 64-bit indexing: block masks and confusion counts over tensors of more than
// 2^31 elements, where an int32 offset anywhere in ops/ would wrap.
//
//   [1, 1, 2^31 + 7] int8   one row longer than INT32_MAX, blocks past 2^31
//   [2, 3, 2^30]     int8   6 GiB: row offsets up to 5 * 2^30, rows over threads
//   y [2^29 + 3, 4]         2^31 + 12 labels and float16 scores
//
// Memory is kept low: the inputs are one 16 MiB pattern mapped again and again
// (memfd + MAP_FIXED), copy-on-write where the library writes in place, so
// only the masked pages and the outputs cost real memory (at most 6 GiB, for
// the out-of-place [2, 3, 2^30] case; a test skips with the reason when the
// machine has less available). Results are checked in full at memcmp speed:
// masked spans (from ssrl_block_starts, merged here) are zero, every other byte
// equals the pattern, and the counts equal ones derived by hand from the
// pattern. CTest label "huge", run serially (see tests/CMakeLists.txt).
//
// The HugeSizes.* tests at the end are regression tests for three bugs fuzz/
// found with absurd sizes (all fixed); see the comment above each.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "ssrl_ecg/ssrl_ecg.h"

namespace {

constexpr size_t kPeriod = size_t{16} << 20;  // bytes of the repeated pattern

// MemAvailable from /proc/meminfo, in bytes (0 when unknown).
uint64_t available_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  uint64_t kb;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

#define SKIP_UNLESS_MEMORY(bytes)                                                            \
  do {                                                                                       \
    const uint64_t need_ = (bytes) + (uint64_t{1} << 30);                                    \
    const uint64_t have_ = available_bytes();                                                \
    if (have_ != 0 && have_ < need_)                                                         \
      GTEST_SKIP() << "needs " << (need_ >> 20) << " MiB available, have " << (have_ >> 20); \
  } while (0)

// `bytes` of virtual memory holding pattern[i % kPeriod], backed by one
// kPeriod-byte memfd mapped over and over. writable: MAP_PRIVATE, so a write
// copies only the page it touches.
class Repeated {
 public:
  Repeated(const std::vector<uint8_t> &pattern, size_t bytes, bool writable) {
    if (pattern.size() != kPeriod) std::abort();
    fd_ = memfd_create("ssrl_huge_pattern", 0);
    if (fd_ < 0 || ftruncate(fd_, static_cast<off_t>(kPeriod)) != 0) return;
    void *p = mmap(nullptr, kPeriod, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) return;
    std::memcpy(p, pattern.data(), kPeriod);
    munmap(p, kPeriod);
    len_ = (bytes + kPeriod - 1) / kPeriod * kPeriod;
    void *base = mmap(nullptr, len_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return;
    base_ = static_cast<uint8_t *>(base);
    // Read-only copies are populated up front (one call, not 4096 page
    // faults); a private writable one must not be: that would copy every page.
    const int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    const int flags = MAP_FIXED | (writable ? MAP_PRIVATE : MAP_SHARED | MAP_POPULATE);
    for (size_t off = 0; off < len_; off += kPeriod)
      if (mmap(base_ + off, kPeriod, prot, flags, fd_, 0) == MAP_FAILED) {
        munmap(base_, len_);
        base_ = nullptr;
        return;
      }
  }
  ~Repeated() {
    if (base_ != nullptr) munmap(base_, len_);
    if (fd_ >= 0) close(fd_);
  }
  Repeated(const Repeated &) = delete;
  Repeated &operator=(const Repeated &) = delete;
  uint8_t *data() const { return base_; }

 private:
  int fd_ = -1;
  uint8_t *base_ = nullptr;
  size_t len_ = 0;
};

// Anonymous memory, released on scope exit (new[] would zero 6 GiB first).
class Pages {
 public:
  explicit Pages(size_t bytes) : len_(bytes) {
    void *p = mmap(nullptr, len_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t *>(p);
  }
  ~Pages() {
    if (base_ != nullptr) munmap(base_, len_);
  }
  Pages(const Pages &) = delete;
  Pages &operator=(const Pages &) = delete;
  uint8_t *data() const { return base_; }

 private:
  uint8_t *base_;
  size_t len_;
};

std::vector<uint8_t> mask_pattern() {
  std::vector<uint8_t> p(kPeriod);
  for (size_t i = 0; i < kPeriod; ++i)
    p[i] = static_cast<uint8_t>(((i * 2654435761u) >> 13) | 1);  // never 0: masking shows
  return p;
}

// p[0, n) all equal to v?
bool all_equal(const uint8_t *p, size_t n, uint8_t v) {
  static std::vector<uint8_t> ref[2];
  std::vector<uint8_t> &r = ref[v ? 1 : 0];
  if (r.empty()) r.assign(size_t{1} << 20, v);
  for (size_t done = 0; done < n;) {
    const size_t len = std::min(n - done, r.size());
    if (std::memcmp(p + done, r.data(), len) != 0) return false;
    done += len;
  }
  return true;
}

// p[0, n) equal to pattern[(offset + i) % kPeriod]?
bool matches_pattern(const uint8_t *p, uint64_t offset, size_t n, const std::vector<uint8_t> &pat) {
  for (size_t done = 0; done < n;) {
    const size_t at = static_cast<size_t>((offset + done) % kPeriod);
    const size_t len = std::min(n - done, kPeriod - at);
    if (std::memcmp(p + done, pat.data() + at, len) != 0) return false;
    done += len;
  }
  return true;
}

// Merged masked spans [begin, end) of each sample, from ssrl_block_starts.
std::vector<std::vector<std::pair<int64_t, int64_t>>> spans_from_starts(uint64_t seed, int64_t B,
                                                                        int64_t T, double ratio,
                                                                        int64_t bs) {
  int64_t n = 0;
  EXPECT_EQ(ssrl_block_count(T, ratio, bs, &n), SSRL_OK);
  std::vector<int64_t> starts(static_cast<size_t>(B * n));
  EXPECT_EQ(ssrl_block_starts(seed, B, T, ratio, bs, starts.data()), SSRL_OK);
  std::vector<std::vector<std::pair<int64_t, int64_t>>> spans(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    std::vector<int64_t> s(starts.begin() + b * n, starts.begin() + (b + 1) * n);
    std::sort(s.begin(), s.end());
    for (int64_t st : s) {
      const int64_t e = std::min(T, st + bs);
      if (!spans[b].empty() && st <= spans[b].back().second)
        spans[b].back().second = std::max(spans[b].back().second, e);
      else
        spans[b].push_back({st, e});
    }
  }
  return spans;
}

// Checks out [B, C, T] (int8) and mask [B, T] against the spans: masked
// spans zero in every channel, everything else equal to x's pattern.
void check_masked(const uint8_t *out, const uint8_t *mask, int64_t B, int64_t C, int64_t T,
                  const std::vector<std::vector<std::pair<int64_t, int64_t>>> &spans,
                  const std::vector<uint8_t> &pat) {
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t c = -1; c < C; ++c) {  // c = -1: the mask row
      const uint8_t *row = c < 0 ? (mask ? mask + b * T : nullptr) : out + (b * C + c) * T;
      if (row == nullptr) continue;
      const uint64_t row_offset = static_cast<uint64_t>((b * C + c) * T);
      int64_t t = 0;
      for (const auto &sp : spans[b]) {
        if (c < 0)
          ASSERT_TRUE(all_equal(row + t, sp.first - t, 0)) << "mask row " << b;
        else
          ASSERT_TRUE(matches_pattern(row + t, row_offset + t, sp.first - t, pat))
              << "b=" << b << " c=" << c << " gap before " << sp.first;
        ASSERT_TRUE(all_equal(row + sp.first, sp.second - sp.first, c < 0 ? 1 : 0))
            << "b=" << b << " c=" << c << " span " << sp.first << ".." << sp.second;
        t = sp.second;
      }
      if (c < 0)
        ASSERT_TRUE(all_equal(row + t, T - t, 0));
      else
        ASSERT_TRUE(matches_pattern(row + t, row_offset + t, T - t, pat)) << "tail " << t;
    }
  }
}

void run_mask_case(int64_t B, int64_t C, int64_t T, double ratio, int64_t bs, uint64_t seed,
                   bool out_of_place_mask) {
  const size_t bytes = static_cast<size_t>(B * C * T), mask_bytes = static_cast<size_t>(B * T);
  const std::vector<uint8_t> pat = mask_pattern();
  const auto spans = spans_from_starts(seed, B, T, ratio, bs);
  {  // out of place: x read-only, out and (maybe) mask are real memory
    Repeated x(pat, bytes, /*writable=*/false);
    ASSERT_NE(x.data(), nullptr);
    Pages out(bytes), mask(out_of_place_mask ? mask_bytes : 1);
    ASSERT_NE(out.data(), nullptr);
    ASSERT_NE(mask.data(), nullptr);
    uint8_t *m = out_of_place_mask ? mask.data() : nullptr;
    ASSERT_EQ(ssrl_block_mask_cpu(x.data(), out.data(), m, B, C, T, 1, ratio, bs, seed), SSRL_OK);
    check_masked(out.data(), m, B, C, T, spans, pat);
    ASSERT_TRUE(matches_pattern(x.data(), 0, bytes, pat)) << "x changed out of place";
  }
  {  // in place on a copy-on-write x: only the masked pages become real
    Repeated x(pat, bytes, /*writable=*/true);
    ASSERT_NE(x.data(), nullptr);
    Pages mask(mask_bytes);
    ASSERT_NE(mask.data(), nullptr);
    ASSERT_EQ(ssrl_block_mask_cpu(x.data(), x.data(), mask.data(), B, C, T, 1, ratio, bs, seed),
              SSRL_OK);
    check_masked(x.data(), mask.data(), B, C, T, spans, pat);
  }
}

TEST(Huge, MaskOneRowPast2To31) {
  // The row is longer than INT32_MAX: the mask row, the spans and the copied
  // gaps (the last one runs past 2^31) are all addressed with 64-bit offsets.
  const int64_t T = (int64_t{1} << 31) + 7, bs = 4096;
  const double ratio = 0.01;  // 5242 blocks of 4096
  SKIP_UNLESS_MEMORY(uint64_t{2} * static_cast<uint64_t>(T));
  int64_t n = 0;
  ASSERT_EQ(ssrl_block_count(T, ratio, bs, &n), SSRL_OK);
  ASSERT_EQ(n, 5242);
  run_mask_case(1, 1, T, ratio, bs, 2024, /*out_of_place_mask=*/true);
}

TEST(Huge, MaskWholeRowPast2To31) {
  // block_size >= T: one block, one memset of 2^31 + 7 bytes, in place.
  const int64_t T = (int64_t{1} << 31) + 7;
  SKIP_UNLESS_MEMORY(static_cast<uint64_t>(T));
  Repeated x(mask_pattern(), static_cast<size_t>(T), /*writable=*/true);
  ASSERT_NE(x.data(), nullptr);
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), x.data(), nullptr, 1, 1, T, 1, 0.5, T + 1, 3), SSRL_OK);
  EXPECT_TRUE(all_equal(x.data(), static_cast<size_t>(T), 0));
}

TEST(Huge, MaskSixRowsOf2To30) {
  const int64_t B = 2, C = 3, T = int64_t{1} << 30, bs = 65536;
  const double ratio = 0.05;  // 819 blocks per sample
  // Out of place needs out (6 GiB); the mask is checked in place (2 GiB).
  SKIP_UNLESS_MEMORY(static_cast<uint64_t>(B * C * T));
  run_mask_case(B, C, T, ratio, bs, 12345, /*out_of_place_mask=*/false);
}

// y_true [N, 4]: label(n, c) = n & 1. y_prob float16: level(n, c) / 8 with
// level = ((n >> 1) + c) & 7. As flat index i = 4n + c: label = (i >> 2) & 1,
// level = ((i >> 3) + (i & 3)) & 7: periods of 8 and 64 elements, so a
// repeated 16 MiB pattern is exactly this data at every i.
TEST(Huge, ConfusionCountsPast2To31Scores) {
  const int64_t C = 4, N = (int64_t{1} << 29) + 3;  // N * C = 2^31 + 12
  std::vector<uint8_t> labels(kPeriod), probs(kPeriod);
  const uint16_t eighths[8] = {0x0000, 0x3000, 0x3400, 0x3600, 0x3800, 0x3900, 0x3A00, 0x3B00};
  for (size_t i = 0; i < kPeriod; ++i) labels[i] = (i >> 2) & 1;
  for (size_t i = 0; i < kPeriod / 2; ++i) {
    const uint16_t h = eighths[((i >> 3) + (i & 3)) & 7];
    std::memcpy(&probs[2 * i], &h, 2);
  }
  Repeated y(labels, static_cast<size_t>(N * C), false),
      p(probs, static_cast<size_t>(N * C) * 2, false);
  ASSERT_NE(y.data(), nullptr);
  ASSERT_NE(p.data(), nullptr);
  // Thresholds (unsorted) and the lowest level predicted positive at each
  // (8: none); 0.3 is not a float16, its rounding lies between 2/8 and 3/8.
  const std::vector<double> th = {0.5, 0.0, 0.3, 1.0, -INFINITY, 0.875, 0.0625};
  const int min_level[] = {4, 0, 3, 8, 0, 7, 1};
  const int64_t K = static_cast<int64_t>(th.size());
  std::vector<int64_t> counts(static_cast<size_t>(C * K * 4), -1);
  ASSERT_EQ(ssrl_confusion_counts_cpu(y.data(), p.data(), SSRL_FLOAT16, N, C, th.data(), K,
                                      counts.data()),
            SSRL_OK);
  // Rows pair up as n = 2m (negative) and 2m + 1 (positive), both at level
  // (m + c) & 7: count the m in [0, M) with that level >= L.
  auto at_least = [](int64_t M, int64_t c, int L) {
    int64_t k = (M / 8) * (8 - L);
    for (int64_t m = M / 8 * 8; m < M; ++m) k += ((m + c) & 7) >= L;
    return k;
  };
  const int64_t pos = N / 2, neg = N - N / 2;  // odd rows, even rows
  for (int64_t c = 0; c < C; ++c)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t tp = at_least(pos, c, min_level[k]), fp = at_least(neg, c, min_level[k]);
      const int64_t *q = &counts[static_cast<size_t>((c * K + k) * 4)];
      EXPECT_EQ(q[0], tp) << "TP c=" << c << " th=" << th[k];
      EXPECT_EQ(q[1], fp) << "FP c=" << c << " th=" << th[k];
      EXPECT_EQ(q[2], neg - fp) << "TN c=" << c << " th=" << th[k];
      EXPECT_EQ(q[3], pos - tp) << "FN c=" << c << " th=" << th[k];
    }
}

// ---- bugs found by fuzz/ -------------------------------------------------------

// ssrl_block_starts used to loop over every sample even with nothing to draw
// (n_blocks == 0 for mask_ratio <= 0): B = 2^62 with ratio 0 and starts = NULL
// is a valid, empty call that never returned (fuzz_block_starts: timeout; and
// NULL + 0 in `starts + b * n`, which UBSan reports). Fixed; the child gets 10 s.
TEST(HugeSizes, StartsWithNoBlocksReturnsAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        alarm(10);
        const ssrl_status st = ssrl_block_starts(1, int64_t{1} << 62, 100, 0.0, 10, nullptr);
        std::_Exit(st == SSRL_OK ? 0 : 100 + st);
      },
      testing::ExitedWithCode(0), "");
}

// ssrl_block_mask_cpu used not to check that the mask's B * T fits: with
// C == 0 the data is empty, so B * C * T passed, and B * T overflowed.
// B = 2^33, T = 2^31 wrapped to 0 and the call "succeeded" without writing the
// mask; B = INT64_MAX, T = 26 wrapped to a non-zero value and the library wrote
// mask rows far past any buffer (fuzz_block_mask: heap-buffer-overflow).
// Fixed: SSRL_ERR_SHAPE.
TEST(HugeSizes, MaskProductOverflowIsAShapeError) {
  uint8_t mask[32] = {0};
  EXPECT_EQ(ssrl_block_mask_cpu(nullptr, nullptr, mask, int64_t{1} << 33, 0, int64_t{1} << 31, 1,
                                0.5, int64_t{1} << 40, 7),
            SSRL_ERR_SHAPE);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {  // in a child: the bug writes past the buffer
        uint8_t *m = new uint8_t[26];
        const ssrl_status st =
            ssrl_block_mask_cpu(nullptr, nullptr, m, INT64_MAX, 0, 26, 1, 1.0, 336, 0);
        std::_Exit(st);
      },
      testing::ExitedWithCode(SSRL_ERR_SHAPE), "");
}

// ssrl_confusion_counts_cpu used to compute 2 * (K + 1) before any check that
// used C: with C == 0 and K >= 2^62 that is a signed overflow (UB: UBSan aborts
// in the sanitizer build; fuzz_confusion_counts found it in seconds). Fixed:
// whatever the status, it must come without UB.
TEST(HugeSizes, CountsHugeKWithNoClassesHasNoOverflow) {
  const ssrl_status st = ssrl_confusion_counts_cpu(nullptr, nullptr, SSRL_FLOAT32, 0, 0, nullptr,
                                                   INT64_MAX - 1, nullptr);
  EXPECT_TRUE(st == SSRL_ERR_NULL_POINTER || st == SSRL_ERR_SHAPE) << ssrl_status_string(st);
}

}  // namespace
