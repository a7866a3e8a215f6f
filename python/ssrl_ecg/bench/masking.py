"""span_mask, lead_mask and token_mask against what users run today.

- span masks: transformers' ``_compute_mask_indices`` (numpy on the host, a
  copy, a multiply; re-implemented here from its source, transformers being
  several hundred MB of dependencies) and fairseq-signals' ``compute_mask_indices``
  (static spans, no padding, its defaults; re-implemented alike), against
  ``span_mask(exact=True)``; a pure-torch per-lead composition (randint,
  scatter_add + cumsum, masked_fill) against ``span_mask(per_lead=True)``;
- ``lead_mask`` against ``torch.rand < p`` and a multiply;
- ``token_mask`` against MAE's ``random_masking`` composition (uniform noise,
  two argsorts, a gather) at ST-MEM's (B, 12 leads, 30 patches), MTAE's
  (B, 1, 100 time patches) and MLAE's (B, 1, 12 lead tokens) shapes;
- ``x.clone()`` as the bandwidth ceiling of every mask that writes x.

Every method is validated before it is timed, and each row carries the masked
fraction it actually reached next to the requested ratio.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import torch

from ..masking import lead_mask, span_mask, token_mask
from .common import (CHANNELS, ROTATE_BYTES, Clock, Plan, fresh_outputs_hook, measure_all,
                     paired_ratio, ratio_of, row_of)

SPAN = 50          # 0.1 s at 500 Hz
SPAN_RATIO = 0.5   # what the span rows ask for (wav2vec 2.0 asks 0.65 of 10-step spans)
MIN_MASKS = 2      # wav2vec 2.0's and HuBERT's min_masks
LEAD_P = 0.25
TOKEN_RATIO = 0.75  # ST-MEM's, MTAE's and MAE's
TOKEN_SHAPES = {"ST-MEM": (12, 30), "MTAE": (1, 100), "MLAE": (1, 12)}  # (G, L)


# ---- what users run today ------------------------------------------------------------------


def hf_compute_mask_indices(shape: Tuple[int, int], mask_prob: float, mask_length: int,
                            min_masks: int = 0) -> np.ndarray:
    """transformers' Wav2Vec2 ``_compute_mask_indices`` without an attention mask,
    step for step: one probabilistic-rounding epsilon per batch, the span count
    computed per row (every row has length T here), ``np.random.choice`` of
    distinct starts per row padded to the batch's most spans, starts and
    offsets broadcast into spans, clipped to T only when one runs past it,
    scattered with ``put_along_axis``."""
    B, T = shape
    eps = np.random.rand(1).item()

    def spans_of(length: int) -> int:
        n = max(int(mask_prob * length / mask_length + eps), min_masks)
        if n * mask_length > T:
            n = T // mask_length
        if length - (mask_length - 1) < n:
            n = max(length - (mask_length - 1), 0)
        return n

    lengths = [T for _ in range(B)]
    mask = np.zeros((B, T), dtype=bool)
    most = spans_of(T)
    if most == 0:
        return mask
    rows = []
    for length in lengths:
        n = spans_of(length)
        idx = np.random.choice(np.arange(length - (mask_length - 1)), n, replace=False)
        dummy = idx[0] if len(idx) else T - 1
        rows.append(np.concatenate([idx, np.ones(most - n, dtype=np.int32) * dummy]))
    idx = np.broadcast_to(np.array(rows)[:, :, None], (B, most, mask_length))
    idx = idx.reshape(B, most * mask_length)
    offsets = np.broadcast_to(np.arange(mask_length)[None, None, :], (B, most, mask_length))
    idx = idx + offsets.reshape(B, most * mask_length)
    if idx.max() > T - 1:
        idx[idx > T - 1] = T - 1
    np.put_along_axis(mask, idx, True, -1)
    return mask


def fairseq_compute_mask_indices(shape: Tuple[int, int], mask_prob: float, mask_length: int,
                                 min_masks: int = 0) -> np.ndarray:
    """fairseq-signals' ``compute_mask_indices`` with its defaults (static spans,
    overlaps allowed, no padding): distinct starts in [0, T - span) per row, the
    spans' steps listed one by one, then every row cut down to the smallest
    row's count by a random subset (so all rows mask as many steps)."""
    B, T = shape
    n = max(min_masks, int(mask_prob * T / float(mask_length) + np.random.rand()))
    rows = []
    for _ in range(B):
        lengths = np.full(n, mask_length)
        min_len = min(lengths)
        if T - min_len <= n:
            min_len = T - n - 1
        starts = np.random.choice(T - min_len, n, replace=False)
        idc = np.asarray([starts[j] + k for j in range(len(starts)) for k in range(lengths[j])])
        rows.append(np.unique(idc[idc < T]))
    least = min(len(r) for r in rows)
    mask = np.zeros((B, T), dtype=bool)
    for i, idc in enumerate(rows):
        if len(idc) > least:
            idc = np.random.choice(idc, least, replace=False)
        mask[i, idc] = True
    return mask


