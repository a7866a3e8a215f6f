"""MultilabelMetrics: streaming equals one-shot, binned bound, best-F1 by brute
force, bootstrap, state dict, bad input, and torch.distributed on gloo."""

import math
import os
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from sklearn.metrics import roc_auc_score

from reference import reference_metrics
from ssrl_ecg.metrics import MultilabelMetrics
from ssrl_ecg.utils import multilabel_metrics

KEYS = ("f1_macro", "auroc_macro", "sensitivity_micro", "specificity_micro")


def make(n, c, seed=0, levels=None, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    y = (torch.rand(n, c, generator=g) < torch.linspace(0.1, 0.5, c)).to(torch.uint8)
    p = (torch.rand(n, c, generator=g) * 0.7 + 0.3 * y).to(dtype)
    if levels:
        p = (p * (levels - 1)).round() / (levels - 1)
    return y, p


def random_batches(n, seed):
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, n + 1, size=12))
    edges = [0, *cuts.tolist(), n]
    return list(zip(edges[:-1], edges[1:]))  # includes empty batches


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_streaming_equals_one_shot(seed):
    y, p = make(3001, 7, seed=seed, levels=40)
    y[:, 2] = 0  # a one-label class
    m = MultilabelMetrics(7, threshold=0.4)
    for a, b in random_batches(3001, seed):
        m.update(y[a:b], p[a:b])
    got = m.compute()
    one_shot = multilabel_metrics(y, p, threshold=0.4)
    for k in KEYS:
        assert same(got[k], one_shot[k]), k
    ref = reference_metrics(y.numpy(), p.numpy(), 0.4)
    for k in KEYS:
        assert got[k] == pytest.approx(ref[k], abs=1e-12), k
    for c in range(7):
        if c == 2:
            assert math.isnan(got["auroc"][c])
        else:
            assert got["auroc"][c].item() == pytest.approx(roc_auc_score(y[:, c], p[:, c]), abs=1e-12)
    tp = ((p >= 0.4) & (y == 1)).sum(0)
    assert torch.equal(got["counts"][:, 0], tp)
    assert torch.equal(got["counts"].sum(1), torch.full((7,), 3001))


def test_binned_auroc_within_its_bound():
    y, p = make(5000, 5, seed=3)
    exact = MultilabelMetrics(5)
    exact.update(y, p)
    e = exact.compute()["auroc"]
    bounds = []
    for bins in (11, 101, 1001):
        m = MultilabelMetrics(5, auroc="binned", num_bins=bins)
        for a, b in random_batches(5000, bins):
            m.update(y[a:b], p[a:b])
        r = m.compute()
        assert ((r["auroc"] - e).abs() <= r["auroc_binned_bound"] + 1e-12).all()
        bounds.append(r["auroc_binned_bound"].max().item())
    assert bounds[0] > bounds[1] > bounds[2]
    assert bounds[2] < 1e-3


def test_binned_is_exact_when_scores_sit_on_the_grid():
    y, p = make(2000, 3, seed=4, levels=11, dtype=torch.float64)  # scores k / 10
    exact, binned = MultilabelMetrics(3), MultilabelMetrics(3, auroc="binned", num_bins=11)
    exact.update(y, p)
    binned.update(y, p)
    torch.testing.assert_close(binned.compute()["auroc"], exact.compute()["auroc"], rtol=0, atol=1e-15)


def test_best_f1_thresholds_by_brute_force():
    y, p = make(1500, 4, seed=5)
    m = MultilabelMetrics(4, num_bins=51)
    m.update(y, p)
    r = m.compute()
    grid = np.arange(51) / 50
    for c in range(4):
        f1s = []
        for t in grid:
            pred = p[:, c].numpy() >= np.float32(t)
            truth = y[:, c].numpy() == 1
            tp, fp, fn = (pred & truth).sum(), (pred & ~truth).sum(), (~pred & truth).sum()
            f1s.append(2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0)
        best = int(np.argmax(f1s))
        assert r["best_f1_threshold"][c].item() == pytest.approx(grid[best])
        assert r["best_f1"][c].item() == pytest.approx(f1s[best], abs=1e-12)


def test_bootstrap_reproducible_and_covering():
    y, p = make(800, 5, seed=6)
    m = MultilabelMetrics(5)
    m.update(y, p)
    a = m.compute(bootstrap=200, seed=11, bootstrap_batch=64)
    b = m.compute(bootstrap=200, seed=11, bootstrap_batch=50)
    c = m.compute(bootstrap=200, seed=12)
    assert a["f1_macro_ci"] == b["f1_macro_ci"] and a["auroc_macro_ci"] == b["auroc_macro_ci"]
    assert a["auroc_macro_ci"] != c["auroc_macro_ci"]
    for key, ci in (("f1_macro", a["f1_macro_ci"]), ("auroc_macro", a["auroc_macro_ci"])):
        lo, hi = ci
        assert lo < a[key] < hi, key
        assert hi - lo < 0.2


def test_bootstrap_weighted_auroc_matches_resample():
    # one resample by hand: the weighted AUROC equals sklearn on the drawn rows
    from ssrl_ecg.metrics import _weighted_auroc
    y, p = make(60, 2, seed=7, levels=6, dtype=torch.float64)
    idx = torch.randint(0, 60, (60,), generator=torch.Generator().manual_seed(1))
    w = torch.zeros(1, 60, dtype=torch.float64).scatter_add_(1, idx[None], torch.ones(1, 60, dtype=torch.float64))
    order = p.argsort(dim=0, stable=True)
    sp = p.gather(0, order)
    new = torch.ones_like(sp, dtype=torch.int64)
    new[1:] = (sp[1:] != sp[:-1]).to(torch.int64)
    got = _weighted_auroc(w, order, y.double().gather(0, order), new.cumsum(0) - 1)
    for c in range(2):
        assert got[0, c].item() == pytest.approx(roc_auc_score(y[idx, c], p[idx, c]), abs=1e-12)


