/*
 * mask_row.c: writes one data row with its masked spans set, for block_mask
 * and span_mask on the CPU (docs/semantics.md, "Block mask" and "Masks for
 * self-supervised pretraining"), and the byte mask row beside it.
 *
 * Out of place on a CPU with AVX2 (ssrl_block_copy_vector), a row is written
 * in one pass by ssrl_block_select: 32-byte vector selects between x's row
 * and the fill, driven by the row's mask bytes. Measured on a 2-core AMD
 * EPYC (AVX-512), float32, ratio 0.5, span 50, the library built before and
 * after loaded side by side in one C process, against a two-thread memcpy:
 * exact spans at [64, 12, 1000] into a reused output 1.52x memcpy with the
 * tile writer below, 1.08x with the select (0.71x the time); per lead 0.86-0.91x
 * the time; at [256, 12, 5000] into fresh pages 0.95-0.99x. The tile writer
 * had lost its time in the ~20 short span fills per row (libc memset calls)
 * after the copy, which the select never makes.
 *
 * Without AVX2 (or with SSRL_ECG_PORTABLE_COPY set) the row goes through libc.
 * The tile writer copies a tile of whole rows of about 16 KiB at a time (one
 * memcpy) and then masks it in place while the tile is in L1: measured on a
 * 2-core Xeon in one C loop into a reused output at ratio 0.5, span 50, exact
 * spans, the gap writer below took 1.21-1.27x a parallel memcpy at
 * [64, 12, 1000], [64, 12, 5000] and [256, 12, 1000], 16 KiB tiles
 * 1.06-1.09x, 64 KiB tiles (past L1) 1.17-1.22x. Into fresh pages (outputs
 * >= 32 MiB under glibc, whose first touch dominates) memcpy's `rep movsb`
 * then the fill was 1.21-1.23x `x.clone()` against the gap writer's
 * 1.08-1.11x (non-temporal 64-byte lines 1.49x), so there large outputs take
 * the gap writer: the gaps between the spans copied and the spans filled in
 * one left-to-right pass, every byte written once. In place, only the spans
 * are written (a select of whole rows in place won only at middling
 * densities, 0.71-0.85x the time with spans 400-670 bytes apart, and lost
 * 1.6-6.8x at ratios 0.05-0.15).
 * The fill value is a 64-byte pattern aligned to absolute addresses
 * (fill_pattern), so any span of any row takes its bytes from it.
 */
#include <stdint.h>
#include <string.h>

#include "block_copy.h"
#include "mask_row.h"

/* The 64-byte fill line of an output at out: value (es bytes) repeated, aligned
   to absolute addresses; value NULL: zeros. */
static void fill_pattern(const void *value, size_t es, const void *out, char pattern[64]) {
  if (value == NULL) {
    memset(pattern, 0, 64);
    return;
  }
  /* byte i of an aligned line is byte (i - out) mod es of an element of out */
  const size_t off = (size_t)((uintptr_t)out % es);
  for (size_t i = 0; i < 64; ++i) pattern[i] = ((const char *)value)[(i + es - off) % es];
}

/* bytes [s, e) of a row starting at out, from the pattern (offsets relative to
   the row; the pattern is aligned to absolute addresses; NULL: zeros). */
static void fill_bytes(char *out, size_t s, size_t e, const char *pattern) {
  if (pattern == NULL) {
    memset(out + s, 0, e - s);
    return;
  }
  char *p = out + s, *end = out + e;
  const size_t lead = (size_t)(-(uintptr_t)p & 63);
  size_t first = lead < (size_t)(end - p) ? lead : (size_t)(end - p);
  memcpy(p, pattern + (64 - lead) % 64, first);
  for (p += first; end - p >= 64; p += 64) memcpy(p, pattern, 64);
  memcpy(p, pattern, (size_t)(end - p));
}

int64_t ssrl_merge_spans(const int64_t *starts, int64_t n, int64_t span, int64_t T,
                         int64_t *spans) {
  if (n == 0) return 0;
  /* starts ascend and spans share one length, so a span either extends the
     last one or opens a new one; chosen without a branch (overlaps are
     common in the overlapping rule: a branch on them mispredicted) */
  const int64_t s0 = starts[0];
  spans[0] = s0;
  spans[1] = span < T - s0 ? s0 + span : T;
  int64_t count = 1;
  for (int64_t j = 1; j < n; ++j) {
    const int64_t s = starts[j], e = span < T - s ? s + span : T;
    spans[2 * count] = s; /* opens span `count`, or is left behind when s merges */
    const int64_t k = count - (s <= spans[2 * count - 1]);
    spans[2 * k + 1] = e;
    count = k + 1;
  }
  return count;
}

