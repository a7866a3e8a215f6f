"""Independent references for the Python tests, written from docs/semantics.md and
the seed page with plain Python, numpy and scikit-learn.

- ``philox_stream`` / ``reference_mask``: Philox4x32-10 in pure Python with
  arbitrary-precision ints, the start formula and the block marking.
- ``reference_metrics``: the reference ``multilabel_metrics`` as the seed page
  describes it, on numpy and scikit-learn: the benchmark's copy
  (``ssrl_ecg.bench.sklearn_reference``), which shares no code with the
  implementation under test.
"""

from __future__ import annotations

import numpy as np

from ssrl_ecg.bench import sklearn_reference as reference_metrics

__all__ = ["philox4x32_10", "philox_stream", "n_blocks", "reference_mask", "reference_metrics"]

M32 = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & M32, p1 & M32, ((p0 >> 32) ^ c3 ^ k1) & M32, p0 & M32
        k0, k1 = (k0 + 0x9E3779B9) & M32, (k1 + 0xBB67AE85) & M32
    return c0, c1, c2, c3


def philox_stream(seed: int, subsequence: int, count: int):
    """The first ``count`` outputs of curand_init(seed, subsequence, 0) + curand()."""
    seed &= (1 << 64) - 1
    key = (seed & M32, seed >> 32)
    out = []
    i = 0
    while len(out) < count:
        out.extend(philox4x32_10((i & M32, i >> 32, subsequence & M32, subsequence >> 32), key))
        i += 1
    return out[:count]


def n_blocks(T: int, mask_ratio: float, block_size: int) -> int:
    return max(1, int((T * mask_ratio) // block_size))


def reference_mask(seed: int, B: int, T: int, mask_ratio: float, block_size: int) -> np.ndarray:
    """bool [B, T]: True where docs/semantics.md section 1 masks."""
    mask = np.zeros((B, T), dtype=bool)
    if mask_ratio <= 0:
        return mask
    n = n_blocks(T, mask_ratio, block_size)
    R = max(1, T - block_size + 1)
    for b in range(B):
        for u in philox_stream(seed, b, n):
            s = (u * R) >> 32
            mask[b, s:min(T, s + block_size)] = True
    return mask
