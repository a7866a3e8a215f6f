// naive.h: plain, slow reference implementations the C tests check against.
// Written from docs/semantics.md without sharing code with ops/: a Philox4x32-10
// stream that steps a 128-bit counter one output at a time (as cuRAND does),
// starts by 128-bit multiply, masks by marking every block, confusion counts by
// a double loop, AUROC by comparing every positive with every negative.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace naive {

struct Philox {
  uint32_t key[2];
  uint32_t ctr[4];
  uint32_t out[4];
  int used = 4;

  Philox(uint64_t seed, uint64_t subsequence) {
    key[0] = static_cast<uint32_t>(seed);
    key[1] = static_cast<uint32_t>(seed >> 32);
    ctr[0] = ctr[1] = 0;
    ctr[2] = static_cast<uint32_t>(subsequence);
    ctr[3] = static_cast<uint32_t>(subsequence >> 32);
  }
  static void block(const uint32_t in[4], const uint32_t k_in[2], uint32_t res[4]) {
    uint32_t c[4] = {in[0], in[1], in[2], in[3]};
    uint32_t k[2] = {k_in[0], k_in[1]};
    for (int r = 0; r < 10; ++r) {
      unsigned __int128 p0 = static_cast<unsigned __int128>(0xD2511F53u) * c[0];
      unsigned __int128 p1 = static_cast<unsigned __int128>(0xCD9E8D57u) * c[2];
      uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
      uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
      uint32_t n[4] = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
      std::memcpy(c, n, sizeof c);
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    std::memcpy(res, c, sizeof c);
  }
  uint32_t next() {
    if (used == 4) {
      block(ctr, key, out);
      for (int w = 0; w < 4 && ++ctr[w] == 0; ++w) {
      }
      used = 0;
    }
    return out[used++];
  }
};

inline int64_t n_blocks(int64_t T, double ratio, int64_t bs) {
  if (ratio <= 0) return 0;
  double q = std::floor((static_cast<double>(T) * ratio) / static_cast<double>(bs));
  return q < 1 ? 1 : static_cast<int64_t>(q);
}

inline std::vector<int64_t> starts(uint64_t seed, int64_t b, int64_t T, int64_t bs, int64_t n) {
  Philox g(seed, static_cast<uint64_t>(b));
  unsigned __int128 R = T - bs + 1 > 1 ? static_cast<unsigned __int128>(T - bs + 1) : 1;
  std::vector<int64_t> s(n);
  for (int64_t j = 0; j < n; ++j) s[j] = static_cast<int64_t>((R * g.next()) >> 32);
  return s;
}

// mask [B, T] of 0/1
inline std::vector<uint8_t> mask(uint64_t seed, int64_t B, int64_t T, double ratio, int64_t bs) {
  std::vector<uint8_t> m(static_cast<size_t>(B * T), 0);
  int64_t n = n_blocks(T, ratio, bs);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t s : starts(seed, b, T, bs, n))
      for (int64_t t = s; t < s + bs && t < T; ++t) m[b * T + t] = 1;
  return m;
}

// counts [C, K, 4] with scores and thresholds given as doubles already in the
// score dtype's precision.
inline std::vector<int64_t> counts(const std::vector<uint8_t> &y, const std::vector<double> &p,
                                   int64_t N, int64_t C, const std::vector<double> &th) {
  const int64_t K = static_cast<int64_t>(th.size());
  std::vector<int64_t> out(static_cast<size_t>(C * K * 4), 0);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) {
        bool pred = p[n * C + c] >= th[k];
        bool truth = y[n * C + c] == 1;
        int slot = truth ? (pred ? 0 : 3) : (pred ? 1 : 2);
        out[(c * K + k) * 4 + slot] += 1;
      }
  return out;
}

// O(N^2) Mann-Whitney AUROC per class; NaN for a one-label class.
inline std::vector<double> auroc(const std::vector<uint8_t> &y, const std::vector<double> &p,
                                 int64_t N, int64_t C) {
  std::vector<double> out(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    int64_t P = 0, M = 0, twice_u = 0;
    for (int64_t i = 0; i < N; ++i) (y[i * C + c] ? P : M) += 1;
    for (int64_t i = 0; i < N; ++i) {
      if (!y[i * C + c]) continue;
      for (int64_t j = 0; j < N; ++j) {
        if (y[j * C + c]) continue;
        double a = p[i * C + c], b = p[j * C + c];
        twice_u += a > b ? 2 : (a == b ? 1 : 0);
      }
    }
    out[c] = (P == 0 || M == 0) ? NAN : static_cast<double>(twice_u) / (2.0 * P * M);
  }
  return out;
}

}  // namespace naive
