"""The benchmark's re-implementations of what users run today (transformers'
_compute_mask_indices, fairseq-signals' compute_mask_indices, MAE's
random_masking) behave as their sources do, and the validation the benchmark
relies on catches a wrong result."""

import numpy as np
import torch

from ssrl_ecg.bench import masking as bm
from ssrl_ecg.bench.common import PLANS, Clock


def _runs(row: np.ndarray) -> list:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
    return list(zip(edges[::2], edges[1::2]))


def test_transformers_mask_counts_and_spans():
    np.random.seed(0)
    B, T = 200, 1000
    mask = bm.hf_compute_mask_indices((B, T), 0.5, 50, min_masks=2)
    # n = int(0.5 * 1000 / 50 + eps) = 10 for every row (one eps per batch): at most
    # 500 steps, fewer where spans overlap; every run at least one span long
    assert (mask.sum(1) <= 500).all() and (mask.sum(1) > 0).all()
    assert all(e - s >= 50 for row in mask for s, e in _runs(row))
    assert mask.mean() < 0.5  # the overlap shortfall the issue names


def test_transformers_span_count_rules_by_hand():
    np.random.seed(2)
    # min_masks 2 asks 100 steps of T = 60: cut to T // 50 = 1 span per row, so
    # every row masks exactly one run of 50 steps
    mask = bm.hf_compute_mask_indices((16, 60), 0.5, 50, min_masks=2)
    assert (mask.sum(1) == 50).all() and all(len(_runs(row)) == 1 for row in mask)
    # int(0.01 * 100 / 50 + eps) = 0 spans and no minimum: nothing is masked
    assert not bm.hf_compute_mask_indices((4, 100), 0.01, 50).any()


def test_fairseq_mask_rows_all_mask_the_same_count():
    np.random.seed(1)
    mask = bm.fairseq_compute_mask_indices((64, 1000), 0.5, 50, min_masks=2)
    counts = mask.sum(1)
    assert (counts == counts[0]).all() and 0 < counts[0] <= 550


def test_token_validation_accepts_mae_and_ours_and_rejects_a_wrong_restore():
    keep, restore, mask = bm.mae_random_masking(8, 12, 30, torch.device("cpu"))
    assert bm._tokens_ok(keep, restore, mask)
    from ssrl_ecg.masking import token_mask
    assert bm._tokens_ok(*token_mask((8, 12, 30), 0.75))
    assert not bm._tokens_ok(keep, restore.flip(-1), mask)


def test_span_bench_rows_validated_with_fractions():
    plan = PLANS["smoke"]
    rows = bm.bench_span(torch.device("cpu"), plan, 4, 300, Clock(torch.device("cpu")))
    assert {r["method"] for r in rows} == set(bm.SPAN_METHODS)
    assert all(r["validated"] for r in rows)
    by = {r["method"]: r for r in rows}
    assert by["ours_exact"]["masked_fraction"] == 0.5  # exact: what was asked
    assert by["ours_lead_exact"]["masked_fraction"] == 0.25
    lines = bm.masking_markdown({"span": rows}, "cpu")
    assert any("transformers" in line for line in lines)
