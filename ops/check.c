/* check.c: argument checks and dtype rounding shared by the CPU code and the
   CUDA launchers, so both refuse exactly the same input with the same status. */
#include <math.h>

#include "internal.h"

int ssrl_mul_ok(int64_t a, int64_t b, int64_t *out) {
  if (a != 0 && b > INT64_MAX / a) return 0;
  *out = a * b;
  return 1;
}

size_t ssrl_dtype_size(ssrl_dtype dtype) {
  switch (dtype) {
    case SSRL_FLOAT32: return 4;
    case SSRL_FLOAT64: return 8;
    case SSRL_FLOAT16:
    case SSRL_BFLOAT16: return 2;
    default: return 0;
  }
}

size_t ssrl_label_dtype_size(ssrl_dtype dtype) {
  switch (dtype) {
    case SSRL_UINT8:
    case SSRL_INT8: return 1;
    case SSRL_INT16:
    case SSRL_UINT16: return 2;
    case SSRL_INT32:
    case SSRL_UINT32: return 4;
    case SSRL_INT64:
    case SSRL_UINT64: return 8;
    default: return ssrl_dtype_size(dtype);
  }
}

/* Python's float floor division (CPython's float_floor_div), which is not
   always floor(a / b): n_blocks must equal what the reference computes. */
static double py_floordiv(double vx, double wx) {
  double mod = fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0 && ((wx < 0) != (mod < 0))) div -= 1.0;
  if (div == 0.0) return copysign(0.0, vx / wx);
  double floordiv = floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

SSRL_API ssrl_status ssrl_block_count(int64_t T, double mask_ratio, int64_t block_size,
                                      int64_t *n_blocks) {
  if (n_blocks == NULL) return SSRL_ERR_NULL_POINTER;
  if (T < 0) return SSRL_ERR_SHAPE;
  if (isnan(mask_ratio) || isinf(mask_ratio) || mask_ratio > 1.0) return SSRL_ERR_INVALID_ARGUMENT;
  if (block_size < 1) return SSRL_ERR_INVALID_ARGUMENT;
  if (T >= ((int64_t)1 << 32)) return SSRL_ERR_INVALID_ARGUMENT;
  if (mask_ratio <= 0.0) {
    *n_blocks = 0;
    return SSRL_OK;
  }
  /* T * mask_ratio <= T < 2^32, so the quotient fits an int64 */
  const double q = py_floordiv((double)T * mask_ratio, (double)block_size);
  *n_blocks = q < 1.0 ? 1 : (int64_t)q;
  return SSRL_OK;
}

ssrl_status ssrl_check_mask_args(const void *x, const void *out, int64_t B, int64_t C, int64_t T,
                                 size_t elem_size, double mask_ratio, int64_t block_size,
                                 int64_t *n_blocks) {
  if (B < 0 || C < 0 || T < 0) return SSRL_ERR_SHAPE;
  if (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8) return SSRL_ERR_DTYPE;
  ssrl_status st = ssrl_block_count(T, mask_ratio, block_size, n_blocks);
  if (st != SSRL_OK) return st;
  int64_t n, bytes;
  /* the data [B, C, T], the mask [B, T] (written even when C == 0) and the
     starts [B, n_blocks] must each be addressable */
  if (!ssrl_mul_ok(B, C, &n) || !ssrl_mul_ok(n, T, &n) ||
      !ssrl_mul_ok(n, (int64_t)elem_size, &bytes) || !ssrl_mul_ok(B, T, &n) ||
      !ssrl_mul_ok(B, *n_blocks, &n))
    return SSRL_ERR_SHAPE;
  if (bytes > 0 && (x == NULL || out == NULL)) return SSRL_ERR_NULL_POINTER;
  return SSRL_OK;
}

ssrl_status ssrl_check_score_args(const uint8_t *y_true, const void *y_prob,
                                  ssrl_dtype prob_dtype, int64_t N, int64_t C) {
  return ssrl_check_score_args2(y_true, SSRL_UINT8, y_prob, prob_dtype, N, C);
}

ssrl_status ssrl_check_score_args2(const void *y_true, ssrl_dtype labels_dtype,
                                   const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                   int64_t C) {
  if (N < 0 || C < 0) return SSRL_ERR_SHAPE;
  if (ssrl_dtype_size(prob_dtype) == 0) return SSRL_ERR_DTYPE;
  int64_t n, bytes;
  if (!ssrl_mul_ok(N, C, &n) || !ssrl_mul_ok(n, 8, &bytes)) return SSRL_ERR_SHAPE;
  /* after every check of the uint8 entry points: they keep their order */
  if (ssrl_label_dtype_size(labels_dtype) == 0) return SSRL_ERR_DTYPE;
  if (n > 0 && (y_true == NULL || y_prob == NULL)) return SSRL_ERR_NULL_POINTER;
  return SSRL_OK;
}

/* Nearest value with mant_bits explicit mantissa bits and exponents >= min_exp
   (ties to even), infinity past max_finite: IEEE rounding to a narrow float. */
static double round_narrow(double t, int mant_bits, int min_exp, double max_finite) {
  if (!isfinite(t) || t == 0.0) return t;
  int e;
  (void)frexp(t, &e); /* |t| in [2^(e-1), 2^e) */
  int ex = e - 1 < min_exp ? min_exp : e - 1;
  const double quantum = ldexp(1.0, ex - mant_bits);
  const double r = nearbyint(t / quantum) * quantum;
  return fabs(r) > max_finite ? copysign(INFINITY, t) : r;
}

double ssrl_round_to_dtype(double t, ssrl_dtype dtype) {
  switch (dtype) {
    case SSRL_FLOAT32: return (double)(float)t;
    case SSRL_FLOAT16: return round_narrow(t, 10, -14, 65504.0);
    case SSRL_BFLOAT16: return round_narrow(t, 7, -126, 3.3895313892515355e38);
    default: return t;
  }
}

ssrl_status ssrl_check_counts_args(const void *y_true, ssrl_dtype labels_dtype,
                                   const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                   int64_t C, const double *thresholds, int64_t K,
                                   const int64_t *counts, int64_t *hist_len) {
  ssrl_status st = ssrl_check_score_args2(y_true, labels_dtype, y_prob, prob_dtype, N, C);
  if (st != SSRL_OK) return st;
  int64_t out_bytes, sort_bytes, bins, hist_bytes;
  if (K < 0) return SSRL_ERR_SHAPE;
  /* every size must be addressable: the sorted thresholds (16 bytes each,
     which also keeps K + 1 from overflowing), the counts and the histograms */
  if (!ssrl_mul_ok(K, 16, &sort_bytes) || !ssrl_mul_ok(K + 1, 2, &bins) ||
      !ssrl_mul_ok(C, K, &out_bytes) || !ssrl_mul_ok(out_bytes, 4 * 8, &out_bytes) ||
      !ssrl_mul_ok(C, bins, hist_len) || !ssrl_mul_ok(*hist_len, 8, &hist_bytes))
    return SSRL_ERR_SHAPE;
  if (K > 0 && thresholds == NULL) return SSRL_ERR_NULL_POINTER;
  if (out_bytes > 0 && counts == NULL) return SSRL_ERR_NULL_POINTER;
  return SSRL_OK;
}
