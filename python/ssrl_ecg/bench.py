"""Side-by-side benchmarks of the ssrl_ecg ops against what a user would pick instead.

    python -m ssrl_ecg bench [--quick | --smoke] [--device cpu|cuda|all] [--out DIR]
    python -m ssrl_ecg.bench ...          (the same)

Every alternative runs in this one process and run, on the same data, each
validated before it is timed; a table gives each one's time as a ratio of ours
and, for masking, the fraction of the bandwidth ceiling (``x.clone()``) reached.

apply_random_mask (x [B, 12, T] float32, mask_ratio 0.15, block_size 50)
    ours            ``apply_random_mask``: out of place, ``return_mask=True``
                    (the op always makes the mask; this returns it), ``inplace=True``
    reference loop  the seed page's per-sample Python loop of slice writes, numpy RNG
    pure torch      starts by ``torch.randint`` on the device, a [B, T] mask by
                    scatter_add + cumsum, or by arange comparisons, then masked_fill
    HF-style        span mask made with numpy on the host (``np.put_along_axis``, as
                    transformers' ``_compute_mask_indices``), copied over, multiplied
    x.clone()       one read and one write of x: the bandwidth ceiling
    Shapes [64, 12, 1000] (the reference's training config), [256, 12, 5000] and a
    sweep of B at [B, 12, 1000]. Validation, per shape: the seed our op draws is run
    through Philox4x32-10 written here in numpy (SEMANTICS.md section 1); ours must
    give that mask exactly, and every other method, fed those starts, ours
    (``torch.equal``; the HF-style multiply may write -0.0 for 0).

multilabel_metrics (y_true uint8, y_prob float32 [N, C], C in {5, 71})
    ours, the scikit-learn reference of the seed page, torchmetrics' functional
    multilabel F1 (macro), AUROC (macro), recall and specificity (micro). Ours must
    match scikit-learn to 1e-9 (above scikit-learn's cap: a numpy mid-rank
    reference; on a GPU beyond that: our CPU op); torchmetrics, which works in
    float32, to 1e-5.

confusion_counts with K = 100 thresholds ``torch.linspace(0, 1, 100)`` (what
    torchmetrics' ``thresholds=100`` means) vs torchmetrics'
    ``multilabel_precision_recall_curve`` and its per-class binary loop; our counts
    must equal a sort-based torch reference exactly, torchmetrics' precision and
    recall ours to 1e-6.

Timing: a first call (warm-up, and the result that is validated), then rounds
that time every method once, in an order shuffled each round, until ``reps``
rounds or the time budget; the median is reported. A first call of an
alternative slower than ``slow_s`` is itself the measurement (scikit-learn at
large N). CPU times use ``time.perf_counter``; GPU times CUDA events around
back-to-back calls lasting ~1 ms. Mask inputs rotate over copies totalling
>= 256 MiB (at most 32), one rotation for all methods, so each call reads memory
no other call has just cached. glibc malloc's thresholds are pinned first
(``--malloc default`` leaves them; see ``pin_malloc``).

Caps (each skipped row says why), chosen so the full CPU run fits 24 GB and a
few minutes on 2 cores: scikit-learn and torchmetrics at N*C <= 7.1e7 and
N <= 1e6 (1e6 x 71 takes ~30 s a call each there), N*C <= 2e6 in --quick;
anything on the CPU at N*C <= 1e8 (1e7 x 71 float32 is 2.8 GB of scores and
~10 GB with the AUROC scratch; a GPU runs it); torchmetrics' multilabel binned
path materialises [N, C, K] int64 tensors and runs where ~25*N*C*K bytes fit in
half the free memory and 6 GB; its per-class loop (C*K passes over N) at
N*C <= 2e6 (1e6 in --quick).

Output in --out (default ``bench/results/<device-kind>/`` under the current
directory): results.json (environment and every figure), results.md (the tables
and the targets with pass/short), PNG plots (time vs size, log-log). Exit status
0 when every method that ran was validated, else 1.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import itertools
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import torch

from . import __version__, ops
from .utils import apply_random_mask, draw_seed, multilabel_metrics

MASK_RATIO = 0.15
BLOCK_SIZE = 50
CHANNELS = 12
K_BINNED = 100
ROTATE_BYTES = 256 << 20  # inputs rotate over copies this large in total
MASK_SEED = 1234          # seeds the generator the validation run draws our seed from


@dataclass(frozen=True)
class Plan:
    """What one mode runs: shapes, repeats and caps."""

    mode: str
    mask_shapes: Tuple[Tuple[int, int], ...]  # (B, T) of x [B, 12, T]
    sweep_b: Tuple[int, ...]                  # B of the sweep at [B, 12, 1000]
    metric_n: Tuple[int, ...]
    metric_c: Tuple[int, ...]
    binned: Tuple[Tuple[int, int], ...]       # (N, C) of the K = 100 comparison
    reps: int
    budget_s: float
    slow_s: float
    baseline_cap: int = 71_000_000  # N*C for scikit-learn and torchmetrics
    baseline_max_n: int = 1_000_000  # and N
    cpu_cap: int = 100_000_000      # N*C for anything on the CPU
    numpy_ref_cap: int = 100_000_000
    tm_loop_cap: int = 2_000_000    # N*C for torchmetrics' per-class binned loop


PLANS = {
    "full": Plan("full", ((64, 1000), (256, 5000)), (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
                 (1000, 10000, 21837, 100000, 1000000, 10000000), (5, 71),
                 ((21837, 71), (100000, 71), (1000000, 71)), reps=15, budget_s=1.5, slow_s=3.0),
    "quick": Plan("quick", ((64, 1000), (256, 5000)), (1, 8, 64, 256, 1024),
                  (1000, 21837, 100000), (5, 71), ((21837, 5),),
                  reps=7, budget_s=0.3, slow_s=1.0, baseline_cap=2_000_000,
                  tm_loop_cap=1_000_000),
    "smoke": Plan("smoke", ((64, 1000), (16, 5000)), (1, 8, 64), (1000, 5000), (5, 71),
                  ((1000, 5),), reps=3, budget_s=0.05, slow_s=0.5, baseline_cap=400_000,
                  tm_loop_cap=100_000),
}


# ---- timing ----------------------------------------------------------------------------


def pin_malloc() -> str:
    """Fixes glibc malloc's mmap and trim thresholds; returns what was done.

    By default glibc moves both thresholds as blocks are freed, so whether a
    3 MB output lands on memory the process still holds or on fresh pages (~750
    page faults, ~1 ms here) depends on what was allocated and freed before:
    in one unpinned run, ``apply_random_mask`` on [64, 12, 1000] took a median
    1.09 ms and the same call with ``return_mask=True`` 0.19 ms. Pinned, blocks under 32 MiB are reused as a caching
    allocator (jemalloc, tcmalloc) would, for every method alike; larger ones
    are still mapped fresh on every call, page faults included.
    """
    if not sys.platform.startswith("linux"):
        return "default (not Linux)"
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 32 << 20) and libc.mallopt(m_trim_threshold, 1 << 30)
    except (OSError, AttributeError):  # not glibc
        return "default (no mallopt)"
    return ("pinned: glibc M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD 1 GiB" if ok
            else "default (mallopt refused)")


class Clock:
    """Times calls: perf_counter on the CPU; on a GPU CUDA events around ``inner``
    back-to-back calls (after a sync), so that launch latency overlaps as in training."""

    def __init__(self, device: torch.device):
        self.cuda = device.type == "cuda"

    def __call__(self, fn: Callable[[], Any], inner: int = 1) -> Tuple[float, Any]:
        """(seconds per call, the last call's result)."""
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            start.record()
            for _ in range(inner):
                out = fn()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) / 1e3 / inner, out
        t0 = time.perf_counter()
        for _ in range(inner):
            out = fn()
        return (time.perf_counter() - t0) / inner, out


