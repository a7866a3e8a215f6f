/*
 * block_mask_buckets.cuh: the bucketed start lookup of the CUDA block mask
 * (ops/mask_tiles.h says when and why), for samples with more blocks than a
 * tile has steps. Included by block_mask.cu only.
 *
 * Workspace (one caller buffer, carved by MaskBuckets::layout, the same
 * arithmetic for ssrl_block_mask_cuda_workspace_size and the launcher):
 *   starts [B, n]   uint32  every start, in stream order
 *   sorted [B, n]   uint32  the starts grouped by tile (any order inside a tile)
 *   ends   [B, nt]  uint32  per tile: its count, then its bucket's first slot,
 *                           then (after the scatter) its bucket's end
 *   carry  [B, nt]  uint32  per tile: largest start + 1 in it, then the
 *                           largest over the tiles before it (0 = none)
 * Four steps on the caller's stream, no sync: memset ends and carry; draw and
 * count; scan (one CTA per sample); scatter. The seed is read on the device.
 */
#ifndef SSRL_BLOCK_MASK_BUCKETS_CUH
#define SSRL_BLOCK_MASK_BUCKETS_CUH

#include <cub/block/block_scan.cuh>

#include "cuda_common.cuh"
#include "mask_tiles.h"

namespace ssrl_cuda {

struct MaskBuckets {
  uint32_t *starts, *sorted, *ends, *carry;
  int64_t n, nt; /* starts per sample, tiles per sample */

  /* Offsets of the four regions for B samples; total() is the workspace size. */
  static Carver layout(int64_t B, int64_t n, int64_t nt, size_t offs[4]) {
    Carver c;
    offs[0] = c.take(static_cast<size_t>(B * n), 4);
    offs[1] = c.take(static_cast<size_t>(B * n), 4);
    offs[2] = c.take(static_cast<size_t>(B * nt), 4);
    offs[3] = c.take(static_cast<size_t>(B * nt), 4);
    return c;
  }
};

constexpr int kBucketThreads = 256;
constexpr int64_t kMaxGrid = 65535;

/* Thread per group of four draws: the start, its tile's count and carry word. */
__global__ void __launch_bounds__(kBucketThreads)
    bucket_count_kernel(MaskBuckets w, const uint64_t *seed_ptr, int64_t B, uint64_t R) {
  const uint64_t seed = *seed_ptr;
  const int64_t groups = ceil_div(w.n, 4);
  for (int64_t g = blockIdx.x * int64_t{kBucketThreads} + threadIdx.x; g < B * groups;
       g += int64_t{gridDim.x} * kBucketThreads) {
    const int64_t b = g / groups, i = g % groups;
    const ssrl_u32x4 u = ssrl_mask_stream_group(seed, static_cast<uint64_t>(b),
                                                static_cast<uint64_t>(i));
    for (int m = 0; m < 4 && 4 * i + m < w.n; ++m) {
      const int64_t s = ssrl_start_from_u32(u.v[m], R);
      const int64_t tile = b * w.nt + ssrl_mask_tile_of(s);
      w.starts[b * w.n + 4 * i + m] = static_cast<uint32_t>(s);
      atomicAdd(&w.ends[tile], 1u);
      atomicMax(&w.carry[tile], ssrl_mask_carry_word(s));
    }
  }
}

struct MaxOp {
  __device__ uint32_t operator()(uint32_t a, uint32_t b) const { return a > b ? a : b; }
};

/* CTA per sample: ends := exclusive sum of the counts (each bucket's first
   slot), carry := exclusive max over the tiles before, both carried across
   chunks of kBucketThreads tiles. */
__global__ void __launch_bounds__(kBucketThreads) bucket_scan_kernel(MaskBuckets w, int64_t B) {
  using Scan = cub::BlockScan<uint32_t, kBucketThreads>;
  __shared__ typename Scan::TempStorage tmp;
  for (int64_t b = blockIdx.x; b < B; b += gridDim.x) {
    uint32_t *ends = w.ends + b * w.nt, *carry = w.carry + b * w.nt;
    uint32_t sum = 0, top = 0;
    for (int64_t base = 0; base < w.nt; base += kBucketThreads) {
      const int64_t k = base + threadIdx.x;
      const uint32_t count = k < w.nt ? ends[k] : 0, word = k < w.nt ? carry[k] : 0;
      uint32_t first, agg, before, agg_max;
      Scan(tmp).ExclusiveSum(count, first, agg);
      __syncthreads();
      Scan(tmp).ExclusiveScan(word, before, top, MaxOp(), agg_max);
      __syncthreads();
      if (k < w.nt) {
        ends[k] = sum + first;
        carry[k] = before;
      }
      sum += agg;
      top = agg_max > top ? agg_max : top;
    }
  }
}

/* Thread per start: a slot in its tile's bucket. */
__global__ void __launch_bounds__(kBucketThreads) bucket_scatter_kernel(MaskBuckets w, int64_t B) {
  for (int64_t j = blockIdx.x * int64_t{kBucketThreads} + threadIdx.x; j < B * w.n;
       j += int64_t{gridDim.x} * kBucketThreads) {
    const int64_t b = j / w.n;
    const uint32_t s = w.starts[j];
    const uint32_t slot = atomicAdd(&w.ends[b * w.nt + ssrl_mask_tile_of(s)], 1u);
    w.sorted[b * w.n + slot] = s;
  }
}

static inline unsigned grid_for(int64_t items) {
  const int64_t blocks = ceil_div(items, kBucketThreads);
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks > kMaxGrid ? kMaxGrid : blocks);
}

/* Fills w (see the top of this file) on stream. */
static inline cudaError_t build_buckets(const MaskBuckets &w, const uint64_t *seed, int64_t B,
                                        uint64_t R, cudaStream_t stream) {
  const size_t tile_bytes = static_cast<size_t>(B * w.nt) * 4;
  cudaError_t err = cudaMemsetAsync(w.ends, 0, tile_bytes, stream);
  if (err == cudaSuccess) err = cudaMemsetAsync(w.carry, 0, tile_bytes, stream);
  if (err != cudaSuccess) return err;
  bucket_count_kernel<<<grid_for(B * ceil_div(w.n, 4)), kBucketThreads, 0, stream>>>(w, seed, B,
                                                                                      R);
  bucket_scan_kernel<<<static_cast<unsigned>(B < kMaxGrid ? B : kMaxGrid), kBucketThreads, 0,
                       stream>>>(w, B);
  bucket_scatter_kernel<<<grid_for(B * w.n), kBucketThreads, 0, stream>>>(w, B);
  return cudaGetLastError();
}

}  // namespace ssrl_cuda

#endif /* SSRL_BLOCK_MASK_BUCKETS_CUH */
