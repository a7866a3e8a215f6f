/*
 * auroc.c: exact, tie-correct AUROC per class (SEMANTICS.md section 3), CPU.
 *
 * For class c with P positives and M negatives,
 *   AUROC = U2 / (2 P M),  U2 = sum over positives s of #neg(< s) + #neg(<= s),
 * the Mann-Whitney statistic with ties counted half, kept in 64-bit integers
 * so it stays exact past 2^24 samples. Scores become order-preserving integer
 * keys; positives and negatives are radix-sorted apart and one merge scan
 * counts U2. Classes are gathered G at a time so y_prob [N, C] is read in
 * cache lines, not column by column; threads take groups of classes.
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"

#define SSRL_AUROC_GROUP 8
#define SSRL_RADIX_BITS 11
#define SSRL_RADIX_SIZE (1 << SSRL_RADIX_BITS)
#define SSRL_RADIX_PASSES 6 /* 6 * 11 >= 64 */

/* LSD radix sort of keys [n] using tmp [n]; returns the buffer holding the
   sorted keys (keys or tmp). Passes whose digit is the same for all keys are
   skipped, so 32-bit keys cost three passes. */
static uint64_t *radix_sort(uint64_t *keys, uint64_t *tmp, int64_t n) {
  int64_t(*hist)[SSRL_RADIX_SIZE] = calloc(SSRL_RADIX_PASSES, sizeof *hist);
  if (hist == NULL) return NULL;
  for (int64_t i = 0; i < n; ++i)
    for (int p = 0; p < SSRL_RADIX_PASSES; ++p)
      hist[p][(keys[i] >> (p * SSRL_RADIX_BITS)) & (SSRL_RADIX_SIZE - 1)] += 1;
  uint64_t *src = keys, *dst = tmp;
  for (int p = 0; p < SSRL_RADIX_PASSES; ++p) {
    const int shift = p * SSRL_RADIX_BITS;
    if (n == 0 || hist[p][(src[0] >> shift) & (SSRL_RADIX_SIZE - 1)] == n) continue;
    int64_t offset = 0;
    for (int d = 0; d < SSRL_RADIX_SIZE; ++d) {
      const int64_t c = hist[p][d];
      hist[p][d] = offset;
      offset += c;
    }
    for (int64_t i = 0; i < n; ++i) dst[hist[p][(src[i] >> shift) & (SSRL_RADIX_SIZE - 1)]++] = src[i];
    uint64_t *swap = src;
    src = dst;
    dst = swap;
  }
  free(hist);
  return src;
}

/* U2 of sorted positive keys pos [P] against sorted negative keys neg [M]. */
static uint64_t mann_whitney_u2(const uint64_t *pos, int64_t P, const uint64_t *neg, int64_t M) {
  uint64_t u2 = 0;
  int64_t lt = 0, le = 0; /* negatives < and <= the current positive */
  for (int64_t i = 0; i < P; ++i) {
    const uint64_t s = pos[i];
    while (lt < M && neg[lt] < s) ++lt;
    if (le < lt) le = lt;
    while (le < M && neg[le] <= s) ++le;
    u2 += (uint64_t)lt + (uint64_t)le;
  }
  return u2;
}

static uint64_t score_key(const void *y_prob, ssrl_dtype dtype, int64_t i) {
  if (dtype == SSRL_FLOAT64) return ssrl_double_key(((const double *)y_prob)[i]);
  return ssrl_float_key((float)ssrl_load_score(y_prob, dtype, i));
}

/* Classes [c0, c0 + g): gather each class's keys into buf [g][N] (positives
   from the front, negatives from the back), then sort and count. */
