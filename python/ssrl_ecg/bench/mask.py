"""apply_random_mask against the reference loop, pure torch, an HF-style numpy
mask and x.clone()."""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import torch

from ..utils import apply_random_mask, draw_seed
from .common import (BLOCK_SIZE, CHANNELS, MASK_RATIO, MASK_SEED, ROTATE_BYTES, Clock, Plan,
                     fresh_outputs_hook, measure_all, paired_ratio, row_of)


# ---- apply_random_mask: the alternatives ------------------------------------------------

_M32 = 0xFFFFFFFF


def philox_starts(seed: int, B: int, n: int, R: int) -> np.ndarray:
    """starts [B, n] of docs/semantics.md section 1: Philox4x32-10 (cuRAND's stream), in numpy."""
    blocks = (n + 3) // 4
    c0 = np.broadcast_to(np.arange(blocks, dtype=np.uint64), (B, blocks)).copy()
    c1 = np.zeros((B, blocks), dtype=np.uint64)
    c2 = np.broadcast_to(np.arange(B, dtype=np.uint64)[:, None], (B, blocks)).copy()
    c3 = np.zeros((B, blocks), dtype=np.uint64)
    k0, k1 = seed & _M32, (seed >> 32) & _M32
    for _ in range(10):
        p0 = c0 * np.uint64(0xD2511F53)  # < 2^64: both factors are below 2^32
        p1 = c2 * np.uint64(0xCD9E8D57)
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & np.uint64(_M32),
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & np.uint64(_M32))
        k0, k1 = (k0 + 0x9E3779B9) & _M32, (k1 + 0xBB67AE85) & _M32
    u = np.stack([c0, c1, c2, c3], axis=-1).reshape(B, 4 * blocks)[:, :n]
    return ((u * np.uint64(R)) >> np.uint64(32)).astype(np.int64)


