"""AUPRC and the PTB-XL bootstrap in the metrics API (docs/semantics.md sections
9.2, 9.3): ``multilabel_metrics(extra=True)`` and ``MultilabelMetrics`` against
scikit-learn's ``average_precision_score``; labels of any dtype; the binned AUPRC
within its bound; the PTB-XL protocol against an independent numpy
re-implementation fed the same resample indices."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from ssrl_ecg.bootstrap import ptbxl_indices
from ssrl_ecg.metrics import MultilabelMetrics
from ssrl_ecg.utils import multilabel_metrics

KEYS = ("f1_macro", "auroc_macro", "sensitivity_micro", "specificity_micro")


def make(n, c, seed=0, levels=None, dtype=torch.float32, rare=None):
    g = torch.Generator().manual_seed(seed)
    rates = torch.linspace(0.1, 0.5, c)
    if rare is not None:
        rates[rare] = 0.004  # a rare diagnostic class: resamples without it get redrawn
    y = (torch.rand(n, c, generator=g) < rates).to(torch.uint8)
    p = (torch.rand(n, c, generator=g) * 0.7 + 0.3 * y).to(dtype)
    if levels:
        p = (p * (levels - 1)).round() / (levels - 1)
    return y, p


def sklearn_ap_macro(y, p):
    y, p = np.asarray(y), np.asarray(p, dtype=np.float64)
    aps = [average_precision_score(y[:, c], p[:, c]) for c in range(y.shape[1]) if y[:, c].any()]
    return float(np.mean(aps)) if aps else math.nan


@pytest.mark.parametrize("ldtype", [torch.uint8, torch.bool, torch.int64, torch.float32])
def test_multilabel_metrics_extra(ldtype):
    y, p = make(3001, 7, seed=1, levels=40)
    y[:, 2] = 0  # no positive: left out of the macro AUPRC
    base = multilabel_metrics(y, p)
    assert tuple(base) == KEYS  # the seed contract: four keys
    got = multilabel_metrics(y.to(ldtype), p, extra=True)
    assert tuple(got) == KEYS + ("auprc_macro",)
    for k in KEYS:
        assert got[k] == base[k]
    assert got["auprc_macro"] == pytest.approx(sklearn_ap_macro(y, p), abs=1e-12)
    with pytest.raises(TypeError, match="extra"):
        multilabel_metrics(y, p, extra=1)


def test_multilabel_metrics_any_label_dtype_numpy():
    y, p = make(500, 4, seed=2)
    ref = multilabel_metrics(y, p, extra=True)
    for arr in (y.numpy().astype(np.int64), y.numpy().astype(np.float32), y.numpy().astype(bool)):
        assert multilabel_metrics(arr, p.numpy(), extra=True) == ref
    with pytest.raises(ValueError, match="y_true"):
        multilabel_metrics(y.float() * 0.5, p)


def test_streaming_auprc_exact_and_int64_labels():
    y, p = make(5000, 6, seed=3, levels=30)
    m = MultilabelMetrics(6)
    for a, b in [(0, 1000), (1000, 1000), (1000, 3500), (3500, 5000)]:
        m.update(y[a:b].long(), p[a:b])  # int64 labels, as torch.randint gives them
    r = m.compute()
    ref = [average_precision_score(y[:, c].numpy(), p[:, c].double().numpy()) for c in range(6)]
    torch.testing.assert_close(r["auprc"], torch.tensor(ref, dtype=torch.float64), rtol=0,
                               atol=1e-12)
    assert r["auprc_macro"] == pytest.approx(float(np.mean(ref)), abs=1e-12)
    one = multilabel_metrics(y, p, extra=True)
    for k in KEYS + ("auprc_macro",):
        assert r[k] == pytest.approx(one[k], abs=1e-12)


def test_streaming_float32_labels_and_mixed_score_dtypes():
    y, p = make(800, 3, seed=4, levels=17)
    m = MultilabelMetrics(3)
    m.update(y[:300].float(), p[:300].half())
    m.update(y[300:].bool(), p[300:].double())
    r = m.compute()
    pe = torch.cat([p[:300].half().double(), p[300:].double()])
    ref = [average_precision_score(y[:, c].numpy(), pe[:, c].numpy()) for c in range(3)]
    torch.testing.assert_close(r["auprc"], torch.tensor(ref, dtype=torch.float64), rtol=0,
                               atol=1e-12)


@pytest.mark.parametrize("bins", [11, 101, 1001])
def test_binned_auprc_within_its_bound(bins):
    y, p = make(20000, 5, seed=5)
    exact, binned = MultilabelMetrics(5), MultilabelMetrics(5, auroc="binned", num_bins=bins)
    for m in (exact, binned):
        m.update(y, p)
    e, b = exact.compute(), binned.compute()
    err = (e["auprc"] - b["auprc"]).abs()
    assert (err <= b["auprc_binned_bound"] + 1e-12).all(), (err, b["auprc_binned_bound"])
    if bins == 1001:
        assert (b["auprc_binned_bound"] < 0.01).all()


def test_binned_auprc_exact_when_scores_sit_on_the_grid():
    y, p = make(3000, 4, seed=6, levels=11, dtype=torch.float64)  # multiples of 0.1
    y[:, 3] = 0
    exact, binned = MultilabelMetrics(4), MultilabelMetrics(4, auroc="binned", num_bins=11)
    for m in (exact, binned):
        m.update(y, p)
    e, b = exact.compute(), binned.compute()
    torch.testing.assert_close(b["auprc"], e["auprc"], rtol=0, atol=1e-12, equal_nan=True)
    assert math.isnan(b["auprc"][3]) and math.isnan(b["auprc_binned_bound"][3])


def test_percentile_bootstrap_covers_auprc():
    y, p = make(800, 5, seed=7)
    m = MultilabelMetrics(5)
    m.update(y, p)
    a = m.compute(bootstrap=200, seed=11)
    b = m.compute(bootstrap=200, seed=11, bootstrap_batch=50)
    assert a["auprc_macro_ci"] == b["auprc_macro_ci"]
    lo, hi = a["auprc_macro_ci"]
    assert lo < a["auprc_macro"] < hi and hi - lo < 0.2
    assert a["bootstrap"]["protocol"] == "percentile"


# ---- the PTB-XL protocol against numpy ---------------------------------------------------


def numpy_auroc(y, p):
    """Mid-rank AUROC (Mann-Whitney), NaN for a one-label class."""
    n_pos = int(y.sum())
    if n_pos in (0, len(y)):
        return math.nan
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order].astype(bool)
    cut = np.flatnonzero(np.diff(ps)) + 1
    start, end = np.r_[0, cut], np.r_[cut, len(ps)]
    ranks = np.repeat((start + end + 1) / 2.0, end - start)
    return (ranks[ys].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * (len(y) - n_pos))


def numpy_ap(y, p):
    """Average precision from its definition: one step per distinct score."""
    P = int(y.sum())
    if P == 0:
        return math.nan
    ap = 0.0
    for s in np.unique(p[y == 1]):
        tp, fp = int(((p >= s) & (y == 1)).sum()), int(((p >= s) & (y == 0)).sum())
        ap += ((p == s) & (y == 1)).sum() / P * tp / (tp + fp)
    return ap


def numpy_ptbxl(y, p, indices):
    """The benchmark's loop: macro AUROC/AUPRC of each resample, 5th/95th percentiles."""
    aucs, aps = [], []
    for idx in indices:
        yr, pr = y[idx], p[idx]
        assert (yr.sum(0) > 0).all()  # the protocol's rule
        aucs.append(np.nanmean([numpy_auroc(yr[:, c], pr[:, c]) for c in range(y.shape[1])]))
        aps.append(np.nanmean([numpy_ap(yr[:, c], pr[:, c]) for c in range(y.shape[1])]))
    return np.percentile(aucs, [5, 95]), np.percentile(aps, [5, 95])


