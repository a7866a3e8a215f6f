/*
 * block_mask.c: zero random time blocks of x [B, C, T], all channels alike
 * (docs/semantics.md, "Block mask"), on the CPU.
 *
 * Per sample: draw n_blocks starts from the Philox stream (philox.h, shared with
 * the CUDA kernel), sort them in linear time (radix) and merge them into
 * disjoint spans, then write every row with ssrl_write_row through an
 * ssrl_row_writer (mask_row.c: with AVX2, one pass of vector selects driven
 * by the row's mask bytes; without it, libc copies of a tile of rows then the
 * spans zeroed in place, or for outputs of 32 MiB and more the gaps copied and
 * the spans zeroed in one pass), so the work stays about a plain copy's.
 * Rows are split evenly over OpenMP threads past 1 MiB; a thread redraws a
 * sample's spans only when its range enters a new sample.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "internal.h"
#include "mask_row.h"

static void draw_starts(uint64_t seed, int64_t b, int64_t T, int64_t block_size, int64_t n,
                        int64_t *starts /* [n] */) {
  const uint64_t R = ssrl_start_range(T, block_size);
  for (int64_t i = 0; 4 * i < n; ++i) {
    const ssrl_u32x4 g = ssrl_mask_stream_group(seed, (uint64_t)b, (uint64_t)i);
    for (int m = 0; m < 4 && 4 * i + m < n; ++m) starts[4 * i + m] = ssrl_start_from_u32(g.v[m], R);
  }
}

SSRL_API ssrl_status ssrl_block_starts(uint64_t seed, int64_t B, int64_t T, double mask_ratio,
                                       int64_t block_size, int64_t *starts) {
  int64_t n, total;
  ssrl_status st = ssrl_block_count(T, mask_ratio, block_size, &n);
  if (st != SSRL_OK) return st;
  if (B < 0) return SSRL_ERR_SHAPE;
  if (!ssrl_mul_ok(B, n, &total)) return SSRL_ERR_SHAPE;
  if (total == 0) return SSRL_OK; /* no blocks (or no samples): nothing to draw */
  if (starts == NULL) return SSRL_ERR_NULL_POINTER;
  for (int64_t b = 0; b < B; ++b) draw_starts(seed, b, T, block_size, n, starts + b * n);
  return SSRL_OK;
}

/* Sorts v[0, n) (values in [0, R), R <= 2^32) in O(n): insertion sort for
   short runs (every ECG clip), else LSD radix sort, one pass per byte that R - 1
   needs, ping-ponging with tmp[n]. Linear in n_blocks, so a 24-hour recording's
   64,800 blocks cost what their draws cost. */
static void sort_starts(int64_t *v, int64_t *tmp, int64_t n, uint64_t R) {
  if (n <= 32) {
    for (int64_t i = 1; i < n; ++i) {
      const int64_t key = v[i];
      int64_t j = i;
      for (; j > 0 && v[j - 1] > key; --j) v[j] = v[j - 1];
      v[j] = key;
    }
    return;
  }
  int64_t *src = v, *dst = tmp;
  for (int shift = 0; shift < 32 && ((R - 1) >> shift) != 0; shift += 8) {
    int64_t count[257] = {0};
    for (int64_t i = 0; i < n; ++i) ++count[((src[i] >> shift) & 0xff) + 1];
    for (int d = 0; d < 256; ++d) count[d + 1] += count[d];
    for (int64_t i = 0; i < n; ++i) dst[count[(src[i] >> shift) & 0xff]++] = src[i];
    int64_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != v) memcpy(v, src, (size_t)n * sizeof *v);
}

/* Sample b's masked spans as disjoint, sorted [begin, end) pairs in spans
   [2 * n]; returns their count. */
static int64_t sample_spans(uint64_t seed, int64_t b, int64_t T, int64_t block_size, int64_t n,
                            int64_t *spans) {
  int64_t *starts = spans + n; /* upper half as scratch: spans never overtake it */
  draw_starts(seed, b, T, block_size, n, starts);
  sort_starts(starts, spans, n, ssrl_start_range(T, block_size)); /* lower half: radix scratch */
  return ssrl_merge_spans(starts, n, block_size, T, spans);
}

/* Rows [r0, r1) of the flattened [B * C] rows; mask rows are written by the
   thread that owns channel 0 of a sample (mask_row [T]: this thread's own
   bytes for the select writer when it does not, or there is no mask). */
static void mask_rows(ssrl_row_writer w, uint8_t *mask, int64_t r0, int64_t r1, int64_t C,
                      int64_t T, int64_t block_size, uint64_t seed, int64_t n, int64_t *spans,
                      uint8_t *mask_row) {
  int64_t b_cached = -1, count = 0;
  const uint8_t *bytes = mask_row;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / C;
    if (b != b_cached) {
      count = sample_spans(seed, b, T, block_size, n, spans);
      b_cached = b;
      bytes = ssrl_row_mask_bytes(&w, mask != NULL && r % C == 0 ? mask + b * T : NULL, mask_row,
                                  spans, count);
    }
    ssrl_write_row(&w, r, r1, spans, count, bytes, NULL);
  }
}

SSRL_API ssrl_status ssrl_block_mask_cpu(const void *x, void *out, uint8_t *mask, int64_t B,
                                         int64_t C, int64_t T, size_t elem_size,
                                         double mask_ratio, int64_t block_size, uint64_t seed) {
  int64_t n;
  ssrl_status st = ssrl_check_mask_args(x, out, B, C, T, elem_size, mask_ratio, block_size, &n);
  if (st != SSRL_OK) return st;
  const int64_t rows = B * C;
  const size_t bytes = (size_t)rows * (size_t)T * elem_size;
  if (n == 0) { /* mask_ratio <= 0: nothing is masked */
    if (bytes > 0 && out != x) memcpy(out, x, bytes);
    if (mask != NULL && B * T > 0) memset(mask, 0, (size_t)(B * T));
    return SSRL_OK;
  }
  if (B * T == 0) return SSRL_OK;

  const int threads = ssrl_omp_threads(rows, bytes >= SSRL_MASK_PARALLEL_BYTES);
  const ssrl_row_writer writer = ssrl_row_writer_make(x, out, elem_size, T, bytes);
  /* per thread: the spans [2 n] (int64), then a mask row [T] for the select
     writer, rounded to 64 bytes */
  const size_t row_scratch = writer.select ? (size_t)T : 0;
  const size_t scratch_bytes = ssrl_line_stride(2 * (size_t)n * sizeof(int64_t) + row_scratch, 1);
  char *scratch = (char *)ssrl_lines_alloc((size_t)threads, scratch_bytes);
  if (scratch == NULL) return SSRL_ERR_OUT_OF_MEMORY;

  if (C == 0) { /* no data, but the mask is still defined */
    int64_t *spans = (int64_t *)scratch;
    for (int64_t b = 0; mask != NULL && b < B; ++b)
      ssrl_write_mask_row(mask + b * T, T, spans, sample_spans(seed, b, T, block_size, n, spans));
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
    mask_rows(writer, mask, r0, r1, C, T, block_size, seed, n, (int64_t *)mine,
              (uint8_t *)mine + 2 * (size_t)n * sizeof(int64_t));
  }
  ssrl_lines_free(scratch);
  return SSRL_OK;
}
