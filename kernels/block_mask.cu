/*
 * block_mask.cu: ssrl_block_mask_cuda, zeroing random time blocks of
 * x [B, C, T] (elements of 1, 2, 4 or 8 bytes), all channels of a sample alike,
 * and writing mask [B, T] (docs/semantics.md, "Block mask"). Bit-identical to
 * ssrl_block_mask_cpu (ops/block_mask.c).
 *
 * One mask launch, grid (ceil(T / kTile), min(B, 65535)). A block owns the time
 * tile [t0, t0 + kTile) of sample b (ops/mask_tiles.h):
 *   1. it marks the blocks that reach the tile in a shared difference array
 *      (+1 at the first covered step, -1 past the last). Direct (n_blocks <=
 *      kTile): its threads redraw all n_blocks starts of sample b from cuRAND's
 *      Philox (curand_init(*seed, b, 0) + skipahead + curand(), each thread a
 *      run of consecutive draws). Bucketed (more blocks): it reads only its own
 *      bucket of starts and the carry from the tiles before, which
 *      block_mask_buckets.cuh built in the caller's workspace, so a sample
 *      costs O(T + n_blocks) instead of O(T / kTile * n_blocks);
 *   2. a block-wide prefix sum turns it into a byte mask of the tile;
 *   3. the mask tile is written once, then every channel's tile is streamed:
 *      out of place every element is written (0 or x), in place only the masked
 *      ones. 16-byte vectors where the pointers and row length allow it.
 *
 * Build: part of libssrl_ecg (CMakeLists.txt). Tested by
 * tests/cuda/test_cuda_block_mask.cu against the CPU, the bucket logic on the
 * host by tests/c/test_mask_tiles.cpp.
 */
#include <cub/block/block_scan.cuh>
#include <curand_kernel.h>

#include "block_mask_buckets.cuh"
#include "cuda_common.cuh"
#include "mask_tiles.h"

