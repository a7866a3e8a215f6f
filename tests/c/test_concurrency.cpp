// Every CPU entry point called from 8 std::threads at once, many times over,
// on varied inputs (every element size and dtype, error cases, and sizes on
// both sides of the cut-offs (1 MiB of mask data for threads, 4 MiB for streaming
// stores, 2^22 scores), so
// the library's own thread teams nest inside ours): each result, status and
// output bytes, must equal the one a serial call gave before the threads
// started. The library keeps no global state, so this holds by construction;
// the test keeps it that way. The calls past the cut-offs ("heavy") run once
// in two of the threads, so the test stays a few seconds under valgrind.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "scores.h"
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

constexpr int kThreads = 8;
constexpr int kRounds = 12;

// One call and the bytes it produces (status first).
struct Call {
  std::function<std::vector<uint8_t>()> run;
  bool heavy = false;  // past an OpenMP cut-off
};

std::vector<uint8_t> with_status(ssrl_status st, const void *p, size_t n) {
  std::vector<uint8_t> out(sizeof st + n);
  std::memcpy(out.data(), &st, sizeof st);
  if (n) std::memcpy(out.data() + sizeof st, p, n);
  return out;
}

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(rng() | 1);
  return v;
}

struct MaskCase {
  int64_t B, C, T;
  size_t es;
  double ratio;
  int64_t bs;
  uint64_t seed;
};

// Inputs shared read-only by every thread; outputs are per call.
struct Inputs {
  std::vector<std::vector<uint8_t>> mask_x;
  std::vector<scores::Data> data;
  std::vector<std::vector<uint8_t>> probs;  // data[i] encoded as dtypes[i]
  std::vector<ssrl_dtype> dtypes;
  std::vector<int64_t> N, C;
  std::vector<double> thresholds{0.5, 0.0, 1.0, 0.25, 0.75, -1.0, 0.5, 0.125};
};

std::vector<Call> make_calls(Inputs &in) {
  std::vector<Call> calls;
  // Block mask: out of place with mask, in place without (on a private copy),
  // small and past the threading and streaming cut-offs, every element size, errors.
  const MaskCase masks[] = {{3, 4, 257, 1, 0.3, 16, 99},
                            {2, 12, 5000, 4, 0.15, 50, 1},
                            {2, 4, 131073, 8, 0.15, 50, 2024} /* 8 MiB + 64 bytes, 8 rows */,
                            {4, 3, 769, 8, 0.5, 7, 1ull << 40},
                            {5, 1, 1000, 2, 0.6, 3, 7},
                            {2, 3, 20, 4, 0.5, 50, 3},
                            {3, 2, 100, 4, 0.0, 10, 1},
                            {0, 12, 5000, 4, 0.15, 50, 1},
                            {3, 0, 100, 4, 0.2, 10, 5},
                            {2, 2, 10, 3, 0.5, 2, 0} /* bad elem_size */,
                            {2, 2, 10, 4, 1.5, 2, 0} /* bad ratio */};
  for (const MaskCase &m : masks) {
    const size_t n = static_cast<size_t>(m.B * m.C * m.T) * m.es;
    in.mask_x.push_back(random_bytes(n, static_cast<uint32_t>(m.seed)));
    const std::vector<uint8_t> *x = &in.mask_x.back();
    const bool heavy = n >= (size_t{1} << 23);
    calls.push_back({[m, x, n] {
                       std::vector<uint8_t> out(n + 1, 0xAB),
                           mask(static_cast<size_t>(m.B * m.T) + 1, 7);
                       ssrl_status st = ssrl_block_mask_cpu(x->data(), out.data(), mask.data(), m.B,
                                                            m.C, m.T, m.es, m.ratio, m.bs, m.seed);
                       std::vector<uint8_t> r = with_status(st, out.data(), out.size());
                       r.insert(r.end(), mask.begin(), mask.end());
                       return r;
                     },
                     heavy});
    calls.push_back({[m, x, n] {
                       std::vector<uint8_t> buf = *x;
                       ssrl_status st = ssrl_block_mask_cpu(buf.data(), buf.data(), nullptr, m.B,
                                                            m.C, m.T, m.es, m.ratio, m.bs, m.seed);
                       return with_status(st, buf.data(), n);
                     },
                     heavy});
    calls.push_back({[m] {
      int64_t n_blocks = -1;
      ssrl_status st = ssrl_block_count(m.T, m.ratio, m.bs, &n_blocks);
      std::vector<int64_t> starts(static_cast<size_t>(m.B * (n_blocks > 0 ? n_blocks : 0)) + 1, -1);
      ssrl_status st2 = ssrl_block_starts(m.seed, m.B, m.T, m.ratio, m.bs, starts.data());
      std::vector<uint8_t> r = with_status(st, &n_blocks, sizeof n_blocks);
      std::vector<uint8_t> r2 = with_status(st2, starts.data(), starts.size() * sizeof(int64_t));
      r.insert(r.end(), r2.begin(), r2.end());
      return r;
    }});
  }
  // Confusion counts and AUROC: every dtype, small and past the 2^22-score
  // parallel cut-off, ties, one-label classes, bad values.
  struct ScoreCase {
    int64_t N, C;
    int levels;
    ssrl_dtype dtype;
    int bad;  // 0: none, 1: a label 2, 2: a NaN score
  };
  const ScoreCase cases[] = {{503, 7, 9, SSRL_FLOAT32, 0},    {6001, 12, 200, SSRL_FLOAT64, 0},
                             {97, 71, 20, SSRL_BFLOAT16, 0},  {2048, 9, 5, SSRL_FLOAT16, 0},
                             {1, 3, 2, SSRL_FLOAT32, 0},      {0, 4, 2, SSRL_FLOAT64, 0},
                             {300, 5, 33, SSRL_FLOAT32, 1},   {300, 5, 33, SSRL_BFLOAT16, 2},
                             {349526, 12, 97, SSRL_FLOAT32, 0} /* 2^22 + 8 scores */};
  for (const ScoreCase &sc : cases) {
    scores::Data d = scores::random_data(sc.N, sc.C, sc.levels, static_cast<uint32_t>(sc.N + sc.C));
    if (sc.bad == 1 && sc.N > 0) d.y[d.y.size() / 2] = 2;
    if (sc.bad == 2 && sc.N > 0) d.p[d.p.size() / 3] = NAN;
    in.data.push_back(d);
    in.probs.push_back(scores::encode(d.p, sc.dtype));
    const scores::Data *dp = &in.data.back();
    const std::vector<uint8_t> *pp = &in.probs.back();
    const std::vector<double> *th = &in.thresholds;
    const bool heavy = sc.N * sc.C >= (int64_t{1} << 20);
    calls.push_back({[sc, dp, pp, th] {
                       const int64_t K = static_cast<int64_t>(th->size());
                       std::vector<int64_t> counts(static_cast<size_t>(sc.C * K * 4) + 1, -1);
                       ssrl_status st =
                           ssrl_confusion_counts_cpu(dp->y.data(), pp->data(), sc.dtype, sc.N, sc.C,
                                                     th->data(), K, counts.data());
                       return with_status(st, counts.data(), counts.size() * sizeof(int64_t));
                     },
                     heavy});
    calls.push_back({[sc, dp, pp] {
                       std::vector<double> auroc(static_cast<size_t>(sc.C) + 1, 7.0);
                       ssrl_status st = ssrl_auroc_cpu(dp->y.data(), pp->data(), sc.dtype, sc.N,
                                                       sc.C, auroc.data());
                       return with_status(st, auroc.data(), auroc.size() * sizeof(double));
                     },
                     heavy});
  }
  calls.push_back({[] {
    std::string all;
    for (int s = -1; s <= SSRL_STATUS_COUNT_; ++s)
      all += ssrl_status_string(static_cast<ssrl_status>(s));
    return std::vector<uint8_t>(all.begin(), all.end());
  }});
  return calls;
}

