/*
 * auroc.c: exact, tie-correct AUROC per class (docs/semantics.md section 3), CPU.
 *
 * For class c with P positives and M negatives,
 *   AUROC = U2 / (2 P M),  U2 = sum over positives s of #neg(< s) + #neg(<= s),
 * the Mann-Whitney statistic with ties counted half, kept in 64-bit integers
 * so it stays exact past 2^24 samples. Scores become order-preserving integer
 * keys; positives and negatives are radix-sorted apart and one merge scan
 * counts U2. Classes are gathered G at a time so y_prob [N, C] is read in
 * cache lines, not column by column; threads take groups of classes.
 *
 * The same merge scan gives the average precision (docs/semantics.md section
 * 9.2): at the first positive of each distinct score s (ascending), TP(>= s)
 * is P minus the positives before it and FP(>= s) is M minus #neg(< s), the
 * scan's own count. Labels of any dtype are read in place (section 9.1).
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"

/* The gather reads a group's few columns of every row, C scores apart: it
   prefetches the row SSRL_GATHER_AHEAD ahead. At [1e6, 71] float32 this took
   the whole op from 522 to 410 ms (2 threads; distances 8 to 64 alike). A
   group's scores (12-16 of them, 48-64 bytes) straddle two cache lines in
   most rows, so both lines are prefetched: on a 2-core AMD EPYC the second
   took the op to 0.66-0.75x its time at [1e6, 71] and [1e5, 71] and 0.90x
   at [21837, 71] (old and new library in one process, interleaved; the
   labels' second line gained nothing, distances 32 and 64 neither). */
#define SSRL_GATHER_AHEAD 16
#if defined(__GNUC__) || defined(__clang__)
#define SSRL_PREFETCH(p) __builtin_prefetch(p)
#else
#define SSRL_PREFETCH(p) ((void)(p))
#endif
#define SSRL_AUROC_GROUP 16 /* most classes gathered per read of y_prob */
#define SSRL_RADIX_BITS 11 /* 3 passes for 32-bit keys: at 1e6 keys 20% faster than 4 of 8 bits */
#define SSRL_RADIX_SIZE (1 << SSRL_RADIX_BITS)
/* Under this many keys the sort takes 8-bit digits (4 passes of 256 bins for
   32-bit keys): with 11 bits a sort of a few hundred keys spent most of its
   time clearing and summing three 2048-bin histograms (48 KiB). Measured on
   the 2-core AMD EPYC, float32, 10% positives, against 11 bits throughout:
   [240, 71] 0.33x the time, [1500, 71] 0.79x, [2158, 71] 0.88x; a cut at
   1024 gained less at 1500 (0.91x), one at 16384 lost at [10000, 71]. */
#define SSRL_RADIX_SMALL 2048

/* LSD radix sort of keys [n] using tmp [n], BITS-bit digits, PASSES of them;
   returns the buffer holding the sorted keys (keys or tmp). hist: PASSES
   rows of 2^BITS counts. All digit histograms come from one read; passes
   whose digit is the same for every key are skipped. */
#define SSRL_DEFINE_RADIX(KEY, NAME, BITS, PASSES)                                         \
  static KEY *NAME(KEY *keys, KEY *tmp, int64_t n, int64_t *hist) {                        \
    enum { size = 1 << (BITS) };                                                           \
    memset(hist, 0, sizeof(int64_t) * size * (PASSES));                                   \
    for (int64_t i = 0; i < n; ++i)                                                        \
      for (int p = 0; p < (PASSES); ++p)                                                   \
        hist[p * size + ((keys[i] >> (p * (BITS))) & (size - 1))] += 1;                    \
    KEY *src = keys, *dst = tmp;                                                           \
    for (int p = 0; p < (PASSES); ++p) {                                                   \
      const int shift = p * (BITS);                                                        \
      int64_t *h = hist + p * size;                                                        \
      if (n == 0 || h[(src[0] >> shift) & (size - 1)] == n) continue;                      \
      int64_t offset = 0;                                                                  \
      for (int d = 0; d < size; ++d) {                                                     \
        const int64_t c = h[d];                                                            \
        h[d] = offset;                                                                     \
        offset += c;                                                                       \
      }                                                                                    \
      for (int64_t i = 0; i < n; ++i) dst[h[(src[i] >> shift) & (size - 1)]++] = src[i];   \
      KEY *swap = src;                                                                     \
      src = dst;                                                                           \
      dst = swap;                                                                          \
    }                                                                                      \
    return src;                                                                            \
  }

