// test_cuda_ops.cu: every CUDA entry point against its CPU twin, bit for bit.
//
//   block mask        elem sizes 1/2/4/8, in and out of place, mask or not,
//                     aligned (16-byte path), element- and byte-misaligned
//                     buffers, awkward shapes, ratio <= 0, seeds > 2^32, large
//                     n_blocks, B > 65535; no byte outside the outputs written
//   confusion counts  all four dtypes, ties, rounding-edge and duplicate
//                     thresholds, K = 1 .. 5000 (shared and global histograms)
//   AUROC             all four dtypes, heavy ties, one-label classes, N = 0,
//                     C = 1 .. 71
//   plus *invalid flags, argument errors (same status as the CPU),
//   SSRL_ERR_WORKSPACE, a created stream and CUDA-graph replay with a fresh seed.
//
// Tests that need a GPU skip with "no CUDA device: ..." where there is none;
// argument checks and the host copy of the threshold rounding run everywhere.
// Build/run: ctest --test-dir build -R 'Curand|Cuda' --output-on-failure

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../../kernels/cuda_common.cuh"  // round_to_dtype_hd: the device rounding twin
#include "ssrl_ecg/ssrl_ecg.h"

namespace {

// ---- device plumbing ---------------------------------------------------------

bool HaveDevice(std::string *why) {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    *why = cudaGetErrorString(err);
    (void)cudaGetLastError();
    return false;
  }
  if (n == 0) *why = "cudaGetDeviceCount returned 0";
  return n > 0;
}

class Gpu : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!HaveDevice(&why)) GTEST_SKIP() << "no CUDA device: " << why;
  }
};

