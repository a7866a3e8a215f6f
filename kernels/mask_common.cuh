/*
 * mask_common.cuh: what the CUDA launchers of span_mask, lead_mask and
 * token_mask share: launch sizes, the 8-byte-aligned workspace base, element
 * units (the element type when pointers allow it, else bytes), and the
 * unmasked copy of mask_ratio <= 0. Internal header: nvcc only, not installed.
 */
#ifndef SSRL_MASK_COMMON_CUH
#define SSRL_MASK_COMMON_CUH

#include <cuda_runtime.h>

#include "cuda_common.cuh"
#include "masking.h"

namespace ssrl_cuda {

constexpr int kMaskThreads = 256;
#ifndef SSRL_MASK_MAX_BLOCKS /* tests/emu lowers it to run every grid-stride loop */
#define SSRL_MASK_MAX_BLOCKS (65535LL * 32)
#endif
constexpr int64_t kMaxMaskBlocks = SSRL_MASK_MAX_BLOCKS; /* grid-stride past this */

/* Blocks for n items, kMaskThreads each, grid-stride beyond kMaxMaskBlocks. */
static inline unsigned mask_blocks(int64_t n) {
  const int64_t b = ceil_div(n, kMaskThreads);
  return static_cast<unsigned>(b < 1 ? 1 : (b < kMaxMaskBlocks ? b : kMaxMaskBlocks));
}

/* The caller's workspace rounded up to 8 bytes (its size query adds 7). */
static inline char *ws_base(void *workspace) {
  const uintptr_t p = reinterpret_cast<uintptr_t>(workspace);
  return reinterpret_cast<char *>((p + 7) / 8 * 8);
}

/* Unsigned integer of ES bytes: one element moved as one unit. */
template <int ES> struct Unit;
template <> struct Unit<1> { using T = uint8_t; };
template <> struct Unit<2> { using T = uint16_t; };
template <> struct Unit<4> { using T = uint32_t; };
template <> struct Unit<8> { using T = unsigned long long; };

static inline bool aligned_to(const void *p, size_t n) {
  return reinterpret_cast<uintptr_t>(p) % n == 0;
}

/* out = x (unless in place) and mask_bytes of mask zeroed: nothing masked. */
static inline ssrl_status copy_and_clear(const void *x, void *out, size_t bytes, uint8_t *mask,
                                         size_t mask_bytes, cudaStream_t s) {
  if (bytes > 0 && out != x &&
      cudaMemcpyAsync(out, x, bytes, cudaMemcpyDeviceToDevice, s) != cudaSuccess)
    return SSRL_ERR_CUDA;
  if (mask != nullptr && mask_bytes > 0 && cudaMemsetAsync(mask, 0, mask_bytes, s) != cudaSuccess)
    return SSRL_ERR_CUDA;
  return SSRL_OK;
}

}  // namespace ssrl_cuda

#endif /* SSRL_MASK_COMMON_CUH */
