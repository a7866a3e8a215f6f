"""Streaming multi-label metrics: accumulate over batches, sync over ranks.

``MultilabelMetrics`` scores a validation set batch by batch on any device,
with no host-device sync in ``update`` (so it runs inside ``torch.compile``
without a graph break), and ``compute()`` gives exactly what
``multilabel_metrics`` gives on the concatenated data, plus per-class figures,
the raw counts, best-F1 thresholds and bootstrap confidence intervals. Under
``torch.distributed`` it all-reduces the counts and all-gathers the scores, so
every rank gets the single-process result on all the data.

State, per update (one ``confusion_counts`` pass over the batch):

- counts at the decision threshold and at ``num_bins`` grid thresholds
  ``k / (num_bins - 1)``: ``[C, 1 + num_bins, 4]`` int64;
- in ``auroc="exact"`` mode the labels and scores themselves (on device), for
  the exact AUROC and the bootstrap; ``auroc="binned"`` keeps constant memory
  and computes AUROC from the grid counts.

Binned AUROC error bound: the grid counts order every positive-negative pair
except those whose two scores fall in the same bin, which the trapezoid rule
counts as half a pair. So, per class,

    |AUROC_binned - AUROC_exact| <= 0.5 * sum_bins pos_bin * neg_bin / (P * M),

which ``compute()`` reports as ``auroc_binned_bound`` (per class). For scores
spread over [0, 1] it shrinks like 1 / num_bins.

AUPRC (docs/semantics.md section 9.2): exact in ``auroc="exact"`` mode (the
op ``auroc_auprc``, from the AUROC's sort). Binned, every score in a bin is
taken at the bin's lower threshold (one step per bin); the true precision at
any positive score in bin j lies between ``(TP_{j+1} + 1) / (TP_{j+1} + 1 +
FP_j)`` and ``TP_j / (TP_j + FP_{j+1})`` (TP_j, FP_j: the counts at or above
the bin's lower threshold), and so does the binned one, so

    |AUPRC_binned - AUPRC_exact| <= sum_bins (pos_bin / P) * (upper - lower),

reported as ``auprc_binned_bound``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Dict, List, Optional

import torch
import torch.distributed as dist

from . import ops
from .bootstrap import (PTBXL_CONFIDENCE, PTBXL_RESAMPLES, bootstrap_intervals, ptbxl_indices,
                        weighted_auroc_auprc)
from .utils import _EPS, _SCORE_DTYPES, _check_pair, _label_refusal, _labels_in_place, _nonfinite

__all__ = ["MultilabelMetrics"]


class MultilabelMetrics:
    """Accumulates multi-label scores over batches and ranks.

    Args:
        num_classes: C, the number of labels per sample.
        threshold: decision threshold for F1, sensitivity and specificity.
        auroc: ``"exact"`` (keeps labels and scores on device) or ``"binned"``
            (constant memory, AUROC from counts at ``num_bins`` thresholds).
        num_bins: grid thresholds ``k / (num_bins - 1)``, ``k = 0..num_bins-1``,
            for binned AUROC and best-F1 thresholds (>= 2).
        device: where the state lives; by default the device of the first batch.
        process_group: the ``torch.distributed`` group to sync over in
            ``compute()`` (default: the world, when initialised).
    """

    def __init__(self, num_classes: int, threshold: float = 0.5, *, auroc: str = "exact",
                 num_bins: int = 1001, device: Optional[torch.device | str] = None,
                 process_group: Any = None):
        if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
                or num_classes < 1:
            raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) \
                or math.isnan(threshold):
            raise ValueError(f"threshold must be a real number (not NaN), got {threshold!r}")
        if auroc not in ("exact", "binned"):
            raise ValueError(f'auroc must be "exact" or "binned", got {auroc!r}')
        if isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or num_bins < 2:
            raise ValueError(f"num_bins must be an int >= 2, got {num_bins!r}")
        self.num_classes = int(num_classes)
        self.threshold = float(threshold)
        self.auroc_mode = auroc
        self.num_bins = int(num_bins)
        self.process_group = process_group
        self._home = torch.device(device) if device is not None else None
        self.reset()

    # ---- state -----------------------------------------------------------------

    def reset(self) -> None:
        """Forgets every batch."""
        self._counts: Optional[torch.Tensor] = None  # [C, 1 + num_bins, 4] int64
        self._rejected: Optional[torch.Tensor] = None  # batches refused on the device
        self._labels: List[torch.Tensor] = []
        self._scores: List[torch.Tensor] = []
        self._keep: List[torch.Tensor] = []  # per stored batch: 0-d bool, accepted
        self._score_dtype: Optional[torch.dtype] = None  # of the first batch: rounds the threshold
        self._device = self._home  # None: the first batch's device
        if self._device is not None:
            self._init_state(self._device)

    def _init_state(self, device: torch.device) -> None:
        self._device = device
        self._counts = torch.zeros(self.num_classes, 1 + self.num_bins, 4, dtype=torch.int64,
                                   device=device)
        self._rejected = torch.zeros((), dtype=torch.int64, device=device)
        self._thresholds = torch.cat([
            torch.full((1,), self.threshold, dtype=torch.float64, device=device),
            torch.arange(self.num_bins, dtype=torch.float64, device=device) / (self.num_bins - 1)])

    def state_dict(self) -> Dict[str, Any]:
        """Everything ``load_state_dict`` needs to go on accumulating."""
        empty = self._counts is None
        return {
            "num_classes": self.num_classes, "threshold": self.threshold,
            "auroc": self.auroc_mode, "num_bins": self.num_bins,
            "counts": None if empty else self._counts.clone(),
            "rejected": None if empty else self._rejected.clone(),
            "labels": self._stored(self._labels, torch.uint8),
            "scores": self._stored(self._scores, torch.float64),
            "score_dtype": None if self._score_dtype is None else str(self._score_dtype),
        }

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        for key in ("num_classes", "threshold", "auroc", "num_bins"):
            mine = {"auroc": self.auroc_mode}.get(key, getattr(self, key, None))
            if state[key] != mine:
                raise ValueError(f"state_dict holds {key}={state[key]!r}, this metric has {mine!r}")
        self.reset()
        if state["counts"] is None:
            return
        device = self._device or state["counts"].device
        self._init_state(device)
        self._counts.copy_(state["counts"])
        if state.get("score_dtype"):
            self._score_dtype = getattr(torch, state["score_dtype"].replace("torch.", ""))
        self._rejected.copy_(state["rejected"])
        if state["labels"] is not None and state["labels"].shape[0]:
            self._labels = [state["labels"].to(device)]
            self._scores = [state["scores"].to(device)]
            self._keep = [torch.ones((), dtype=torch.bool, device=device)]

    def _stored(self, parts: List[torch.Tensor],
                dtype: Optional[torch.dtype] = None) -> Optional[torch.Tensor]:
        """The kept batches in one tensor of ``dtype``; by default of the
        smallest dtype that holds every batch's values exactly."""
        if self.auroc_mode != "exact" or self._counts is None:
            return None
        flags = torch.stack(self._keep).tolist() if self._keep else []  # one read-back
        kept = [p for p, keep in zip(parts, flags) if keep]
        if dtype is None:
            dtype = self._score_dtype or torch.float64
            for p in kept:
                dtype = torch.promote_types(dtype, p.dtype)  # exact among float dtypes
        if not kept:
            return torch.zeros(0, self.num_classes, dtype=dtype, device=self._device)
        if len(kept) == 1:
            return kept[0].to(dtype)
        return torch.cat([p.to(dtype) for p in kept])

    # ---- update ----------------------------------------------------------------

    def update(self, y_true: torch.Tensor, y_prob: torch.Tensor) -> None:
        """Adds a batch: ``y_true [N, C]`` in {0, 1}, ``y_prob [N, C]`` floating.

        No host-device sync. A bad batch (shapes, devices, dtypes) raises at
        once; bad values (labels outside {0, 1}, NaN or infinite scores) raise
        at once on the CPU, and on a GPU the batch is left out of the state and
        ``compute()`` raises. Either way the accumulated state is unchanged.
        """
        if not isinstance(y_true, torch.Tensor) or not isinstance(y_prob, torch.Tensor):
            raise TypeError("y_true and y_prob must be torch tensors")
        if y_true.dim() == 1 and self.num_classes == 1:
            y_true, y_prob = y_true[:, None], y_prob[:, None]
        for name, t in (("y_true", y_true), ("y_prob", y_prob)):
            if t.dim() != 2 or t.shape[1] != self.num_classes:
                raise ValueError(f"{name} must be [N, {self.num_classes}], got {tuple(t.shape)}")
        _check_pair(y_true, y_prob)
        if self._device is not None and y_prob.device != self._device:
            raise ValueError(f"y_prob is on {y_prob.device}, the metric state on {self._device}")
        if y_prob.dtype not in _SCORE_DTYPES:
            raise TypeError(f"y_prob must be float16/bfloat16/float32/float64, got {y_prob.dtype}")
        y_true, y_prob = y_true.detach(), y_prob.detach().contiguous()
        # On the CPU (eager) the op itself refuses labels outside {0, 1}: no
        # separate pass over them. Elsewhere a flag, with no host sync.
        eager_cpu = y_prob.device.type == "cpu" and not torch.compiler.is_compiling()
        labels, bad_label = _labels_in_place(y_true, check=not eager_cpu)
        bad = bad_label | _nonfinite(y_prob)
        if eager_cpu and bool(bad):
            raise ValueError("y_prob must not hold NaN or infinity")
        fresh = self._counts is None
        if fresh:
            self._init_state(y_prob.device)
        # The kernels stay in bounds on bad values; a bad batch's counts are
        # masked out here and its stored rows dropped by _keep.
        try:
            counts = ops.confusion_counts(labels.contiguous(), y_prob, self._thresholds)
        except RuntimeError as exc:  # the CPU op's verdict on a label
            if fresh:
                self.reset()  # as before the call
            refusal = _label_refusal(exc) if eager_cpu else None
            if refusal is not None:
                raise refusal from None
            raise
        if self._score_dtype is None:
            self._score_dtype = y_prob.dtype
        self._counts += torch.where(bad, torch.zeros_like(counts), counts)
        self._rejected += bad.to(torch.int64)
        if self.auroc_mode == "exact":
            # copies (the caller may reuse its buffers): labels as uint8, the
            # scores in their own dtype (compute() sorts 32-bit keys for them)
            self._labels.append(labels.to(torch.uint8, copy=True))
            self._scores.append(y_prob.clone())
            self._keep.append(~bad)

    # ---- compute ---------------------------------------------------------------

    def compute(self, bootstrap: int | str = 0, confidence: Optional[float] = None,
                seed: int = 0, bootstrap_batch: int = 64) -> Dict[str, Any]:
        """The metrics over every batch (and every rank).

        Returns the four ``multilabel_metrics`` keys and ``auprc_macro`` (the
        mean over classes with a positive) as floats, plus tensors (CPU):
        ``f1``, ``auroc``, ``auprc``, ``sensitivity``, ``specificity`` per
        class, ``counts`` ``[C, 4]`` (TP, FP, TN, FN) at the threshold,
        ``best_f1_threshold`` and ``best_f1`` per class (over the grid), and in
        binned mode ``auroc_binned_bound`` and ``auprc_binned_bound``.

        Bootstrap (exact mode only; docs/semantics.md section 9.3), drawn on
        the data's device from a generator seeded with ``seed``:

        - ``bootstrap=R``: R resamples with replacement; ``confidence``
          (default 0.95) percentile intervals;
        - ``bootstrap="ptb-xl"``: the PTB-XL benchmark's protocol: 100
          resamples, each redrawn until every class has a positive, and the
          5th/95th percentiles (``confidence`` 0.90; another value is an
          error). Needs a positive of every class.

        Either adds ``f1_macro_ci``, ``auroc_macro_ci`` and ``auprc_macro_ci``
        as ``(low, high)`` and ``bootstrap`` (the protocol, resamples,
        confidence, seed).
        """
        if self._counts is None:
            raise ValueError("compute() called before any update()")
        counts, rejected = self._synced_counts()
        if int(rejected):
            raise ValueError(f"{int(rejected)} batch(es) were refused: y_true must hold only 0 "
                             "and 1, and y_prob no NaN or infinity")
        at_threshold = counts[:, 0, :].to(torch.float64)
        tp, fp, tn, fn = at_threshold.unbind(1)
        f1 = _f1(tp, fp, fn)
        result: Dict[str, Any] = {}
        protocol = _bootstrap_protocol(bootstrap, confidence)
        if protocol is not None and self.auroc_mode != "exact":
            raise ValueError('bootstrap needs auroc="exact" (the scores themselves)')
        if self.auroc_mode == "exact":
            labels, scores = self._synced_scores()
            auroc, auprc = ops.auroc_auprc(labels, scores)  # NaN for every class when N == 0
        else:
            auroc, bound = _binned_auroc(counts[:, 1:, :])
            auprc, ap_bound = _binned_auprc(counts[:, 1:, :])
            result["auroc_binned_bound"] = bound.cpu()
            result["auprc_binned_bound"] = ap_bound.cpu()
        grid = counts[:, 1:, :].to(torch.float64)
        grid_f1 = _f1(grid[:, :, 0], grid[:, :, 1], grid[:, :, 3])
        best = grid_f1.argmax(dim=1)
        values = torch.stack([
            f1.mean(), auroc.nanmean(),
            tp.sum() / (tp.sum() + fn.sum() + _EPS), tn.sum() / (tn.sum() + fp.sum() + _EPS),
            auprc.nanmean()]).tolist()
        result.update({
            "f1_macro": values[0], "auroc_macro": values[1],
            "sensitivity_micro": values[2], "specificity_micro": values[3],
            "auprc_macro": values[4],
            "f1": f1.cpu(), "auroc": auroc.cpu(), "auprc": auprc.cpu(),
            "sensitivity": (tp / (tp + fn + _EPS)).cpu(), "specificity": (tn / (tn + fp + _EPS)).cpu(),
            "counts": counts[:, 0, :].cpu(),
            "best_f1_threshold": self._thresholds[1:][best].cpu(),
            "best_f1": grid_f1.gather(1, best[:, None])[:, 0].cpu(),
        })
        if protocol is not None:
            name, resamples, level = protocol
            threshold = torch.tensor(self.threshold, dtype=self._score_dtype).item()
            indices = None
            if name == "ptb-xl":
                indices = ptbxl_indices(labels, resamples, int(seed), int(bootstrap_batch))
            result.update(bootstrap_intervals(labels, scores, threshold, resamples, level,
                                              int(seed), int(bootstrap_batch), indices))
            result["bootstrap"] = {"protocol": name, "resamples": resamples,
                                   "confidence": level, "seed": int(seed)}
        return result

    # ---- distributed -------------------------------------------------------------

    def _distributed(self) -> bool:
        return dist.is_available() and dist.is_initialized() and \
            dist.get_world_size(self.process_group) > 1

    def _synced_counts(self):
        counts, rejected = self._counts.clone(), self._rejected.clone()
        if self._distributed():
            dist.all_reduce(counts, group=self.process_group)
            dist.all_reduce(rejected, group=self.process_group)
        return counts, rejected

    def _synced_scores(self):
        labels = self._stored(self._labels, torch.uint8)
        scores = self._stored(self._scores)
        if not self._distributed():
            return labels, scores
        return _all_gather_rows(labels, self.process_group), \
            _all_gather_rows(scores, self.process_group)


