/*
 * mask_select.h: the random stream and the selection algorithms of span_mask,
 * lead_mask and token_mask, written once (docs/semantics.md, "Masks for
 * self-supervised pretraining").
 *
 * Compiled by the C library (C11) and by the CUDA kernels (nvcc), like
 * philox.h, so the CPU path is a bit-exact witness of the GPU path. Every row
 * (a sample, a (sample, lead) pair or a (sample, group) pair) draws from its own
 * Philox4x32-10 subsequence: row r's draw j is word j % 4 of
 * ssrl_mask_stream_group(seed, r, j / 4), exactly cuRAND's curand() sequence
 * after curand_init(seed, r, 0), as block_mask draws its starts.
 *
 * Sets are bitmaps of uint32 words the caller provides (zeroed): scratch on the
 * CPU, a workspace slice on the GPU. Every size here is below 2^32 (checked by
 * the callers), so a draw maps onto [0, range) as (u * range) >> 32.
 * Internal header: not installed.
 */
#ifndef SSRL_MASK_SELECT_H
#define SSRL_MASK_SELECT_H

#include <stdint.h>

#include "philox.h"

/* One row's stream: the next draw is word m of group i. */
typedef struct {
  uint64_t seed, row, i;
  int m;
  ssrl_u32x4 g;
} ssrl_stream;

SSRL_HD ssrl_stream ssrl_stream_init(uint64_t seed, uint64_t row) {
  ssrl_stream s;
  s.seed = seed;
  s.row = row;
  s.i = 0;
  s.m = 4; /* no group drawn yet */
  s.g.v[0] = s.g.v[1] = s.g.v[2] = s.g.v[3] = 0;
  return s;
}

SSRL_HD uint32_t ssrl_stream_next(ssrl_stream *s) {
  if (s->m == 4) {
    s->g = ssrl_mask_stream_group(s->seed, s->row, s->i++);
    s->m = 0;
  }
  return s->g.v[s->m++];
}

SSRL_HD int ssrl_bit_get(const uint32_t *bits, uint64_t v) { return (bits[v >> 5] >> (v & 31)) & 1u; }

SSRL_HD void ssrl_bit_set(uint32_t *bits, uint64_t v) { bits[v >> 5] |= 1u << (v & 31); }

SSRL_HD uint64_t ssrl_bit_words(uint64_t n) { return (n + 31) >> 5; }

/* Index of the lowest set bit of a non-zero word. */
SSRL_HD int ssrl_lowest_bit(uint32_t word) {
#if defined(__CUDA_ARCH__)
  return __ffs((int)word) - 1;
#elif defined(__GNUC__) || defined(__clang__)
  return __builtin_ctz(word);
#else
  int b = 0;
  while (!((word >> b) & 1u)) ++b;
  return b;
#endif
}

/* Floyd's algorithm: a uniform k-subset of [0, M) into bits (zeroed, M bits).
   Draw i (i = 0 .. k-1) handles j = M - k + i: t = (u_i * (j + 1)) >> 32; t is
   added unless already in the set, then j is. k draws whatever the set, so
   the result depends on nothing but (seed, row, M, k). */
SSRL_HD void ssrl_floyd_select(ssrl_stream *s, uint64_t M, uint64_t k, uint32_t *bits) {
  for (uint64_t j = M - k; j < M; ++j) {
    const uint64_t t = ((uint64_t)ssrl_stream_next(s) * (j + 1)) >> 32;
    ssrl_bit_set(bits, ssrl_bit_get(bits, t) ? j : t);
  }
}

/* ---- span_mask ------------------------------------------------------------- */

/* The overlapping rule's n starts of one row in draw order: s_j = (u_j * R) >> 32,
   R = max(1, T - span + 1), as ssrl_span_starts_row draws them. The CPU's
   select writer paints the mask row straight from these: the union of the
   spans needs no sort. */
SSRL_HD int64_t ssrl_span_draw(ssrl_stream *s, uint64_t R) {
  return ssrl_start_from_u32(ssrl_stream_next(s), R);
}

SSRL_HD void ssrl_span_draws_row(uint64_t seed, uint64_t row, int64_t T, int64_t span, int64_t n,
                                 int64_t *starts) {
  ssrl_stream s = ssrl_stream_init(seed, row);
  const uint64_t R = ssrl_start_range(T, span);
  for (int64_t j = 0; j < n; ++j) starts[j] = ssrl_span_draw(&s, R);
}

/* Sorted starts [n] of one row's spans, all of length span, over [0, T).
   exact = 0: the block_mask rule: n draws s_j = (u_j * R) >> 32 with
     R = max(1, T - span + 1), overlaps allowed; starts[] holds the distinct
     ones ascending, padded with the last (coverage is unchanged).
   exact = 1: stars and bars: a uniform n-subset v_0 < ... < v_{n-1} of
     [0, M), M = T - n * (span - 1), by Floyd; start_i = v_i + i * (span - 1),
     so the n spans never overlap and every placement is equally likely.
   bits: ssrl_bit_words(T) zeroed words. Returns the count of distinct starts. */