static ssrl_status auroc_group(const uint8_t *y_true, const void *y_prob, ssrl_dtype dtype,
                               int64_t N, int64_t C, int64_t c0, int64_t g, uint64_t *buf,
                               uint64_t *tmp, double *auroc) {
  int64_t P[SSRL_AUROC_GROUP] = {0}, M[SSRL_AUROC_GROUP] = {0};
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t j = 0; j < g; ++j) {
      const int64_t i = n * C + c0 + j;
      const uint8_t label = y_true[i];
      if (label > 1) return SSRL_ERR_LABEL_VALUE;
      if (isnan(ssrl_load_score(y_prob, dtype, i))) return SSRL_ERR_NAN_SCORE;
      const uint64_t key = score_key(y_prob, dtype, i);
      if (label) buf[j * N + P[j]++] = key;
      else buf[j * N + N - 1 - M[j]++] = key;
    }
  }
  for (int64_t j = 0; j < g; ++j) {
    if (P[j] == 0 || M[j] == 0) {
      auroc[c0 + j] = NAN;
      continue;
    }
    uint64_t *pos = radix_sort(buf + j * N, tmp, P[j]);
    if (pos == NULL) return SSRL_ERR_OUT_OF_MEMORY;
    if (pos == tmp) memcpy(buf + j * N, tmp, (size_t)P[j] * sizeof *tmp), pos = buf + j * N;
    const uint64_t *neg = radix_sort(buf + j * N + P[j], tmp, M[j]);
    if (neg == NULL) return SSRL_ERR_OUT_OF_MEMORY;
    const uint64_t u2 = mann_whitney_u2(pos, P[j], neg, M[j]);
    auroc[c0 + j] = (double)u2 / (2.0 * (double)P[j] * (double)M[j]);
  }
  return SSRL_OK;
}

SSRL_API ssrl_status ssrl_auroc_cpu(const uint8_t *y_true, const void *y_prob,
                                    ssrl_dtype prob_dtype, int64_t N, int64_t C, double *auroc) {
  ssrl_status st = ssrl_check_score_args(y_true, y_prob, prob_dtype, N, C);
  if (st != SSRL_OK) return st;
  if (C > 0 && auroc == NULL) return SSRL_ERR_NULL_POINTER;
  if (C == 0) return SSRL_OK;
  const int64_t groups = (C + SSRL_AUROC_GROUP - 1) / SSRL_AUROC_GROUP;
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
  if (threads > groups) threads = (int)groups;
  if (N * C < (1 << 14)) threads = 1;
#endif
  /* per thread: G class buffers + one radix scratch, N keys each */
  const size_t per_thread = (size_t)(SSRL_AUROC_GROUP + 1) * (size_t)(N > 0 ? N : 1);
  uint64_t *scratch = (uint64_t *)malloc((size_t)threads * per_thread * sizeof *scratch);
  double *result = (double *)malloc((size_t)C * sizeof *result);
  ssrl_status *errors = (ssrl_status *)calloc((size_t)groups, sizeof *errors);
  if (scratch == NULL || result == NULL || errors == NULL) {
    free(scratch), free(result), free(errors);
    return SSRL_ERR_OUT_OF_MEMORY;
  }
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(dynamic, 1)
#endif
  for (int64_t grp = 0; grp < groups; ++grp) {
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    uint64_t *buf = scratch + (size_t)tid * per_thread;
    const int64_t c0 = grp * SSRL_AUROC_GROUP;
    const int64_t g = C - c0 < SSRL_AUROC_GROUP ? C - c0 : SSRL_AUROC_GROUP;
    errors[grp] = auroc_group(y_true, y_prob, prob_dtype, N, C, c0, g, buf,
                              buf + (size_t)SSRL_AUROC_GROUP * (size_t)N, result);
  }
  ssrl_status error = SSRL_OK; /* the first group that failed, as a serial pass */
  for (int64_t grp = 0; grp < groups && error == SSRL_OK; ++grp) error = errors[grp];
  if (error == SSRL_OK) memcpy(auroc, result, (size_t)C * sizeof *result);
  free(scratch), free(result), free(errors);
  return error;
}