def _f1(tp: torch.Tensor, fp: torch.Tensor, fn: torch.Tensor) -> torch.Tensor:
    denom = 2 * tp + fp + fn
    return torch.where(denom > 0, 2 * tp / denom.clamp_min(1), torch.zeros_like(denom))


def _binned_auroc(grid: torch.Tensor):
    """AUROC and its error bound per class from counts at ascending thresholds."""
    tp, fp = grid[:, :, 0].to(torch.float64), grid[:, :, 1].to(torch.float64)
    P = (grid[:, 0, 0] + grid[:, 0, 3]).to(torch.float64)
    M = (grid[:, 0, 1] + grid[:, 0, 2]).to(torch.float64)
    zero = torch.zeros_like(P)[:, None]
    # positives / negatives at or above each threshold, from -inf to +inf
    pos_ge = torch.cat([P[:, None], tp, zero], dim=1)
    neg_ge = torch.cat([M[:, None], fp, zero], dim=1)
    pos_bin = pos_ge[:, :-1] - pos_ge[:, 1:]
    neg_bin = neg_ge[:, :-1] - neg_ge[:, 1:]
    neg_below = M[:, None] - neg_ge[:, :-1]
    u2 = (pos_bin * (2 * neg_below + neg_bin)).sum(1)
    pm = P * M
    nan = torch.full_like(P, math.nan)
    auroc = torch.where(pm > 0, u2 / (2 * pm.clamp_min(1)), nan)
    bound = torch.where(pm > 0, 0.5 * (pos_bin * neg_bin).sum(1) / pm.clamp_min(1), nan)
    return auroc, bound


