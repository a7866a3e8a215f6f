// fuzz_common.h: what every libFuzzer harness in fuzz/ shares.
//
//   - pickers that turn fuzz bytes into arguments: mostly small, typical
//     values, sometimes edge values (0, 1, odd, 2^31 +- k, 2^32, INT64_MAX,
//     negatives, NaN, infinities, -0.0, subnormals) or raw bits;
//   - a status oracle: the set of error codes the header justifies for a call
//     (ssrl_ecg.h documents the codes, not their order when several apply), so
//     a harness checks "OK iff nothing is wrong, else one of the justified codes";
//   - independent references written from docs/semantics.md: Python's float floor
//     division, n_blocks, the Philox starts (tests/c/naive.h), score decoding,
//     round-to-nearest-even of a threshold into a narrow dtype by bisection
//     over its encodings (not ops/check.c's frexp/nearbyint);
//   - FUZZ_CHECK: prints the call and the broken invariant, then abort()s so
//     libFuzzer records the input as a crash.
//
// Sizes are small (an input runs in well under a millisecond; the library's
// OpenMP cut-offs, 8 MiB and 2^20 scores, would cost seconds per input under
// the fuzzer's instrumentation, so its parallel paths are left to the GoogleTest
// suite and tests/c/test_concurrency.cpp). Buffers are capped (kCapBytes): a
// call that is valid but would need more is skipped, never made with buffers
// smaller than its sizes.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "naive.h"  // tests/c/naive.h: the Philox stream, stepped one output at a time
#include "ssrl_ecg/ssrl_ecg.h"

namespace fz {

// The largest buffer a harness gives one call.
constexpr int64_t kCapBytes = int64_t{1} << 20;
// The most scratch a harness lets the library allocate for one call (libFuzzer
// counts a single malloc past -malloc_limit_mb as a finding).
constexpr int64_t kCapScratch = int64_t{1} << 26;

// The call being checked, printed when an invariant breaks.
inline char g_call[512];

#define FUZZ_CHECK(cond)                                                                        \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "\n*** invariant violated: %s\n    at %s:%d\n    call: %s\n", #cond, \
                   __FILE__, __LINE__, fz::g_call);                                             \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

