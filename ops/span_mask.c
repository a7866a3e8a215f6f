/*
 * span_mask.c: mask random time spans of x [B, C, T] on the CPU, per sample
 * (all leads alike) or per lead, with overlapping spans (the block_mask rule)
 * or exactly n non-overlapping ones, writing zeros or fill[c]
 * (docs/semantics.md, "Masks for self-supervised pretraining").
 *
 * The per-sample, overlapping, zero-fill case *is* block_mask and goes to
 * ssrl_block_mask_cpu. Every other case: each
 * row's starts come from mask_select.h (shared with kernels/span_mask.cu).
 * For the vector select writer, which reads only a row's mask bytes, the
 * bytes are painted straight from the starts (the overlapping rule's in draw
 * order, unsorted; mask_row.c's ssrl_paint_mask_row says what that saves);
 * for the other writers the sorted starts are merged into disjoint spans.
 * Every data row is then written by ssrl_write_row (mask_row.c, which says
 * how), as block_mask writes its rows. Rows are split over OpenMP threads
 * past 1 MiB.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "mask_row.h"
#include "masking.h"

SSRL_API ssrl_status ssrl_span_count(int64_t T, double mask_ratio, int64_t span, int exact,
                                     int64_t *n_spans) {
  ssrl_status st = ssrl_block_count(T, mask_ratio, span, n_spans);
  if (st != SSRL_OK || !exact || *n_spans == 0) return st;
  if (T < span) { /* no whole span fits: one span, the whole row */
    *n_spans = 1;
    return SSRL_OK;
  }
  /* Python's round() of a float is round-half-even of its exact value, which
     nearbyint() is in the default rounding mode; T * ratio / span < 2^32. */
  const double r = nearbyint((double)T * mask_ratio / (double)span);
  const int64_t fit = T / span;
  const int64_t want = r < 1.0 ? 1 : (int64_t)r;
  *n_spans = want < fit ? want : fit;
  return SSRL_OK;
}

ssrl_status ssrl_check_span_args(const void *x, const void *out, int64_t B, int64_t C, int64_t T,
                                 size_t elem_size, double mask_ratio, int64_t span, int per_lead,
                                 int exact, ssrl_span_plan *plan) {
  int64_t n_blocks, rows, scratch;
  ssrl_status st = ssrl_check_mask_args(x, out, B, C, T, elem_size, mask_ratio, span, &n_blocks);
  if (st != SSRL_OK) return st;
  st = ssrl_span_count(T, mask_ratio, span, exact, &plan->n);
  if (st != SSRL_OK) return st;
  if (per_lead) {
    if (!ssrl_mul_ok(B, C, &rows)) return SSRL_ERR_SHAPE;
  } else {
    rows = B;
  }
  /* the mask per lead [B, C, T] and the scratch of every row must be addressable */
  if ((per_lead && !ssrl_mul_ok(rows, T, &scratch)) ||
      !ssrl_mul_ok(rows, (int64_t)ssrl_span_row_bytes(T, plan->n), &scratch))
    return SSRL_ERR_SHAPE;
  plan->rows = rows;
  plan->exact = exact && T >= span;
  return SSRL_OK;
}

/* Row sel's spans as disjoint sorted [begin, end) pairs in spans [2 n];
   scratch: ssrl_span_row_bytes(T, n) bytes. Returns their count. */
static int64_t row_spans(uint64_t seed, int64_t sel, int64_t T, int64_t span, int64_t n,
                         int exact, void *scratch, int64_t *spans) {
  uint32_t *bits = (uint32_t *)scratch;
  int64_t *starts = (int64_t *)(bits + ssrl_span_bits_words(T));
  memset(bits, 0, ssrl_span_bits_words(T) * 4u);
  const int64_t distinct = ssrl_span_starts_row(seed, (uint64_t)sel, T, span, n, exact, bits, starts);
  return ssrl_merge_spans(starts, distinct, span, T, spans);
}

typedef struct {
  ssrl_row_writer rows; /* x, out and the row writer; each thread copies it */
  uint8_t *mask;
  const char *fill; /* [C] values of es bytes, or NULL: zeros */
  int64_t C, T, span, n;
  size_t es;
  int per_lead, exact;
  uint64_t seed;
} span_job;

/* Row sel's mask bytes [T] for the select writer, painted from its starts
   (ssrl_paint_mask_row): the overlapping rule's draws as they come, the exact
   rule's sorted ones; no merge. scratch as for row_spans. */
static void row_painted(uint64_t seed, int64_t sel, int64_t T, int64_t span, int64_t n,
                        int exact, void *scratch, uint8_t *mask) {
  uint32_t *bits = (uint32_t *)scratch;
  int64_t *starts = (int64_t *)(bits + ssrl_span_bits_words(T));
  if (exact) {
    memset(bits, 0, ssrl_span_bits_words(T) * 4u);
    ssrl_span_starts_row(seed, (uint64_t)sel, T, span, n, 1, bits, starts);
  } else {
    ssrl_span_draws_row(seed, (uint64_t)sel, T, span, n, starts);
  }
  ssrl_paint_mask_row(mask, T, starts, n, span);
}