void ssrl_write_mask_row(uint8_t *mask, int64_t T, const int64_t *spans, int64_t count) {
  int64_t done = 0; /* every byte once, as the data row */
  for (int64_t k = 0; k < count; ++k) {
    memset(mask + done, 0, (size_t)(spans[2 * k] - done));
    memset(mask + spans[2 * k], 1, (size_t)(spans[2 * k + 1] - spans[2 * k]));
    done = spans[2 * k + 1];
  }
  memset(mask + done, 0, (size_t)(T - done));
}

/* len (>= 16) bytes of 1 at p, 16 at a time, the last 16 ending at p + len. */
static void ones_16(uint8_t *p, size_t len) {
  static const uint8_t ones[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  for (size_t k = 0; k + 16 < len; k += 16) memcpy(p + k, ones, 16);
  memcpy(p + len - 16, ones, 16);
}

void ssrl_paint_mask_row(uint8_t *mask, int64_t T, const int64_t *starts, int64_t n,
                         int64_t span) {
  /* Painting over overlaps costs less than sorting them away: a row of
     ECG's 50 spans of 50 steps in 5000 took 344 ns painted (16-byte stores,
     no libc call per span) against 937 ns bitmap-sorted, merged and written
     gap by gap (exact spans, sorted anyway: 653 against 1047 ns). */
  memset(mask, 0, (size_t)T);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t s = starts[j], e = span < T - s ? s + span : T;
    if (e - s >= 16) ones_16(mask + s, (size_t)(e - s));
    else memset(mask + s, 1, (size_t)(e - s));
  }
}

/* out [T] (elements of es bytes) = x with the spans set from pattern (NULL:
   zeros); out == x writes only the spans. */
static void spans_row(const char *x, char *out, size_t es, int64_t T, const int64_t *spans,
                      int64_t count, const char *pattern) {
  size_t done = 0;
  for (int64_t k = 0; k < count; ++k) {
    const size_t s = (size_t)spans[2 * k] * es, e = (size_t)spans[2 * k + 1] * es;
    if (out != x && s > done) memcpy(out + done, x + done, s - done);
    fill_bytes(out, s, e, pattern);
    done = e;
  }
  if (out != x && (size_t)T * es > done) memcpy(out + done, x + done, (size_t)T * es - done);
}

ssrl_row_writer ssrl_row_writer_make(const void *x, void *out, size_t es, int64_t T, size_t bytes) {
  ssrl_row_writer w = {0};
  w.x = (const char *)x;
  w.out = (char *)out;
  w.row_bytes = (size_t)T * es;
  w.es = es;
  w.T = T;
  if (x == out || bytes == 0) return w;
  w.select = ssrl_block_copy_vector();
  if (!w.select && bytes < SSRL_MASK_FRESH_BYTES)
    w.tile = w.row_bytes >= SSRL_MASK_TILE_BYTES ? 1 : (int64_t)(SSRL_MASK_TILE_BYTES / w.row_bytes);
  return w;
}

/* Row r's source for spans_row: x's row, or out's own row (so only the
   spans are written) once the tile starting at r, clipped to r1, is copied. */
static const char *row_source(ssrl_row_writer *w, int64_t r, int64_t r1) {
  const size_t at = (size_t)r * w->row_bytes;
  if (w->tile == 0) return w->x + at;
  if (r >= w->copied) {
    const int64_t end = w->tile < r1 - r ? r + w->tile : r1;
    memcpy(w->out + at, w->x + at, (size_t)(end - r) * w->row_bytes);
    w->copied = end;
  }
  return w->out + at;
}

const uint8_t *ssrl_row_mask_bytes(const ssrl_row_writer *w, uint8_t *owned, uint8_t *scratch,
                                   const int64_t *spans, int64_t count) {
  uint8_t *dst = owned != NULL ? owned : (w->select ? scratch : NULL);
  if (dst != NULL) ssrl_write_mask_row(dst, w->T, spans, count);
  return dst;
}

void ssrl_write_row(ssrl_row_writer *w, int64_t r, int64_t r1, const int64_t *spans,
                    int64_t count, const uint8_t *mask_row, const char *value) {
  const size_t at = (size_t)r * w->row_bytes;
  if (w->select) {
    ssrl_block_select(w->out + at, w->x + at, mask_row, (size_t)w->T, w->es, value, 1);
    return;
  }
  if (value != NULL && value != w->pattern_of) {
    fill_pattern(value, w->es, w->out, w->pattern);
    w->pattern_of = value;
  }
  spans_row(row_source(w, r, r1), w->out + at, w->es, w->T, spans, count,
            value != NULL ? w->pattern : NULL);
}
