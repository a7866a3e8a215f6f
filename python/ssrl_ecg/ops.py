"""Typed wrappers of the ``torch.ops.ssrl_ecg`` ops, their fake kernels and autograd.

The ops are C++ (``torch_bindings/``, on the stable libtorch ABI) over the C/CUDA
library; their behaviour is docs/semantics.md sections 1-3 and 6:

- :func:`block_mask` / :func:`block_mask_`: zero random time blocks of
  ``x [B, C, T]``, every channel alike; the blocks follow from ``seed`` alone,
  bit for bit the same on CPU and CUDA.
- :func:`confusion_counts`: ``(TP, FP, TN, FN)`` of ``y_prob >= threshold`` for
  every class and threshold, ``[C, K, 4]`` int64.
- :func:`auroc`: the exact per-class AUROC, ties counted half, ``[C]`` float64.
- :func:`auroc_auprc`: the AUROC and the average precision (AUPRC, equal to
  scikit-learn's ``average_precision_score``) from one sort (docs/semantics.md
  section 9.2).

Labels (``y_true``) may be bool or of any integer or real floating dtype, with
values 0 and 1 (docs/semantics.md section 9.1): the kernels read them in place.

The wrappers check their arguments in Python first and raise ``TypeError`` (a
wrong type or dtype) or ``ValueError`` (a wrong shape, device or value) naming
the argument, before any work and with the inputs left as they were. The ops
called directly (``torch.ops.ssrl_ecg.*``) check the same things and raise
``RuntimeError``. Nothing here synchronizes with a GPU unless asked to
(``check_values=True``).

Importing this module loads the op library (see ``_loader``) and registers the
fake kernels (for ``torch.compile`` and ``FakeTensorMode``) and the autograd
formula of ``block_mask``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Optional

import torch
from torch import Tensor

from . import _loader  # noqa: F401  (registers torch.ops.ssrl_ecg)

__all__ = ["block_mask", "block_mask_", "confusion_counts", "auroc", "auroc_auprc"]

#: dtypes of x that block_mask takes: all-zero bytes are 0 in each of them.
MASK_DTYPES = frozenset(
    {
        torch.bool,
        torch.uint8,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.uint16,
        torch.uint32,
        torch.uint64,
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
    }
)
#: dtypes of y_true the ops read in place (docs/semantics.md section 9.1): values 0 and 1.
LABEL_DTYPES = MASK_DTYPES
SCORE_DTYPES = frozenset({torch.float32, torch.float64, torch.float16, torch.bfloat16})

SeedLike = Tensor | int
ThresholdsLike = Tensor | Sequence[float]


# ---- argument checks -----------------------------------------------------------


def _tensor(name: str, value: object) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.layout != torch.strided:
        raise TypeError(f"{name} must be a dense (strided) tensor, got layout {value.layout}")
    return value


def _check_x(x: object) -> Tensor:
    x = _tensor("x", x)
    if x.dim() != 3:
        raise ValueError(f"x must be 3-D [B, C, T], got shape {tuple(x.shape)}")
    if x.dtype not in MASK_DTYPES:
        raise TypeError(
            f"x has dtype {x.dtype}; the masks take bool, integer and real floating dtypes"
        )
    if x.shape[2] >= 2**32:  # the start formula draws from 32-bit outputs
        raise ValueError(f"x must have T < 2**32 time steps, got T = {x.shape[2]}")
    return x


def _plain_call(x: object, ratio: object, size: object, generator: object) -> bool:
    """Whether a mask call has the common arguments: x a torch.Tensor itself
    (no subclass), strided, 3-D, of a mask dtype, with T < 2**32 (all of it
    _check_x accepts); ratio a float in (0, 1]; size (span, block size) an int
    in [1, 2**63 - 1]; generator None or a torch.Generator.

    The mask wrappers test it, and their own flags (bools, no fill, out of
    place), in one expression before their general checks: after other work
    (the rest of a training step) every frame and lookup of a call is cold, and
    in a harness that ran transformers' host mask between calls the general
    checks took ~20 us of a [64, 12, 1000] span_mask (~190-290 us), where this
    test takes ~2 us. Any other call takes the general checks, which accept the
    same values or raise."""
    return (type(ratio) is float and 0.0 < ratio <= 1.0
            and type(size) is int and 1 <= size <= 2**63 - 1
            and (generator is None or type(generator) is torch.Generator)
            and type(x) is Tensor and x.layout == torch.strided and x.dim() == 3
            and x.dtype in MASK_DTYPES and x.shape[2] < 2**32)


def _generator(generator: object) -> torch.Generator | None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    return generator


# Bound once: after other work every lookup and frame of a mask call is cold
# (see _call_op); Dynamo knows these functions by identity, aliases included.
_grad_enabled = torch.is_grad_enabled
_compiling = torch.compiler.is_compiling
_functorch_active = torch._C._are_functorch_transforms_active
_below_autograd = torch._C._AutoDispatchBelowAutograd


def _call_op(op: Any, fill: Optional[Tensor], *args: Any) -> Any:
    """``op(*args)`` (``args[0]`` is ``x``; ``fill`` the other input that may
    require grad, or None) for an op whose autograd is registered from Python
    (``torch.library.register_autograd``). That Python kernel runs on every
    call, even when nothing requires grad, and after other work (as in a
    training step, between forward passes) it cost about 50 us of the op's
    110 us on a small input. When no graph is wanted (grad mode off, or
    neither x nor fill requires grad) the call goes straight to the device
    kernel below autograd, the outputs being what that kernel makes then
    anyway (no grad_fn). Under torch.compile the plain call: Dynamo traces it,
    not the guard. Under a functorch transform (vmap, functionalize) too: its
    wrapper of x reports requires_grad False even when the tensor beneath it
    requires grad, and the guard would then drop that gradient."""
    x = args[0]
    if (_grad_enabled() and (x.requires_grad or (fill is not None and fill.requires_grad))) \
            or _compiling() or _functorch_active():
        return op(*args)
    with _below_autograd():
        return op(*args)


def _check_no_overlap(x: Tensor) -> None:
    """Refuses an x whose elements share memory (a stride-0 dim of size > 1, as
    expand() makes): masked in place, one write would land on several elements.
    The test torch's own in-place ops make (has_internal_overlap's YES)."""
    if not x.is_contiguous() and any(n > 1 and st == 0 for n, st in zip(x.shape, x.stride())):
        raise ValueError(
            f"x has overlapping elements (stride {tuple(x.stride())}, e.g. from expand()): "
            "it cannot be masked in place; pass x.clone() or use the out-of-place mask"
        )


def _check_inplace(x: Tensor) -> None:
    _check_no_overlap(x)
    if x.requires_grad and torch.is_grad_enabled():
        raise ValueError("x requires grad: block_mask_ is not differentiable, use block_mask")


def _seed(seed: object, x: Tensor) -> Tensor:
    if isinstance(seed, Tensor):
        if seed.dtype != torch.int64:
            raise TypeError(f"seed must be an int64 tensor, got dtype {seed.dtype}")
        if seed.numel() != 1:
            raise ValueError(f"seed must hold one element, got shape {tuple(seed.shape)}")
        if seed.device.type != "cpu" and seed.device != x.device:
            raise ValueError(
                f"seed must be on the CPU or on x's device ({x.device}), got {seed.device}"
            )
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int64 tensor or an int, got {type(seed).__name__}")
    seed = int(seed)
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"seed must fit in 64 bits, got {seed}")
    # The op reads the int64's bits as the uint64 seed.
    return torch.tensor(seed - 2**64 if seed >= 2**63 else seed, dtype=torch.int64)


def _mask_ratio(mask_ratio: object) -> float:
    # A float skips the numbers.Real ABC check: every mask call passes here,
    # and after other work it is cold (about 10 of the 14 us this took).
    if type(mask_ratio) is not float and (
            isinstance(mask_ratio, bool) or not isinstance(mask_ratio, numbers.Real)):
        raise TypeError(f"mask_ratio must be a real number, got {type(mask_ratio).__name__}")
    ratio = float(mask_ratio)
    # comparisons, not math.isfinite: under torch.compile a ratio that changed
    # between calls is a SymFloat, which Dynamo compares in the graph but
    # cannot pass to math.isfinite (fullgraph=True failed on ratio 0.0). NaN
    # fails both comparisons, -inf the first, +inf the second.
    if not -math.inf < ratio <= 1.0:
        raise ValueError(f"mask_ratio must be finite and <= 1, got {mask_ratio!r}")
    return ratio


def _block_size(block_size: object) -> int:
    if type(block_size) is not int and (  # an int skips the ABC check, as _mask_ratio
            isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral)):
        raise TypeError(f"block_size must be an int, got {type(block_size).__name__}")
    if not 1 <= block_size <= 2**63 - 1:
        raise ValueError(f"block_size must be in [1, 2**63 - 1], got {block_size}")
    return int(block_size)


def _check_scores(y_true: object, y_prob: object) -> tuple[Tensor, Tensor]:
    y_true = _tensor("y_true", y_true)
    y_prob = _tensor("y_prob", y_prob)
    if y_true.dtype not in LABEL_DTYPES:
        raise TypeError(
            "y_true must be bool, an integer or a real floating dtype (values 0 and 1), "
            f"got dtype {y_true.dtype}"
        )
    if y_true.dim() != 2:
        raise ValueError(f"y_true must be 2-D [N, C], got shape {tuple(y_true.shape)}")
    if y_prob.dtype not in SCORE_DTYPES:
        raise TypeError(
            f"y_prob must be float32, float64, float16 or bfloat16, got dtype {y_prob.dtype}"
        )
    if y_prob.shape != y_true.shape:
        raise ValueError(
            f"y_prob must have y_true's shape {tuple(y_true.shape)}, got {tuple(y_prob.shape)}"
        )
    if y_prob.device != y_true.device:
        raise ValueError(
            f"y_prob must be on y_true's device ({y_true.device}), got {y_prob.device}"
        )
    return y_true, y_prob


_SIGNED = {torch.uint16: torch.int16, torch.uint32: torch.int32, torch.uint64: torch.int64}


def _signed_view(y: Tensor) -> Tensor:
    """torch's wide unsigned dtypes lack comparisons: their bits as signed integers."""
    return y.view(_SIGNED[y.dtype]) if y.dtype in _SIGNED else y


