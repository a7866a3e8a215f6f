/*
 * block_mask.c: zero random time blocks of x [B, C, T], all channels alike
 * (docs/semantics.md, "Block mask"), on the CPU.
 *
 * Per sample: draw n_blocks starts from the Philox stream (philox.h, shared with
 * the CUDA kernel), sort them in linear time (radix) and merge them into
 * disjoint spans, then stream every
 * row once: memcpy the gaps and memset the spans (out of place), or memset only
 * the spans (in place). That keeps the work a plain copy's. Out of place past
 * 4 MiB, where the output would mostly leave the cache anyway, whole 64-byte lines are written
 * with non-temporal stores instead (x86-64): 2/3 of a copy's memory traffic.
 * Rows are split evenly over OpenMP threads past 1 MiB; a thread redraws a
 * sample's spans only when its range enters a new sample.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h> /* x86-64 baseline: _mm_stream_si128, _mm_sfence */
#define SSRL_HAVE_STREAM 1
#else
#define SSRL_HAVE_STREAM 0
#endif

#include "internal.h"

/* Past this many bytes rows are split over OpenMP threads, as torch splits its
   own copies (from 128 KiB of float32). Measured on 2 cores, [64, 12, 1000]
   float32 (3 MB) from cold memory: 0.23 ms on one thread, 0.17 ms on two. */
#define SSRL_MASK_PARALLEL_BYTES (1 << 20)

/* Out of place, outputs this large are written with non-temporal stores: they
   cannot stay in cache anyway, and streaming whole lines saves the read for
   ownership a regular store pays, a third of a copy's memory traffic. */
#define SSRL_MASK_STREAM_BYTES (1 << 22)

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
  int64_t count = 0;
  for (int64_t j = 0; j < n; ++j) {
    const int64_t s = starts[j];
    const int64_t e = s + block_size < T ? s + block_size : T;
    if (count > 0 && s <= spans[2 * count - 1]) {
      if (e > spans[2 * count - 1]) spans[2 * count - 1] = e;
    } else {
      spans[2 * count] = s;
      spans[2 * count + 1] = e;
      ++count;
    }
  }
  return count;
}

static void write_mask_row(uint8_t *mask /* [T] */, int64_t T, const int64_t *spans,
                           int64_t count) {
  memset(mask, 0, (size_t)T);
  for (int64_t k = 0; k < count; ++k)
    memset(mask + spans[2 * k], 1, (size_t)(spans[2 * k + 1] - spans[2 * k]));
}

static void mask_row(const char *x, char *out, size_t es, int64_t T, const int64_t *spans,
                     int64_t count) {
  if (out != x) memcpy(out, x, (size_t)T * es);
  for (int64_t k = 0; k < count; ++k) {
    const int64_t s = spans[2 * k], e = spans[2 * k + 1];
    memset(out + s * es, 0, (size_t)(e - s) * es);
  }
}

#if SSRL_HAVE_STREAM
static inline void stream_line(char *dst /* 64-byte aligned */, const char *src) {
  const __m128i a = _mm_loadu_si128((const __m128i *)src);
  const __m128i b = _mm_loadu_si128((const __m128i *)(src + 16));
  const __m128i c = _mm_loadu_si128((const __m128i *)(src + 32));
  const __m128i d = _mm_loadu_si128((const __m128i *)(src + 48));
  _mm_stream_si128((__m128i *)dst, a);
  _mm_stream_si128((__m128i *)(dst + 16), b);
  _mm_stream_si128((__m128i *)(dst + 32), c);
  _mm_stream_si128((__m128i *)(dst + 48), d);
}

static inline void stream_zero_line(char *dst /* 64-byte aligned */) {
  const __m128i z = _mm_setzero_si128();
  _mm_stream_si128((__m128i *)dst, z);
  _mm_stream_si128((__m128i *)(dst + 16), z);
  _mm_stream_si128((__m128i *)(dst + 32), z);
  _mm_stream_si128((__m128i *)(dst + 48), z);
}

/* mask_row out of place, the row's whole 64-byte lines with non-temporal
   stores: each line is the source line, zeroed where a span covers it (built
   in a register-sized scratch when a span edge falls inside it). The unaligned
   head and tail take the regular path. The caller fences (_mm_sfence). */