// cudaMalloc'd bytes, freed on scope exit.
struct Dev {
  char *p = nullptr;
  explicit Dev(size_t bytes) { EXPECT_EQ(cudaMalloc(&p, bytes ? bytes : 1), cudaSuccess); }
  ~Dev() { cudaFree(p); }
  Dev(Dev &&o) noexcept : p(o.p) { o.p = nullptr; }
  Dev(const Dev &) = delete;
  Dev &operator=(const Dev &) = delete;
  void put(const void *src, size_t bytes, size_t off = 0) {
    if (bytes) ASSERT_EQ(cudaMemcpy(p + off, src, bytes, cudaMemcpyHostToDevice), cudaSuccess);
  }
  void get(void *dst, size_t bytes, size_t off = 0) const {
    if (bytes) ASSERT_EQ(cudaMemcpy(dst, p + off, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
  }
  void fill(int byte, size_t bytes) {
    ASSERT_EQ(cudaMemset(p, byte, bytes ? bytes : 1), cudaSuccess);
  }
};

template <typename T>
Dev ToDevice(const std::vector<T> &v) {
  Dev d(v.size() * sizeof(T));
  d.put(v.data(), v.size() * sizeof(T));
  return d;
}

// First differing byte, or -1.
int64_t FirstDiff(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return static_cast<int64_t>(i);
  return -1;
}

// ---- block mask ----------------------------------------------------------------

struct MaskCase {
  int64_t B, C, T;
  double ratio;
  int64_t bs;
};

std::string Describe(const MaskCase &m, size_t es, uint64_t seed) {
  return "B " + std::to_string(m.B) + " C " + std::to_string(m.C) + " T " + std::to_string(m.T) +
         " ratio " + std::to_string(m.ratio) + " bs " + std::to_string(m.bs) + " es " +
         std::to_string(es) + " seed " + std::to_string(seed);
}

struct MaskRun {
  bool in_place = false, with_mask = true;
  size_t x_off = 0, out_off = 0;   // byte offsets from a 256-aligned allocation
  cudaStream_t stream = nullptr;
};

constexpr size_t kGuard = 64;  // sentinel bytes past every output

// Runs the CUDA mask and the CPU mask on the same random bytes and compares
// out, mask and the sentinel bytes around them.
void CheckMask(const MaskCase &m, size_t es, uint64_t seed, const MaskRun &r) {
  SCOPED_TRACE(Describe(m, es, seed) + (r.in_place ? " in place" : " out of place") +
               (r.with_mask ? " mask" : " no mask") + " x_off " + std::to_string(r.x_off) +
               " out_off " + std::to_string(r.out_off));
  const size_t bytes = static_cast<size_t>(m.B * m.C * m.T) * es;
  const size_t mbytes = static_cast<size_t>(m.B * m.T);
  std::mt19937 rng(static_cast<uint32_t>(seed ^ bytes ^ (es << 20)));
  std::vector<uint8_t> x(bytes), want(bytes), want_mask(mbytes, 0xCD);
  for (auto &v : x) v = static_cast<uint8_t>(rng() | 1);  // no zero byte: zeroing shows
  ASSERT_EQ(ssrl_block_mask_cpu(x.data(), want.data(), r.with_mask ? want_mask.data() : nullptr,
                                m.B, m.C, m.T, es, m.ratio, m.bs, seed),
            SSRL_OK);

  Dev xd(bytes + 2 * kGuard), od(bytes + 2 * kGuard), md(mbytes + kGuard), sd(8);
  xd.fill(0xEE, bytes + 2 * kGuard);
  od.fill(0xAB, bytes + 2 * kGuard);
  md.fill(0xCD, mbytes + kGuard);
  xd.put(x.data(), bytes, r.x_off);
  sd.put(&seed, 8);
  char *x_ptr = xd.p + r.x_off;
  char *out_ptr = r.in_place ? x_ptr : od.p + r.out_off;
  uint8_t *mask_ptr = r.with_mask ? reinterpret_cast<uint8_t *>(md.p) : nullptr;
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // the fills above, before r.stream reads
  ASSERT_EQ(ssrl_block_mask_cuda(x_ptr, out_ptr, mask_ptr, m.B, m.C, m.T, es, m.ratio, m.bs,
                                 reinterpret_cast<const uint64_t *>(sd.p), r.stream),
            SSRL_OK);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);

  // The whole allocation that holds out: the data plus untouched sentinels.
  const uint8_t sentinel = r.in_place ? 0xEE : 0xAB;
  std::vector<uint8_t> got(bytes + 2 * kGuard), expect(bytes + 2 * kGuard, sentinel);
  std::memcpy(expect.data() + (r.in_place ? r.x_off : r.out_off), want.data(), bytes);
  (r.in_place ? xd : od).get(got.data(), got.size());
  EXPECT_EQ(FirstDiff(got, expect), -1) << "out differs from the CPU (or a sentinel byte changed)";
  if (!r.in_place) {  // x is read only
    std::vector<uint8_t> x_after(bytes);
    xd.get(x_after.data(), bytes, r.x_off);
    EXPECT_EQ(FirstDiff(x_after, x), -1) << "x was written";
  }
  std::vector<uint8_t> got_mask(mbytes + kGuard), expect_mask(mbytes + kGuard, 0xCD);
  if (r.with_mask) std::memcpy(expect_mask.data(), want_mask.data(), mbytes);
  md.get(got_mask.data(), got_mask.size());
  EXPECT_EQ(FirstDiff(got_mask, expect_mask), -1) << "mask differs (or was written when NULL)";
}

const MaskCase kMaskCases[] = {
    {0, 3, 100, 0.5, 10},     // B = 0
    {2, 0, 50, 0.5, 10},      // C = 0: the mask is still defined
    {2, 3, 0, 0.5, 10},       // T = 0
    {2, 3, 1, 0.5, 5},        // T = 1
    {3, 2, 7, 0.5, 10},       // T < block_size
    {3, 2, 10, 0.5, 10},      // T == block_size
    {3, 12, 769, 0.3, 50},    // awkward T, ECG-like
    {2, 1, 5125, 0.5, 50},    // C = 1, three tiles
    {4, 12, 5125, 0.9, 13},
    {2, 3, 4096, 1.0, 1},     // n_blocks = 4096, 16-byte path for every es
    {2, 2, 6000, 0.5, 2048},  // block longer than a tile
    {2, 2, 2048, 0.5, 3000},  // T < block_size = one whole-sample block
    {1, 5, 8192, 0.02, 1},    // many one-step blocks
    {5, 3, 2000, 0.0, 10},    // ratio 0: a copy
    {5, 3, 2000, -1.0, 10},   // ratio < 0: a copy
};
const uint64_t kMaskSeeds[] = {7ull, 0x123456789abcdef0ull};

class CudaMask : public Gpu {};

TEST_F(CudaMask, EveryElemSizeShapeAndMode) {
  for (size_t es : {1, 2, 4, 8})
    for (const MaskCase &m : kMaskCases)
      for (uint64_t seed : kMaskSeeds)
        for (int mode = 0; mode < 4; ++mode) {
          MaskRun r;
          r.in_place = mode & 1;
          r.with_mask = !(mode & 2);
          CheckMask(m, es, seed, r);
        }
}

TEST_F(CudaMask, MisalignedBuffers) {
  const MaskCase cases[] = {{3, 4, 4096, 0.5, 30}, {2, 3, 769, 0.5, 20}, {2, 2, 16, 0.5, 3}};
  struct Off {
    size_t x, out;
  };
  for (size_t es : {1, 2, 4, 8}) {
    const Off offs[] = {{es, es}, {es, 0}, {0, es}, {1, 1}, {1, 3}, {16, 48}};
    for (const MaskCase &m : cases)
      for (const Off &o : offs)
        for (int mode = 0; mode < 2; ++mode) {
          MaskRun r;
          r.in_place = mode == 1;
          r.x_off = o.x;
          r.out_off = o.out;
          CheckMask(m, es, 99, r);
        }
  }
}

TEST_F(CudaMask, BatchBeyondGridLimit) {
  MaskRun r;
  CheckMask({70000, 1, 8, 0.5, 2}, 4, 5, r);
  r.in_place = true;
  CheckMask({66000, 2, 3, 1.0, 1}, 1, 6, r);
}

TEST_F(CudaMask, SeedIsReadOnTheDevice) {
  // Same seed pointer, new value: the next launch must use it.
  const MaskCase m{2, 3, 1000, 0.5, 20};
  std::vector<uint8_t> first(2 * 1000), second(2 * 1000);
  Dev x(2 * 3 * 1000 * 4), out(2 * 3 * 1000 * 4), mask(2 * 1000), seed(8);
  x.fill(1, 2 * 3 * 1000 * 4);
  const uint64_t seeds[2] = {1, 0x100000001ull};
  for (int i = 0; i < 2; ++i) {
    seed.put(&seeds[i], 8);
    ASSERT_EQ(ssrl_block_mask_cuda(x.p, out.p, reinterpret_cast<uint8_t *>(mask.p), m.B, m.C, m.T,
                                   4, m.ratio, m.bs, reinterpret_cast<uint64_t *>(seed.p), nullptr),
              SSRL_OK);
    mask.get(i ? second.data() : first.data(), first.size());
    std::vector<uint8_t> x_host(2 * 3 * 1000 * 4, 1), out_cpu(x_host.size()), want(2 * 1000);
    ASSERT_EQ(ssrl_block_mask_cpu(x_host.data(), out_cpu.data(), want.data(), m.B, m.C, m.T, 4,
                                  m.ratio, m.bs, seeds[i]),
              SSRL_OK);
    EXPECT_EQ(FirstDiff(i ? second : first, want), -1) << "seed " << seeds[i];
  }
  EXPECT_NE(first, second);
}

// ---- scores, labels, thresholds ---------------------------------------------------

const ssrl_dtype kDtypes[] = {SSRL_FLOAT32, SSRL_FLOAT64, SSRL_FLOAT16, SSRL_BFLOAT16};

const char *Name(ssrl_dtype d) {
  switch (d) {
    case SSRL_FLOAT32: return "float32";
    case SSRL_FLOAT64: return "float64";
    case SSRL_FLOAT16: return "float16";
    default: return "bfloat16";
  }
}

size_t SizeOf(ssrl_dtype d) { return d == SSRL_FLOAT64 ? 8 : d == SSRL_FLOAT32 ? 4 : 2; }

// Scores in the dtype's bytes (half and bf16 by their bit patterns).
std::vector<uint8_t> Encode(const std::vector<double> &v, ssrl_dtype d) {
  std::vector<uint8_t> out(v.size() * SizeOf(d));
  for (size_t i = 0; i < v.size(); ++i) {
    uint8_t *dst = out.data() + i * SizeOf(d);
    if (d == SSRL_FLOAT64) {
      std::memcpy(dst, &v[i], 8);
    } else if (d == SSRL_FLOAT32) {
      const float f = static_cast<float>(v[i]);
      std::memcpy(dst, &f, 4);
    } else if (d == SSRL_FLOAT16) {
      const __half_raw h = __float2half_rn(static_cast<float>(v[i]));
      std::memcpy(dst, &h.x, 2);
    } else {
      const __nv_bfloat16_raw h = __float2bfloat16_rn(static_cast<float>(v[i]));
      std::memcpy(dst, &h.x, 2);
    }
  }
  return out;
}

struct Data {
  int64_t N, C;
  std::vector<uint8_t> y;
  std::vector<double> p;  // encoded per dtype by Encode
};

// ties: scores from a pool of `pool` values (0 = continuous). Class 0 is all
// negative and class 1 all positive when C >= 4 (one-label classes).
Data MakeData(int64_t N, int64_t C, int pool, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Data d{N, C, std::vector<uint8_t>(static_cast<size_t>(N * C)),
         std::vector<double>(static_cast<size_t>(N * C))};
  const double specials[] = {0.0, -0.0, 0.25, 0.5, 1.0, 0.1, 0.75};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const size_t i = static_cast<size_t>(n * C + c);
      d.y[i] = (C >= 4 && c < 2) ? static_cast<uint8_t>(c) : static_cast<uint8_t>(rng() % 3 == 0);
      double v = pool > 0 ? specials[rng() % static_cast<unsigned>(pool)] : u(rng);
      if (pool == 0 && d.y[i]) v = v * 0.8 + 0.2;  // some signal
      d.p[i] = v;
    }
  return d;
}