def _all_gather_rows(t: torch.Tensor, group) -> torch.Tensor:
    """Concatenates every rank's [n_r, C] rows in rank order; n_r may differ or be 0."""
    world = dist.get_world_size(group)
    n = torch.tensor([t.shape[0]], dtype=torch.int64, device=t.device)
    sizes = [torch.zeros_like(n) for _ in range(world)]
    dist.all_gather(sizes, n, group=group)
    sizes = [int(s) for s in sizes]
    longest = max(sizes)
    padded = torch.zeros((longest,) + tuple(t.shape[1:]), dtype=t.dtype, device=t.device)
    padded[: t.shape[0]] = t
    parts = [torch.empty_like(padded) for _ in range(world)]
    dist.all_gather(parts, padded, group=group)
    return torch.cat([p[:s] for p, s in zip(parts, sizes)])


def _bootstrap_protocol(bootstrap, confidence):
    """(name, resamples, confidence) of a compute(bootstrap=...) request, or None."""
    if isinstance(bootstrap, str):
        if bootstrap.lower().replace("_", "-") not in ("ptb-xl", "ptbxl"):
            raise ValueError(f'bootstrap must be an int or "ptb-xl", got {bootstrap!r}')
        if confidence is not None and float(confidence) != PTBXL_CONFIDENCE:
            raise ValueError(f"the PTB-XL protocol's interval is 90% (5th-95th percentiles); "
                             f"got confidence={confidence!r}")
        return "ptb-xl", PTBXL_RESAMPLES, PTBXL_CONFIDENCE
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, numbers.Integral) or bootstrap < 0:
        raise ValueError(f'bootstrap must be an int >= 0 or "ptb-xl", got {bootstrap!r}')
    if bootstrap == 0:
        return None
    return "percentile", int(bootstrap), 0.95 if confidence is None else float(confidence)


