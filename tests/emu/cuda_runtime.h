/*
 * cuda_runtime.h for the host emulation of the mask kernels (tests/emu): the
 * few runtime calls and qualifiers that kernels/span_mask.cu, lead_mask.cu
 * and token_mask.cu use, on the host, so that their own source runs here,
 * without a GPU, against the CPU ops (tests/emu/test_cuda_emulated.cpp).
 *
 * A launch `k<<<grid, block, shmem, stream>>>(args)` is rewritten at build
 * time (host_launches.cmake) to ssrl_emu_launch({grid, block, shmem, stream},
 * k, args), which runs every thread of every block in turn. That is a
 * faithful schedule only for kernels whose threads never wait for each other:
 * the three mask kernels use no shared memory, no barrier and no atomics, and
 * what would need one here aborts instead of emulating it wrongly.
 */
#ifndef SSRL_EMU_CUDA_RUNTIME_H
#define SSRL_EMU_CUDA_RUNTIME_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

typedef int cudaError_t;
typedef struct ssrl_emu_stream *cudaStream_t;
enum { cudaSuccess = 0, cudaErrorInvalidConfiguration = 9 };
enum cudaMemcpyKind { cudaMemcpyDeviceToDevice = 3 };

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)

struct ssrl_emu_dim3 {
  unsigned x, y, z;
};
extern ssrl_emu_dim3 blockIdx, threadIdx, blockDim, gridDim; /* one emulated thread at a time */

/* What the launches did, for the tests: how many, and the largest grid. */
struct ssrl_emu_stats {
  long launches;
  unsigned max_grid;
};
extern ssrl_emu_stats ssrl_emu;
extern cudaError_t ssrl_emu_error; /* the pending launch error, as the runtime keeps one */

inline cudaError_t cudaGetLastError() {
  const cudaError_t e = ssrl_emu_error;
  ssrl_emu_error = cudaSuccess;
  return e;
}
inline cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n, cudaMemcpyKind,
                                   cudaStream_t) {
  memmove(dst, src, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemsetAsync(void *dst, int value, size_t n, cudaStream_t) {
  memset(dst, value, n);
  return cudaSuccess;
}

/* Bit casts, as the device intrinsics. */
inline double __longlong_as_double(long long v) {
  double d;
  memcpy(&d, &v, sizeof d);
  return d;
}

/* Block-wide barriers and atomics have no faithful one-thread-at-a-time
   schedule: a kernel that reaches one is not for this emulation. */
[[noreturn]] inline void ssrl_emu_unsupported(const char *what) {
  fprintf(stderr, "tests/emu: %s is not emulated (threads run one after another)\n", what);
  abort();
}
inline int __syncthreads_or(int) { ssrl_emu_unsupported("__syncthreads_or"); }
inline int atomicOr(int *, int) { ssrl_emu_unsupported("atomicOr"); }

struct ssrl_emu_config {
  unsigned grid;
  unsigned block;
  size_t shmem;
  cudaStream_t stream;
};

/* Every thread of every block, in turn. A launch the hardware refuses (no
   blocks, no threads, more than 1024 threads or 2^31 - 1 blocks) runs nothing
   and leaves the error the runtime would. */
template <typename Kernel, typename... Args>
void ssrl_emu_launch(ssrl_emu_config c, Kernel kernel, Args... args) {
  ++ssrl_emu.launches;
  if (c.grid == 0 || c.block == 0 || c.block > 1024 || c.grid > 2147483647u || c.shmem != 0) {
    ssrl_emu_error = cudaErrorInvalidConfiguration;
    return;
  }
  if (c.grid > ssrl_emu.max_grid) ssrl_emu.max_grid = c.grid;
  gridDim = {c.grid, 1, 1};
  blockDim = {c.block, 1, 1};
  for (unsigned b = 0; b < c.grid; ++b)
    for (unsigned t = 0; t < c.block; ++t) {
      blockIdx = {b, 0, 0};
      threadIdx = {t, 0, 0};
      kernel(args...);
    }
}

#endif /* SSRL_EMU_CUDA_RUNTIME_H */