// With SSRL_FUZZ_VERBOSE=1 (as fuzz/run.sh replays a crash) every call is
// printed before it is made, so a sanitizer report can be read with its call.
inline void announce() {
  static const bool verbose = std::getenv("SSRL_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "call: %s\n", g_call);
}

// p[0, n) all equal to v? (memchr-speed, for big buffers)
inline bool all_equal(const uint8_t *p, size_t n, uint8_t v) {
  if (n == 0) return true;
  return p[0] == v && std::memcmp(p, p + 1, n - 1) == 0;
}
inline bool all_zero(const uint8_t *p, size_t n) { return all_equal(p, n, 0); }

// ---- status oracle ----------------------------------------------------------

struct Oracle {
  uint32_t codes = 0;  // bit s set: status s is required (one of them)
  uint32_t maybe = 0;  // bit s set: status s is acceptable, but so is OK
  void add(ssrl_status s) { codes |= 1u << s; }
  void allow(ssrl_status s) { maybe |= 1u << s; }
  bool valid() const { return codes == 0; }
  bool accepts(ssrl_status s) const {
    if (s == SSRL_OK) return codes == 0;
    if (s == SSRL_ERR_OUT_OF_MEMORY) return codes == 0;  // scratch may always fail
    return static_cast<int>(s) > 0 && static_cast<int>(s) < 32 && (((codes | maybe) >> s) & 1u);
  }
};

// true when the product of the (non-negative) factors fits an int64; a zero
// factor makes the product 0, whatever the others
inline bool fits(std::initializer_list<int64_t> factors) {
  unsigned __int128 p = 1;
  bool overflow = false;
  for (int64_t f : factors) {
    if (f < 0) return false;
    if (f == 0) return true;
    if (!overflow) {
      p *= static_cast<unsigned __int128>(f);
      overflow = p > static_cast<unsigned __int128>(INT64_MAX);
    }
  }
  return !overflow;
}

// true when the product of the non-zero factors fits an int64: an empty shape
// such as [2^62, 0, 2^62] has a product of 0, but a library that multiplies
// the sizes in some order may overflow on the way and call it a shape error;
// the header's "sizes whose product overflows" allows either reading
inline bool fits_ignoring_zeros(std::initializer_list<int64_t> factors) {
  unsigned __int128 p = 1;
  for (int64_t f : factors) {
    if (f < 0) return false;
    if (f == 0) continue;
    p *= static_cast<unsigned __int128>(f);
    if (p > static_cast<unsigned __int128>(INT64_MAX)) return false;
  }
  return true;
}

// SHAPE required when the product overflows, allowed (OK too) when only the
// product of the non-zero factors does.
inline void shape_oracle(std::initializer_list<int64_t> factors, Oracle &o) {
  if (!fits(factors))
    o.add(SSRL_ERR_SHAPE);
  else if (!fits_ignoring_zeros(factors))
    o.allow(SSRL_ERR_SHAPE);
}

// product of non-negative factors, saturated at INT64_MAX
inline int64_t sat_mul(std::initializer_list<int64_t> factors) {
  for (int64_t f : factors)
    if (f == 0) return 0;
  unsigned __int128 p = 1;
  for (int64_t f : factors) {
    p *= static_cast<unsigned __int128>(f);
    if (p > static_cast<unsigned __int128>(INT64_MAX)) return INT64_MAX;
  }
  return static_cast<int64_t>(p);
}

// ---- argument pickers -------------------------------------------------------

constexpr int64_t kSizeEdges[] = {0,
                                  1,
                                  2,
                                  3,
                                  7,
                                  -1,
                                  -2,
                                  INT64_MIN,
                                  INT64_MAX,
                                  INT64_MAX - 1,
                                  (int64_t{1} << 31) - 1,
                                  int64_t{1} << 31,
                                  (int64_t{1} << 31) + 7,
                                  (int64_t{1} << 32) - 1,
                                  int64_t{1} << 32,
                                  (int64_t{1} << 32) + 1,
                                  int64_t{1} << 33,
                                  int64_t{1} << 40,
                                  int64_t{1} << 53,
                                  (int64_t{1} << 53) + 1,
                                  int64_t{1} << 60,
                                  (int64_t{1} << 61) + 3,
                                  int64_t{1} << 62,
                                  (int64_t{1} << 62) - 1};

// A size: small typical value in [lo, hi] most of the time, else an edge or raw.
inline int64_t pick_size(FuzzedDataProvider &in, int64_t lo, int64_t hi, bool edges) {
  if (edges) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        return in.PickValueInArray(kSizeEdges);
      case 1:
        return in.ConsumeIntegral<int64_t>();
      default:
        break;
    }
  }
  return in.ConsumeIntegralInRange<int64_t>(lo, hi);
}

inline double bits_to_double(uint64_t u) {
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}

// A mask ratio: mostly in (0, 1], sometimes an edge value or raw bits.
inline double pick_ratio(FuzzedDataProvider &in) {
  static const double edges[] = {0.0,
                                 -0.0,
                                 1.0,
                                 0.5,
                                 0.15,
                                 1e-300,
                                 std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::min(),
                                 std::nextafter(1.0, 2.0),
                                 std::nextafter(1.0, 0.0),
                                 -1.0,
                                 -1e308,
                                 1e308,
                                 std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 -std::numeric_limits<double>::quiet_NaN(),
                                 bits_to_double(0x7ff0000000000001ull) /* signalling NaN */};
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      return in.PickValueInArray(edges);
    case 1:
      return bits_to_double(in.ConsumeIntegral<uint64_t>());
    default:
      return in.ConsumeProbability<double>();
  }
}

