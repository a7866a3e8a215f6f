"""The ops under torch.library.opcheck, FakeTensorMode, the meta device and
torch.compile(fullgraph=True), with autograd through the compiled graph."""

from __future__ import annotations

import pytest
import torch
from torch._subclasses.fake_tensor import FakeTensorMode

from ops_cases import N_OPCHECK_CASES, make_scores, make_x, opcheck_cases, seed_tensor
from ssrl_ecg import ops


# ---- opcheck, fake kernels, torch.compile -------------------------------------------


@pytest.mark.parametrize("i", range(N_OPCHECK_CASES))
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
