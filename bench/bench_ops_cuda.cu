/*
 * bench_ops_cuda.cu: llm.c-style harness for the CUDA entry points.
 *
 * For every case it first checks the GPU result against the CPU entry point,
 * bit for bit, and exits 1 on a mismatch; only then does it time the kernel.
 *
 *   ssrl_block_mask_cuda        x [B, 12, T] float32, mask_ratio 0.15, block 50:
 *                               out of place with and without the mask, in place
 *                               with and without the mask; [256,12,5000], [64,12,1000];
 *                               long recordings [4,1,2^24] block 5, [1,12,2^24] block 50
 *                               (more blocks than a tile: the bucketed path)
 *   ssrl_confusion_counts_cuda  y_true [N, 71] uint8, y_prob [N, 71] float32,
 *                               K = 1 (0.5) and K = 100 (k / 99); N = 1e6, 21837
 *   ssrl_auroc_cuda             the same inputs
 *
 * Timing: warm-up launches, then rounds of back-to-back launches between two
 * CUDA events; the median of the rounds' per-launch means is printed. Each
 * launch uses the next of several copies of the inputs (together at least 3x
 * the L2 cache), so every launch reads cold memory, as in training.
 *
 * Beside each case: GB/s and the fraction of the copy bandwidth, that of
 * cudaMemcpyAsync device-to-device measured in this run on buffers of the
 * case's size (bytes moved = 2 x the bytes copied). Bytes per case:
 *   block mask out of place  2 x x bytes (+ B*T with the mask)
 *   block mask in place      the same, "copy-equivalent": in place writes only
 *                            the masked spans, so above 100% is possible
 *   counts, auroc            the inputs read once: N*C*(4 + 1)
 *
 * Streams: everything (uploads, fills, ops, downloads) is queued on one
 * non-blocking stream, and the host reads results only after
 * cudaStreamSynchronize on it (to_device / to_host / fill below).
 *
 * Build and run (the bench target exists where nvcc was found):
 *   cmake -S . -B build -DSSRL_BUILD_BENCH=ON && cmake --build build -j --target bench_ops_cuda
 *   ./build/bench/bench_ops_cuda [rounds]        (default 20 rounds)
 * Without a GPU it says so and exits 0.
 */
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ssrl_ecg/ssrl_ecg.h"

// ---- checks --------------------------------------------------------------------

static void cuda_check(cudaError_t err, const char *what, const char *file, int line) {
  if (err != cudaSuccess) {
    std::fprintf(stderr, "[CUDA ERROR] %s at %s:%d: %s\n", what, file, line,
                 cudaGetErrorString(err));
    std::exit(1);
  }
}
#define cudaCheck(call) cuda_check((call), #call, __FILE__, __LINE__)

static void ssrl_check(ssrl_status st, const char *what, const char *file, int line) {
  if (st != SSRL_OK) {
    std::fprintf(stderr, "[SSRL ERROR] %s at %s:%d: %s\n", what, file, line,
                 ssrl_status_string(st));
    std::exit(1);
  }
}
#define ssrlCheck(call) ssrl_check((call), #call, __FILE__, __LINE__)

static void fail_validation(const char *name, const char *detail) {
  std::fprintf(stderr, "VALIDATION FAILED (%s): %s; not timing anything further\n", name, detail);
  std::exit(1);
}

// ---- host data and device buffers ------------------------------------------------

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* uniform floats in [0, 1) on a 2^24 grid: ties occur at large N, as in real scores */
static std::vector<float> random_scores(size_t n, uint64_t seed) {
  std::vector<float> v(n);
  for (auto &f : v) f = static_cast<float>(splitmix64(&seed) >> 40) * (1.0f / 16777216.0f);
  return v;
}