Method = Tuple[str, Callable[[], Any], Optional[Callable[[Any], Dict[str, Any]]]]


def measure_all(clock: Clock, methods: List[Method], plan: Plan) -> List[Dict[str, Any]]:
    """Times several methods side by side: (name, fn, check) each.

    First every method is called once, in order (a warm-up whose result ``check``
    validates; for the alternatives, a call slower than ``plan.slow_s`` is the
    measurement itself; ours, named ``ours...``, are always repeated). Then
    rounds time each remaining method once, in an order shuffled every round, so
    that drifts in machine load and what ran just before touch all alike, for
    ``plan.reps`` rounds or until the time budget (at least 3). A row holds ``check``'s fields, the median seconds per call ``time_s``, the
    repeats and their times. On a GPU a repeat is the mean of back-to-back calls
    lasting about 1 ms in all.
    """
    rows: List[Dict[str, Any]] = []
    live = []
    for name, fn, check in methods:
        first, out = clock(fn)
        row: Dict[str, Any] = dict(check(out)) if check else {}
        del out
        row["method"] = name
        if first >= plan.slow_s and not name.startswith("ours"):
            row.update(times_s=[first], note="single run (first call)")
        else:
            inner = max(1, min(100, int(1e-3 / max(first, 1e-6)))) if clock.cuda else 1
            row.update(times_s=[], calls_per_rep=inner)
            live.append((row, fn))
        rows.append(row)
    t_end = time.perf_counter() + plan.budget_s * max(1, len(live))
    order = random.Random(0)
    for i in range(plan.reps):
        if i >= 3 and time.perf_counter() > t_end:
            break
        order.shuffle(live)  # no method always runs first or right after another
        for row, fn in live:
            row["times_s"].append(clock(fn, row["calls_per_rep"])[0])
    for row in rows:
        row.update(time_s=statistics.median(row["times_s"]), reps=len(row["times_s"]))
    return rows


def skipped(method: str, why: str, **extra: Any) -> Dict[str, Any]:
    return dict(method=method, time_s=None, validated=None, note=f"skipped: {why}", **extra)


# ---- apply_random_mask: the alternatives ------------------------------------------------

_M32 = 0xFFFFFFFF


def philox_starts(seed: int, B: int, n: int, R: int) -> np.ndarray:
    """starts [B, n] of SEMANTICS.md section 1: Philox4x32-10 (cuRAND's stream), in numpy."""
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


