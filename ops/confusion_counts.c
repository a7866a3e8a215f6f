/*
 * confusion_counts.c: (TP, FP, TN, FN) for C classes x K thresholds in one pass
 * over y_true [N, C] and y_prob [N, C] (docs/semantics.md section 2), on the CPU.
 * Labels of any dtype are read in place (docs/semantics.md section 9.1).
 *
 * The thresholds are rounded to the score dtype and sorted once. Each score
 * then falls in one bin: the number of sorted thresholds <= score. A histogram
 * hist[c][label][bin] per thread, summed and suffix-summed, gives every
 * (class, threshold) count: "score >= t_r" holds exactly for bins > r.
 *
 * Finding the bin costs about the same for K = 1 and K = 1002: the thresholds
 * are known before the pass, so a table of L = 4K equal cells over
 * [t_0, t_{K-1}] gives, for the cell a score falls in, the number of
 * thresholds in the cells below; a fixed number of branch-free steps over the
 * few thresholds inside the cell finishes the count (a uniform grid, such as
 * MultilabelMetrics' 1001 points, puts at most two in a cell: a direct index).
 * Grids too uneven for the table (or K < 16) use a branch-free binary search.
 * The cell of a score is monotone in the score, so the table is exact, not a
 * guess: every threshold in a lower cell is below the score, every one in a
 * higher cell above it.
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"

/* Smaller: one thread. Threads save little below this, and on a machine whose
   other core is busy, a statically split pass waits for the slowed thread
   (multilabel_metrics [21837, 71]: 4.4 ms on one thread, 15.6 ms on two). */
#define SSRL_COUNTS_PARALLEL_ELEMS (1 << 22)
#define SSRL_TABLE_MIN_K 16                  /* below: the binary search is as fast */
#define SSRL_TABLE_MAX_STEPS 4               /* most thresholds in one cell */
#define SSRL_ROW_CHUNK 256                   /* labels and scores decoded at a time */

typedef struct {
  double value;
  int64_t index;
} ssrl_threshold;

static int cmp_threshold(const void *a, const void *b) {
  const ssrl_threshold *x = (const ssrl_threshold *)a, *y = (const ssrl_threshold *)b;
  if (x->value != y->value) return (x->value > y->value) - (x->value < y->value);
  return (x->index > y->index) - (x->index < y->index);
}

/* How a score finds its bin: sorted [K + SSRL_TABLE_MAX_STEPS] (NaN padding,
   which no score is <=), and, when steps > 0, table [L] over [lo, lo + L / scale). */
typedef struct {
  const double *sorted;
  int64_t K;
  const int64_t *table;
  int64_t L;
  double lo, scale;
  int steps;
} ssrl_bins;

static inline int64_t cell_of(const ssrl_bins *b, double p) {
  double x = (p - b->lo) * b->scale;
  x = x > 0.0 ? x : 0.0; /* -inf and scores below t_0 */
  x = x < (double)(b->L - 1) ? x : (double)(b->L - 1);
  return (int64_t)x;
}

/* Number of sorted thresholds <= p, without a data-dependent branch. */
static inline int64_t bin_of(const ssrl_bins *b, double p) {
  if (b->steps > 0) {
    int64_t bin = b->table[cell_of(b, p)];
    for (int s = 0; s < b->steps; ++s) bin += b->sorted[bin] <= p;
    return bin;
  }
  const double *base = b->sorted;
  int64_t n = b->K;
  if (n == 0) return 0;
  while (n > 1) {
    const int64_t half = n / 2;
    base = base[half - 1] <= p ? base + half : base;
    n -= half;
  }
  return (base - b->sorted) + (*base <= p);
}

/* Builds the cell table when the grid suits it; leaves steps = 0 otherwise. */
static void build_table(ssrl_bins *b, int64_t *table) {
  b->steps = 0;
  const int64_t K = b->K;
  if (K < SSRL_TABLE_MIN_K || table == NULL) return;
  const double lo = b->sorted[0], hi = b->sorted[K - 1];
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo) || !isfinite(hi - lo)) return;
  b->L = 4 * K;
  b->lo = lo;
  b->scale = (double)b->L / (hi - lo);
  if (!isfinite(b->scale) || b->scale <= 0.0) return;
  b->table = table;
  memset(table, 0, (size_t)b->L * sizeof *table);
  for (int64_t k = 0; k < K; ++k) table[cell_of(b, b->sorted[k])] += 1;
  int64_t below = 0, most = 0;
  for (int64_t cell = 0; cell < b->L; ++cell) {
    const int64_t in_cell = table[cell];
    table[cell] = below;
    below += in_cell;
    most = in_cell > most ? in_cell : most;
  }
  if (most <= SSRL_TABLE_MAX_STEPS) b->steps = most > 0 ? (int)most : 1;
}


/* Rows [n0, n1) into hist [C][2][K + 1]; returns 0 or an error status. Labels
   and scores are decoded a row chunk at a time, so the dtype switches run
   once per chunk and the counting loop is the same for every dtype. Counts go
   first into uint32 counters (half the cache footprint of the int64 ones at
   K = 1002), flushed before any could pass 2^32 - 1. */
