/*
 * lead_mask.c: zero whole leads of x [B, C, T] on the CPU, each lead with
 * probability p, or exactly round(p * C) leads per sample
 * (docs/semantics.md, "Masks for self-supervised pretraining").
 *
 * Sample b's dropped leads come from mask_select.h (ssrl_lead_row, shared with
 * kernels/lead_mask.cu); then each row is one block copy or one zero fill
 * (block_copy.h: vector stores on AVX2 CPUs; in place, only the dropped rows
 * are written). OpenMP over samples past 1 MiB.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "block_copy.h"
#include "masking.h"

#define SSRL_LEAD_PARALLEL_BYTES (1 << 20)

SSRL_API ssrl_status ssrl_lead_count(int64_t C, double p, int64_t *k) {
  if (k == NULL) return SSRL_ERR_NULL_POINTER;
  if (C < 0) return SSRL_ERR_SHAPE;
  if (isnan(p) || p < 0.0 || p > 1.0 || C >= ((int64_t)1 << 32)) return SSRL_ERR_INVALID_ARGUMENT;
  *k = (int64_t)nearbyint(p * (double)C); /* Python's round(): half to even */
  return SSRL_OK;
}

ssrl_status ssrl_check_lead_args(const void *x, const void *out, const uint8_t *dropped,
                                 int64_t B, int64_t C, int64_t T, size_t elem_size, double p,
                                 int64_t *k, uint64_t *threshold) {
  if (B < 0 || C < 0 || T < 0) return SSRL_ERR_SHAPE;
  if (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8) return SSRL_ERR_DTYPE;
  ssrl_status st = ssrl_lead_count(C, p, k);
  if (st != SSRL_OK) return st;
  int64_t n, bytes, words;
  if (!ssrl_mul_ok(B, C, &n) || !ssrl_mul_ok(n, T, &n) ||
      !ssrl_mul_ok(n, (int64_t)elem_size, &bytes) ||
      !ssrl_mul_ok(B, (int64_t)ssrl_bit_words((uint64_t)C), &words) || !ssrl_mul_ok(words, 4, &words))
    return SSRL_ERR_SHAPE;
  if (bytes > 0 && (x == NULL || out == NULL)) return SSRL_ERR_NULL_POINTER;
  if (B * C > 0 && dropped == NULL) return SSRL_ERR_NULL_POINTER;
  /* p < 1: floor(p * 2^32) < 2^32 exactly (a power-of-two scaling) */
  *threshold = p >= 1.0 ? ((uint64_t)1 << 32) : (uint64_t)ldexp(p, 32);
  return SSRL_OK;
}

SSRL_API ssrl_status ssrl_lead_mask_cpu(const void *x, void *out, uint8_t *dropped, int64_t B,
                                        int64_t C, int64_t T, size_t elem_size, double p,
                                        int exact, uint64_t seed) {
  int64_t k;
  uint64_t threshold;
  ssrl_status st = ssrl_check_lead_args(x, out, dropped, B, C, T, elem_size, p, &k, &threshold);
  if (st != SSRL_OK) return st;
  if (B * C == 0) return SSRL_OK;
  const size_t row_bytes = (size_t)T * elem_size;
  const size_t words = (size_t)ssrl_bit_words((uint64_t)C);
  const size_t stride = ssrl_line_stride(words, 4); /* a line per thread at least */
  const int threads = ssrl_omp_threads(B, (size_t)(B * C) * row_bytes >= SSRL_LEAD_PARALLEL_BYTES);
  const int vector = ssrl_block_copy_vector();
  /* every thread's bitmap up front: a failed allocation leaves the outputs untouched */
  uint32_t *scratch = exact ? (uint32_t *)ssrl_lines_alloc((size_t)threads * stride, 4) : NULL;
  if (exact && scratch == NULL) return SSRL_ERR_OUT_OF_MEMORY;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    uint32_t *bits = exact ? scratch + (size_t)tid * stride : NULL;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int64_t b = 0; b < B; ++b) {
      if (bits != NULL) memset(bits, 0, words * 4u);
      uint8_t *d = dropped + b * C;
      ssrl_lead_row(seed, (uint64_t)b, C, threshold, exact, k, bits, d);
      for (int64_t c = 0; c < C && row_bytes > 0; ++c) { /* T == 0: x, out may be NULL */
        const size_t off = (size_t)(b * C + c) * row_bytes;
        if (d[c]) ssrl_block_zero((char *)out + off, row_bytes, vector);
        else if (out != x) ssrl_block_copy((char *)out + off, (const char *)x + off, row_bytes, vector);
      }
    }
  }
  ssrl_lines_free(scratch);
  return SSRL_OK;
}