// Unsorted, duplicated, and on rounding edges of the common scores.
std::vector<double> MakeThresholds(int64_t K, uint32_t seed) {
  const double edges[] = {0.5,
                          0.25,
                          0.5,
                          -0.0,
                          0.0,
                          1.0,
                          1.5,
                          -1.0,
                          std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity(),
                          0.1,
                          1.0 / 3.0,
                          0.500244140625,             // half midpoint above 0.5: rounds to 0.5
                          std::nextafter(0.500244140625, 1.0),
                          0.5 + 1.0 / 512,            // bf16 midpoint above 0.5
                          std::nextafter(0.5 + 1.0 / 512, 0.0),
                          0.25 + 1.0 / 2048,          // half midpoint above 0.25: rounds to even
                          std::nextafter(0.5, 0.0),   // just below a score: float rounds up
                          0.75,
                          1e-30,
                          70000.0,
                          -3e38};
  std::vector<double> t;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-0.1, 1.1);
  for (int64_t k = 0; k < K; ++k) {
    if (K == 1) t.push_back(0.5);
    else if (k < 22 && k < K / 2) t.push_back(edges[k]);
    else t.push_back(rng() % 4 == 0 && !t.empty() ? t[rng() % t.size()] : u(rng));  // duplicates
  }
  return t;
}

// ---- the rounding twin, on the host (no GPU) ------------------------------------

double Decode(const uint8_t *b, ssrl_dtype d) {
  if (d == SSRL_FLOAT64) { double v; std::memcpy(&v, b, 8); return v; }
  if (d == SSRL_FLOAT32) { float v; std::memcpy(&v, b, 4); return v; }
  uint16_t h;
  std::memcpy(&h, b, 2);
  return d == SSRL_FLOAT16 ? ssrl_half_to_float(h) : ssrl_bf16_to_float(h);
}

