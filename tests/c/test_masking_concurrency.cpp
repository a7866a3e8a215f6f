// The new mask entry points called from 8 threads at once (each with its own
// outputs, every other call in place) give exactly the serial results: no
// shared state, no scratch reused across calls, OpenMP nested inside callers'
// threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "ssrl_ecg/ssrl_ecg.h"

namespace {

struct Results {
  std::vector<float> span_out, lead_out;
  std::vector<uint8_t> span_mask, dropped;
  std::vector<int64_t> keep, restore;
  std::vector<float> tmask;
};

constexpr int64_t B = 8, C = 12, T = 3000, L = 30, kKeep = 7;

Results run(const std::vector<float> &x, uint64_t seed, bool in_place) {
  Results r;
  r.span_out = in_place ? x : std::vector<float>(x.size());
  r.lead_out = in_place ? x : std::vector<float>(x.size());
  r.span_mask.resize(B * C * T);
  r.dropped.resize(B * C);
  r.keep.resize(B * C * kKeep);
  r.restore.resize(B * C * L);
  r.tmask.resize(B * C * L);
  const float fill[C] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const float *src = in_place ? r.span_out.data() : x.data();
  EXPECT_EQ(ssrl_span_mask_cpu(src, r.span_out.data(), r.span_mask.data(), B, C, T, 4, 0.4, 25,
                               1, 1, fill, seed),
            SSRL_OK);
  src = in_place ? r.lead_out.data() : x.data();
  EXPECT_EQ(ssrl_lead_mask_cpu(src, r.lead_out.data(), r.dropped.data(), B, C, T, 4, 0.3, 1, seed),
            SSRL_OK);
  EXPECT_EQ(ssrl_token_mask_cpu(B * C, L, 0.75, seed, r.keep.data(), r.restore.data(),
                                r.tmask.data()),
            SSRL_OK);
  return r;
}

TEST(MaskingConcurrency, EightThreadsEqualSerial) {
  std::vector<float> x(B * C * T);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 1.0f + static_cast<float>(i % 101);
  std::vector<Results> serial, parallel(8);
  for (int k = 0; k < 8; ++k) serial.push_back(run(x, 1000 + k, false));
  std::vector<std::thread> threads;
  for (int k = 0; k < 8; ++k)
    threads.emplace_back([&, k] { parallel[k] = run(x, 1000 + k, k % 2 == 1); });
  for (auto &t : threads) t.join();
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(parallel[k].span_out, serial[k].span_out) << k;
    EXPECT_EQ(parallel[k].span_mask, serial[k].span_mask) << k;
    EXPECT_EQ(parallel[k].lead_out, serial[k].lead_out) << k;
    EXPECT_EQ(parallel[k].dropped, serial[k].dropped) << k;
    EXPECT_EQ(parallel[k].keep, serial[k].keep) << k;
    EXPECT_EQ(parallel[k].restore, serial[k].restore) << k;
    EXPECT_EQ(parallel[k].tmask, serial[k].tmask) << k;
  }
  EXPECT_NE(serial[0].span_mask, serial[1].span_mask);  // seeds differ: so do masks
}

}  // namespace