def _binned_auprc(grid: torch.Tensor):
    """AUPRC and its error bound per class from counts at ascending thresholds
    (every score in a bin taken at the bin's lower threshold; module docstring)."""
    tp, fp = grid[:, :, 0].to(torch.float64), grid[:, :, 1].to(torch.float64)
    P = (grid[:, 0, 0] + grid[:, 0, 3]).to(torch.float64)
    M = (grid[:, 0, 1] + grid[:, 0, 2]).to(torch.float64)
    zero = torch.zeros_like(P)[:, None]
    pos_ge = torch.cat([P[:, None], tp, zero], dim=1)  # at or above bin j's lower edge
    neg_ge = torch.cat([M[:, None], fp, zero], dim=1)
    pos_bin = pos_ge[:, :-1] - pos_ge[:, 1:]
    here, above = pos_ge[:, :-1], pos_ge[:, 1:]
    neg_here, neg_above = neg_ge[:, :-1], neg_ge[:, 1:]
    has = pos_bin > 0
    prec = torch.where(has, here / (here + neg_here).clamp_min(1), torch.zeros_like(here))
    upper = torch.where(has, here / (here + neg_above).clamp_min(1), torch.zeros_like(here))
    lower = torch.where(has, (above + 1) / (above + 1 + neg_here), torch.zeros_like(here))
    nan = torch.full_like(P, math.nan)
    Pc = P.clamp_min(1)
    auprc = torch.where(P > 0, (pos_bin * prec).sum(1) / Pc, nan)
    bound = torch.where(P > 0, (pos_bin * (upper - lower)).sum(1) / Pc, nan)
    return auprc, bound


def _weighted_auroc(w, order, sorted_y, group):
    """AUROC per (resample, class) with sample weights w [b, N]: ties count half."""
    return weighted_auroc_auprc(w, order, sorted_y, group)[0]