// The CPU rounds with ops/check.c; the kernels with cuda_common.cuh's copy. The
// CPU's TP at each threshold must equal the count the copy predicts.
TEST(CudaRoundingTwin, AgreesWithTheCpuOnEdges) {
  std::vector<double> scores;
  for (int k = -40; k <= 40; ++k) scores.push_back(0.5 + k / 4096.0);
  for (double s : {0.0, -0.0, 1e-8, 6e-8, 1e-40, 65504.0, 65520.0, 3.3e38, 3.4e38, 1e30})
    scores.push_back(s);
  std::vector<double> th = MakeThresholds(22, 1);
  for (double s : scores)
    for (double f : {0.5, 1.0, 1.5}) {  // midpoints of neighbouring narrow values and around
      const double up = std::nextafter(s, 2.0 * std::fabs(s) + 1.0);
      th.push_back(s + (up - s) * f);
      th.push_back(s + std::ldexp(std::fabs(s) + 1e-45, -11) * f);
      th.push_back(s + std::ldexp(std::fabs(s) + 1e-45, -8) * f);
      th.push_back(s + std::ldexp(std::fabs(s) + 1e-45, -24) * f);
    }
  for (ssrl_dtype d : kDtypes) {
    const std::vector<uint8_t> enc = Encode(scores, d);
    const int64_t N = static_cast<int64_t>(scores.size()), K = static_cast<int64_t>(th.size());
    std::vector<uint8_t> y(static_cast<size_t>(N), 1);
    std::vector<int64_t> counts(static_cast<size_t>(K * 4));
    ASSERT_EQ(ssrl_confusion_counts_cpu(y.data(), enc.data(), d, N, 1, th.data(), K, counts.data()),
              SSRL_OK);
    for (int64_t k = 0; k < K; ++k) {
      const double r = ssrl_cuda::round_to_dtype_hd(th[static_cast<size_t>(k)], d);
      int64_t tp = 0;
      for (int64_t n = 0; n < N; ++n) tp += Decode(enc.data() + n * SizeOf(d), d) >= r;
      ASSERT_EQ(counts[static_cast<size_t>(k * 4)], tp)
          << Name(d) << " threshold " << th[static_cast<size_t>(k)];
    }
  }
}

// ---- confusion counts ---------------------------------------------------------------

struct CountsResult {
  std::vector<int64_t> counts;
  int32_t invalid = 0;
  ssrl_status status = SSRL_OK;
};

CountsResult CountsOnGpu(const std::vector<uint8_t> &y, const std::vector<uint8_t> &p,
                         ssrl_dtype d, int64_t N, int64_t C, const std::vector<double> &th,
                         cudaStream_t stream = nullptr) {
  const int64_t K = static_cast<int64_t>(th.size());
  CountsResult r;
  size_t ws = 0;
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(N, C, K, &ws), SSRL_OK);
  Dev yd = ToDevice(y), pd = ToDevice(p), td = ToDevice(th), wd(ws), inv(4);
  Dev cd(static_cast<size_t>(C * K * 4) * 8);
  cd.fill(0x5A, static_cast<size_t>(C * K * 4) * 8);
  inv.fill(0, 4);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // uploads done before `stream` reads
  r.status = ssrl_confusion_counts_cuda(reinterpret_cast<uint8_t *>(yd.p), pd.p, d, N, C,
                                        reinterpret_cast<double *>(td.p), K,
                                        reinterpret_cast<int64_t *>(cd.p),
                                        reinterpret_cast<int32_t *>(inv.p), wd.p, ws, stream);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  r.counts.resize(static_cast<size_t>(C * K * 4));
  cd.get(r.counts.data(), r.counts.size() * 8);
  inv.get(&r.invalid, 4);
  return r;
}

void CheckCounts(const Data &data, ssrl_dtype d, const std::vector<double> &th) {
  const int64_t K = static_cast<int64_t>(th.size());
  SCOPED_TRACE(std::string(Name(d)) + " N " + std::to_string(data.N) + " C " +
               std::to_string(data.C) + " K " + std::to_string(K));
  const std::vector<uint8_t> p = Encode(data.p, d);
  std::vector<int64_t> want(static_cast<size_t>(data.C * K * 4), -7);
  ASSERT_EQ(ssrl_confusion_counts_cpu(data.y.data(), p.data(), d, data.N, data.C, th.data(), K,
                                      want.data()),
            SSRL_OK);
  const CountsResult got = CountsOnGpu(data.y, p, d, data.N, data.C, th);
  ASSERT_EQ(got.status, SSRL_OK);
  EXPECT_EQ(got.invalid, 0);
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(got.counts[i], want[i]) << "class " << i / 4 / K << " threshold " << i / 4 % K
                                      << " slot " << i % 4;
}

class CudaCounts : public Gpu {};

TEST_F(CudaCounts, MatchesCpu) {
  struct Shape {
    int64_t N, C, K;
    int pool;
  };
  const Shape shapes[] = {{0, 3, 100, 0},    {1, 1, 1, 0},      {777, 12, 100, 0},
                          {5125, 71, 7, 0},  {3000, 3, 100, 3}, {2000, 1, 5000, 0},
                          {300, 71, 5000, 7}, {40000, 5, 100, 0}, {1000, 4, 1, 2},
                          {513, 2, 2047, 0}, {513, 3, 4095, 5}, {200, 1, 4096, 0}};
  uint32_t seed = 1;
  for (ssrl_dtype d : kDtypes)
    for (const Shape &s : shapes) {
      ++seed;
      CheckCounts(MakeData(s.N, s.C, s.pool, seed), d, MakeThresholds(s.K, seed));
    }
}

TEST_F(CudaCounts, FlagsBadValues) {
  Data data = MakeData(100, 3, 0, 5);
  const std::vector<double> th = MakeThresholds(10, 5);
  for (ssrl_dtype d : kDtypes) {
    Data bad = data;
    bad.y[17] = 2;
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, th).invalid, 1) << Name(d);
    bad = data;
    bad.p[42] = std::nan("");
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, th).invalid, 2) << Name(d);
    std::vector<double> bad_th = th;
    bad_th[3] = std::nan("");
    EXPECT_EQ(CountsOnGpu(data.y, Encode(data.p, d), d, 100, 3, bad_th).invalid, 4) << Name(d);
    bad.y[0] = 7;
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, bad_th).invalid, 7) << Name(d);
    // C == 0: the CPU still refuses a NaN threshold, so the GPU still flags it
    EXPECT_EQ(CountsOnGpu({}, {}, d, 100, 0, bad_th).invalid, 4) << Name(d);
    // K == 0: nothing to count, but the data are still inspected
    EXPECT_EQ(CountsOnGpu(bad.y, Encode(bad.p, d), d, 100, 3, {}).invalid, 3) << Name(d);
  }
}

