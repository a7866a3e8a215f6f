"""The main job: masked-reconstruction pretraining, then a fine-tune, then metrics.

A small 1-D CNN encoder learns to fill in masked blocks of synthetic 12-lead
ECG (the mask made in-graph by ``apply_random_mask``), then a linear head is
fine-tuned on the five labels and scored with ``multilabel_metrics``.
Run with ``python -m ssrl_ecg demo`` (CPU: about a minute on two cores).
"""

from __future__ import annotations

import time
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from . import synthetic
from .utils import apply_random_mask, choose_device, multilabel_metrics, set_seed


class Encoder(nn.Module):
    def __init__(self, leads: int = 12, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(leads, width, 7, padding=3), nn.GELU(),
            nn.Conv1d(width, width, 7, padding=6, dilation=2), nn.GELU(),
            nn.Conv1d(width, width, 7, padding=12, dilation=4), nn.GELU(),
            nn.Conv1d(width, width, 7, padding=24, dilation=8), nn.GELU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Reconstructor(nn.Module):
    def __init__(self, encoder: Encoder, leads: int = 12, width: int = 32):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Conv1d(width, leads, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))


class Classifier(nn.Module):
    def __init__(self, encoder: Encoder, classes: int, width: int = 32):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(2 * width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.encoder(x)
        return self.head(torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1))


def run(pretrain_steps: int = 200, finetune_steps: int = 150, batch_size: int = 64,
        length: int = 1000, mask_ratio: float = 0.15, block_size: int = 50,
        device: Optional[str] = None, seed: int = 42) -> Dict[str, float]:
    set_seed(seed)
    dev = torch.device(device) if device else choose_device()
    if dev.type == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    gen = torch.Generator().manual_seed(seed)
    encoder = Encoder().to(dev)
    model = Reconstructor(encoder).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    start = time.perf_counter()

    bar = tqdm(range(pretrain_steps), desc="pretrain (masked reconstruction)", unit="step",
               mininterval=1.0)
    for _ in bar:
        x, _ = synthetic.make_batch(batch_size, length, generator=gen, device=dev)
        x_masked, mask = apply_random_mask(x, mask_ratio, block_size, return_mask=True)
        recon = model(x_masked)
        m = mask[:, None, :].expand_as(x)  # score the hidden blocks
        loss = F.mse_loss(recon[m], x[m])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        bar.set_postfix(masked_mse=f"{loss.item():.4f}", refresh=False)

    clf = Classifier(encoder, len(synthetic.LABELS)).to(dev)
    opt = torch.optim.AdamW(clf.parameters(), lr=2e-3)
    bar = tqdm(range(finetune_steps), desc="fine-tune (5 labels)", unit="step", mininterval=1.0)
    for _ in bar:
        x, y = synthetic.make_batch(batch_size, length, generator=gen, device=dev)
        loss = F.binary_cross_entropy_with_logits(clf(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        bar.set_postfix(bce=f"{loss.item():.4f}", refresh=False)

    clf.eval()
    probs, labels = [], []
    with torch.no_grad():
        for _ in range(8):
            x, y = synthetic.make_batch(batch_size, length, generator=gen, device=dev)
            probs.append(torch.sigmoid(clf(x)))
            labels.append(y)
    metrics = multilabel_metrics(torch.cat(labels), torch.cat(probs), threshold=0.5)
    elapsed = time.perf_counter() - start
    print(f"\nvalidation on {8 * batch_size} synthetic records ({elapsed:.1f} s on {dev}):")
    for key, value in metrics.items():
        print(f"  {key:<18} {value:.4f}")
    return metrics
