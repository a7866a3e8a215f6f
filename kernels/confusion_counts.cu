/*
 * confusion_counts.cu: ssrl_confusion_counts_cuda and its workspace query.
 * counts [C, K, 4] int64 = (TP, FP, TN, FN) of y_true [N, C] (0/1, of any
 * label dtype, read in place: docs/semantics.md section 9.1) against
 * y_prob [N, C] >= thresholds [K] (any order), each threshold rounded to the
 * score dtype first (docs/semantics.md section 2). Bit-identical to
 * ssrl_confusion_counts_cpu (ops/confusion_counts.c), same algorithm:
 *
 *   1. threshold_keys: round each threshold to the score dtype (the CPU's
 *      rounding, cuda_common.cuh) and take its order-preserving uint64 key;
 *   2. rank_thresholds: sort the K keys by rank counting (key, then index),
 *      remembering each sorted position's original index;
 *   3. histogram: every score falls in bin = number of sorted thresholds <= it
 *      (binary search); hist[c][label][bin] is counted in per-block uint32
 *      shared-memory histograms flushed with one uint64 atomic per nonzero bin
 *      when a class tile's histogram fits in 32 KiB, else straight into global
 *      uint64 atomics (K > 4095);
 *   4. finalize: per class, suffix sums over bins ("score >= t_r" holds exactly
 *      for bins > r) written in the thresholds' original order.
 * Bad values (label > 1, NaN score, NaN threshold) are ORed into *invalid.
 *
 * Workspace: keys [K], sorted keys [K], order [K], hist [C, 2, K + 1] (8 bytes
 * each), carved by counts_layout() for both the query and the launcher.
 * Build: part of libssrl_ecg; tested by tests/cuda/test_cuda_metrics.cu.
 */
#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "cuda_common.cuh"