TEST_F(CudaCounts, WorkspaceErrorsAndUnalignedWorkspace) {
  const Data data = MakeData(300, 5, 0, 9);
  const std::vector<double> th = MakeThresholds(20, 9);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT32);
  size_t ws = 0;
  ASSERT_EQ(ssrl_confusion_counts_cuda_workspace_size(300, 5, 20, &ws), SSRL_OK);
  Dev yd = ToDevice(data.y), pd = ToDevice(p), td = ToDevice(th), wd(ws + 256), cd(5 * 20 * 32);
  auto call = [&](void *w, size_t bytes) {
    return ssrl_confusion_counts_cuda(
        reinterpret_cast<uint8_t *>(yd.p), pd.p, SSRL_FLOAT32, 300, 5,
        reinterpret_cast<double *>(td.p), 20, reinterpret_cast<int64_t *>(cd.p), nullptr, w,
        bytes, nullptr);
  };
  EXPECT_EQ(call(wd.p, ws - 1), SSRL_ERR_WORKSPACE);
  EXPECT_EQ(call(nullptr, ws), SSRL_ERR_NULL_POINTER);
  // Not 256-aligned: tolerated (the layout keeps 255 bytes of slack).
  ASSERT_EQ(call(wd.p + 8, ws), SSRL_OK);
  std::vector<int64_t> got(5 * 20 * 4), want(5 * 20 * 4);
  cd.get(got.data(), got.size() * 8);
  ASSERT_EQ(ssrl_confusion_counts_cpu(data.y.data(), p.data(), SSRL_FLOAT32, 300, 5, th.data(), 20,
                                      want.data()),
            SSRL_OK);
  EXPECT_EQ(got, want);
}

// ---- AUROC ----------------------------------------------------------------------------

struct AurocResult {
  std::vector<double> auroc;
  int32_t invalid = 0;
  ssrl_status status = SSRL_OK;
};

AurocResult AurocOnGpu(const std::vector<uint8_t> &y, const std::vector<uint8_t> &p, ssrl_dtype d,
                       int64_t N, int64_t C, cudaStream_t stream = nullptr) {
  AurocResult r;
  size_t ws = 0;
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(N, C, d, &ws), SSRL_OK);
  Dev yd = ToDevice(y), pd = ToDevice(p), wd(ws), inv(4), ad(static_cast<size_t>(C) * 8);
  ad.fill(0x5A, static_cast<size_t>(C) * 8);
  inv.fill(0, 4);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // uploads done before `stream` reads
  r.status = ssrl_auroc_cuda(reinterpret_cast<uint8_t *>(yd.p), pd.p, d, N, C,
                             reinterpret_cast<double *>(ad.p), reinterpret_cast<int32_t *>(inv.p),
                             wd.p, ws, stream);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  r.auroc.resize(static_cast<size_t>(C));
  ad.get(r.auroc.data(), r.auroc.size() * 8);
  inv.get(&r.invalid, 4);
  return r;
}

bool SameBits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, 8) == 0;
}

void CheckAuroc(const Data &data, ssrl_dtype d) {
  SCOPED_TRACE(std::string(Name(d)) + " N " + std::to_string(data.N) + " C " +
               std::to_string(data.C));
  const std::vector<uint8_t> p = Encode(data.p, d);
  std::vector<double> want(static_cast<size_t>(data.C), -7.0);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), d, data.N, data.C, want.data()), SSRL_OK);
  const AurocResult got = AurocOnGpu(data.y, p, d, data.N, data.C);
  ASSERT_EQ(got.status, SSRL_OK);
  EXPECT_EQ(got.invalid, 0);
  for (size_t c = 0; c < want.size(); ++c)
    ASSERT_TRUE(SameBits(got.auroc[c], want[c]))
        << "class " << c << ": gpu " << got.auroc[c] << " cpu " << want[c];
}

class CudaAuroc : public Gpu {};

TEST_F(CudaAuroc, MatchesCpu) {
  struct Shape {
    int64_t N, C;
    int pool;
  };
  const Shape shapes[] = {{0, 3, 0},    {1, 1, 0},     {2, 2, 0},      {777, 12, 0},
                          {5125, 1, 0}, {3000, 71, 0}, {20000, 5, 3},  {4096, 2, 2},
                          {2049, 4, 7}, {100, 71, 1},  {70000, 1, 5},  {30000, 3, 0}};
  uint32_t seed = 100;
  for (ssrl_dtype d : kDtypes)
    for (const Shape &s : shapes) CheckAuroc(MakeData(s.N, s.C, s.pool, ++seed), d);
}

TEST_F(CudaAuroc, OneLabelClassesAreNan) {
  Data data = MakeData(50, 3, 0, 7);
  for (int64_t n = 0; n < 50; ++n) data.y[n * 3 + 0] = 0, data.y[n * 3 + 2] = 1;
  for (ssrl_dtype d : kDtypes) {
    const AurocResult r = AurocOnGpu(data.y, Encode(data.p, d), d, 50, 3);
    EXPECT_TRUE(std::isnan(r.auroc[0]) && std::isnan(r.auroc[2]) && !std::isnan(r.auroc[1]));
    CheckAuroc(data, d);
  }
}