/* Sort and Mann-Whitney count for one key type: uint32_t keys for scores of
   32 bits or fewer (3 passes of 11 bits), uint64_t for float64 (6 passes);
   8-bit digits under SSRL_RADIX_SMALL keys.
   u2: sum over sorted positives s of #neg(< s) + #neg(<= s); *ap: the sum of
   the average precision's terms (ssrl_ap_term), one per distinct score. */
#define SSRL_DEFINE_RANK_OPS(KEY, SUFFIX, PASSES, SMALL_PASSES)                            \
  SSRL_DEFINE_RADIX(KEY, radix_wide_##SUFFIX, SSRL_RADIX_BITS, PASSES)                     \
  SSRL_DEFINE_RADIX(KEY, radix_narrow_##SUFFIX, 8, SMALL_PASSES)                           \
  static KEY *radix_sort_##SUFFIX(KEY *keys, KEY *tmp, int64_t n, int64_t *hist) {         \
    return n < SSRL_RADIX_SMALL ? radix_narrow_##SUFFIX(keys, tmp, n, hist)                \
                                : radix_wide_##SUFFIX(keys, tmp, n, hist);                 \
  }                                                                                        \
  static uint64_t u2_##SUFFIX(const KEY *pos, int64_t P, const KEY *neg, int64_t M,       \
                               uint64_t *ap) {                                             \
    uint64_t u2 = 0, terms = 0;                                                            \
    int64_t lt = 0, le = 0, run_end = 0;                                                   \
    for (int64_t i = 0; i < P; ++i) {                                                      \
      const KEY s = pos[i];                                                                \
      while (lt < M && neg[lt] < s) ++lt;                                                  \
      if (le < lt) le = lt;                                                                \
      while (le < M && neg[le] <= s) ++le;                                                 \
      u2 += (uint64_t)lt + (uint64_t)le;                                                   \
      if (i == run_end) { /* the first positive at score s */                              \
        while (run_end < P && pos[run_end] == s) ++run_end;                                \
        terms += ssrl_ap_term(run_end - i, P - i, M - lt, P);                              \
      }                                                                                    \
    }                                                                                      \
    *ap = terms;                                                                           \
    return u2;                                                                             \
  }

SSRL_DEFINE_RANK_OPS(uint32_t, u32, 3, 4)
SSRL_DEFINE_RANK_OPS(uint64_t, u64, 6, 8)

/* Gathers classes [c0, c0 + g) into buf [g][N] of keys (positives from the
   front, negatives from the back), reading y_prob [N, C] one row at a time;
   labels and scores of a row are decoded first, so the dtype switches run
   once a row, not once an element. */