// A block size: mostly in [1, hi], sometimes < 1 or huge.
inline int64_t pick_block_size(FuzzedDataProvider &in, int64_t hi) {
  static const int64_t edges[] = {0,
                                  -1,
                                  INT64_MIN,
                                  1,
                                  2,
                                  INT64_MAX,
                                  INT64_MAX - 1,
                                  int64_t{1} << 31,
                                  int64_t{1} << 32,
                                  (int64_t{1} << 32) + 1,
                                  int64_t{1} << 53,
                                  (int64_t{1} << 53) + 1};
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      return in.PickValueInArray(edges);
    case 1:
      return in.ConsumeIntegral<int64_t>();
    default:
      return in.ConsumeIntegralInRange<int64_t>(1, hi);
  }
}

// An element size for the block mask: 1/2/4/8 mostly, sometimes invalid.
inline size_t pick_elem_size(FuzzedDataProvider &in) {
  static const size_t edges[] = {0, 3, 5, 6, 7, 9, 16, 32, SIZE_MAX, SIZE_MAX / 2 + 1};
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    return in.ConsumeBool() ? in.PickValueInArray(edges) : in.ConsumeIntegral<size_t>();
  }
  return size_t{1} << in.ConsumeIntegralInRange<int>(0, 3);
}

// A score dtype: one of the four mostly, sometimes any int. Kept as an int:
// loading an ssrl_dtype outside the enumerators is UB in C++ (UBSan's enum
// check), so harnesses convert at the call only.
inline int pick_dtype(FuzzedDataProvider &in) {
  if (in.ConsumeIntegralInRange<int>(0, 9) == 0) {
    static const int edges[] = {4, 5, -1, 255, 256, INT32_MIN, INT32_MAX};
    return in.ConsumeBool() ? in.PickValueInArray(edges) : in.ConsumeIntegral<int>();
  }
  return in.ConsumeIntegralInRange<int>(0, 3);
}

inline bool dtype_known(int d) { return d >= SSRL_FLOAT32 && d <= SSRL_BFLOAT16; }

inline size_t dtype_bytes(int d) {
  switch (d) {
    case SSRL_FLOAT64:
      return 8;
    case SSRL_FLOAT32:
      return 4;
    case SSRL_FLOAT16:
    case SSRL_BFLOAT16:
      return 2;
    default:
      return 0;
  }
}

// splitmix64: bulk filler where the fuzz bytes run out
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// ---- references from docs/semantics.md -------------------------------------------

// CPython's float floor division (Objects/floatobject.c, _float_div_mod).
inline double py_floordiv(double vx, double wx) {
  double mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0) {
    if ((wx < 0) != (mod < 0)) div -= 1.0;
  }
  if (div != 0.0) {
    double fl = std::floor(div);
    if (div - fl > 0.5) fl += 1.0;
    return fl;
  }
  return std::copysign(0.0, vx / wx);
}

// n_blocks = max(1, int((T * r) // bs)) for valid arguments; 0 when r <= 0.
inline int64_t ref_n_blocks(int64_t T, double r, int64_t bs) {
  if (r <= 0) return 0;
  double q = py_floordiv(static_cast<double>(T) * r, static_cast<double>(bs));
  return q < 1.0 ? 1 : static_cast<int64_t>(q);
}

// Codes ssrl_block_count may give for (T, r, bs) with a non-NULL output.
inline void count_oracle(int64_t T, double r, int64_t bs, Oracle &o) {
  if (T < 0) o.add(SSRL_ERR_SHAPE);
  if (std::isnan(r) || std::isinf(r) || r > 1.0 || bs < 1 || T >= (int64_t{1} << 32))
    o.add(SSRL_ERR_INVALID_ARGUMENT);
}

