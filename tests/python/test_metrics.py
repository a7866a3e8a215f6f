"""multilabel_metrics against the scikit-learn reference of the seed page."""

import math

import numpy as np
import pytest
import torch

from reference import reference_metrics
from ssrl_ecg.utils import multilabel_metrics

KEYS = ("f1_macro", "auroc_macro", "sensitivity_micro", "specificity_micro")


def assert_same(got, ref, tol=1e-12):
    assert set(got) == set(KEYS)
    for k in KEYS:
        assert isinstance(got[k], float), k
        if math.isnan(ref[k]):
            assert math.isnan(got[k]), k
        else:
            assert got[k] == pytest.approx(ref[k], abs=tol, rel=0), k


def make(n, c, levels=None, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, c)) < rng.uniform(0.1, 0.6, size=c)).astype(np.int64)
    p = rng.random((n, c)) * 0.7 + 0.3 * y
    if levels:
        p = np.round(p * (levels - 1)) / (levels - 1)
    return y, p.astype(dtype)


@pytest.mark.parametrize("n,c,levels", [(200, 5, None), (1000, 71, None), (500, 12, 5),
                                        (300, 3, 2), (100000, 5, 50)])
def test_random_data_matches_reference(n, c, levels):
    y, p = make(n, c, levels, seed=n + c)
    assert_same(multilabel_metrics(y, p), reference_metrics(y, p))


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_thresholds(threshold):
    y, p = make(400, 6, levels=11, seed=3)
    assert_same(multilabel_metrics(y, p, threshold=threshold), reference_metrics(y, p, threshold))


def test_float32_threshold_rounding():
    # 0.7 rounds to float32 before the comparison, as numpy does: a score of
    # float32(0.7) is predicted positive although it is below the double 0.7.
    y, p = make(300, 4, levels=11, seed=5, dtype=np.float32)
    assert (p == np.float32(0.7)).any()
    got = multilabel_metrics(y, p, threshold=0.7)
    assert_same(got, reference_metrics(y, p, 0.7))
    double_view = reference_metrics(y, p.astype(np.float64), 0.7)
    assert got["f1_macro"] != double_view["f1_macro"]


def test_one_label_classes_are_skipped_in_auroc():
    y, p = make(200, 5, seed=7)
    y[:, 1] = 0
    y[:, 3] = 1
    assert_same(multilabel_metrics(y, p), reference_metrics(y, p))


def test_all_classes_one_label_gives_nan_auroc():
    y, p = make(50, 3, seed=8)
    y[:] = 0
    got = multilabel_metrics(y, p)
    assert math.isnan(got["auroc_macro"])
    assert_same(got, reference_metrics(y, p))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_n(n):
    y = np.array([[1, 0], [0, 1], [1, 1]][:n])
    p = np.array([[0.9, 0.2], [0.4, 0.6], [0.5, 0.5]][:n])
    assert_same(multilabel_metrics(y, p), reference_metrics(y, p))


def test_hand_computed():
    # class 0: TP 1 FP 1 TN 1 FN 1, AUROC 0.75 (pos {0.9,0.4} vs neg {0.5,0.1}: 3/4)
    y = [0, 1, 0, 1]
    p = [0.1, 0.4, 0.5, 0.9]
    got = multilabel_metrics(y, p)
    assert got["f1_macro"] == pytest.approx(0.5, abs=1e-15)
    assert got["auroc_macro"] == pytest.approx(0.75, abs=1e-15)
    assert got["sensitivity_micro"] == pytest.approx(1 / (2 + 1e-8), abs=1e-15)
    assert got["specificity_micro"] == pytest.approx(1 / (2 + 1e-8), abs=1e-15)


