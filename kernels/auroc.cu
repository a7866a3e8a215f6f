/*
 * auroc.cu: ssrl_auroc_cuda and its workspace query. auroc [C] float64, the
 * exact tie-correct AUROC of each class of y_true [N, C] (0/1) against
 * y_prob [N, C] (docs/semantics.md section 3):
 *
 *   AUROC = U2 / (2 P M),  U2 = sum over positives s of #neg(< s) + #neg(<= s)
 *
 * with 64-bit integer counts and the CPU's final expression, so the result is
 * bit-identical to ssrl_auroc_cpu (ops/auroc.c). NaN when a class has one label
 * value only, or N == 0.
 *
 *   1. build: element e = n * C + c becomes key = order-preserving key of its
 *      score (uint32 for float32/half/bf16, uint64 for float64) and
 *      value = (c << 1) | (label == 1); bad labels and NaN go to *invalid;
 *   2. sort by key (cub::DeviceRadixSort, stable), then stably by class (the
 *      value's bits 1.. as a key), so class c holds positions [cN, cN + N) in
 *      ascending score order. Two full-width sorts use the whole GPU whatever
 *      C is (a segmented sort gives one thread block to each class);
 *   3. nb = exclusive scan of the negative flags (cub::DeviceScan), one extra
 *      slot so every class end has a prefix;
 *   4. contrib: each positive at sorted position i finds its tie run [s, e)
 *      (neighbours first, binary search only inside ties) and adds
 *      (nb[s] - nb[cN]) + (nb[e] - nb[cN]); one atomicAdd per block into U2[c]
 *      and P[c];
 *   5. finalize: auroc[c] = (double)U2 / (2.0 * (double)P * (double)M).
 *
 * ssrl_auroc_auprc_cuda adds the average precision (docs/semantics.md section
 * 9.2) to step 4: the first positive of each tie run (no positive in [s, i))
 * adds ssrl_ap_term(positives in [s, e), P - positives before s, M - nb[s]
 * + nb[cN], P), an integer, into AP[c]; integer sums are exact in any order,
 * so auprc is the CPU's bit for bit. Labels of any dtype are read in place
 * (section 9.1).
 *
 * Workspace (auroc_layout(), shared by the query and the launcher): two key
 * and two value buffers, nb [N C + 1], U2 [C], P [C] and CUB's temporary
 * storage, 256-byte aligned. N * C < 2^31 (CUB's item count is an int).
 * Build: part of libssrl_ecg; tested by tests/cuda/test_cuda_metrics.cu.
 */
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include "cuda_common.cuh"

