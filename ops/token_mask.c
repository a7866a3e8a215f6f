/*
 * token_mask.c: MAE-style token masking on the CPU: per group of L tokens,
 * a uniform subset of len_keep = int(L * (1 - mask_ratio)) tokens is kept
 * (docs/semantics.md, "Masks for self-supervised pretraining").
 *
 * Each row (group) is ssrl_token_row of mask_select.h (Floyd's algorithm into
 * a bitmap, then one pass writing ids_keep, ids_restore and mask), shared
 * with kernels/token_mask.cu. O(len_keep + L) per row, no sort; rows over
 * OpenMP threads past SSRL_TOKEN_PARALLEL_TOKENS tokens.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "masking.h"

/* Past this many tokens rows are split over OpenMP threads: a row costs
   ~85-105 ns (ST-MEM's 3072 rows of 30 tokens, 0.26-0.33 ms on one thread,
   0.17 ms on two; each thread's bitmap on its own cache line, see
   ssrl_line_stride). */
#define SSRL_TOKEN_PARALLEL_TOKENS (1 << 16)

SSRL_API ssrl_status ssrl_token_keep_count(int64_t L, double mask_ratio, int64_t *len_keep) {
  if (len_keep == NULL) return SSRL_ERR_NULL_POINTER;
  if (L < 0) return SSRL_ERR_SHAPE;
  if (isnan(mask_ratio) || mask_ratio < 0.0 || mask_ratio > 1.0 || L >= ((int64_t)1 << 32))
    return SSRL_ERR_INVALID_ARGUMENT;
  *len_keep = (int64_t)((double)L * (1.0 - mask_ratio)); /* Python's int(): truncation */
  return SSRL_OK;
}

ssrl_status ssrl_check_token_args(int64_t rows, int64_t L, double mask_ratio,
                                  const int64_t *ids_keep, const int64_t *ids_restore,
                                  const float *mask, int64_t *len_keep) {
  ssrl_status st = ssrl_token_keep_count(L, mask_ratio, len_keep);
  if (st != SSRL_OK) return st;
  if (rows < 0) return SSRL_ERR_SHAPE;
  int64_t n, bytes, words;
  if (!ssrl_mul_ok(rows, L, &n) || !ssrl_mul_ok(n, 8, &bytes) ||
      !ssrl_mul_ok(rows, (int64_t)ssrl_bit_words((uint64_t)L), &words) ||
      !ssrl_mul_ok(words, 4, &words))
    return SSRL_ERR_SHAPE;
  if (n > 0 && (ids_restore == NULL || mask == NULL)) return SSRL_ERR_NULL_POINTER;
  if (rows * *len_keep > 0 && ids_keep == NULL) return SSRL_ERR_NULL_POINTER;
  return SSRL_OK;
}

SSRL_API ssrl_status ssrl_token_mask_cpu(int64_t rows, int64_t L, double mask_ratio,
                                         uint64_t seed, int64_t *ids_keep, int64_t *ids_restore,
                                         float *mask) {
  int64_t len_keep;
  ssrl_status st =
      ssrl_check_token_args(rows, L, mask_ratio, ids_keep, ids_restore, mask, &len_keep);
  if (st != SSRL_OK) return st;
  if (rows * L == 0) return SSRL_OK;
  const size_t words = (size_t)ssrl_bit_words((uint64_t)L);
  const size_t stride = ssrl_line_stride(words, 4); /* a line per thread at least */
  const int threads = ssrl_omp_threads(rows, rows * L >= SSRL_TOKEN_PARALLEL_TOKENS);
  uint32_t *scratch = (uint32_t *)ssrl_lines_alloc((size_t)threads * stride, 4);
  if (scratch == NULL) return SSRL_ERR_OUT_OF_MEMORY;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    uint32_t *bits = scratch + (size_t)tid * stride;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int64_t r = 0; r < rows; ++r) {
      memset(bits, 0, words * 4u);
      /* len_keep == 0: ids_keep may be NULL, and NULL + 0 is undefined in C */
      ssrl_token_row(seed, (uint64_t)r, L, len_keep, bits,
                     len_keep ? ids_keep + r * len_keep : ids_keep, ids_restore + r * L,
                     mask + r * L);
    }
  }
  ssrl_lines_free(scratch);
  return SSRL_OK;
}
