"""Masks for self-supervised ECG pretraining, drawn in-graph on the tensor's device.

- :func:`span_mask`: wav2vec 2.0 / HuBERT-style time spans, per sample or per
  lead (ST-MEM), overlapping (the reference rule) or exactly ``n``
  non-overlapping ones, filled with zeros or a learned embedding ``fill[c]``.
- :func:`lead_mask`: whole leads zeroed (fairseq-signals ``RandomLeadsMask``,
  ST-MEM ``RandomLeadMask``), independently or an exact number per sample.
- :func:`token_mask`: MAE ``random_masking`` of token ids (ST-MEM, MTAE, MLAE).

Each is a thin wrapper over a ``torch.ops.ssrl_ecg`` op (C on the CPU, a CUDA
kernel on the GPU) whose seed is drawn from torch's generator on the data's
device: ``set_seed`` makes masks reproducible, nothing syncs with the host,
CUDA graphs replay with fresh masks, and the same seed gives the same bits on
CPU and CUDA. Streams, formulas and errors: docs/semantics.md, "Masks for
self-supervised pretraining". Importing this module registers the ops' fake
kernels and autograd formulas.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Optional

import torch
from torch import Tensor

from . import ops
from .utils import draw_seed

__all__ = ["span_mask", "lead_mask", "token_mask"]


# ---- argument checks -----------------------------------------------------------


def _int(name: str, value: object, low: int) -> int:
    if type(value) is not int and (  # an int skips the ABC check (ops._mask_ratio says why)
            isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not low <= value <= 2**63 - 1:
        raise ValueError(f"{name} must be in [{low}, 2**63 - 1], got {value}")
    return int(value)


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {_type_name(value)}")
    return value


def _type_name(value: object) -> str:
    """The type's name, qualified by its module outside builtins: numpy.bool,
    not a bare "bool" that reads like the type asked for."""
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _unit(name: str, value: object) -> float:
    """A real number in [0, 1]."""
    if type(value) is not float and (  # a float skips the ABC check (ops._mask_ratio)
            isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if not 0.0 <= v <= 1.0:  # also refuses NaN
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return v


def _fill(fill: object, x: Tensor) -> Optional[Tensor]:
    if fill is None:
        return None
    fill = ops._tensor("fill", fill)
    if fill.dim() != 1 or fill.shape[0] != x.shape[1]:
        raise ValueError(f"fill must be [C] = [{x.shape[1]}], got shape {tuple(fill.shape)}")
    if fill.device != x.device:
        raise ValueError(f"fill must be on x's device ({x.device}), got {fill.device}")
    if fill.dtype.is_complex:
        raise TypeError(f"fill must be real, got dtype {fill.dtype}")
    return fill.to(x.dtype)  # differentiable: gradients reach a float32 embedding


def _check_inplace(x: Tensor, fill: Optional[Tensor]) -> None:
    ops._check_no_overlap(x)
    grad = torch.is_grad_enabled()
    if grad and (x.requires_grad or (fill is not None and fill.requires_grad)):
        raise ValueError("x or fill requires grad: inplace=True is not differentiable")


# ---- the public functions ----------------------------------------------------------


def span_mask(
    x: Tensor,
    mask_ratio: float,
    span: int = 50,
    *,
    per_lead: bool = False,
    exact: bool = False,
    fill: Optional[Tensor] = None,
    generator: Optional[torch.Generator] = None,
    inplace: bool = False,
) -> tuple[Tensor, Tensor]:
    """Masks random time spans of ``x [B, C, T]``.

    Args:
        x: ``[B, C, T]`` of bool, an integer or a real floating dtype (latent
            features ``[B, D, T']`` work alike, with C = D), CPU or CUDA.
        mask_ratio: fraction of each row to mask, ``<= 1``; ``<= 0`` returns
            ``x`` itself and an all-false mask.
        span: span length in time steps, ``>= 1``.
        per_lead: each lead draws its own spans (ST-MEM); ``mask`` is then
            ``[B, C, T]``, else ``[B, T]`` shared by all leads.
        exact: ``False``: ``max(1, int((T * mask_ratio) // span))`` spans with
            uniform starts, overlaps allowed (per sample, bit-identical to
            ``apply_random_mask(x, mask_ratio, span)`` for the same generator
            state). ``True``: exactly ``min(T // span, max(1, round(T *
            mask_ratio / span)))`` non-overlapping spans, uniform over all
            placements (the whole row when ``T < span``).
        fill: ``None`` writes zeros; a ``[C]`` tensor on ``x``'s device writes
            ``fill[c]`` at the masked steps of channel c (wav2vec 2.0's
            ``masked_spec_embed``), cast to ``x``'s dtype; gradients reach it.
        generator: a torch generator on ``x``'s device to draw the seed from.
        inplace: mask ``x`` itself (not differentiable).

    Returns:
        ``(out, mask)``: ``out`` ``[B, C, T]`` (``x`` itself when ``inplace``),
        ``mask`` bool, True where masked. Gradients flow to ``x`` except at
        masked positions, and to ``fill``.

    Raises:
        TypeError, ValueError: a bad argument, named in the message.
    """
    if (fill is None and inplace is False
            and (per_lead is False or per_lead is True) and (exact is False or exact is True)
            and ops._plain_call(x, mask_ratio, span, generator)):
        # the common call, checked in one expression (ops._plain_call says why)
        return ops._call_op(torch.ops.ssrl_ecg.span_mask.default, None, x,
                            draw_seed(x.device, generator), mask_ratio, span, per_lead, exact,
                            None)
    x = ops._check_x(x)
    ratio = ops._mask_ratio(mask_ratio)
    span = _int("span", span, 1)
    # the defaults need no check (each call a frame: ops._call_op says why they count)
    if per_lead is not False:
        per_lead = _flag("per_lead", per_lead)
    if exact is not False:
        exact = _flag("exact", exact)
    if inplace is not False:
        inplace = _flag("inplace", inplace)
    if generator is not None:
        ops._generator(generator)
    fill_t = None if fill is None else _fill(fill, x)
    if ratio <= 0:
        shape = tuple(x.shape) if per_lead else (x.shape[0], x.shape[2])
        return x, torch.zeros(shape, dtype=torch.bool, device=x.device)
    if inplace:
        _check_inplace(x, fill if isinstance(fill, Tensor) else None)
    seed = draw_seed(x.device, generator)
    if inplace:
        mask = torch.ops.ssrl_ecg.span_mask_.default(x, seed, ratio, span, per_lead, exact, fill_t)
        return x, mask
    return ops._call_op(torch.ops.ssrl_ecg.span_mask.default, fill_t,
                        x, seed, ratio, span, per_lead, exact, fill_t)


def lead_mask(
    x: Tensor,
    p: float,
    *,
    exact: bool = False,
    generator: Optional[torch.Generator] = None,
    inplace: bool = False,
) -> tuple[Tensor, Tensor]:
    """Zeroes whole leads of ``x [B, C, T]``.

    Args:
        x: ``[B, C, T]`` as :func:`span_mask` takes.
        p: in ``[0, 1]``. ``exact=False``: each lead of each sample is dropped
            independently with probability ``p``; ``exact=True``: exactly
            ``round(p * C)`` leads per sample, a uniform subset.
        generator, inplace: as :func:`span_mask`.

    Returns:
        ``(out, dropped)``: ``dropped`` bool ``[B, C]``, True for a zeroed lead.
        Gradients flow to ``x`` through the kept leads.
    """
    if (inplace is False and (exact is False or exact is True)
            and ops._plain_call(x, p, 1, generator)):  # (p = 0 takes the general checks)
        # the common call, checked in one expression (ops._plain_call says why)
        return ops._call_op(torch.ops.ssrl_ecg.lead_mask.default, None, x,
                            draw_seed(x.device, generator), p, exact)
    x = ops._check_x(x)
    p = _unit("p", p)
    if exact is not False:  # as span_mask: the defaults need no check
        exact = _flag("exact", exact)
    if inplace is not False:
        inplace = _flag("inplace", inplace)
    if generator is not None:
        ops._generator(generator)
    if inplace:
        _check_inplace(x, None)  # before the draw: a refused call leaves the generator as it was
    seed = draw_seed(x.device, generator)
    if inplace:
        return x, torch.ops.ssrl_ecg.lead_mask_.default(x, seed, p, exact)
    return ops._call_op(torch.ops.ssrl_ecg.lead_mask.default, None, x, seed, p, exact)


def _token_shape(shape: object) -> tuple[int, int, int, bool]:
    if isinstance(shape, torch.Size):
        shape = tuple(shape)
    if not isinstance(shape, Sequence) or isinstance(shape, (str, bytes)):
        raise TypeError(f"shape must be a tuple (B, L) or (B, G, L), got {type(shape).__name__}")
    if len(shape) not in (2, 3):
        raise ValueError(f"shape must be (B, L) or (B, G, L), got {tuple(shape)}")
    dims = [_int("shape", d, 0) for d in shape]
    if dims[-1] >= 2**32:
        raise ValueError(f"shape must have L < 2**32 tokens, got L = {dims[-1]}")
    if math.prod(dims) * 8 > 2**63 - 1:  # ids_restore's bytes, as the C layer counts them
        raise ValueError(f"shape {tuple(dims)} is too large: its int64 ids would pass 2**63 bytes")
    if len(dims) == 2:
        return dims[0], 1, dims[1], True
    return dims[0], dims[1], dims[2], False


def token_mask(
    shape: Sequence[int],
    mask_ratio: float,
    *,
    device: Optional[torch.device | str] = None,
    generator: Optional[torch.Generator] = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """MAE ``random_masking`` of tokens, one uniform keep-set per group.

    Args:
        shape: ``(B, L)`` or ``(B, G, L)``: G groups of L tokens masked
            independently (G = 12 leads for ST-MEM, 1 for MTAE; L = 12 lead
            tokens for MLAE).
        mask_ratio: in ``[0, 1]``; ``len_keep = int(L * (1 - mask_ratio))``
            tokens are kept per group.
        device: where the outputs live (default: the generator's device, else
            the CPU).
        generator: a torch generator on ``device`` to draw the seed from.

    Returns:
        ``(ids_keep, ids_restore, mask)``: ``ids_keep [..., len_keep]`` int64
        ascending; ``ids_restore [..., L]`` int64, the inverse of "kept ids
        ascending, then masked ids ascending" (MAE's decoder ``gather`` works
        unchanged); ``mask [..., L]`` float32, 1 = masked, 0 = kept.
    """
    B, G, L, two_d = _token_shape(shape)
    ratio = _unit("mask_ratio", mask_ratio)
    generator = ops._generator(generator)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    try:
        device = torch.device(device)
    except (TypeError, RuntimeError) as exc:
        raise TypeError(f"device must be a torch.device or a string: {exc}") from exc
    seed = draw_seed(device, generator)
    ids_keep, ids_restore, mask = torch.ops.ssrl_ecg.token_mask.default(seed, B, G, L, ratio)
    if two_d:
        return ids_keep.squeeze(1), ids_restore.squeeze(1), mask.squeeze(1)
    return ids_keep, ids_restore, mask


# ---- fake kernels: shapes, dtypes and devices without computing -----------------


def _mask_shape(x: Tensor, per_lead: bool) -> tuple:
    B, C, T = x.shape
    return (B, C, T) if per_lead else (B, T)


@torch.library.register_fake("ssrl_ecg::span_mask")
def _span_mask_fake(x, seed, mask_ratio, span, per_lead, exact, fill):
    torch._check(x.dim() == 3, lambda: f"x must be 3-D [B, C, T], got {x.dim()}-D")
    return x.new_empty(x.shape), x.new_empty(_mask_shape(x, per_lead), dtype=torch.bool)


@torch.library.register_fake("ssrl_ecg::span_mask_")
def _span_mask__fake(x, seed, mask_ratio, span, per_lead, exact, fill):
    torch._check(x.dim() == 3, lambda: f"x must be 3-D [B, C, T], got {x.dim()}-D")
    return x.new_empty(_mask_shape(x, per_lead), dtype=torch.bool)


@torch.library.register_fake("ssrl_ecg::lead_mask")
def _lead_mask_fake(x, seed, p, exact):
    torch._check(x.dim() == 3, lambda: f"x must be 3-D [B, C, T], got {x.dim()}-D")
    return x.new_empty(x.shape), x.new_empty(x.shape[:2], dtype=torch.bool)


@torch.library.register_fake("ssrl_ecg::lead_mask_")
def _lead_mask__fake(x, seed, p, exact):
    torch._check(x.dim() == 3, lambda: f"x must be 3-D [B, C, T], got {x.dim()}-D")
    return x.new_empty(x.shape[:2], dtype=torch.bool)


@torch.library.register_fake("ssrl_ecg::token_mask")
def _token_mask_fake(seed, B, G, L, mask_ratio):
    len_keep = int(L * (1.0 - mask_ratio))  # as ssrl_token_keep_count
    return (seed.new_empty((B, G, len_keep)), seed.new_empty((B, G, L)),
            seed.new_empty((B, G, L), dtype=torch.float32))


# ---- autograd: the gradient passes where x was kept, and to fill -----------------


def _span_setup(ctx, inputs, output) -> None:
    ctx.per_lead = inputs[4]
    ctx.has_fill = inputs[6] is not None
    ctx.save_for_backward(output[1])


def _span_backward(ctx, grad_out: Tensor, grad_mask):
    (mask,) = ctx.saved_tensors
    m = mask if ctx.per_lead else mask.unsqueeze(1)
    grad_x = grad_out.masked_fill(m, 0)
    grad_fill = None
    if ctx.has_fill:  # the output gradient summed over each channel's masked steps
        grad_fill = torch.where(m, grad_out, 0).sum(dim=(0, 2))
    return grad_x, None, None, None, None, None, grad_fill


torch.library.register_autograd("ssrl_ecg::span_mask", _span_backward, setup_context=_span_setup)


def _lead_setup(ctx, inputs, output) -> None:
    ctx.save_for_backward(output[1])


def _lead_backward(ctx, grad_out: Tensor, grad_dropped):
    (dropped,) = ctx.saved_tensors
    return grad_out.masked_fill(dropped.unsqueeze(2), 0), None, None, None


torch.library.register_autograd("ssrl_ecg::lead_mask", _lead_backward, setup_context=_lead_setup)