namespace {

using ssrl_cuda::ceil_div;
using ull = unsigned long long;

constexpr int kThreads = 256;
constexpr int kItemsPerThread = 8; /* sorted positions per thread in contrib */
constexpr int64_t kMaxItems = (int64_t)1 << 31;

/* Device pointers into the workspace, or sizes when computing the layout. */
template <typename Key>
struct AurocBuffers {
  Key *keys[2];
  uint32_t *vals[2];
  int64_t *nb;   /* [M + 1] negatives before each sorted position */
  ull *u2, *pos; /* [C] */
  ull *ap;       /* [C], NULL: no AUPRC */
  void *temp;
  size_t temp_bytes;
};

/* Number of bits that hold 0 .. C - 1 (C >= 2). */
int class_bits(int64_t C) {
  int bits = 0;
  while (((int64_t)1 << bits) < C) ++bits;
  return bits;
}

/* Sorts by score, then stably by class, leaving the keys in b.keys[where[0]]
   and the values in b.vals[where[1]]. With b.temp NULL it only sizes CUB's
   temporary storage into *need (also the scan's, which shares it). */
template <typename Key>
cudaError_t sort_pairs(AurocBuffers<Key> &b, int M, int64_t C, int where[2], size_t *need,
                       cudaStream_t s) {
  cub::DoubleBuffer<Key> keys(b.keys[0], b.keys[1]);
  cub::DoubleBuffer<uint32_t> vals(b.vals[0], b.vals[1]);
  size_t bytes = b.temp_bytes, most = 0;
  /* pass 1: by score */
  cudaError_t err =
      cub::DeviceRadixSort::SortPairs(b.temp, bytes, keys, vals, M, 0, int(sizeof(Key) * 8), s);
  if (err != cudaSuccess) return err;
  most = bytes;
  cub::DoubleBuffer<uint32_t> cls(vals.Current(), vals.Alternate());
  cub::DoubleBuffer<Key> payload(keys.Current(), keys.Alternate());
  if (C > 1) {
    /* pass 2: by class (the value's bits 1..), the score key as payload; the
       sort is stable, so each class stays in score order */
    bytes = b.temp_bytes;
    err = cub::DeviceRadixSort::SortPairs(b.temp, bytes, cls, payload, M, 1, 1 + class_bits(C), s);
    if (err != cudaSuccess) return err;
    most = bytes > most ? bytes : most;
  }
  where[0] = payload.Current() == b.keys[0] ? 0 : 1;
  where[1] = cls.Current() == b.vals[0] ? 0 : 1;
  if (b.temp == nullptr) { /* size query: the scan's storage too */
    bytes = 0;
    err = cub::DeviceScan::ExclusiveSum(nullptr, bytes, b.nb, int64_t(M) + 1, s);
    if (err != cudaSuccess) return err;
    most = bytes > most ? bytes : most;
  }
  if (need != nullptr) *need = most;
  return cudaSuccess;
}

struct AurocLayout {
  size_t keys[2], vals[2], nb, u2, pos, ap, temp, temp_bytes, total;
  bool with_ap;
};

template <typename Key>
ssrl_status layout_for(int64_t N, int64_t C, bool with_ap, AurocLayout *L) {
  const int64_t M = N * C;
  *L = AurocLayout{};
  L->with_ap = with_ap;
  if (M == 0) return SSRL_OK; /* N == 0: NaN straight away; C == 0: nothing */
  AurocBuffers<Key> b{}; /* NULL temp: CUB only reports its sizes */
  int where[2];
  if (sort_pairs<Key>(b, static_cast<int>(M), C, where, &L->temp_bytes, nullptr) != cudaSuccess)
    return SSRL_ERR_CUDA;
  ssrl_cuda::Carver cv;
  const size_t m = static_cast<size_t>(M);
  L->keys[0] = cv.take(m, sizeof(Key));
  L->keys[1] = cv.take(m, sizeof(Key));
  L->vals[0] = cv.take(m, sizeof(uint32_t));
  L->vals[1] = cv.take(m, sizeof(uint32_t));
  L->nb = cv.take(m + 1, sizeof(int64_t));
  L->u2 = cv.take(static_cast<size_t>(C), sizeof(ull));
  L->pos = cv.take(static_cast<size_t>(C), sizeof(ull));
  if (with_ap) L->ap = cv.take(static_cast<size_t>(C), sizeof(ull));
  L->temp = cv.take(L->temp_bytes, 1);
  L->total = cv.total();
  return cv.overflow ? SSRL_ERR_SHAPE : SSRL_OK;
}

ssrl_status auroc_layout(int64_t N, int64_t C, ssrl_dtype dtype, bool with_ap, AurocLayout *L) {
  if (N * C >= kMaxItems) return SSRL_ERR_SHAPE;
  return dtype == SSRL_FLOAT64 ? layout_for<uint64_t>(N, C, with_ap, L)
                               : layout_for<uint32_t>(N, C, with_ap, L);
}

/* Order-preserving key of score e: float-family scores through float, as the
   CPU (-0 and +0 tie). */
template <ssrl_dtype D>
__device__ __forceinline__ auto score_key(const void *p, int64_t e) {
  if constexpr (D == SSRL_FLOAT64) {
    return ssrl_double_key(static_cast<const double *>(p)[e]);
  } else {
    return ssrl_float_key(static_cast<float>(ssrl_cuda::load_score<D>(p, e)));
  }
}

/* 1. keys/vals in the original element order; one thread per element. */
template <ssrl_dtype D, typename Key>
__global__ void __launch_bounds__(kThreads)
    build_kernel(const void *y_true, ssrl_dtype ldt, const void *y_prob, int M, int C, Key *keys,
                 uint32_t *vals, int32_t *invalid) {
  const int64_t e = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  int bits = 0;
  if (e < M) {
    const int y = ssrl_load_label(y_true, ldt, e); /* ldt is uniform: no divergence */
    if (y > 1) bits |= ssrl_cuda::kBadLabel;
    if (isnan(ssrl_cuda::load_score<D>(y_prob, e))) bits |= ssrl_cuda::kNanScore;
    keys[e] = score_key<D>(y_prob, e);
    vals[e] = (static_cast<uint32_t>(e % C) << 1) | (y == 1 ? 1u : 0u);
  }
  ssrl_cuda::report_invalid(invalid, bits);
}

/* nb[i] = 1 for a negative at sorted position i, nb[M] = 0: scanned next. */
__global__ void negative_flags_kernel(const uint32_t *vals, int M, int64_t *nb) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i < M) nb[i] = (vals[i] & 1u) ? 0 : 1;
  else if (i == M) nb[i] = 0;
}

