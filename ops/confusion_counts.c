/*
 * confusion_counts.c: (TP, FP, TN, FN) for C classes x K thresholds in one pass
 * over y_true [N, C] and y_prob [N, C] (SEMANTICS.md section 2), on the CPU.
 *
 * The thresholds are rounded to the score dtype and sorted once. Each score
 * then falls in one bin: the number of sorted thresholds <= score. A histogram
 * hist[c][label][bin] per thread, summed and suffix-summed, gives every
 * (class, threshold) count: "score >= t_r" holds exactly for bins > r.
 * Cost: one read of the data and log2(K + 1) compares per score.
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"

#define SSRL_COUNTS_PARALLEL_ELEMS (1 << 20) /* smaller: threads cost more than they save */

typedef struct {
  double value;
  int64_t index;
} ssrl_threshold;

static int cmp_threshold(const void *a, const void *b) {
  const ssrl_threshold *x = (const ssrl_threshold *)a, *y = (const ssrl_threshold *)b;
  if (x->value != y->value) return (x->value > y->value) - (x->value < y->value);
  return (x->index > y->index) - (x->index < y->index);
}

/* Number of sorted[0..K) that are <= p. */
static int64_t bin_of(double p, const double *sorted, int64_t K) {
  int64_t lo = 0, hi = K;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (sorted[mid] <= p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Rows [n0, n1) into hist [C][2][K + 1]; returns 0 or an error status. */
static ssrl_status histogram_rows(const uint8_t *y_true, const void *y_prob, ssrl_dtype dtype,
                                  int64_t n0, int64_t n1, int64_t C, const double *sorted,
                                  int64_t K, int64_t *hist) {
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      const int64_t i = n * C + c;
      const uint8_t label = y_true[i];
      const double p = ssrl_load_score(y_prob, dtype, i);
      if (label > 1) return SSRL_ERR_LABEL_VALUE;
      if (isnan(p)) return SSRL_ERR_NAN_SCORE;
      hist[(c * 2 + label) * (K + 1) + bin_of(p, sorted, K)] += 1;
    }
  }
  return SSRL_OK;
}

/* counts [C][K][4] from the summed histogram: suffix sums over bins. */
static void counts_from_hist(const int64_t *hist, int64_t C, int64_t K,
                             const ssrl_threshold *order, int64_t *counts) {
  for (int64_t c = 0; c < C; ++c) {
    const int64_t *neg = hist + (c * 2 + 0) * (K + 1);
    const int64_t *pos = hist + (c * 2 + 1) * (K + 1);
    int64_t total_neg = 0, total_pos = 0;
    for (int64_t bin = 0; bin <= K; ++bin) total_neg += neg[bin], total_pos += pos[bin];
    int64_t fp = total_neg, tp = total_pos; /* predicted positive: bins > r */
    for (int64_t r = 0; r < K; ++r) {
      fp -= neg[r];
      tp -= pos[r];
      int64_t *out = counts + (c * K + order[r].index) * 4;
      out[0] = tp;
      out[1] = fp;
      out[2] = total_neg - fp;
      out[3] = total_pos - tp;
    }
  }
}

SSRL_API ssrl_status ssrl_confusion_counts_cpu(const uint8_t *y_true, const void *y_prob,
                                               ssrl_dtype prob_dtype, int64_t N, int64_t C,
                                               const double *thresholds, int64_t K,
                                               int64_t *counts) {
  int64_t hist_len;
  ssrl_status st = ssrl_check_counts_args(y_true, y_prob, prob_dtype, N, C, thresholds, K, counts,
                                          &hist_len);
  if (st != SSRL_OK) return st;
  for (int64_t k = 0; k < K; ++k)
    if (isnan(thresholds[k])) return SSRL_ERR_NAN_THRESHOLD;
  if (C == 0) return SSRL_OK; /* nothing to read: labels and scores cannot be bad */

  int threads = 1;
#ifdef _OPENMP
  if (N * C >= SSRL_COUNTS_PARALLEL_ELEMS) threads = omp_get_max_threads();
  if (threads > N) threads = N > 0 ? (int)N : 1;
#endif
  ssrl_threshold *order = (ssrl_threshold *)malloc((size_t)(K > 0 ? K : 1) * sizeof *order);
  double *sorted = (double *)malloc((size_t)(K > 0 ? K : 1) * sizeof *sorted);
  int64_t *hist = (int64_t *)calloc((size_t)threads * (size_t)hist_len, sizeof *hist);
  ssrl_status *errors = (ssrl_status *)calloc((size_t)threads, sizeof *errors);
  if (order == NULL || sorted == NULL || hist == NULL || errors == NULL) {
    free(order), free(sorted), free(hist), free(errors);
    return SSRL_ERR_OUT_OF_MEMORY;
  }
  for (int64_t k = 0; k < K; ++k) {
    order[k].value = ssrl_round_to_dtype(thresholds[k], prob_dtype);
    order[k].index = k;
  }
  qsort(order, (size_t)K, sizeof *order, cmp_threshold);
  for (int64_t k = 0; k < K; ++k) sorted[k] = order[k].value;

#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    int tid = 0, nt = 1;
#ifdef _OPENMP
    tid = omp_get_thread_num();
    nt = omp_get_num_threads();
#endif
    const int64_t chunk = N / nt, rem = N % nt;
    const int64_t n0 = tid * chunk + (tid < rem ? tid : rem);
    const int64_t n1 = n0 + chunk + (tid < rem ? 1 : 0);
    errors[tid] = histogram_rows(y_true, y_prob, prob_dtype, n0, n1, C, sorted, K,
                                hist + (size_t)tid * (size_t)hist_len);
  }
  ssrl_status error = SSRL_OK; /* the first bad value in data order, as a serial pass */
  for (int t = 0; t < threads && error == SSRL_OK; ++t) error = errors[t];
  if (error == SSRL_OK) {
    for (int t = 1; t < threads; ++t)
      for (int64_t i = 0; i < hist_len; ++i) hist[i] += hist[(size_t)t * (size_t)hist_len + i];
    counts_from_hist(hist, C, K, order, counts);
  }
  free(order), free(sorted), free(hist), free(errors);
  return error;
}