#define SSRL_GATHER(KEY, KEYFN)                                                     \
  do {                                                                              \
    KEY *kb = (KEY *)buf;                                                           \
    uint8_t lab[SSRL_AUROC_GROUP];                                                  \
    double sc[SSRL_AUROC_GROUP];                                                    \
    for (int64_t n = 0; n < N; ++n) {                                               \
      const int64_t i0 = n * C + c0;                                                \
      if (n + SSRL_GATHER_AHEAD < N) {                                              \
        SSRL_PREFETCH((const char *)y_prob + (size_t)(i0 + SSRL_GATHER_AHEAD * C) * psize); \
        SSRL_PREFETCH((const char *)y_prob + (size_t)(i0 + SSRL_GATHER_AHEAD * C + g) * psize - 1); \
        SSRL_PREFETCH((const char *)y_true + (size_t)(i0 + SSRL_GATHER_AHEAD * C) * lsize); \
      }                                                                             \
      const int bad_label = ssrl_decode_labels(y_true, ldt, i0, g, lab);            \
      int bad_score = 0;                                                            \
      if (dtype == SSRL_FLOAT32) {                                                  \
        const float *pp = (const float *)y_prob + i0;                               \
        for (int64_t j = 0; j < g; ++j) sc[j] = pp[j];                              \
      } else {                                                                      \
        for (int64_t j = 0; j < g; ++j) sc[j] = ssrl_load_score(y_prob, dtype, i0 + j); \
      }                                                                             \
      for (int64_t j = 0; j < g; ++j) bad_score |= isnan(sc[j]);                    \
      if (bad_label | bad_score) /* this group's first bad value */                  \
        return ssrl_first_bad_value(y_true, ldt, y_prob, dtype, i0, g);             \
      for (int64_t j = 0; j < g; ++j) { /* no branch on the label */               \
        const int64_t l = lab[j], at = l ? P[j] : N - 1 - M[j];                     \
        P[j] += l;                                                                  \
        M[j] += 1 - l;                                                              \
        kb[j * N + at] = KEYFN(sc[j]);                                              \
      }                                                                             \
    }                                                                               \
  } while (0)

/* Sorts class j's positives and negatives apart and counts its U2. */
#define SSRL_RANK(KEY, SUFFIX)                                                      \
  do {                                                                              \
    KEY *kb = (KEY *)buf + j * N, *kt = (KEY *)tmp;                                 \
    KEY *pos = radix_sort_##SUFFIX(kb, kt, P[j], hist);                             \
    if (pos == kt) memcpy(kb, kt, (size_t)P[j] * sizeof *kt), pos = kb;             \
    const KEY *neg = radix_sort_##SUFFIX(kb + P[j], kt, M[j], hist);                \
    u2 = u2_##SUFFIX(pos, P[j], neg, M[j], &ap);                                    \
  } while (0)

static uint32_t float_key_of(double score) { return ssrl_float_key((float)score); }

/* Classes [c0, c0 + g) of AUROC and AUPRC into auroc and auprc; buf holds
   g * N keys and tmp N. */
static ssrl_status auroc_group(const void *y_true, ssrl_dtype ldt, const void *y_prob,
                               ssrl_dtype dtype, int64_t N, int64_t C, int64_t c0, int64_t g,
                               void *buf, void *tmp, int64_t *hist,
                               double *auroc, double *auprc) {
  if (g == 0) return SSRL_OK; /* a thread count past C leaves groups empty */
  int64_t P[SSRL_AUROC_GROUP] = {0}, M[SSRL_AUROC_GROUP] = {0};
  const int wide = dtype == SSRL_FLOAT64;
  const size_t psize = ssrl_dtype_size(dtype), lsize = ssrl_label_dtype_size(ldt);
  if (wide) SSRL_GATHER(uint64_t, ssrl_double_key);
  else SSRL_GATHER(uint32_t, float_key_of);
  for (int64_t j = 0; j < g; ++j) {
    if (P[j] == 0 || M[j] == 0) { /* no negative: every precision is 1 */
      auroc[c0 + j] = NAN;
      auprc[c0 + j] = P[j] == 0 ? NAN : 1.0;
      continue;
    }
    uint64_t u2, ap;
    if (wide) SSRL_RANK(uint64_t, u64);
    else SSRL_RANK(uint32_t, u32);
    auroc[c0 + j] = (double)u2 / (2.0 * (double)P[j] * (double)M[j]);
    auprc[c0 + j] = ssrl_ap_value(ap);
  }
  return SSRL_OK;
}

SSRL_API ssrl_status ssrl_auroc_cpu(const uint8_t *y_true, const void *y_prob,
                                    ssrl_dtype prob_dtype, int64_t N, int64_t C, double *auroc) {
  return ssrl_auroc_auprc_cpu(y_true, SSRL_UINT8, y_prob, prob_dtype, N, C, auroc, NULL);
}

