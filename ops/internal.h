/*
 * internal.h: helpers shared by the C library and the CUDA launchers.
 *
 * Argument checks (host only, so CPU and CUDA refuse exactly the same input) and
 * the dtype helpers both paths compile: half/bfloat16 decoding, rounding a
 * threshold to the score dtype, and order-preserving integer keys for sorting
 * scores. Internal header: not installed; symbols are hidden.
 */
#ifndef SSRL_INTERNAL_H
#define SSRL_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "philox.h"
#include "ssrl_ecg/ssrl_ecg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Validates the block-mask arguments and returns n_blocks (0 when nothing is
   masked). x/out/mask are only checked for NULL when there is work to do. */
ssrl_status ssrl_check_mask_args(const void *x, const void *out, int64_t B, int64_t C, int64_t T,
                                 size_t elem_size, double mask_ratio, int64_t block_size,
                                 int64_t *n_blocks);

/* Validates the sizes and pointers shared by confusion counts and AUROC. */
ssrl_status ssrl_check_score_args(const uint8_t *y_true, const void *y_prob,
                                  ssrl_dtype prob_dtype, int64_t N, int64_t C);

/* As ssrl_check_score_args with y_true of labels_dtype: SSRL_ERR_DTYPE for a
   labels_dtype that is not an ssrl_dtype (checked after prob_dtype). */
ssrl_status ssrl_check_score_args2(const void *y_true, ssrl_dtype labels_dtype,
                                   const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                   int64_t C);

/* Validates the confusion-count arguments (sizes, pointers; not the values)
   and gives the histogram length C * 2 * (K + 1). */
ssrl_status ssrl_check_counts_args(const void *y_true, ssrl_dtype labels_dtype,
                                   const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                   int64_t C, const double *thresholds, int64_t K,
                                   const int64_t *counts, int64_t *hist_len);

/* a * b (both >= 0) into *out; 0 when it would pass INT64_MAX. */
int ssrl_mul_ok(int64_t a, int64_t b, int64_t *out);

/* Bytes of one score of this dtype (0 for an unknown or non-score dtype). */
size_t ssrl_dtype_size(ssrl_dtype dtype);

/* Bytes of one label of this dtype (0 for an unknown dtype). */
size_t ssrl_label_dtype_size(ssrl_dtype dtype);

/* Rounds a double to the nearest value of dtype (ties to even), as numpy does
   for a Python float compared with an array of that dtype. */
double ssrl_round_to_dtype(double t, ssrl_dtype dtype);

#ifdef __cplusplus
}
#endif

/* ---- dtype decoding, compiled by C and CUDA ------------------------------ */

SSRL_HD float ssrl_bits_to_float(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

SSRL_HD float ssrl_bf16_to_float(uint16_t h) { return ssrl_bits_to_float((uint32_t)h << 16); }

SSRL_HD float ssrl_half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  if (exp == 0x1fu) return ssrl_bits_to_float(sign | 0x7f800000u | (man << 13));
  if (exp != 0) return ssrl_bits_to_float(sign | ((exp + 112u) << 23) | (man << 13));
  /* zero or subnormal: man * 2^-24, exact in float */
  const float v = (float)man * 5.9604644775390625e-08f;
  return sign ? -v : v;
}

/* Score i of y_prob as a double (exact for every dtype). */
SSRL_HD double ssrl_load_score(const void *p, ssrl_dtype dtype, int64_t i) {
  switch (dtype) {
    case SSRL_FLOAT32: return ((const float *)p)[i];
    case SSRL_FLOAT64: return ((const double *)p)[i];
    case SSRL_FLOAT16: return ssrl_half_to_float(((const uint16_t *)p)[i]);
    default: return ssrl_bf16_to_float(((const uint16_t *)p)[i]);
  }
}

/* Label i of y_true as 0 or 1, or 2 for any other value (NaN too), for every
   label dtype (docs/semantics.md section 9.1). The dtype was checked. */