def _thresholds(thresholds: object, y_prob: Tensor) -> Tensor:
    if not isinstance(thresholds, Tensor):
        if isinstance(thresholds, (str, bytes)) or not isinstance(thresholds, Sequence):
            raise TypeError(
                "thresholds must be a float64 tensor or a sequence of floats, "
                f"got {type(thresholds).__name__}"
            )
        try:
            thresholds = torch.tensor(thresholds, dtype=torch.float64, device=y_prob.device)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"thresholds must be a sequence of floats: {exc}") from exc
    thresholds = _tensor("thresholds", thresholds)
    if thresholds.dtype != torch.float64:
        raise TypeError(f"thresholds must be float64, got dtype {thresholds.dtype}")
    if thresholds.dim() != 1:
        raise ValueError(f"thresholds must be 1-D [K], got shape {tuple(thresholds.shape)}")
    if thresholds.device != y_prob.device:
        raise ValueError(
            f"thresholds must be on y_prob's device ({y_prob.device}), got {thresholds.device}"
        )
    return thresholds


def _check_values(y_true: Tensor, y_prob: Tensor, thresholds: Tensor | None = None) -> None:
    """Raises ValueError for labels outside {0, 1} or NaN scores/thresholds.

    One fused check and a single device-to-host transfer (a sync on CUDA). Skipped
    while tracing (torch.compile) and on meta tensors, where values do not exist.
    """
    if torch.compiler.is_compiling() or y_prob.device.type == "meta":
        return
    flags: list[Tensor] = []
    errors: list[str] = []
    if y_true.dtype != torch.bool:  # bool labels are 0 or 1 by construction
        if y_true.dtype.is_floating_point:  # NaN and 0.5 too
            flags.append(((y_true != 0) & (y_true != 1)).any())
        else:
            y = _signed_view(y_true)  # unsigned values past the sign bit read negative
            flags.append(((y < 0) | (y > 1)).any())
        errors.append("y_true holds a label other than 0 or 1")
    flags.append(torch.isnan(y_prob).any())
    errors.append("y_prob holds NaN")
    if thresholds is not None:
        flags.append(torch.isnan(thresholds).any())
        errors.append("thresholds holds NaN")
    for bad, error in zip(torch.stack(flags).tolist(), errors):
        if bad:
            raise ValueError(error)


