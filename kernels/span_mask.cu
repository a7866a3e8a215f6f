/*
 * span_mask.cu: ssrl_span_mask_cuda, masking random time spans of x [B, C, T]
 * per sample or per lead, overlapping or exact, with zeros or fill[c]
 * (docs/semantics.md, "Masks for self-supervised pretraining"). Bit-identical
 * to ssrl_span_mask_cpu (ops/span_mask.c): both take each row's sorted starts
 * from ssrl_span_starts_row (ops/mask_select.h).
 *
 * Two launches on the caller's stream:
 *   1. select: one thread per selection row (sample, or sample x lead) draws
 *      its starts into the workspace (bitmap, then sorted starts);
 *   2. apply: one thread per element of x finds the last start <= t by binary
 *      search (n is small: T / span at most) and writes x, 0 or fill[c]; the
 *      mask is written alongside (per sample: by channel 0's elements).
 * The per-sample, overlapping, zero-fill case is block_mask's and goes to
 * ssrl_block_mask_cuda. Tested by tests/cuda/test_cuda_masking.cu.
 */
#include "mask_common.cuh"

namespace {

using namespace ssrl_cuda;

struct SpanArgs {
  const char *x;
  char *out;
  uint8_t *mask;
  const char *fill;     /* [C] elements or nullptr */
  const uint64_t *seed; /* device */
  char *ws;
  int64_t B, C, T, span, n, rows;
  uint64_t row_bytes;
  bool per_lead, exact, in_place;
};

__device__ __forceinline__ int64_t *row_starts(const SpanArgs &a, int64_t r) {
  return reinterpret_cast<int64_t *>(a.ws + r * a.row_bytes + ssrl_span_bits_words(a.T) * 4);
}

__global__ void __launch_bounds__(kMaskThreads) select_kernel(SpanArgs a) {
  const uint64_t seed = *a.seed; /* read here: graph replays see fresh seeds */
  for (int64_t r = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; r < a.rows;
       r += (int64_t)gridDim.x * blockDim.x) {
    uint32_t *bits = reinterpret_cast<uint32_t *>(a.ws + r * a.row_bytes);
    for (uint64_t w = 0; w < ssrl_span_bits_words(a.T); ++w) bits[w] = 0;
    ssrl_span_starts_row(seed, static_cast<uint64_t>(r), a.T, a.span, a.n, a.exact, bits,
                         row_starts(a, r));
  }
}

/* Units U, UPE units per element (U the element type, or bytes when the
   pointers are not element-aligned). C == 0 still writes the per-sample mask. */
template <typename U, int UPE>
__global__ void __launch_bounds__(kMaskThreads) apply_kernel(SpanArgs a) {
  const U *x = reinterpret_cast<const U *>(a.x);
  U *out = reinterpret_cast<U *>(a.out);
  const U *fill = reinterpret_cast<const U *>(a.fill);
  const int64_t C = a.C > 0 ? a.C : 1;
  const int64_t total = a.B * C * a.T * UPE;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t e = i / UPE, k = i % UPE;
    const int64_t row = e / a.T, t = e % a.T, b = row / C, c = row % C;
    const int64_t sel = a.per_lead ? row : b;
    const bool m = ssrl_span_covers(row_starts(a, sel), a.n, a.span, t);
    if (k == 0 && a.mask != nullptr && (a.per_lead || c == 0)) a.mask[sel * a.T + t] = m;
    if (a.C == 0) continue;
    if (m) out[i] = fill != nullptr ? fill[c * UPE + k] : U(0);
    else if (!a.in_place) out[i] = x[i];
  }
}

/* The grid is sized in the units the kernel moves: elements, or bytes when
   a pointer is not element-aligned. */
template <int ES>
cudaError_t launch_apply(const SpanArgs &a, cudaStream_t s, int64_t elements) {
  using E = typename Unit<ES>::T;
  const bool elem = aligned_to(a.x, ES) && aligned_to(a.out, ES) &&
                    (a.fill == nullptr || aligned_to(a.fill, ES));
  if (elem) apply_kernel<E, 1><<<mask_blocks(elements), kMaskThreads, 0, s>>>(a);
  else apply_kernel<uint8_t, ES><<<mask_blocks(elements * ES), kMaskThreads, 0, s>>>(a);
  return cudaGetLastError();
}

