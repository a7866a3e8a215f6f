// test_cuda_masking.cu: ssrl_span_mask_cuda, ssrl_lead_mask_cuda and
// ssrl_token_mask_cuda against their CPU twins, bit for bit: every elem size,
// per sample and per lead, overlapping and exact, zeros and fill, in and out
// of place, byte-misaligned buffers, awkward shapes (T < span, C = 0, L = 1),
// seeds past 2^32; no byte outside the outputs written; a too-small workspace
// refused. Skips without a GPU.

#include "cuda_test_util.cuh"

namespace ssrl_test {
namespace {

class CudaMasking : public Gpu {};

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(rng() | 1);  // no zero byte: zeroing shows
  return v;
}

size_t SpanWorkspace(int64_t B, int64_t C, int64_t T, double r, int64_t s, int pl, int ex) {
  size_t ws = 0;
  EXPECT_EQ(ssrl_span_mask_cuda_workspace_size(B, C, T, r, s, pl, ex, &ws), SSRL_OK);
  return ws;
}

struct SpanCase {
  int64_t B, C, T;
  double ratio;
  int64_t span;
};

void CheckSpan(const SpanCase &m, size_t es, int per_lead, int exact, bool fill, bool in_place,
               size_t off, uint64_t seed) {
  SCOPED_TRACE("B " + std::to_string(m.B) + " C " + std::to_string(m.C) + " T " +
               std::to_string(m.T) + " es " + std::to_string(es) + " per_lead " +
               std::to_string(per_lead) + " exact " + std::to_string(exact) + " fill " +
               std::to_string(fill) + " in_place " + std::to_string(in_place) + " off " +
               std::to_string(off));
  const size_t bytes = static_cast<size_t>(m.B * m.C * m.T) * es;
  const size_t mbytes = static_cast<size_t>((per_lead ? m.B * m.C : m.B) * m.T);
  const std::vector<uint8_t> x = RandomBytes(bytes, static_cast<uint32_t>(seed + bytes));
  const std::vector<uint8_t> f = RandomBytes(static_cast<size_t>(m.C) * es + 1, 5);
  std::vector<uint8_t> want(bytes), want_mask(mbytes);
  ASSERT_EQ(ssrl_span_mask_cpu(x.data(), want.data(), want_mask.data(), m.B, m.C, m.T, es,
                               m.ratio, m.span, per_lead, exact, fill ? f.data() : nullptr, seed),
            SSRL_OK);
  Dev xd(bytes + off + kGuard), od(bytes + off + kGuard), md(mbytes + kGuard), fd(f.size() + off);
  Dev sd(8), wd(SpanWorkspace(m.B, m.C, m.T, m.ratio, m.span, per_lead, exact) + 1);
  xd.fill(0xEE, bytes + off + kGuard); /* every byte read back is defined (initcheck) */
  od.fill(0xAB, bytes + off + kGuard);
  md.fill(0xCD, mbytes + kGuard);
  xd.put(x.data(), bytes, off);
  fd.put(f.data(), f.size(), off);
  sd.put(&seed, 8);
  char *src = xd.p + off, *dst = in_place ? xd.p + off : od.p + off;
  const size_t ws = SpanWorkspace(m.B, m.C, m.T, m.ratio, m.span, per_lead, exact);
  ASSERT_EQ(ssrl_span_mask_cuda(src, dst, reinterpret_cast<uint8_t *>(md.p), m.B, m.C, m.T, es,
                                m.ratio, m.span, per_lead, exact, fill ? fd.p + off : nullptr,
                                reinterpret_cast<const uint64_t *>(sd.p), wd.p + 1, ws, nullptr),
            SSRL_OK);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<uint8_t> got(bytes + kGuard), got_mask(mbytes + kGuard);
  (in_place ? xd : od).get(got.data(), bytes + kGuard, off);
  md.get(got_mask.data(), mbytes + kGuard);
  EXPECT_EQ(FirstDiff(std::vector<uint8_t>(got.begin(), got.begin() + bytes), want), -1);
  EXPECT_EQ(FirstDiff(std::vector<uint8_t>(got_mask.begin(), got_mask.begin() + mbytes),
                      want_mask), -1);
  for (size_t i = mbytes; i < mbytes + kGuard; ++i) ASSERT_EQ(got_mask[i], 0xCD);
  for (size_t i = bytes; i < bytes + kGuard; ++i) ASSERT_EQ(got[i], in_place ? 0xEE : 0xAB);
}

TEST_F(CudaMasking, SpanMaskEqualsCpu) {
  const SpanCase cases[] = {{3, 4, 769, 0.3, 50},  {2, 12, 5000, 0.15, 50}, {2, 3, 7, 0.5, 9},
                            {2, 3, 9, 0.5, 9},     {2, 0, 40, 0.5, 4},      {0, 3, 40, 0.5, 4},
                            {3, 2, 60, 1.0, 6},    {2, 3, 1000, 0.5, 1},    {2, 2, 100, 0.0, 5}};
  for (const SpanCase &m : cases)
    for (size_t es : {1, 2, 4, 8})
      for (int mode = 0; mode < 8; ++mode)
        CheckSpan(m, es, mode & 1, (mode >> 1) & 1, (mode >> 2) & 1, false, 0, 0x1234567890ull);
}

TEST_F(CudaMasking, SpanMaskInPlaceAndMisaligned) {
  const SpanCase m{3, 5, 333, 0.4, 7};
  for (size_t es : {2, 4, 8})
    for (size_t off : {0, 1, 3})
      for (int mode = 0; mode < 4; ++mode) CheckSpan(m, es, mode & 1, mode >> 1, true, off != 3, off, 99);
}

TEST_F(CudaMasking, LeadMaskEqualsCpu) {
  struct Case {
    int64_t B, C, T;
    double p;
  };
  for (const Case &m : {Case{5, 12, 769, 0.25}, Case{3, 1, 40, 0.5}, Case{4, 37, 10, 1.0},
                        Case{2, 6, 0, 0.5}, Case{0, 6, 5, 0.5}, Case{300, 12, 3, 0.5}})
    for (size_t es : {1, 2, 4, 8})
      for (int exact = 0; exact < 2; ++exact)
        for (int in_place = 0; in_place < 2; ++in_place) {
          SCOPED_TRACE("B " + std::to_string(m.B) + " C " + std::to_string(m.C) + " es " +
                       std::to_string(es) + " exact " + std::to_string(exact));
          const uint64_t seed = 0xfedcba9876543210ull;
          const size_t bytes = static_cast<size_t>(m.B * m.C * m.T) * es;
          const size_t db = static_cast<size_t>(m.B * m.C);
          const std::vector<uint8_t> x = RandomBytes(bytes, 3);
          std::vector<uint8_t> want(bytes), want_d(db);
          ASSERT_EQ(ssrl_lead_mask_cpu(x.data(), want.data(), want_d.data(), m.B, m.C, m.T, es,
                                       m.p, exact, seed), SSRL_OK);
          size_t ws = 0;
          ASSERT_EQ(ssrl_lead_mask_cuda_workspace_size(m.B, m.C, m.p, exact, &ws), SSRL_OK);
          Dev xd(bytes), od(bytes), dd(db), sd(8), wd(ws);
          xd.put(x.data(), bytes);
          sd.put(&seed, 8);
          char *dst = in_place ? xd.p : od.p;
          ASSERT_EQ(ssrl_lead_mask_cuda(xd.p, dst, reinterpret_cast<uint8_t *>(dd.p), m.B, m.C,
                                        m.T, es, m.p, exact,
                                        reinterpret_cast<const uint64_t *>(sd.p), wd.p, ws,
                                        nullptr), SSRL_OK);
          std::vector<uint8_t> got(bytes), got_d(db);
          (in_place ? xd : od).get(got.data(), bytes);
          dd.get(got_d.data(), db);
          EXPECT_EQ(FirstDiff(got, want), -1);
          EXPECT_EQ(FirstDiff(got_d, want_d), -1);
        }
}

TEST_F(CudaMasking, TokenMaskEqualsCpu) {
  struct Case {
    int64_t rows, L;
    double ratio;
  };
  for (const Case &m : {Case{3072, 30, 0.75}, Case{256, 12, 0.5}, Case{5, 1, 0.5},
                        Case{7, 65, 0.1}, Case{4, 50, 1.0}, Case{0, 5, 0.5}}) {
    SCOPED_TRACE("rows " + std::to_string(m.rows) + " L " + std::to_string(m.L));
    const uint64_t seed = 0x1111222233334444ull;
    int64_t keep = 0;
    ASSERT_EQ(ssrl_token_keep_count(m.L, m.ratio, &keep), SSRL_OK);
    const size_t nk = static_cast<size_t>(m.rows * keep), nl = static_cast<size_t>(m.rows * m.L);
    std::vector<int64_t> wk(nk), wr(nl), gk(nk), gr(nl);
    std::vector<float> wm(nl), gm(nl);
    ASSERT_EQ(ssrl_token_mask_cpu(m.rows, m.L, m.ratio, seed, wk.data(), wr.data(), wm.data()),
              SSRL_OK);
    size_t ws = 0;
    ASSERT_EQ(ssrl_token_mask_cuda_workspace_size(m.rows, m.L, m.ratio, &ws), SSRL_OK);
    Dev kd(nk * 8), rd(nl * 8), md(nl * 4), sd(8), wd(ws);
    sd.put(&seed, 8);
    ASSERT_EQ(ssrl_token_mask_cuda(m.rows, m.L, m.ratio, reinterpret_cast<const uint64_t *>(sd.p),
                                   reinterpret_cast<int64_t *>(kd.p),
                                   reinterpret_cast<int64_t *>(rd.p),
                                   reinterpret_cast<float *>(md.p), wd.p, ws, nullptr),
              SSRL_OK);
    kd.get(gk.data(), nk * 8);
    rd.get(gr.data(), nl * 8);
    md.get(gm.data(), nl * 4);
    EXPECT_EQ(gk, wk);
    EXPECT_EQ(gr, wr);
    EXPECT_EQ(gm, wm);
  }
}

TEST_F(CudaMasking, WorkspaceTooSmallIsRefused) {
  Dev xd(4 * 3 * 100), sd(8), wd(8);
  size_t ws = 0;
  ASSERT_EQ(ssrl_span_mask_cuda_workspace_size(4, 3, 100, 0.3, 5, 1, 1, &ws), SSRL_OK);
  ASSERT_GT(ws, 8u);
  EXPECT_EQ(ssrl_span_mask_cuda(xd.p, xd.p, nullptr, 4, 3, 100, 1, 0.3, 5, 1, 1, nullptr,
                                reinterpret_cast<const uint64_t *>(sd.p), wd.p, ws - 1, nullptr),
            SSRL_ERR_WORKSPACE);
  ASSERT_EQ(ssrl_token_mask_cuda_workspace_size(4, 30, 0.5, &ws), SSRL_OK);
  EXPECT_EQ(ssrl_token_mask_cuda(4, 30, 0.5, reinterpret_cast<const uint64_t *>(sd.p),
                                 reinterpret_cast<int64_t *>(xd.p),
                                 reinterpret_cast<int64_t *>(xd.p), reinterpret_cast<float *>(xd.p),
                                 wd.p, ws - 1, nullptr),
            SSRL_ERR_WORKSPACE);
}

}  // namespace
}  // namespace ssrl_test