namespace {

constexpr int kThreads = 256;
constexpr int kItems = 8;                    /* tile steps per thread in the scan */
constexpr int kTile = kThreads * kItems;     /* time steps per block: 2048 */
static_assert(kTile == SSRL_MASK_TILE, "the tile of ops/mask_tiles.h");
constexpr int kMaxGridY = 65535;

struct MaskArgs {
  const char *x;         /* [B, C, T] */
  char *out;             /* [B, C, T]; == x in place */
  uint8_t *mask;         /* [B, T] or NULL */
  const uint64_t *seed;  /* one value, device */
  int64_t B, C, T;
  int64_t n_blocks, block_size;
  uint64_t R;            /* number of valid starts */
  bool in_place;
  bool bucketed;         /* ssrl_mask_bucketed(n_blocks): read w, do not redraw */
  ssrl_cuda::MaskBuckets w;
};

using TileScan = cub::BlockScan<uint32_t, kThreads>;

struct TileShared {
  uint32_t cover[kTile];              /* difference array, then unused */
  alignas(16) uint8_t mask[kTile];    /* 1 = masked, per tile step */
  typename TileScan::TempStorage scan;
};

/* Adds start s of the sample to the tile's difference array if its block
   [s, min(T, s + block_size)) reaches [t0, t0 + len). Counts wrap mod 2^32,
   harmlessly: a step is covered by fewer than n_blocks < 2^32 blocks. */
__device__ __forceinline__ void mark_start(uint32_t *cover, int64_t s, const MaskArgs &a,
                                           int64_t t0, int64_t len) {
  int64_t lo, hi;
  if (!ssrl_mask_clip(s, a.block_size, a.T, t0, len, &lo, &hi)) return;
  atomicAdd(&cover[lo], 1u);
  if (hi < len) atomicAdd(&cover[hi], 0xffffffffu); /* -1 */
}

/* Bucketed: the tile's own starts, and the carry (the largest start of the
   tiles before, whose block covers [t0, its end)). */
__device__ void mark_bucket(uint32_t *cover, const MaskArgs &a, int64_t b, int64_t t0,
                            int64_t len) {
  const int64_t k = t0 / kTile, row = b * a.w.nt;
  const uint32_t first = k == 0 ? 0u : a.w.ends[row + k - 1], end = a.w.ends[row + k];
  const uint32_t *sorted = a.w.sorted + b * a.w.n;
  for (uint32_t j = first + threadIdx.x; j < end; j += kThreads)
    mark_start(cover, sorted[j], a, t0, len);
  const uint32_t carry = a.w.carry[row + k];
  if (threadIdx.x == 0 && carry != 0) mark_start(cover, int64_t{carry} - 1, a, t0, len);
}

/* Fills sh.mask[0, kTile) for sample b's tile at t0 (steps past len are 0). */
__device__ void build_tile_mask(TileShared &sh, const MaskArgs &a, uint64_t seed, int64_t b,
                                int64_t t0, int64_t len) {
  for (int i = threadIdx.x; i < kTile; i += kThreads) sh.cover[i] = 0;
  __syncthreads();
  /* Direct: thread i draws outputs [j0, j1) of the stream: one Philox block per
     four draws, and exactly cuRAND's curand() sequence (docs/semantics.md,
     "Block mask"). */
  const int64_t per = ssrl_cuda::ceil_div(a.n_blocks, kThreads);
  const int64_t j0 = per * threadIdx.x;
  const int64_t j1 = j0 + per < a.n_blocks ? j0 + per : a.n_blocks;
  if (a.bucketed) {
    mark_bucket(sh.cover, a, b, t0, len);
  } else if (j0 < j1) {
    curandStatePhilox4_32_10_t st;
    curand_init(seed, static_cast<unsigned long long>(b), 0ull, &st);
    skipahead(static_cast<unsigned long long>(j0), &st);
    for (int64_t j = j0; j < j1; ++j)
      mark_start(sh.cover, ssrl_start_from_u32(curand(&st), a.R), a, t0, len);
  }
  __syncthreads();
  uint32_t diff[kItems], covered[kItems]; /* blocked: thread t holds steps 8t .. 8t + 7 */
  for (int k = 0; k < kItems; ++k) diff[k] = sh.cover[threadIdx.x * kItems + k];
  TileScan(sh.scan).InclusiveSum(diff, covered);
  for (int k = 0; k < kItems; ++k) {
    const int i = threadIdx.x * kItems + k;
    sh.mask[i] = (i < len && covered[k] != 0) ? 1 : 0;
  }
  __syncthreads();
}

/* Element type of elem_size bytes. */
template <int ES> struct Elem;
template <> struct Elem<1> { using T = uint8_t; };
template <> struct Elem<2> { using T = uint16_t; };
template <> struct Elem<4> { using T = uint32_t; };
template <> struct Elem<8> { using T = unsigned long long; };

/* 16-byte path: x, out 16-byte aligned and T * ES % 16 == 0, so every row tile
   is a whole number of aligned vectors. */
template <int ES>
__device__ void stream_tile_vec16(const TileShared &sh, const MaskArgs &a, int64_t row0,
                                  int64_t len) {
  using E = typename Elem<ES>::T;
  constexpr int V = 16 / ES; /* elements per vector */
  const int nvec = static_cast<int>(len / V);
  for (int64_t c = 0; c < a.C; ++c) {
    const int64_t first = (row0 + c * a.T) / V; /* vector index of the tile start */
    const uint4 *src = reinterpret_cast<const uint4 *>(a.x) + first;
    uint4 *dst = reinterpret_cast<uint4 *>(a.out) + first;
    for (int v = threadIdx.x; v < nvec; v += kThreads) {
      int masked = 0;
#pragma unroll
      for (int k = 0; k < V; ++k) masked += sh.mask[v * V + k];
      if (masked == V) {
        dst[v] = make_uint4(0, 0, 0, 0);
      } else if (!a.in_place) {
        union { uint4 u; E e[V]; } w;
        w.u = src[v];
#pragma unroll
        for (int k = 0; k < V; ++k)
          if (sh.mask[v * V + k]) w.e[k] = 0;
        dst[v] = w.u;
      } else if (masked != 0) { /* in place, partly masked: touch only masked elements */
        E *d = reinterpret_cast<E *>(dst + v);
#pragma unroll
        for (int k = 0; k < V; ++k)
          if (sh.mask[v * V + k]) d[k] = 0;
      }
    }
  }
}

/* Scalar path in units of U, UPE units per element: U = the element type when
   the pointers are element-aligned (UPE 1), else bytes (UPE = elem_size). */
template <typename U, int UPE>
__device__ void stream_tile_scalar(const TileShared &sh, const MaskArgs &a, int64_t row0,
                                   int64_t len) {
  const U *x = reinterpret_cast<const U *>(a.x);
  U *out = reinterpret_cast<U *>(a.out);
  const int n = static_cast<int>(len) * UPE;
  for (int64_t c = 0; c < a.C; ++c) {
    const int64_t base = (row0 + c * a.T) * UPE;
    for (int i = threadIdx.x; i < n; i += kThreads) {
      const bool m = sh.mask[i / UPE] != 0;
      if (m) out[base + i] = 0;
      else if (!a.in_place) out[base + i] = x[base + i];
    }
  }
}

enum class Path { kVec16, kElem, kBytes };

template <int ES, Path P>
__global__ void __launch_bounds__(kThreads) block_mask_kernel(MaskArgs a) {
  __shared__ TileShared sh;
  const uint64_t seed = *a.seed; /* read here so graph replays see fresh seeds */
  const int64_t t0 = static_cast<int64_t>(blockIdx.x) * kTile;
  const int64_t len = a.T - t0 < kTile ? a.T - t0 : kTile;
  for (int64_t b = blockIdx.y; b < a.B; b += gridDim.y) {
    build_tile_mask(sh, a, seed, b, t0, len);
    if (a.mask != nullptr)
      for (int i = threadIdx.x; i < len; i += kThreads) a.mask[b * a.T + t0 + i] = sh.mask[i];
    const int64_t row0 = b * a.C * a.T + t0; /* element index of channel 0's tile */
    if (P == Path::kVec16) stream_tile_vec16<ES>(sh, a, row0, len);
    else if (P == Path::kElem) stream_tile_scalar<typename Elem<ES>::T, 1>(sh, a, row0, len);
    else stream_tile_scalar<uint8_t, ES>(sh, a, row0, len);
    __syncthreads(); /* sh.mask is rebuilt for the next sample */
  }
}

bool aligned(const void *p, size_t n) { return reinterpret_cast<uintptr_t>(p) % n == 0; }

template <int ES>
cudaError_t launch(const MaskArgs &a, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>(ssrl_cuda::ceil_div(a.T, kTile)),
                  static_cast<unsigned>(a.B < kMaxGridY ? a.B : kMaxGridY));
  /* kTile * ES is a multiple of 16, so aligned rows give aligned tiles */
  const bool vec = aligned(a.x, 16) && aligned(a.out, 16) && (a.T * ES) % 16 == 0;
  const bool elem = aligned(a.x, ES) && aligned(a.out, ES);
  if (vec) block_mask_kernel<ES, Path::kVec16><<<grid, kThreads, 0, stream>>>(a);
  else if (elem) block_mask_kernel<ES, Path::kElem><<<grid, kThreads, 0, stream>>>(a);
  else block_mask_kernel<ES, Path::kBytes><<<grid, kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

/* mask_ratio <= 0: an unmasked copy and an all-zero mask, as the CPU. */
ssrl_status copy_unmasked(const void *x, void *out, uint8_t *mask, int64_t B, int64_t C,
                          int64_t T, size_t elem_size, cudaStream_t stream) {
  const size_t bytes = static_cast<size_t>(B * C * T) * elem_size;
  if (bytes > 0 && out != x) {
    const cudaError_t err = cudaMemcpyAsync(out, x, bytes, cudaMemcpyDeviceToDevice, stream);
    if (err != cudaSuccess) return SSRL_ERR_CUDA;
  }
  if (mask != nullptr && B * T > 0) {
    const cudaError_t err = cudaMemsetAsync(mask, 0, static_cast<size_t>(B * T), stream);
    if (err != cudaSuccess) return SSRL_ERR_CUDA;
  }
  return SSRL_OK;
}

/* Workspace of the bucketed path (0 bytes for the direct path) and its layout.
   Sizes are validated by the caller. */
ssrl_status workspace_layout(int64_t B, int64_t T, int64_t n, size_t offs[4], size_t *bytes) {
  *bytes = 0;
  if (!ssrl_mask_bucketed(n) || B == 0 || T == 0) return SSRL_OK;
  int64_t total;
  if (!ssrl_mul_ok(B, n, &total) || !ssrl_mul_ok(B, ssrl_mask_tile_count(T), &total))
    return SSRL_ERR_SHAPE;
  const ssrl_cuda::Carver c =
      ssrl_cuda::MaskBuckets::layout(B, n, ssrl_mask_tile_count(T), offs);
  if (c.overflow) return SSRL_ERR_SHAPE;
  *bytes = c.total();
  return SSRL_OK;
}

}  // namespace

