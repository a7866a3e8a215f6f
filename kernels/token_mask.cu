/*
 * token_mask.cu: ssrl_token_mask_cuda, MAE token masking of rows groups of L
 * tokens (docs/semantics.md, "Masks for self-supervised pretraining").
 * Bit-identical to ssrl_token_mask_cpu (ops/token_mask.c): one thread per row
 * runs ssrl_token_row (ops/mask_select.h) with its bitmap in the workspace.
 * One launch; a row is len_keep draws and one pass over L (ST-MEM: 3072 rows
 * of 30). Tested by tests/cuda/test_cuda_masking.cu.
 */
#include "mask_common.cuh"

namespace {

using namespace ssrl_cuda;

__global__ void __launch_bounds__(kMaskThreads)
    token_kernel(int64_t rows, int64_t L, int64_t len_keep, const uint64_t *seedp, uint32_t *ws,
                 int64_t *ids_keep, int64_t *ids_restore, float *mask) {
  const uint64_t seed = *seedp; /* read here: graph replays see fresh seeds */
  const uint64_t words = ssrl_bit_words(static_cast<uint64_t>(L));
  for (int64_t r = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; r < rows;
       r += (int64_t)gridDim.x * blockDim.x) {
    uint32_t *bits = ws + r * words;
    for (uint64_t w = 0; w < words; ++w) bits[w] = 0;
    ssrl_token_row(seed, static_cast<uint64_t>(r), L, len_keep, bits,
                   len_keep ? ids_keep + r * len_keep : ids_keep,
                   ids_restore + r * L, mask + r * L);
  }
}

}  // namespace

extern "C" SSRL_API ssrl_status ssrl_token_mask_cuda_workspace_size(int64_t rows, int64_t L,
                                                                    double mask_ratio,
                                                                    size_t *bytes) {
  if (bytes == nullptr) return SSRL_ERR_NULL_POINTER;
  int64_t len_keep, words;
  ssrl_status st = ssrl_token_keep_count(L, mask_ratio, &len_keep);
  if (st != SSRL_OK) return st;
  if (rows < 0) return SSRL_ERR_SHAPE;
  if (!ssrl_mul_ok(rows, static_cast<int64_t>(ssrl_bit_words(static_cast<uint64_t>(L))), &words) ||
      !ssrl_mul_ok(words, 4, &words))
    return SSRL_ERR_SHAPE;
  *bytes = words > 0 ? static_cast<size_t>(words) + 7 : 0;
  return SSRL_OK;
}

extern "C" SSRL_API ssrl_status ssrl_token_mask_cuda(int64_t rows, int64_t L, double mask_ratio,
                                                     const uint64_t *seed, int64_t *ids_keep,
                                                     int64_t *ids_restore, float *mask,
                                                     void *workspace, size_t workspace_bytes,
                                                     void *stream) {
  int64_t len_keep;
  ssrl_status st =
      ssrl_check_token_args(rows, L, mask_ratio, ids_keep, ids_restore, mask, &len_keep);
  if (st != SSRL_OK) return st;
  if (rows * L == 0) return SSRL_OK;
  size_t need = 0;
  st = ssrl_token_mask_cuda_workspace_size(rows, L, mask_ratio, &need);
  if (st != SSRL_OK) return st;
  if (workspace_bytes < need) return SSRL_ERR_WORKSPACE;
  if (seed == nullptr || workspace == nullptr) return SSRL_ERR_NULL_POINTER;
  token_kernel<<<mask_blocks(rows), kMaskThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      rows, L, len_keep, seed, reinterpret_cast<uint32_t *>(ws_base(workspace)), ids_keep,
      ids_restore, mask);
  return cudaGetLastError() == cudaSuccess ? SSRL_OK : SSRL_ERR_CUDA;
}
