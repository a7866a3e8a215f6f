/*
 * philox.h: the mask's random stream and start formula, written once.
 *
 * Compiled by the C library (C11) and by the CUDA kernels (nvcc), so the CPU
 * path is a faithful witness of the GPU path. Philox4x32-10 is Random123's, as
 * cuRAND's Philox4_32_10 uses it: after curand_init(seed, b, 0, &s), the i-th
 * group of four curand() outputs is philox4x32_10(ctr = (i lo, i hi, b lo, b hi),
 * key = (seed lo, seed hi)), words in order x, y, z, w (docs/semantics.md section 1).
 * Internal header: not installed.
 */
#ifndef SSRL_PHILOX_H
#define SSRL_PHILOX_H

#include <stdint.h>

#if defined(__CUDACC__)
#  define SSRL_HD __host__ __device__ __forceinline__
#else
#  define SSRL_HD static inline
#endif

#define SSRL_PHILOX_M0 0xD2511F53u
#define SSRL_PHILOX_M1 0xCD9E8D57u
#define SSRL_PHILOX_W0 0x9E3779B9u
#define SSRL_PHILOX_W1 0xBB67AE85u

typedef struct {
  uint32_t v[4];
} ssrl_u32x4;

SSRL_HD ssrl_u32x4 ssrl_philox4x32_10(ssrl_u32x4 ctr, uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = (uint64_t)SSRL_PHILOX_M0 * ctr.v[0];
    const uint64_t p1 = (uint64_t)SSRL_PHILOX_M1 * ctr.v[2];
    ssrl_u32x4 next;
    next.v[0] = (uint32_t)(p1 >> 32) ^ ctr.v[1] ^ k0;
    next.v[1] = (uint32_t)p1;
    next.v[2] = (uint32_t)(p0 >> 32) ^ ctr.v[3] ^ k1;
    next.v[3] = (uint32_t)p0;
    ctr = next;
    k0 += SSRL_PHILOX_W0;
    k1 += SSRL_PHILOX_W1;
  }
  return ctr;
}

/* Group i of sample b's stream under seed: outputs u_{4i} .. u_{4i+3}. */
SSRL_HD ssrl_u32x4 ssrl_mask_stream_group(uint64_t seed, uint64_t b, uint64_t i) {
  ssrl_u32x4 ctr;
  ctr.v[0] = (uint32_t)i;
  ctr.v[1] = (uint32_t)(i >> 32);
  ctr.v[2] = (uint32_t)b;
  ctr.v[3] = (uint32_t)(b >> 32);
  return ssrl_philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* Number of valid starts: max(1, T - block_size + 1). */
SSRL_HD uint64_t ssrl_start_range(int64_t T, int64_t block_size) {
  return T - block_size + 1 > 1 ? (uint64_t)(T - block_size + 1) : 1u;
}

/* start = (u * R) >> 32, in [0, R) for R <= 2^32 (T < 2^32 is checked). */
SSRL_HD int64_t ssrl_start_from_u32(uint32_t u, uint64_t R) {
  return (int64_t)(((uint64_t)u * R) >> 32);
}

#endif /* SSRL_PHILOX_H */