SSRL_HD int64_t ssrl_span_starts_row(uint64_t seed, uint64_t row, int64_t T, int64_t span,
                                     int64_t n, int exact, uint32_t *bits, int64_t *starts) {
  ssrl_stream s = ssrl_stream_init(seed, row);
  uint64_t M;
  if (exact) {
    M = (uint64_t)(T - n * (span - 1));
    ssrl_floyd_select(&s, M, (uint64_t)n, bits);
  } else {
    M = ssrl_start_range(T, span);
    for (int64_t j = 0; j < n; ++j) ssrl_bit_set(bits, (uint64_t)ssrl_span_draw(&s, M));
  }
  /* The set bits ascending, without a branch per word (a set is sparse: a
     data-dependent branch per word mispredicted on most of them): each word
     writes its lowest bit to starts[count] and counts it only when the word is
     not zero (the slot is rewritten later otherwise); the rare further bits of
     a word take the loop. count < n at every write: there are at most n bits. */
  const int64_t step = exact ? span - 1 : 0;
  int64_t count = 0;
  for (uint64_t w = 0; w < ssrl_bit_words(M) && count < n; ++w) {
    uint32_t word = bits[w];
    starts[count] = (int64_t)(w * 32 + (uint64_t)ssrl_lowest_bit(word | 0x80000000u)) + count * step;
    count += word != 0;
    word &= word - 1;
    while (word != 0) {
      starts[count] = (int64_t)(w * 32 + (uint64_t)ssrl_lowest_bit(word)) + count * step;
      ++count;
      word &= word - 1;
    }
  }
  if (count == 0) return 0; /* n == 0: nothing drawn */
  for (int64_t j = count; j < n; ++j) starts[j] = starts[count - 1];
  return count;
}

/* Whether step t is inside one of the spans [starts[j], starts[j] + span):
   the last start <= t is the only candidate (all spans have one length). */
SSRL_HD int ssrl_span_covers(const int64_t *starts, int64_t n, int64_t span, int64_t t) {
  int64_t lo = 0, hi = n; /* first start > t is at index lo after the search */
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (starts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && t - starts[lo - 1] < span;
}

/* ---- lead_mask --------------------------------------------------------------- */

/* dropped [C] of sample b (stream row b). exact = 0: lead c is dropped iff
   u_c < threshold (threshold = floor(p * 2^32), 2^32 for p = 1). exact = 1:
   a uniform k-subset by Floyd, bits: ssrl_bit_words(C) zeroed words. */
SSRL_HD void ssrl_lead_row(uint64_t seed, uint64_t b, int64_t C, uint64_t threshold, int exact,
                           int64_t k, uint32_t *bits, uint8_t *dropped) {
  ssrl_stream s = ssrl_stream_init(seed, b);
  if (!exact) {
    for (int64_t c = 0; c < C; ++c) dropped[c] = (uint64_t)ssrl_stream_next(&s) < threshold;
    return;
  }
  ssrl_floyd_select(&s, (uint64_t)C, (uint64_t)k, bits);
  for (int64_t c = 0; c < C; ++c) dropped[c] = (uint8_t)ssrl_bit_get(bits, (uint64_t)c);
}

/* ---- token_mask ---------------------------------------------------------------- */

/* One group (stream row r) of L tokens: a uniform keep-subset of size
   len_keep by Floyd (bits: ssrl_bit_words(L) zeroed words), then
   ids_keep [len_keep] the kept ids ascending, ids_restore [L] the inverse of
   "kept ascending, then masked ascending", mask [L] 0 kept / 1 masked.
   The pass over the tokens has no branch on the bits: kept or masked is a
   coin flip per token, and a branch on it mispredicted; with it (and the
   kept ids read off the words) a row of ST-MEM's 30 tokens took 1.46x the
   time on the CPU. */
SSRL_HD void ssrl_token_row(uint64_t seed, uint64_t r, int64_t L, int64_t len_keep,
                            uint32_t *bits, int64_t *ids_keep, int64_t *ids_restore, float *mask) {
  ssrl_stream s = ssrl_stream_init(seed, r);
  ssrl_floyd_select(&s, (uint64_t)L, (uint64_t)len_keep, bits);
  int64_t kept = 0;
  for (uint64_t w = 0; w < ssrl_bit_words((uint64_t)L); ++w)
    for (uint32_t word = bits[w]; word != 0; word &= word - 1)
      ids_keep[kept++] = (int64_t)(w * 32 + (uint64_t)ssrl_lowest_bit(word));
  kept = 0; /* kept ids before token l; the masked ones are the other l - kept */
  for (int64_t l = 0; l < L; ++l) {
    const int64_t b = ssrl_bit_get(bits, (uint64_t)l);
    /* b ? kept : masked_at, as a mask: gcc -O3 (-fsplit-paths) turned the
       conditional back into a branch and lost the gain */
    const int64_t masked_at = len_keep + l - kept;
    ids_restore[l] = masked_at + ((kept - masked_at) & -b);
    mask[l] = (float)(1 - b);
    kept += b;
  }
}

#endif /* SSRL_MASK_SELECT_H */
