/*
 * block_copy.c: copies and zero fills of whole rows (lead_mask.c) and the
 * select of a row from its mask bytes (the span and block masks' writer,
 * mask_row.c, which says what the select gained), for the CPU masks.
 *
 * glibc's memcpy and memset take `rep movsb` / `rep stosb` for blocks of a
 * few KiB and up; into fresh pages (every large output torch allocates) and
 * into warm ones alike, a plain loop of 32-byte vector stores aligned to the
 * destination was faster on the 2-core Xeon (AVX-512) this project is
 * measured on, 2 threads, each the median of 20-400 runs in one C process:
 *   copy, 20 KB rows into a fresh 61 MB output: memcpy 18.4 ms, AVX2 loop
 *     15.1 ms (0.82x), AVX-512 loop 15.5 ms (0.84x), SSE2 loop 0.88-0.93x;
 *   copy, 16 KB tiles into a warm 3 MB output: AVX2 loop 0.92x memcpy;
 *   zero, 20 KB rows of a fresh 61 MB output: AVX2 loop 0.89x memset.
 * torch's own clone() is such a vector loop, so this is what "within 1.3x of
 * x.clone()" is measured against. AVX2 (not AVX-512) is enough for all of
 * it and runs on far more CPUs; the choice is made at run time, so the
 * library is still built for baseline x86-64 and runs anywhere.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block_copy.h"

static const char zeros[8]; /* the value NULL stands for */

/* Elements [i, T) of ssrl_block_select, one at a time (in place, only the masked). */
static void select_tail(char *d, const char *s, const uint8_t *m, size_t i, size_t T, size_t es,
                        const char *value) {
  const char *v = value != NULL ? value : zeros;
  for (; i < T; ++i) {
    if (m[i]) memcpy(d + i * es, v, es);
    else if (d != s) memcpy(d + i * es, s + i * es, es);
  }
}

/* GCC and clang on x86 (not clang-cl: its immintrin.h declares AVX2 only under -mavx2) */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(_MSC_VER)
#define SSRL_HAVE_AVX2_PATH 1
#include <immintrin.h>

/* Bytes to the next 32-byte boundary of d, at most n. */
static size_t head_bytes(const char *d, size_t n) {
  const size_t head = (size_t)(-(uintptr_t)d & 31);
  return head < n ? head : n;
}

__attribute__((target("avx2"))) static void copy_avx2(char *d, const char *s, size_t n) {
  const size_t head = head_bytes(d, n);
  memcpy(d, s, head);
  d += head, s += head, n -= head;
  for (; n >= 128; n -= 128, d += 128, s += 128) { /* four loads in flight, then four stores */
    const __m256i a = _mm256_loadu_si256((const __m256i *)s);
    const __m256i b = _mm256_loadu_si256((const __m256i *)(s + 32));
    const __m256i c = _mm256_loadu_si256((const __m256i *)(s + 64));
    const __m256i e = _mm256_loadu_si256((const __m256i *)(s + 96));
    _mm256_store_si256((__m256i *)d, a);
    _mm256_store_si256((__m256i *)(d + 32), b);
    _mm256_store_si256((__m256i *)(d + 64), c);
    _mm256_store_si256((__m256i *)(d + 96), e);
  }
  for (; n >= 32; n -= 32, d += 32, s += 32)
    _mm256_store_si256((__m256i *)d, _mm256_loadu_si256((const __m256i *)s));
  memcpy(d, s, n);
}

__attribute__((target("avx2"))) static void zero_avx2(char *d, size_t n) {
  const size_t head = head_bytes(d, n);
  memset(d, 0, head);
  d += head, n -= head;
  const __m256i z = _mm256_setzero_si256();
  for (; n >= 128; n -= 128, d += 128) {
    _mm256_store_si256((__m256i *)d, z);
    _mm256_store_si256((__m256i *)(d + 32), z);
    _mm256_store_si256((__m256i *)(d + 64), z);
    _mm256_store_si256((__m256i *)(d + 96), z);
  }
  for (; n >= 32; n -= 32, d += 32) _mm256_store_si256((__m256i *)d, z);
  memset(d, 0, n);
}

/* 32 bytes of mask lanes for 32 / es elements from mask + i: all ones where
   the element is kept (mask byte 0), zero where it is masked. */
