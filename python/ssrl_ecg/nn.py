"""Modules built on the ssrl_ecg ops."""

from __future__ import annotations

import torch
from torch import nn

from . import ops  # registers torch.ops.ssrl_ecg.* and holds the argument checks

__all__ = ["BlockMask"]


class BlockMask(nn.Module):
    """Masks random time blocks of ``x [B, C, T]`` in ``forward`` (all channels alike).

    The seed of each call is drawn from torch's generator on ``x``'s device, so
    ``set_seed`` makes runs reproducible and CUDA never syncs with the host.
    With ``only_training=True`` the module is the identity in ``eval()`` mode.
    Scriptable with TorchScript and exportable with ``torch.export``.
    """

    def __init__(self, mask_ratio: float, block_size: int = 50, only_training: bool = False):
        super().__init__()
        self.mask_ratio = ops._mask_ratio(mask_ratio)  # the op wrappers' checks, raising
        self.block_size = ops._block_size(block_size)  # ValueError/TypeError by name
        self.only_training = only_training

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mask_ratio <= 0 or (self.only_training and not self.training):
            return x
        # the full int64 range (as literals: TorchScript reads 2**63 as a float)
        seed = torch.randint(-9223372036854775807 - 1, 9223372036854775807, [1],
                             dtype=torch.int64, device=x.device)
        return torch.ops.ssrl_ecg.block_mask(x, seed, self.mask_ratio, self.block_size)[0]

    def extra_repr(self) -> str:
        return f"mask_ratio={self.mask_ratio}, block_size={self.block_size}"


# ---- masks for self-supervised pretraining (ssrl_ecg.masking) ----------------------

from typing import Optional, Tuple  # noqa: E402

from . import masking  # noqa: E402,F401  (registers the masks' fake kernels and autograd)

__all__ += ["SpanMask", "LeadMask", "TokenMask"]


def _module_seed(device: torch.device) -> torch.Tensor:
    """BlockMask's seed draw, shared by the mask modules (compiled by TorchScript)."""
    return torch.randint(-9223372036854775807 - 1, 9223372036854775807, [1],
                         dtype=torch.int64, device=device)


def _check_signal(x: torch.Tensor) -> None:
    """forward's x: [B, C, T], refused by name as the functions refuse it (the
    op's own check would raise a RuntimeError). Compiled by TorchScript."""
    if x.dim() != 3:
        raise ValueError("x must be 3-D [B, C, T], got " + str(x.dim()) + " dims")


class SpanMask(nn.Module):
    """:func:`ssrl_ecg.masking.span_mask` as a module: ``forward(x) -> (out, mask)``.

    With ``num_channels`` the masked steps are filled with a learned embedding
    ``self.fill [num_channels]`` (wav2vec 2.0 / HuBERT's ``masked_spec_embed``,
    initialised uniform in [0, 1) as theirs), else zeros. Scriptable.
    """

    def __init__(self, mask_ratio: float, span: int = 50, per_lead: bool = False,
                 exact: bool = False, num_channels: Optional[int] = None):
        super().__init__()
        self.mask_ratio = ops._mask_ratio(mask_ratio)
        self.span = masking._int("span", span, 1)
        self.per_lead = masking._flag("per_lead", per_lead)
        self.exact = masking._flag("exact", exact)
        if num_channels is None:
            self.register_parameter("fill", None)
        else:
            self.fill = nn.Parameter(torch.rand(masking._int("num_channels", num_channels, 1)))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        _check_signal(x)
        fill = self.fill
        if fill is not None:  # (not one `and`: TorchScript prunes only a plain None test)
            if fill.shape[0] != x.shape[1]:
                raise ValueError("x has " + str(x.shape[1]) + " channels, the module's fill "
                                 + str(fill.shape[0]) + " (num_channels)")
        if self.mask_ratio <= 0:
            shape = [x.shape[0], x.shape[1], x.shape[2]] if self.per_lead else [x.shape[0], x.shape[2]]
            return x, torch.zeros(shape, dtype=torch.bool, device=x.device)
        if fill is not None:
            fill = fill.to(x.dtype)
        seed = _module_seed(x.device)
        out, mask = torch.ops.ssrl_ecg.span_mask(x, seed, self.mask_ratio, self.span,
                                                 self.per_lead, self.exact, fill)
        return out, mask

    def extra_repr(self) -> str:
        return (f"mask_ratio={self.mask_ratio}, span={self.span}, per_lead={self.per_lead}, "
                f"exact={self.exact}")


class LeadMask(nn.Module):
    """:func:`ssrl_ecg.masking.lead_mask` as a module: ``forward(x) -> (out, dropped)``."""

    def __init__(self, p: float, exact: bool = False):
        super().__init__()
        self.p = masking._unit("p", p)
        self.exact = masking._flag("exact", exact)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        _check_signal(x)
        seed = _module_seed(x.device)
        out, dropped = torch.ops.ssrl_ecg.lead_mask(x, seed, self.p, self.exact)
        return out, dropped

    def extra_repr(self) -> str:
        return f"p={self.p}, exact={self.exact}"


class TokenMask(nn.Module):
    """MAE's ``random_masking`` on :func:`ssrl_ecg.masking.token_mask`.

    ``forward(x)`` with tokens ``x [B, L, D]`` or ``[B, G, L, D]`` returns
    ``(x_kept [..., len_keep, D], mask [..., L], ids_restore [..., L])``, as
    MAE's ``random_masking`` does, kept tokens in ascending order. Scriptable.
    """

    def __init__(self, mask_ratio: float):
        super().__init__()
        self.mask_ratio = masking._unit("mask_ratio", mask_ratio)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if x.dim() != 3 and x.dim() != 4:
            raise ValueError("x must be tokens [B, L, D] or [B, G, L, D], got "
                             + str(x.dim()) + " dims")
        grouped = x.dim() == 4
        B = x.shape[0]
        G = x.shape[1] if grouped else 1
        L = x.shape[-2]
        seed = _module_seed(x.device)
        keep, restore, mask = torch.ops.ssrl_ecg.token_mask(seed, B, G, L, self.mask_ratio)
        if not grouped:
            keep, restore, mask = keep.squeeze(1), restore.squeeze(1), mask.squeeze(1)
        index = keep.unsqueeze(-1).expand(list(keep.shape) + [x.shape[-1]])
        return torch.gather(x, -2, index), mask, restore

    def extra_repr(self) -> str:
        return f"mask_ratio={self.mask_ratio}"
