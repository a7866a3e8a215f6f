"""Labels of every dtype through the ops (docs/semantics.md section 9.1) and the
exact AUPRC of ``auroc_auprc`` (section 9.2) against scikit-learn's
``average_precision_score``: ties, classes with no positive or no negative,
awkward sizes, every score dtype; torch.compile(fullgraph=True) with int64
labels; the CUDA op bit-identical to the CPU one (skips without a GPU)."""

from __future__ import annotations

import math

import pytest
import torch

from ops_cases import CUDA, SCORE_DTYPES, make_scores, sklearn_auroc
from ssrl_ecg import ops

LABEL_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
                torch.uint16, torch.uint32, torch.uint64, torch.float16, torch.bfloat16,
                torch.float32, torch.float64]


def sklearn_ap(y_true, y_prob) -> list[float]:
    metrics = pytest.importorskip("sklearn.metrics")
    yt = y_true.to(torch.int64).numpy()
    yp = y_prob.to(torch.float64).numpy()
    out = []
    for c in range(yt.shape[1]):
        if yt.shape[0] == 0 or yt[:, c].max() == 0:
            out.append(math.nan)  # no positive: left out of the macro mean
        else:
            out.append(float(metrics.average_precision_score(yt[:, c], yp[:, c])))
    return out


def assert_close_nan(got, want, atol):
    got = torch.as_tensor(got, dtype=torch.float64)
    want = torch.as_tensor(want, dtype=torch.float64)
    torch.testing.assert_close(got, want, rtol=0, atol=atol, equal_nan=True)


@pytest.mark.parametrize("dtype", SCORE_DTYPES)
@pytest.mark.parametrize("levels", [None, 2, 7, 100])
@pytest.mark.parametrize("N, C", [(1, 1), (5, 3), (769, 5), (5125, 2)])
def test_auprc_equals_sklearn(N, C, levels, dtype):
    y_true, y_prob = make_scores(N, C, dtype, seed=N + C, levels=levels)
    auroc, auprc = ops.auroc_auprc(y_true, y_prob)
    assert auprc.dtype == torch.float64 and auprc.shape == (C,)
    assert_close_nan(auprc, sklearn_ap(y_true, y_prob), 1e-12)
    assert torch.equal(auroc.nan_to_num(-1), ops.auroc(y_true, y_prob).nan_to_num(-1))
    assert_close_nan(auroc, sklearn_auroc(y_true, y_prob), 1e-12)


def test_auprc_no_positive_is_nan_no_negative_is_one():
    y_true, y_prob = make_scores(300, 4, torch.float32, levels=10)
    y_true[:, 1] = 0
    y_true[:, 2] = 1
    auroc, auprc = ops.auroc_auprc(y_true, y_prob)
    assert math.isnan(auprc[1]) and math.isnan(auroc[1])
    assert auprc[2] == 1.0 and math.isnan(auroc[2])
    assert_close_nan(auprc[[0, 3]], [sklearn_ap(y_true, y_prob)[i] for i in (0, 3)], 1e-12)
    empty = ops.auroc_auprc(torch.zeros(0, 3, dtype=torch.uint8), torch.zeros(0, 3))
    assert all(torch.isnan(t).all() for t in empty)


def test_auprc_strided_inputs():
    y_true, y_prob = make_scores(301, 6, torch.float64, levels=13)
    yt, yp = y_true.t().contiguous().t(), y_prob.t().contiguous().t()
    assert not yt.is_contiguous()
    for a, b in zip(ops.auroc_auprc(yt, yp), ops.auroc_auprc(y_true, y_prob)):
        assert torch.equal(a.nan_to_num(-1), b.nan_to_num(-1))


@pytest.mark.parametrize("ldtype", LABEL_DTYPES)
def test_every_label_dtype_equals_uint8(ldtype):
    y_true, y_prob = make_scores(257, 5, torch.float32, seed=3, levels=20)
    th = torch.tensor([0.0, 0.3, 0.5, 1.0], dtype=torch.float64)
    y = y_true.to(ldtype)
    assert torch.equal(ops.confusion_counts(y, y_prob, th), ops.confusion_counts(y_true, y_prob, th))
    assert torch.equal(ops.auroc(y, y_prob), ops.auroc(y_true, y_prob))
    for a, b in zip(ops.auroc_auprc(y, y_prob), ops.auroc_auprc(y_true, y_prob)):
        assert torch.equal(a, b)
    ops.confusion_counts(y, y_prob, th, check_values=True)  # 0/1 of every dtype pass the check


def test_torch_compile_fullgraph_int64_labels():
    def step(y_true, y_prob, th):
        counts = ops.confusion_counts(y_true, y_prob, th)
        auroc, auprc = ops.auroc_auprc(y_true, y_prob)
        return counts, ops.auroc(y_true, y_prob), auroc, auprc

    y_true, y_prob = make_scores(97, 4, torch.float32, seed=5)
    y_true = y_true.long()  # what torch.randint and most datasets give
    th = torch.tensor([0.25, 0.5], dtype=torch.float64)
    compiled = torch.compile(step, backend="aot_eager", fullgraph=True)
    for got, want in zip(compiled(y_true, y_prob, th), step(y_true, y_prob, th)):
        torch.testing.assert_close(got, want, rtol=0, atol=0, equal_nan=True)
    # float labels, as BCEWithLogitsLoss takes them
    for got, want in zip(compiled(y_true.float(), y_prob, th), step(y_true, y_prob, th)):
        torch.testing.assert_close(got, want, rtol=0, atol=0, equal_nan=True)


@CUDA
@pytest.mark.parametrize("ldtype", [torch.uint8, torch.int64, torch.float32, torch.bool])
@pytest.mark.parametrize("dtype", SCORE_DTYPES)
def test_cuda_auroc_auprc_bit_identical(dtype, ldtype):
    y_true, y_prob = make_scores(5125, 7, dtype, seed=11, levels=50)
    y_true[:, 3] = 0
    y_true[:, 4] = 1
    y = y_true.to(ldtype)
    cpu = ops.auroc_auprc(y, y_prob)
    gpu = ops.auroc_auprc(y.cuda(), y_prob.cuda())
    for a, b in zip(cpu, gpu):
        assert torch.equal(a.nan_to_num(-1), b.cpu().nan_to_num(-1))
    th = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    assert torch.equal(ops.confusion_counts(y, y_prob, th),
                       ops.confusion_counts(y.cuda(), y_prob.cuda(), th.cuda()).cpu())