def test_state_dict_round_trip():
    y, p = make(1000, 3, seed=8)
    full = MultilabelMetrics(3)
    full.update(y, p)
    first = MultilabelMetrics(3)
    first.update(y[:400], p[:400])
    state = first.state_dict()
    resumed = MultilabelMetrics(3)
    resumed.load_state_dict(state)
    resumed.update(y[400:], p[400:])
    r, f = resumed.compute(), full.compute()
    for k in KEYS:
        assert same(r[k], f[k]), k
    assert torch.equal(r["counts"], f["counts"])
    with pytest.raises(ValueError, match="num_classes"):
        MultilabelMetrics(4).load_state_dict(state)


def test_reset_forgets():
    y, p = make(100, 2, seed=9)
    m = MultilabelMetrics(2)
    m.update(y, p)
    m.reset()
    with pytest.raises(ValueError, match="update"):
        m.compute()


@pytest.mark.parametrize("call,exc,name", [
    (lambda m, y, p: m.update(y[:, :2], p[:, :2]), ValueError, "y_true"),
    (lambda m, y, p: m.update(y, p[:-1]), ValueError, "same shape"),
    (lambda m, y, p: m.update(y, p.to("meta")), ValueError, "device"),
    (lambda m, y, p: m.update(y + 2, p), ValueError, "y_true"),
    (lambda m, y, p: m.update(y, torch.where(p > 0.9, float("nan"), p)), ValueError, "y_prob"),
    (lambda m, y, p: m.update(y, torch.where(p > 0.9, float("inf"), p)), ValueError, "y_prob"),
    (lambda m, y, p: m.update(y, p.to(torch.int32)), TypeError, "y_prob"),
    (lambda m, y, p: m.update(y.numpy(), p), TypeError, "tensor"),
])
def test_bad_input_leaves_state_unchanged(call, exc, name):
    y, p = make(100, 3, seed=10)
    m = MultilabelMetrics(3)
    m.update(y[:50], p[:50])
    before = m.state_dict()
    with pytest.raises(exc, match=name):
        call(m, y[50:], p[50:])
    after = m.state_dict()
    assert torch.equal(before["counts"], after["counts"])
    assert torch.equal(before["scores"], after["scores"])


@pytest.mark.parametrize("kwargs,name", [({"num_classes": 0}, "num_classes"),
                                         ({"num_classes": 3, "threshold": float("nan")}, "threshold"),
                                         ({"num_classes": 3, "auroc": "fast"}, "auroc"),
                                         ({"num_classes": 3, "num_bins": 1}, "num_bins")])
def test_bad_constructor_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        MultilabelMetrics(**kwargs)


def test_update_under_compile_has_no_graph_break():
    y, p = make(600, 3, seed=12)
    m = MultilabelMetrics(3, auroc="binned", num_bins=21)

    @torch.compile(fullgraph=True)
    def step(yb, pb):
        m.update(yb, pb)

    for a in range(0, 600, 200):
        step(y[a:a + 200], p[a:a + 200])
    ref = MultilabelMetrics(3, auroc="binned", num_bins=21)
    ref.update(y, p)
    assert torch.equal(m.compute()["counts"], ref.compute()["counts"])


# ---- torch.distributed ---------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank, world, port, shards, mode, backend, out_dir):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group(backend, rank=rank, world_size=world)
    try:
        device = torch.device("cuda", rank) if backend == "nccl" else torch.device("cpu")
        y, p = make(2000, 5, seed=20, levels=30)
        m = MultilabelMetrics(5, auroc=mode)
        a, b = shards[rank]
        for start in range(a, b, 97):  # several uneven batches per rank
            m.update(y[start:min(b, start + 97)].to(device), p[start:min(b, start + 97)].to(device))
        if a == b:
            m.update(y[:0].to(device), p[:0].to(device))  # a rank with no samples
        r = m.compute()
        torch.save({k: r[k] for k in (*KEYS, "auroc", "counts")}, os.path.join(out_dir, f"{rank}.pt"))
    finally:
        dist.destroy_process_group()


def _single(mode):
    y, p = make(2000, 5, seed=20, levels=30)
    m = MultilabelMetrics(5, auroc=mode)
    m.update(y, p)
    return m.compute()


@pytest.mark.parametrize("world,shards", [
    (2, [(0, 700), (700, 2000)]),
    (3, [(0, 1500), (1500, 1500), (1500, 2000)]),  # rank 1 has no samples
])
@pytest.mark.parametrize("mode", ["exact", "binned"])
def test_gloo_equals_single_process(tmp_path, world, shards, mode):
    mp.spawn(_worker, args=(world, _free_port(), shards, mode, "gloo", str(tmp_path)), nprocs=world)
    ref = _single(mode)
    for rank in range(world):
        r = torch.load(tmp_path / f"{rank}.pt")
        for k in KEYS:
            assert same(r[k], ref[k]), (rank, k)
        assert torch.equal(r["counts"], ref["counts"])
        torch.testing.assert_close(r["auroc"], ref["auroc"], rtol=0, atol=0, equal_nan=True)


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="NCCL test needs 2 GPUs")
def test_nccl_equals_single_process(tmp_path):
    shards = [(0, 900), (900, 2000)]
    mp.spawn(_worker, args=(2, _free_port(), shards, "exact", "nccl", str(tmp_path)), nprocs=2)
    ref = _single("exact")
    for rank in range(2):
        r = torch.load(tmp_path / f"{rank}.pt")
        for k in KEYS:
            assert same(r[k], ref[k]), (rank, k)
