// scores.h: test data in every score dtype. Values are multiples of 1/256 in
// [0, 1], exact in float16, bfloat16, float32 and float64, so one double array
// is the reference for all four encodings.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "ssrl_ecg/ssrl_ecg.h"

namespace scores {

// Bits of an exactly representable float16 value (normal or zero).
inline uint16_t half_bits(double v) {
  if (v == 0) return 0;
  int e;
  double m = std::frexp(std::fabs(v), &e);  // v = m * 2^e, m in [0.5, 1)
  uint16_t sign = v < 0 ? 0x8000 : 0;
  uint16_t exp = static_cast<uint16_t>(e - 1 + 15);
  uint16_t man = static_cast<uint16_t>(std::ldexp(m * 2 - 1, 10));
  return static_cast<uint16_t>(sign | (exp << 10) | man);
}

inline uint16_t bf16_bits(double v) {
  float f = static_cast<float>(v);
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<uint16_t>(u >> 16);
}

// The same values encoded as dtype; returns raw bytes.
inline std::vector<uint8_t> encode(const std::vector<double> &v, ssrl_dtype dtype) {
  std::vector<uint8_t> out;
  auto put = [&out](const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    out.insert(out.end(), b, b + n);
  };
  for (double d : v) {
    switch (dtype) {
      case SSRL_FLOAT32: {
        float f = static_cast<float>(d);
        put(&f, 4);
        break;
      }
      case SSRL_FLOAT64: put(&d, 8); break;
      case SSRL_FLOAT16: {
        uint16_t h = half_bits(d);
        put(&h, 2);
        break;
      }
      case SSRL_BFLOAT16: {
        uint16_t h = bf16_bits(d);
        put(&h, 2);
        break;
      }
    }
  }
  return out;
}

struct Data {
  std::vector<uint8_t> y;
  std::vector<double> p;
};

// Labels with per-class positive rates and scores on a grid of `levels`
// values (few levels = heavy ties), weakly correlated with the label.
inline Data random_data(int64_t N, int64_t C, int levels, uint32_t seed) {
  std::mt19937 rng(seed);
  Data d;
  d.y.resize(static_cast<size_t>(N * C));
  d.p.resize(d.y.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      uint8_t label = (rng() % 100) < 20 + 10 * (c % 5);
      int level = static_cast<int>(rng() % levels) + (label ? static_cast<int>(rng() % 3) : 0);
      if (level >= levels) level = levels - 1;
      d.y[n * C + c] = label;
      d.p[n * C + c] = std::ldexp(std::round(std::ldexp(level / double(levels - 1), 8)), -8);
    }
  return d;
}

const ssrl_dtype kAllDtypes[] = {SSRL_FLOAT32, SSRL_FLOAT64, SSRL_FLOAT16, SSRL_BFLOAT16};

}  // namespace scores