namespace {

using ssrl_cuda::ceil_div;
using ull = unsigned long long;

constexpr int kThreads = 256;
constexpr int kSharedCounters = 8192;   /* 32 KiB of uint32 counters per block */
constexpr int64_t kMaxBlockElems = 1 << 20; /* keeps per-block uint32 counts exact */
constexpr int64_t kMaxGrid = 1 << 30;

struct CountsLayout {
  size_t keys, sorted, order, hist, total;
};

/* The workspace regions for (C, K); false when the sizes overflow. */
bool counts_layout(int64_t C, int64_t K, CountsLayout *L) {
  int64_t hist_len;
  int64_t bins;
  if (C < 0 || K < 0 || K > INT64_MAX / 16 || !ssrl_mul_ok(K + 1, 2, &bins) ||
      !ssrl_mul_ok(C, bins, &hist_len))
    return false;
  ssrl_cuda::Carver cv;
  L->keys = cv.take(static_cast<size_t>(K), sizeof(uint64_t));
  L->sorted = cv.take(static_cast<size_t>(K), sizeof(uint64_t));
  L->order = cv.take(static_cast<size_t>(K), sizeof(int64_t));
  L->hist = cv.take(static_cast<size_t>(hist_len), sizeof(ull));
  L->total = cv.total();
  return !cv.overflow;
}

/* 1. keys[k] = key of thresholds[k] rounded to the score dtype. */
__global__ void threshold_keys_kernel(const double *thresholds, int64_t K, ssrl_dtype dtype,
                                      uint64_t *keys, int32_t *invalid) {
  const int64_t k = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int bits = 0;
  if (k < K) {
    const double r = ssrl_cuda::round_to_dtype_hd(thresholds[k], dtype);
    if (isnan(r)) bits = ssrl_cuda::kNanThreshold;
    keys[k] = ssrl_double_key(r);
  }
  ssrl_cuda::report_invalid(invalid, bits);
}

/* 2. Rank of key k in (key, index) order: a permutation even with ties. The
   keys stream through shared memory a tile at a time. */
__global__ void rank_thresholds_kernel(const uint64_t *keys, int64_t K, uint64_t *sorted,
                                       int64_t *order) {
  __shared__ uint64_t tile[kThreads];
  const int64_t k = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const uint64_t mine = k < K ? keys[k] : 0;
  int64_t rank = 0;
  for (int64_t j0 = 0; j0 < K; j0 += kThreads) {
    __syncthreads();
    if (j0 + threadIdx.x < K) tile[threadIdx.x] = keys[j0 + threadIdx.x];
    __syncthreads();
    const int n = K - j0 < kThreads ? static_cast<int>(K - j0) : kThreads;
    for (int j = 0; j < n; ++j) rank += tile[j] < mine || (tile[j] == mine && j0 + j < k);
  }
  if (k < K) {
    sorted[rank] = mine;
    order[rank] = k;
  }
}

/* Number of sorted[0, K) that are <= key. */
__device__ __forceinline__ int64_t bin_of(uint64_t key, const uint64_t *sorted, int64_t K) {
  int64_t lo = 0, hi = K;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (__ldg(sorted + mid) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Label slot and bin of element e; bad values go into *bits. */
template <ssrl_dtype D>
__device__ __forceinline__ int64_t slot_of(const void *y_true, ssrl_dtype ldt, const void *y_prob,
                                           int64_t e, const uint64_t *sorted, int64_t K,
                                           int *label, int *bits) {
  const int y = ssrl_load_label(y_true, ldt, e); /* ldt is uniform: no divergence */
  const double p = ssrl_cuda::load_score<D>(y_prob, e);
  if (y > 1) *bits |= ssrl_cuda::kBadLabel;
  if (isnan(p)) *bits |= ssrl_cuda::kNanScore;
  *label = y & 1; /* a bad label's counts are unspecified; stay in bounds */
  return bin_of(ssrl_double_key(p), sorted, K);
}

struct HistShape {
  int64_t N, C, K;
  int64_t cc;        /* classes per tile */
  int64_t rows_per;  /* rows per block */
  int64_t n_rchunks; /* row chunks per class tile */
  int64_t n_blocks;  /* class tiles x row chunks */
};

/* 3a. Block (tile, chunk) counts rows [r0, r0 + rows_per) of classes
   [c0, c0 + cc) in shared memory, then adds them to hist [C, 2, K + 1]. */
template <ssrl_dtype D>
__global__ void __launch_bounds__(kThreads)
    hist_shared_kernel(const void *y_true, ssrl_dtype ldt, const void *y_prob, const uint64_t *sorted,
                       HistShape s, ull *hist, int32_t *invalid) {
  extern __shared__ uint32_t counters[]; /* [cc, 2, K + 1] */
  const int64_t bins = s.K + 1;
  int bits = 0;
  for (int64_t blk = blockIdx.x; blk < s.n_blocks; blk += gridDim.x) {
    const int64_t c0 = blk / s.n_rchunks * s.cc, r0 = blk % s.n_rchunks * s.rows_per;
    const int cw = static_cast<int>(s.C - c0 < s.cc ? s.C - c0 : s.cc);
    const int rows = static_cast<int>(s.N - r0 < s.rows_per ? s.N - r0 : s.rows_per);
    const int n_counters = cw * 2 * static_cast<int>(bins);
    for (int i = threadIdx.x; i < n_counters; i += kThreads) counters[i] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < rows * cw; i += kThreads) {
      const int r = i / cw, j = i - r * cw;
      int label;
      const int64_t bin =
          slot_of<D>(y_true, ldt, y_prob, (r0 + r) * s.C + c0 + j, sorted, s.K, &label, &bits);
      atomicAdd(&counters[(j * 2 + label) * bins + bin], 1u);
    }
    __syncthreads();
    ull *dst = hist + c0 * 2 * bins; /* the tile's classes are contiguous in hist */
    for (int i = threadIdx.x; i < n_counters; i += kThreads)
      if (counters[i] != 0) atomicAdd(dst + i, static_cast<ull>(counters[i]));
    __syncthreads();
  }
  ssrl_cuda::report_invalid(invalid, bits);
}

/* 3b. Too many bins for shared memory: count straight into hist. */
template <ssrl_dtype D>
__global__ void __launch_bounds__(kThreads)
    hist_global_kernel(const void *y_true, ssrl_dtype ldt, const void *y_prob, const uint64_t *sorted,
                       HistShape s, ull *hist, int32_t *invalid) {
  const int64_t total = s.N * s.C, bins = s.K + 1;
  int bits = 0;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * kThreads) {
    int label;
    const int64_t bin = slot_of<D>(y_true, ldt, y_prob, e, sorted, s.K, &label, &bits);
    atomicAdd(&hist[(e % s.C * 2 + label) * bins + bin], 1ull);
  }
  ssrl_cuda::report_invalid(invalid, bits);
}

/* 4. counts of class c from its histogram: the bins > r for sorted threshold r,
   scanned from the top bin down, a kThreads-wide tile at a time. */
__global__ void __launch_bounds__(kThreads)
    finalize_kernel(const ull *hist, int64_t C, int64_t K, const int64_t *order,
                    int64_t *counts) {
  using Scan = cub::BlockScan<ull, kThreads>;
  using Reduce = cub::BlockReduce<ull, kThreads>;
  __shared__ union {
    typename Scan::TempStorage scan;
    typename Reduce::TempStorage reduce;
  } tmp;
  __shared__ ull totals[2];
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {
    const ull *neg = hist + c * 2 * (K + 1), *pos = neg + (K + 1);
    ull sn = 0, sp = 0;
    for (int64_t bin = threadIdx.x; bin <= K; bin += kThreads) sn += neg[bin], sp += pos[bin];
    const ull all_neg = Reduce(tmp.reduce).Sum(sn);
    __syncthreads();
    const ull all_pos = Reduce(tmp.reduce).Sum(sp);
    if (threadIdx.x == 0) totals[0] = all_neg, totals[1] = all_pos;
    __syncthreads();
    const ull total_neg = totals[0], total_pos = totals[1];
    ull carry_neg = 0, carry_pos = 0;
    for (int64_t j0 = 0; j0 < K; j0 += kThreads) {
      const int64_t j = j0 + threadIdx.x; /* bin K - j; sorted threshold r = K - 1 - j */
      ull fp, tp, agg_neg, agg_pos;
      Scan(tmp.scan).InclusiveSum(j < K ? neg[K - j] : 0ull, fp, agg_neg);
      __syncthreads();
      Scan(tmp.scan).InclusiveSum(j < K ? pos[K - j] : 0ull, tp, agg_pos);
      __syncthreads();
      if (j < K) {
        fp += carry_neg, tp += carry_pos;
        int64_t *out = counts + (c * K + order[K - 1 - j]) * 4;
        out[0] = static_cast<int64_t>(tp);
        out[1] = static_cast<int64_t>(fp);
        out[2] = static_cast<int64_t>(total_neg - fp);
        out[3] = static_cast<int64_t>(total_pos - tp);
      }
      carry_neg += agg_neg, carry_pos += agg_pos;
    }
    __syncthreads(); /* totals is rewritten for the next class */
  }
}

unsigned grid_of(int64_t blocks) {
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks < kMaxGrid ? blocks : kMaxGrid));
}