/* Data rows [r0, r1) of the flattened [B * C]; a selection row's spans are
   redrawn only when the range enters a new one. */
static void span_rows(const span_job *j, int64_t r0, int64_t r1, void *scratch, int64_t *spans,
                      uint8_t *mask_row) {
  int64_t cached = -1, count = 0;
  const uint8_t *bytes = mask_row; /* the selection row's mask bytes */
  ssrl_row_writer w = j->rows;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t sel = j->per_lead ? r : r / j->C, c = r % j->C;
    if (sel != cached) {
      cached = sel;
      /* the mask row is written by the thread that owns its first data row;
         a thread that starts mid-sample, or no mask, keeps its own bytes */
      const int owns = j->mask != NULL && (j->per_lead || c == 0);
      uint8_t *owned = owns ? j->mask + (size_t)sel * (size_t)j->T : NULL;
      if (w.select) { /* reads only the mask bytes: no spans needed */
        uint8_t *dst = owned != NULL ? owned : mask_row;
        row_painted(j->seed, sel, j->T, j->span, j->n, j->exact, scratch, dst);
        bytes = dst;
      } else {
        count = row_spans(j->seed, sel, j->T, j->span, j->n, j->exact, scratch, spans);
        bytes = ssrl_row_mask_bytes(&w, owned, mask_row, spans, count);
      }
    }
    ssrl_write_row(&w, r, r1, spans, count, bytes,
                   j->fill != NULL ? j->fill + (size_t)c * j->es : NULL);
  }
}

SSRL_API ssrl_status ssrl_span_mask_cpu(const void *x, void *out, uint8_t *mask, int64_t B,
                                        int64_t C, int64_t T, size_t elem_size,
                                        double mask_ratio, int64_t span, int per_lead,
                                        int exact, const void *fill, uint64_t seed) {
  ssrl_span_plan plan;
  ssrl_status st = ssrl_check_span_args(x, out, B, C, T, elem_size, mask_ratio, span, per_lead,
                                        exact, &plan);
  if (st != SSRL_OK) return st;
  if (!per_lead && !plan.exact && fill == NULL) /* the block_mask rule, bit for bit */
    return ssrl_block_mask_cpu(x, out, mask, B, C, T, elem_size, mask_ratio, span, seed);
  const int64_t rows = B * C;
  const size_t bytes = (size_t)rows * (size_t)T * elem_size;
  const size_t mask_bytes = (size_t)(per_lead ? rows : B) * (size_t)T;
  if (plan.n == 0) { /* mask_ratio <= 0: nothing is masked */
    if (bytes > 0 && out != x) memcpy(out, x, bytes);
    if (mask != NULL && mask_bytes > 0) memset(mask, 0, mask_bytes);
    return SSRL_OK;
  }
  if (T == 0 || plan.rows == 0) return SSRL_OK;

  const int threads = ssrl_omp_threads(rows, bytes >= SSRL_MASK_PARALLEL_BYTES);
  const ssrl_row_writer writer = ssrl_row_writer_make(x, out, elem_size, T, bytes);
  /* per thread: the selection's scratch, its spans [2 n], a mask row [T] for
     the select writer, rounded to 64 bytes */
  const size_t spans_at = (size_t)ssrl_span_row_bytes(T, plan.n);
  const size_t row_scratch = writer.select ? (size_t)T : 0;
  const size_t scratch_bytes = ssrl_line_stride(spans_at + 2 * (size_t)plan.n * 8u + row_scratch, 1);
  char *scratch = (char *)ssrl_lines_alloc((size_t)threads, scratch_bytes);
  if (scratch == NULL) return SSRL_ERR_OUT_OF_MEMORY;
  span_job j = {writer, mask,
                (const char *)fill, C, T, span, plan.n, elem_size, per_lead, plan.exact, seed};
  if (C == 0) { /* no data, but the per-sample mask is still defined */
    int64_t *spans = (int64_t *)(scratch + spans_at);
    for (int64_t b = 0; mask != NULL && b < B; ++b)
      ssrl_write_mask_row(mask + (size_t)b * (size_t)T, T, spans,
                     row_spans(seed, b, T, span, plan.n, plan.exact, scratch, spans));
    ssrl_lines_free(scratch);
    return SSRL_OK;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    int64_t r0, r1;
    const int tid = ssrl_omp_rows(rows, &r0, &r1);
    char *mine = scratch + (size_t)tid * scratch_bytes;
    span_rows(&j, r0, r1, mine, (int64_t *)(mine + spans_at),
              (uint8_t *)mine + spans_at + 2 * (size_t)plan.n * 8u);
  }
  ssrl_lines_free(scratch);
  return SSRL_OK;
}
