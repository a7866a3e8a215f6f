"""The CUDA ops bit-identical to the CPU ones, on the current stream; opcheck on
CUDA. Every test skips with a reason where no GPU is present."""

from __future__ import annotations

import math

import pytest
import torch

from ops_cases import (ALL_X_DTYPES, CUDA, SCORE_DTYPES, TH, YP, YT, bits, make_scores, make_x,
                       N_OPCHECK_CASES, opcheck_cases, seed_tensor)
from ssrl_ecg import ops


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
@pytest.mark.parametrize("i", range(N_OPCHECK_CASES))
def test_opcheck_cuda(i):
    op, args = opcheck_cases("cuda")[i]
    torch.library.opcheck(op, args)
