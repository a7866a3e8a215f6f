"""torch.ops.ssrl_ecg.confusion_counts against a naive torch computation
(thresholds rounded as torch does) and auroc against scikit-learn's
roc_auc_score, per class, for every score dtype."""

from __future__ import annotations

import math

import pytest
import torch

from ops_cases import SCORE_DTYPES, make_scores, naive_counts, sklearn_auroc
from ssrl_ecg import ops


# ---- confusion counts -------------------------------------------------------------


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


@pytest.mark.parametrize("dtype", SCORE_DTYPES, ids=str)
@pytest.mark.parametrize("levels", [None, 50], ids=["distinct", "ties"])
def test_auroc_sorts_of_either_digit_width_match_sklearn(dtype, levels):
    # ops/auroc.c sorts a class's positives and negatives with 8-bit digits
    # under 2048 keys (SSRL_RADIX_SMALL) and 11-bit ones from there: classes
    # with 2047 / 2053, 2048 / 2052 and 2049 / 2051 positives / negatives,
    # and 10% / 90% positives, put each side on each path
    y_true, y_prob = make_scores(4100, 5, dtype, seed=4, levels=levels)
    for c, P in enumerate((2047, 2048, 2049)):
        y_true[:, c] = 0
        y_true[torch.randperm(4100, generator=torch.Generator().manual_seed(c))[:P], c] = 1
    y_true[:, 3] = (torch.arange(4100) % 10 == 0).to(y_true.dtype)
    y_true[:, 4] = (torch.arange(4100) % 10 != 0).to(y_true.dtype)
    got = ops.auroc(y_true, y_prob)
    expected = torch.tensor(sklearn_auroc(y_true, y_prob), dtype=torch.float64)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


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


@pytest.mark.parametrize("op", ["auroc", "auroc_auprc"])
def test_auroc_reports_the_first_bad_value_in_row_major_order_for_any_thread_count(op):
    # the classes are split into groups that threads finish in any order; the
    # error must still be that of the first bad element (label before score)
    call = getattr(torch.ops.ssrl_ecg, op)
    cases = []
    y_true, y_prob = make_scores(10000, 3, torch.float32, seed=6)
    y_true[0, 2], y_prob[5000, 0] = 2, float("nan")      # label first: y_true
    cases.append((y_true, y_prob, "y_true"))
    y_true, y_prob = make_scores(3000, 40, torch.float32, seed=7)
    y_prob[0, 39], y_true[1, 0] = float("nan"), 3        # score first: y_prob
    cases.append((y_true, y_prob, "y_prob"))
    y_true, y_prob = make_scores(3000, 40, torch.float32, seed=8)
    y_prob[7, 5], y_true[7, 5] = float("nan"), 2         # same element: y_true
    cases.append((y_true, y_prob, "y_true"))
    saved = torch.get_num_threads()
    try:
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            for y_true, y_prob, name in cases:
                with pytest.raises(RuntimeError, match=f": {name}: "):
                    call(y_true, y_prob)
    finally:
        torch.set_num_threads(saved)