SSRL_API ssrl_status ssrl_auroc_auprc_cpu(const void *y_true, ssrl_dtype labels_dtype,
                                          const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                          int64_t C, double *auroc, double *auprc) {
  ssrl_status st = ssrl_check_score_args2(y_true, labels_dtype, y_prob, prob_dtype, N, C);
  if (st != SSRL_OK) return st;
  if (C > 0 && auroc == NULL) return SSRL_ERR_NULL_POINTER;
  if (C == 0) return SSRL_OK;
  /* Threads past 2^14 scores: a score costs ~16-50 ns here (gather, sort,
     scan, and per class two sorts' digit histograms), so 2^14 of them are
     ~0.5 ms against an OpenMP start of ~10 us. Measured on the 2-core AMD
     EPYC, 2 threads against 1: [21837, 71] 0.53-0.61x the time, 0.81x with
     a process spinning on the other core (the groups are taken dynamically,
     so the slowed thread takes fewer); [1000, 71] 0.53x, [240, 71] 0.52x.
     (It was 2^22, confusion_counts.c's cut-off for its far cheaper scores.)
     At least 2^13 scores a thread, which is that cut-off too, so that many
     cores do not each take a scratch and a start for a sliver of a call. */
  const int64_t slices = (N * C) >> 13;
  const int threads = ssrl_omp_threads(slices < C ? slices : C, 1);
  /* Few, wide groups read y_prob [N, C] fewest times; a multiple of the
     thread count keeps the threads equally busy. */
  const int64_t rounds = (C + (int64_t)threads * SSRL_AUROC_GROUP - 1) / ((int64_t)threads * SSRL_AUROC_GROUP);
  const int64_t groups = rounds * threads < C ? rounds * threads : C;
  const int64_t width = (C + groups - 1) / groups;
  /* per thread: G class buffers and one radix scratch of N keys, then the
     digit histograms */
  const size_t key_bytes = prob_dtype == SSRL_FLOAT64 ? 8 : 4;
  const size_t keys_bytes = ssrl_line_stride((size_t)(N > 0 ? N : 1) * key_bytes, 1);
  const size_t hist_bytes = sizeof(int64_t) * SSRL_RADIX_SIZE * 8;
  const size_t per_thread = (size_t)(width + 1) * keys_bytes + hist_bytes;
  char *scratch = (char *)ssrl_lines_alloc((size_t)threads, per_thread);
  double *result = (double *)malloc((size_t)C * 2 * sizeof *result); /* auroc, auprc */
  ssrl_status *errors = (ssrl_status *)calloc((size_t)groups, sizeof *errors);
  if (scratch == NULL || result == NULL || errors == NULL) {
    ssrl_lines_free(scratch), free(result), free(errors);
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
    char *buf = scratch + (size_t)tid * per_thread;
    char *tmp = buf + (size_t)width * keys_bytes;
    int64_t *hist = (int64_t *)(tmp + keys_bytes);
    const int64_t c0 = grp * width;
    const int64_t g = c0 >= C ? 0 : (C - c0 < width ? C - c0 : width);
    errors[grp] = auroc_group(y_true, labels_dtype, y_prob, prob_dtype, N, C, c0, g, buf, tmp,
                              hist, result, result + C);
  }
  ssrl_status error = SSRL_OK;
  for (int64_t grp = 0; grp < groups && error == SSRL_OK; ++grp) error = errors[grp];
  /* The groups stop at their own first bad value, and which group reports
     first depends on the thread count: the first in row-major order is
     found again, on this error path only (docs/semantics.md section 3). */
  if (error == SSRL_ERR_LABEL_VALUE || error == SSRL_ERR_NAN_SCORE)
    error = ssrl_first_bad_value(y_true, labels_dtype, y_prob, prob_dtype, 0, N * C);
  if (error == SSRL_OK) {
    memcpy(auroc, result, (size_t)C * sizeof *result);
    if (auprc != NULL) memcpy(auprc, result + C, (size_t)C * sizeof *result);
  }
  ssrl_lines_free(scratch), free(result), free(errors);
  return error;
}