/* labels that depend on the score, so the AUROC is far from 0.5 */
static std::vector<uint8_t> labels_for(const std::vector<float> &p, uint64_t seed) {
  std::vector<uint8_t> y(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const float noise = static_cast<float>(splitmix64(&seed) >> 40) * (1.0f / 16777216.0f);
    y[i] = p[i] + 0.6f * noise > 0.9f;
  }
  return y;
}

/* Every copy and fill goes on the bench's one stream (non-blocking, so the
   legacy default stream would not order them after the ops), and the host reads
   a result only after that stream's work is done. */
static void to_device(void *dst, const void *src, size_t bytes, cudaStream_t stream) {
  cudaCheck(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream));
  cudaCheck(cudaStreamSynchronize(stream));  // src may be a temporary
}

static void to_host(void *dst, const void *src, size_t bytes, cudaStream_t stream) {
  cudaCheck(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream));
  cudaCheck(cudaStreamSynchronize(stream));
}

static void fill(void *dst, int byte, size_t bytes, cudaStream_t stream) {
  cudaCheck(cudaMemsetAsync(dst, byte, bytes, stream));
}

static void *dev_alloc(size_t bytes) {
  void *p = nullptr;
  cudaCheck(cudaMalloc(&p, bytes ? bytes : 1));
  return p;
}

/* Copies that together span at least 3x the L2 cache (at least 2, at most 64). */
static int rotation_count(size_t set_bytes, int l2_bytes) {
  const size_t want = 3 * static_cast<size_t>(l2_bytes);
  size_t n = set_bytes ? (want + set_bytes - 1) / set_bytes : 2;
  return static_cast<int>(std::min<size_t>(64, std::max<size_t>(2, n)));
}

// ---- timing ----------------------------------------------------------------------

static int g_rounds = 20;

