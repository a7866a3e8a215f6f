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