SSRL_HD int ssrl_load_label(const void *p, ssrl_dtype dtype, int64_t i) {
  double v;
  uint64_t u;
  switch (dtype) {
    case SSRL_UINT8: u = ((const uint8_t *)p)[i]; break;
    case SSRL_INT8: u = (uint64_t)(int64_t)((const int8_t *)p)[i]; break;
    case SSRL_INT16: u = (uint64_t)(int64_t)((const int16_t *)p)[i]; break;
    case SSRL_INT32: u = (uint64_t)(int64_t)((const int32_t *)p)[i]; break;
    case SSRL_INT64: u = (uint64_t)((const int64_t *)p)[i]; break;
    case SSRL_UINT16: u = ((const uint16_t *)p)[i]; break;
    case SSRL_UINT32: u = ((const uint32_t *)p)[i]; break;
    case SSRL_UINT64: u = ((const uint64_t *)p)[i]; break;
    default:
      v = ssrl_load_score(p, dtype, i);
      return v == 0.0 ? 0 : (v == 1.0 ? 1 : 2);
  }
  return u <= 1 ? (int)u : 2; /* negatives wrap to huge values */
}

/* The error of the first bad element of y_true / y_prob in [i0, i0 + n)
   (flat indices, row-major), its label before its score: SSRL_ERR_LABEL_VALUE,
   SSRL_ERR_NAN_SCORE, or SSRL_OK. The error path of the score ops: their fast
   loops only notice that a chunk holds a bad value, then ask this which. */
static inline ssrl_status ssrl_first_bad_value(const void *y_true, ssrl_dtype ldt,
                                               const void *y_prob, ssrl_dtype dtype, int64_t i0,
                                               int64_t n) {
  for (int64_t i = i0; i < i0 + n; ++i) {
    if (ssrl_load_label(y_true, ldt, i) > 1) return SSRL_ERR_LABEL_VALUE;
    if (isnan(ssrl_load_score(y_prob, dtype, i))) return SSRL_ERR_NAN_SCORE;
  }
  return SSRL_OK;
}

/* One term of the average precision (docs/semantics.md section 9.2): the
   positives at a distinct score s (delta of them) times the precision there,
   TP(>= s) / (TP(>= s) + FP(>= s)), over P, as a multiple of 2^-63. Every
   operation is correctly rounded IEEE arithmetic, so host and device get the
   same integer, and integer sums do not depend on their order. */
SSRL_HD uint64_t ssrl_ap_term(int64_t delta, int64_t tp, int64_t fp, int64_t P) {
  const double t = ((double)delta / (double)P) * ((double)tp / (double)(tp + fp));
  return (uint64_t)rint(t * 9223372036854775808.0); /* t <= 1: at most 2^63 */
}

/* The average precision from the sum of its terms (a multiple of 2^-63). */
SSRL_HD double ssrl_ap_value(uint64_t terms) { return (double)terms * 1.0842021724855044e-19; }