TEST(Concurrency, EightThreadsEveryEntryPointMatchSerial) {
  Inputs in;
  in.mask_x.reserve(64);  // the calls keep pointers into these vectors
  in.data.reserve(64);
  in.probs.reserve(64);
  const std::vector<Call> calls = make_calls(in);
  std::vector<std::vector<uint8_t>> serial;
  for (const Call &c : calls) serial.push_back(c.run());

  // Every thread runs every call kRounds times (a heavy one: once, in threads 0
  // and 4), each from its own offset and stride, so different entry points
  // overlap in time; a gate starts them together.
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  std::atomic<int> mismatches{0};
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return go; });
      }
      const size_t n = calls.size();
      for (int round = 0; round < kRounds; ++round)
        for (size_t k = 0; k < n; ++k) {
          const size_t i = (static_cast<size_t>(t) * 7 + k * (t % 2 ? 1 : n - 1) + round) % n;
          if (calls[i].heavy && (round > 0 || t % 4 != 0)) continue;
          if (calls[i].run() != serial[i]) {
            mismatches.fetch_add(1);
            std::lock_guard<std::mutex> lock(mu);
            failures.push_back("thread " + std::to_string(t) + " round " + std::to_string(round) +
                               " call " + std::to_string(i));
          }
        }
    });
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    go = true;
  }
  cv.notify_all();
  for (std::thread &th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
  for (size_t i = 0; i < failures.size() && i < 20; ++i) ADD_FAILURE() << failures[i];
}

TEST(Concurrency, SerialResultsAreTheExpectedOnes) {
  // The comparison above is only as good as the serial results: spot-check
  // that they are successes and errors where they should be.
  Inputs in;
  in.mask_x.reserve(64);
  in.data.reserve(64);
  in.probs.reserve(64);
  const std::vector<Call> calls = make_calls(in);
  auto status_of = [](const std::vector<uint8_t> &r) {
    ssrl_status st;
    std::memcpy(&st, r.data(), sizeof st);
    return st;
  };
  EXPECT_EQ(status_of(calls[0].run()), SSRL_OK);                             // first mask case
  EXPECT_EQ(status_of(calls[9 * 3].run()), SSRL_ERR_DTYPE);                  // elem_size 3
  EXPECT_EQ(status_of(calls[10 * 3 + 1].run()), SSRL_ERR_INVALID_ARGUMENT);  // ratio 1.5
  const size_t scores0 = 11 * 3;
  EXPECT_EQ(status_of(calls[scores0].run()), SSRL_OK);
  EXPECT_EQ(status_of(calls[scores0 + 2 * 6].run()), SSRL_ERR_LABEL_VALUE);
  EXPECT_EQ(status_of(calls[scores0 + 2 * 7 + 1].run()), SSRL_ERR_NAN_SCORE);
  int heavy = 0;
  for (const Call &c : calls) heavy += c.heavy;
  EXPECT_EQ(heavy, 2 + 2) << "one mask case and one score case past the OpenMP cut-offs";
}

}  // namespace