extern "C" SSRL_API ssrl_status ssrl_block_mask_cuda_workspace_size(int64_t B, int64_t T,
                                                                    double mask_ratio,
                                                                    int64_t block_size,
                                                                    size_t *bytes) {
  if (bytes == nullptr) return SSRL_ERR_NULL_POINTER;
  int64_t n;
  const ssrl_status st = ssrl_block_count(T, mask_ratio, block_size, &n);
  if (st != SSRL_OK) return st;
  if (B < 0) return SSRL_ERR_SHAPE;
  size_t offs[4];
  return workspace_layout(B, T, n, offs, bytes);
}

extern "C" SSRL_API ssrl_status ssrl_block_mask_cuda(const void *x, void *out, uint8_t *mask,
                                                     int64_t B, int64_t C, int64_t T,
                                                     size_t elem_size, double mask_ratio,
                                                     int64_t block_size, const uint64_t *seed,
                                                     void *workspace, size_t workspace_bytes,
                                                     void *stream) {
  int64_t n_blocks;
  ssrl_status st =
      ssrl_check_mask_args(x, out, B, C, T, elem_size, mask_ratio, block_size, &n_blocks);
  if (st != SSRL_OK) return st;
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  if (n_blocks == 0) return copy_unmasked(x, out, mask, B, C, T, elem_size, s);
  /* Nothing to write: no data, and no mask row (C == 0 still defines the mask). */
  if (B * T == 0 || (C == 0 && mask == nullptr)) return SSRL_OK;
  if (seed == nullptr) return SSRL_ERR_NULL_POINTER;
  size_t offs[4], need;
  st = workspace_layout(B, T, n_blocks, offs, &need);
  if (st != SSRL_OK) return st;
  if (workspace_bytes < need) return SSRL_ERR_WORKSPACE;
  if (need > 0 && workspace == nullptr) return SSRL_ERR_NULL_POINTER;

  MaskArgs a;
  a.x = static_cast<const char *>(x);
  a.out = static_cast<char *>(out);
  a.mask = mask;
  a.seed = seed;
  a.B = B, a.C = C, a.T = T;
  a.n_blocks = n_blocks;
  a.block_size = block_size;
  a.R = ssrl_start_range(T, block_size);
  a.in_place = out == x;
  a.bucketed = need > 0;
  a.w = ssrl_cuda::MaskBuckets{};
  if (a.bucketed) {
    char *base = ssrl_cuda::aligned_base(workspace);
    a.w.starts = reinterpret_cast<uint32_t *>(base + offs[0]);
    a.w.sorted = reinterpret_cast<uint32_t *>(base + offs[1]);
    a.w.ends = reinterpret_cast<uint32_t *>(base + offs[2]);
    a.w.carry = reinterpret_cast<uint32_t *>(base + offs[3]);
    a.w.n = n_blocks;
    a.w.nt = ssrl_mask_tile_count(T);
    if (ssrl_cuda::build_buckets(a.w, seed, B, a.R, s) != cudaSuccess) return SSRL_ERR_CUDA;
  }
  cudaError_t err;
  switch (elem_size) {
    case 1: err = launch<1>(a, s); break;
    case 2: err = launch<2>(a, s); break;
    case 4: err = launch<4>(a, s); break;
    default: err = launch<8>(a, s); break;
  }
  return err == cudaSuccess ? SSRL_OK : SSRL_ERR_CUDA;
}
