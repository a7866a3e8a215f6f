/*
 * block_copy.h: the copies and zero fills of the CPU mask writers (rows and
 * tiles of rows), with 32-byte vector stores where the CPU has AVX2
 * (ops/block_copy.c says why). Internal header: not installed; symbols are
 * hidden.
 */
#ifndef SSRL_BLOCK_COPY_H
#define SSRL_BLOCK_COPY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when the vector path runs on this CPU: x86-64 with AVX2, and the
   environment variable SSRL_ECG_PORTABLE_COPY unset or "0" (set, the writers
   use libc's memcpy and memset, as a CPU without AVX2 does; the tests run
   both ways). Read at each call, so callers ask once per op. */
int ssrl_block_copy_vector(void);

/* memcpy(dst, src, n) (no overlap); vector: ssrl_block_copy_vector()'s answer. */
void ssrl_block_copy(void *dst, const void *src, size_t n, int vector);

/* memset(dst, 0, n); vector as above. */
void ssrl_block_zero(void *dst, size_t n, int vector);

#ifdef __cplusplus
}
#endif

#endif /* SSRL_BLOCK_COPY_H */