TEST_F(CudaAuroc, FlagsBadValues) {
  const Data data = MakeData(200, 4, 0, 11);
  for (ssrl_dtype d : kDtypes) {
    Data bad = data;
    bad.y[5] = 3;
    EXPECT_EQ(AurocOnGpu(bad.y, Encode(bad.p, d), d, 200, 4).invalid, 1) << Name(d);
    bad = data;
    bad.p[77] = std::nan("");
    EXPECT_EQ(AurocOnGpu(bad.y, Encode(bad.p, d), d, 200, 4).invalid, 2) << Name(d);
  }
}

TEST_F(CudaAuroc, WorkspaceErrors) {
  const Data data = MakeData(500, 3, 0, 13);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT64);
  size_t ws = 0;
  ASSERT_EQ(ssrl_auroc_cuda_workspace_size(500, 3, SSRL_FLOAT64, &ws), SSRL_OK);
  ASSERT_GT(ws, 0u);
  Dev yd = ToDevice(data.y), pd = ToDevice(p), wd(ws + 256), ad(3 * 8);
  auto call = [&](void *w, size_t bytes) {
    return ssrl_auroc_cuda(reinterpret_cast<uint8_t *>(yd.p), pd.p, SSRL_FLOAT64, 500, 3,
                           reinterpret_cast<double *>(ad.p), nullptr, w, bytes, nullptr);
  };
  EXPECT_EQ(call(wd.p, ws - 1), SSRL_ERR_WORKSPACE);
  EXPECT_EQ(call(nullptr, ws), SSRL_ERR_NULL_POINTER);
  ASSERT_EQ(call(wd.p + 8, ws), SSRL_OK);
  std::vector<double> got(3), want(3);
  ad.get(got.data(), 24);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), SSRL_FLOAT64, 500, 3, want.data()), SSRL_OK);
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(SameBits(got[c], want[c])) << c;
  size_t none = 1;
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(0, 3, SSRL_FLOAT32, &none), SSRL_OK);
  EXPECT_EQ(none, 0u);
}

// ---- streams and graphs ------------------------------------------------------------

class CudaStreams : public Gpu {};

TEST_F(CudaStreams, EveryOpRunsOnACreatedStream) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  MaskRun r;
  r.stream = s;
  CheckMask({4, 12, 5125, 0.5, 50}, 4, 77, r);
  const Data data = MakeData(3000, 7, 0, 21);
  const std::vector<double> th = MakeThresholds(50, 21);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_FLOAT16);
  std::vector<int64_t> want(7 * 50 * 4);
  ASSERT_EQ(ssrl_confusion_counts_cpu(data.y.data(), p.data(), SSRL_FLOAT16, 3000, 7, th.data(),
                                      50, want.data()),
            SSRL_OK);
  EXPECT_EQ(CountsOnGpu(data.y, p, SSRL_FLOAT16, 3000, 7, th, s).counts, want);
  std::vector<double> want_auroc(7);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), SSRL_FLOAT16, 3000, 7, want_auroc.data()),
            SSRL_OK);
  const AurocResult got = AurocOnGpu(data.y, p, SSRL_FLOAT16, 3000, 7, s);
  for (int c = 0; c < 7; ++c) EXPECT_TRUE(SameBits(got.auroc[c], want_auroc[c])) << c;
  cudaStreamDestroy(s);
}

