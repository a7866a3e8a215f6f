"""Tests of the ssrl_ecg torch ops (ssrl_ecg.ops) against independent references.

- block mask: a pure-Python Philox4x32-10 and the start formula of SEMANTICS.md
  s.1, written here from the spec (independent of ops/philox.h), plus
  hand-computed masks from the spec's known answer;
- confusion counts: a naive torch computation, thresholds rounded as torch does;
- AUROC: scikit-learn's roc_auc_score per class;
- torch.library.opcheck on every op, autograd, fake kernels under torch.compile
  and FakeTensorMode, and every error path of the Python wrappers.

Run (development build):
    SSRL_ECG_OPS_LIBRARY=build/torch_bindings/_ssrl_ecg_ops.so PYTHONPATH=python \
        python -m pytest tests/python/test_ops.py -q
CUDA tests skip with a reason where no GPU is present.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
import torch
from torch._subclasses.fake_tensor import FakeTensorMode

from ssrl_ecg import ops

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

# ---- an independent Philox4x32-10 and the mask of SEMANTICS.md s.1 --------------

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


# ---- block mask: the stream, hand-computed cases, the reference -------------------


def test_philox_known_answer():
    # SEMANTICS.md s.1 (Random123's known-answer test).
    got = philox4x32_10((0, 0, 0, 0), (0, 0))
    assert got == (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)


def test_block_mask_hand_computed():
    # seed 0, sample 0: u_0 = 0x6627e8d5, u_1 = 0xe169c58d (the known answer).
    # T = 10, block_size = 3: R = 8, start_0 = (u_0 * 8) >> 32 = 3, start_1 = 7.
    x = torch.arange(1.0, 21.0).reshape(1, 2, 10)
    # mask_ratio 0.3: 10 * 0.3 = 3.0000000000000004, // 3 -> 1 block at 3.
    out, mask = ops.block_mask(x, 0, 0.3, 3)
    assert mask[0].nonzero().flatten().tolist() == [3, 4, 5]
    # mask_ratio 0.6: 10 * 0.6 = 6.0, // 3 -> 2 blocks, at 3 and 7.
    out, mask = ops.block_mask(x, 0, 0.6, 3)
    assert mask[0].nonzero().flatten().tolist() == [3, 4, 5, 7, 8, 9]
    keep = torch.tensor([1, 1, 1, 0, 0, 0, 1, 0, 0, 0], dtype=torch.float32)
    torch.testing.assert_close(out, x * keep, rtol=0, atol=0)


@pytest.mark.parametrize("T, block_size", [(5, 8), (7, 7), (1, 1)])
def test_block_mask_block_covers_short_sample(T, block_size):
    # T <= block_size: R = 1, the one start is 0 and the block covers the sample.
    x = torch.ones(3, 2, T)
    out, mask = ops.block_mask(x, 123, 0.5, block_size)
    assert mask.all()
    assert (out == 0).all()


@pytest.mark.parametrize(
    "seed, B, T, mask_ratio, block_size",
    [
        (0, 3, 100, 0.25, 10),
        (1, 4, 769, 0.5, 50),
        (2**63 + 12345, 5, 97, 0.3, 7),  # seed bits with the sign bit set
        (0xDEADBEEFCAFEBABE, 2, 129, 1.0, 1),  # many blocks: several Philox groups
        (42, 6, 33, 0.7, 5),
        (7, 2, 100, 0.29, 1),  # 100 * 0.29 = 28.999999999999996: 28 blocks
        (9, 3, 64, 1e-9, 4),  # a tiny ratio still draws one block
    ],
)
def test_block_mask_matches_reference(seed, B, T, mask_ratio, block_size):
    x = make_x((B, 3, T), torch.float32)
    expected = reference_mask(seed, B, T, mask_ratio, block_size)
    for s in (seed, seed_tensor(seed)):
        out, mask = ops.block_mask(x, s, mask_ratio, block_size)
        assert mask.dtype == torch.bool and mask.shape == (B, T)
        assert torch.equal(mask, expected)
        assert torch.equal(bits(out), expected_out(x, expected))


@pytest.mark.parametrize("dtype", ALL_X_DTYPES, ids=str)
def test_block_mask_every_dtype(dtype):
    B, C, T, seed = 3, 4, 101, 2024
    x = make_x((B, C, T), dtype)
    x_before = x.clone()
    expected = reference_mask(seed, B, T, 0.4, 6)
    out, mask = ops.block_mask(x, seed, 0.4, 6)
    assert out.dtype == dtype and out.shape == x.shape and out.is_contiguous()
    assert torch.equal(mask, expected)
    assert torch.equal(bits(out), expected_out(x, expected))
    assert torch.equal(bits(x), bits(x_before)), "block_mask changed its input"


@pytest.mark.parametrize("dtype", ALL_X_DTYPES, ids=str)
def test_block_mask_inplace_equals_out_of_place(dtype):
    x = make_x((4, 3, 77), dtype, seed=3)
    out, mask = ops.block_mask(x, 99, 0.35, 4)
    y = x.clone()
    ptr = y.data_ptr()
    mask_ = ops.block_mask_(y, 99, 0.35, 4)
    assert y.data_ptr() == ptr
    assert torch.equal(mask_, mask)
    assert torch.equal(bits(y), bits(out))


def strided_views(base_shape=(3, 50, 4)):
    """[B, C, T] views that are not contiguous, of a [B, T, C]-ish base."""
    base = make_x(base_shape, torch.float32, seed=5)
    yield "transposed", base, lambda t: t.permute(0, 2, 1)
    wide = make_x((3, 4, 100), torch.float32, seed=6)
    yield "step", wide, lambda t: t[:, :, ::2]
    yield "channel-slice", wide, lambda t: t[:, 1:3, :]


@pytest.mark.parametrize("case", ["transposed", "step", "channel-slice"])
def test_block_mask_non_contiguous(case):
    base, view = next((b, v) for name, b, v in strided_views() if name == case)
    x = view(base)
    assert not x.is_contiguous()
    out, mask = ops.block_mask(x, 11, 0.3, 5)
    ref_out, ref_mask = ops.block_mask(x.contiguous(), 11, 0.3, 5)
    assert torch.equal(mask, ref_mask) and torch.equal(out, ref_out)
    # in place on the strided view writes through to the base
    base_copy = base.clone()
    mask_ = ops.block_mask_(view(base_copy), 11, 0.3, 5)
    assert torch.equal(mask_, ref_mask)
    assert torch.equal(view(base_copy), ref_out)
    untouched = torch.ones_like(base_copy, dtype=torch.bool)
    view(untouched).fill_(False)
    assert torch.equal(base_copy[untouched], base[untouched])


@pytest.mark.parametrize("mask_ratio", [0.0, -0.0, -0.5, -1e300])
def test_block_mask_ratio_not_positive(mask_ratio):
    x = make_x((2, 3, 40), torch.float32)
    out, mask = ops.block_mask(x, 1, mask_ratio, 5)
    assert not mask.any() and mask.shape == (2, 40)
    assert torch.equal(out, x) and out.data_ptr() != x.data_ptr()
    y = x.clone()
    mask_ = ops.block_mask_(y, 1, mask_ratio, 5)
    assert not mask_.any() and torch.equal(y, x)
    # strided x is left as it is too
    z = x.clone().transpose(0, 1).contiguous().transpose(0, 1)
    assert not z.is_contiguous()
    assert not ops.block_mask_(z, 1, mask_ratio, 5).any() and torch.equal(z, x)


@pytest.mark.parametrize("shape", [(0, 3, 10), (2, 0, 10), (2, 3, 0), (0, 0, 0)])
def test_block_mask_empty(shape):
    x = torch.ones(shape)
    out, mask = ops.block_mask(x, 5, 0.5, 3)
    assert out.shape == shape and mask.shape == (shape[0], shape[2])
    B, C, T = shape
    if C == 0:  # the mask exists even where x has no channels
        assert torch.equal(mask, reference_mask(5, B, T, 0.5, 3))
    assert ops.block_mask_(x, 5, 0.5, 3).shape == (B, T)


def test_block_mask_ratio_one_and_full_cover():
    x = make_x((2, 2, 30), torch.float64)
    out, mask = ops.block_mask(x, 3, 1.0, 30)
    assert mask.all() and not out.any()


def test_block_mask_seed_determinism():
    x = make_x((4, 2, 200), torch.float32)
    _, m1 = ops.block_mask(x, 77, 0.3, 10)
    _, m2 = ops.block_mask(x, seed_tensor(77), 0.3, 10)
    _, m3 = ops.block_mask(x, 78, 0.3, 10)
    assert torch.equal(m1, m2)
    assert not torch.equal(m1, m3)
    assert not torch.equal(m1[0], m1[1])  # each sample has its own stream


# ---- autograd -------------------------------------------------------------------


def test_block_mask_gradient_zero_exactly_where_masked():
    x = torch.randn(3, 4, 60, dtype=torch.float64, requires_grad=True)
    out, mask = ops.block_mask(x, 8, 0.4, 5)
    assert not mask.requires_grad
    grad_out = torch.randn_like(out)
    out.backward(grad_out)
    expected = grad_out.masked_fill(mask[:, None, :], 0)
    assert torch.equal(x.grad, expected)
    assert torch.equal(x.grad == 0, mask[:, None, :].expand_as(x) | (grad_out == 0))


def test_block_mask_inplace_refuses_grad():
    x = torch.randn(2, 3, 20, requires_grad=True)
    y = x * 1
    for t in (x, y):
        with pytest.raises(ValueError, match="x requires grad"):
            ops.block_mask_(t, 1, 0.5, 2)
    with torch.no_grad():
        mask = ops.block_mask_(y, 1, 0.5, 2)
    assert torch.equal(y == 0, mask[:, None, :].expand_as(y))


def test_block_mask_gradcheck():
    x = torch.randn(2, 3, 17, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: ops.block_mask(t, 4, 0.5, 3)[0], (x,))
    assert torch.autograd.gradgradcheck(lambda t: ops.block_mask(t, 4, 0.5, 3)[0], (x,))


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


@pytest.mark.parametrize("dtype", SCORE_DTYPES, ids=str)
@pytest.mark.parametrize("label_dtype", [torch.uint8, torch.bool], ids=str)
def test_confusion_counts_matches_naive(dtype, label_dtype):
    y_true, y_prob = make_scores(769, 5, dtype, levels=20)
    y_true = y_true.to(label_dtype)
    # 0.7 and 0.1 are not exact in any of these dtypes: scores equal to the rounded
    # threshold must count as >= (the comparison is in y_prob's dtype).
    y_prob[:7, 0] = torch.tensor(0.7, dtype=dtype)
    y_prob[7:11, 1] = torch.tensor(0.1, dtype=dtype)
    thresholds = torch.tensor(
        [0.7, 0.5, 0.1, 0.0, 1.0, -0.25, 1.5, 0.7, math.inf, -math.inf, 0.30000001],
        dtype=torch.float64,
    )
    counts = ops.confusion_counts(y_true, y_prob, thresholds)
    assert counts.dtype == torch.int64 and counts.shape == (5, thresholds.numel(), 4)
    assert torch.equal(counts, naive_counts(y_true, y_prob, thresholds))
    assert (counts.sum(-1) == 769).all()


def test_confusion_counts_threshold_rounding_float32():
    y_true = torch.tensor([[1], [0], [1]], dtype=torch.uint8)
    y_prob = torch.tensor([[0.7], [0.7], [0.6]], dtype=torch.float32)
    counts = ops.confusion_counts(y_true, y_prob, [0.7])
    # float32(0.7) < 0.7 as doubles, but the threshold is rounded to float32 first
    assert counts.tolist() == [[[1, 1, 0, 1]]]


def test_confusion_counts_non_contiguous_and_sequence_thresholds():
    y_true, y_prob = make_scores(50, 6, torch.float32, seed=4)
    yt, yp = y_true.t().contiguous().t(), y_prob.t().contiguous().t()
    assert not yp.is_contiguous()
    th = torch.tensor([0.9, 0.2, 0.5, 0.4], dtype=torch.float64)[::2]
    expected = naive_counts(y_true, y_prob, th)
    assert torch.equal(ops.confusion_counts(yt, yp, th), expected)
    assert torch.equal(ops.confusion_counts(yt, yp, th.tolist()), expected)
    assert torch.equal(torch.ops.ssrl_ecg.confusion_counts(yt, yp, th), expected)


@pytest.mark.parametrize("N, C, K", [(0, 3, 2), (5, 0, 2), (5, 3, 0)])
def test_confusion_counts_empty(N, C, K):
    y_true, y_prob = make_scores(N, C, torch.float32)
    th = torch.linspace(0, 1, K, dtype=torch.float64)
    counts = ops.confusion_counts(y_true, y_prob, th)
    assert counts.shape == (C, K, 4)
    assert torch.equal(counts, naive_counts(y_true, y_prob, th))


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


@pytest.mark.parametrize("dtype", SCORE_DTYPES, ids=str)
@pytest.mark.parametrize("levels", [None, 7], ids=["distinct", "ties"])
def test_auroc_matches_sklearn(dtype, levels):
    y_true, y_prob = make_scores(1031, 6, dtype, seed=1, levels=levels)
    y_true[:, 2] = 1  # one label only -> NaN
    y_true[:, 3] = 0
    y_prob[:, 4] = 0.5  # every score tied -> 0.5
    got = ops.auroc(y_true, y_prob)
    assert got.dtype == torch.float64 and got.shape == (6,)
    expected = torch.tensor(sklearn_auroc(y_true, y_prob), dtype=torch.float64)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12, equal_nan=True)
    assert math.isnan(got[2]) and math.isnan(got[3]) and got[4] == 0.5


def test_auroc_bool_labels_non_contiguous_and_hand_computed():
    # class 0: positives {0.8, 0.4}, negatives {0.4, 0.1}: 1 + 1 + 0.5 + 1 = 3.5 of 4
    # class 1: positives {0.3, 0.1}, negatives {0.3, 0.9}: 0.5 + 0 + 0 + 0 = 0.5 of 4
    y_true = torch.tensor([[1, 1, 0, 0], [0, 1, 0, 1]], dtype=torch.bool).t()
    y_prob = torch.tensor([[0.8, 0.4, 0.4, 0.1], [0.3, 0.3, 0.9, 0.1]], dtype=torch.float64).t()
    assert not y_prob.is_contiguous()
    assert ops.auroc(y_true, y_prob).tolist() == [0.875, 0.125]


def test_auroc_empty():
    y_true, y_prob = make_scores(0, 3, torch.float32)
    assert torch.isnan(ops.auroc(y_true, y_prob)).all()
    y_true, y_prob = make_scores(10, 0, torch.float32)
    assert ops.auroc(y_true, y_prob).shape == (0,)


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
    ]


@pytest.mark.parametrize("i", range(5))
def test_opcheck_cpu(i):
    op, args = opcheck_cases("cpu")[i]
    torch.library.opcheck(op, args)


def test_fake_tensor_mode_shapes():
    with FakeTensorMode():
        x = torch.empty(2, 3, 11, dtype=torch.bfloat16)
        seed = torch.empty((), dtype=torch.int64)
        out, mask = torch.ops.ssrl_ecg.block_mask(x, seed, 0.5, 2)
        assert out.shape == (2, 3, 11) and out.dtype == torch.bfloat16
        assert mask.shape == (2, 11) and mask.dtype == torch.bool
        assert torch.ops.ssrl_ecg.block_mask_(x, seed, 0.5, 2).shape == (2, 11)
        y_true = torch.empty(9, 4, dtype=torch.uint8)
        y_prob = torch.empty(9, 4, dtype=torch.float16)
        th = torch.empty(5, dtype=torch.float64)
        counts = ops.confusion_counts(y_true, y_prob, th)
        assert counts.shape == (4, 5, 4) and counts.dtype == torch.int64
        a = ops.auroc(y_true, y_prob)
        assert a.shape == (4,) and a.dtype == torch.float64


def test_meta_device():
    x = torch.empty(2, 3, 11, device="meta")
    out, mask = ops.block_mask(x, 1, 0.5, 2)
    assert out.device.type == "meta" and mask.shape == (2, 11)
    y_true = torch.empty(9, 4, dtype=torch.uint8, device="meta")
    y_prob = torch.empty(9, 4, device="meta")
    th = torch.empty(5, dtype=torch.float64, device="meta")
    assert ops.confusion_counts(y_true, y_prob, th).shape == (4, 5, 4)
    assert ops.auroc(y_true, y_prob).shape == (4,)


def test_torch_compile_fullgraph():
    def f(x, seed, y_true, y_prob, th):
        out, mask = ops.block_mask(x, seed, 0.4, 3)
        return out * 2, mask, ops.confusion_counts(y_true, y_prob, th), ops.auroc(y_true, y_prob)

    x = make_x((2, 3, 40), torch.float32)
    seed = seed_tensor(5)
    y_true, y_prob = make_scores(33, 3, torch.float32)
    th = torch.tensor([0.25, 0.5], dtype=torch.float64)
    compiled = torch.compile(f, backend="aot_eager", fullgraph=True)
    for got, want in zip(compiled(x, seed, y_true, y_prob, th), f(x, seed, y_true, y_prob, th)):
        torch.testing.assert_close(got, want, rtol=0, atol=0, equal_nan=True)


def test_torch_compile_inplace_and_backward():
    def g(x, seed):
        mask = ops.block_mask_(x, seed, 0.4, 3)
        return x + 1, mask

    def h(x, seed):
        return (ops.block_mask(x, seed, 0.4, 3)[0] * 3).sum()

    seed = seed_tensor(6)
    x1, x2 = make_x((2, 3, 40), torch.float32), None
    x2 = x1.clone()
    got = torch.compile(g, backend="aot_eager", fullgraph=True)(x1, seed)
    want = g(x2, seed)
    assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1]) and torch.equal(x1, x2)

    xa = make_x((2, 3, 40), torch.float32).requires_grad_()
    xb = xa.detach().clone().requires_grad_()
    torch.compile(h, backend="aot_eager", fullgraph=True)(xa, seed).backward()
    h(xb, seed).backward()
    assert torch.equal(xa.grad, xb.grad)


# ---- bad input: errors that name the argument, inputs untouched ------------------------

X = make_x((2, 3, 20), torch.float32)
YT, YP = make_scores(10, 3, torch.float32)
TH = torch.tensor([0.5], dtype=torch.float64)

BAD_MASK_CALLS = [
    ("x", TypeError, lambda f: f(X.tolist(), 1, 0.5, 2)),
    ("x", ValueError, lambda f: f(X[0], 1, 0.5, 2)),
    ("x", ValueError, lambda f: f(X[None], 1, 0.5, 2)),
    ("x", TypeError, lambda f: f(X.to(torch.complex64), 1, 0.5, 2)),
    ("x", TypeError, lambda f: f(X.to(torch.complex32), 1, 0.5, 2)),
    ("seed", TypeError, lambda f: f(X, torch.tensor(1.0), 0.5, 2)),
    ("seed", TypeError, lambda f: f(X, torch.tensor(1, dtype=torch.int32), 0.5, 2)),
    ("seed", ValueError, lambda f: f(X, torch.tensor([1, 2]), 0.5, 2)),
    ("seed", TypeError, lambda f: f(X, 1.5, 0.5, 2)),
    ("seed", ValueError, lambda f: f(X, 2**64, 0.5, 2)),
    ("mask_ratio", ValueError, lambda f: f(X, 1, math.nan, 2)),
    ("mask_ratio", ValueError, lambda f: f(X, 1, math.inf, 2)),
    ("mask_ratio", ValueError, lambda f: f(X, 1, -math.inf, 2)),
    ("mask_ratio", ValueError, lambda f: f(X, 1, 1.0000001, 2)),
    ("mask_ratio", TypeError, lambda f: f(X, 1, "0.5", 2)),
    ("block_size", ValueError, lambda f: f(X, 1, 0.5, 0)),
    ("block_size", ValueError, lambda f: f(X, 1, 0.0, -3)),
    ("block_size", TypeError, lambda f: f(X, 1, 0.5, 2.0)),
]


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
@pytest.mark.parametrize("name, exc, call", BAD_MASK_CALLS)
@pytest.mark.parametrize("fn", [ops.block_mask, ops.block_mask_], ids=["block_mask", "block_mask_"])
def test_block_mask_bad_input(fn, name, exc, call):
    before = X.clone()
    with pytest.raises(exc, match=name):
        call(fn)
    assert torch.equal(X, before)


BAD_SCORE_CALLS = [
    ("y_true", TypeError, lambda: (YT.float(), YP)),
    ("y_true", TypeError, lambda: (YT.numpy(), YP)),
    ("y_true", ValueError, lambda: (YT[:, 0], YP[:, 0])),
    ("y_prob", TypeError, lambda: (YT, YP.to(torch.int32))),
    ("y_prob", TypeError, lambda: (YT, YP.to(torch.complex64))),
    ("y_prob", ValueError, lambda: (YT, YP[:5])),
    ("y_prob", ValueError, lambda: (YT, YP.t())),
]


@pytest.mark.parametrize("name, exc, args", BAD_SCORE_CALLS)
def test_scores_bad_input(name, exc, args):
    y_true, y_prob = args()
    with pytest.raises(exc, match=name):
        ops.auroc(y_true, y_prob)
    with pytest.raises(exc, match=name):
        ops.confusion_counts(y_true, y_prob, TH)


@pytest.mark.parametrize("check_values", [True, False])
@pytest.mark.parametrize(
    "name, y_true, y_prob, thresholds",
    [
        ("y_true", YT * 2, YP, TH),
        ("y_prob", YT, torch.where(YP > 0.9, math.nan, YP), TH),
        ("thresholds", YT, YP, torch.tensor([0.5, math.nan], dtype=torch.float64)),
    ],
)
def test_bad_values(check_values, name, y_true, y_prob, thresholds):
    # checked in Python (ValueError) or, on the CPU, by the op itself (RuntimeError)
    exc = ValueError if check_values else RuntimeError
    with pytest.raises(exc, match=name):
        ops.confusion_counts(y_true, y_prob, thresholds, check_values=check_values)
    if name != "thresholds":
        with pytest.raises(exc, match=name):
            ops.auroc(y_true, y_prob, check_values=check_values)


@pytest.mark.parametrize(
    "exc, thresholds",
    [
        (TypeError, TH.float()),
        (TypeError, "0.5"),
        (TypeError, 0.5),
        (TypeError, ["a"]),
        (ValueError, TH[None]),
    ],
)
def test_thresholds_bad_input(exc, thresholds):
    with pytest.raises(exc, match="thresholds"):
        ops.confusion_counts(YT, YP, thresholds)


@pytest.mark.parametrize(
    "name, call",
    [
        ("x", lambda: torch.ops.ssrl_ecg.block_mask(X[0], seed_tensor(1), 0.5, 2)),
        ("x", lambda: torch.ops.ssrl_ecg.block_mask(X.to(torch.complex64), seed_tensor(1), 0.5, 2)),
        ("seed", lambda: torch.ops.ssrl_ecg.block_mask(X, torch.tensor(1.0), 0.5, 2)),
        ("seed", lambda: torch.ops.ssrl_ecg.block_mask_(X.clone(), torch.tensor([1, 2]), 0.5, 2)),
        ("mask_ratio", lambda: torch.ops.ssrl_ecg.block_mask(X, seed_tensor(1), math.nan, 2)),
        ("mask_ratio", lambda: torch.ops.ssrl_ecg.block_mask_(X.clone(), seed_tensor(1), 2.0, 2)),
        ("block_size", lambda: torch.ops.ssrl_ecg.block_mask(X, seed_tensor(1), 0.5, 0)),
        ("y_true", lambda: torch.ops.ssrl_ecg.auroc(YT * 2, YP)),
        ("y_true", lambda: torch.ops.ssrl_ecg.confusion_counts(YT.float(), YP, TH)),
        ("y_prob", lambda: torch.ops.ssrl_ecg.auroc(YT, torch.full_like(YP, math.nan))),
        ("y_prob", lambda: torch.ops.ssrl_ecg.confusion_counts(YT, YP[:4], TH)),
        ("thresholds", lambda: torch.ops.ssrl_ecg.confusion_counts(YT, YP, TH.float())),
        ("thresholds", lambda: torch.ops.ssrl_ecg.confusion_counts(YT, YP, TH * math.nan)),
    ],
)
def test_raw_ops_name_the_argument(name, call):
    with pytest.raises(RuntimeError, match=f"ssrl_ecg::[a-z_]+: {name}"):
        call()


def test_loader_reports_what_it_searched(tmp_path):
    env = dict(os.environ, SSRL_ECG_OPS_LIBRARY=str(tmp_path / "missing.so"))
    code = "import ssrl_ecg.ops"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr and "SSRL_ECG_OPS_LIBRARY" in proc.stderr


# ---- CUDA: bit-identical to the CPU, on the current stream ------------------------------


@CUDA
@pytest.mark.parametrize("dtype", ALL_X_DTYPES, ids=str)
def test_cuda_block_mask_equals_cpu(dtype):
    x = make_x((5, 3, 769), dtype, seed=9)
    out, mask = ops.block_mask(x, 2**63 + 5, 0.45, 17)
    for seed in (2**63 + 5, seed_tensor(2**63 + 5), seed_tensor(2**63 + 5).cuda()):
        out_d, mask_d = ops.block_mask(x.cuda(), seed, 0.45, 17)
        assert out_d.is_cuda and mask_d.is_cuda
        assert torch.equal(mask_d.cpu(), mask) and torch.equal(bits(out_d.cpu()), bits(out))
        y = x.cuda().transpose(0, 2).contiguous().transpose(0, 2)  # strided, in place
        assert torch.equal(ops.block_mask_(y, seed, 0.45, 17).cpu(), mask)
        assert torch.equal(bits(y.cpu()), bits(out))


@CUDA
def test_cuda_block_mask_ratio_not_positive_and_empty():
    x = make_x((2, 3, 40), torch.float32, device="cuda")
    out, mask = ops.block_mask(x, 1, 0.0, 5)
    assert torch.equal(out, x) and not mask.any()
    for shape in [(0, 3, 10), (2, 0, 10), (2, 3, 0)]:
        out, mask = ops.block_mask(torch.ones(shape, device="cuda"), 5, 0.5, 3)
        assert out.shape == shape and mask.shape == (shape[0], shape[2])


@CUDA
@pytest.mark.parametrize("dtype", SCORE_DTYPES, ids=str)
def test_cuda_scores_equal_cpu(dtype):
    y_true, y_prob = make_scores(5125, 7, dtype, seed=3, levels=50)
    y_true[:, 1] = 0
    th = torch.tensor([0.7, 0.1, 0.5, -1.0, 2.0], dtype=torch.float64)
    counts = ops.confusion_counts(y_true.cuda(), y_prob.cuda(), th.cuda())
    assert torch.equal(counts.cpu(), ops.confusion_counts(y_true, y_prob, th))
    a = ops.auroc(y_true.cuda(), y_prob.cuda())
    expected = ops.auroc(y_true, y_prob)
    torch.testing.assert_close(a.cpu(), expected, rtol=0, atol=1e-12, equal_nan=True)


@CUDA
def test_cuda_bad_values_and_devices():
    with pytest.raises(ValueError, match="y_true"):
        ops.auroc((YT * 2).cuda(), YP.cuda(), check_values=True)
    with pytest.raises(ValueError, match="y_prob"):
        nan = torch.full_like(YP, math.nan).cuda()
        ops.confusion_counts(YT.cuda(), nan, TH.cuda(), check_values=True)
    with pytest.raises(ValueError, match="thresholds"):
        ops.confusion_counts(YT.cuda(), YP.cuda(), (TH * math.nan).cuda(), check_values=True)
    # unchecked, the CUDA ops neither sync nor raise: the result is unspecified
    ops.auroc((YT * 2).cuda(), YP.cuda())
    torch.cuda.synchronize()
    with pytest.raises(ValueError, match="thresholds"):
        ops.confusion_counts(YT.cuda(), YP.cuda(), TH)
    with pytest.raises(ValueError, match="y_prob"):
        ops.auroc(YT, YP.cuda())


@CUDA
def test_cuda_runs_on_current_stream():
    # The input is written on a side stream after a long sleep; an op that ran on
    # any other stream would read it before the write lands.
    src = make_x((4, 8, 1 << 14), torch.float32, device="cuda")
    expected_out, expected_mask = ops.block_mask(src, 3, 0.3, 64)
    y_true, y_prob = make_scores(1 << 16, 4, torch.float32)
    expected_auroc = ops.auroc(y_true, y_prob)
    y_true, y_prob = y_true.cuda(), y_prob.cuda()
    torch.cuda.synchronize()
    side = torch.cuda.Stream()
    x = torch.zeros_like(src)
    yp = torch.zeros_like(y_prob)
    seed = seed_tensor(3).cuda()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        torch.cuda._sleep(200_000_000)
        x.copy_(src)
        yp.copy_(y_prob)
        out, mask = ops.block_mask(x, seed, 0.3, 64)
        a = ops.auroc(y_true, yp)
    side.synchronize()
    assert torch.equal(out, expected_out) and torch.equal(mask, expected_mask)
    torch.testing.assert_close(a.cpu(), expected_auroc, rtol=0, atol=1e-12)


@CUDA
@pytest.mark.parametrize("i", range(5))
def test_opcheck_cuda(i):
    op, args = opcheck_cases("cuda")[i]
    torch.library.opcheck(op, args)

