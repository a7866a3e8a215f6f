"""What the op tests share: an independent Philox4x32-10 and mask (docs/semantics.md
s.1, written from the spec, independent of ops/philox.h), inputs of every dtype
compared bit for bit, score data, naive counts, scikit-learn's AUROC and the
opcheck cases. Not a test module.
"""

from __future__ import annotations

import math

import pytest
import torch

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


# ---- an independent Philox4x32-10 and the mask of docs/semantics.md section 1 --------------

M32 = 0xFFFFFFFF


def philox4x32_10(ctr: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, ...]:
    """Random123's Philox4x32 with 10 rounds, on Python ints."""
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (
            ((p1 >> 32) ^ c1 ^ k0) & M32,
            p1 & M32,
            ((p0 >> 32) ^ c3 ^ k1) & M32,
            p0 & M32,
        )
        k0 = (k0 + 0x9E3779B9) & M32
        k1 = (k1 + 0xBB67AE85) & M32
    return c0, c1, c2, c3


def stream_word(seed: int, b: int, j: int) -> int:
    """u_j of sample b: cuRAND's Philox4_32_10 after curand_init(seed, b, 0)."""
    i, m = divmod(j, 4)
    return philox4x32_10((i & M32, i >> 32, b & M32, b >> 32), (seed & M32, seed >> 32))[m]


def reference_mask(seed: int, B: int, T: int, mask_ratio: float, block_size: int) -> torch.Tensor:
    mask = torch.zeros(B, T, dtype=torch.bool)
    if mask_ratio <= 0:
        return mask
    n_blocks = max(1, int((T * mask_ratio) // block_size))
    R = max(1, T - block_size + 1)
    for b in range(B):
        for j in range(n_blocks):
            start = (stream_word(seed, b, j) * R) >> 32
            mask[b, start : min(T, start + block_size)] = True
    return mask


def seed_tensor(seed: int) -> torch.Tensor:
    """The int64 tensor whose bits are the uint64 seed."""
    return torch.tensor(seed - 2**64 if seed >= 2**63 else seed, dtype=torch.int64)


# ---- x of every dtype, compared bit for bit -------------------------------------

ALL_X_DTYPES = [
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
]
BITS = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
UNSIGNED = {torch.uint16: torch.int16, torch.uint32: torch.int32, torch.uint64: torch.int64}


def bits(t: torch.Tensor) -> torch.Tensor:
    """t reinterpreted as integers of its element size, for exact comparison."""
    return t.view(BITS[t.element_size()])


def make_x(shape, dtype, seed=0, device="cpu") -> torch.Tensor:
    """Nonzero values of dtype, so a masked (zeroed) element always shows."""
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        x = torch.ones(shape, dtype=torch.bool)
    elif dtype.is_floating_point:
        x = (torch.rand(shape, generator=g) + 0.5).to(dtype)
    elif dtype in UNSIGNED:
        x = torch.randint(1, 100, shape, generator=g, dtype=UNSIGNED[dtype]).view(dtype)
    else:
        x = torch.randint(1, 100, shape, generator=g).to(dtype)
    return x.to(device)


def expected_out(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    xb = bits(x.contiguous())
    return torch.where(mask[:, None, :].to(x.device), torch.zeros_like(xb), xb)


# ---- confusion counts -------------------------------------------------------------

SCORE_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


def naive_counts(y_true, y_prob, thresholds) -> torch.Tensor:
    # a Python float compared with a tensor is rounded to the tensor's dtype
    t = torch.tensor(thresholds.tolist(), dtype=y_prob.dtype)
    pred = y_prob[:, :, None] >= t  # [N, C, K]
    pos = y_true.bool()[:, :, None]
    tp = (pred & pos).sum(0)
    fp = (pred & ~pos).sum(0)
    tn = (~pred & ~pos).sum(0)
    fn = (~pred & pos).sum(0)
    return torch.stack([tp, fp, tn, fn], dim=-1)  # [C, K, 4]


def make_scores(N, C, dtype, seed=0, levels=None):
    g = torch.Generator().manual_seed(seed)
    y_true = torch.randint(0, 2, (N, C), generator=g, dtype=torch.uint8)
    y_prob = torch.rand(N, C, generator=g, dtype=torch.float64)
    if levels:  # few distinct scores: many ties
        y_prob = torch.floor(y_prob * levels) / levels
    return y_true, y_prob.to(dtype)


# ---- AUROC ------------------------------------------------------------------------


def sklearn_auroc(y_true, y_prob) -> list[float]:
    metrics = pytest.importorskip("sklearn.metrics")
    yt = y_true.to(torch.int64).numpy()
    yp = y_prob.to(torch.float64).numpy()
    result = []
    for c in range(yt.shape[1]):
        if yt.shape[0] == 0 or yt[:, c].min() == yt[:, c].max():
            result.append(math.nan)
        else:
            result.append(float(metrics.roc_auc_score(yt[:, c], yp[:, c])))
    return result


# ---- opcheck, fake kernels, torch.compile -------------------------------------------


def opcheck_cases(device):
    x = make_x((3, 4, 37), torch.float32, device=device).requires_grad_()
    seed = seed_tensor(31).to(device)
    y_true, y_prob = make_scores(65, 3, torch.float32, seed=2)
    y_true, y_prob = y_true.to(device), y_prob.to(device)
    th = torch.tensor([0.2, 0.5, 0.9], dtype=torch.float64, device=device)
    return [
        (torch.ops.ssrl_ecg.block_mask.default, (x, seed, 0.3, 4)),
        (torch.ops.ssrl_ecg.block_mask.default, (x.detach().to(torch.int16), seed.cpu(), 0.0, 4)),
        (torch.ops.ssrl_ecg.block_mask_.default, (x.detach().clone(), seed, 0.3, 4)),
        (torch.ops.ssrl_ecg.confusion_counts.default, (y_true, y_prob, th)),
        (torch.ops.ssrl_ecg.auroc.default, (y_true, y_prob)),
        # labels of other dtypes, read in place (docs/semantics.md section 9.1)
        (torch.ops.ssrl_ecg.confusion_counts.default, (y_true.long(), y_prob, th)),
        (torch.ops.ssrl_ecg.auroc.default, (y_true.float(), y_prob)),
        (torch.ops.ssrl_ecg.auroc_auprc.default, (y_true, y_prob)),
        (torch.ops.ssrl_ecg.auroc_auprc.default, (y_true.long(), y_prob.double())),
        (torch.ops.ssrl_ecg.auroc_auprc.default, (y_true.bool(), y_prob.half())),
    ]


N_OPCHECK_CASES = 10


# Small valid inputs that the error tests spoil one argument at a time.
X = make_x((2, 3, 20), torch.float32)
YT, YP = make_scores(10, 3, torch.float32)
TH = torch.tensor([0.5], dtype=torch.float64)
