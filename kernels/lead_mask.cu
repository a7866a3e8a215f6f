/*
 * lead_mask.cu: ssrl_lead_mask_cuda, zeroing whole leads of x [B, C, T] and
 * writing dropped [B, C] (docs/semantics.md, "Masks for self-supervised
 * pretraining"). Bit-identical to ssrl_lead_mask_cpu (ops/lead_mask.c): both
 * draw sample b's leads with ssrl_lead_row (ops/mask_select.h).
 *
 * Two launches: one thread per sample writes its dropped row (exact: Floyd
 * into a workspace bitmap), then one thread per element writes 0 or x (in
 * place: only dropped leads are written). Tested by
 * tests/cuda/test_cuda_masking.cu.
 */
#include "mask_common.cuh"

namespace {

using namespace ssrl_cuda;

struct LeadArgs {
  const char *x;
  char *out;
  uint8_t *dropped; /* [B, C] */
  const uint64_t *seed;
  uint32_t *bits;   /* [B, words(C)] when exact */
  int64_t B, C, T, k;
  uint64_t threshold;
  bool exact, in_place;
};

__global__ void __launch_bounds__(kMaskThreads) select_kernel(LeadArgs a) {
  const uint64_t seed = *a.seed; /* read here: graph replays see fresh seeds */
  const uint64_t words = ssrl_bit_words(static_cast<uint64_t>(a.C));
  for (int64_t b = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; b < a.B;
       b += (int64_t)gridDim.x * blockDim.x) {
    uint32_t *bits = a.exact ? a.bits + b * words : nullptr;
    for (uint64_t w = 0; bits != nullptr && w < words; ++w) bits[w] = 0;
    ssrl_lead_row(seed, static_cast<uint64_t>(b), a.C, a.threshold, a.exact, a.k, bits,
                  a.dropped + b * a.C);
  }
}

template <typename U, int UPE>
__global__ void __launch_bounds__(kMaskThreads) apply_kernel(LeadArgs a) {
  const U *x = reinterpret_cast<const U *>(a.x);
  U *out = reinterpret_cast<U *>(a.out);
  const int64_t total = a.B * a.C * a.T * UPE;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    if (a.dropped[i / UPE / a.T]) out[i] = U(0);
    else if (!a.in_place) out[i] = x[i];
  }
}

/* One thread per unit of the elements: the grid is sized in the units the
   kernel moves (elements, or bytes when the pointers are not aligned). */
template <int ES>
cudaError_t launch_apply(const LeadArgs &a, cudaStream_t s, int64_t elements) {
  if (aligned_to(a.x, ES) && aligned_to(a.out, ES))
    apply_kernel<typename Unit<ES>::T, 1><<<mask_blocks(elements), kMaskThreads, 0, s>>>(a);
  else
    apply_kernel<uint8_t, ES><<<mask_blocks(elements * ES), kMaskThreads, 0, s>>>(a);
  return cudaGetLastError();
}

}  // namespace

extern "C" SSRL_API ssrl_status ssrl_lead_mask_cuda_workspace_size(int64_t B, int64_t C, double p,
                                                                   int exact, size_t *bytes) {
  if (bytes == nullptr) return SSRL_ERR_NULL_POINTER;
  int64_t k, words;
  if (B < 0) return SSRL_ERR_SHAPE;
  const ssrl_status st = ssrl_lead_count(C, p, &k);
  if (st != SSRL_OK) return st;
  if (!ssrl_mul_ok(B, static_cast<int64_t>(ssrl_bit_words(static_cast<uint64_t>(C))), &words) ||
      !ssrl_mul_ok(words, 4, &words))
    return SSRL_ERR_SHAPE;
  *bytes = exact && words > 0 ? static_cast<size_t>(words) + 7 : 0;
  return SSRL_OK;
}

extern "C" SSRL_API ssrl_status ssrl_lead_mask_cuda(const void *x, void *out, uint8_t *dropped,
                                                    int64_t B, int64_t C, int64_t T,
                                                    size_t elem_size, double p, int exact,
                                                    const uint64_t *seed, void *workspace,
                                                    size_t workspace_bytes, void *stream) {
  int64_t k;
  uint64_t threshold;
  ssrl_status st = ssrl_check_lead_args(x, out, dropped, B, C, T, elem_size, p, &k, &threshold);
  if (st != SSRL_OK) return st;
  if (B * C == 0) return SSRL_OK;
  size_t need = 0;
  st = ssrl_lead_mask_cuda_workspace_size(B, C, p, exact, &need);
  if (st != SSRL_OK) return st;
  if (workspace_bytes < need) return SSRL_ERR_WORKSPACE;
  if (seed == nullptr || (need > 0 && workspace == nullptr)) return SSRL_ERR_NULL_POINTER;
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  LeadArgs a;
  a.x = static_cast<const char *>(x);
  a.out = static_cast<char *>(out);
  a.dropped = dropped;
  a.seed = seed;
  a.bits = need > 0 ? reinterpret_cast<uint32_t *>(ws_base(workspace)) : nullptr;
  a.B = B, a.C = C, a.T = T, a.k = k;
  a.threshold = threshold;
  a.exact = exact != 0;
  a.in_place = out == x;
  select_kernel<<<mask_blocks(B), kMaskThreads, 0, s>>>(a);
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) return SSRL_ERR_CUDA;
  if (T == 0) return SSRL_OK;
  const int64_t elements = B * C * T;
  switch (elem_size) {
    case 1: err = launch_apply<1>(a, s, elements); break;
    case 2: err = launch_apply<2>(a, s, elements); break;
    case 4: err = launch_apply<4>(a, s, elements); break;
    default: err = launch_apply<8>(a, s, elements); break;
  }
  return err == cudaSuccess ? SSRL_OK : SSRL_ERR_CUDA;
}
