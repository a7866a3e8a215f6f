// 64-bit indexing of the new masks: span_mask and lead_mask over more than 2^31
// elements, where an int32 offset anywhere would wrap (label "huge", serial;
// about 4 GiB, skipped with the reason when the machine has less available).
//
//   span_mask(exact) [1, 1, 2^31 + 7] int8 in place: exactly n * span masked
//                    steps, x zero exactly where the mask says, spans past 2^31
//   lead_mask(exact) [2, 2, 2^29 + 5] int8 in place: 2^31 + 20 elements, the
//                    dropped rows (offsets past 2^31) zero, the others intact
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "ssrl_ecg/ssrl_ecg.h"

namespace {

uint64_t available_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  uint64_t kb;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

#define SKIP_UNLESS(bytes)                                                                  \
  do {                                                                                      \
    const uint64_t need_ = (bytes) + (uint64_t{1} << 30), have_ = available_bytes();        \
    if (have_ != 0 && have_ < need_)                                                        \
      GTEST_SKIP() << "needs " << (need_ >> 20) << " MiB available, have " << (have_ >> 20); \
  } while (0)

TEST(MaskingHuge, ExactSpansInOneRowPast2To31) {
  const int64_t T = (int64_t{1} << 31) + 7, span = 4096;
  const double ratio = 0.01;
  SKIP_UNLESS(2 * static_cast<uint64_t>(T));
  int64_t n = 0;
  ASSERT_EQ(ssrl_span_count(T, ratio, span, 1, &n), SSRL_OK);
  ASSERT_EQ(n, 5243);  // round(2^31 * 0.01 / 4096 + tiny) = round(5242.88)
  std::vector<uint8_t> x(static_cast<size_t>(T), 1), mask(static_cast<size_t>(T), 7);
  ASSERT_EQ(ssrl_span_mask_cpu(x.data(), x.data(), mask.data(), 1, 1, T, 1, ratio, span, 0, 1,
                               nullptr, 99),
            SSRL_OK);
  int64_t masked = 0;
  for (int64_t t = 0; t < T; ++t) {
    ASSERT_LE(mask[t], 1);
    ASSERT_EQ(x[t], mask[t] ? 0 : 1) << t;
    masked += mask[t];
  }
  EXPECT_EQ(masked, n * span);
}

TEST(MaskingHuge, LeadsPast2To31) {
  const int64_t B = 2, C = 2, T = (int64_t{1} << 29) + 5;
  SKIP_UNLESS(static_cast<uint64_t>(B * C * T));
  std::vector<uint8_t> x(static_cast<size_t>(B * C * T), 3), dropped(4, 7);
  ASSERT_EQ(ssrl_lead_mask_cpu(x.data(), x.data(), dropped.data(), B, C, T, 1, 0.5, 1, 5),
            SSRL_OK);
  for (int64_t b = 0; b < B; ++b) EXPECT_EQ(dropped[b * C] + dropped[b * C + 1], 1);
  for (int64_t r = 0; r < B * C; ++r) {
    const uint8_t want = dropped[r] ? 0 : 3;
    const uint8_t *row = x.data() + r * T;
    EXPECT_EQ(row[0], want);
    EXPECT_EQ(row[T - 1], want);
    EXPECT_EQ(std::memcmp(row, row + 1, static_cast<size_t>(T - 1)), 0) << "row " << r;
  }
}

}  // namespace