/* Order-preserving key of a non-NaN float: a < b iff key(a) < key(b), -0 == +0. */
SSRL_HD uint32_t ssrl_float_key(float f) {
  uint32_t u;
  if (f == 0.0f) f = 0.0f; /* fold -0 into +0: they tie */
  memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

SSRL_HD uint64_t ssrl_double_key(double d) {
  uint64_t u;
  if (d == 0.0) d = 0.0;
  memcpy(&u, &d, sizeof u);
  return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}

#ifndef __CUDACC__
/* Labels [i0, i0 + w) as 0/1 into label; returns nonzero when one is outside
   {0, 1}. One loop per dtype, so the switch runs once per chunk. */
#define SSRL_DECODE_INT(T)                                                   \
  {                                                                          \
    const T *y = (const T *)y_true + i0;                                     \
    uint64_t any = 0;                                                        \
    for (int64_t j = 0; j < w; ++j) {                                        \
      const uint64_t v = (uint64_t)y[j]; /* negatives wrap to huge values */ \
      label[j] = (uint8_t)(v & 1u);                                          \
      any |= v >> 1;                                                         \
    }                                                                        \
    return any != 0;                                                         \
  }
static inline int ssrl_decode_labels(const void *y_true, ssrl_dtype ldt, int64_t i0, int64_t w,
                         uint8_t *label) {
  switch (ldt) {
    case SSRL_UINT8: SSRL_DECODE_INT(uint8_t)
    case SSRL_INT8: SSRL_DECODE_INT(int8_t)
    case SSRL_INT16: SSRL_DECODE_INT(int16_t)
    case SSRL_INT32: SSRL_DECODE_INT(int32_t)
    case SSRL_INT64: SSRL_DECODE_INT(int64_t)
    case SSRL_UINT16: SSRL_DECODE_INT(uint16_t)
    case SSRL_UINT32: SSRL_DECODE_INT(uint32_t)
    case SSRL_UINT64: SSRL_DECODE_INT(uint64_t)
    default: {
      int bad = 0;
      for (int64_t j = 0; j < w; ++j) {
        const int v = ssrl_load_label(y_true, ldt, i0 + j);
        label[j] = (uint8_t)(v & 1);
        bad |= v > 1;
      }
      return bad;
    }
  }
}
#undef SSRL_DECODE_INT
#endif /* __CUDACC__ */

/* ---- OpenMP row split, used by the CPU ops ------------------------------- */

#ifdef _OPENMP
#include <omp.h>
#endif

/* Threads for an op over `rows` independent rows: as many as OpenMP offers
   when `parallel` (the op's work is past its cut-off), never more than there
   are rows; 1 without OpenMP. */
static inline int ssrl_omp_threads(int64_t rows, int parallel) {
  int threads = 1;
#ifdef _OPENMP
  if (parallel && rows > 1) threads = omp_get_max_threads();
  if (threads > rows) threads = (int)rows;
#else
  (void)rows;
  (void)parallel;
#endif
  return threads < 1 ? 1 : threads;
}

/* Gives the calling thread of an OpenMP parallel region its rows [*r0, *r1) of
   `rows` and returns its thread number: one contiguous run per thread, sizes
   differing by at most one, so each thread writes its own part of the output
   (outside a parallel region: all rows, thread 0). */
static inline int ssrl_omp_rows(int64_t rows, int64_t *r0, int64_t *r1) {
  int tid = 0, nt = 1;
#ifdef _OPENMP
  tid = omp_get_thread_num();
  nt = omp_get_num_threads();
#endif
  const int64_t chunk = rows / nt, rem = rows % nt;
  *r0 = tid * chunk + (tid < rem ? tid : rem);
  *r1 = *r0 + chunk + (tid < rem ? 1 : 0);
  return tid;
}

/* Elements of elem_size bytes in one thread's slice of a per-thread scratch
   array of `count` elements each, rounded up to whole 64-byte lines, so no two
   threads write one cache line. Adjacent slices of a few words each had both
   cores bouncing one line on every row: token_mask ran slower on two threads
   than on one (ST-MEM's 3072 groups: 0.38-0.54 ms against 0.41-0.45 ms), as did
   confusion_counts at C = 4. The slices must start at a line: callers
   allocate them with ssrl_lines_alloc (and free them with ssrl_lines_free). */
static inline size_t ssrl_line_stride(size_t count, size_t elem_size) {
  const size_t per_line = 64 / elem_size; /* elem_size divides 64 */
  return (count + per_line - 1) / per_line * per_line;
}

/* `count` elements of elem_size bytes for per-thread slices, starting at a
   64-byte line (malloc's 16-byte alignment would let a line straddle two
   slices); NULL when it fails or the size does not fit a size_t. Free with
   ssrl_lines_free. */
static inline void *ssrl_lines_alloc(size_t count, size_t elem_size) {
  if (elem_size != 0 && count > (SIZE_MAX - 63) / elem_size) return NULL;
  const size_t bytes = count * elem_size;
  const size_t lines = bytes == 0 ? 64 : ssrl_line_stride(bytes, 1); /* aligned_alloc wants a multiple */
#if defined(_MSC_VER)
  return _aligned_malloc(lines, 64); /* MSVC has no aligned_alloc */
#else
  return aligned_alloc(64, lines);
#endif
}

static inline void ssrl_lines_free(void *p) {
#if defined(_MSC_VER)
  _aligned_free(p);
#else
  free(p);
#endif
}

#endif /* SSRL_INTERNAL_H */
