/*
 * mask_row.h: the CPU row writer shared by block_mask.c and span_mask.c
 * (ops/mask_row.c says how it writes). Internal header: not installed;
 * symbols are hidden.
 */
#ifndef SSRL_MASK_ROW_H
#define SSRL_MASK_ROW_H

#include <stddef.h>
#include <stdint.h>

/* Past this many bytes rows are split over OpenMP threads, as torch splits its
   own copies (from 128 KiB of float32). Measured on 2 cores, [64, 12, 1000]
   float32 (3 MB) from cold memory: 0.23 ms on one thread, 0.17 ms on two. */
#define SSRL_MASK_PARALLEL_BYTES (1 << 20)

/* Out-of-place outputs are written row by row by the vector select where the
   CPU has AVX2 (block_copy.h). Without it (or with SSRL_ECG_PORTABLE_COPY
   set), outputs under SSRL_MASK_FRESH_BYTES are written a tile of whole rows
   (SSRL_MASK_TILE_BYTES, or one row when longer) at a time: copied by memcpy,
   then masked in place while the tile is still in cache (L1 for tiles of
   short rows); larger ones have their gaps copied and their spans filled in
   one pass, every byte written once (ops/mask_row.c says why and what was
   measured). 32 MiB is glibc's largest mmap threshold: a block past it is
   always fresh pages, one under it is mostly served warm. */
#define SSRL_MASK_FRESH_BYTES ((size_t)32 << 20)
#define SSRL_MASK_TILE_BYTES ((size_t)16 << 10)

#ifdef __cplusplus
extern "C" {
#endif

/* Sorted starts [n] of spans of one length, clipped to T, merged into disjoint
   sorted [begin, end) pairs in spans [2 * count]; returns count (0 when n is 0).
   starts may live in spans from index n on (block_mask keeps them there):
   pair k is written only after starts[k] and those before it are read. */
int64_t ssrl_merge_spans(const int64_t *starts, int64_t n, int64_t span, int64_t T,
                         int64_t *spans);

/* mask [T] = 1 on the spans, 0 elsewhere. */
void ssrl_write_mask_row(uint8_t *mask, int64_t T, const int64_t *spans, int64_t count);

/* mask [T] = 1 on [starts[j], min(starts[j] + span, T)) for j < n, 0
   elsewhere: the same bytes as ssrl_write_mask_row of the merged spans, from
   starts in any order, overlapping or not. */
void ssrl_paint_mask_row(uint8_t *mask, int64_t T, const int64_t *starts, int64_t n,
                         int64_t span);

/* One thread's rows of one output, and how they are written. */
typedef struct {
  const char *x;
  char *out;
  size_t row_bytes, es;
  int64_t T;
  int select;     /* out of place with the vector path: each row in one pass by
                     ssrl_block_select from its mask bytes (ops/mask_row.c says why) */
  int64_t tile;   /* otherwise rows copied at once; 0: none (the gap writer, or in place) */
  int64_t copied; /* rows [.., copied) of the current tile are in out */
  const char *pattern_of; /* the fill value whose 64-byte line `pattern` holds (the
                             non-select writers fill from it; rebuilt when the value changes) */
  char pattern[64];
} ssrl_row_writer;

/* The writer of an output of `bytes` bytes, rows of T elements of es bytes
   (x == out: in place). A select writer (w.select) needs a row's mask bytes:
   callers keep T bytes of scratch per thread for rows whose mask row another
   thread writes, or when there is no mask output. */
ssrl_row_writer ssrl_row_writer_make(const void *x, void *out, size_t es, int64_t T, size_t bytes);

/* A selection row's mask bytes, written once where they are needed: into
   owned (the mask output's row, when this thread writes it; else NULL), or
   else into scratch [T] when the select writer will read them. Returns where
   they are, for ssrl_write_row (NULL: nowhere, none being needed). */
const uint8_t *ssrl_row_mask_bytes(const ssrl_row_writer *w, uint8_t *owned, uint8_t *scratch,
                                   const int64_t *spans, int64_t count);

/* Row r of out (the caller's rows end at r1; rows come in ascending order):
   x's row with the disjoint, sorted spans [begin, end) x count set to value
   (es bytes; NULL: zeros). mask_row holds the same spans as T bytes of 0 / 1
   (ssrl_row_mask_bytes) and is read only when w->select. */
void ssrl_write_row(ssrl_row_writer *w, int64_t r, int64_t r1, const int64_t *spans,
                    int64_t count, const uint8_t *mask_row, const char *value);

#ifdef __cplusplus
}
#endif

#endif /* SSRL_MASK_ROW_H */