__attribute__((target("avx2"))) static inline __m256i keep_lanes(const uint8_t *m, size_t es) {
  const __m256i z = _mm256_setzero_si256();
  switch (es) {
    case 1: return _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)m), z);
    case 2: return _mm256_cmpeq_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)m)), z);
    case 4: return _mm256_cmpeq_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)m)), z);
    default: {
      int32_t four;
      memcpy(&four, m, 4);
      return _mm256_cmpeq_epi64(_mm256_cvtepu8_epi64(_mm_cvtsi32_si128(four)), z);
    }
  }
}

__attribute__((target("avx2"))) static void select_avx2(char *d, const char *s, const uint8_t *m,
                                                      size_t T, size_t es, const char *value) {
  __m256i fill = _mm256_setzero_si256();
  if (value != NULL) { /* value repeated: lane k of a store at element i is byte k % es */
    char line[32];
    for (size_t k = 0; k < 32; ++k) line[k] = value[k % es];
    fill = _mm256_loadu_si256((const __m256i *)line);
  }
  const size_t step = 32 / es; /* elements per vector */
  if (T < step) {
    select_tail(d, s, m, 0, T, es, value);
    return;
  }
  size_t i = 0;
  for (; i + 2 * step <= T; i += 2 * step) { /* two vectors in flight */
    const __m256i a = _mm256_loadu_si256((const __m256i *)(s + i * es));
    const __m256i b = _mm256_loadu_si256((const __m256i *)(s + (i + step) * es));
    _mm256_storeu_si256((__m256i *)(d + i * es), _mm256_blendv_epi8(fill, a, keep_lanes(m + i, es)));
    _mm256_storeu_si256((__m256i *)(d + (i + step) * es),
                        _mm256_blendv_epi8(fill, b, keep_lanes(m + i + step, es)));
  }
  /* the rest as one or two vectors, the last ending at T: an element written
     twice gets the same bytes (in place too: a kept element reads itself) */
  for (; i < T; i += step) {
    const size_t at = i + step <= T ? i : T - step;
    const __m256i a = _mm256_loadu_si256((const __m256i *)(s + at * es));
    _mm256_storeu_si256((__m256i *)(d + at * es), _mm256_blendv_epi8(fill, a, keep_lanes(m + at, es)));
  }
}
#endif

int ssrl_block_copy_decide(void) {
#ifdef SSRL_HAVE_AVX2_PATH
  const char *portable = getenv("SSRL_ECG_PORTABLE_COPY");
  if (portable != NULL && portable[0] != '\0' && strcmp(portable, "0") != 0) return 0;
  return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
  return 0;
#endif
}

int ssrl_block_copy_vector(void) {
  /* Decided once: getenv is not safe against a concurrent setenv (Python's
     os.environ[...] = ... in another thread), so it runs at the first mask
     call only. Threads racing here compute the same answer. */
  static atomic_int decided = -1;
  int v = atomic_load_explicit(&decided, memory_order_relaxed);
  if (v < 0) {
    v = ssrl_block_copy_decide();
    atomic_store_explicit(&decided, v, memory_order_relaxed);
  }
  return v;
}

void ssrl_block_copy(void *dst, const void *src, size_t n, int vector) {
#ifdef SSRL_HAVE_AVX2_PATH
  if (vector) {
    copy_avx2((char *)dst, (const char *)src, n);
    return;
  }
#endif
  (void)vector;
  memcpy(dst, src, n);
}

void ssrl_block_zero(void *dst, size_t n, int vector) {
#ifdef SSRL_HAVE_AVX2_PATH
  if (vector) {
    zero_avx2((char *)dst, n);
    return;
  }
#endif
  (void)vector;
  memset(dst, 0, n);
}

void ssrl_block_select(void *dst, const void *src, const uint8_t *mask, size_t T, size_t es,
                       const void *value, int vector) {
#ifdef SSRL_HAVE_AVX2_PATH
  if (vector) {
    select_avx2((char *)dst, (const char *)src, mask, T, es, (const char *)value);
    return;
  }
#endif
  (void)vector;
  select_tail((char *)dst, (const char *)src, mask, 0, T, es, (const char *)value);
}
