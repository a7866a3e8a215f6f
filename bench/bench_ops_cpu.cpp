// bench_ops_cpu: Google Benchmark over every CPU entry point, beside memcpy of
// the same bytes (the bandwidth ceiling a masking pass can reach); the mask and
// memcpy also with cold inputs (*_cold: rotated over copies >= 256 MiB).
//   cmake -S . -B build -DSSRL_BUILD_BENCH=ON && cmake --build build -j
//   ./build/bench/bench_ops_cpu --benchmark_counters_tabular=true
// Shapes: mask [B, 12, T] float32; scores [N, C] float32.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "ssrl_ecg/ssrl_ecg.h"

namespace {

std::vector<float> random_floats(size_t n) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto &f : v) f = u(rng);
  return v;
}

void set_bytes(benchmark::State &state, double bytes_per_iter) {
  state.counters["GB/s"] = benchmark::Counter(bytes_per_iter, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

// Copies of x totalling >= 256 MiB for the "cold" cases: each call takes the next,
// so it reads memory no recent call has cached, as a training step does.
std::vector<std::vector<float>> rotation(size_t n) {
  const size_t bytes = n * sizeof(float);
  const size_t copies = std::min<size_t>(64, std::max<size_t>(2, ((256u << 20) + bytes - 1) / bytes));
  std::vector<std::vector<float>> xs(copies, random_floats(n));
  return xs;
}

void BM_memcpy(benchmark::State &state) {
  const int64_t B = state.range(0), C = 12, T = state.range(1);
  std::vector<float> x = random_floats(B * C * T), out(x.size());
  for (auto _ : state) {
    std::memcpy(out.data(), x.data(), x.size() * 4);
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2.0 * x.size() * 4);
}

void BM_block_mask_cpu(benchmark::State &state) {
  const int64_t B = state.range(0), C = 12, T = state.range(1);
  const bool inplace = state.range(2) != 0;
  std::vector<float> x = random_floats(B * C * T), out(x.size());
  std::vector<uint8_t> mask(B * T);
  uint64_t seed = 0;
  for (auto _ : state) {
    float *dst = inplace ? x.data() : out.data();
    if (ssrl_block_mask_cpu(x.data(), dst, mask.data(), B, C, T, 4, 0.15, 50, seed++) != SSRL_OK)
      state.SkipWithError("ssrl_block_mask_cpu failed");
    benchmark::ClobberMemory();
  }
  // bytes a copy would move; in place moves far less, so its "GB/s" reads as copy-equivalent
  set_bytes(state, 2.0 * x.size() * 4);
}

// The same two with cold inputs (the output buffer stays warm: no page faults).
void BM_memcpy_cold(benchmark::State &state) {
  const int64_t B = state.range(0), C = 12, T = state.range(1);
  auto xs = rotation(static_cast<size_t>(B * C * T));
  std::vector<float> out(xs[0].size());
  size_t i = 0;
  for (auto _ : state) {
    std::memcpy(out.data(), xs[i++ % xs.size()].data(), out.size() * 4);
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2.0 * out.size() * 4);
}

void BM_block_mask_cpu_cold(benchmark::State &state) {
  const int64_t B = state.range(0), C = 12, T = state.range(1);
  const bool inplace = state.range(2) != 0;
  auto xs = rotation(static_cast<size_t>(B * C * T));
  std::vector<float> out(xs[0].size());
  std::vector<uint8_t> mask(B * T);
  uint64_t seed = 0;
  for (auto _ : state) {
    float *x = xs[seed % xs.size()].data();
    if (ssrl_block_mask_cpu(x, inplace ? x : out.data(), mask.data(), B, C, T, 4, 0.15, 50,
                            seed++) != SSRL_OK)
      state.SkipWithError("ssrl_block_mask_cpu failed");
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2.0 * out.size() * 4);
}

// span_mask with cold inputs, ratio 0.5, span 50: range(2) = per_lead, range(3) = exact
// (per_lead, exact) = (0, 0) goes to block_mask; every other case to span_rows.
void BM_span_mask_cpu_cold(benchmark::State &state) {
  const int64_t B = state.range(0), C = 12, T = state.range(1);
  const int per_lead = static_cast<int>(state.range(2)), exact = static_cast<int>(state.range(3));
  auto xs = rotation(static_cast<size_t>(B * C * T));
  std::vector<float> out(xs[0].size());
  std::vector<uint8_t> mask((per_lead ? B * C : B) * T);
  uint64_t seed = 0;
  for (auto _ : state) {
    float *x = xs[seed % xs.size()].data();
    if (ssrl_span_mask_cpu(x, out.data(), mask.data(), B, C, T, 4, 0.5, 50, per_lead, exact,
                           nullptr, seed++) != SSRL_OK)
      state.SkipWithError("ssrl_span_mask_cpu failed");
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2.0 * out.size() * 4);
}

void BM_confusion_counts_cpu(benchmark::State &state) {
  const int64_t N = state.range(0), C = state.range(1), K = state.range(2);
  std::vector<float> p = random_floats(N * C);
  std::vector<uint8_t> y(N * C);
  for (size_t i = 0; i < y.size(); ++i) y[i] = p[i] > 0.7f;
  std::vector<double> th(K);
  for (int64_t k = 0; k < K; ++k) th[k] = (k + 0.5) / K;
  std::vector<int64_t> counts(C * K * 4);
  for (auto _ : state)
    if (ssrl_confusion_counts_cpu(y.data(), p.data(), SSRL_FLOAT32, N, C, th.data(), K,
                                  counts.data()) != SSRL_OK)
      state.SkipWithError("ssrl_confusion_counts_cpu failed");
  set_bytes(state, 5.0 * N * C);
}

void BM_auroc_cpu(benchmark::State &state) {
  const int64_t N = state.range(0), C = state.range(1);
  std::vector<float> p = random_floats(N * C);
  std::vector<uint8_t> y(N * C);
  for (size_t i = 0; i < y.size(); ++i) y[i] = (p[i] + (i % 3) * 0.1f) > 0.7f;
  std::vector<double> auroc(C);
  for (auto _ : state)
    if (ssrl_auroc_cpu(y.data(), p.data(), SSRL_FLOAT32, N, C, auroc.data()) != SSRL_OK)
      state.SkipWithError("ssrl_auroc_cpu failed");
  set_bytes(state, 5.0 * N * C);
}

}  // namespace

BENCHMARK(BM_memcpy)->Args({64, 1000})->Args({256, 5000})->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_block_mask_cpu)
    ->ArgsProduct({{64, 256}, {1000, 5000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_memcpy_cold)->Args({64, 1000})->Args({256, 5000})->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_block_mask_cpu_cold)
    ->ArgsProduct({{64, 256}, {1000, 5000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_span_mask_cpu_cold)
    ->ArgsProduct({{64, 256}, {1000, 5000}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_confusion_counts_cpu)
    ->Args({21837, 71, 1})
    ->Args({1000000, 71, 1})
    ->Args({1000000, 5, 100})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_auroc_cpu)->Args({21837, 71})->Args({1000000, 71})->Args({1000000, 5})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_MAIN();