// Captured once, replayed with new seeds written to the seed buffer: each replay
// must equal the CPU at that seed (no seed baked into the graph).
TEST_F(CudaStreams, MaskGraphReplaysWithFreshSeeds) {
  const int64_t B = 3, C = 4, T = 3000, bs = 40;
  const double ratio = 0.4;
  std::vector<uint8_t> x(static_cast<size_t>(B * C * T) * 2);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 7 + 1);
  Dev xd = ToDevice(x), od(x.size()), md(static_cast<size_t>(B * T)), sd(8);
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // uploads done before s reads
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  const ssrl_status st =
      ssrl_block_mask_cuda(xd.p, od.p, reinterpret_cast<uint8_t *>(md.p), B, C, T, 2, ratio, bs,
                           reinterpret_cast<uint64_t *>(sd.p), s);
  ASSERT_EQ(cudaStreamEndCapture(s, &graph), cudaSuccess);
  ASSERT_EQ(st, SSRL_OK);
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  for (uint64_t seed : {3ull, 0xabcdef0123456789ull, 3ull}) {
    ASSERT_EQ(cudaMemcpyAsync(sd.p, &seed, 8, cudaMemcpyHostToDevice, s), cudaSuccess);
    ASSERT_EQ(cudaGraphLaunch(exec, s), cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
    std::vector<uint8_t> out(x.size()), mask(static_cast<size_t>(B * T)), want(x.size()),
        want_mask(mask.size());
    od.get(out.data(), out.size());
    md.get(mask.data(), mask.size());
    ASSERT_EQ(ssrl_block_mask_cpu(x.data(), want.data(), want_mask.data(), B, C, T, 2, ratio, bs,
                                  seed),
              SSRL_OK);
    EXPECT_EQ(FirstDiff(out, want), -1) << "seed " << seed;
    EXPECT_EQ(FirstDiff(mask, want_mask), -1) << "seed " << seed;
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(s);
}

// The metrics ops are capturable too (CUB included): one capture, one replay.
TEST_F(CudaStreams, MetricsCaptureIntoAGraph) {
  const Data data = MakeData(5000, 6, 0, 31);
  const std::vector<double> th = MakeThresholds(30, 31);
  const std::vector<uint8_t> p = Encode(data.p, SSRL_BFLOAT16);
  size_t ws_counts = 0, ws_auroc = 0;
  ASSERT_EQ(ssrl_confusion_counts_cuda_workspace_size(5000, 6, 30, &ws_counts), SSRL_OK);
  ASSERT_EQ(ssrl_auroc_cuda_workspace_size(5000, 6, SSRL_BFLOAT16, &ws_auroc), SSRL_OK);
  Dev yd = ToDevice(data.y), pd = ToDevice(p), td = ToDevice(th), w1(ws_counts), w2(ws_auroc),
      cd(6 * 30 * 32), ad(6 * 8);
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // uploads done before s reads
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  const ssrl_status a = ssrl_confusion_counts_cuda(
      reinterpret_cast<uint8_t *>(yd.p), pd.p, SSRL_BFLOAT16, 5000, 6,
      reinterpret_cast<double *>(td.p), 30, reinterpret_cast<int64_t *>(cd.p), nullptr, w1.p,
      ws_counts, s);
  const ssrl_status b =
      ssrl_auroc_cuda(reinterpret_cast<uint8_t *>(yd.p), pd.p, SSRL_BFLOAT16, 5000, 6,
                      reinterpret_cast<double *>(ad.p), nullptr, w2.p, ws_auroc, s);
  ASSERT_EQ(cudaStreamEndCapture(s, &graph), cudaSuccess);
  ASSERT_EQ(a, SSRL_OK);
  ASSERT_EQ(b, SSRL_OK);
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, s), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
  std::vector<int64_t> counts(6 * 30 * 4), want(counts.size());
  std::vector<double> auroc(6), want_auroc(6);
  cd.get(counts.data(), counts.size() * 8);
  ad.get(auroc.data(), 48);
  ASSERT_EQ(ssrl_confusion_counts_cpu(data.y.data(), p.data(), SSRL_BFLOAT16, 5000, 6, th.data(),
                                      30, want.data()),
            SSRL_OK);
  ASSERT_EQ(ssrl_auroc_cpu(data.y.data(), p.data(), SSRL_BFLOAT16, 5000, 6, want_auroc.data()),
            SSRL_OK);
  EXPECT_EQ(counts, want);
  for (int c = 0; c < 6; ++c) EXPECT_TRUE(SameBits(auroc[c], want_auroc[c])) << c;
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(s);
}

// ---- argument errors: refused on the host, no GPU needed ---------------------------

// Never dereferenced: every call below is refused before any launch.
void *const kFake = reinterpret_cast<void *>(0x1000);
uint8_t *const kFakeU8 = reinterpret_cast<uint8_t *>(0x1000);
const uint64_t *const kFakeSeed = reinterpret_cast<const uint64_t *>(0x1000);

TEST(CudaArgs, MaskRefusesWhatTheCpuRefuses) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  struct Bad {
    const void *x;
    void *out;
    int64_t B, C, T;
    size_t es;
    double ratio;
    int64_t bs;
    ssrl_status want;
  };
  const Bad cases[] = {
      {kFake, kFake, 2, 3, 10, 4, nan, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 4, inf, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 4, 1.5, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 4, 0.5, 0, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 1, 1, int64_t(1) << 32, 1, 0.5, 5, SSRL_ERR_INVALID_ARGUMENT},
      {kFake, kFake, 2, 3, 10, 3, 0.5, 5, SSRL_ERR_DTYPE},
      {kFake, kFake, -1, 3, 10, 4, 0.5, 5, SSRL_ERR_SHAPE},
      {kFake, kFake, 2, -3, 10, 4, 0.5, 5, SSRL_ERR_SHAPE},
      {kFake, kFake, int64_t(1) << 40, int64_t(1) << 20, 10, 4, 0.5, 5, SSRL_ERR_SHAPE},
      {nullptr, kFake, 2, 3, 10, 4, 0.5, 5, SSRL_ERR_NULL_POINTER},
      {kFake, nullptr, 2, 3, 10, 4, 0.5, 5, SSRL_ERR_NULL_POINTER},
  };
  for (const Bad &c : cases) {
    EXPECT_EQ(ssrl_block_mask_cuda(c.x, c.out, kFakeU8, c.B, c.C, c.T, c.es, c.ratio, c.bs,
                                   kFakeSeed, nullptr),
              c.want)
        << "B " << c.B << " T " << c.T << " es " << c.es << " ratio " << c.ratio;
    EXPECT_EQ(ssrl_block_mask_cpu(c.x, c.out, kFakeU8, c.B, c.C, c.T, c.es, c.ratio, c.bs, 1),
              c.want);
  }
  // CUDA only: the seed pointer, needed whenever something is masked.
  EXPECT_EQ(ssrl_block_mask_cuda(kFake, kFake, nullptr, 2, 3, 10, 4, 0.5, 5, nullptr, nullptr),
            SSRL_ERR_NULL_POINTER);
  // Empty tensors: fine, nothing launched.
  EXPECT_EQ(ssrl_block_mask_cuda(nullptr, nullptr, nullptr, 0, 3, 10, 4, 0.5, 5, nullptr, nullptr),
            SSRL_OK);
  EXPECT_EQ(ssrl_block_mask_cuda(nullptr, nullptr, nullptr, 2, 3, 0, 4, 0.5, 5, nullptr, nullptr),
            SSRL_OK);
}

