"""What every benchmark shares: the settings, the plans and the timing."""

from __future__ import annotations

import ctypes
import math
import os
import random
import statistics
import sys
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch


MASK_RATIO = 0.15
BLOCK_SIZE = 50
CHANNELS = 12
K_BINNED = 100
ROTATE_BYTES = 256 << 20  # inputs rotate over copies this large in total (32 at most)
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
    # issue 11 (bench/streaming.py): MultilabelMetrics at [N, 71], confusion_counts
    # K = 1002 vs K = 1 at [N, 71], multilabel_metrics idle / one core busy
    stream_n: Tuple[int, ...] = (200000, 1000000)
    counts_k_n: int = 200000
    busy_n: int = 21837


PLANS = {
    # 31 repeats: on a noisy 2-core VM the median of 15 moved the short target
    # rows by +-15% from run to run (the transformers row read 7.3-9.8x in
    # three runs); cases past the time budget stop earlier anyway.
    "full": Plan("full", ((64, 1000), (256, 5000)), (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
                 (1000, 10000, 21837, 100000, 1000000, 10000000), (5, 71),
                 ((21837, 71), (100000, 71), (1000000, 71)), reps=31, budget_s=1.5, slow_s=3.0),
    "quick": Plan("quick", ((64, 1000), (256, 5000)), (1, 8, 64, 256, 1024),
                  (1000, 21837, 100000), (5, 71), ((21837, 5),),
                  reps=7, budget_s=0.3, slow_s=1.0, baseline_cap=2_000_000,
                  tm_loop_cap=1_000_000, stream_n=(20000,), counts_k_n=20000),
    # Only what the target table needs, for the GPU proof (tests/gpu_check.sh).
    "targets": Plan("targets", ((64, 1000), (256, 5000)), (1, 256), (1000000,), (71,),
                    ((21837, 5),), reps=7, budget_s=0.3, slow_s=1.0, tm_loop_cap=100_000,
                    stream_n=(1000000,)),
    "smoke": Plan("smoke", ((64, 1000), (16, 5000)), (1, 8, 64), (1000, 5000), (5, 71),
                  ((1000, 5),), reps=3, budget_s=0.05, slow_s=0.5, baseline_cap=400_000,
                  tm_loop_cap=100_000, stream_n=(2000,), counts_k_n=2000, busy_n=1000),
}


# ---- timing ----------------------------------------------------------------------------


def pin_malloc() -> str:
    """Fixes glibc malloc's mmap and trim thresholds; returns what was done.

    By default glibc moves both thresholds as blocks are freed, so whether a
    3 MB output lands on memory the process still holds or on fresh pages (~750
    page faults, ~1 ms here) depends on what was allocated and freed before:
    in one unpinned run, ``apply_random_mask`` on [64, 12, 1000] took a median
    1.09 ms and the same call with ``return_mask=True`` 0.19 ms. Pinned, blocks
    under 32 MiB are reused as a caching allocator (jemalloc, tcmalloc) would,
    for every method alike; larger ones are still mapped fresh on every call,
    page faults included.
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


FRESH_BYTES = 32 << 20  # pin_malloc's mmap threshold: outputs this large are fresh pages
MAX_PLUGS = 64  # heap_scrubber's held slices: 2 GiB of address space, no resident pages
_MADV_DONTNEED = 4


def _page_dropper() -> Optional[Callable[[int, int], None]]:
    """``drop(start, size)``: hands the whole pages inside [start, start + size)
    back to the system (``madvise(MADV_DONTNEED)``: they read as zeros and
    fault again when touched). None without madvise."""
    try:
        madvise = ctypes.CDLL(None).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    page = os.sysconf("SC_PAGE_SIZE")

    def drop(start: int, size: int) -> None:
        lo = -(-start // page) * page  # whole pages inside the block only
        hi = (start + size) // page * page
        if hi > lo:
            madvise(lo, hi - lo, _MADV_DONTNEED)

    return drop


def fresh_outputs_hook(device: torch.device, keep: List[torch.Tensor]
                       ) -> Optional[Callable[[Any], None]]:
    """On a Linux CPU: ``after(out)``, run untimed on every call's result before
    it is freed, which hands the pages of each tensor in ``out`` of FRESH_BYTES
    or more back to the system (``madvise(MADV_DONTNEED)``), unless it shares
    memory with one of ``keep`` (the inputs: an in-place method returns x),
    and, when ``out`` holds such a tensor, then scrubs the heap
    (``heap_scrubber``) while the result is still held.

    pin_malloc promises that such outputs are fresh pages on every call, but
    glibc maps a block freshly only when no free heap region fits it: once
    freed blocks under the threshold had coalesced into a region of 61 MB
    (after the metrics groups, or any scikit-learn call), ``x.clone()`` and
    every mask at [256,12,5000] were served from it with no page fault (12.7
    -> 4.8 ms halfway through one full run). Dropping the pages of the large
    outputs keeps the promise for them alone; smaller blocks (a [B, C, T] bool
    mask of 15 MB) are still reused as a caching allocator would. None where
    it does not apply."""
    if device.type != "cpu" or not sys.platform.startswith("linux"):
        return None
    drop = _page_dropper()
    if drop is None:
        return None
    scrub = heap_scrubber(device, FRESH_BYTES) or (lambda: None)
    kept = {t.untyped_storage().data_ptr() for t in keep}

    def after(out: Any) -> None:
        large = False
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if not isinstance(t, torch.Tensor) or t.device.type != "cpu":
                continue
            storage = t.untyped_storage()
            start, size = storage.data_ptr(), storage.nbytes()
            if size < FRESH_BYTES:
                continue
            large = True
            if start not in kept:
                drop(start, size)
        if large:
            scrub()

    return after


def heap_scrubber(device: torch.device, out_bytes: int) -> Optional[Callable[[], None]]:
    """On a Linux CPU with glibc, when the benchmark's outputs are ``out_bytes``
    >= FRESH_BYTES: ``scrub()``, which fresh_outputs_hook runs untimed after
    each call with a large output (while the call's outputs are still held),
    so that the next call's large outputs land on fresh pages as pin_malloc
    promises.

    fresh_outputs_hook drops the pages of the large outputs themselves, but
    the heap also keeps free regions with resident pages: the top of the heap
    (the 1 GiB trim threshold keeps it), a method's freed temporaries, freed
    smaller outputs that merged with their neighbours. A large output served
    from one skips its page faults: in one full run, repeats of the per-lead
    span masks at [256,12,5000] read 4.4-9.6 ms in some rounds and 16.7-26.9
    ms in others, and x.clone() in the round-1 mask group 3.5-7.4 vs 13.5-23
    ms, so each median fell wherever the two groups split it. scrub() takes
    FRESH_BYTES blocks from the heap until glibc has to map one freshly (no
    free region that large is left), hands their whole pages back to the
    system and keeps them (plugs, at most MAX_PLUGS, freed when the scrub is
    dropped at the end of its group): no free region of FRESH_BYTES is left to serve a large
    output, so glibc maps every one freshly, while the rest of a free region
    under 32 MiB keeps its pages for the smaller blocks the model keeps warm
    (a per-lead mask of 15 MB). ``malloc_trim(0)`` would clean every free
    page, those of the small blocks too. Freeing the slices again at once (as
    the scrub did before) handed them back as free regions with dropped pages, which
    the next smaller blocks were carved from: in a masking-only process, half
    the per-lead masks at [256,12,5000] faulted 9-13 MB of their 15 MB
    (1.3-1.48x x.clone()); with the slices held, every repeat of every method
    in that group faults exactly its large outputs. Run after the call's
    outputs were freed, the scrub would take a freed mask merged into a large
    region; run while they are held, it cannot. Only for benchmarks of large
    outputs, for the same reason. None where it does not apply."""
    if out_bytes < FRESH_BYTES or device.type != "cpu" or not sys.platform.startswith("linux"):
        return None
    drop = _page_dropper()
    try:
        libc = ctypes.CDLL(None)
        malloc, free, sbrk = libc.malloc, libc.free, libc.sbrk
        if drop is None or not hasattr(libc, "mallopt"):  # not glibc
            return None
    except (OSError, AttributeError):
        return None
    malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    free.restype, free.argtypes = None, [ctypes.c_void_p]
    sbrk.restype, sbrk.argtypes = ctypes.c_void_p, [ctypes.c_ssize_t]
    heap_start = sbrk(0) or 0  # the heap's start if it is empty, else from the maps
    with open("/proc/self/maps") as maps:
        for line in maps:
            if line.rstrip().endswith("[heap]"):
                heap_start = int(line.split("-", 1)[0], 16)
                break

    plugs: List[int] = []  # held until the scrub itself goes (the end of its group)

    def scrub() -> None:
        held: List[int] = []
        try:
            while len(held) < 64:  # at most 2 GiB of heap a call
                p = malloc(FRESH_BYTES)
                if not p:
                    return
                if not heap_start <= p < (sbrk(0) or 0):  # outside the heap: a fresh
                    free(p)                                # mapping (above or below it)
                    return
                drop(p, FRESH_BYTES)
                held.append(p)
        finally:
            # At most MAX_PLUGS held in all: a method whose freed temporaries
            # leave 32 MiB at the heap's top every round would otherwise add a
            # plug (and 32 MiB of address space, no memory) each round; past
            # the cap the slices are freed again, as before.
            keep = max(0, MAX_PLUGS - len(plugs))
            plugs.extend(held[:keep])
            for p in held[keep:]:
                free(p)

    scrub.plugs = plugs  # type: ignore[attr-defined]  # (for the tests)
    weakref.finalize(scrub, lambda: [free(p) for p in plugs])
    return scrub


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


def measure_all(clock: Clock, methods: List[Method], plan: Plan,
                after: Optional[Callable[[Any], None]] = None) -> List[Dict[str, Any]]:
    """Times several methods side by side: (name, fn, check) each.

    First every method is called once, in order (a warm-up whose result ``check``
    validates; for the alternatives, a call slower than ``plan.slow_s`` is the
    measurement itself; ours, named ``ours...``, are always repeated). Then
    rounds time each remaining method once, in an order shuffled every round, so
    that drifts in machine load and what ran just before touch all alike, for
    ``plan.reps`` rounds or until the time budget (at least 3). A row holds
    ``check``'s fields, the median seconds per call ``time_s``, the repeats and
    their times. On a GPU a repeat is the mean of back-to-back calls
    lasting about 1 ms in all. ``after`` (e.g. ``fresh_outputs_hook``) gets
    every call's result, untimed.
    """
    rows: List[Dict[str, Any]] = []
    live = []
    settle = after or (lambda out: None)
    for name, fn, check in methods:
        first, out = clock(fn)
        row: Dict[str, Any] = dict(check(out)) if check else {}
        settle(out)
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
            seconds, out = clock(fn, row["calls_per_rep"])
            settle(out)
            del out
            row["times_s"].append(seconds)
    for row in rows:
        row.update(time_s=statistics.median(row["times_s"]), reps=len(row["times_s"]))
    return rows


def skipped(method: str, why: str, **extra: Any) -> Dict[str, Any]:
    return dict(method=method, time_s=None, validated=None, note=f"skipped: {why}", **extra)


def row_of(rows: List[Dict], method: str, **where: Any) -> Optional[Dict[str, Any]]:
    """``method``'s row in ``rows`` whose fields match ``where`` (None: none)."""
    for r in rows:
        if r["method"] == method and all(r.get(k) == v for k, v in where.items()):
            return r
    return None


def time_of(rows: List[Dict], method: str, **where: Any) -> Optional[float]:
    """The median time of ``method``'s row in ``rows`` whose fields match ``where``."""
    r = row_of(rows, method, **where)
    return None if r is None else r["time_s"]


def paired_ratio(a: Optional[Dict[str, Any]], b: Optional[Dict[str, Any]]) -> Optional[float]:
    """a's time over b's (rows of one ``measure_all`` call, or None).

    When both were repeated in the same rounds (equal numbers of repeats, more
    than one), the median over rounds of a's time in the round over b's: each
    round times every method once, in a shuffled order, within about a second,
    so a slow stretch of the machine (another tenant, a frequency change)
    slows both sides of a round's ratio and moves the median of the ratios
    less than the ratio of two medians taken over different rounds. The
    median is taken of the logarithms, so paired_ratio(b, a) is exactly
    1 / paired_ratio(a, b) for an even number of rounds too (a column of
    time / x.clone() and a target of clone / time agree). Otherwise (a
    single-run row, or a row with no repeats) the ratio of the medians."""
    if a is None or b is None or a.get("time_s") is None or b.get("time_s") is None:
        return None
    ta, tb = a.get("times_s") or [], b.get("times_s") or []
    if len(ta) == len(tb) > 1 and all(x > 0 for x in ta) and all(y > 0 for y in tb):
        return math.exp(statistics.median(math.log(x / y) for x, y in zip(ta, tb)))
    return a["time_s"] / b["time_s"]


def ratio_of(rows: List[Dict], num: str, den: str, **where: Any) -> Optional[float]:
    """``paired_ratio`` of methods num and den's rows matching ``where``."""
    return paired_ratio(row_of(rows, num, **where), row_of(rows, den, **where))