static void mask_row_stream(const char *x, char *out, size_t es, int64_t T, const int64_t *spans,
                            int64_t count) {
  const size_t n = (size_t)T * es;
  size_t head = (size_t)(-(uintptr_t)out & 63);
  if (head > n) head = n;
  const size_t body_end = head + ((n - head) & ~(size_t)63);
  int64_t k = 0; /* first span that ends after the current line's start */
  for (size_t p = 0; p < n;) {
    if (p < head || p >= body_end) { /* head or tail: byte ranges, regular stores */
      const size_t q = p < head ? head : n;
      size_t t = p;
      for (int64_t j = k; j < count && t < q; ++j) {
        const size_t s = (size_t)spans[2 * j] * es, e = (size_t)spans[2 * j + 1] * es;
        if (e <= t) continue;
        if (s >= q) break;
        if (s > t) memcpy(out + t, x + t, s - t);
        const size_t z_end = e < q ? e : q;
        memset(out + (s > t ? s : t), 0, z_end - (s > t ? s : t));
        t = z_end;
      }
      if (q > t) memcpy(out + t, x + t, q - t);
      p = q;
      continue;
    }
    while (k < count && (size_t)spans[2 * k + 1] * es <= p) ++k;
    const size_t s = k < count ? (size_t)spans[2 * k] * es : n;
    const size_t e = k < count ? (size_t)spans[2 * k + 1] * es : n;
    if (s >= p + 64) { /* the gap runs to s: stream whole lines of x */
      const size_t stop = s < body_end ? p + ((s - p) & ~(size_t)63) : body_end;
      for (; p < stop; p += 64) stream_line(out + p, x + p);
    } else if (s <= p && e >= p + 64) { /* inside a span: stream zero lines */
      const size_t stop = e < body_end ? p + ((e - p) & ~(size_t)63) : body_end;
      for (; p < stop; p += 64) stream_zero_line(out + p);
    } else { /* span edges inside this line */
      char line[64];
      memcpy(line, x + p, 64);
      for (int64_t j = k; j < count && (size_t)spans[2 * j] * es < p + 64; ++j) {
        const size_t a = (size_t)spans[2 * j] * es, b = (size_t)spans[2 * j + 1] * es;
        const size_t lo = a > p ? a - p : 0, hi = b < p + 64 ? b - p : 64;
        memset(line + lo, 0, hi - lo);
      }
      stream_line(out + p, line);
      p += 64;
    }
  }
}
#endif

/* Rows [r0, r1) of the flattened [B * C] rows; mask rows are written by the
   thread that owns channel 0 of a sample. */
static void mask_rows(const char *x, char *out, uint8_t *mask, int64_t r0, int64_t r1, int64_t C,
                      int64_t T, size_t es, int64_t block_size, uint64_t seed, int64_t n,
                      int64_t *spans, int stream) {
  int64_t b_cached = -1, count = 0;
  const size_t row_bytes = (size_t)T * es;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / C;
    if (b != b_cached) {
      count = sample_spans(seed, b, T, block_size, n, spans);
      b_cached = b;
    }
    if (mask != NULL && r % C == 0) write_mask_row(mask + b * T, T, spans, count);
#if SSRL_HAVE_STREAM
    if (stream) {
      mask_row_stream(x + (size_t)r * row_bytes, out + (size_t)r * row_bytes, es, T, spans, count);
      continue;
    }
#endif
    mask_row(x + (size_t)r * row_bytes, out + (size_t)r * row_bytes, es, T, spans, count);
  }
#if SSRL_HAVE_STREAM
  if (stream) _mm_sfence(); /* order the streamed lines before the caller reads them */
#else
  (void)stream;
#endif
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

  int threads = 1;
#ifdef _OPENMP
  if (bytes >= SSRL_MASK_PARALLEL_BYTES && rows > 1) threads = omp_get_max_threads();
  if (threads > rows) threads = (int)rows;
#endif
  if (threads < 1) threads = 1;
  const int stream = out != x && bytes >= SSRL_MASK_STREAM_BYTES;
  int64_t *scratch = (int64_t *)malloc((size_t)threads * 2 * (size_t)n * sizeof(int64_t));
  if (scratch == NULL) return SSRL_ERR_OUT_OF_MEMORY;

  if (C == 0) { /* no data, but the mask is still defined */
    for (int64_t b = 0; mask != NULL && b < B; ++b)
      write_mask_row(mask + b * T, T, scratch, sample_spans(seed, b, T, block_size, n, scratch));
    free(scratch);
    return SSRL_OK;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    int64_t r0, r1;
    const int tid = ssrl_omp_rows(rows, &r0, &r1);
    mask_rows((const char *)x, (char *)out, mask, r0, r1, C, T, elem_size, block_size, seed, n,
              scratch + (size_t)tid * 2 * (size_t)n, stream);
  }
  free(scratch);
  return SSRL_OK;
}
