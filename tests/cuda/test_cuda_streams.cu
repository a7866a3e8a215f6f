// test_cuda_streams.cu: every CUDA op on a created stream, and captured into a
// CUDA graph: the mask replays with a fresh device seed, the metrics replay
// unchanged. Skips without a GPU.

#include "cuda_test_util.cuh"

namespace ssrl_test {
namespace {

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
void MaskGraphReplay(int64_t B, int64_t C, int64_t T, int64_t bs, double ratio) {
  SCOPED_TRACE("T " + std::to_string(T) + " bs " + std::to_string(bs));
  std::vector<uint8_t> x(static_cast<size_t>(B * C * T) * 2);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 7 + 1);
  size_t ws = 0;
  ASSERT_EQ(ssrl_block_mask_cuda_workspace_size(B, T, ratio, bs, &ws), SSRL_OK);
  Dev xd = ToDevice(x), od(x.size()), md(static_cast<size_t>(B * T)), sd(8), wd(ws);
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);  // uploads done before s reads
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  const ssrl_status st =
      ssrl_block_mask_cuda(xd.p, od.p, reinterpret_cast<uint8_t *>(md.p), B, C, T, 2, ratio, bs,
                           reinterpret_cast<uint64_t *>(sd.p), wd.p, ws, s);
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

TEST_F(CudaStreams, MaskGraphReplaysWithFreshSeeds) {
  MaskGraphReplay(3, 4, 3000, 40, 0.4);  // direct: every tile redraws
  MaskGraphReplay(2, 3, 30011, 3, 1.0);  // bucketed: memsets and 4 kernels in the graph
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

}  // namespace
}  // namespace ssrl_test
