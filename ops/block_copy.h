/*
 * block_copy.h: the row copies, zero fills and mask-driven selects of the CPU
 * masks, with 32-byte vector stores where the CPU has AVX2 (ops/block_copy.c
 * says why). Internal header: not installed; symbols are
 * hidden.
 */
#ifndef SSRL_BLOCK_COPY_H
#define SSRL_BLOCK_COPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when the vector path runs in this process: x86-64 (GCC or clang) on a CPU
   with AVX2, and the environment variable SSRL_ECG_PORTABLE_COPY unset, empty
   or "0" (any other value: the writers use libc's memcpy and memset, as on a
   CPU without AVX2; the tests run both ways). Decided at the first call
   (ssrl_block_copy_decide) and kept; callers ask once per op. */
int ssrl_block_copy_vector(void);

/* The decision itself, made afresh (tests/c/test_block_copy.cpp). */
int ssrl_block_copy_decide(void);

/* memcpy(dst, src, n): dst and src non-NULL, not overlapping; vector:
   ssrl_block_copy_vector()'s answer. */
void ssrl_block_copy(void *dst, const void *src, size_t n, int vector);

/* memset(dst, 0, n), dst non-NULL; vector as above. */
void ssrl_block_zero(void *dst, size_t n, int vector);

/* dst [T] = src [T] with the elements (es bytes: 1, 2, 4 or 8) whose mask
   byte is non-zero set to value (es bytes; NULL: zeros): one pass, every byte
   of dst written once. dst == src is allowed; otherwise they do not overlap.
   vector as above (without it, a plain element loop). */
void ssrl_block_select(void *dst, const void *src, const uint8_t *mask, size_t T, size_t es,
                       const void *value, int vector);

#ifdef __cplusplus
}
#endif

#endif /* SSRL_BLOCK_COPY_H */