TEST(CudaArgs, CountsRefusesWhatTheCpuRefuses) {
  const double *th = reinterpret_cast<const double *>(0x1000);
  int64_t *counts = reinterpret_cast<int64_t *>(0x1000);
  struct Bad {
    const uint8_t *y;
    const void *p;
    int d;
    int64_t N, C;
    const double *th;
    int64_t K;
    int64_t *counts;
    ssrl_status want;
  };
  const Bad cases[] = {
      {kFakeU8, kFake, 0, -1, 3, th, 4, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, -3, th, 4, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 9, 5, 3, th, 4, counts, SSRL_ERR_DTYPE},
      {nullptr, kFake, 0, 5, 3, th, 4, counts, SSRL_ERR_NULL_POINTER},
      {kFakeU8, nullptr, 0, 5, 3, th, 4, counts, SSRL_ERR_NULL_POINTER},
      {kFakeU8, kFake, 0, 5, 3, th, -1, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, 3, th, INT64_MAX, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, int64_t(1) << 40, th, int64_t(1) << 30, counts, SSRL_ERR_SHAPE},
      {kFakeU8, kFake, 0, 5, 3, nullptr, 4, counts, SSRL_ERR_NULL_POINTER},
      {kFakeU8, kFake, 0, 5, 3, th, 4, nullptr, SSRL_ERR_NULL_POINTER},
  };
  char ws_fake[1];
  for (const Bad &c : cases) {
    EXPECT_EQ(ssrl_confusion_counts_cuda(c.y, c.p, static_cast<ssrl_dtype>(c.d), c.N, c.C, c.th,
                                         c.K, c.counts, nullptr, ws_fake, 0, nullptr),
              c.want)
        << "N " << c.N << " C " << c.C << " K " << c.K << " dtype " << c.d;
    EXPECT_EQ(ssrl_confusion_counts_cpu(c.y, c.p, static_cast<ssrl_dtype>(c.d), c.N, c.C, c.th,
                                        c.K, c.counts),
              c.want);
  }
  size_t ws = 0;
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, 3, 4, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(-1, 3, 4, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, 3, INT64_MAX, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, int64_t(1) << 40, int64_t(1) << 30, &ws),
            SSRL_ERR_SHAPE);
  ASSERT_EQ(ssrl_confusion_counts_cuda_workspace_size(5, 3, 4, &ws), SSRL_OK);
  EXPECT_GT(ws, 0u);
  // Too small a workspace is refused before anything touches the device.
  EXPECT_EQ(ssrl_confusion_counts_cuda(kFakeU8, kFake, SSRL_FLOAT32, 5, 3, th, 4, counts, nullptr,
                                       ws_fake, ws - 1, nullptr),
            SSRL_ERR_WORKSPACE);
  EXPECT_EQ(ssrl_confusion_counts_cuda(kFakeU8, kFake, SSRL_FLOAT32, 5, 3, th, 4, counts, nullptr,
                                       nullptr, ws, nullptr),
            SSRL_ERR_NULL_POINTER);
}

TEST(CudaArgs, AurocRefusesWhatTheCpuRefuses) {
  double *auroc = reinterpret_cast<double *>(0x1000);
  char ws_fake[1];
  auto gpu = [&](const uint8_t *y, const void *p, int d, int64_t N, int64_t C, double *a) {
    return ssrl_auroc_cuda(y, p, static_cast<ssrl_dtype>(d), N, C, a, nullptr, ws_fake, 0, nullptr);
  };
  auto cpu = [&](const uint8_t *y, const void *p, int d, int64_t N, int64_t C, double *a) {
    return ssrl_auroc_cpu(y, p, static_cast<ssrl_dtype>(d), N, C, a);
  };
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, -1, 3, auroc), SSRL_ERR_SHAPE);
  EXPECT_EQ(cpu(kFakeU8, kFake, 0, -1, 3, auroc), SSRL_ERR_SHAPE);
  EXPECT_EQ(gpu(kFakeU8, kFake, 5, 10, 3, auroc), SSRL_ERR_DTYPE);
  EXPECT_EQ(cpu(kFakeU8, kFake, 5, 10, 3, auroc), SSRL_ERR_DTYPE);
  EXPECT_EQ(gpu(nullptr, kFake, 0, 10, 3, auroc), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(cpu(nullptr, kFake, 0, 10, 3, auroc), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, 10, 3, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(cpu(kFakeU8, kFake, 0, 10, 3, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, int64_t(1) << 61, 8, auroc), SSRL_ERR_SHAPE);
  EXPECT_EQ(cpu(kFakeU8, kFake, 0, int64_t(1) << 61, 8, auroc), SSRL_ERR_SHAPE);
  // CUDA only: N * C >= 2^31 (CUB's item count)
  EXPECT_EQ(gpu(kFakeU8, kFake, 0, int64_t(1) << 16, int64_t(1) << 15, auroc), SSRL_ERR_SHAPE);
  size_t ws = 0;
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(10, 3, SSRL_FLOAT32, nullptr), SSRL_ERR_NULL_POINTER);
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(-1, 3, SSRL_FLOAT32, &ws), SSRL_ERR_SHAPE);
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(10, 3, static_cast<ssrl_dtype>(9), &ws), SSRL_ERR_DTYPE);
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(int64_t(1) << 31, 1, SSRL_FLOAT32, &ws), SSRL_ERR_SHAPE);
  // Empty: no workspace, nothing to do.
  EXPECT_EQ(ssrl_auroc_cuda_workspace_size(10, 0, SSRL_FLOAT32, &ws), SSRL_OK);
  EXPECT_EQ(ws, 0u);
  EXPECT_EQ(gpu(nullptr, nullptr, 0, 10, 0, nullptr), SSRL_OK);
}

}  // namespace
