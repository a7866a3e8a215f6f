"""multilabel_metrics and confusion_counts against scikit-learn, numpy and torchmetrics."""

from __future__ import annotations

import math
from typing import Any, Dict, List

import numpy as np
import torch

from .. import ops
from ..utils import multilabel_metrics
from .common import K_BINNED, Clock, Method, Plan, measure_all, paired_ratio, row_of, skipped


# ---- multilabel_metrics: the alternatives -------------------------------------------------


METRIC_METHODS: Dict[str, str] = {
    "ours": "ours: multilabel_metrics",
    "sklearn": "scikit-learn reference (seed page)",
    "torchmetrics": "torchmetrics functional (F1, AUROC, recall, specificity)",
}

def sklearn_reference(y_true: Any, y_prob: Any, threshold: float = 0.5) -> Dict:
    """The seed page's multilabel_metrics, on numpy and scikit-learn only.

    Also the tests' reference (tests/python/reference.py): it shares no code
    with the implementation under test. [N] inputs are one class; for one class
    F1 is that class's (scikit-learn's "macro" would average labels 1 and 0),
    as docs/semantics.md section 4 defines f1_macro.
    """
    from sklearn.metrics import f1_score, roc_auc_score

    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    if y_true.ndim == 1:
        y_true, y_prob = y_true[:, None], y_prob[:, None]
    y_pred = (y_prob >= threshold).astype(int)
    if y_true.shape[1] == 1:
        f1 = f1_score(y_true[:, 0], y_pred[:, 0], average="binary", zero_division=0)
    else:
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


def have_module(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def load_torchmetrics():
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
    if baseline_ok and have_module("sklearn"):
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
        why = cap_why if have_module("sklearn") else "scikit-learn is not installed"
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
    ours = row_of(rows, "ours")
    for r in rows:
        r.update(base)
        if r["time_s"] is not None:
            r.update(x_ours=paired_ratio(r, ours), gb_s=5 * NC / r["time_s"] / 1e9)
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
    ours = row_of(rows, "ours_counts")
    for r in rows:
        r.update(N=N, C=C, K=K_BINNED)
        if r["time_s"] is not None:
            r["x_ours"] = paired_ratio(r, ours)
    return rows
