"""The reference package's four helpers, on the ssrl_ecg ops.

``set_seed``, ``choose_device``, ``multilabel_metrics`` and ``apply_random_mask``
keep the reference's signatures and results (docs/semantics.md sections 1 and 4),
but run in-graph on the tensor's own device: masking is one pass of a C or CUDA
kernel seeded from torch's generator, and the metrics come from one batched
confusion-count pass and an exact AUROC kernel, with a single device-to-host
copy of the four scalars at the end.
"""

from __future__ import annotations

import math
import numbers
import random
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np
import torch

from . import ops

__all__ = ["set_seed", "choose_device", "multilabel_metrics", "apply_random_mask",
           "metrics_and_flags", "draw_seed"]

_EPS = 1e-8  # the reference's epsilon in the micro sensitivity and specificity


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy, torch's CPU and every CUDA generator.

    ``apply_random_mask`` draws its mask seed from torch's generator on the
    tensor's device, so after ``set_seed`` masks are reproducible too.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    seed = int(seed)
    if not -2**63 <= seed < 2**64:  # what torch.manual_seed takes
        raise ValueError(f"seed must be in [-2**63, 2**64), got {seed}")
    random.seed(seed)
    np.random.seed(seed % 2**32)  # numpy takes [0, 2^32)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def choose_device(verbose: bool = True) -> torch.device:
    """``cuda:0`` when a GPU is present (configured as the reference does), else ``cpu``.

    On a GPU: 95% memory fraction, cache emptied, cuDNN benchmark on and
    deterministic off, a warm-up kernel, and a report of the real device.
    """
    if not torch.cuda.is_available():
        if verbose:
            print(f"[CPU] No CUDA GPU found; using the CPU ({torch.get_num_threads()} threads, "
                  f"PyTorch {torch.__version__})")
        return torch.device("cpu")
    device = torch.device("cuda:0")
    torch.cuda.set_per_process_memory_fraction(0.95, device)
    torch.cuda.empty_cache()
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = False
    torch.ones(256, 256, device=device).matmul(torch.ones(256, 256, device=device))  # warm-up
    if verbose:
        props = torch.cuda.get_device_properties(device)
        print("[GPU CONFIGURATION]")
        print(f"  Device: {props.name}")
        print(f"  GPU Memory: {props.total_memory / 1024**3:.1f} GB")
        print(f"  CUDA Version: {torch.version.cuda}")
        print(f"  cuDNN Version: {torch.backends.cudnn.version()}")
        print(f"  PyTorch Version: {torch.__version__}")
        print(f"  [STATUS] Using GPU mode on {props.name}")
    return device


# ---- multilabel_metrics ------------------------------------------------------