/* Median over rounds of the mean time per launch (ms); launch(i) uses copy i % rot. */
template <typename Launch>
static double time_ms(Launch launch, int rot, cudaStream_t stream) {
  const int per_round = std::max(rot, 10);
  for (int i = 0; i < 2 * per_round; ++i) launch(i % rot);  // warm-up
  cudaCheck(cudaStreamSynchronize(stream));
  cudaEvent_t start, stop;
  cudaCheck(cudaEventCreate(&start));
  cudaCheck(cudaEventCreate(&stop));
  std::vector<double> ms(g_rounds);
  for (int r = 0; r < g_rounds; ++r) {
    cudaCheck(cudaEventRecord(start, stream));
    for (int i = 0; i < per_round; ++i) launch(i % rot);
    cudaCheck(cudaEventRecord(stop, stream));
    cudaCheck(cudaEventSynchronize(stop));
    float elapsed = 0;
    cudaCheck(cudaEventElapsedTime(&elapsed, start, stop));
    ms[r] = elapsed / per_round;
  }
  cudaCheck(cudaGetLastError());
  cudaCheck(cudaEventDestroy(start));
  cudaCheck(cudaEventDestroy(stop));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

static void print_header() {
  std::printf("%-38s %-18s %10s %9s %8s  %s\n", "case", "shape", "time(us)", "GB/s", "%copy",
              "validated");
}

static void print_row(const char *name, const char *shape, double ms, double bytes,
                      double copy_gbs) {
  const double gbs = bytes / (ms * 1e-3) / 1e9;
  std::printf("%-38s %-18s %10.2f %9.1f %7.1f%%  yes\n", name, shape, ms * 1e3, gbs,
              100.0 * gbs / copy_gbs);
}

// ---- block mask --------------------------------------------------------------------

static void bench_block_mask(int64_t B, int64_t C, int64_t T, int64_t block, double ratio,
                             int l2_bytes, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(B * C * T), xbytes = n * sizeof(float);
  const size_t mbytes = static_cast<size_t>(B * T);
  char shape[64];
  std::snprintf(shape, sizeof shape, "[%lld,%lld,%lld] f32", (long long)B, (long long)C,
                (long long)T);
  if (block != 50 || ratio != 0.15)
    std::printf("  (block_size %lld, mask_ratio %.2f: long recording, starts bucketed by tile)\n",
                (long long)block, ratio);
  size_t ws_bytes = 0;
  ssrlCheck(ssrl_block_mask_cuda_workspace_size(B, T, ratio, block, &ws_bytes));
  void *ws = ws_bytes ? dev_alloc(ws_bytes) : nullptr;  // one per case: ops on one stream

  const int rot = rotation_count(2 * xbytes + mbytes, l2_bytes);
  const std::vector<float> xh = random_scores(n, 7 + B);
  std::vector<float *> x(rot), out(rot);
  std::vector<uint8_t *> mask(rot);
  std::vector<uint64_t> seeds_h(rot);
  for (int r = 0; r < rot; ++r) {
    x[r] = static_cast<float *>(dev_alloc(xbytes));
    out[r] = static_cast<float *>(dev_alloc(xbytes));
    mask[r] = static_cast<uint8_t *>(dev_alloc(mbytes));
    to_device(x[r], xh.data(), xbytes, stream);
    seeds_h[r] = 0x9E3779B97F4A7C15ull * (r + 1);  // > 2^32: both key words in use
  }
  uint64_t *seeds = static_cast<uint64_t *>(dev_alloc(rot * sizeof(uint64_t)));
  to_device(seeds, seeds_h.data(), rot * sizeof(uint64_t), stream);

  // the ceiling: a device-to-device copy of x, rotated the same way
  const double copy_ms = time_ms(
      [&](int r) {
        cudaCheck(cudaMemcpyAsync(out[r], x[r], xbytes, cudaMemcpyDeviceToDevice, stream));
      },
      rot, stream);
  const double copy_gbs = 2.0 * xbytes / (copy_ms * 1e-3) / 1e9;
  print_row("copy (cudaMemcpyAsync D2D)", shape, copy_ms, 2.0 * xbytes, copy_gbs);

  // validate all four variants on copy 0 before timing any of them
  std::vector<float> want(n), got(n);
  std::vector<uint8_t> want_mask(mbytes), got_mask(mbytes);
  ssrlCheck(ssrl_block_mask_cpu(xh.data(), want.data(), want_mask.data(), B, C, T, 4, ratio, block,
                                seeds_h[0]));
  for (int variant = 0; variant < 4; ++variant) {
    const bool in_place = variant >= 2, with_mask = variant % 2 == 0;
    float *dst = in_place ? x[0] : out[0];
    fill(mask[0], 0xAB, mbytes, stream);
    fill(ws, 0xFF, ws_bytes, stream);  // the launcher must clear what it counts in
    ssrlCheck(ssrl_block_mask_cuda(x[0], dst, with_mask ? mask[0] : nullptr, B, C, T, 4, ratio,
                                   block, seeds, ws, ws_bytes, stream));
    to_host(got.data(), dst, xbytes, stream);
    to_host(got_mask.data(), mask[0], mbytes, stream);
    if (std::memcmp(got.data(), want.data(), xbytes) != 0)
      fail_validation("block_mask", "out differs from ssrl_block_mask_cpu");
    if (with_mask && std::memcmp(got_mask.data(), want_mask.data(), mbytes) != 0)
      fail_validation("block_mask", "mask differs from ssrl_block_mask_cpu");
    if (in_place) to_device(x[0], xh.data(), xbytes, stream);
  }

  const char *names[4] = {"block_mask out of place, mask", "block_mask out of place, no mask",
                          "block_mask in place, mask (copy-eq.)",
                          "block_mask in place, no mask (copy-eq.)"};
  for (int variant = 0; variant < 4; ++variant) {
    const bool in_place = variant >= 2, with_mask = variant % 2 == 0;
    const double ms = time_ms(
        [&](int r) {
          ssrlCheck(ssrl_block_mask_cuda(x[r], in_place ? x[r] : out[r],
                                         with_mask ? mask[r] : nullptr, B, C, T, 4, ratio, block,
                                         seeds + r, ws, ws_bytes, stream));
        },
        rot, stream);
    print_row(names[variant], shape, ms, 2.0 * xbytes + (with_mask ? mbytes : 0), copy_gbs);
  }
  for (int r = 0; r < rot; ++r) {
    cudaCheck(cudaFree(x[r]));
    cudaCheck(cudaFree(out[r]));
    cudaCheck(cudaFree(mask[r]));
  }
  cudaCheck(cudaFree(seeds));
  if (ws != nullptr) cudaCheck(cudaFree(ws));
}

// ---- confusion counts and AUROC ------------------------------------------------------

static void bench_metrics(int64_t N, int64_t C, int l2_bytes, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(N * C);
  char shape[64];
  std::snprintf(shape, sizeof shape, "[%lld,%lld] f32", (long long)N, (long long)C);
  const std::vector<float> ph = random_scores(n, 11 + N);
  const std::vector<uint8_t> yh = labels_for(ph, 13 + N);

  const int rot = rotation_count(n * 5, l2_bytes);
  std::vector<float *> p(rot), pcopy(rot);
  std::vector<uint8_t *> y(rot);
  for (int r = 0; r < rot; ++r) {
    p[r] = static_cast<float *>(dev_alloc(n * 4));
    pcopy[r] = static_cast<float *>(dev_alloc(n * 4));
    y[r] = static_cast<uint8_t *>(dev_alloc(n));
    to_device(p[r], ph.data(), n * 4, stream);
    to_device(y[r], yh.data(), n, stream);
  }
  const double copy_ms = time_ms(
      [&](int r) {
        cudaCheck(cudaMemcpyAsync(pcopy[r], p[r], n * 4, cudaMemcpyDeviceToDevice, stream));
      },
      rot, stream);
  for (int r = 0; r < rot; ++r) cudaCheck(cudaFree(pcopy[r]));
  const double copy_gbs = 2.0 * n * 4 / (copy_ms * 1e-3) / 1e9;
  print_row("copy (cudaMemcpyAsync D2D) of y_prob", shape, copy_ms, 2.0 * n * 4, copy_gbs);

  int32_t *invalid = static_cast<int32_t *>(dev_alloc(4));
  fill(invalid, 0, 4, stream);
  for (const int64_t K : {int64_t{1}, int64_t{100}}) {
    std::vector<double> th(K);
    for (int64_t k = 0; k < K; ++k) th[k] = K == 1 ? 0.5 : static_cast<double>(k) / (K - 1);
    double *thd = static_cast<double *>(dev_alloc(K * 8));
    int64_t *counts = static_cast<int64_t *>(dev_alloc(C * K * 4 * 8));
    to_device(thd, th.data(), K * 8, stream);
    size_t ws_bytes = 0;
    ssrlCheck(ssrl_confusion_counts_cuda_workspace_size(N, C, K, &ws_bytes));
    void *ws = dev_alloc(ws_bytes);

    std::vector<int64_t> want(C * K * 4), got(C * K * 4);
    ssrlCheck(ssrl_confusion_counts_cpu(yh.data(), ph.data(), SSRL_FLOAT32, N, C, th.data(), K,
                                        want.data()));
    ssrlCheck(ssrl_confusion_counts_cuda(y[0], p[0], SSRL_FLOAT32, N, C, thd, K, counts, invalid,
                                         ws, ws_bytes, stream));
    int32_t bad = 0;
    to_host(got.data(), counts, got.size() * 8, stream);
    to_host(&bad, invalid, 4, stream);
    if (bad != 0 || got != want)
      fail_validation("confusion_counts", "counts differ from ssrl_confusion_counts_cpu");

    const double ms = time_ms(
        [&](int r) {
          ssrlCheck(ssrl_confusion_counts_cuda(y[r], p[r], SSRL_FLOAT32, N, C, thd, K, counts,
                                               invalid, ws, ws_bytes, stream));
        },
        rot, stream);
    print_row(K == 1 ? "confusion_counts K=1" : "confusion_counts K=100", shape, ms, 5.0 * n,
              copy_gbs);
    cudaCheck(cudaFree(thd));
    cudaCheck(cudaFree(counts));
    cudaCheck(cudaFree(ws));
  }

  size_t ws_bytes = 0;
  ssrlCheck(ssrl_auroc_cuda_workspace_size(N, C, SSRL_FLOAT32, &ws_bytes));
  void *ws = dev_alloc(ws_bytes);
  double *auroc = static_cast<double *>(dev_alloc(C * 8));
  std::vector<double> want(C), got(C);
  ssrlCheck(ssrl_auroc_cpu(yh.data(), ph.data(), SSRL_FLOAT32, N, C, want.data()));
  ssrlCheck(ssrl_auroc_cuda(y[0], p[0], SSRL_FLOAT32, N, C, auroc, invalid, ws, ws_bytes, stream));
  int32_t bad = 0;
  to_host(got.data(), auroc, C * 8, stream);
  to_host(&bad, invalid, 4, stream);
  if (bad != 0 || std::memcmp(got.data(), want.data(), C * 8) != 0)
    fail_validation("auroc", "auroc differs from ssrl_auroc_cpu (bits)");
  const double ms = time_ms(
      [&](int r) {
        ssrlCheck(ssrl_auroc_cuda(y[r], p[r], SSRL_FLOAT32, N, C, auroc, invalid, ws, ws_bytes,
                                  stream));
      },
      rot, stream);
  print_row("auroc (exact)", shape, ms, 5.0 * n, copy_gbs);
  cudaCheck(cudaFree(ws));
  cudaCheck(cudaFree(auroc));
  cudaCheck(cudaFree(invalid));
  for (int r = 0; r < rot; ++r) {
    cudaCheck(cudaFree(p[r]));
    cudaCheck(cudaFree(y[r]));
  }
}

// ---- main ------------------------------------------------------------------------------

int main(int argc, char **argv) {
  if (argc > 1) g_rounds = std::max(1, std::atoi(argv[1]));
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    std::printf("bench_ops_cuda: no CUDA device (%s); nothing to benchmark.\n",
                err != cudaSuccess ? cudaGetErrorString(err) : "cudaGetDeviceCount returned 0");
    return 0;
  }
  if (!ssrl_has_cuda()) {
    std::printf("bench_ops_cuda: libssrl_ecg was built without CUDA; nothing to benchmark.\n");
    return 0;
  }
  cudaDeviceProp prop;
  cudaCheck(cudaGetDeviceProperties(&prop, 0));
  int l2 = 0;
  cudaCheck(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0));
  std::printf("device: %s (sm_%d%d), L2 %.0f MiB, %.1f GiB; ssrl_ecg %s; %d rounds\n", prop.name,
              prop.major, prop.minor, l2 / 1048576.0, prop.totalGlobalMem / 1073741824.0,
              ssrl_version_string(), g_rounds);
  std::printf("every case checked bit for bit against the CPU entry point before timing\n\n");
  cudaStream_t stream;
  cudaCheck(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  print_header();
  bench_block_mask(256, 12, 5000, 50, 0.15, l2, stream);
  bench_block_mask(64, 12, 1000, 50, 0.15, l2, stream);
  // Holter-length samples: 2^24 steps (24 h at 250 Hz is 21.6M), small blocks
  bench_block_mask(4, 1, int64_t{1} << 24, 5, 0.15, l2, stream);
  bench_block_mask(1, 12, int64_t{1} << 24, 50, 0.15, l2, stream);
  bench_metrics(1000000, 71, l2, stream);
  bench_metrics(21837, 71, l2, stream);
  cudaCheck(cudaStreamDestroy(stream));
  std::printf("\ntarget: block_mask [256,12,5000] out of place >= 85%% of copy bandwidth\n");
  return 0;
}
