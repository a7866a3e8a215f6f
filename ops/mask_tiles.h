/*
 * mask_tiles.h: how the CUDA block mask splits a sample into time tiles and
 * finds the blocks that reach each tile, written once for the kernel
 * (kernels/block_mask.cu) and for the host emulation that tests it without a
 * GPU (tests/c/test_mask_tiles.cpp).
 *
 * A tile is SSRL_MASK_TILE steps [t0, t0 + len) of one sample. Its mask is the
 * union of (a) the blocks that start inside it, clipped to it, and (b) the
 * blocks that start before t0: all are block_size long, so together they cover
 * [t0, min(T, M + block_size)) with M the largest start before t0 (the "carry").
 *
 * Two ways to find (a), both bit-identical (the mask is a union, order-free):
 *   direct    every tile redraws all n_blocks starts of its sample. Work per
 *             tile O(tile + n_blocks): linear in T while n_blocks <= a tile.
 *   bucketed  (n_blocks > SSRL_MASK_TILE) the starts are drawn once into a
 *             workspace, counted per tile, scanned into bucket offsets and the
 *             largest start per tile into a prefix max (the carry), then
 *             scattered into their tile's bucket; a tile reads its own bucket
 *             and one carry. Work per sample O(T + n_blocks).
 * Internal header: not installed.
 */
#ifndef SSRL_MASK_TILES_H
#define SSRL_MASK_TILES_H

#include <stdint.h>

#include "philox.h"

#define SSRL_MASK_TILE 2048 /* time steps per tile (CUDA: 256 threads x 8 steps) */

/* Tiles of a sample of T steps. */
SSRL_HD int64_t ssrl_mask_tile_count(int64_t T) {
  return (T + SSRL_MASK_TILE - 1) / SSRL_MASK_TILE;
}

/* 1 when the starts go through the workspace buckets (see above). */
SSRL_HD int ssrl_mask_bucketed(int64_t n_blocks) { return n_blocks > SSRL_MASK_TILE; }

/* The tile that holds start s. */
SSRL_HD int64_t ssrl_mask_tile_of(int64_t s) { return s / SSRL_MASK_TILE; }

/* The steps of block [s, min(T, s + block_size)) inside the tile [t0, t0 + len),
   relative to t0, as [*lo, *hi); returns 0 when they do not meet. */
SSRL_HD int ssrl_mask_clip(int64_t s, int64_t block_size, int64_t T, int64_t t0, int64_t len,
                           int64_t *lo, int64_t *hi) {
  const int64_t end = block_size >= T - s ? T : s + block_size;
  if (s >= t0 + len || end <= t0) return 0;
  *lo = (s > t0 ? s : t0) - t0;
  *hi = (end < t0 + len ? end : t0 + len) - t0;
  return 1;
}

/* Carry words: 0 = no start, else the start + 1 (starts are < 2^32 - 1). The
   carry of a tile is the largest carry word of the tiles before it. */
SSRL_HD uint32_t ssrl_mask_carry_word(int64_t s) { return (uint32_t)(s + 1); }

#endif /* SSRL_MASK_TILES_H */