# ---- the public wrappers ---------------------------------------------------------


def block_mask(
    x: Tensor, seed: SeedLike, mask_ratio: float, block_size: int
) -> tuple[Tensor, Tensor]:
    """Zeroes random time blocks of ``x``, all channels alike (docs/semantics.md section 1).

    Args:
        x: ``[B, C, T]`` of bool, an integer or a real floating dtype, on the CPU
            or a CUDA device; any strides.
        seed: a one-element int64 tensor (its bits are the uint64 seed) on the CPU
            or on ``x``'s device, or a Python int in ``[-2**63, 2**64)``. On CUDA a
            device seed keeps the op free of host work (and CUDA-graph safe).
        mask_ratio: fraction of each sample to mask, ``<= 1``; ``<= 0`` masks
            nothing. Sample ``b`` gets ``max(1, int((T * mask_ratio) // block_size))``
            blocks (possibly overlapping) at starts drawn from Philox4x32-10.
        block_size: length of each block in time steps, ``>= 1``.

    Returns:
        ``(out, mask)``: ``out`` a new contiguous ``[B, C, T]`` tensor of ``x``'s
        dtype, zero where masked; ``mask`` bool ``[B, T]``, True where masked.
        Differentiable in ``x``: the gradient is zero at the masked time steps.

    Raises:
        TypeError: ``x``, ``seed``, ``mask_ratio`` or ``block_size`` of a wrong type
            or dtype.
        ValueError: ``x`` not 3-D, ``seed`` not one element or on another device,
            ``mask_ratio`` NaN, infinite or ``> 1``, ``block_size < 1``.
    """
    x = _check_x(x)
    seed_t = _seed(seed, x)
    ratio = _mask_ratio(mask_ratio)
    size = _block_size(block_size)
    return _call_op(torch.ops.ssrl_ecg.block_mask.default, None, x, seed_t, ratio, size)


