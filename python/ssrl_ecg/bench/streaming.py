"""Issue 11's rows: MultilabelMetrics with AUROC and AUPRC, confusion_counts at
K = 1002 against K = 1, and multilabel_metrics with the other core busy.

MultilabelMetrics at its defaults (y_true int64, y_prob float32 [N, C])
    ours            a fresh ``MultilabelMetrics(C)``: ``update`` of one batch, then
                    ``compute()`` (exact AUROC and AUPRC per class and macro, F1,
                    best-F1 thresholds over 1001 grid points)
    scikit-learn    ``roc_auc_score`` + ``average_precision_score`` per class
    torchmetrics    ``MultilabelAUROC`` + ``MultilabelAveragePrecision`` (exact,
                    ``thresholds=None``, ``average=None``): update, then compute
    Ours must match scikit-learn per class to 1e-9 (AUROC and AUPRC);
    torchmetrics, which works in float32, ours to 1e-4.

confusion_counts at K = 1002 (MultilabelMetrics' threshold and grid) and at K = 1
    on the same [N, C] (int64 labels, float32 scores): the cost per score should
    not grow with K; counts validated against a sorted-search torch reference.

multilabel_metrics [21837, 71] (uint8 labels, float32 scores) against the seed
    page's scikit-learn reference, idle and (``--busy-core``) with a competing
    process spinning on one core for the whole measurement.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import time
from typing import Any, Dict, List

import numpy as np
import torch

from .. import ops
from ..metrics import MultilabelMetrics
from ..utils import multilabel_metrics
from .common import Clock, Plan, measure_all, paired_ratio, ratio_of, row_of, skipped, time_of

STREAM_METHODS: Dict[str, str] = {
    "ours": "ours: MultilabelMetrics (update + compute, AUROC + AUPRC)",
    "sklearn": "scikit-learn roc_auc_score + average_precision_score per class",
    "torchmetrics": "torchmetrics MultilabelAUROC + MultilabelAveragePrecision (exact)",
    "ours_k1002": "ours: confusion_counts K = 1002",
    "ours_k1": "ours: confusion_counts K = 1",
    "ours_mm": "ours: multilabel_metrics",
    "sklearn_mm": "scikit-learn reference (seed page)",
}


def _data(N: int, C: int, device: torch.device, seed: int = 0):
    """(y int64, p float32) [N, C]: labels depend on the scores (AUROC ~0.94)."""
    g = torch.Generator(device=device).manual_seed(seed)
    p = torch.rand(N, C, generator=g, device=device)
    y = ((p + 0.6 * torch.rand(N, C, generator=g, device=device)) > 0.9).to(torch.int64)
    return y, p


def _sklearn_per_class(y: np.ndarray, p: np.ndarray):
    from sklearn.metrics import average_precision_score, roc_auc_score

    aucs, aps = [], []
    for c in range(y.shape[1]):
        two = 0 < y[:, c].sum() < len(y)
        aucs.append(roc_auc_score(y[:, c], p[:, c]) if two else math.nan)
        aps.append(average_precision_score(y[:, c], p[:, c]) if y[:, c].any() else math.nan)
    return np.array(aucs), np.array(aps)


def _max_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    both = ~(np.isnan(a) & np.isnan(b))
    return float(np.max(np.abs(a[both] - b[both]), initial=0.0))


def bench_streaming(device: torch.device, plan: Plan, N: int, C: int, clock: Clock,
                    tmf_module) -> List[Dict[str, Any]]:
    y, p = _data(N, C, device)
    yn, pn = y.cpu().numpy(), p.cpu().double().numpy()
    ref: Dict[str, Any] = {}

    def ours():
        m = MultilabelMetrics(C)
        m.update(y, p)
        return m.compute()

    def check_ours(r):
        if "auroc" not in ref:
            ref["auroc"], ref["auprc"] = _sklearn_per_class(yn, pn)
        d = max(_max_diff(r["auroc"], ref["auroc"]), _max_diff(r["auprc"], ref["auprc"]))
        ref["ours"] = (r["auroc"].numpy(), r["auprc"].numpy())
        return dict(N=N, C=C, max_abs_diff=d, validated=d <= 1e-9)

    def sk():
        return _sklearn_per_class(yn, pn)

    def check_sk(r):
        ref["auroc"], ref["auprc"] = r
        return dict(N=N, C=C, validated=True)

    methods = [("ours", ours, check_ours)]
    big = N * C > plan.baseline_cap or N > plan.baseline_max_n
    rows: List[Dict[str, Any]] = []
    if big:
        rows.append(skipped("sklearn", "above the scikit-learn cap", N=N, C=C))
    else:
        methods.insert(0, ("sklearn", sk, check_sk))  # first: ours is validated against it
    if tmf_module is not None and not big:
        from torchmetrics.classification import MultilabelAUROC, MultilabelAveragePrecision

        def tm():
            auroc = MultilabelAUROC(num_labels=C, average=None, thresholds=None).to(device)
            ap = MultilabelAveragePrecision(num_labels=C, average=None, thresholds=None).to(device)
            auroc.update(p, y)
            ap.update(p, y)
            return auroc.compute(), ap.compute()

        def check_tm(r):
            d = max(_max_diff(r[0].cpu(), ref["ours"][0]), _max_diff(r[1].cpu(), ref["ours"][1]))
            return dict(N=N, C=C, max_abs_diff=d, validated=d <= 1e-4)

        methods.append(("torchmetrics", tm, check_tm))
    else:
        rows.append(skipped("torchmetrics", "not installed or above the cap", N=N, C=C))
    return measure_all(clock, methods, plan) + rows


def bench_counts_k(device: torch.device, plan: Plan, N: int, C: int,
                   clock: Clock) -> List[Dict[str, Any]]:
    y, p = _data(N, C, device, seed=1)
    grid = MultilabelMetrics(C, device=device)._thresholds  # [0.5, 0, 0.001, ..., 1]
    one = grid[:1].clone()

    def check(thresholds):
        def f(counts):
            t = torch.tensor(thresholds.tolist(), dtype=torch.float32, device=device)
            # positives/negatives at or above each threshold by a sorted search
            ps = p.t().contiguous()
            yb = y.t().bool()
            ok = True
            for c in range(0, C, max(1, C // 4)):
                pos, neg = ps[c][yb[c]].sort().values, ps[c][~yb[c]].sort().values
                tp = pos.numel() - torch.searchsorted(pos, t, right=False)
                fp = neg.numel() - torch.searchsorted(neg, t, right=False)
                ok &= torch.equal(counts[c, :, 0], tp) and torch.equal(counts[c, :, 1], fp)
            return dict(N=N, C=C, K=thresholds.numel(), validated=bool(ok))
        return f

    return measure_all(clock, [
        ("ours_k1002", lambda: ops.confusion_counts(y, p, grid), check(grid)),
        ("ours_k1", lambda: ops.confusion_counts(y, p, one), check(one)),
    ], plan)


def _spin(stop) -> None:
    """A competing load: one process spinning on the last core until told to stop."""
    try:
        os.sched_setaffinity(0, {os.cpu_count() - 1})
    except (AttributeError, OSError):
        pass
    x = 0
    while not stop.is_set():
        for _ in range(100000):
            x += 1


def bench_busy(device: torch.device, plan: Plan, N: int, C: int, clock: Clock,
               busy: bool) -> List[Dict[str, Any]]:
    from .metrics import sklearn_reference

    y, p = _data(N, C, device, seed=2)
    y8 = y.to(torch.uint8)
    yn, pn = y8.cpu().numpy(), p.cpu().numpy()
    ref: Dict[str, Any] = {}

    def check_sk(r):
        ref["sk"] = r
        return dict(N=N, C=C, busy=busy, validated=True)

    def check_ours(r):
        d = max(abs(r[k] - ref["sk"][k]) for k in ref["sk"])
        return dict(N=N, C=C, busy=busy, max_abs_diff=d, validated=d <= 1e-9)

    methods = [("sklearn_mm", lambda: sklearn_reference(yn, pn), check_sk),
               ("ours_mm", lambda: multilabel_metrics(y8, p), check_ours)]
    if not busy:
        return measure_all(clock, methods, plan)
    ctx = mp.get_context("fork")
    stop = ctx.Event()
    spinner = ctx.Process(target=_spin, args=(stop,), daemon=True)
    spinner.start()
    try:
        time.sleep(0.2)  # the spinner is running
        return measure_all(clock, methods, plan)
    finally:
        stop.set()
        spinner.join(5)
        if spinner.is_alive():
            spinner.terminate()


def streaming_targets(target, dev: str, res: Dict[str, List[Dict]]) -> None:
    """Issue 11's CPU targets, through report.py's ``target``."""
    if dev != "cpu":
        return
    stream, counts, busy = res.get("streaming", []), res.get("counts_k", []), res.get("busy", [])
    for N, goal in ((1000000, 60), (200000, 25)):
        if time_of(stream, "ours", N=N, C=71) is None:
            continue
        target(dev, f"MultilabelMetrics [{N},71] update+compute: scikit-learn / ours",
               ratio_of(stream, "sklearn", "ours", N=N, C=71), (">=", goal), "x")
        target(dev, f"MultilabelMetrics [{N},71] update+compute: torchmetrics / ours",
               ratio_of(stream, "torchmetrics", "ours", N=N, C=71), (">=", 20), "x")
    for r in counts:
        if r["method"] == "ours_k1002":
            target(dev, f"confusion_counts [{r['N']},{r['C']}]: time K=1002 / time K=1",
                   paired_ratio(r, row_of(counts, "ours_k1", N=r["N"], C=r["C"])), ("<=", 2), "x")
    for flag in (False, True):
        if time_of(busy, "ours_mm", busy=flag) is None:
            continue
        N = next(r["N"] for r in busy if r["method"] == "ours_mm")
        target(dev, f"multilabel_metrics [{N},71] {'one core busy' if flag else 'idle'}: "
                    "scikit-learn / ours", ratio_of(busy, "sklearn_mm", "ours_mm", busy=flag),
               (">=", 20), "x")


def streaming_markdown(res: Dict[str, List[Dict]], dev: str) -> List[str]:
    lines: List[str] = []
    groups = (("streaming", "MultilabelMetrics at its defaults, int64 labels, float32 scores"),
              ("counts_k", "confusion_counts, K = 1002 vs K = 1 (int64 labels, float32 scores)"),
              ("busy", "multilabel_metrics, idle and with one core busy"))
    for key, title in groups:
        rows = res.get(key, [])
        if not rows:
            continue
        lines += ["", f"## {title} on {dev}", "",
                  "| N | C | method | median ms | reps | max abs diff | validated | note |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            t = "n/a" if r.get("time_s") is None else f"{r['time_s'] * 1e3:.1f}"
            tag = " (one core busy)" if r.get("busy") else ""
            d = r.get("max_abs_diff")
            v = r.get("validated")
            lines.append(f"| {r.get('N')} | {r.get('C')} | {STREAM_METHODS[r['method']]}{tag} "
                         f"| {t} | {r.get('reps', '')} | {'' if d is None else f'{d:.2g}'} "
                         f"| {'n/a' if v is None else ('yes' if v else '**NO**')} "
                         f"| {r.get('note', '')} |")
    return lines
