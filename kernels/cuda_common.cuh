/*
 * cuda_common.cuh: helpers shared by the CUDA launchers in the kernels/ .cu files.
 *
 *   - turning a cudaError_t into an ssrl_status after a launch or a CUB call
 *   - carving one caller-provided workspace into 256-byte-aligned regions, the
 *     same arithmetic for the ..._workspace_size() query and the launcher
 *   - ssrl_round_to_dtype_hd(): ops/check.c's ssrl_round_to_dtype, copied
 *     operation for operation so host and device round thresholds bit-identically
 *     (the C function is host code and thresholds live on the device)
 *   - reporting bad values (labels, NaN) into the caller's *invalid flags
 *
 * Internal header: compiled only by nvcc, never installed.
 */
#ifndef SSRL_CUDA_COMMON_CUH
#define SSRL_CUDA_COMMON_CUH

#include <cuda_runtime.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

namespace ssrl_cuda {

constexpr size_t kAlign = 256; /* CUB's and the header's workspace alignment */

/* SSRL_OK when err (and any launch error still pending) is cudaSuccess. */
static inline ssrl_status status_of(cudaError_t err) {
  if (err == cudaSuccess) err = cudaGetLastError();
  return err == cudaSuccess ? SSRL_OK : SSRL_ERR_CUDA;
}

__host__ __device__ inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static inline size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

/* Lays regions out one after another from offset 0. The total reserves
   kAlign - 1 bytes of slack so that a base pointer that is not 256-byte aligned
   still fits after being rounded up. */
struct Carver {
  size_t used = 0;
  bool overflow = false;
  /* Reserves count * elem bytes; returns the region's offset. */
  size_t take(size_t count, size_t elem) {
    if (elem != 0 && count > (SIZE_MAX / 2) / elem) overflow = true;
    const size_t offset = used;
    if (!overflow) used = align_up(used + count * elem);
    return offset;
  }
  size_t total() const { return used == 0 ? 0 : used + kAlign - 1; }
};

/* The caller's workspace rounded up to kAlign. */
static inline char *aligned_base(void *workspace) {
  const uintptr_t p = reinterpret_cast<uintptr_t>(workspace);
  return reinterpret_cast<char *>((p + kAlign - 1) / kAlign * kAlign);
}

/* ops/check.c round_narrow(), for host and device: nearest value with
   mant_bits explicit mantissa bits and exponents >= min_exp, ties to even,
   infinity past max_finite. Every step is exact or correctly rounded IEEE
   double arithmetic, so both sides give the same bits. Keep in step with
   check.c. */
SSRL_HD double round_narrow_hd(double t, int mant_bits, int min_exp, double max_finite) {
  if (!isfinite(t) || t == 0.0) return t;
  int e;
  (void)frexp(t, &e); /* |t| in [2^(e-1), 2^e) */
  const int ex = e - 1 < min_exp ? min_exp : e - 1;
  const double quantum = ldexp(1.0, ex - mant_bits);
  const double r = nearbyint(t / quantum) * quantum;
  return fabs(r) > max_finite ? copysign((double)INFINITY, t) : r;
}

/* ssrl_round_to_dtype (ops/check.c) on host and device. */
SSRL_HD double round_to_dtype_hd(double t, ssrl_dtype dtype) {
  switch (dtype) {
    case SSRL_FLOAT32: return (double)(float)t;
    case SSRL_FLOAT16: return round_narrow_hd(t, 10, -14, 65504.0);
    case SSRL_BFLOAT16: return round_narrow_hd(t, 7, -126, 3.3895313892515355e38);
    default: return t;
  }
}

/* Score i as a double, dtype fixed at compile time (ssrl_load_score switches
   per element). Exact for every dtype. */
template <ssrl_dtype D>
__device__ __forceinline__ double load_score(const void *p, int64_t i) {
  if (D == SSRL_FLOAT32) return static_cast<const float *>(p)[i];
  if (D == SSRL_FLOAT64) return static_cast<const double *>(p)[i];
  const uint16_t h = static_cast<const uint16_t *>(p)[i];
  return D == SSRL_FLOAT16 ? ssrl_half_to_float(h) : ssrl_bf16_to_float(h);
}

/* Bits of *invalid (ssrl_ecg.h): one per kind of bad value. */
constexpr int kBadLabel = 1;
constexpr int kNanScore = 2;
constexpr int kNanThreshold = 4;

/* ORs this block's bad-value bits into *invalid: one atomic per block and kind
   at most. Every thread of the block must call it (it synchronizes). */
__device__ __forceinline__ void report_invalid(int32_t *invalid, int bits) {
  const int any_label = __syncthreads_or(bits & kBadLabel);
  const int any_score = __syncthreads_or(bits & kNanScore);
  const int any_thr = __syncthreads_or(bits & kNanThreshold);
  if (threadIdx.x == 0 && invalid != nullptr && (any_label | any_score | any_thr)) {
    atomicOr(reinterpret_cast<int *>(invalid), (any_label ? kBadLabel : 0) |
                                                   (any_score ? kNanScore : 0) |
                                                   (any_thr ? kNanThreshold : 0));
  }
}

/* A quiet NaN with the bits of C's NAN, as the CPU writes it. */
__device__ __forceinline__ double quiet_nan() { return __longlong_as_double(0x7ff8000000000000LL); }

}  // namespace ssrl_cuda

#endif /* SSRL_CUDA_COMMON_CUH */
