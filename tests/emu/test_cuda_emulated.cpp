/*
 * test_cuda_emulated.cpp: the CUDA launchers of span_mask, lead_mask and
 * token_mask (kernels/*.cu, their own source, launches rewritten by
 * host_launches.cmake) run on the host, one thread after another
 * (tests/emu/cuda_runtime.h), and must give the CPU ops' bytes: outputs,
 * masks and statuses (docs/semantics.md, "Masks for self-supervised
 * pretraining": CUDA = CPU bit for bit).
 *
 * This is what can be checked without a GPU: the kernels' indexing, the
 * workspace layout and its alignment, element units on misaligned pointers,
 * in place, per-lead and per-sample selection rows, grid-stride loops (the
 * second build lowers the block cap to 3), every size edge. It cannot check
 * what needs the hardware (memory model, real launches, streams, graphs):
 * tests/cuda and tests/python/test_masking_cuda.py do, on a GPU.
 *
 * span_mask's per-sample overlapping zero-fill case is block_mask's and goes
 * to ssrl_block_mask_cuda, stood in for below by the CPU op: the block mask
 * kernel has its own host emulation (tests/c/test_mask_tiles.cpp).
 */
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cuda_runtime.h"
#include "mask_common.cuh" /* the launchers' grid cap */
#include "ssrl_ecg/ssrl_ecg.h"

ssrl_emu_dim3 blockIdx, threadIdx, blockDim, gridDim;
ssrl_emu_stats ssrl_emu;
cudaError_t ssrl_emu_error;

/* block_mask's rule on the CPU, reading the seed as the kernel would. */
extern "C" ssrl_status ssrl_block_mask_cuda_workspace_size(int64_t B, int64_t T, double ratio,
                                                           int64_t bs, size_t *bytes) {
  int64_t n;
  const ssrl_status st = ssrl_block_count(T, ratio, bs, &n);
  if (st != SSRL_OK) return st;
  if (B < 0) return SSRL_ERR_SHAPE;
  *bytes = 0;
  return SSRL_OK;
}
extern "C" ssrl_status ssrl_block_mask_cuda(const void *x, void *out, uint8_t *mask, int64_t B,
                                            int64_t C, int64_t T, size_t es, double ratio,
                                            int64_t bs, const uint64_t *seed, void *, size_t,
                                            void *) {
  if (seed == nullptr) return SSRL_ERR_NULL_POINTER;
  return ssrl_block_mask_cpu(x, out, mask, B, C, T, es, ratio, bs, *seed);
}

