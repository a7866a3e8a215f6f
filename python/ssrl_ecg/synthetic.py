"""Synthetic 12-lead ECG with five diagnostic-style labels, made on the fly.

Each beat is a sum of Gaussian waves (P, Q, R, S, T) projected onto 12 leads
with lead-specific gains. The labels change the signal the way the real
findings do, so a classifier has something to learn:

  0 TACHY   heart rate above 100 bpm (shorter RR)
  1 STE     ST elevation: a small raised plateau between S and T, mostly chest leads
  2 WIDEQRS wide QRS (bundle-branch-like): Q, R, S about twice as wide
  3 TINV    inverted T waves
  4 LOWV    low voltage: every wave scaled by 0.5 (amplitudes also vary per record)
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch

LABELS = ("TACHY", "STE", "WIDEQRS", "TINV", "LOWV")

# Lead gains for (P, QRS, T, ST) per lead: I, II, III, aVR, aVL, aVF, V1..V6.
_LEAD_GAIN = torch.tensor([
    [0.6, 0.8, 0.5, 0.2], [1.0, 1.0, 0.7, 0.3], [0.4, 0.5, 0.3, 0.2],
    [-0.8, -0.9, -0.6, -0.1], [0.3, 0.4, 0.3, 0.1], [0.7, 0.7, 0.5, 0.2],
    [0.3, -0.6, 0.2, 1.0], [0.4, -0.3, 0.6, 1.0], [0.5, 0.6, 0.8, 0.9],
    [0.5, 1.2, 0.8, 0.7], [0.5, 1.1, 0.7, 0.5], [0.5, 0.9, 0.6, 0.3],
])


def make_batch(batch: int, length: int = 1000, fs: float = 100.0,
               generator: Optional[torch.Generator] = None,
               device: torch.device | str = "cpu") -> Tuple[torch.Tensor, torch.Tensor]:
    """(x [batch, 12, length] float32, y [batch, 5] float32 multi-hot)."""
    g = generator
    y = (torch.rand(batch, 5, generator=g) < torch.tensor([0.3, 0.25, 0.25, 0.25, 0.2])).float()
    hr = torch.where(y[:, 0] > 0, 95 + 35 * torch.rand(batch, generator=g),
                     55 + 50 * torch.rand(batch, generator=g))  # overlap: 95-105 bpm either way
    rr = 60.0 / hr  # seconds
    t = torch.arange(length) / fs  # [L]
    # phase of every sample inside its beat, with a random offset per record
    offset = torch.rand(batch, 1, generator=g) * rr[:, None]
    phase = torch.remainder(t[None, :] + offset, rr[:, None])  # [B, L] seconds since beat onset
    width = torch.where(y[:, 2:3] > 0, 1.6 + 0.8 * torch.rand(batch, 1, generator=g),
                        0.8 + 0.6 * torch.rand(batch, 1, generator=g))  # QRS width factor
    amp = torch.where(y[:, 4:5] > 0, 0.5, 1.0) * (0.6 + 0.8 * torch.rand(batch, 1, generator=g))

    def wave(center, sigma, height):
        return height * torch.exp(-0.5 * ((phase - center) / sigma) ** 2)

    p = wave(0.10, 0.020, 0.15)
    qrs = (wave(0.22, 0.008 * width, -0.12) + wave(0.25, 0.010 * width, 1.2)
           + wave(0.28, 0.010 * width, -0.25))
    t_sign = torch.where(y[:, 3:4] > 0, -0.6, 1.0) * (0.5 + torch.rand(batch, 1, generator=g))
    t_wave = t_sign * wave(0.45, 0.045, 0.35)
    st = y[:, 1:2] * (0.05 + 0.15 * torch.rand(batch, 1, generator=g)) * torch.sigmoid((phase - 0.30) / 0.01) * torch.sigmoid((0.42 - phase) / 0.01)
    parts = torch.stack([p, qrs, t_wave, st], dim=1) * amp[:, :, None]  # [B, 4, L]
    x = torch.einsum("lk,bkt->blt", _LEAD_GAIN, parts)
    wander = 0.1 * torch.sin(2 * torch.pi * (0.1 + 0.3 * torch.rand(batch, 1, 1, generator=g)) * t
                             + 6.28 * torch.rand(batch, 1, 1, generator=g))
    x = x + wander + 0.1 * torch.randn(x.shape, generator=g)
    return x.float().to(device), y.to(device)