def test_input_kinds_agree():
    y, p = make(300, 4, levels=9, seed=9)
    ref = reference_metrics(y, p)
    assert_same(multilabel_metrics(y, p), ref)
    assert_same(multilabel_metrics(torch.from_numpy(y), torch.from_numpy(p)), ref)
    assert_same(multilabel_metrics(y.tolist(), p.tolist()), ref)
    assert_same(multilabel_metrics(y.astype(bool), p), ref)
    assert_same(multilabel_metrics(y.astype(np.float32), p), ref)
    assert_same(multilabel_metrics(torch.from_numpy(y).to(torch.uint8), torch.from_numpy(p).float()),
                reference_metrics(y, p.astype(np.float32)))


def test_one_dimensional_input_is_one_class():
    y, p = make(100, 1, seed=10)
    assert_same(multilabel_metrics(y[:, 0], p[:, 0]), reference_metrics(y, p))


def test_low_precision_scores():
    y, p = make(500, 5, levels=17, seed=11)  # multiples of 1/16: exact in half and bfloat16
    for dtype in (torch.float16, torch.bfloat16):
        got = multilabel_metrics(torch.from_numpy(y), torch.from_numpy(p).to(dtype))
        assert_same(got, reference_metrics(y, p))


def test_integer_scores_are_promoted():
    y = np.array([[0], [1], [1], [0]])
    p = np.array([[0], [1], [0], [0]])
    assert_same(multilabel_metrics(y, p), reference_metrics(y, p.astype(float)))


@pytest.mark.parametrize("case,exc,name", [
    (lambda y, p: multilabel_metrics(y[:-1], p), ValueError, "same shape"),
    (lambda y, p: multilabel_metrics(y + 1, p), ValueError, "y_true"),
    (lambda y, p: multilabel_metrics(y * 0.5, p), ValueError, "y_true"),
    (lambda y, p: multilabel_metrics(y, np.where(p > 0.5, np.nan, p)), ValueError, "y_prob"),
    (lambda y, p: multilabel_metrics(y, np.where(p > 0.5, np.inf, p)), ValueError, "y_prob"),
    (lambda y, p: multilabel_metrics(y, p, threshold=float("nan")), ValueError, "threshold"),
    (lambda y, p: multilabel_metrics(y, p, threshold="0.5"), TypeError, "threshold"),
    (lambda y, p: multilabel_metrics(y[:, :, None], p[:, :, None]), ValueError, "y_true"),
    (lambda y, p: multilabel_metrics([["a"]], p), TypeError, "y_true"),
    (lambda y, p: multilabel_metrics(y, p.astype(np.complex128)), TypeError, "y_prob"),
])
def test_bad_input_names_the_argument(case, exc, name):
    y, p = make(20, 3, seed=12)
    with pytest.raises(exc, match=name):
        case(y, p)


# On the CPU the checks take a serial path (a numpy sum for the scores, the
# op's own verdict for the labels; ssrl_ecg/utils.py). What it must keep:
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_every_non_finite_score_of_every_dtype_is_refused(dtype, bad):
    y, p = make(50, 4, seed=3)
    pt = torch.from_numpy(p).to(dtype)
    pt[37, 2] = bad
    with pytest.raises(ValueError, match="y_prob"):
        multilabel_metrics(torch.from_numpy(y), pt)


def test_huge_finite_scores_whose_sum_overflows_are_accepted():
    y, p = make(300, 5, seed=4)
    big = p * 1e307  # the serial sum overflows to inf: the exact test decides
    assert_same(multilabel_metrics(y, big), reference_metrics(y, big))
    y16 = torch.from_numpy(y)
    p16 = torch.from_numpy(p * 60000).half()  # finite, near the float16 maximum
    got = multilabel_metrics(y16, p16)
    assert_same(got, reference_metrics(y, p16.double().numpy()))


@pytest.mark.parametrize("bad_score", [float("nan"), float("inf")])
def test_a_bad_label_is_named_before_a_bad_score(bad_score):
    y, p = make(40, 3, seed=5)
    y[35, 1] = 2      # the label comes after the score in data order
    p[2, 0] = bad_score
    with pytest.raises(ValueError, match="y_true"):
        multilabel_metrics(y, p)
    with pytest.raises(ValueError, match="y_true"):
        multilabel_metrics(torch.from_numpy(y), torch.from_numpy(p).float())