namespace {

constexpr size_t kGuard = 64;
/* Every grid at most the launchers' cap: 3 in the second build, so there
   every kernel runs its grid-stride loop (CMakeLists.txt in tests/). */
constexpr unsigned kGridCap = static_cast<unsigned>(ssrl_cuda::kMaxMaskBlocks);

/* A host "device" buffer at a chosen offset from a fresh allocation, every
   byte set, with kGuard bytes after it that nothing may write. */
struct Buffer {
  std::vector<uint8_t> bytes;
  size_t off, n;
  uint8_t guard;
  Buffer(size_t n_, size_t off_, uint8_t v) : bytes(off_ + n_ + kGuard, v), off(off_), n(n_), guard(v) {}
  uint8_t *p() { return bytes.data() + off; }
  bool guard_intact() const {
    for (size_t i = off + n; i < bytes.size(); ++i)
      if (bytes[i] != guard) return false;
    return true;
  }
};

std::vector<uint8_t> random_bytes(std::mt19937_64 &rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(rng() | 1); /* never 0: a zero fill shows */
  return v;
}

struct SpanCase {
  int64_t B, C, T;
  double ratio;
  int64_t span;
  int per_lead, exact;
  bool fill, in_place, with_mask;
  size_t es, x_off, out_off, fill_off, ws_off;
  uint64_t seed;
};

std::string describe(const SpanCase &c) {
  return "B " + std::to_string(c.B) + " C " + std::to_string(c.C) + " T " + std::to_string(c.T) +
         " ratio " + std::to_string(c.ratio) + " span " + std::to_string(c.span) + " per_lead " +
         std::to_string(c.per_lead) + " exact " + std::to_string(c.exact) + " fill " +
         std::to_string(c.fill) + " in_place " + std::to_string(c.in_place) + " es " +
         std::to_string(c.es) + " offsets " + std::to_string(c.x_off) + "/" +
         std::to_string(c.out_off) + "/" + std::to_string(c.fill_off) + "/" +
         std::to_string(c.ws_off);
}

void check_span(const SpanCase &c, std::mt19937_64 &rng) {
  SCOPED_TRACE(describe(c));
  const size_t bytes = static_cast<size_t>(c.B * c.C * c.T) * c.es;
  const size_t mbytes = static_cast<size_t>((c.per_lead ? c.B * c.C : c.B) * c.T);
  const std::vector<uint8_t> x = random_bytes(rng, bytes), f = random_bytes(rng, c.C * c.es);
  std::vector<uint8_t> want = x, want_mask(mbytes, 0xCD);
  const ssrl_status want_st =
      ssrl_span_mask_cpu(want.data(), want.data(), c.with_mask ? want_mask.data() : nullptr, c.B,
                         c.C, c.T, c.es, c.ratio, c.span, c.per_lead, c.exact,
                         c.fill ? f.data() : nullptr, c.seed);

  Buffer xd(bytes, c.x_off, 0xEE), od(bytes, c.out_off, 0xAB), md(mbytes, 0, 0xCD),
      fd(f.size(), c.fill_off, 0x77);
  if (bytes) memcpy(xd.p(), x.data(), bytes);
  if (!f.empty()) memcpy(fd.p(), f.data(), f.size());
  size_t ws = 0;
  const ssrl_status ws_st = ssrl_span_mask_cuda_workspace_size(c.B, c.C, c.T, c.ratio, c.span,
                                                               c.per_lead, c.exact, &ws);
  Buffer wd(ws, c.ws_off, 0xFF);
  const uint64_t seed = c.seed;
  uint8_t *dst = c.in_place ? xd.p() : od.p();
  const ssrl_status got_st = ssrl_span_mask_cuda(
      xd.p(), dst, c.with_mask ? md.p() : nullptr, c.B, c.C, c.T, c.es, c.ratio, c.span,
      c.per_lead, c.exact, c.fill ? fd.p() : nullptr, &seed, wd.p(), ws, nullptr);
  ASSERT_EQ(got_st, want_st);
  if (want_st != SSRL_OK) return;
  ASSERT_EQ(ws_st, SSRL_OK);
  ASSERT_EQ(ssrl_emu_error, cudaSuccess);
  EXPECT_TRUE(bytes == 0 || memcmp(dst, want.data(), bytes) == 0);
  if (c.with_mask) EXPECT_TRUE(mbytes == 0 || memcmp(md.p(), want_mask.data(), mbytes) == 0);
  EXPECT_TRUE(xd.guard_intact() && od.guard_intact() && md.guard_intact() && wd.guard_intact());
  if (!c.in_place) EXPECT_TRUE(bytes == 0 || memcmp(xd.p(), x.data(), bytes) == 0); /* x kept */
  EXPECT_LE(ssrl_emu.max_grid, kGridCap);
}

void check_lead(int64_t B, int64_t C, int64_t T, double p, int exact, bool in_place, size_t es,
                size_t x_off, size_t out_off, size_t ws_off, uint64_t seed, std::mt19937_64 &rng) {
  SCOPED_TRACE("B " + std::to_string(B) + " C " + std::to_string(C) + " T " + std::to_string(T) +
               " p " + std::to_string(p) + " exact " + std::to_string(exact) + " in_place " +
               std::to_string(in_place) + " es " + std::to_string(es));
  const size_t bytes = static_cast<size_t>(B * C * T) * es, db = static_cast<size_t>(B * C);
  const std::vector<uint8_t> x = random_bytes(rng, bytes);
  std::vector<uint8_t> want = x, want_dropped(db, 0xCD);
  const ssrl_status want_st = ssrl_lead_mask_cpu(want.data(), want.data(), want_dropped.data(), B,
                                                 C, T, es, p, exact, seed);
  Buffer xd(bytes, x_off, 0xEE), od(bytes, out_off, 0xAB), dd(db, 0, 0xCD);
  if (bytes) memcpy(xd.p(), x.data(), bytes);
  size_t ws = 0;
  const ssrl_status ws_st = ssrl_lead_mask_cuda_workspace_size(B, C, p, exact, &ws);
  Buffer wd(ws, ws_off, 0xFF);
  uint8_t *dst = in_place ? xd.p() : od.p();
  const ssrl_status got_st =
      ssrl_lead_mask_cuda(xd.p(), dst, dd.p(), B, C, T, es, p, exact, &seed, wd.p(), ws, nullptr);
  ASSERT_EQ(got_st, want_st);
  if (want_st != SSRL_OK) return;
  ASSERT_EQ(ws_st, SSRL_OK);
  EXPECT_TRUE(bytes == 0 || memcmp(dst, want.data(), bytes) == 0);
  EXPECT_TRUE(db == 0 || memcmp(dd.p(), want_dropped.data(), db) == 0);
  EXPECT_TRUE(xd.guard_intact() && od.guard_intact() && dd.guard_intact() && wd.guard_intact());
  EXPECT_LE(ssrl_emu.max_grid, kGridCap);
}

void check_token(int64_t rows, int64_t L, double ratio, size_t ws_off, uint64_t seed) {
  SCOPED_TRACE("rows " + std::to_string(rows) + " L " + std::to_string(L) + " ratio " +
               std::to_string(ratio));
  int64_t keep = 0;
  const ssrl_status keep_st = ssrl_token_keep_count(L, ratio, &keep);
  const size_t nk = static_cast<size_t>(keep_st == SSRL_OK ? rows * keep : 0);
  const size_t nl = static_cast<size_t>(keep_st == SSRL_OK ? rows * L : 0);
  std::vector<int64_t> want_keep(nk), want_restore(nl);
  std::vector<float> want_mask(nl);
  const ssrl_status want_st = ssrl_token_mask_cpu(rows, L, ratio, seed, want_keep.data(),
                                                  want_restore.data(), want_mask.data());
  Buffer kd(nk * 8, 0, 0x5A), rd(nl * 8, 0, 0x5A), md(nl * 4, 0, 0x5A);
  size_t ws = 0;
  ssrl_token_mask_cuda_workspace_size(rows, L, ratio, &ws);
  Buffer wd(ws, ws_off, 0xFF);
  const ssrl_status got_st = ssrl_token_mask_cuda(
      rows, L, ratio, &seed, reinterpret_cast<int64_t *>(kd.p()),
      reinterpret_cast<int64_t *>(rd.p()), reinterpret_cast<float *>(md.p()), wd.p(), ws, nullptr);
  ASSERT_EQ(got_st, want_st);
  if (want_st != SSRL_OK) return;
  EXPECT_TRUE(nk == 0 || memcmp(kd.p(), want_keep.data(), nk * 8) == 0);
  EXPECT_TRUE(nl == 0 || memcmp(rd.p(), want_restore.data(), nl * 8) == 0);
  EXPECT_TRUE(nl == 0 || memcmp(md.p(), want_mask.data(), nl * 4) == 0);
  EXPECT_TRUE(kd.guard_intact() && rd.guard_intact() && md.guard_intact() && wd.guard_intact());
  EXPECT_LE(ssrl_emu.max_grid, kGridCap);
}

uint64_t pick(std::mt19937_64 &rng, uint64_t n) { return n == 0 ? 0 : rng() % n; }

const double kRatios[] = {-0.5, 0.0, 0.01, 0.05, 0.15, 0.3, 0.5, 0.75, 1.0};
const size_t kSizes[] = {1, 2, 4, 8};

}  // namespace