def test_ptbxl_indices_redraw_until_every_class_has_a_positive():
    y, _ = make(400, 4, seed=8, rare=3)
    idx = ptbxl_indices(y, 100, seed=3, batch=64)
    assert idx.shape == (100, 400) and idx.dtype == torch.int64
    assert ((y.double()[idx].sum(1)) > 0).all()
    assert torch.equal(idx, ptbxl_indices(y, 100, seed=3, batch=64))  # reproducible
    # independent of the batch on the CPU generator, and exactly the accepted
    # rows of the raw draws, in order
    assert torch.equal(idx, ptbxl_indices(y, 100, seed=3, batch=7))
    g = torch.Generator().manual_seed(3)
    raw = torch.randint(0, 400, (640, 400), generator=g).numpy()
    ok = [r for r in raw if (y.numpy()[r].sum(0) > 0).all()]
    assert len(ok) < len(raw), "the rare class makes the protocol redraw"
    np.testing.assert_array_equal(idx.numpy(), np.stack(ok[:100]))


def test_ptbxl_protocol_equals_numpy_reimplementation():
    y, p = make(600, 5, seed=9, levels=50, rare=4)
    m = MultilabelMetrics(5)
    m.update(y[:250], p[:250])
    m.update(y[250:], p[250:])
    r = m.compute(bootstrap="ptb-xl", seed=21)
    assert r["bootstrap"] == {"protocol": "ptb-xl", "resamples": 100, "confidence": 0.9,
                              "seed": 21}
    idx = ptbxl_indices(y, 100, seed=21).numpy()
    auc_ci, ap_ci = numpy_ptbxl(y.numpy(), p.double().numpy(), idx)
    np.testing.assert_allclose(r["auroc_macro_ci"], auc_ci, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r["auprc_macro_ci"], ap_ci, rtol=0, atol=1e-12)
    assert r["auroc_macro_ci"][0] < r["auroc_macro"] < r["auroc_macro_ci"][1]
    # the point estimates are the full test set's
    aucs = [roc_auc_score(y[:, c], p[:, c]) for c in range(5)]
    assert r["auroc_macro"] == pytest.approx(float(np.mean(aucs)), abs=1e-12)