_SCORE_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _as_tensor(value: Any, name: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach()
    try:
        array = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array, a tensor or a nested list: {exc}") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    return torch.from_numpy(np.ascontiguousarray(array))


def _as_matrix(t: torch.Tensor, name: str) -> torch.Tensor:
    if t.dim() == 1:
        return t.unsqueeze(1)  # one class
    if t.dim() != 2:
        raise ValueError(f"{name} must be 1-D [N] or 2-D [N, C], got shape {tuple(t.shape)}")
    return t


def _labels_in_place(y: torch.Tensor, check: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
    """(labels the ops read as they are, a 0-d bool tensor: some label was outside {0, 1}).

    Bool, integer and real floating labels go to the ops in their own dtype
    (docs/semantics.md section 9.1): no [N, C] copy. One pass finds bad values;
    ``check=False`` skips it (the flag is then False) for a caller whose CPU op
    refuses them itself.
    """
    if y.is_complex():
        raise TypeError(f"y_true must be real, got {y.dtype}")
    if y.dtype not in ops.LABEL_DTYPES:  # float8 and the like: a float32 copy
        y = y.to(torch.float32)
    if y.dtype == torch.bool or y.numel() == 0 or not check:
        return y, torch.zeros((), dtype=torch.bool, device=y.device)
    if y.is_floating_point():  # 0.5 passes a range test: compare every value
        bad = ((y != 0) & (y != 1)).any()
    else:  # integers: one pass, no [N, C] temporary
        lo, hi = torch.aminmax(ops._signed_view(y))
        bad = (lo < 0) | (hi > 1)
    return y, bad


def _labels_as_uint8(y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """(labels as uint8, a 0-d bool tensor: some label was outside {0, 1})."""
    labels, bad = _labels_in_place(y)
    return labels.to(torch.uint8), bad


def _nonfinite(p: torch.Tensor) -> torch.Tensor:
    """0-d bool: p holds a NaN or an infinity (min and max carry both), one pass."""
    if p.numel() == 0:
        return torch.zeros((), dtype=torch.bool, device=p.device)
    lo, hi = torch.aminmax(p)
    return ~(torch.isfinite(lo) & torch.isfinite(hi))


def _nonfinite_serial(p: torch.Tensor) -> torch.Tensor:
    """As ``_nonfinite`` for a CPU tensor, on one thread: a numpy sum is finite
    only when every score is (an infinity or a NaN makes any sum non-finite);
    a non-finite sum (which finite float16 or huge scores can also overflow
    to) goes to the exact test. bfloat16 (not in numpy) takes the exact test."""
    if p.numel() and p.dtype != torch.bfloat16:
        a = p.detach().numpy()
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is an answer here
            total = a.sum(dtype=np.float32 if p.dtype == torch.float16 else None)
        if math.isfinite(float(total)):
            return torch.zeros((), dtype=torch.bool)
    return _nonfinite(p)


def _label_refusal(exc: RuntimeError) -> Optional[ValueError]:
    """The ValueError a CPU op's refusal of a label stands for; None for any
    other error (which the caller re-raises)."""
    return ValueError("y_true must hold only 0 and 1") if "y_true" in str(exc) else None


def _check_pair(y_true: torch.Tensor, y_prob: torch.Tensor) -> None:
    if y_true.shape != y_prob.shape:
        raise ValueError(f"y_true and y_prob must have the same shape, got {tuple(y_true.shape)} "
                         f"and {tuple(y_prob.shape)}")
    if y_true.device != y_prob.device:
        raise ValueError(f"y_true and y_prob must be on the same device, got {y_true.device} "
                         f"and {y_prob.device}")


def _check_on_host(flag: torch.Tensor, message: str) -> None:
    if flag.device.type == "cpu" and bool(flag):
        raise ValueError(message)


def multilabel_metrics(y_true: Any, y_prob: Any, threshold: float = 0.5, *,
                       extra: bool = False) -> Dict[str, float]:
    """F1 (macro), AUROC (macro over two-label classes), micro sensitivity and specificity.

    Args:
        y_true: labels [N, C] (or [N] for one class) with values in {0, 1}:
            numpy array, torch tensor (CPU or CUDA) or nested list.
        y_prob: scores of the same shape; float16/bfloat16/float32/float64 are
            compared in their own precision, other numbers as float64.
        threshold: decision threshold; ``y_prob >= threshold`` is positive.
        extra: also return ``auprc_macro``, the mean over the classes with a
            positive of the exact average precision (scikit-learn's
            ``average_precision_score``; docs/semantics.md section 9.2), from
            the AUROC's own sort.

    Returns:
        ``{"f1_macro", "auroc_macro", "sensitivity_micro", "specificity_micro"}``
        as Python floats, equal to the scikit-learn reference to 1e-12, plus
        ``auprc_macro`` with ``extra=True``. ``auroc_macro`` is NaN when no
        class holds both labels, ``auprc_macro`` when no class has a positive.
        Labels of any bool, integer or floating dtype are read as they are.

    Raises:
        ValueError: shapes that differ, labels outside {0, 1}, NaN or infinity
            in ``y_prob``, a NaN threshold. TypeError: non-numeric input.
    """
    if not isinstance(extra, bool):
        raise TypeError(f"extra must be a bool, got {type(extra).__name__}")
    # the one device-to-host copy
    values = metrics_and_flags(y_true, y_prob, threshold, extra=extra).tolist()
    if values[4]:
        raise ValueError("y_true must hold only 0 and 1")
    if values[5]:
        raise ValueError("y_prob must not hold NaN or infinity")
    result = {"f1_macro": values[0], "auroc_macro": values[1],
              "sensitivity_micro": values[2], "specificity_micro": values[3]}
    if extra:
        result["auprc_macro"] = values[6]
    return result


def metrics_and_flags(y_true: Any, y_prob: Any, threshold: float = 0.5, *,
                      extra: bool = False) -> torch.Tensor:
    """The work of ``multilabel_metrics`` without the copy to the host.

    Returns a float64 tensor on the inputs' device: ``[f1_macro, auroc_macro,
    sensitivity_micro, specificity_micro, bad_label, bad_score]``; the last two
    are 1.0 when ``y_true`` held a value outside {0, 1} or ``y_prob`` a NaN or
    infinity (checked here on the CPU, where it costs no sync). With
    ``extra=True`` a seventh entry, ``auprc_macro``. Makes no host-device sync
    for CUDA tensors.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a real number, got {type(threshold).__name__}")
    if math.isnan(threshold):
        raise ValueError("threshold must not be NaN")
    y_true_t = _as_matrix(_as_tensor(y_true, "y_true"), "y_true")
    y_prob_t = _as_matrix(_as_tensor(y_prob, "y_prob"), "y_prob")
    _check_pair(y_true_t, y_prob_t)
    if y_prob_t.is_complex() or y_prob_t.dtype == torch.bool:
        raise TypeError(f"y_prob must hold real scores, got {y_prob_t.dtype}")
    if y_prob_t.dtype not in _SCORE_DTYPES:
        y_prob_t = y_prob_t.to(torch.float64)
    # On the CPU (eager) the checks make no parallel torch pass: the ops refuse
    # labels outside {0, 1} themselves, and a serial numpy sum finds non-finite
    # scores. With the other core busy, each parallel torch pass waited for its
    # worker thread behind the competing process: 34 ms instead of 20 ms at
    # [21837, 71] (bench group "busy").
    eager_cpu = y_prob_t.device.type == "cpu" and not torch.compiler.is_compiling()
    labels, bad_label = _labels_in_place(y_true_t, check=not eager_cpu)
    _check_on_host(bad_label, "y_true must hold only 0 and 1")
    bad_score = _nonfinite_serial(y_prob_t) if eager_cpu else _nonfinite(y_prob_t)
    if eager_cpu and bool(bad_score):  # a bad label is named first, as on every device
        _check_on_host(_labels_in_place(y_true_t)[1], "y_true must hold only 0 and 1")
    _check_on_host(bad_score, "y_prob must not hold NaN or infinity")
    thresholds = torch.full((1,), float(threshold), dtype=torch.float64, device=y_prob_t.device)
    try:
        values = _metrics_tensor(labels, y_prob_t.contiguous(), thresholds, extra)
    except RuntimeError as exc:  # the CPU op's verdict on a label
        refusal = _label_refusal(exc) if eager_cpu else None
        if refusal is not None:
            raise refusal from None
        raise
    flags = torch.stack([bad_label, bad_score]).to(torch.float64)
    return torch.cat([values[:4], flags, values[4:]])


def _metrics_tensor(labels: torch.Tensor, y_prob: torch.Tensor,
                    thresholds: torch.Tensor, extra: bool = False) -> torch.Tensor:
    """[f1_macro, auroc_macro, sensitivity_micro, specificity_micro] as a float64 tensor,
    then auprc_macro with ``extra``."""
    labels = labels.contiguous()
    counts = ops.confusion_counts(labels, y_prob, thresholds)[:, 0, :].to(torch.float64)
    tp, fp, tn, fn = counts.unbind(dim=1)
    denom = 2 * tp + fp + fn
    f1 = torch.where(denom > 0, 2 * tp / denom.clamp_min(1), torch.zeros_like(denom))
    f1_macro = f1.mean() if f1.numel() else torch.zeros((), dtype=torch.float64, device=f1.device)
    if extra:  # both from one sort
        auroc, auprc = ops.auroc_auprc(labels, y_prob)
    else:
        auroc = ops.auroc(labels, y_prob)
    auroc_macro = auroc.nanmean()  # NaN when every class is one-label
    tp_sum, fp_sum, tn_sum, fn_sum = counts.sum(dim=0).unbind()
    sens = tp_sum / (tp_sum + fn_sum + _EPS)
    spec = tn_sum / (tn_sum + fp_sum + _EPS)
    if extra:
        return torch.stack([f1_macro, auroc_macro, sens, spec, auprc.nanmean()])
    return torch.stack([f1_macro, auroc_macro, sens, spec])


# ---- apply_random_mask -------------------------------------------------------

def _check_mask_args(x: Any, mask_ratio: Any, block_size: Any) -> Tuple[float, int]:
    """(mask_ratio, block_size) as float and int, after the op wrappers' checks."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor [B, C, T], got {type(x).__name__}")
    ops._check_x(x)  # the op wrappers' checks: one definition of valid input
    return ops._mask_ratio(mask_ratio), ops._block_size(block_size)


def draw_seed(device: torch.device, generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """A one-element int64 mask seed drawn on ``device`` from torch's generator.

    Uniform over all 2^64 bit patterns but one; no host-device sync, so it is
    captured by CUDA graphs (and replays fresh) and traced by ``torch.compile``.
    """
    # generator= is passed even when None: without it torch.compile lowers the
    # draw to Inductor's own RNG, and compiled masks would differ from eager ones.
    return torch.randint(-2**63, 2**63 - 1, (1,), dtype=torch.int64, device=device,
                         generator=generator)


def apply_random_mask(x: torch.Tensor, mask_ratio: float, block_size: int = 50, *,
                      generator: Optional[torch.Generator] = None, return_mask: bool = False,
                      inplace: bool = False) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
    """Zero random blocks of ``block_size`` time steps, across all channels of a sample.

    Each sample gets ``max(1, int((T * mask_ratio) // block_size))`` blocks whose
    starts are uniform over ``[0, T - block_size]`` (docs/semantics.md section 1);
    blocks may overlap. The seed comes from torch's generator on ``x``'s device
    (``set_seed`` makes it reproducible), so the mask is made in-graph.

    Args:
        x: [B, C, T] tensor of any real dtype, on the CPU or a GPU.
        mask_ratio: fraction of T to mask; ``<= 0`` returns ``x`` itself.
        block_size: length of each block in time steps (>= 1).
        generator: torch generator on ``x``'s device to draw the seed from.
        return_mask: also return the bool mask [B, T] (True = masked).
        inplace: mask ``x`` itself (writes only the masked spans).

    Returns:
        the masked tensor, or ``(masked, mask)`` with ``return_mask=True``.
        Gradients flow to ``x`` except through masked positions.
    """
    if inplace is False and ops._plain_call(x, mask_ratio, block_size, generator):
        # the common call, checked in one expression (ops._plain_call says why)
        out, mask = ops._call_op(torch.ops.ssrl_ecg.block_mask.default, None, x,
                                 draw_seed(x.device, generator), mask_ratio, block_size)
        return (out, mask) if return_mask else out
    ratio, size = _check_mask_args(x, mask_ratio, block_size)
    if generator is not None:  # (None needs no check: ops._call_op says why frames count)
        ops._generator(generator)
    if ratio <= 0:
        if return_mask:
            return x, torch.zeros(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
        return x
    if inplace:
        ops._check_inplace(x)  # before the draw: a refused call leaves the generator as it was
    # Arguments checked above and the seed drawn on x's device: the ops themselves.
    seed = draw_seed(x.device, generator)
    if inplace:
        mask = torch.ops.ssrl_ecg.block_mask_.default(x, seed, ratio, size)
        out = x
    else:
        out, mask = ops._call_op(torch.ops.ssrl_ecg.block_mask.default, None, x, seed, ratio, size)
    return (out, mask) if return_mask else out