/* Tiles the classes so a tile's histogram fits kSharedCounters; cc == 0 when
   even one class does not (the global-atomics kernel then). */
HistShape plan_histogram(int64_t N, int64_t C, int64_t K) {
  HistShape s{N, C, K, 0, 0, 0, 0};
  const int64_t per_class = 2 * (K + 1);
  if (per_class > kSharedCounters) return s;
  s.cc = kSharedCounters / per_class < C ? kSharedCounters / per_class : C;
  /* enough elements per block that the flush stays small next to the counting */
  int64_t target = 4 * s.cc * per_class;
  if (target < 8192) target = 8192;
  if (target > kMaxBlockElems) target = kMaxBlockElems;
  s.rows_per = target / s.cc > 0 ? target / s.cc : 1;
  s.n_rchunks = ceil_div(N, s.rows_per);
  s.n_blocks = ceil_div(C, s.cc) * s.n_rchunks;
  return s;
}

template <ssrl_dtype D>
cudaError_t launch_histogram(const void *y_true, ssrl_dtype ldt, const void *y_prob,
                             const uint64_t *sorted,
                             int64_t N, int64_t C, int64_t K, ull *hist, int32_t *invalid,
                             cudaStream_t stream) {
  const HistShape s = plan_histogram(N, C, K);
  if (s.cc > 0) {
    const size_t smem = static_cast<size_t>(s.cc * 2 * (K + 1)) * sizeof(uint32_t);
    hist_shared_kernel<D><<<grid_of(s.n_blocks), kThreads, smem, stream>>>(y_true, ldt, y_prob, sorted,
                                                                          s, hist, invalid);
  } else {
    hist_global_kernel<D><<<grid_of(ceil_div(N * C, kThreads)), kThreads, 0, stream>>>(
        y_true, ldt, y_prob, sorted, s, hist, invalid);
  }
  return cudaGetLastError();
}

cudaError_t histogram(const void *y_true, ssrl_dtype ldt, const void *y_prob, ssrl_dtype dtype,
                      const uint64_t *sorted, int64_t N, int64_t C, int64_t K, ull *hist,
                      int32_t *invalid, cudaStream_t stream) {
  const cudaStream_t s = stream;
  switch (dtype) {
    case SSRL_FLOAT32:
      return launch_histogram<SSRL_FLOAT32>(y_true, ldt, y_prob, sorted, N, C, K, hist, invalid, s);
    case SSRL_FLOAT64:
      return launch_histogram<SSRL_FLOAT64>(y_true, ldt, y_prob, sorted, N, C, K, hist, invalid, s);
    case SSRL_FLOAT16:
      return launch_histogram<SSRL_FLOAT16>(y_true, ldt, y_prob, sorted, N, C, K, hist, invalid, s);
    default:
      return launch_histogram<SSRL_BFLOAT16>(y_true, ldt, y_prob, sorted, N, C, K, hist, invalid, s);
  }
}