def n_blocks_of(T: int) -> int:
    return max(1, int((T * MASK_RATIO) // BLOCK_SIZE))


def reference_loop(x: torch.Tensor, starts: Optional[np.ndarray] = None) -> torch.Tensor:
    """The seed page's apply_random_mask: a clone, then one slice write per block.

    Its starts come from ``np.random.randint(0, T - block_size)`` (one value fewer
    than ours allow); ``starts`` replaces them for validation.
    """
    B, _, T = x.shape
    x = x.clone()
    for i in range(B):
        for j in range(n_blocks_of(T)):
            s = int(starts[i, j]) if starts is not None else np.random.randint(0, T - BLOCK_SIZE)
            x[i, :, s:s + BLOCK_SIZE] = 0
    return x


def _mask_scatter_cumsum(starts: torch.Tensor, T: int) -> torch.Tensor:
    """[B, T] bool: +1 at each start, -1 past each block end, prefix sum > 0."""
    B = starts.shape[0]
    diff = torch.zeros(B, T + 1, dtype=torch.int32, device=starts.device)
    one = torch.ones_like(starts, dtype=torch.int32)
    diff.scatter_add_(1, starts, one)
    diff.scatter_add_(1, (starts + BLOCK_SIZE).clamp_(max=T), -one)
    return diff.cumsum(1, dtype=torch.int32)[:, :T] > 0


def _mask_arange(starts: torch.Tensor, T: int) -> torch.Tensor:
    """[B, T] bool: t in [s, s + block) for some start s ([B, n, T] comparisons)."""
    t = torch.arange(T, device=starts.device)
    s = starts.unsqueeze(-1)
    return ((t >= s) & (t < s + BLOCK_SIZE)).any(dim=1)


def pure_torch(x: torch.Tensor, build: Callable, starts: Optional[torch.Tensor] = None):
    B, _, T = x.shape
    if starts is None:
        starts = torch.randint(0, max(1, T - BLOCK_SIZE + 1), (B, n_blocks_of(T)), device=x.device)
    return x.masked_fill(build(starts, T).unsqueeze(1), 0)


def numpy_span_mask(starts: np.ndarray, T: int) -> np.ndarray:
    """[B, T] bool from starts [B, n], as transformers' _compute_mask_indices marks spans."""
    B = starts.shape[0]
    idx = (starts[:, :, None] + np.arange(BLOCK_SIZE)).reshape(B, -1)
    mask = np.zeros((B, T + BLOCK_SIZE), dtype=bool)  # room for spans past T
    np.put_along_axis(mask, idx, True, axis=1)
    return mask[:, :T]


def hf_numpy(x: torch.Tensor, starts: Optional[np.ndarray] = None) -> torch.Tensor:
    B, _, T = x.shape
    if starts is None:
        starts = np.random.randint(0, max(1, T - BLOCK_SIZE + 1), size=(B, n_blocks_of(T)))
    keep = torch.from_numpy(~numpy_span_mask(starts, T)).to(x.device)
    return x * keep.unsqueeze(1)


MASK_METHODS: Dict[str, str] = {
    "ours": "ours: apply_random_mask",
    "ours_return_mask": "ours: apply_random_mask(return_mask=True)",
    "ours_inplace": "ours: apply_random_mask(inplace=True)",
    "reference_loop": "reference loop (seed page, numpy RNG)",
    "torch_scatter": "pure torch: randint, scatter_add+cumsum, masked_fill",
    "torch_arange": "pure torch: randint, arange compare, masked_fill",
    "hf_numpy": "HF-style: numpy mask on host, copy, multiply",
    "clone": "x.clone() (bandwidth ceiling)",
}


def _mask_runners() -> Dict[str, Callable[[torch.Tensor], Any]]:
    return {
        "ours": lambda x: apply_random_mask(x, MASK_RATIO, BLOCK_SIZE),
        "ours_return_mask": lambda x: apply_random_mask(x, MASK_RATIO, BLOCK_SIZE,
                                                       return_mask=True),
        "ours_inplace": lambda x: apply_random_mask(x, MASK_RATIO, BLOCK_SIZE, inplace=True),
        "reference_loop": reference_loop,
        "torch_scatter": lambda x: pure_torch(x, _mask_scatter_cumsum),
        "torch_arange": lambda x: pure_torch(x, _mask_arange),
        "hf_numpy": hf_numpy,
        "clone": lambda x: x.clone(),
    }


def validate_mask(x0: torch.Tensor) -> Dict[str, bool]:
    """{method: validated}: ours against the numpy Philox mask, each other method,
    fed the same starts, against that (``torch.equal``)."""
    device = x0.device
    B, _, T = x0.shape
    gen = lambda: torch.Generator(device=device).manual_seed(MASK_SEED)  # noqa: E731
    seed = draw_seed(device, gen()).item() & (2**64 - 1)  # what apply_random_mask draws
    starts = philox_starts(seed, B, n_blocks_of(T), max(1, T - BLOCK_SIZE + 1))
    want_mask = torch.from_numpy(numpy_span_mask(starts, T)).to(device)
    want = x0.masked_fill(want_mask.unsqueeze(1), 0)
    out, mask = apply_random_mask(x0, MASK_RATIO, BLOCK_SIZE, generator=gen(), return_mask=True)
    plain = apply_random_mask(x0, MASK_RATIO, BLOCK_SIZE, generator=gen())
    xi = x0.clone()
    mask_i = apply_random_mask(xi, MASK_RATIO, BLOCK_SIZE, generator=gen(), inplace=True,
                               return_mask=True)[1]
    starts_t = torch.from_numpy(starts).to(device)
    return {
        "ours": torch.equal(plain, want),
        "ours_return_mask": torch.equal(out, want) and torch.equal(mask, want_mask),
        "ours_inplace": torch.equal(xi, want) and torch.equal(mask_i, want_mask),
        "reference_loop": torch.equal(reference_loop(x0, starts), want),
        "torch_scatter": torch.equal(pure_torch(x0, _mask_scatter_cumsum, starts_t), want),
        "torch_arange": torch.equal(pure_torch(x0, _mask_arange, starts_t), want),
        "hf_numpy": torch.equal(hf_numpy(x0, starts), want),
        "clone": torch.equal(x0.clone(), x0),
    }


def bench_mask(device: torch.device, plan: Plan, B: int, T: int, clock: Clock,
               methods: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    """One shape: validate every method, then time each over rotated inputs."""
    x0 = torch.randn(B, CHANNELS, T, device=device)
    valid = validate_mask(x0)
    copies = max(1, min(32, math.ceil(ROTATE_BYTES / max(1, x0.nbytes))))
    # One rotation shared by all methods: every call takes the next copy, so no
    # method reads a copy another has just pulled into cache.
    inputs = [x0.clone() for _ in range(copies)]
    pool = itertools.cycle(inputs)
    runners = _mask_runners()
    rows = measure_all(clock, [(key, lambda run=runners[key]: run(next(pool)), None)
                               for key in methods or list(MASK_METHODS)], plan,
                       after=fresh_outputs_hook(device, inputs + [x0]))
    for r in rows:
        r["validated"] = valid[r["method"]]
    clone, ours = row_of(rows, "clone"), row_of(rows, "ours")
    for r in rows:  # every method moves, usefully, what a copy of x moves
        r.update(shape=[B, CHANNELS, T], dtype="float32", bytes=2 * x0.nbytes,
                 gb_s=2 * x0.nbytes / r["time_s"] / 1e9, frac_of_clone=paired_ratio(clone, r),
                 x_ours=paired_ratio(r, ours), copies=copies)
    return rows
