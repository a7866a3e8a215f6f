// fuzz_scores.h: labels, scores and thresholds for the confusion-counts and
// AUROC harnesses, drawn from the fuzz bytes.
//
// Scores come from a palette of awkward values rounded into the dtype (+-0,
// +-inf, subnormals, the largest finite value, values that tie after rounding)
// or from random non-NaN bits; labels are 0/1. Bad values (a label > 1, a NaN
// of any encoding) are injected at fuzz-chosen positions, so most inputs stay
// valid and reach the real computation. Buffers are malloc'd at exactly the
// size the call states; a buffer past the cap is passed as NULL instead.
#pragma once

#include <utility>

#include "fuzz_common.h"

namespace fz {

// Raw bits of a value exactly representable in dtype d (known).
inline uint64_t encode_exact(double v, ssrl_dtype d) {
  switch (d) {
    case SSRL_FLOAT64: {
      uint64_t u;
      std::memcpy(&u, &v, 8);
      return u;
    }
    case SSRL_FLOAT32: {
      const float f = static_cast<float>(v);
      uint32_t u;
      std::memcpy(&u, &f, 4);
      return u;
    }
    case SSRL_BFLOAT16: {
      const float f = static_cast<float>(v);
      uint32_t u;
      std::memcpy(&u, &f, 4);
      return u >> 16;
    }
    default: {  // float16: bisect the magnitudes, which are ordered like their values
      const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
      uint32_t lo = 0, hi = 0x7c00;  // value(lo) <= |v| <= value(hi)
      while (lo < hi) {
        const uint32_t mid = lo + (hi - lo + 1) / 2;
        if (half_value(static_cast<uint16_t>(mid)) <= std::fabs(v))
          lo = mid;
        else
          hi = mid - 1;
      }
      if (half_value(static_cast<uint16_t>(lo)) != std::fabs(v)) std::abort();  // not exact
      return sign | lo;
    }
  }
}

inline void store_bits(void *p, ssrl_dtype d, int64_t i, uint64_t bits) {
  const size_t sz = dtype_bytes(d);
  std::memcpy(static_cast<char *>(p) + static_cast<size_t>(i) * sz, &bits, sz);  // little endian
}

// Palette: awkward values, each rounded into the dtype (so exactly representable).
inline const std::vector<double> &palette(ssrl_dtype d) {
  static std::vector<double> tables[4];
  std::vector<double> &t = tables[d];
  if (t.empty()) {
    const double inf = HUGE_VAL;
    const double raw[] = {0.0,     -0.0,   0.5,  1.0,  0.25,  0.75, 0.1,   0.7,
                          1 / 3.0, 0.999,  1e-8, -1.0, -0.5,  inf,  -inf,  65504.0,
                          -65504,  65519,  1e30, 3e38, -3e38, 6e-8, 1e-40, 1e-310,
                          0.5001,  0.4999, 0.5,  0.5,  0.2,   0.2,  0.8,   0.9};
    for (double v : raw) t.push_back(ref_round(v, d));
  }
  return t;
}

inline const std::vector<uint64_t> &palette_bits(ssrl_dtype d) {
  static std::vector<uint64_t> tables[4];
  std::vector<uint64_t> &t = tables[d];
  if (t.empty())
    for (double v : palette(d)) t.push_back(encode_exact(v, d));
  return t;
}

// The next value above v in dtype d (v exactly representable, finite).
inline double successor(double v, ssrl_dtype d) {
  if (d == SSRL_FLOAT64) return std::nextafter(v, HUGE_VAL);
  uint64_t bits = encode_exact(v, d);
  const uint64_t sign = d == SSRL_FLOAT32 ? 0x80000000u : 0x8000u;
  if (v == 0)
    bits = 1;  // smallest positive subnormal
  else if (bits & sign)
    bits -= 1;  // negative: magnitude shrinks
  else
    bits += 1;
  if (d == SSRL_FLOAT32) {
    float f;
    uint32_t u = static_cast<uint32_t>(bits);
    std::memcpy(&f, &u, 4);
    return f;
  }
  return d == SSRL_FLOAT16 ? half_value(static_cast<uint16_t>(bits))
                           : bf16_value(static_cast<uint16_t>(bits));
}

inline uint64_t nan_bits(ssrl_dtype d, unsigned which) {
  static const uint64_t nans[4][4] = {
      {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0x7fffffffu},  // float32
      {0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
       0x7fffffffffffffffull},                // float64
      {0x7e00u, 0xfe00u, 0x7c01u, 0x7fffu},   // float16
      {0x7fc0u, 0xffc0u, 0x7f81u, 0xffffu}};  // bfloat16
  return nans[d][which & 3];
}

// Random bits of dtype d that are not a NaN (a NaN pattern becomes +-inf).
inline uint64_t random_non_nan(Rng &rng, ssrl_dtype d) {
  uint64_t u = rng.next();
  switch (d) {
    case SSRL_FLOAT64:
      if ((u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull) u &= 0xfff0000000000000ull;
      return u;
    case SSRL_FLOAT32:
      u &= 0xffffffffu;
      if ((u & 0x7f800000u) == 0x7f800000u) u &= 0xff800000u;
      return u;
    case SSRL_FLOAT16:
      u &= 0xffffu;
      if ((u & 0x7c00u) == 0x7c00u) u &= 0xfc00u;
      return u;
    default:
      u &= 0xffffu;
      if ((u & 0x7f80u) == 0x7f80u) u &= 0xff80u;
      return u;
  }
}

// A malloc'd buffer of exactly n bytes (n may be 0: a unique non-NULL pointer).
struct Buf {
  uint8_t *p = nullptr;
  int64_t n = 0;
  Buf() = default;
  Buf(int64_t bytes, uint8_t fill) : n(bytes) {
    p = static_cast<uint8_t *>(std::malloc(static_cast<size_t>(bytes)));
    if (p == nullptr) std::abort();
    std::memset(p, fill, static_cast<size_t>(bytes));
  }
  Buf(const Buf &) = delete;
  Buf &operator=(const Buf &) = delete;
  Buf(Buf &&o) noexcept : p(o.p), n(o.n) { o.p = nullptr; }
  Buf &operator=(Buf &&o) noexcept {
    std::swap(p, o.p);
    std::swap(n, o.n);
    return *this;
  }
  ~Buf() { std::free(p); }
};

// y_true [N, C], y_prob [N, C] of dtype, as the harness passes them.
struct ScoreCase {
  int64_t N = 0, C = 0;
  int dtype = SSRL_FLOAT32;  // any int (see pick_dtype)
  bool sizes_ok = false;     // N, C >= 0 and N * C * 8 fits
  bool have_data = false;    // both buffers hold all N * C values
  Buf y, p;
  bool y_null = false, p_null = false;
  bool bad_label = false, nan_score = false;
  const uint8_t *y_arg() const { return y_null ? nullptr : y.p; }
  const void *p_arg() const { return p_null ? nullptr : p.p; }
  ssrl_dtype known_dtype() const { return static_cast<ssrl_dtype>(dtype_known(dtype) ? dtype : 0); }
  double score(int64_t i) const { return score_value(p.p, known_dtype(), i); }
};

// Draws the sizes, dtype, pointers and values.
inline ScoreCase draw_scores(FuzzedDataProvider &in, bool edges) {
  ScoreCase s;
  s.N = pick_size(in, 0, 300, edges);
  s.C = pick_size(in, 0, 12, edges);
  s.dtype = pick_dtype(in);
  s.y_null = in.ConsumeIntegralInRange<int>(0, 19) == 0;
  s.p_null = in.ConsumeIntegralInRange<int>(0, 19) == 0;
  const int n_bad_labels =
      in.ConsumeIntegralInRange<int>(0, 9) == 0 ? in.ConsumeIntegralInRange<int>(1, 3) : 0;
  const int n_nans =
      in.ConsumeIntegralInRange<int>(0, 9) == 0 ? in.ConsumeIntegralInRange<int>(1, 3) : 0;
  uint64_t positions[6];
  uint8_t bad_values[3];
  for (uint64_t &pos : positions) pos = in.ConsumeIntegral<uint64_t>();
  for (uint8_t &v : bad_values) v = in.ConsumeIntegralInRange<uint8_t>(2, 255);
  const unsigned nan_kind = in.ConsumeIntegral<uint8_t>();
  Rng rng{in.ConsumeIntegral<uint64_t>()};

  s.sizes_ok = s.N >= 0 && s.C >= 0 && fits({s.N, s.C, 8});
  const size_t dsz = dtype_bytes(s.dtype);
  if (!s.sizes_ok) {  // small buffers the library must not touch
    s.y = Buf(16, 1);
    s.p = Buf(16 * 8, 0);
    return s;
  }
  const int64_t nc = s.N * s.C;
  const size_t elem = dsz ? dsz : 8;  // unknown dtype: any bytes, never read
  if (sat_mul({nc, static_cast<int64_t>(elem + 1)}) > kCapBytes) {  // valid, too big: NULL
    s.y_null = s.p_null = true;
    s.y = Buf(0, 0);
    s.p = Buf(0, 0);
    return s;
  }
  s.have_data = true;
  s.y = Buf(nc, 0);
  s.p = Buf(nc * static_cast<int64_t>(elem), 0);
  const std::vector<uint8_t> tail = in.ConsumeBytes<uint8_t>(static_cast<size_t>(nc));
  for (int64_t i = 0; i < nc; ++i) {
    const uint8_t v =
        static_cast<size_t>(i) < tail.size() ? tail[i] : static_cast<uint8_t>(rng.next());
    s.y.p[i] = v & 1;
    if (dsz == 0) continue;
    const unsigned pick = v >> 1;  // 0..127
    const ssrl_dtype d = s.known_dtype();
    if (pick >= 96)
      store_bits(s.p.p, d, i, random_non_nan(rng, d));
    else
      store_bits(s.p.p, d, i, palette_bits(d)[pick & 31]);
  }
  if (nc > 0) {
    for (int k = 0; k < n_bad_labels; ++k) s.y.p[positions[k] % nc] = bad_values[k];
    if (dsz)
      for (int k = 0; k < n_nans; ++k)
        store_bits(s.p.p, s.known_dtype(), positions[3 + k] % nc,
                   nan_bits(s.known_dtype(), nan_kind + k));
    for (int64_t i = 0; i < nc; ++i) s.bad_label |= s.y.p[i] > 1;
    for (int64_t i = 0; dsz && i < nc; ++i) s.nan_score |= std::isnan(s.score(i));
  }
  return s;
}

// Codes the checks shared by counts and AUROC justify (sizes, dtype, NULL data,
// bad values).
inline void score_oracle(const ScoreCase &s, Oracle &o) {
  if (s.N < 0 || s.C < 0 || !s.sizes_ok)
    o.add(SSRL_ERR_SHAPE);
  else
    shape_oracle({s.N, s.C, 8}, o);
  if (!dtype_known(s.dtype)) o.add(SSRL_ERR_DTYPE);
  if (s.sizes_ok && s.N * s.C > 0 && (s.y_arg() == nullptr || s.p_arg() == nullptr))
    o.add(SSRL_ERR_NULL_POINTER);
  if (s.have_data && s.bad_label) o.add(SSRL_ERR_LABEL_VALUE);
  if (s.have_data && s.nan_score && dtype_known(s.dtype)) o.add(SSRL_ERR_NAN_SCORE);
}

// Argument errors (not bad values): the library may not have run at all.
inline bool argument_error(const Oracle &o) {
  const uint32_t value_codes =
      (1u << SSRL_ERR_LABEL_VALUE) | (1u << SSRL_ERR_NAN_SCORE) | (1u << SSRL_ERR_NAN_THRESHOLD);
  return (o.codes & ~value_codes) != 0;
}

}  // namespace fz