METRIC_METHODS: Dict[str, str] = {
    "ours": "ours: multilabel_metrics",
    "sklearn": "scikit-learn reference (seed page)",
    "torchmetrics": "torchmetrics functional (F1, AUROC, recall, specificity)",
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
    pool = itertools.cycle([x0.clone() for _ in range(copies)])
    runners = _mask_runners()
    rows = measure_all(clock, [(key, lambda run=runners[key]: run(next(pool)), None)
                               for key in methods or list(MASK_METHODS)], plan)
    for r in rows:
        r["validated"] = valid[r["method"]]
    clone_t = next(r["time_s"] for r in rows if r["method"] == "clone")
    ours_t = next(r["time_s"] for r in rows if r["method"] == "ours")
    for r in rows:  # every method moves, usefully, what a copy of x moves
        r.update(shape=[B, CHANNELS, T], dtype="float32", bytes=2 * x0.nbytes,
                 gb_s=2 * x0.nbytes / r["time_s"] / 1e9, frac_of_clone=clone_t / r["time_s"],
                 x_ours=r["time_s"] / ours_t, copies=copies)
    del pool
    return rows


# ---- multilabel_metrics: the alternatives -------------------------------------------------


def sklearn_reference(y_true: np.ndarray, y_prob: np.ndarray, threshold: float = 0.5) -> Dict:
    """The seed page's multilabel_metrics, on numpy and scikit-learn (C >= 2)."""
    from sklearn.metrics import f1_score, roc_auc_score

    y_pred = (y_prob >= threshold).astype(int)
    f1 = f1_score(y_true, y_pred, average="macro", zero_division=0)
    aucs = [roc_auc_score(y_true[:, c], y_prob[:, c]) for c in range(y_true.shape[1])
            if len(np.unique(y_true[:, c])) >= 2]
    auroc = float(np.mean(aucs)) if aucs else math.nan
    tp = int(((y_pred == 1) & (y_true == 1)).sum())
    fn = int(((y_pred == 0) & (y_true == 1)).sum())
    tn = int(((y_pred == 0) & (y_true == 0)).sum())
    fp = int(((y_pred == 1) & (y_true == 0)).sum())
    return {"f1_macro": float(f1), "auroc_macro": auroc,
            "sensitivity_micro": tp / (tp + fn + 1e-8), "specificity_micro": tn / (tn + fp + 1e-8)}


def numpy_reference(y_true: np.ndarray, y_prob: np.ndarray, threshold: float = 0.5) -> Dict:
    """The same four figures from counts and mid-ranks (Mann-Whitney), in numpy."""
    pred = y_prob >= threshold
    pos = y_true.astype(bool)
    tp = (pred & pos).sum(0).astype(np.float64)
    fp = (pred & ~pos).sum(0).astype(np.float64)
    fn = (~pred & pos).sum(0).astype(np.float64)
    tn = (~pred & ~pos).sum(0).astype(np.float64)
    denom = 2 * tp + fp + fn
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    aucs = []
    for c in range(y_true.shape[1]):
        order = np.argsort(y_prob[:, c], kind="stable")
        p, y = y_prob[order, c], pos[order, c]
        n_pos = int(y.sum())
        if n_pos in (0, len(y)):
            continue
        cut = np.flatnonzero(np.diff(p)) + 1  # tie groups [start, end)
        start, end = np.r_[0, cut], np.r_[cut, len(p)]
        ranks = np.repeat((start + end + 1) / 2.0, end - start)  # 1-based mid-ranks
        u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
        aucs.append(u / (n_pos * (len(y) - n_pos)))
    return {"f1_macro": float(f1.mean()), "auroc_macro": float(np.mean(aucs)) if aucs else math.nan,
            "sensitivity_micro": tp.sum() / (tp.sum() + fn.sum() + 1e-8),
            "specificity_micro": tn.sum() / (tn.sum() + fp.sum() + 1e-8)}


def _have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _torchmetrics():
    try:
        import torchmetrics.functional.classification as tmf
    except ImportError:
        return None
    return tmf


def torchmetrics_metrics(tmf, y: torch.Tensor, p: torch.Tensor) -> Dict[str, float]:
    C = p.shape[1]
    return {
        "f1_macro": tmf.multilabel_f1_score(p, y, num_labels=C, threshold=0.5,
                                            average="macro").item(),
        "auroc_macro": tmf.multilabel_auroc(p, y, num_labels=C, average="macro").item(),
        "sensitivity_micro": tmf.multilabel_recall(p, y, num_labels=C, average="micro").item(),
        "specificity_micro": tmf.multilabel_specificity(p, y, num_labels=C, average="micro").item(),
    }


def _max_diff(a: Dict[str, float], b: Dict[str, float]) -> float:
    return max(abs(a[k] - b[k]) for k in a)


def synthetic_scores(N: int, C: int, device: torch.device, seed: int = 0):
    """(y_true uint8, y_prob float32) [N, C]; labels depend on the scores (AUROC ~0.94)."""
    g = torch.Generator(device=device).manual_seed(seed)
    p = torch.rand(N, C, generator=g, device=device)
    y = ((p + 0.6 * torch.rand(N, C, generator=g, device=device)) > 0.9).to(torch.uint8)
    return y, p


def bench_metrics(device: torch.device, plan: Plan, N: int, C: int, clock: Clock,
                  tmf) -> List[Dict[str, Any]]:
    NC = N * C
    base = dict(N=N, C=C, bytes=5 * NC)
    y, p = synthetic_scores(N, C, device)
    on_host = lambda t: t.cpu().numpy()  # noqa: E731  (free on the CPU)

    # the reference, which every result is checked against
    baseline_ok = NC <= plan.baseline_cap and N <= plan.baseline_max_n
    cap_why = (f"N*C > {plan.baseline_cap:.3g} or N > {plan.baseline_max_n:.3g} "
               f"({plan.mode} cap)")
    if baseline_ok and _have("sklearn"):
        ref_name, ref_fn = "scikit-learn", lambda: sklearn_reference(on_host(y), on_host(p))
    elif NC <= plan.numpy_ref_cap:
        ref_name, ref_fn = "numpy mid-rank reference", None
    else:
        ref_name, ref_fn = "our CPU op", None
    ref: Dict[str, float] = {}
    methods: List[Method] = []
    rows: List[Dict[str, Any]] = []
    if ref_fn is not None:  # first, so that ref is known when the others are checked

        def keep(out):
            ref.update(out)
            return {"validated": True, "reference": "itself"}

        methods.append(("sklearn", ref_fn, keep))
    else:
        why = cap_why if _have("sklearn") else "scikit-learn is not installed"
        rows.append(skipped("sklearn", why))
        if ref_name.startswith("numpy"):
            ref = numpy_reference(on_host(y), on_host(p))
        else:
            ref = multilabel_metrics(y.cpu(), p.cpu())

    def check(tol):
        return lambda out: {"max_abs_diff": _max_diff(out, ref), "reference": ref_name,
                            "validated": _max_diff(out, ref) <= tol, "values": out}

    methods.append(("ours", lambda: multilabel_metrics(y, p), check(1e-9)))
    if tmf is None:
        rows.append(skipped("torchmetrics", "torchmetrics is not installed"))
    elif not baseline_ok:
        rows.append(skipped("torchmetrics", cap_why))
    else:
        methods.append(("torchmetrics", lambda: torchmetrics_metrics(tmf, y, p), check(1e-5)))
    rows = _measure_or_drop(clock, methods, plan, "torchmetrics") + rows
    ours_t = _time(rows, "ours")
    for r in rows:
        r.update(base)
        if r["time_s"] is not None:
            r.update(x_ours=r["time_s"] / ours_t, gb_s=5 * NC / r["time_s"] / 1e9)
    return rows


def _measure_or_drop(clock: Clock, methods: List[Method], plan: Plan,
                     prefix: str) -> List[Dict[str, Any]]:
    """measure_all; if a method named ``prefix...`` runs out of memory, again without it."""
    try:
        return measure_all(clock, methods, plan)
    except torch.OutOfMemoryError:
        kept = [m for m in methods if not m[0].startswith(prefix)]
        if len(kept) == len(methods):
            raise
        if clock.cuda:
            torch.cuda.empty_cache()
        return measure_all(clock, kept, plan) + [skipped(m[0], "out of memory")
                                                 for m in methods if m not in kept]


# ---- confusion_counts with K = 100 vs torchmetrics' binned path ---------------------------


def sorted_counts(y: torch.Tensor, p: torch.Tensor, th: torch.Tensor) -> torch.Tensor:
    """[C, K, 4] (TP, FP, TN, FN) of p >= th by sorting each class (independent of ours)."""
    out = []
    for c in range(p.shape[1]):
        pos = y[:, c].bool()
        sp, sn = p[pos, c].sort().values, p[~pos, c].sort().values
        tp = sp.numel() - torch.searchsorted(sp, th, right=False)  # count of scores >= th
        fp = sn.numel() - torch.searchsorted(sn, th, right=False)
        out.append(torch.stack([tp, fp, sn.numel() - fp, sp.numel() - tp], dim=1))
    return torch.stack(out).to(torch.int64)


def _precision_recall(counts: torch.Tensor):
    """[C, K] precision and recall; NaN where nothing is predicted (as torchmetrics)."""
    tp, fp, _, fn = counts.to(torch.float64).unbind(-1)
    return tp / (tp + fp), tp / (tp + fn)


def _nan_aware_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| where both are numbers; inf where only one is NaN."""
    a, b = a.double().cpu(), b.double().cpu()
    if not torch.equal(a.isnan(), b.isnan()):
        return math.inf
    d = (a - b).abs()[~a.isnan()]
    return d.max().item() if d.numel() else 0.0


def _tm_multilabel_binned(tmf, y, p, th):
    prec, rec, _ = tmf.multilabel_precision_recall_curve(p, y, num_labels=p.shape[1], thresholds=th)
    return prec[:, :-1], rec[:, :-1]  # torchmetrics appends precision 1 / recall 0


def _tm_binary_loop(tmf, y, p, th):
    curves = [tmf.binary_precision_recall_curve(p[:, c], y[:, c], thresholds=th)
              for c in range(p.shape[1])]
    return (torch.stack([c[0][:-1] for c in curves]), torch.stack([c[1][:-1] for c in curves]))


def _free_bytes(device: torch.device) -> int:
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    with open("/proc/meminfo") as f:
        info = dict(line.split(":", 1) for line in f)
    return int(info["MemAvailable"].split()[0]) * 1024


def bench_binned(device: torch.device, plan: Plan, N: int, C: int, clock: Clock,
                 tmf) -> List[Dict[str, Any]]:
    y, p = synthetic_scores(N, C, device, seed=1)
    th32 = torch.linspace(0, 1, K_BINNED, device=device)
    th64 = th32.to(torch.float64)  # exactly the same thresholds, for ours
    want = sorted_counts(y, p, th32)
    prec_rec: Dict[str, torch.Tensor] = {}

    def ours_check(out):
        prec_rec["p"], prec_rec["r"] = _precision_recall(out)
        return {"validated": torch.equal(out, want), "reference": "sort-based torch counts"}

    def tm_check(out):  # runs after ours_check
        diff = max(_nan_aware_diff(out[0], prec_rec["p"]), _nan_aware_diff(out[1], prec_rec["r"]))
        return {"validated": diff <= 1e-6, "max_abs_diff": diff, "reference": "ours"}

    methods: List[Method] = [("ours_counts", lambda: ops.confusion_counts(y, p, th64), ours_check)]
    rows: List[Dict[str, Any]] = []
    tm_rows = [("tm_multilabel_binned", _tm_multilabel_binned,
                25 * N * C * K_BINNED > min(_free_bytes(device) // 2, 6 << 30),
                "materialises [N, C, K] int64 (~25*N*C*K bytes)"),
               ("tm_binary_loop", _tm_binary_loop, N * C > plan.tm_loop_cap,
                f"N*C > {plan.tm_loop_cap:.3g} ({plan.mode} cap: C*K passes over N)")]
    for name, fn, too_big, why in tm_rows:
        if tmf is None:
            rows.append(skipped(name, "torchmetrics is not installed"))
        elif too_big:
            rows.append(skipped(name, why))
        else:
            methods.append((name, lambda fn=fn: fn(tmf, y, p, th32), tm_check))
    rows = _measure_or_drop(clock, methods, plan, "tm_") + rows
    ours_t = _time(rows, "ours_counts")
    for r in rows:
        r.update(N=N, C=C, K=K_BINNED)
        if r["time_s"] is not None:
            r["x_ours"] = r["time_s"] / ours_t
    return rows


# ---- targets -------------------------------------------------------------------------------


def _time(rows: List[Dict], method: str, **where: Any) -> Optional[float]:
    for r in rows:
        if r["method"] == method and all(r.get(k) == v for k, v in where.items()):
            return r["time_s"]
    return None


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b is not None else None


def evaluate_targets(devices: Dict[str, Dict[str, List[Dict]]]) -> List[Dict[str, Any]]:
    """The issue's targets, each with its measured value and pass / short / n/a."""
    out: List[Dict[str, Any]] = []

    def target(device, name, value, goal, unit=""):
        op, limit = goal
        status = "n/a" if value is None else (
            "pass" if (value <= limit if op == "<=" else value >= limit) else "short")
        out.append(dict(device=device, target=name, value=value, goal=f"{op} {limit:g}{unit}",
                        status=status))

    big, small = [256, CHANNELS, 5000], [64, CHANNELS, 1000]
    for dev, res in devices.items():
        mask, metrics = res.get("mask", []), res.get("metrics", [])
        ours_big = _time(mask, "ours", shape=big)
        if dev == "cpu":
            target(dev, "mask [256,12,5000] f32 out of place: time / x.clone()",
                   _ratio(ours_big, _time(mask, "clone", shape=big)), ("<=", 1.2), "x")
            target(dev, "mask [256,12,5000] f32 in place: time / x.clone()",
                   _ratio(_time(mask, "ours_inplace", shape=big), _time(mask, "clone", shape=big)),
                   ("<=", 0.3), "x")
            target(dev, "mask [64,12,1000]: reference loop / ours",
                   _ratio(_time(mask, "reference_loop", shape=small),
                          _time(mask, "ours", shape=small)),
                   (">=", 5), "x")
            for N in (21837, 1000000):
                target(dev, f"multilabel_metrics [{N},71]: scikit-learn / ours",
                       _ratio(_time(metrics, "sklearn", N=N, C=71),
                              _time(metrics, "ours", N=N, C=71)),
                       (">=", 20), "x")
            continue
        target(dev, "mask [256,12,5000] f32 out of place: fraction of copy bandwidth (x.clone())",
               _ratio(_time(mask, "clone", shape=big), ours_big), (">=", 0.85))
        for shape in (small, big):
            name = f"[{shape[0]},12,{shape[2]}]"
            ours = _time(mask, "ours", shape=shape)
            target(dev, f"mask {name}: reference loop / ours",
                   _ratio(_time(mask, "reference_loop", shape=shape), ours), (">=", 500), "x")
            best = [t for t in (_time(mask, "torch_scatter", shape=shape),
                                _time(mask, "torch_arange", shape=shape)) if t is not None]
            target(dev, f"mask {name}: best pure torch / ours",
                   _ratio(min(best) if best else None, ours), (">=", 3), "x")
        ours_m = _time(metrics, "ours", N=1000000, C=71)
        target(dev, "multilabel_metrics [1000000,71]: time (ms)",
               None if ours_m is None else ours_m * 1e3, ("<=", 3), " ms")
        target(dev, "multilabel_metrics [1000000,71]: torchmetrics / ours",
               _ratio(_time(metrics, "torchmetrics", N=1000000, C=71), ours_m), (">=", 20), "x")
    return out


# ---- environment and reports --------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(devices: List[torch.device], plan: Plan) -> Dict[str, Any]:
    def version(module):
        try:
            return __import__(module).__version__
        except ImportError:
            return None

    env = dict(date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               mode=plan.mode, cpu=_cpu_model(), cores=os.cpu_count(),
               cores_usable=(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                             else None),
               torch_threads=torch.get_num_threads(),
               omp_num_threads=os.environ.get("OMP_NUM_THREADS"),
               torch=torch.__version__, ssrl_ecg=__version__,
               numpy=np.__version__, sklearn=version("sklearn"),
               torchmetrics=version("torchmetrics"),
               python=platform.python_version(), platform=platform.platform(),
               load_average=os.getloadavg() if hasattr(os, "getloadavg") else None)
    env["device_names"] = {"cpu": env["cpu"]}
    if any(d.type == "cuda" for d in devices):
        props = torch.cuda.get_device_properties(0)
        env.update(gpu=torch.cuda.get_device_name(0), gpu_memory_gb=props.total_memory / 1e9,
                   cuda=torch.version.cuda)
        env["device_names"]["cuda"] = env["gpu"]
    return env


def device_kind(devices: List[torch.device]) -> str:
    if any(d.type == "cuda" for d in devices):
        name = torch.cuda.get_device_name(0).lower()
        return "cuda-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return "cpu"


def _ms(t: Optional[float]) -> str:
    if t is None:
        return "n/a"
    return f"{t * 1e3:.3g}" if t * 1e3 < 1000 else f"{t * 1e3:,.0f}"


def _x(v: Optional[float]) -> str:
    return "n/a" if v is None else (f"{v:.3g}x" if v < 1000 else f"{v:,.0f}x")


def _ok(r: Dict) -> str:
    if r.get("validated") is None:
        return r.get("note", "")
    mark = "yes" if r["validated"] else "**NO**"
    if "max_abs_diff" in r:
        mark += f" ({r['max_abs_diff']:.1e})"
    return mark + (f"; {r['note']}" if r.get("note") else "")


def markdown(results: Dict[str, Any]) -> str:
    env = results["env"]
    lines = [f"# ssrl_ecg benchmarks ({env['mode']})", ""]
    for key in ("date", "cpu", "cores", "cores_usable", "torch_threads", "omp_num_threads", "gpu",
                "torch", "cuda", "ssrl_ecg", "numpy", "sklearn", "torchmetrics", "malloc",
                "load_average"):
        if env.get(key) is not None:
            lines.append(f"- {key}: {env[key]}")
    lines += ["", "## Targets", "", "| device | target | measured | goal | status |",
              "|---|---|---|---|---|"]
    for t in results["targets"]:
        v = "n/a" if t["value"] is None else f"{t['value']:.3g}"
        lines.append(f"| {t['device']} | {t['target']} | {v} | {t['goal']} | {t['status']} |")
    for dev, res in results["devices"].items():
        lines += ["", f"## apply_random_mask on {dev} ({env['device_names'][dev]})"]
        by_shape: Dict[str, List[Dict]] = {}
        for r in res["mask"]:
            by_shape.setdefault(str(r["shape"]), []).append(r)
        for shape, rows in by_shape.items():
            lines += ["", f"x {shape} float32, mask_ratio {MASK_RATIO}, block {BLOCK_SIZE} "
                          f"(inputs rotated over {rows[0]['copies']} copies)", "",
                      "| method | median ms | reps | time / ours | time / x.clone() | GB/s "
                      "| of clone BW | validated |", "|---|---|---|---|---|---|---|---|"]
            for r in rows:
                lines.append(f"| {MASK_METHODS[r['method']]} | {_ms(r['time_s'])} | {r['reps']} | "
                             f"{_x(r['x_ours'])} | {_x(1 / r['frac_of_clone'])} | "
                             f"{r['gb_s']:.3g} | {100 * r['frac_of_clone']:.0f}% | {_ok(r)} |")
        sweep = res["mask_sweep"]
        methods = list(dict.fromkeys(r["method"] for r in sweep))
        lines += ["", "B sweep, x [B, 12, 1000] float32: median ms", "",
                  "| B | " + " | ".join(methods)
                  + " | ours GB/s | ours of clone BW | all validated |",
                  "|---" * (len(methods) + 4) + "|"]
        for B in sorted({r["shape"][0] for r in sweep}):
            rows = {r["method"]: r for r in sweep if r["shape"][0] == B}
            lines.append(f"| {B} | " + " | ".join(_ms(rows[m]["time_s"]) for m in methods)
                         + f" | {rows['ours']['gb_s']:.3g}"
                         + f" | {100 * rows['ours']['frac_of_clone']:.0f}%"
                         + f" | {all(r['validated'] for r in rows.values())} |")
        lines += ["", f"## multilabel_metrics on {dev}: median ms (time / ours)", "",
                  "| N | C | ours | ours GB/s | scikit-learn | torchmetrics "
                  "| validated (max abs diff) |",
                  "|---|---|---|---|---|---|---|"]
        lines += _grouped(res["metrics"], ("sklearn", "torchmetrics"), gbs=True)
        lines += ["", f"## confusion_counts, K = {K_BINNED} thresholds, on {dev}: median ms "
                      "(time / ours)", "",
                  "| N | C | ours | torchmetrics multilabel binned | torchmetrics binary loop "
                  "| validated |", "|---|---|---|---|---|---|"]
        lines += _grouped(res["binned"], ("tm_multilabel_binned", "tm_binary_loop"), gbs=False)
    lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    return "\n".join(lines) + "\n"


def _grouped(rows: List[Dict], others: Tuple[str, ...], gbs: bool) -> List[str]:
    lines = []
    for key in dict.fromkeys((r["N"], r["C"]) for r in rows):
        group = {r["method"]: r for r in rows if (r["N"], r["C"]) == key}
        ours = next(r for m, r in group.items() if m.startswith("ours"))
        cells = [str(key[0]), str(key[1]), _ms(ours["time_s"])]
        if gbs:
            cells.append(f"{ours['gb_s']:.3g}")
        for m in others:
            r = group[m]
            cells.append(r["note"] if r["time_s"] is None
                         else f"{_ms(r['time_s'])} ({_x(r['x_ours'])})")
        cells.append("; ".join(f"{m}: {_ok(r)}" for m, r in group.items()
                               if r.get("validated") is not None))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def plots(results: Dict[str, Any], out: Path) -> List[str]:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        results["notes"].append("no plots: matplotlib is not installed")
        return []
    written = []

    def figure(series, xlabel, title, path):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, pts in series.items():
            pts = [(x, t) for x, t in pts if t is not None]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("median time (s)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path.name)

    for dev, res in results["devices"].items():
        series: Dict[str, List] = {}
        for r in res["mask_sweep"]:
            series.setdefault(MASK_METHODS[r["method"]], []).append((r["shape"][0], r["time_s"]))
        figure(series, "B (x [B, 12, 1000] float32)", f"apply_random_mask on {dev}",
               out / f"mask_sweep_{dev}.png")
        for C in sorted({r["C"] for r in res["metrics"]}):
            series = {label: [] for label in METRIC_METHODS.values()}
            for r in res["metrics"]:
                if r["C"] == C:
                    series[METRIC_METHODS[r["method"]]].append((r["N"], r["time_s"]))
            figure(series, f"N (y_prob [N, {C}] float32)", f"multilabel_metrics on {dev}, C = {C}",
                   out / f"metrics_c{C}_{dev}.png")
    return written


def _json_safe(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# ---- the run ----------------------------------------------------------------------------------


def _warm_up(device: torch.device, tmf) -> None:
    """First-call costs (imports, thread pools, CUDA context) outside every timing."""
    y, p = synthetic_scores(64, 5, device)
    multilabel_metrics(y, p)
    apply_random_mask(torch.randn(2, CHANNELS, 200, device=device), MASK_RATIO, BLOCK_SIZE)
    if _have("sklearn"):
        sklearn_reference(y.cpu().numpy(), p.cpu().numpy())
    if tmf is not None:
        torchmetrics_metrics(tmf, y, p)
    if device.type == "cuda":
        torch.cuda.synchronize()


def _cases(devices, plan, tmf, results):
    """(label, thunk) per benchmark case; each thunk appends its rows to results."""
    cases = []
    for device in devices:
        dev, clock = device.type, Clock(device)
        res = results["devices"].setdefault(
            dev, {"mask": [], "mask_sweep": [], "metrics": [], "binned": []})
        for B, T in plan.mask_shapes:
            cases.append((f"{dev} mask [{B},12,{T}]", lambda d=device, c=clock, r=res, B=B, T=T:
                          r["mask"].extend(bench_mask(d, plan, B, T, c))))
        for B in plan.sweep_b:
            cases.append((f"{dev} mask sweep B={B}", lambda d=device, c=clock, r=res, B=B:
                          r["mask_sweep"].extend(bench_mask(d, plan, B, 1000, c))))
        for C in plan.metric_c:
            for N in plan.metric_n:
                if dev == "cpu" and N * C > plan.cpu_cap:
                    continue
                cases.append((f"{dev} metrics [{N},{C}]", lambda d=device, c=clock, r=res, N=N, C=C:
                              r["metrics"].extend(bench_metrics(d, plan, N, C, c, tmf))))
        for N, C in plan.binned:
            cases.append((f"{dev} counts K=100 [{N},{C}]",
                          lambda d=device, c=clock, r=res, N=N, C=C:
                          r["binned"].extend(bench_binned(d, plan, N, C, c, tmf))))
    return cases


def _notes(plan: Plan, tmf, skipped_cuda: bool) -> List[str]:
    notes = [
        f"mode {plan.mode}: up to {plan.reps} timed repeats after a first call, taken in "
        f"turns across the methods of a case, within {plan.budget_s} s per method (at least "
        f"3); an alternative's first call over {plan.slow_s} s is its measurement.",
        "mask bandwidth: every method is charged 2 x the bytes of x (one read, one write); "
        "'of clone BW' = time(x.clone()) / time, so in place can exceed 100%.",
        "the reference loop draws starts in [0, T - block_size), ours (and the pure-torch and "
        "HF-style rows) in [0, T - block_size]; validation feeds every method our starts.",
        f"caps: scikit-learn and torchmetrics at N*C <= {plan.baseline_cap:.3g} and N <= "
        f"{plan.baseline_max_n:.3g}; the CPU at "
        f"N*C <= {plan.cpu_cap:.3g} (1e7 x 71 is 2.8 GB of float32 scores, ~10 GB with the AUROC "
        f"scratch); above the scikit-learn cap ours is checked against a numpy mid-rank "
        f"reference (N*C <= {plan.numpy_ref_cap:.3g}), beyond that (GPU) against our CPU op.",
        "torchmetrics rows use its defaults (validate_args=True) and work in float32: agreement "
        "to 1e-5 is required of them, 1e-9 of ours.",
        f"confusion_counts K={K_BINNED}: thresholds torch.linspace(0, 1, {K_BINNED}) (float32, "
        "what torchmetrics' thresholds=100 builds), float64 copies of them for ours.",
        "metrics inputs are not rotated: [21837, 71] fits in a GPU's L2, as it does in practice.",
    ]
    if tmf is None:
        notes.append("torchmetrics is not installed: its rows are n/a (pip install torchmetrics).")
    if skipped_cuda:
        notes.append("no CUDA device: CUDA rows and GPU targets skipped.")
    return notes


def main(argv: Optional[List[Any]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ssrl_ecg bench",
                                     description="Side-by-side benchmarks (see ssrl_ecg.bench).")
    parser.add_argument("--quick", action="store_true", help="smaller sweep (well under a minute)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, seconds (for tests); wins over --quick")
    parser.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                        help="cpu rows always with all; cuda rows where a GPU is present")
    parser.add_argument("--out", default=None,
                        help="output folder (default bench/results/<device-kind>/)")
    parser.add_argument("--malloc", choices=("pinned", "default"), default="pinned",
                        help="pinned (default): fix glibc's mmap/trim thresholds so that "
                             "page faults do not depend on allocation history (see pin_malloc)")
    argv = sys.argv[1:] if argv is None else [os.fspath(a) for a in argv]
    if argv[:1] == ["--"]:  # python -m ssrl_ecg bench -- --quick
        argv = argv[1:]
    args = parser.parse_args(argv)
    plan = PLANS["smoke" if args.smoke else "quick" if args.quick else "full"]

    devices = [torch.device("cpu")] if args.device in ("cpu", "all") else []
    skipped_cuda = False
    if args.device in ("cuda", "all"):
        if torch.cuda.is_available():
            devices.append(torch.device("cuda"))
        elif args.device == "cuda":
            print("ssrl_ecg bench: --device cuda but no CUDA device is available")
            return 1
        else:
            skipped_cuda = True
    out = Path(args.out) if args.out else Path("bench") / "results" / device_kind(devices)
    out.mkdir(parents=True, exist_ok=True)

    from tqdm import tqdm

    malloc = pin_malloc() if args.malloc == "pinned" else "default"

    tmf = _torchmetrics()
    np.random.seed(0)
    torch.manual_seed(0)
    t_start = time.perf_counter()
    for device in devices:
        _warm_up(device, tmf)
    results: Dict[str, Any] = {"env": dict(environment(devices, plan), malloc=malloc),
                               "plan": plan.__dict__,
                               "devices": {}, "notes": _notes(plan, tmf, skipped_cuda)}
    cases = _cases(devices, plan, tmf, results)
    bar = tqdm(cases, desc="ssrl_ecg bench", unit="case")
    for label, run in bar:
        bar.set_postfix_str(label)
        run()
    results["targets"] = evaluate_targets(results["devices"])
    ran = [r for res in results["devices"].values() for rows in res.values() for r in rows
           if r.get("validated") is not None]
    results["validated"] = all(r["validated"] for r in ran)
    results["wall_s"] = time.perf_counter() - t_start
    results["plots"] = plots(results, out)
    (out / "results.json").write_text(json.dumps(_json_safe(results), indent=1) + "\n")
    report = markdown(results)
    (out / "results.md").write_text(report)
    print(report)
    print(f"wrote {out}/results.json, results.md and {len(results['plots'])} plots "
          f"in {results['wall_s']:.0f} s; all validated: {results['validated']}")
    return 0 if results["validated"] else 1


if __name__ == "__main__":
    sys.exit(main())