def test_ptbxl_protocol_errors():
    y, p = make(200, 3, seed=10)
    m = MultilabelMetrics(3)
    m.update(y, p)
    with pytest.raises(ValueError, match="90%"):
        m.compute(bootstrap="ptb-xl", confidence=0.95)
    with pytest.raises(ValueError, match="bootstrap"):
        m.compute(bootstrap="bca")
    with pytest.raises(ValueError, match="bootstrap"):
        m.compute(bootstrap=-1)
    y0 = y.clone()
    y0[:, 1] = 0
    m0 = MultilabelMetrics(3)
    m0.update(y0, p)
    with pytest.raises(ValueError, match="positive"):
        m0.compute(bootstrap="ptb-xl")
    mb = MultilabelMetrics(3, auroc="binned")
    mb.update(y, p)
    with pytest.raises(ValueError, match="exact"):
        mb.compute(bootstrap="ptb-xl")


@pytest.mark.parametrize("bad", [lambda y: y.long() * 2, lambda y: y.float() * 0.5,
                                 lambda y: y.to(torch.int8) - 1])
def test_bad_labels_of_any_dtype_refused_and_state_kept(bad):
    y, p = make(120, 3, seed=12)
    m = MultilabelMetrics(3)
    with pytest.raises(ValueError, match="y_true"):
        m.update(bad(y), p)  # a first batch: no state is left behind
    with pytest.raises(ValueError, match="update"):
        m.compute()
    m.update(y[:60].long(), p[:60])
    before = m.state_dict()
    with pytest.raises(ValueError, match="y_true"):
        m.update(bad(y[60:]), p[60:])
    after = m.state_dict()
    assert torch.equal(before["counts"], after["counts"])
    assert torch.equal(before["labels"], after["labels"])
