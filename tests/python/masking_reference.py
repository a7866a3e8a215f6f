"""Independent references for span_mask, lead_mask and token_mask, written from
docs/semantics.md ("Masks for self-supervised pretraining") in plain Python and
numpy: the Philox stream of ``reference.philox_stream`` (arbitrary-precision
ints), Floyd's algorithm on a Python set, stars and bars by hand. Shares no
code with the implementation under test.
"""

from __future__ import annotations

import math

import numpy as np

from reference import philox_stream


def span_count(T: int, mask_ratio: float, span: int, exact: bool) -> int:
    if mask_ratio <= 0:
        return 0
    if not exact:
        return max(1, int((T * mask_ratio) // span))
    if T < span:
        return 1
    return min(T // span, max(1, round(T * mask_ratio / span)))


def floyd(draws: list[int], M: int, k: int) -> set[int]:
    chosen: set[int] = set()
    for i, j in enumerate(range(M - k, M)):
        t = (draws[i] * (j + 1)) >> 32
        chosen.add(j if t in chosen else t)
    return chosen


def span_starts(seed: int, row: int, T: int, span: int, n: int, exact: bool) -> list[int]:
    draws = philox_stream(seed, row, n)
    if exact and T >= span:
        values = sorted(floyd(draws, T - n * (span - 1), n))
        return [v + i * (span - 1) for i, v in enumerate(values)]
    R = max(1, T - span + 1)
    return [(u * R) >> 32 for u in draws]


def span_mask(seed: int, B: int, C: int, T: int, mask_ratio: float, span: int, per_lead: bool,
              exact: bool) -> np.ndarray:
    """bool [B, T], or [B, C, T] per lead."""
    rows = B * C if per_lead else B
    mask = np.zeros((rows, T), dtype=bool)
    n = span_count(T, mask_ratio, span, exact)
    if n > 0:
        for r in range(rows):
            for s in span_starts(seed, r, T, span, n, exact):
                mask[r, s:min(T, s + span)] = True
    return mask.reshape(B, C, T) if per_lead else mask


def apply_span(x: np.ndarray, mask: np.ndarray, fill: np.ndarray | None) -> np.ndarray:
    m = mask if mask.ndim == 3 else np.broadcast_to(mask[:, None, :], x.shape)
    value = np.zeros(x.shape[1], dtype=x.dtype) if fill is None else fill.astype(x.dtype)
    return np.where(m, value[None, :, None], x)


def lead_dropped(seed: int, B: int, C: int, p: float, exact: bool) -> np.ndarray:
    """bool [B, C]."""
    dropped = np.zeros((B, C), dtype=bool)
    k = round(p * C)
    threshold = 2**32 if p >= 1 else math.floor(p * 2**32)
    for b in range(B):
        if exact:
            for c in floyd(philox_stream(seed, b, k), C, k):
                dropped[b, c] = True
        else:
            dropped[b] = [u < threshold for u in philox_stream(seed, b, C)]
    return dropped


def token_mask(seed: int, rows: int, L: int, mask_ratio: float):
    """(ids_keep [rows, len_keep], ids_restore [rows, L], mask [rows, L] float32)."""
    len_keep = int(L * (1 - mask_ratio))
    keep = np.zeros((rows, len_keep), dtype=np.int64)
    restore = np.zeros((rows, L), dtype=np.int64)
    mask = np.ones((rows, L), dtype=np.float32)
    for r in range(rows):
        kept = sorted(floyd(philox_stream(seed, r, len_keep), L, len_keep))
        masked = [t for t in range(L) if t not in set(kept)]
        perm = kept + masked
        keep[r] = kept
        restore[r, perm] = np.arange(L)
        mask[r, kept] = 0.0
    return keep, restore, mask
