"""Bootstrap confidence intervals of macro F1, AUROC and AUPRC, on the data's device.

Two protocols, both used by ``MultilabelMetrics.compute(bootstrap=...)``:

- ``bootstrap=R`` (an int): R resamples of the N samples with replacement,
  percentile interval at ``confidence``;
- ``bootstrap="ptb-xl"``: the PTB-XL benchmark's protocol (Strodthoff et al.
  2021, ``ecg_ptbxl_benchmarking``; docs/semantics.md section 9.3): 100
  resamples of the test set, each redrawn until every class has at least one
  positive, and the 5th and 95th percentiles (a 90% interval) of the macro
  scores over the resamples.

A resample is a weight per sample (how often it was drawn): counts, AUROC and
average precision are weighted sums over the samples sorted once per class, so
each batch of resamples is a few tensor ops on the data's device, equal to
scoring the resampled rows themselves (ties included). The indices come from
a ``torch.Generator`` seeded with ``seed`` on the data's device;
:func:`ptbxl_indices` returns those of the PTB-XL protocol, for a reference to
score the very same resamples.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import torch

__all__ = ["PTBXL_RESAMPLES", "PTBXL_CONFIDENCE", "ptbxl_indices", "bootstrap_intervals"]

PTBXL_RESAMPLES = 100
PTBXL_CONFIDENCE = 0.90  # the 5th and 95th percentiles


def _f1(tp: torch.Tensor, fp: torch.Tensor, fn: torch.Tensor) -> torch.Tensor:
    denom = 2 * tp + fp + fn
    return torch.where(denom > 0, 2 * tp / denom.clamp_min(1), torch.zeros_like(denom))


def _weights(idx: torch.Tensor, n: int) -> torch.Tensor:
    """[b, n] float64: how often each sample was drawn by each row of idx [b, n]."""
    w = torch.zeros(idx.shape[0], n, dtype=torch.float64, device=idx.device)
    return w.scatter_add_(1, idx, torch.ones_like(idx, dtype=torch.float64))


def ptbxl_indices(labels: torch.Tensor, resamples: int = PTBXL_RESAMPLES, seed: int = 0,
                  batch: int = 64) -> torch.Tensor:
    """The PTB-XL protocol's resamples: ``[resamples, N]`` int64 row indices.

    Resamples of N indices drawn uniformly with replacement from a generator
    seeded with ``seed`` on ``labels``' device, ``batch`` at a time; one in
    which some class has no positive is dropped and drawn again (the
    benchmark's ``get_appropriate_bootstrap_samples``), so the accepted ones
    keep their order of drawing. Raises ValueError when a class has no
    positive at all (no resample could have one).
    """
    n, c = labels.shape
    device = labels.device
    y = labels.to(torch.float64)
    if n == 0 or bool((y.sum(0) == 0).any()):
        raise ValueError("the PTB-XL bootstrap needs a positive of every class in y_true")
    gen = torch.Generator(device=device).manual_seed(seed)
    kept: List[torch.Tensor] = []
    have = 0
    while have < resamples:
        idx = torch.randint(0, n, (batch, n), generator=gen, device=device)
        ok = ((_weights(idx, n) @ y) > 0).all(1)
        idx = idx[ok][: resamples - have]
        kept.append(idx)
        have += idx.shape[0]
    return torch.cat(kept)


def bootstrap_intervals(labels: torch.Tensor, scores: torch.Tensor, threshold: float,
                        resamples: int, confidence: float, seed: int, batch: int,
                        indices: Optional[torch.Tensor] = None) -> Dict[str, Tuple[float, float]]:
    """Percentile intervals of macro F1, AUROC and AUPRC over resamples.

    ``threshold`` is already rounded to the scores' original dtype. ``indices``
    ``[R, N]``, when given, are the resamples (the PTB-XL protocol's); else R
    plain resamples are drawn with ``seed``. Macro means skip NaN classes (a
    class with one label value for AUROC, with no positive for AUPRC).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    n, c = labels.shape
    device = labels.device
    gen = torch.Generator(device=device).manual_seed(seed)
    y = labels.to(torch.float64)
    pred = (scores >= threshold).to(torch.float64)
    tp_w, fp_w, fn_w = pred * y, pred * (1 - y), (1 - pred) * y
    # per class: the samples in score order and their tie groups
    order = scores.argsort(dim=0, stable=True)  # [N, C]
    sorted_scores = scores.gather(0, order)
    sorted_y = y.gather(0, order)
    new_group = torch.ones_like(sorted_scores, dtype=torch.int64)
    new_group[1:] = (sorted_scores[1:] != sorted_scores[:-1]).to(torch.int64)
    group = new_group.cumsum(0) - 1  # [N, C], group index within the class
    groups_per_class = tie_group_counts(group)
    total = resamples if indices is None else indices.shape[0]
    f1s, aucs, aps = [], [], []
    for start in range(0, total, batch):
        b = min(batch, total - start)
        if indices is None:
            idx = torch.randint(0, n, (b, n), generator=gen, device=device)
        else:
            idx = indices[start:start + b]
        w = _weights(idx, n)
        tp, fp, fn = w @ tp_w, w @ fp_w, w @ fn_w  # [b, C]
        f1s.append(_f1(tp, fp, fn).mean(1))
        auc, ap = weighted_auroc_auprc(w, order, sorted_y, group, groups_per_class)
        aucs.append(auc.nanmean(1))
        aps.append(ap.nanmean(1))
    alpha = (1 - confidence) / 2
    q = torch.tensor([alpha, 1 - alpha], dtype=torch.float64, device=device)

    def interval(v):
        v = torch.cat(v)
        v = v[~torch.isnan(v)]
        return tuple(torch.quantile(v, q).tolist()) if v.numel() else (math.nan, math.nan)

    return {"f1_macro_ci": interval(f1s), "auroc_macro_ci": interval(aucs),
            "auprc_macro_ci": interval(aps)}


def tie_group_counts(group: torch.Tensor) -> List[int]:
    """Tie groups per class of ``group`` [N, C]: read back once, so that the
    resample batches do not each wait on the device for them."""
    return (group[-1] + 1).tolist() if group.shape[0] else [0] * group.shape[1]


def weighted_auroc_auprc(w, order, sorted_y, group, groups_per_class=None):
    """AUROC and average precision per (resample, class) with sample weights w [b, N].

    Ties count half in the AUROC; the average precision takes one step per
    tie group (docs/semantics.md section 9.2). NaN where undefined.
    ``groups_per_class``: :func:`tie_group_counts` of ``group``, if known.
    """
    b = w.shape[0]
    if groups_per_class is None:
        groups_per_class = tie_group_counts(group)
    aucs, aps = [], []
    for c in range(order.shape[1]):  # one class at a time keeps memory at [b, N]
        ws = w[:, order[:, c]]
        pos, neg = ws * sorted_y[:, c], ws * (1 - sorted_y[:, c])
        groups = groups_per_class[c]
        index = group[:, c].expand(b, -1)
        pos_g = torch.zeros(b, groups, dtype=torch.float64, device=w.device).scatter_add_(1, index, pos)
        neg_g = torch.zeros(b, groups, dtype=torch.float64, device=w.device).scatter_add_(1, index, neg)
        u2 = (pos_g * (2 * (neg_g.cumsum(1) - neg_g) + neg_g)).sum(1)
        P, M = pos_g.sum(1), neg_g.sum(1)
        nan = torch.full_like(u2, math.nan)
        aucs.append(torch.where(P * M > 0, u2 / (2 * P * M).clamp_min(1), nan))
        tp_ge = pos_g.flip(1).cumsum(1).flip(1)  # positives at or above each group
        fp_ge = neg_g.flip(1).cumsum(1).flip(1)
        prec = torch.where(pos_g > 0, tp_ge / (tp_ge + fp_ge).clamp_min(1), torch.zeros_like(pos_g))
        aps.append(torch.where(P > 0, (pos_g * prec).sum(1) / P.clamp_min(1), nan))
    return torch.stack(aucs, dim=1), torch.stack(aps, dim=1)
