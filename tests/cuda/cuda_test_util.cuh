// cuda_test_util.cuh: what the CUDA op tests share: a GPU-or-skip fixture,
// device buffers, the mask check against the CPU, scores in every dtype and
// runners of the CUDA metrics. Test-only; every function is inline.
#pragma once

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

namespace ssrl_test {

// ---- device plumbing ---------------------------------------------------------

inline bool HaveDevice(std::string *why) {
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
inline int64_t FirstDiff(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b) {
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

inline std::string Describe(const MaskCase &m, size_t es, uint64_t seed) {
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
inline void CheckMask(const MaskCase &m, size_t es, uint64_t seed, const MaskRun &r) {
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
  // The workspace at an odd offset and full of garbage: the launcher aligns it
  // and clears what it counts in.
  size_t ws = 0;
  ASSERT_EQ(ssrl_block_mask_cuda_workspace_size(m.B, m.T, m.ratio, m.bs, &ws), SSRL_OK);
  Dev wd(ws + 8);
  wd.fill(0xFF, ws + 8);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // the fills above, before r.stream reads
  ASSERT_EQ(ssrl_block_mask_cuda(x_ptr, out_ptr, mask_ptr, m.B, m.C, m.T, es, m.ratio, m.bs,
                                 reinterpret_cast<const uint64_t *>(sd.p),
                                 ws ? wd.p + 8 : nullptr, ws, r.stream),
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

// ---- scores, labels, thresholds ---------------------------------------------------

const ssrl_dtype kDtypes[] = {SSRL_FLOAT32, SSRL_FLOAT64, SSRL_FLOAT16, SSRL_BFLOAT16};

inline const char *Name(ssrl_dtype d) {
  switch (d) {
    case SSRL_FLOAT32: return "float32";
    case SSRL_FLOAT64: return "float64";
    case SSRL_FLOAT16: return "float16";
    default: return "bfloat16";
  }
}

inline size_t SizeOf(ssrl_dtype d) { return d == SSRL_FLOAT64 ? 8 : d == SSRL_FLOAT32 ? 4 : 2; }

// Scores in the dtype's bytes (half and bf16 by their bit patterns).
inline std::vector<uint8_t> Encode(const std::vector<double> &v, ssrl_dtype d) {
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
inline Data MakeData(int64_t N, int64_t C, int pool, uint32_t seed) {
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
inline std::vector<double> MakeThresholds(int64_t K, uint32_t seed) {
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

// ---- confusion counts ---------------------------------------------------------------

struct CountsResult {
  std::vector<int64_t> counts;
  int32_t invalid = 0;
  ssrl_status status = SSRL_OK;
};

inline CountsResult CountsOnGpu(const std::vector<uint8_t> &y, const std::vector<uint8_t> &p,
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

// ---- AUROC ----------------------------------------------------------------------------

struct AurocResult {
  std::vector<double> auroc;
  int32_t invalid = 0;
  ssrl_status status = SSRL_OK;
};

inline AurocResult AurocOnGpu(const std::vector<uint8_t> &y, const std::vector<uint8_t> &p,
                              ssrl_dtype d, int64_t N, int64_t C, cudaStream_t stream = nullptr) {
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

inline bool SameBits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, 8) == 0;
}

}  // namespace ssrl_test