// Decodes score i of a buffer of dtype d (known) into a double, exactly.
inline double half_value(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  double v;
  if (exp == 0x1f)
    v = man ? std::numeric_limits<double>::quiet_NaN() : HUGE_VAL;
  else if (exp == 0)
    v = std::ldexp(static_cast<double>(man), -24);
  else
    v = std::ldexp(static_cast<double>(1024 + man), exp - 25);
  return sign ? -v : v;
}

inline double bf16_value(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline double score_value(const void *p, ssrl_dtype d, int64_t i) {
  switch (d) {
    case SSRL_FLOAT64: {
      double v;
      std::memcpy(&v, static_cast<const char *>(p) + 8 * i, 8);
      return v;
    }
    case SSRL_FLOAT32: {
      float v;
      std::memcpy(&v, static_cast<const char *>(p) + 4 * i, 4);
      return v;
    }
    default: {
      uint16_t h;
      std::memcpy(&h, static_cast<const char *>(p) + 2 * i, 2);
      return d == SSRL_FLOAT16 ? half_value(h) : bf16_value(h);
    }
  }
}

// Value of a non-negative encoding (magnitude bits) of a narrow dtype.
inline double magnitude_value(uint32_t m, ssrl_dtype d) {
  if (d == SSRL_FLOAT16) return half_value(static_cast<uint16_t>(m));
  if (d == SSRL_BFLOAT16) return bf16_value(static_cast<uint16_t>(m));
  float f;
  std::memcpy(&f, &m, 4);
  return f;
}

// Round-to-nearest-even of t into dtype d, as a double. Bisection over the
// ordered positive encodings; past the largest finite value the next
// "encoding" is infinity, whose last mantissa bit is 0 (even), so a tie at
// max + ulp/2 overflows, as IEEE 754 says.
inline double ref_round(double t, ssrl_dtype d) {
  if (d == SSRL_FLOAT64 || std::isnan(t)) return t;
  if (t < 0 || (t == 0 && std::signbit(t))) return -ref_round(-t, d);
  if (std::isinf(t)) return t;
  const uint32_t max_finite =
      d == SSRL_FLOAT32 ? 0x7f7fffffu : (d == SSRL_FLOAT16 ? 0x7bffu : 0x7f7fu);
  uint32_t lo = 0, hi = max_finite;  // largest m with value(m) <= t
  if (magnitude_value(max_finite, d) <= t)
    lo = max_finite;
  else {
    while (hi - lo > 1) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (magnitude_value(mid, d) <= t)
        lo = mid;
      else
        hi = mid;
    }
  }
  const double below = magnitude_value(lo, d);
  if (below == t) return below;
  double above;
  if (lo == max_finite) {  // the next "value" is 2^(emax+1), which rounds to inf
    above = d == SSRL_FLOAT16 ? 65536.0 : std::ldexp(1.0, 128);
  } else {
    above = magnitude_value(lo + 1, d);
  }
  const double mid = below + (above - below) / 2;  // exact: both have <= 24 bits
  double r;
  if (t < mid)
    r = below;
  else if (t > mid)
    r = above;
  else
    r = (lo & 1u) ? above : below;
  return lo == max_finite && r == above ? HUGE_VAL : r;
}

// Sample b's masked time steps [T] (1 = masked) from the naive Philox starts.
inline void ref_mask_row(uint64_t seed, int64_t b, int64_t T, int64_t bs, int64_t n,
                         uint8_t *row /* [T] */) {
  std::vector<int32_t> diff(static_cast<size_t>(T) + 1, 0);
  for (int64_t s : naive::starts(seed, b, T, bs, n)) {
    if (s < 0 || s >= T) std::abort();  // cannot happen for T >= 1: the reference is wrong
    const int64_t e = bs < T - s ? s + bs : T;
    diff[s] += 1;
    diff[e] -= 1;
  }
  int32_t depth = 0;
  for (int64_t t = 0; t < T; ++t) {
    depth += diff[t];
    row[t] = depth > 0;
  }
}

}  // namespace fz