def block_mask_(x: Tensor, seed: SeedLike, mask_ratio: float, block_size: int) -> Tensor:
    """In-place :func:`block_mask`: zeroes the masked time steps of ``x`` itself.

    Same arguments and errors as :func:`block_mask`; ``x`` may be strided (it is
    masked through a contiguous copy). With ``mask_ratio <= 0`` ``x`` is left
    untouched.

    Not differentiable: with grad mode on, an ``x`` that requires grad raises
    ``ValueError`` (use :func:`block_mask`). The raw op
    ``torch.ops.ssrl_ecg.block_mask_``, like any C++ custom op that mutates its
    input, neither records the mutation in autograd nor bumps ``x``'s version
    counter, so it would silently corrupt gradients there.

    Returns:
        ``mask``: bool ``[B, T]``, True where ``x`` was zeroed.
    """
    x = _check_x(x)
    _check_inplace(x)
    seed_t = _seed(seed, x)
    ratio = _mask_ratio(mask_ratio)
    size = _block_size(block_size)
    return torch.ops.ssrl_ecg.block_mask_.default(x, seed_t, ratio, size)


def confusion_counts(
    y_true: Tensor, y_prob: Tensor, thresholds: ThresholdsLike, *, check_values: bool = False
) -> Tensor:
    """``(TP, FP, TN, FN)`` of ``y_prob >= t`` per class and threshold
    (docs/semantics.md section 2).

    Args:
        y_true: ``[N, C]`` labels, each 0 or 1: bool or any integer or real
            floating dtype (read in place, no converted copy).
        y_prob: ``[N, C]`` float32, float64, float16 or bfloat16 scores on
            ``y_true``'s device.
        thresholds: ``[K]`` float64 tensor on ``y_prob``'s device (any order), or a
            sequence of floats. Each is rounded to ``y_prob``'s dtype before the
            comparison, as torch and numpy do for a Python float.
        check_values: whether to look for bad values first: a label outside
            {0, 1}, a NaN score or threshold. If True they raise ``ValueError``
            on every device, at the cost of one extra pass over the inputs and,
            on CUDA, one device-to-host sync. If False (the default) the CPU op
            still refuses them as it works (``RuntimeError`` naming the tensor),
            but the CUDA op cannot without a sync: it does not read its
            device-side error flag, and the counts of an affected class are
            unspecified.

    Returns:
        ``counts``: int64 ``[C, K, 4]`` on ``y_prob``'s device.

    Raises:
        TypeError: a wrong type or dtype (``thresholds`` must be float64).
        ValueError: shapes not ``[N, C]`` alike, ``thresholds`` not 1-D, tensors on
            different devices, bad values (with ``check_values=True``).
        RuntimeError: bad values found by the CPU op (``check_values=False``).
    """
    y_true, y_prob = _check_scores(y_true, y_prob)
    thresholds_t = _thresholds(thresholds, y_prob)
    if check_values:
        _check_values(y_true, y_prob, thresholds_t)
    return torch.ops.ssrl_ecg.confusion_counts.default(y_true, y_prob, thresholds_t)



def _sorted_scores_args(y_true: Tensor, y_prob: Tensor,
                        check_values: bool) -> tuple[Tensor, Tensor]:
    """The checked ``(y_true, y_prob)`` of the ops that sort the scores (auroc, auroc_auprc)."""
    y_true, y_prob = _check_scores(y_true, y_prob)
    if check_values:
        _check_values(y_true, y_prob)
    return y_true, y_prob