def host_mask_multiply(x: torch.Tensor, make: Callable) -> Tuple[torch.Tensor, torch.Tensor]:
    """The models' path: the numpy mask copied to x's device (torch.tensor, as
    Wav2Vec2's _mask_hidden_states does), then x * ~mask."""
    B, _, T = x.shape
    mask = torch.tensor(make((B, T), SPAN_RATIO, SPAN, MIN_MASKS), device=x.device,
                        dtype=torch.bool)
    return x * ~mask.unsqueeze(1), mask


def torch_per_lead(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """ST-MEM-style per-lead spans in plain torch: randint starts per (b, c),
    scatter_add + cumsum into a [B, C, T] mask, masked_fill."""
    B, C, T = x.shape
    n = max(1, int((T * SPAN_RATIO) // SPAN))
    starts = torch.randint(0, max(1, T - SPAN + 1), (B * C, n), device=x.device)
    diff = torch.zeros(B * C, T + 1, dtype=torch.int32, device=x.device)
    one = torch.ones_like(starts, dtype=torch.int32)
    diff.scatter_add_(1, starts, one)
    diff.scatter_add_(1, (starts + SPAN).clamp_(max=T), -one)
    mask = (diff.cumsum(1, dtype=torch.int32)[:, :T] > 0).view(B, C, T)
    return x.masked_fill(mask, 0), mask


def torch_lead_drop(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    dropped = torch.rand(x.shape[0], x.shape[1], device=x.device) < LEAD_P
    return x * ~dropped.unsqueeze(2), dropped


def mae_random_masking(B: int, G: int, L: int, device: torch.device):
    """MAE's random_masking without the gather of x: (ids_keep, ids_restore, mask)."""
    len_keep = int(L * (1 - TOKEN_RATIO))
    noise = torch.rand(B * G, L, device=device)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    mask = torch.ones(B * G, L, device=device)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)
    return ids_keep.view(B, G, len_keep), ids_restore.view(B, G, L), mask.view(B, G, L)


# ---- validation: every method checked, and the fraction each masks --------------------------


def _consistent(x: torch.Tensor, out: torch.Tensor, mask: torch.Tensor) -> bool:
    m = mask if mask.dim() == 3 else mask.unsqueeze(1)
    return torch.equal(out, x.masked_fill(m, 0))


def _exact_rows(mask: torch.Tensor, T: int) -> bool:
    n = min(T // SPAN, max(1, round(T * SPAN_RATIO / SPAN)))
    return bool((mask.sum(-1) == n * SPAN).all())


def _tokens_ok(keep: torch.Tensor, restore: torch.Tensor, mask: torch.Tensor) -> bool:
    """MAE's contract: the order ids_restore inverts starts with ids_keep, the
    kept ids are masked 0 and the others 1."""
    k = keep.shape[-1]
    order = torch.argsort(restore, dim=-1)  # the permutation ids_restore inverts
    kept = torch.zeros_like(mask).scatter_(-1, keep, 1.0)
    return torch.equal(order[..., :k], keep) and torch.equal(1 - kept, mask)


SPAN_METHODS: Dict[str, str] = {
    "ours_exact": "ours: span_mask(exact=True)",
    "ours_overlap": "ours: span_mask() (= apply_random_mask)",
    "ours_per_lead_exact": "ours: span_mask(per_lead=True, exact=True)",
    "ours_per_lead": "ours: span_mask(per_lead=True)",
    "transformers": "transformers _compute_mask_indices: numpy, copy, multiply",
    "fairseq_signals": "fairseq-signals compute_mask_indices: numpy, copy, multiply",
    "torch_per_lead": "pure torch per lead: randint, scatter_add+cumsum, masked_fill",
    "ours_lead": f"ours: lead_mask(p={LEAD_P})",
    "ours_lead_exact": f"ours: lead_mask(p={LEAD_P}, exact=True)",
    "torch_lead": "pure torch: rand < p, multiply",
    "clone": "x.clone() (bandwidth ceiling)",
}


LEAD_METHODS = ("ours_lead", "ours_lead_exact", "torch_lead")


def _span_runners() -> Dict[str, Callable[[torch.Tensor], Any]]:
    return {
        "ours_exact": lambda x: span_mask(x, SPAN_RATIO, SPAN, exact=True),
        "ours_overlap": lambda x: span_mask(x, SPAN_RATIO, SPAN),
        "ours_per_lead_exact": lambda x: span_mask(x, SPAN_RATIO, SPAN, per_lead=True, exact=True),
        "ours_per_lead": lambda x: span_mask(x, SPAN_RATIO, SPAN, per_lead=True),
        "transformers": lambda x: host_mask_multiply(x, hf_compute_mask_indices),
        "fairseq_signals": lambda x: host_mask_multiply(x, fairseq_compute_mask_indices),
        "torch_per_lead": torch_per_lead,
        "ours_lead": lambda x: lead_mask(x, LEAD_P),
        "ours_lead_exact": lambda x: lead_mask(x, LEAD_P, exact=True),
        "torch_lead": torch_lead_drop,
        "clone": lambda x: (x.clone(), None),
    }


def _validate_spans(x0: torch.Tensor) -> Dict[str, Dict[str, Any]]:
    """{method: {validated, masked_fraction}} from one call of each on x0."""
    T = x0.shape[2]
    out: Dict[str, Dict[str, Any]] = {}
    for key, run in _span_runners().items():
        res, mask = run(x0)
        if key == "clone":
            out[key] = dict(validated=torch.equal(res, x0), masked_fraction=0.0)
            continue
        if key in LEAD_METHODS:
            ok = torch.equal(res, x0.masked_fill(mask.unsqueeze(2), 0))
            if key == "ours_lead_exact":
                ok = ok and bool((mask.sum(1) == round(LEAD_P * x0.shape[1])).all())
        else:
            ok = _consistent(x0, res, mask)
            if key.endswith("exact"):
                ok = ok and _exact_rows(mask, T)
        out[key] = dict(validated=ok, masked_fraction=float(mask.float().mean()))
    # ours, the per-sample overlapping rule: bit for bit apply_random_mask
    from ..utils import apply_random_mask
    g1, g2 = (torch.Generator(device=x0.device).manual_seed(5) for _ in range(2))
    a = span_mask(x0, SPAN_RATIO, SPAN, generator=g1)
    b = apply_random_mask(x0, SPAN_RATIO, SPAN, generator=g2, return_mask=True)
    out["ours_overlap"]["validated"] &= torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    return out


def bench_span(device: torch.device, plan: Plan, B: int, T: int, clock: Clock,
               methods: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    """x [B, 12, T] float32: every span and lead method, validated, then timed side by side."""
    x0 = torch.randn(B, CHANNELS, T, device=device)
    valid = _validate_spans(x0)
    copies = max(1, min(32, math.ceil(ROTATE_BYTES / max(1, x0.nbytes))))
    inputs = [x0.clone() for _ in range(copies)]
    pool = itertools.cycle(inputs)
    runners = _span_runners()
    keys = methods or list(SPAN_METHODS)
    rows = measure_all(clock, [(k, lambda run=runners[k]: run(next(pool)), None) for k in keys],
                       plan, after=fresh_outputs_hook(device, inputs + [x0]))
    clone = row_of(rows, "clone")
    for r in rows:
        r.update(valid[r["method"]], shape=[B, CHANNELS, T], dtype="float32",
                 requested=LEAD_P if r["method"] in LEAD_METHODS else SPAN_RATIO,
                 gb_s=2 * x0.nbytes / r["time_s"] / 1e9, x_clone=paired_ratio(r, clone),
                 copies=copies)
    return rows


TOKEN_METHODS: Dict[str, str] = {
    "ours_token": "ours: token_mask",
    "mae": "MAE random_masking: rand, argsort x2, gather",
}


def bench_token(device: torch.device, plan: Plan, B: int, name: str, clock: Clock) -> List[Dict]:
    G, L = TOKEN_SHAPES[name]
    runners = {"ours_token": lambda: token_mask((B, G, L), TOKEN_RATIO, device=device),
               "mae": lambda: mae_random_masking(B, G, L, device)}
    valid = {k: _tokens_ok(*run()) for k, run in runners.items()}
    ids_keep = runners["ours_token"]()[0]  # ours also keeps its ids ascending
    valid["ours_token"] &= bool((ids_keep.diff(dim=-1) > 0).all())
    rows = measure_all(clock, [(k, runners[k], None) for k in TOKEN_METHODS], plan)
    mae = row_of(rows, "mae")
    keep = int(L * (1 - TOKEN_RATIO))
    for r in rows:
        r.update(validated=valid[r["method"]], shape=[B, G, L], model=name,
                 requested=TOKEN_RATIO, masked_fraction=1 - keep / L,
                 mae_over=paired_ratio(mae, r))
    return rows


# ---- targets and tables (called by report.py) --------------------------------------------------


def masking_targets(target: Callable, dev: str, res: Dict[str, List[Dict]]) -> None:
    """The issue's CPU targets for the new masks, through report.py's ``target``."""
    span, token = res.get("span", []), res.get("token", [])
    if dev != "cpu" or not span:
        return
    big, small = [256, CHANNELS, 5000], [64, CHANNELS, 1000]
    for key in ("ours_exact", "ours_overlap", "ours_per_lead_exact", "ours_per_lead",
                "ours_lead", "ours_lead_exact"):
        target(dev, f"{SPAN_METHODS[key]} [256,12,5000] f32: time / x.clone()",
               ratio_of(span, key, "clone", shape=big), ("<=", 1.3), "x")
    target(dev, "span_mask(exact=True) [64,12,1000]: transformers path / ours",
           ratio_of(span, "transformers", "ours_exact", shape=small), (">=", 10), "x")
    target(dev, "token_mask (256,12,30): MAE random_masking / ours",
           ratio_of(token, "mae", "ours_token", model="ST-MEM"), (">=", 3), "x")


def masking_markdown(res: Dict[str, List[Dict]], dev: str) -> List[str]:
    """Tables of the span/lead and token rows of one device."""
    lines: List[str] = []
    by_shape: Dict[str, List[Dict]] = {}
    for r in res.get("span", []):
        by_shape.setdefault(str(r["shape"]), []).append(r)
    for shape, rows in by_shape.items():
        lines += ["", f"## span_mask and lead_mask on {dev}: x {shape} float32, span {SPAN}, "
                      f"ratio {SPAN_RATIO} (lead p {LEAD_P}; inputs rotated over "
                      f"{rows[0]['copies']} copies)", "",
                  "| method | median ms | reps | time / x.clone() | GB/s | requested | masked "
                  "| validated |", "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {SPAN_METHODS[r['method']]} | {r['time_s'] * 1e3:.3f} | {r['reps']} "
                         f"| {r['x_clone']:.2f}x | {r['gb_s']:.3g} | {r['requested']:g} "
                         f"| {r['masked_fraction']:.3f} | {'yes' if r['validated'] else '**NO**'} |")
    token = res.get("token", [])
    if token:
        lines += ["", f"## token_mask on {dev}: ratio {TOKEN_RATIO}, B = 256", "",
                  "| model (G, L) | method | median us | MAE / time | masked | validated |",
                  "|---|---|---|---|---|---|"]
        for r in token:
            G, L = r["shape"][1:]
            lines.append(f"| {r['model']} ({G}, {L}) | {TOKEN_METHODS[r['method']]} "
                         f"| {r['time_s'] * 1e6:.1f} | {r['mae_over']:.2f}x "
                         f"| {r['masked_fraction']:.3f} | {'yes' if r['validated'] else '**NO**'} |")
    return lines
