// ops/block_copy.c against memcpy and memset: every length 0..600 (around the
// vector loop's 32- and 128-byte steps and its head to a 32-byte boundary),
// every destination offset in a 64-byte line, sources off by odd amounts,
// both paths; guard bytes either side stay untouched. The select against a
// plain element loop: every element size, every length 0..300 (below, at and
// past one and two vectors, so every tail), offsets, masks of every density,
// zeros or a value, out of place and in place. And the decision: the
// vector path exactly where the CPU has AVX2, unless SSRL_ECG_PORTABLE_COPY
// says otherwise. The source is compiled into this test (its symbols are
// hidden in the library).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <random>
#include <vector>

#include "block_copy.h"

namespace {

bool cpu_has_avx2() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

std::vector<int> paths() {
  std::vector<int> p{0};
  if (cpu_has_avx2()) p.push_back(1);
  return p;
}

TEST(BlockCopy, MatchesMemcpyAndMemsetAtEveryLengthAndOffset) {
  std::mt19937 rng(3);
  std::vector<uint8_t> src(600 + 128);
  for (auto &v : src) v = static_cast<uint8_t>(rng() % 255 + 1);  // never 0 or the guard
  for (int vector : paths())
    for (size_t n = 1; n <= 600; ++n)
      for (size_t dst_off = 0; dst_off < 64; ++dst_off)
        for (size_t src_off : {0u, 1u, 3u, 17u, 32u, 63u}) {
          alignas(64) uint8_t buf[600 + 192];
          std::memset(buf, 0xEE, sizeof buf);
          uint8_t *dst = buf + 64 + dst_off;
          ssrl_block_copy(dst, src.data() + src_off, n, vector);
          ASSERT_EQ(std::memcmp(dst, src.data() + src_off, n), 0)
              << "copy n=" << n << " dst_off=" << dst_off << " src_off=" << src_off
              << " vector=" << vector;
          for (size_t i = 0; i < 64 + dst_off; ++i) ASSERT_EQ(buf[i], 0xEE);
          for (size_t i = 64 + dst_off + n; i < sizeof buf; ++i) ASSERT_EQ(buf[i], 0xEE);
          if (src_off != 0) continue;
          ssrl_block_zero(dst, n, vector);
          for (size_t i = 0; i < n; ++i) ASSERT_EQ(dst[i], 0) << "zero n=" << n << " at " << i;
          for (size_t i = 0; i < 64 + dst_off; ++i) ASSERT_EQ(buf[i], 0xEE);
          for (size_t i = 64 + dst_off + n; i < sizeof buf; ++i) ASSERT_EQ(buf[i], 0xEE);
        }
}

// The plain reference: element i of dst is value (zeros when NULL) where mask[i]
// is non-zero, src's element i elsewhere.
std::vector<uint8_t> naive_select(const uint8_t *src, const uint8_t *mask, size_t T, size_t es,
                                  const uint8_t *value) {
  std::vector<uint8_t> out(T * es);
  for (size_t i = 0; i < T; ++i)
    for (size_t k = 0; k < es; ++k) out[i * es + k] = mask[i] ? (value ? value[k] : 0) : src[i * es + k];
  return out;
}

TEST(BlockCopy, SelectMatchesAnElementLoopForEverySizeLengthMaskAndValue) {
  std::mt19937 rng(5);
  const uint8_t value[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  for (int vector : paths())
    for (size_t es : {1u, 2u, 4u, 8u})
      for (size_t T = 0; T <= 300; ++T)
        for (int density : {0, 1, 50, 99, 100})  // percent of elements masked
          for (size_t off : {0u, 1u, 7u}) {  // elements off a 64-byte line (bytes: off * es)
            // exact sizes (src from element off on): an over-read is a heap
            // overflow under the sanitizer build (scripts/hardening.sh)
            std::vector<uint8_t> src((off + T) * es), mask(T);
            for (auto &v : src) v = static_cast<uint8_t>(rng() % 255 + 1);
            for (size_t i = 0; i < T; ++i) mask[i] = static_cast<int>(rng() % 100) < density;
            for (const uint8_t *v : {static_cast<const uint8_t *>(nullptr), value}) {
              const std::vector<uint8_t> want = naive_select(src.data() + off * es, mask.data(), T, es, v);
              alignas(64) uint8_t buf[(300 + 32) * 8 + 128];
              std::memset(buf, 0xEE, sizeof buf);
              uint8_t *dst = buf + 64 + off * es;
              ssrl_block_select(dst, src.data() + off * es, mask.data(), T, es, v, vector);
              ASSERT_TRUE(std::equal(want.begin(), want.end(), dst))
                  << "es=" << es << " T=" << T << " density=" << density << " off=" << off
                  << " value=" << (v != nullptr) << " vector=" << vector;
              for (size_t i = 0; i < 64 + off * es; ++i) ASSERT_EQ(buf[i], 0xEE);
              for (size_t i = 64 + (off + T) * es; i < sizeof buf; ++i) ASSERT_EQ(buf[i], 0xEE);
              // in place: the same bytes, guards untouched
              std::copy(src.begin() + off * es, src.begin() + (off + T) * es, dst);
              ssrl_block_select(dst, dst, mask.data(), T, es, v, vector);
              ASSERT_TRUE(std::equal(want.begin(), want.end(), dst))
                  << "in place es=" << es << " T=" << T << " density=" << density;
              for (size_t i = 0; i < 64 + off * es; ++i) ASSERT_EQ(buf[i], 0xEE);
              for (size_t i = 64 + (off + T) * es; i < sizeof buf; ++i) ASSERT_EQ(buf[i], 0xEE);
            }
          }
}

TEST(BlockCopy, VectorPathWhereTheCpuHasAvx2UnlessTheEnvironmentSaysPortable) {
  const char *saved = std::getenv("SSRL_ECG_PORTABLE_COPY");
  const std::string keep = saved ? saved : "";
  const int want = cpu_has_avx2() ? 1 : 0;
  unsetenv("SSRL_ECG_PORTABLE_COPY");
  EXPECT_EQ(ssrl_block_copy_decide(), want);
  setenv("SSRL_ECG_PORTABLE_COPY", "0", 1);
  EXPECT_EQ(ssrl_block_copy_decide(), want);
  setenv("SSRL_ECG_PORTABLE_COPY", "", 1);
  EXPECT_EQ(ssrl_block_copy_decide(), want);
  setenv("SSRL_ECG_PORTABLE_COPY", "1", 1);
  EXPECT_EQ(ssrl_block_copy_decide(), 0);
  setenv("SSRL_ECG_PORTABLE_COPY", "yes", 1);
  EXPECT_EQ(ssrl_block_copy_decide(), 0);
  if (saved) setenv("SSRL_ECG_PORTABLE_COPY", keep.c_str(), 1);
  else unsetenv("SSRL_ECG_PORTABLE_COPY");
  // the cached answer is the first call's, whatever the environment does next
  const int first = ssrl_block_copy_vector();
  setenv("SSRL_ECG_PORTABLE_COPY", first ? "1" : "0", 1);
  EXPECT_EQ(ssrl_block_copy_vector(), first);
  if (saved) setenv("SSRL_ECG_PORTABLE_COPY", keep.c_str(), 1);
  else unsetenv("SSRL_ECG_PORTABLE_COPY");
}

}  // namespace