/* The plan of a call, sizes only: x and out are checked apart. */
ssrl_status plan_of(int64_t B, int64_t C, int64_t T, size_t elem_size, double mask_ratio,
                    int64_t span, int per_lead, int exact, ssrl_span_plan *plan) {
  static const char probe = 0; /* non-NULL stand-in for x and out */
  return ssrl_check_span_args(&probe, &probe, B, C, T, elem_size, mask_ratio, span, per_lead,
                              exact, plan);
}

}  // namespace

extern "C" SSRL_API ssrl_status ssrl_span_mask_cuda_workspace_size(int64_t B, int64_t C, int64_t T,
                                                                   double mask_ratio, int64_t span,
                                                                   int per_lead, int exact,
                                                                   size_t *bytes) {
  if (bytes == nullptr) return SSRL_ERR_NULL_POINTER;
  ssrl_span_plan plan;
  const ssrl_status st = plan_of(B, C, T, 1, mask_ratio, span, per_lead, exact, &plan);
  if (st != SSRL_OK) return st;
  const uint64_t need = plan.n == 0 || T == 0 ? 0 : plan.rows * ssrl_span_row_bytes(T, plan.n);
  *bytes = need == 0 ? 0 : static_cast<size_t>(need) + 7;
  if (!per_lead && !exact) { /* without fill this is block_mask's call: room for its buckets too */
    size_t block_bytes = 0;
    const ssrl_status bst = ssrl_block_mask_cuda_workspace_size(B, T, mask_ratio, span, &block_bytes);
    if (bst != SSRL_OK) return bst;
    if (block_bytes > *bytes) *bytes = block_bytes;
  }
  return SSRL_OK;
}

extern "C" SSRL_API ssrl_status ssrl_span_mask_cuda(const void *x, void *out, uint8_t *mask,
                                                    int64_t B, int64_t C, int64_t T,
                                                    size_t elem_size, double mask_ratio,
                                                    int64_t span, int per_lead, int exact,
                                                    const void *fill, const uint64_t *seed,
                                                    void *workspace, size_t workspace_bytes,
                                                    void *stream) {
  ssrl_span_plan plan;
  ssrl_status st = ssrl_check_span_args(x, out, B, C, T, elem_size, mask_ratio, span, per_lead,
                                        exact, &plan);
  if (st != SSRL_OK) return st;
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  if (!per_lead && !plan.exact && fill == nullptr) /* the block_mask rule, bit for bit */
    return ssrl_block_mask_cuda(x, out, mask, B, C, T, elem_size, mask_ratio, span, seed,
                                workspace, workspace_bytes, stream);
  const size_t bytes = static_cast<size_t>(B * C * T) * elem_size;
  if (plan.n == 0)
    return copy_and_clear(x, out, bytes, mask, static_cast<size_t>((per_lead ? B * C : B) * T), s);
  if (T == 0 || plan.rows == 0) return SSRL_OK;
  size_t need = 0;
  st = ssrl_span_mask_cuda_workspace_size(B, C, T, mask_ratio, span, per_lead, exact, &need);
  if (st != SSRL_OK) return st;
  if (workspace_bytes < need) return SSRL_ERR_WORKSPACE;
  if (seed == nullptr || workspace == nullptr) return SSRL_ERR_NULL_POINTER;

  SpanArgs a;
  a.x = static_cast<const char *>(x);
  a.out = static_cast<char *>(out);
  a.mask = mask;
  a.fill = static_cast<const char *>(fill);
  a.seed = seed;
  a.ws = ws_base(workspace);
  a.B = B, a.C = C, a.T = T, a.span = span, a.n = plan.n, a.rows = plan.rows;
  a.row_bytes = ssrl_span_row_bytes(T, plan.n);
  a.per_lead = per_lead != 0;
  a.exact = plan.exact != 0;
  a.in_place = out == x;
  select_kernel<<<mask_blocks(plan.rows), kMaskThreads, 0, s>>>(a);
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) return SSRL_ERR_CUDA;
  const int64_t elements = B * (C > 0 ? C : 1) * T; /* C == 0: the per-sample mask */
  switch (elem_size) {
    case 1: err = launch_apply<1>(a, s, elements); break;
    case 2: err = launch_apply<2>(a, s, elements); break;
    case 4: err = launch_apply<4>(a, s, elements); break;
    default: err = launch_apply<8>(a, s, elements); break;
  }
  return err == cudaSuccess ? SSRL_OK : SSRL_ERR_CUDA;
}