static ssrl_status histogram_rows(const void *y_true, ssrl_dtype ldt, const void *y_prob,
                                  ssrl_dtype dtype, int64_t n0, int64_t n1, int64_t C,
                                  const ssrl_bins *bins, uint32_t *small, int64_t hist_len,
                                  int64_t *hist) {
  uint8_t label[SSRL_ROW_CHUNK];
  double score[SSRL_ROW_CHUNK];
  int64_t slot[SSRL_ROW_CHUNK];
  const int64_t stride = bins->K + 1;
  while (n0 < n1) {
    /* a counter grows by at most one a row */
    const int64_t rows = n1 - n0 < (int64_t)UINT32_MAX ? n1 - n0 : (int64_t)UINT32_MAX;
    memset(small, 0, (size_t)hist_len * sizeof *small);
    for (int64_t n = n0; n < n0 + rows; ++n) {
      for (int64_t c0 = 0; c0 < C; c0 += SSRL_ROW_CHUNK) {
        const int64_t w = C - c0 < SSRL_ROW_CHUNK ? C - c0 : SSRL_ROW_CHUNK;
        const int64_t i0 = n * C + c0;
        const int bad_label = ssrl_decode_labels(y_true, ldt, i0, w, label);
        int bad_score = 0;
        if (dtype == SSRL_FLOAT32) {
          const float *p = (const float *)y_prob + i0;
          for (int64_t j = 0; j < w; ++j) score[j] = p[j];
        } else {
          for (int64_t j = 0; j < w; ++j) score[j] = ssrl_load_score(y_prob, dtype, i0 + j);
        }
        for (int64_t j = 0; j < w; ++j) bad_score |= isnan(score[j]);
        if (bad_label | bad_score) /* the first bad value in data order wins */
          return ssrl_first_bad_value(y_true, ldt, y_prob, dtype, i0, w);
        /* slots first, then the increments: the lookups overlap in flight */
        const int64_t base = c0 * 2 * stride;
        for (int64_t j = 0; j < w; ++j)
          slot[j] = base + (j * 2 + label[j]) * stride + bin_of(bins, score[j]);
        for (int64_t j = 0; j < w; ++j) small[slot[j]] += 1;
      }
    }
    for (int64_t i = 0; i < hist_len; ++i) hist[i] += small[i];
    n0 += rows;
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
  return ssrl_confusion_counts2_cpu(y_true, SSRL_UINT8, y_prob, prob_dtype, N, C, thresholds, K,
                                    counts);
}

SSRL_API ssrl_status ssrl_confusion_counts2_cpu(const void *y_true, ssrl_dtype labels_dtype,
                                                const void *y_prob, ssrl_dtype prob_dtype,
                                                int64_t N, int64_t C, const double *thresholds,
                                                int64_t K, int64_t *counts) {
  int64_t hist_len;
  ssrl_status st = ssrl_check_counts_args(y_true, labels_dtype, y_prob, prob_dtype, N, C,
                                          thresholds, K, counts, &hist_len);
  if (st != SSRL_OK) return st;
  for (int64_t k = 0; k < K; ++k)
    if (isnan(thresholds[k])) return SSRL_ERR_NAN_THRESHOLD;
  if (C == 0) return SSRL_OK; /* nothing to read: labels and scores cannot be bad */

  const int threads = ssrl_omp_threads(N, N * C >= SSRL_COUNTS_PARALLEL_ELEMS);
  const int use_table = K >= SSRL_TABLE_MIN_K;
  ssrl_threshold *order = (ssrl_threshold *)malloc((size_t)(K > 0 ? K : 1) * sizeof *order);
  double *sorted = (double *)malloc((size_t)(K + SSRL_TABLE_MAX_STEPS) * sizeof *sorted);
  int64_t *table = use_table ? (int64_t *)malloc((size_t)(4 * K) * sizeof *table) : NULL;
  /* per-thread slices on their own cache lines (internal.h, ssrl_line_stride) */
  const size_t hist_stride = ssrl_line_stride((size_t)hist_len, sizeof(int64_t));
  const size_t small_stride = ssrl_line_stride((size_t)hist_len, sizeof(uint32_t));
  int64_t *hist = (int64_t *)ssrl_lines_alloc((size_t)threads * hist_stride, sizeof *hist);
  uint32_t *small = (uint32_t *)ssrl_lines_alloc((size_t)threads * small_stride, sizeof *small);
  ssrl_status *errors = (ssrl_status *)calloc((size_t)threads, sizeof *errors);
  if (order == NULL || sorted == NULL || hist == NULL || small == NULL || errors == NULL ||
      (use_table && table == NULL)) {
    free(order), free(sorted), free(table), ssrl_lines_free(hist), ssrl_lines_free(small), free(errors);
    return SSRL_ERR_OUT_OF_MEMORY;
  }
  memset(hist, 0, (size_t)threads * hist_stride * sizeof *hist);
  for (int64_t k = 0; k < K; ++k) {
    order[k].value = ssrl_round_to_dtype(thresholds[k], prob_dtype);
    order[k].index = k;
  }
  qsort(order, (size_t)K, sizeof *order, cmp_threshold);
  for (int64_t k = 0; k < K; ++k) sorted[k] = order[k].value;
  for (int s = 0; s < SSRL_TABLE_MAX_STEPS; ++s) sorted[K + s] = NAN;
  ssrl_bins bins = {sorted, K, NULL, 0, 0.0, 0.0, 0};
  build_table(&bins, table);

#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    int64_t n0, n1;
    const int tid = ssrl_omp_rows(N, &n0, &n1);
    errors[tid] = histogram_rows(y_true, labels_dtype, y_prob, prob_dtype, n0, n1, C, &bins,
                                 small + (size_t)tid * small_stride, hist_len,
                                 hist + (size_t)tid * hist_stride);
  }
  ssrl_status error = SSRL_OK; /* the first bad value in data order, as a serial pass */
  for (int t = 0; t < threads && error == SSRL_OK; ++t) error = errors[t];
  if (error == SSRL_OK) {
    for (int t = 1; t < threads; ++t)
      for (int64_t i = 0; i < hist_len; ++i) hist[i] += hist[(size_t)t * hist_stride + i];
    counts_from_hist(hist, C, K, order, counts);
  }
  free(order), free(sorted), free(table), ssrl_lines_free(hist), ssrl_lines_free(small), free(errors);
  return error;
}