/* First position in [lo, hi) whose key is > key (upper) or >= key (lower). */
template <typename Key, bool Upper>
__device__ __forceinline__ int64_t search(const Key *keys, int64_t lo, int64_t hi, Key key) {
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const Key k = keys[mid];
    if (Upper ? k <= key : k < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* 4. Block (c, chunk) adds the U2 terms of the positives at sorted positions
   [cN + chunk * kThreads * kItemsPerThread, ...) of class c. */
template <typename Key>
__global__ void __launch_bounds__(kThreads)
    contrib_kernel(const Key *keys, const uint32_t *vals, const int64_t *nb, int64_t N,
                   int64_t chunks, ull *u2, ull *pos, ull *ap) {
  using Reduce = cub::BlockReduce<ull, kThreads>;
  __shared__ typename Reduce::TempStorage tmp;
  const int64_t c = blockIdx.x / chunks, chunk = blockIdx.x % chunks;
  const int64_t seg0 = c * N, seg1 = seg0 + N;
  const int64_t first = seg0 + chunk * kThreads * kItemsPerThread;
  const int64_t M = nb[seg1] - nb[seg0], P = N - M;
  ull sum = 0, count = 0, terms = 0;
  for (int k = 0; k < kItemsPerThread; ++k) {
    const int64_t i = first + k * kThreads + threadIdx.x; /* coalesced */
    if (i >= seg1 || !(vals[i] & 1u)) continue;
    const Key key = keys[i];
    const int64_t s =
        (i == seg0 || keys[i - 1] != key) ? i : search<Key, false>(keys, seg0, i, key);
    const int64_t e =
        (i + 1 == seg1 || keys[i + 1] != key) ? i + 1 : search<Key, true>(keys, i + 1, seg1, key);
    sum += static_cast<ull>(nb[s] - nb[seg0]) + static_cast<ull>(nb[e] - nb[seg0]);
    count += 1;
    if (ap != nullptr && nb[i] - nb[s] == i - s) { /* the run's first positive */
      const int64_t neg_below = nb[s] - nb[seg0];
      const int64_t pos_below = (s - seg0) - neg_below;
      const int64_t delta = (e - s) - (nb[e] - nb[s]);
      terms += ssrl_ap_term(delta, P - pos_below, M - neg_below, P);
    }
  }
  const ull block_sum = Reduce(tmp).Sum(sum);
  __syncthreads();
  const ull block_count = Reduce(tmp).Sum(count);
  ull block_terms = 0;
  if (ap != nullptr) {
    __syncthreads();
    block_terms = Reduce(tmp).Sum(terms);
  }
  if (threadIdx.x == 0 && block_count != 0) {
    atomicAdd(u2 + c, block_sum);
    atomicAdd(pos + c, block_count);
    if (ap != nullptr) atomicAdd(ap + c, block_terms);
  }
}

/* 5. The CPU's expressions, in the CPU's operation order (ops/auroc.c). */
__global__ void finalize_kernel(const ull *u2, const ull *pos, const ull *ap, const int64_t *nb,
                                int64_t N, int64_t C, double *auroc, double *auprc) {
  const int64_t c = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (c >= C) return;
  const ull P = pos[c];
  const int64_t M = nb[(c + 1) * N] - nb[c * N];
  auroc[c] = (P == 0 || M == 0) ? ssrl_cuda::quiet_nan()
                                : (double)u2[c] / (2.0 * (double)P * (double)M);
  if (auprc != nullptr) {
    auprc[c] = P == 0 ? ssrl_cuda::quiet_nan() : (M == 0 ? 1.0 : ssrl_ap_value(ap[c]));
  }
}

__global__ void fill_nan_kernel(int64_t C, double *auroc, double *auprc) {
  const int64_t c = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (c < C) {
    auroc[c] = ssrl_cuda::quiet_nan();
    if (auprc != nullptr) auprc[c] = ssrl_cuda::quiet_nan();
  }
}

template <ssrl_dtype D, typename Key>
ssrl_status run(const void *y_true, ssrl_dtype ldt, const void *y_prob, int64_t N, int64_t C,
                double *auroc, double *auprc, int32_t *invalid, char *base, const AurocLayout &L,
                cudaStream_t s) {
  const int M = static_cast<int>(N * C);
  AurocBuffers<Key> b;
  for (int k = 0; k < 2; ++k) {
    b.keys[k] = reinterpret_cast<Key *>(base + L.keys[k]);
    b.vals[k] = reinterpret_cast<uint32_t *>(base + L.vals[k]);
  }
  b.nb = reinterpret_cast<int64_t *>(base + L.nb);
  b.u2 = reinterpret_cast<ull *>(base + L.u2);
  b.pos = reinterpret_cast<ull *>(base + L.pos);
  b.ap = (L.with_ap && auprc != nullptr) ? reinterpret_cast<ull *>(base + L.ap) : nullptr;
  b.temp = base + L.temp;
  b.temp_bytes = L.temp_bytes;

  if (cudaMemsetAsync(b.u2, 0, static_cast<size_t>(C) * sizeof(ull), s) != cudaSuccess ||
      cudaMemsetAsync(b.pos, 0, static_cast<size_t>(C) * sizeof(ull), s) != cudaSuccess ||
      (b.ap != nullptr &&
       cudaMemsetAsync(b.ap, 0, static_cast<size_t>(C) * sizeof(ull), s) != cudaSuccess))
    return SSRL_ERR_CUDA;
  build_kernel<D, Key><<<static_cast<unsigned>(ceil_div(M, kThreads)), kThreads, 0, s>>>(
      y_true, ldt, y_prob, M, static_cast<int>(C), b.keys[0], b.vals[0], invalid);
  if (cudaGetLastError() != cudaSuccess) return SSRL_ERR_CUDA;
  int where[2];
  if (sort_pairs<Key>(b, M, C, where, nullptr, s) != cudaSuccess) return SSRL_ERR_CUDA;
  const Key *keys = b.keys[where[0]];
  const uint32_t *vals = b.vals[where[1]];
  const unsigned flag_blocks = static_cast<unsigned>(ceil_div(int64_t(M) + 1, kThreads));
  negative_flags_kernel<<<flag_blocks, kThreads, 0, s>>>(vals, M, b.nb);
  if (cudaGetLastError() != cudaSuccess) return SSRL_ERR_CUDA;
  size_t bytes = b.temp_bytes;
  if (cub::DeviceScan::ExclusiveSum(b.temp, bytes, b.nb, int64_t(M) + 1, s) != cudaSuccess)
    return SSRL_ERR_CUDA;
  const int64_t chunks = ceil_div(N, kThreads * kItemsPerThread);
  contrib_kernel<Key><<<static_cast<unsigned>(C * chunks), kThreads, 0, s>>>(keys, vals, b.nb, N,
                                                                             chunks, b.u2, b.pos, b.ap);
  finalize_kernel<<<static_cast<unsigned>(ceil_div(C, kThreads)), kThreads, 0, s>>>(
      b.u2, b.pos, b.ap, b.nb, N, C, auroc, b.ap != nullptr ? auprc : nullptr);
  return ssrl_cuda::status_of(cudaSuccess);
}

ssrl_status dispatch(const void *y_true, ssrl_dtype ldt, const void *y_prob, ssrl_dtype dtype,
                     int64_t N, int64_t C, double *auroc, double *auprc, int32_t *invalid,
                     char *base, const AurocLayout &L, cudaStream_t s) {
  switch (dtype) {
    case SSRL_FLOAT32:
      return run<SSRL_FLOAT32, uint32_t>(y_true, ldt, y_prob, N, C, auroc, auprc, invalid, base,
                                         L, s);
    case SSRL_FLOAT64:
      return run<SSRL_FLOAT64, uint64_t>(y_true, ldt, y_prob, N, C, auroc, auprc, invalid, base,
                                         L, s);
    case SSRL_FLOAT16:
      return run<SSRL_FLOAT16, uint32_t>(y_true, ldt, y_prob, N, C, auroc, auprc, invalid, base,
                                         L, s);
    default:
      return run<SSRL_BFLOAT16, uint32_t>(y_true, ldt, y_prob, N, C, auroc, auprc, invalid, base,
                                          L, s);
  }
}

ssrl_status workspace_size(int64_t N, int64_t C, ssrl_dtype prob_dtype, bool with_ap,
                           size_t *bytes) {
  if (bytes == nullptr) return SSRL_ERR_NULL_POINTER;
  const ssrl_status st = ssrl_check_score_args(nullptr, nullptr, prob_dtype, N, C);
  /* no data pointers here: only the size and dtype verdicts count */
  if (st != SSRL_OK && st != SSRL_ERR_NULL_POINTER) return st;
  AurocLayout L;
  const ssrl_status lt = auroc_layout(N, C, prob_dtype, with_ap, &L);
  if (lt != SSRL_OK) return lt;
  *bytes = L.total;
  return SSRL_OK;
}

ssrl_status auroc_auprc(const void *y_true, ssrl_dtype ldt, const void *y_prob,
                        ssrl_dtype prob_dtype, int64_t N, int64_t C, double *auroc,
                        double *auprc, bool with_ap, int32_t *invalid, void *workspace,
                        size_t workspace_bytes, void *stream) {
  /* the CPU's checks first, in its order (ops/auroc.c) */
  ssrl_status st = ssrl_check_score_args2(y_true, ldt, y_prob, prob_dtype, N, C);
  if (st != SSRL_OK) return st;
  if (C > 0 && auroc == nullptr) return SSRL_ERR_NULL_POINTER;
  AurocLayout L;
  if ((st = auroc_layout(N, C, prob_dtype, with_ap, &L)) != SSRL_OK) return st;
  if (workspace_bytes < L.total) return SSRL_ERR_WORKSPACE;
  if (L.total > 0 && workspace == nullptr) return SSRL_ERR_NULL_POINTER;
  if (C == 0) return SSRL_OK;
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  if (N == 0) { /* no samples: every class is one-label */
    fill_nan_kernel<<<static_cast<unsigned>(ceil_div(C, kThreads)), kThreads, 0, s>>>(C, auroc,
                                                                                      auprc);
    return ssrl_cuda::status_of(cudaSuccess);
  }
  return dispatch(y_true, ldt, y_prob, prob_dtype, N, C, auroc, with_ap ? auprc : nullptr,
                  invalid, ssrl_cuda::aligned_base(workspace), L, s);
}

}  // namespace

extern "C" SSRL_API ssrl_status ssrl_auroc_cuda_workspace_size(int64_t N, int64_t C,
                                                               ssrl_dtype prob_dtype,
                                                               size_t *bytes) {
  return workspace_size(N, C, prob_dtype, false, bytes);
}

extern "C" SSRL_API ssrl_status ssrl_auroc_cuda(const uint8_t *y_true, const void *y_prob,
                                                ssrl_dtype prob_dtype, int64_t N, int64_t C,
                                                double *auroc, int32_t *invalid, void *workspace,
                                                size_t workspace_bytes, void *stream) {
  return auroc_auprc(y_true, SSRL_UINT8, y_prob, prob_dtype, N, C, auroc, nullptr, false, invalid,
                     workspace, workspace_bytes, stream);
}

extern "C" SSRL_API ssrl_status ssrl_auroc_auprc_cuda_workspace_size(int64_t N, int64_t C,
                                                                     ssrl_dtype prob_dtype,
                                                                     size_t *bytes) {
  return workspace_size(N, C, prob_dtype, true, bytes);
}

extern "C" SSRL_API ssrl_status ssrl_auroc_auprc_cuda(const void *y_true, ssrl_dtype labels_dtype,
                                                      const void *y_prob, ssrl_dtype prob_dtype,
                                                      int64_t N, int64_t C, double *auroc,
                                                      double *auprc, int32_t *invalid,
                                                      void *workspace, size_t workspace_bytes,
                                                      void *stream) {
  /* without auprc no accumulators: ssrl_auroc_cuda's workspace is enough */
  return auroc_auprc(y_true, labels_dtype, y_prob, prob_dtype, N, C, auroc, auprc,
                     auprc != nullptr, invalid, workspace, workspace_bytes, stream);
}
