"""Modules built on the ssrl_ecg ops."""

from __future__ import annotations

import math

import torch
from torch import nn

from . import ops  # noqa: F401  (registers torch.ops.ssrl_ecg.*)

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
        if isinstance(mask_ratio, bool) or not isinstance(mask_ratio, (int, float)):
            raise TypeError(f"mask_ratio must be a real number, got {type(mask_ratio).__name__}")
        if math.isnan(mask_ratio) or math.isinf(mask_ratio) or mask_ratio > 1:
            raise ValueError(f"mask_ratio must be finite and <= 1, got {mask_ratio}")
        if isinstance(block_size, bool) or not isinstance(block_size, int):
            raise TypeError(f"block_size must be an int, got {type(block_size).__name__}")
        if not 1 <= block_size <= 2**63 - 1:
            raise ValueError(f"block_size must be in [1, 2**63 - 1], got {block_size}")
        self.mask_ratio = float(mask_ratio)
        self.block_size = int(block_size)
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
