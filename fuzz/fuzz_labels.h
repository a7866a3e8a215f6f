// fuzz_labels.h: labels of every ssrl_dtype for the issue-11 harnesses
// (docs/semantics.md section 9.1): the 0/1 (and injected bad) uint8 labels of a
// ScoreCase re-encoded in a fuzz-chosen label dtype, which is sometimes an
// unknown int. The uint8 call on the same data is the reference.
#pragma once

#include "fuzz_scores.h"

namespace fz {

inline int pick_label_dtype(FuzzedDataProvider &in) {
  if (in.ConsumeIntegralInRange<int>(0, 11) == 0) {
    static const int edges[] = {12, 13, -1, 255, INT32_MIN, INT32_MAX};
    return in.PickValueInArray(edges);
  }
  return in.ConsumeIntegralInRange<int>(0, 11);
}

inline bool label_dtype_known(int d) { return d >= 0 && d <= 11; }

inline size_t label_bytes(int d) {
  switch (d) {
    case SSRL_UINT8: case SSRL_INT8: return 1;
    case SSRL_INT16: case SSRL_UINT16: return 2;
    case SSRL_INT32: case SSRL_UINT32: return 4;
    case SSRL_INT64: case SSRL_UINT64: return 8;
    default: return dtype_known(d) ? dtype_bytes(d) : 0;
  }
}

// The uint8 labels y [n] (0/1, or 2..255 where bad) as dtype d; a bad uint8
// value stays bad in every dtype (int8 wraps it negative; floats hold it exactly).
inline Buf encode_labels(const Buf &y, int d) {
  const size_t sz = label_bytes(d);
  Buf out(y.n * static_cast<int64_t>(sz ? sz : 1), 0);
  if (sz == 0) return out;
  for (int64_t i = 0; i < y.n; ++i) {
    const uint8_t v = y.p[i];
    uint64_t bits = v;
    if (d <= SSRL_BFLOAT16) bits = encode_exact(static_cast<double>(v), static_cast<ssrl_dtype>(d));
    std::memcpy(out.p + static_cast<size_t>(i) * sz, &bits, sz);  // little endian
  }
  return out;
}

}  // namespace fz
