"""Every error path of the op wrappers (ssrl_ecg.ops): TypeError / ValueError
naming the argument, inputs untouched; the raw ops' RuntimeError; the loader's
message when the library is missing."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
import torch

from ops_cases import TH, X, YP, YT, seed_tensor
from ssrl_ecg import ops


# ---- bad input: errors that name the argument, inputs untouched ------------------------


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
    ("y_true", TypeError, lambda: (YT.to(torch.complex64), YP)),
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
        # labels of every other dtype: a value outside {0, 1} (docs/semantics.md 9.1)
        ("y_true", YT.long() - 1, YP, TH),
        ("y_true", YT.float() * 0.5, YP, TH),
        ("y_true", torch.where(YT == 1, math.nan, YT.double()), YP, TH),
        ("y_true", (YT.to(torch.int32) * 3).to(torch.uint32), YP, TH),
        ("y_true", YT.to(torch.int8) - 1, YP, TH),
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
        with pytest.raises(exc, match=name):
            ops.auroc_auprc(y_true, y_prob, check_values=check_values)


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
        ("y_true", lambda: torch.ops.ssrl_ecg.confusion_counts(YT.to(torch.complex64), YP, TH)),
        ("y_true", lambda: torch.ops.ssrl_ecg.confusion_counts(YT.float() * 0.5, YP, TH)),
        ("y_true", lambda: torch.ops.ssrl_ecg.auroc_auprc(YT.long() * 2, YP)),
        ("y_true", lambda: torch.ops.ssrl_ecg.auroc_auprc(YT.to(torch.float8_e5m2), YP)),
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