/* The CPU's argument checks (ops/check.c), so both refuse the same input. */
ssrl_status check_args(const void *y_true, ssrl_dtype ldt, const void *y_prob, ssrl_dtype dtype,
                       int64_t N, int64_t C, const double *thresholds, int64_t K,
                       const int64_t *counts) {
  int64_t hist_len;
  return ssrl_check_counts_args(y_true, ldt, y_prob, dtype, N, C, thresholds, K, counts,
                                &hist_len);
}

}  // namespace

extern "C" SSRL_API ssrl_status ssrl_confusion_counts_cuda_workspace_size(int64_t N, int64_t C,
                                                                          int64_t K,
                                                                          size_t *bytes) {
  if (bytes == nullptr) return SSRL_ERR_NULL_POINTER;
  if (N < 0 || C < 0) return SSRL_ERR_SHAPE;
  CountsLayout L;
  if (!counts_layout(C, K, &L)) return SSRL_ERR_SHAPE;
  *bytes = L.total;
  return SSRL_OK;
}

extern "C" SSRL_API ssrl_status ssrl_confusion_counts_cuda(
    const uint8_t *y_true, const void *y_prob, ssrl_dtype prob_dtype, int64_t N, int64_t C,
    const double *thresholds, int64_t K, int64_t *counts, int32_t *invalid, void *workspace,
    size_t workspace_bytes, void *stream) {
  return ssrl_confusion_counts2_cuda(y_true, SSRL_UINT8, y_prob, prob_dtype, N, C, thresholds, K,
                                     counts, invalid, workspace, workspace_bytes, stream);
}

extern "C" SSRL_API ssrl_status ssrl_confusion_counts2_cuda(
    const void *y_true, ssrl_dtype labels_dtype, const void *y_prob, ssrl_dtype prob_dtype,
    int64_t N, int64_t C, const double *thresholds, int64_t K, int64_t *counts, int32_t *invalid,
    void *workspace, size_t workspace_bytes, void *stream) {
  ssrl_status st =
      check_args(y_true, labels_dtype, y_prob, prob_dtype, N, C, thresholds, K, counts);
  if (st != SSRL_OK) return st;
  CountsLayout L;
  if (!counts_layout(C, K, &L)) return SSRL_ERR_SHAPE;
  if (workspace_bytes < L.total) return SSRL_ERR_WORKSPACE;
  if (L.total > 0 && workspace == nullptr) return SSRL_ERR_NULL_POINTER;
  /* Nothing to write and no value to inspect. */
  if (C * K == 0 && (invalid == nullptr || (K == 0 && N * C == 0))) return SSRL_OK;

  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  char *base = ssrl_cuda::aligned_base(workspace);
  uint64_t *keys = reinterpret_cast<uint64_t *>(base + L.keys);
  uint64_t *sorted = reinterpret_cast<uint64_t *>(base + L.sorted);
  int64_t *order = reinterpret_cast<int64_t *>(base + L.order);
  ull *hist = reinterpret_cast<ull *>(base + L.hist);

  if (K > 0) { /* even with C == 0: a NaN threshold is reported, as the CPU does */
    const unsigned g = grid_of(ceil_div(K, kThreads));
    threshold_keys_kernel<<<g, kThreads, 0, s>>>(thresholds, K, prob_dtype, keys, invalid);
    rank_thresholds_kernel<<<g, kThreads, 0, s>>>(keys, K, sorted, order);
    if ((st = ssrl_cuda::status_of(cudaSuccess)) != SSRL_OK) return st;
  }
  if (C == 0) return SSRL_OK;
  const size_t hist_bytes = static_cast<size_t>(C * 2 * (K + 1)) * sizeof(ull);
  if (cudaMemsetAsync(hist, 0, hist_bytes, s) != cudaSuccess) return SSRL_ERR_CUDA;
  if (N > 0 && histogram(y_true, labels_dtype, y_prob, prob_dtype, sorted, N, C, K, hist,
                         invalid, s) !=
                   cudaSuccess)
    return SSRL_ERR_CUDA;
  if (K > 0) {
    finalize_kernel<<<grid_of(C), kThreads, 0, s>>>(hist, C, K, order, counts);
    return ssrl_cuda::status_of(cudaSuccess);
  }
  return SSRL_OK;
}