def auroc(y_true: Tensor, y_prob: Tensor, *, check_values: bool = False) -> Tensor:
    """Exact per-class area under the ROC curve (docs/semantics.md section 3).

    Ties count half (Mann-Whitney with mid-ranks; equal to scikit-learn's
    ``roc_auc_score`` per class); counts are 64-bit, exact past 2**24 samples.

    Args:
        y_true, y_prob, check_values: as in :func:`confusion_counts`.

    Returns:
        ``auroc``: float64 ``[C]`` on ``y_prob``'s device; NaN for a class whose
        labels are all 0 or all 1, and for every class when ``N == 0``.

    Raises:
        TypeError, ValueError, RuntimeError: as :func:`confusion_counts`.
    """
    y_true, y_prob = _sorted_scores_args(y_true, y_prob, check_values)
    return torch.ops.ssrl_ecg.auroc.default(y_true, y_prob)


def auroc_auprc(
    y_true: Tensor, y_prob: Tensor, *, check_values: bool = False
) -> tuple[Tensor, Tensor]:
    """Exact per-class AUROC and average precision from one sort (docs/semantics.md section 9.2).

    The AUPRC is scikit-learn's ``average_precision_score`` per class (one step
    per distinct score, ties together) to 1e-12; it costs about what
    :func:`auroc` costs alone. The CUDA op gives the CPU's bits.

    Args:
        y_true, y_prob, check_values: as in :func:`confusion_counts`.

    Returns:
        ``(auroc, auprc)``: float64 ``[C]`` each on ``y_prob``'s device. AUROC is
        NaN for a class whose labels are all 0 or all 1; AUPRC is NaN for a class
        with no positive and 1 for one with no negative. Both NaN when ``N == 0``.

    Raises:
        TypeError, ValueError, RuntimeError: as :func:`confusion_counts`.
    """
    y_true, y_prob = _sorted_scores_args(y_true, y_prob, check_values)
    return torch.ops.ssrl_ecg.auroc_auprc.default(y_true, y_prob)


# ---- fake kernels: shapes, dtypes and devices without computing -----------------


@torch.library.register_fake("ssrl_ecg::block_mask")
def _block_mask_fake(x: Tensor, seed: Tensor, mask_ratio: float, block_size: int):
    torch._check(x.dim() == 3, lambda: f"x must be 3-D [B, C, T], got {x.dim()}-D")
    B, C, T = x.shape
    return x.new_empty((B, C, T)), x.new_empty((B, T), dtype=torch.bool)


@torch.library.register_fake("ssrl_ecg::block_mask_")
def _block_mask__fake(x: Tensor, seed: Tensor, mask_ratio: float, block_size: int):
    torch._check(x.dim() == 3, lambda: f"x must be 3-D [B, C, T], got {x.dim()}-D")
    return x.new_empty((x.shape[0], x.shape[2]), dtype=torch.bool)


@torch.library.register_fake("ssrl_ecg::confusion_counts")
def _confusion_counts_fake(y_true: Tensor, y_prob: Tensor, thresholds: Tensor):
    torch._check(y_prob.dim() == 2, lambda: f"y_prob must be 2-D [N, C], got {y_prob.dim()}-D")
    torch._check(thresholds.dim() == 1, lambda: "thresholds must be 1-D [K]")
    return y_prob.new_empty((y_prob.shape[1], thresholds.shape[0], 4), dtype=torch.int64)


@torch.library.register_fake("ssrl_ecg::auroc")
def _auroc_fake(y_true: Tensor, y_prob: Tensor):
    torch._check(y_prob.dim() == 2, lambda: f"y_prob must be 2-D [N, C], got {y_prob.dim()}-D")
    return y_prob.new_empty((y_prob.shape[1],), dtype=torch.float64)


@torch.library.register_fake("ssrl_ecg::auroc_auprc")
def _auroc_auprc_fake(y_true: Tensor, y_prob: Tensor):
    torch._check(y_prob.dim() == 2, lambda: f"y_prob must be 2-D [N, C], got {y_prob.dim()}-D")
    C = y_prob.shape[1]
    return (y_prob.new_empty((C,), dtype=torch.float64),
            y_prob.new_empty((C,), dtype=torch.float64))


# ---- autograd of block_mask: the gradient passes where x was kept ---------------


def _block_mask_setup_context(ctx, inputs, output) -> None:
    _, mask = output
    ctx.save_for_backward(mask)


def _block_mask_backward(ctx, grad_out: Tensor, grad_mask: Tensor | None):
    (mask,) = ctx.saved_tensors
    grad_x = grad_out.masked_fill(mask.unsqueeze(1), 0)
    return grad_x, None, None, None


torch.library.register_autograd(
    "ssrl_ecg::block_mask", _block_mask_backward, setup_context=_block_mask_setup_context
)