/* Random small cases (fixed seed): every flag, element size, pointer offset
   0-8, sizes down to 0 and below span, ratios <= 0 to 1. */
TEST(CudaEmulated, SpanMaskEqualsCpu) {
  std::mt19937_64 rng(12345);
  for (int it = 0; it < 700; ++it) {
    SpanCase c;
    c.B = pick(rng, 5), c.C = pick(rng, 6), c.T = pick(rng, 4) == 0 ? pick(rng, 12) : pick(rng, 400);
    c.span = 1 + pick(rng, pick(rng, 2) ? 10 : 80);
    c.ratio = pick(rng, 3) ? kRatios[pick(rng, 9)] : pick(rng, 1000) / 1000.0;
    c.per_lead = pick(rng, 2), c.exact = pick(rng, 2), c.fill = pick(rng, 2);
    c.in_place = pick(rng, 3) == 0, c.with_mask = pick(rng, 5) != 0;
    c.es = kSizes[pick(rng, 4)];
    c.x_off = pick(rng, 9), c.out_off = pick(rng, 9), c.fill_off = pick(rng, 9), c.ws_off = pick(rng, 9);
    c.seed = rng();
    check_span(c, rng);
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
}

/* ECG-sized rows, a long row of span 1 (n = T / 2 starts), and 12 leads at
   ST-MEM's ratio: the workspace of many rows, each 8-byte aligned. */
TEST(CudaEmulated, SpanMaskLongRowsEqualCpu) {
  std::mt19937_64 rng(7);
  check_span({2, 12, 5000, 0.15, 50, 1, 1, true, false, true, 4, 0, 0, 0, 0, 7}, rng);
  check_span({2, 12, 5000, 0.15, 50, 0, 1, true, false, true, 2, 1, 3, 0, 0, 7}, rng);
  check_span({3, 2, 70000, 0.5, 1, 1, 0, true, true, true, 8, 3, 0, 5, 1, 9}, rng);
  check_span({4, 12, 1000, 0.75, 75, 1, 1, false, false, true, 4, 0, 0, 0, 3, 11}, rng);
  check_span({1, 0, 300, 0.5, 10, 0, 1, false, false, true, 4, 0, 0, 0, 0, 13}, rng); /* C = 0 */
  /* more selection rows (1200) than the small-grid build's threads (768) */
  check_span({100, 12, 60, 0.5, 10, 1, 1, true, false, true, 4, 0, 0, 0, 0, 15}, rng);
  check_span({100, 12, 60, 0.5, 10, 1, 0, false, false, true, 4, 0, 0, 0, 0, 16}, rng);
  check_span({900, 2, 30, 0.5, 10, 0, 1, false, false, true, 4, 0, 0, 0, 0, 17}, rng);
}

TEST(CudaEmulated, LeadMaskEqualsCpu) {
  std::mt19937_64 rng(54321);
  for (int it = 0; it < 700; ++it) {
    const double p = pick(rng, 3) ? pick(rng, 5) / 4.0 : pick(rng, 1000) / 1000.0;
    check_lead(pick(rng, 6), pick(rng, 40), pick(rng, 4) == 0 ? 0 : pick(rng, 60), p,
               pick(rng, 2), pick(rng, 3) == 0, kSizes[pick(rng, 4)], pick(rng, 9), pick(rng, 9),
               pick(rng, 9), rng(), rng);
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
  check_lead(300, 12, 3, 0.5, 1, false, 8, 0, 0, 0, 11, rng);
  check_lead(1000, 3, 2, 0.5, 1, false, 4, 0, 0, 0, 13, rng); /* 1000 samples > 768 threads */
  check_lead(1000, 3, 2, 0.5, 0, false, 4, 0, 0, 0, 14, rng);
  check_lead(5, 70, 20, 0.3, 1, true, 4, 4, 0, 5, 12, rng); /* C past one bitmap word */
}

TEST(CudaEmulated, TokenMaskEqualsCpu) {
  std::mt19937_64 rng(999);
  for (int it = 0; it < 700; ++it) {
    check_token(pick(rng, 40), pick(rng, 4) == 0 ? pick(rng, 3) : pick(rng, 100),
                pick(rng, 1001) / 1000.0, pick(rng, 9), rng());
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
  check_token(3072, 30, 0.75, 3, 13); /* ST-MEM: 256 x 12 rows of 30 patches */
  check_token(4, 200, 0.5, 0, 14);    /* L past six bitmap words */
}

/* Errors come back as the CPU's statuses, and a call refused before any
   launch launches nothing. */
TEST(CudaEmulated, BadArgumentsLaunchNothing) {
  const long before = ssrl_emu.launches;
  float x[8] = {0}, out[8];
  uint8_t mask[8];
  const uint64_t seed = 1;
  char ws[64];
  EXPECT_EQ(ssrl_span_mask_cuda(x, out, mask, 1, 1, 8, 4, 0.5, 0, 0, 1, nullptr, &seed, ws, 64,
                                nullptr),
            SSRL_ERR_INVALID_ARGUMENT); /* span 0 */
  EXPECT_EQ(ssrl_span_mask_cuda(x, out, mask, 1, 1, 8, 3, 0.5, 2, 0, 1, nullptr, &seed, ws, 64,
                                nullptr),
            SSRL_ERR_DTYPE); /* 3-byte elements */
  EXPECT_EQ(ssrl_lead_mask_cuda(x, out, mask, 1, 2, 4, 4, 1.5, 0, &seed, ws, 64, nullptr),
            SSRL_ERR_INVALID_ARGUMENT); /* p > 1 */
  EXPECT_EQ(ssrl_span_mask_cuda(x, out, mask, 1, 1, 8, 4, 0.5, 2, 1, 1, nullptr, &seed, ws, 0,
                                nullptr),
            SSRL_ERR_WORKSPACE);
  EXPECT_EQ(ssrl_emu.launches, before);
}
