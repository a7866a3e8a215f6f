"""Bad input to the four ops and the four helpers: a clear error, inputs untouched.

Every case in BAD is a call that must raise ``ValueError`` or ``TypeError`` whose
message names the offending argument, and must leave every tensor it was given
as it was: same values (bit for bit, NaNs included), shape, strides, dtype,
device, ``requires_grad`` and version counter (so no in-place write happened,
even one that wrote back the same values). VALID holds the edge cases that are
*not* errors (empty and non-contiguous tensors, infinite scores, requires-grad
labels, huge-but-representable block sizes): they must work, and match the
plain contiguous call where there is one.

Bad *values* (labels outside {0, 1}, NaN) reach the ops' Python checks with
``check_values=True``; without it the CPU op refuses them itself with a
``RuntimeError`` (documented in ops.py and tested in test_ops_errors.py).

CUDA-device cases skip without a GPU.

Run (development build):
    SSRL_ECG_OPS_LIBRARY=build/torch_bindings/_ssrl_ecg_ops.so PYTHONPATH=python \\
        python -m pytest tests/python/test_bad_input.py -q
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
import torch

from ssrl_ecg import ops, utils

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def x_float() -> torch.Tensor:
    return torch.rand(2, 3, 40) + 1.0  # never zero, so masking would show


def labels(n: int = 12, c: int = 3) -> torch.Tensor:
    y = (torch.arange(n * c).reshape(n, c) * 7 % 5 < 2).to(torch.uint8)
    y[0], y[1] = 0, 1  # both labels in every class
    return y


def scores(n: int = 12, c: int = 3) -> torch.Tensor:
    return (torch.arange(n * c, dtype=torch.float32).reshape(n, c) * 0.37) % 1.0


def th() -> torch.Tensor:
    return torch.tensor([0.25, 0.5, 0.75], dtype=torch.float64)


def x_expanded() -> torch.Tensor:
    """[2, 3, 40] whose leads share memory (stride 0): no in-place write fits it."""
    return (torch.rand(2, 1, 40) + 1.0).expand(2, 3, 40)


def seed() -> torch.Tensor:
    return torch.tensor([1234], dtype=torch.int64)


# ---- "inputs untouched" -------------------------------------------------------------


def _snapshot(value: Any) -> Any:
    """A deep copy that remembers, for tensors, their bits and metadata."""
    if isinstance(value, torch.Tensor):
        meta = (value.shape, value.stride(), value.dtype, value.device, value.requires_grad,
                value._version)
        if value.device.type == "meta" or value.layout != torch.strided:
            return ("tensor", meta, None)
        bits = value.detach().cpu().contiguous().reshape(-1).view(torch.uint8).clone()
        return ("tensor", meta, bits)
    if isinstance(value, np.ndarray):
        return ("array", value.copy())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_snapshot(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: _snapshot(v) for k, v in value.items()})
    return ("other", copy.deepcopy(value))


def _same(before: Any, value: Any) -> bool:
    kind = before[0]
    if kind == "tensor":
        now = _snapshot(value)
        return before[1] == now[1] and (before[2] is None or torch.equal(before[2], now[2]))
    if kind == "array":
        return before[1].dtype == value.dtype and np.array_equal(before[1], value, equal_nan=True)
    if kind in ("list", "tuple"):
        return len(before[1]) == len(value) and all(_same(b, v) for b, v in zip(before[1], value))
    if kind == "dict":
        return before[1].keys() == value.keys() and all(
            _same(before[1][k], value[k]) for k in value)
    return before[1] == value or (before[1] != before[1] and value != value)  # NaN == NaN


# ---- the matrix of bad calls ----------------------------------------------------------


@dataclass
class Bad:
    id: str
    fn: Callable[..., Any]
    make: Callable[[], tuple]  # -> (args, kwargs), fresh every time
    exc: type
    name: str  # the argument the message must name
    marks: tuple = ()


def A(*args, **kwargs):
    return lambda: (args, kwargs)


def lazy(factory):
    """Arguments built when the case runs: fresh tensors for every case."""
    return factory


BM = ops.block_mask
BM_ = ops.block_mask_
CC = ops.confusion_counts
AU = ops.auroc
AA = ops.auroc_auprc
MM = utils.multilabel_metrics
ARM = utils.apply_random_mask

BAD = [
    # -- block_mask / block_mask_: x
    Bad("bm-x-2d", BM, lazy(lambda: ((x_float()[0], seed(), 0.5, 4), {})), ValueError, "x"),
    Bad("bm-x-4d", BM, lazy(lambda: ((x_float()[None], seed(), 0.5, 4), {})), ValueError, "x"),
    Bad("bm-x-list", BM, lazy(lambda: ((x_float().tolist(), seed(), 0.5, 4), {})), TypeError, "x"),
    Bad("bm-x-complex", BM, lazy(lambda: ((x_float().to(torch.complex64), seed(), 0.5, 4), {})),
        TypeError, "x"),
    Bad("bm-x-sparse", BM, lazy(lambda: ((torch.zeros(2, 3, 4).to_sparse(), seed(), 0.5, 2), {})),
        TypeError, "x"),
    # T >= 2^32 cannot be masked (the stream's start formula needs T < 2^32);
    # an expanded view has that T without the memory.
    Bad("bm-x-T-2^32", BM,
        lazy(lambda: ((torch.ones(1, 1, 1, dtype=torch.int8).expand(1, 1, 2**32), seed(), 0.5,
                       2**40), {})), ValueError, "x"),
    Bad("bm_-x-requires-grad", BM_,
        lazy(lambda: ((x_float().requires_grad_(), seed(), 0.5, 4), {})), ValueError, "x"),
    Bad("bm_-x-2d", BM_, lazy(lambda: ((x_float()[0], seed(), 0.5, 4), {})), ValueError, "x"),
    # seed: wrong dtype, size, type, range, device
    Bad("bm-seed-float-tensor", BM, lazy(lambda: ((x_float(), torch.tensor([1.0]), 0.5, 4), {})),
        TypeError, "seed"),
    Bad("bm-seed-int32", BM,
        lazy(lambda: ((x_float(), torch.tensor([1], dtype=torch.int32), 0.5, 4), {})),
        TypeError, "seed"),
    Bad("bm-seed-uint64", BM,
        lazy(lambda: ((x_float(), torch.tensor([1], dtype=torch.uint64), 0.5, 4), {})),
        TypeError, "seed"),
    Bad("bm-seed-two", BM, lazy(lambda: ((x_float(), torch.tensor([1, 2]), 0.5, 4), {})),
        ValueError, "seed"),
    Bad("bm-seed-empty", BM,
        lazy(lambda: ((x_float(), torch.zeros(0, dtype=torch.int64), 0.5, 4), {})),
        ValueError, "seed"),
    Bad("bm_-seed-two", BM_, lazy(lambda: ((x_float(), torch.tensor([[1], [2]]), 0.5, 4), {})),
        ValueError, "seed"),
    Bad("bm-seed-py-float", BM, lazy(lambda: ((x_float(), 1.5, 0.5, 4), {})), TypeError, "seed"),
    Bad("bm-seed-bool", BM, lazy(lambda: ((x_float(), True, 0.5, 4), {})), TypeError, "seed"),
    Bad("bm-seed-2^64", BM, lazy(lambda: ((x_float(), 2**64, 0.5, 4), {})), ValueError, "seed"),
    Bad("bm-seed-below-int64", BM, lazy(lambda: ((x_float(), -(2**63) - 1, 0.5, 4), {})),
        ValueError, "seed"),
    Bad("bm-seed-meta-device", BM,
        lazy(lambda: ((x_float(), torch.tensor([1], device="meta"), 0.5, 4), {})),
        ValueError, "seed"),
    Bad("bm-seed-cuda-x-cpu", BM,
        lazy(lambda: ((x_float(), torch.tensor([1], device="cuda"), 0.5, 4), {})),
        ValueError, "seed", (CUDA,)),
    # mask_ratio: NaN, infinities, > 1, wrong types
    Bad("bm-ratio-nan", BM, lazy(lambda: ((x_float(), seed(), math.nan, 4), {})), ValueError,
        "mask_ratio"),
    Bad("bm-ratio-inf", BM, lazy(lambda: ((x_float(), seed(), math.inf, 4), {})), ValueError,
        "mask_ratio"),
    Bad("bm_-ratio-minus-inf", BM_, lazy(lambda: ((x_float(), seed(), -math.inf, 4), {})),
        ValueError, "mask_ratio"),
    Bad("bm-ratio-above-1", BM, lazy(lambda: ((x_float(), seed(), 1.0 + 2**-52, 4), {})),
        ValueError, "mask_ratio"),
    Bad("bm-ratio-huge", BM, lazy(lambda: ((x_float(), seed(), 1e308, 4), {})), ValueError,
        "mask_ratio"),
    Bad("bm-ratio-str", BM, lazy(lambda: ((x_float(), seed(), "0.5", 4), {})), TypeError,
        "mask_ratio"),
    Bad("bm-ratio-tensor", BM, lazy(lambda: ((x_float(), seed(), torch.tensor(0.5), 4), {})),
        TypeError, "mask_ratio"),
    # block_size: < 1, wrong type, past int64
    Bad("bm-bs-0", BM, lazy(lambda: ((x_float(), seed(), 0.5, 0), {})), ValueError, "block_size"),
    Bad("bm-bs-negative", BM, lazy(lambda: ((x_float(), seed(), 0.5, -(2**63)), {})), ValueError,
        "block_size"),
    Bad("bm-bs-float", BM, lazy(lambda: ((x_float(), seed(), 0.5, 4.0), {})), TypeError,
        "block_size"),
    Bad("bm-bs-2^63", BM, lazy(lambda: ((x_float(), seed(), 0.5, 2**63), {})), ValueError,
        "block_size"),
    Bad("bm_-bs-10^30", BM_, lazy(lambda: ((x_float(), seed(), 0.5, 10**30), {})), ValueError,
        "block_size"),
    # -- confusion_counts
    # labels of any bool/integer/floating dtype are taken (docs/semantics.md 9.1);
    # other dtypes and values outside {0, 1} are refused naming y_true
    Bad("cc-ytrue-complex", CC, lazy(lambda: ((labels().to(torch.complex64), scores(), th()), {})),
        TypeError, "y_true"),
    Bad("cc-ytrue-float8", CC,
        lazy(lambda: ((labels().to(torch.float8_e4m3fn), scores(), th()), {})), TypeError,
        "y_true"),
    Bad("cc-ytrue-float-half", CC,
        lazy(lambda: ((labels().float() * 0.5, scores(), th()), {"check_values": True})),
        ValueError, "y_true"),
    Bad("cc-ytrue-float-nan", CC,
        lazy(lambda: ((labels().double().index_fill_(0, torch.tensor([2]), math.nan), scores(),
                       th()), {"check_values": True})), ValueError, "y_true"),
    Bad("cc-ytrue-int64-neg", CC,
        lazy(lambda: ((labels().long() - 1, scores(), th()), {"check_values": True})),
        ValueError, "y_true"),
    Bad("cc-ytrue-1d", CC, lazy(lambda: ((labels()[:, 0], scores()[:, 0], th()), {})), ValueError,
        "y_true"),
    Bad("cc-ytrue-3d", CC, lazy(lambda: ((labels()[None], scores()[None], th()), {})), ValueError,
        "y_true"),
    Bad("cc-yprob-int", CC, lazy(lambda: ((labels(), scores().int(), th()), {})), TypeError,
        "y_prob"),
    Bad("cc-yprob-bool", CC, lazy(lambda: ((labels(), scores() > 0.5, th()), {})), TypeError,
        "y_prob"),
    Bad("cc-shapes-differ", CC, lazy(lambda: ((labels(), scores()[:11], th()), {})), ValueError,
        "y_prob"),
    Bad("cc-shapes-transposed", CC, lazy(lambda: ((labels(4, 3), scores(4, 3).t(), th()), {})),
        ValueError, "y_prob"),
    Bad("cc-yprob-meta", CC, lazy(lambda: ((labels(), scores().to("meta"), th()), {})),
        ValueError, "y_prob"),
    Bad("cc-yprob-cuda", CC, lazy(lambda: ((labels(), scores().cuda(), th()), {})), ValueError,
        "y_prob", (CUDA,)),
    Bad("cc-th-float32", CC, lazy(lambda: ((labels(), scores(), th().float()), {})), TypeError,
        "thresholds"),
    Bad("cc-th-2d", CC, lazy(lambda: ((labels(), scores(), th()[None]), {})), ValueError,
        "thresholds"),
    Bad("cc-th-str", CC, lazy(lambda: ((labels(), scores(), "0.5"), {})), TypeError,
        "thresholds"),
    Bad("cc-th-scalar", CC, lazy(lambda: ((labels(), scores(), 0.5), {})), TypeError,
        "thresholds"),
    Bad("cc-th-meta", CC, lazy(lambda: ((labels(), scores(), th().to("meta")), {})), ValueError,
        "thresholds"),
    Bad("cc-th-nan", CC,
        lazy(lambda: ((labels(), scores(), torch.tensor([0.5, math.nan], dtype=torch.float64)),
                      {"check_values": True})), ValueError, "thresholds"),
    Bad("cc-label-2", CC, lazy(lambda: ((labels() * 2, scores(), th()), {"check_values": True})),
        ValueError, "y_true"),
    Bad("cc-label-255", CC,
        lazy(lambda: ((labels().index_fill_(0, torch.tensor([5]), 255), scores(), th()),
                      {"check_values": True})), ValueError, "y_true"),
    Bad("cc-yprob-nan", CC,
        lazy(lambda: ((labels(), scores().index_fill_(1, torch.tensor([2]), math.nan), th()),
                      {"check_values": True})), ValueError, "y_prob"),
    # -- auroc
    Bad("au-ytrue-complex", AU, lazy(lambda: ((labels().to(torch.complex128), scores()), {})),
        TypeError, "y_true"),
    Bad("aa-ytrue-complex", AA, lazy(lambda: ((labels().to(torch.complex64), scores()), {})),
        TypeError, "y_true"),
    Bad("aa-ytrue-float-0.5", AA,
        lazy(lambda: ((labels().float() * 0.5, scores()), {"check_values": True})), ValueError,
        "y_true"),
    Bad("aa-yprob-int", AA, lazy(lambda: ((labels(), scores().int()), {})), TypeError, "y_prob"),
    Bad("aa-shapes-differ", AA, lazy(lambda: ((labels(), scores(12, 4)), {})), ValueError,
        "y_prob"),
    Bad("au-ytrue-numpy", AU, lazy(lambda: ((labels().numpy(), scores()), {})), TypeError,
        "y_true"),
    Bad("au-ytrue-1d", AU, lazy(lambda: ((labels()[:, 1], scores()[:, 1]), {})), ValueError,
        "y_true"),
    Bad("au-yprob-complex", AU, lazy(lambda: ((labels(), scores().to(torch.complex64)), {})),
        TypeError, "y_prob"),
    Bad("au-yprob-float8", AU, lazy(lambda: ((labels(), scores().to(torch.float8_e4m3fn)), {})),
        TypeError, "y_prob"),
    Bad("au-shapes-differ", AU, lazy(lambda: ((labels(), scores(12, 4)), {})), ValueError,
        "y_prob"),
    Bad("au-label-2", AU, lazy(lambda: ((labels() * 2, scores()), {"check_values": True})),
        ValueError, "y_true"),
    Bad("au-yprob-nan-f16", AU,
        lazy(lambda: ((labels(), scores().half().index_fill_(0, torch.tensor([3]), math.nan)),
                      {"check_values": True})), ValueError, "y_prob"),
    Bad("au-yprob-cuda", AU, lazy(lambda: ((labels(), scores().cuda()), {})), ValueError,
        "y_prob", (CUDA,)),
    # -- set_seed: wrong type, dtype, size, range
    Bad("set_seed-float", utils.set_seed, A(1.0), TypeError, "seed"),
    Bad("set_seed-str", utils.set_seed, A("42"), TypeError, "seed"),
    Bad("set_seed-bool", utils.set_seed, A(True), TypeError, "seed"),
    Bad("set_seed-tensor", utils.set_seed, lazy(lambda: ((torch.tensor([3, 4]),), {})), TypeError,
        "seed"),
    Bad("set_seed-none", utils.set_seed, A(None), TypeError, "seed"),
    Bad("set_seed-2^64", utils.set_seed, A(2**64), ValueError, "seed"),
    Bad("set_seed-below-int64", utils.set_seed, A(-(2**63) - 1), ValueError, "seed"),
    # -- choose_device takes only `verbose`
    Bad("choose_device-kwarg", utils.choose_device, A(device="cuda"), TypeError, "device"),
    Bad("choose_device-two-args", utils.choose_device, A(False, "cuda"), TypeError,
        "positional argument"),
    # -- multilabel_metrics
    Bad("mm-shapes-differ", MM, lazy(lambda: ((labels(), scores()[:, :2]), {})), ValueError,
        "y_prob"),
    Bad("mm-3d", MM, lazy(lambda: ((labels()[None], scores()[None]), {})), ValueError, "y_true"),
    Bad("mm-label-2", MM, lazy(lambda: ((labels() * 2, scores()), {})), ValueError, "y_true"),
    Bad("mm-label-minus-1", MM, lazy(lambda: ((labels().long() - 1, scores()), {})), ValueError,
        "y_true"),
    Bad("mm-label-float-half", MM, lazy(lambda: ((labels().float() / 2, scores()), {})),
        ValueError, "y_true"),
    Bad("mm-label-nan", MM, lazy(lambda: ((labels().float().index_fill_(0, torch.tensor([2]),
                                                                        math.nan), scores()), {})),
        ValueError, "y_true"),
    Bad("mm-label-2-requires-grad", MM,
        lazy(lambda: (((labels().float() * 2).requires_grad_(), scores()), {})), ValueError,
        "y_true"),
    Bad("mm-yprob-nan", MM,
        lazy(lambda: ((labels(), scores().index_fill_(0, torch.tensor([4]), math.nan)), {})),
        ValueError, "y_prob"),
    Bad("mm-yprob-inf", MM,
        lazy(lambda: ((labels(), scores().index_fill_(1, torch.tensor([0]), -math.inf)), {})),
        ValueError, "y_prob"),
    Bad("mm-yprob-inf-numpy", MM,
        lazy(lambda: ((labels().numpy(), np.where(scores().numpy() > 0.9, np.inf,
                                                  scores().numpy())), {})),
        ValueError, "y_prob"),
    Bad("mm-yprob-complex", MM, lazy(lambda: ((labels(), scores().to(torch.complex64)), {})),
        TypeError, "y_prob"),
    Bad("mm-yprob-bool", MM, lazy(lambda: ((labels(), scores() > 0.5), {})), TypeError, "y_prob"),
    Bad("mm-ragged-list", MM, A([[0, 1], [1]], [[0.1, 0.2], [0.3]]), TypeError, "y_true"),
    Bad("mm-strings", MM, A([["0", "1"]], [[0.1, 0.2]]), TypeError, "y_true"),
    Bad("mm-threshold-nan", MM, lazy(lambda: ((labels(), scores(), math.nan), {})), ValueError,
        "threshold"),
    Bad("mm-threshold-str", MM, lazy(lambda: ((labels(), scores(), "0.5"), {})), TypeError,
        "threshold"),
    Bad("mm-devices-differ-meta", MM, lazy(lambda: ((labels(), scores().to("meta")), {})),
        ValueError, "y_prob"),
    Bad("mm-devices-differ-cuda", MM, lazy(lambda: ((labels(), scores().cuda()), {})), ValueError,
        "y_prob", (CUDA,)),
    # -- apply_random_mask
    Bad("arm-x-list", ARM, lazy(lambda: ((x_float().tolist(), 0.5), {})), TypeError, "x"),
    Bad("arm-x-2d", ARM, lazy(lambda: ((x_float()[0], 0.5), {})), ValueError, "x"),
    Bad("arm-x-complex", ARM, lazy(lambda: ((x_float().to(torch.complex128), 0.5, 4), {})),
        TypeError, "x"),
    Bad("arm-ratio-nan", ARM, lazy(lambda: ((x_float(), math.nan, 4), {})), ValueError,
        "mask_ratio"),
    Bad("arm-ratio-numpy-inf", ARM, lazy(lambda: ((x_float(), np.float64(np.inf), 4), {})),
        ValueError, "mask_ratio"),
    Bad("arm-ratio-above-1", ARM, lazy(lambda: ((x_float(), 1.5, 4), {})), ValueError,
        "mask_ratio"),
    Bad("arm-ratio-none", ARM, lazy(lambda: ((x_float(), None, 4), {})), TypeError, "mask_ratio"),
    Bad("arm-bs-0", ARM, lazy(lambda: ((x_float(), 0.5, 0), {})), ValueError, "block_size"),
    Bad("arm-bs-str", ARM, lazy(lambda: ((x_float(), 0.5, "50"), {})), TypeError, "block_size"),
    Bad("arm-bs-2^63", ARM, lazy(lambda: ((x_float(), 0.5, 2**63), {})), ValueError,
        "block_size"),
    Bad("arm-bs-2^64-inplace", ARM, lazy(lambda: ((x_float(), 0.5, 2**64), {"inplace": True})),
        ValueError, "block_size"),
    Bad("arm-inplace-requires-grad", ARM,
        lazy(lambda: ((x_float().requires_grad_(), 0.5, 4), {"inplace": True})), ValueError, "x"),
    Bad("arm-inplace-expanded", ARM,
        lazy(lambda: ((x_expanded(), 0.5, 4), {"inplace": True})), ValueError, "x"),
    Bad("bm_-x-expanded", BM_, lazy(lambda: ((x_expanded(), seed(), 0.5, 4), {})), ValueError,
        "x"),
    Bad("arm-generator-str", ARM, lazy(lambda: ((x_float(), 0.5, 4), {"generator": "cpu"})),
        TypeError, "generator"),
]

# -- the masks for self-supervised pretraining (ssrl_ecg.masking, issue 10)
from ssrl_ecg import masking  # noqa: E402

SM = masking.span_mask
LM = masking.lead_mask
TM = masking.token_mask


def _grad_x():
    return x_float().requires_grad_()


BAD += [
    Bad("sm-x-2d", SM, lazy(lambda: ((x_float()[0], 0.5, 4), {})), ValueError, "x"),
    Bad("sm-x-list", SM, lazy(lambda: ((x_float().tolist(), 0.5, 4), {})), TypeError, "x"),
    Bad("sm-x-complex", SM, lazy(lambda: ((x_float().to(torch.complex64), 0.5, 4), {})),
        TypeError, "x"),
    Bad("sm-x-T-2^32", SM,
        lazy(lambda: ((torch.ones(1, 1, 1, dtype=torch.int8).expand(1, 1, 2**32), 0.5, 2**40),
                      {})), ValueError, "x"),
    Bad("sm-ratio-nan", SM, lazy(lambda: ((x_float(), math.nan, 4), {})), ValueError, "mask_ratio"),
    Bad("sm-ratio-above-1", SM, lazy(lambda: ((x_float(), 1.5, 4), {})), ValueError, "mask_ratio"),
    Bad("sm-ratio-str", SM, lazy(lambda: ((x_float(), "0.5", 4), {})), TypeError, "mask_ratio"),
    Bad("sm-span-0", SM, lazy(lambda: ((x_float(), 0.5, 0), {})), ValueError, "span"),
    Bad("sm-span-float", SM, lazy(lambda: ((x_float(), 0.5, 4.0), {})), TypeError, "span"),
    Bad("sm-per_lead-int", SM, lazy(lambda: ((x_float(), 0.5, 4), {"per_lead": 1})), TypeError,
        "per_lead"),
    Bad("sm-exact-str", SM, lazy(lambda: ((x_float(), 0.5, 4), {"exact": "yes"})), TypeError,
        "exact"),
    Bad("sm-inplace-none", SM, lazy(lambda: ((x_float(), 0.5, 4), {"inplace": None})), TypeError,
        "inplace"),
    Bad("sm-fill-shape", SM, lazy(lambda: ((x_float(), 0.5, 4), {"fill": torch.zeros(4)})),
        ValueError, "fill"),
    Bad("sm-fill-2d", SM, lazy(lambda: ((x_float(), 0.5, 4), {"fill": torch.zeros(1, 3)})),
        ValueError, "fill"),
    Bad("sm-fill-list", SM, lazy(lambda: ((x_float(), 0.5, 4), {"fill": [0.0, 1.0, 2.0]})),
        TypeError, "fill"),
    Bad("sm-fill-complex", SM,
        lazy(lambda: ((x_float(), 0.5, 4), {"fill": torch.zeros(3, dtype=torch.complex64)})),
        TypeError, "fill"),
    Bad("sm-fill-device", SM,
        lazy(lambda: ((x_float(), 0.5, 4), {"fill": torch.zeros(3, device="meta")})),
        ValueError, "fill"),
    Bad("sm-generator-int", SM, lazy(lambda: ((x_float(), 0.5, 4), {"generator": 3})), TypeError,
        "generator"),
    Bad("sm-inplace-requires-grad", SM, lazy(lambda: ((_grad_x(), 0.5, 4), {"inplace": True})),
        ValueError, "x"),
    Bad("sm-inplace-expanded", SM, lazy(lambda: ((x_expanded(), 0.5, 4), {"inplace": True})),
        ValueError, "x"),
    Bad("lm-inplace-expanded", LM, lazy(lambda: ((x_expanded(), 0.5), {"inplace": True})),
        ValueError, "x"),
    Bad("lm-x-2d", LM, lazy(lambda: ((x_float()[0], 0.5), {})), ValueError, "x"),
    Bad("lm-x-complex", LM, lazy(lambda: ((x_float().to(torch.complex64), 0.5), {})), TypeError,
        "x"),
    Bad("lm-p-negative", LM, lazy(lambda: ((x_float(), -0.1), {})), ValueError, "p"),
    Bad("lm-p-above-1", LM, lazy(lambda: ((x_float(), 1.01), {})), ValueError, "p"),
    Bad("lm-p-nan", LM, lazy(lambda: ((x_float(), math.nan), {})), ValueError, "p"),
    Bad("lm-p-str", LM, lazy(lambda: ((x_float(), "0.5"), {})), TypeError, "p"),
    Bad("lm-exact-int", LM, lazy(lambda: ((x_float(), 0.5), {"exact": 1})), TypeError, "exact"),
    Bad("lm-inplace-requires-grad", LM, lazy(lambda: ((_grad_x(), 0.5), {"inplace": True})),
        ValueError, "x"),
    Bad("tm-shape-1d", TM, A((8,), 0.5), ValueError, "shape"),
    Bad("tm-shape-4d", TM, A((2, 3, 4, 5), 0.5), ValueError, "shape"),
    Bad("tm-shape-int", TM, A(8, 0.5), TypeError, "shape"),
    Bad("tm-shape-str", TM, A("ab", 0.5), TypeError, "shape"),
    Bad("tm-shape-negative", TM, A((2, -1), 0.5), ValueError, "shape"),
    Bad("tm-shape-float", TM, A((2, 3.0), 0.5), TypeError, "shape"),
    Bad("tm-shape-L-2^32", TM, A((1, 2**32), 0.5), ValueError, "shape"),
    Bad("tm-shape-2^72-ids", TM, A((2**40, 2**30, 4), 0.5), ValueError, "shape"),
    Bad("tm-shape-2^65-bytes", TM, A((2**31, 1, 2**31), 0.5), ValueError, "shape"),
    Bad("tm-ratio-above-1", TM, A((2, 8), 1.5), ValueError, "mask_ratio"),
    Bad("tm-ratio-negative", TM, A((2, 8), -0.5), ValueError, "mask_ratio"),
    Bad("tm-ratio-nan", TM, A((2, 8), math.nan), ValueError, "mask_ratio"),
    Bad("tm-device-list", TM, A((2, 8), 0.5, device=[1]), TypeError, "device"),
    Bad("tm-generator-str", TM, A((2, 8), 0.5, generator="g"), TypeError, "generator"),
]


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=c.marks) for c in BAD])
def test_bad_input_raises_naming_the_argument(case: Bad):
    args, kwargs = case.make()
    before = _snapshot((args, kwargs))
    with pytest.raises((ValueError, TypeError)) as info:
        case.fn(*args, **kwargs)
    assert isinstance(info.value, case.exc), (
        f"expected {case.exc.__name__}, got {type(info.value).__name__}: {info.value}")
    assert case.name in str(info.value), f"message does not name {case.name!r}: {info.value}"
    assert _same(before, (args, kwargs)), "an input changed"


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=c.marks) for c in BAD
             if c.fn in (ARM, SM, LM, TM) and c.name != "generator"])
def test_a_refused_call_draws_nothing(case: Bad):
    """Every check comes before the seed draw: a refused call leaves the
    caller's generator where it was (a retry draws what the first call would have)."""
    args, kwargs = case.make()
    g = torch.Generator().manual_seed(11)
    state = g.get_state()
    with pytest.raises(case.exc):
        case.fn(*args, **{**kwargs, "generator": g})
    assert torch.equal(g.get_state(), state), "the refused call advanced the generator"


def test_the_matrix_is_wide():
    fns = {c.fn for c in BAD}
    assert len(BAD) >= 30
    assert fns >= {BM, BM_, CC, AU, AA, MM, ARM, utils.set_seed, utils.choose_device}


# ---- edge cases that are valid: they must work ----------------------------------------


def _transposed_pair(n=12, c=3):
    """[N, C] labels and scores as non-contiguous views (transposes of [C, N])."""
    y, p = labels(n, c), scores(n, c)
    return y.t().contiguous().t(), p.t().contiguous().t(), y, p


@pytest.mark.parametrize("shape", [(0, 3, 40), (2, 0, 40), (2, 3, 0), (0, 0, 0)])
def test_block_mask_empty_tensors_work(shape):
    x = torch.ones(shape)
    out, mask = ops.block_mask(x, seed(), 0.5, 4)
    assert out.shape == shape and mask.shape == (shape[0], shape[2]) and mask.dtype == torch.bool
    assert ops.block_mask_(x, seed(), 0.5, 4).shape == (shape[0], shape[2])
    assert ARM(x, 0.5, 4).shape == shape


def test_block_mask_non_contiguous_works_and_leaves_x():
    base = x_float()
    x = base.transpose(1, 2).contiguous().transpose(1, 2)  # same values, other strides
    assert not x.is_contiguous()
    before = x.clone()
    out, mask = ops.block_mask(x, seed(), 0.3, 5)
    want_out, want_mask = ops.block_mask(base, seed(), 0.3, 5)
    assert torch.equal(out, want_out) and torch.equal(mask, want_mask)
    assert torch.equal(x, before)
    mask_ = ops.block_mask_(x, seed(), 0.3, 5)  # in place on strided x
    assert torch.equal(mask_, want_mask) and torch.equal(x, want_out)


@pytest.mark.parametrize("block_size", [40, 41, 10**6, 2**62, 2**63 - 1])
def test_huge_block_sizes_that_fit_mask_the_whole_sample(block_size):
    x = x_float()
    out, mask = ops.block_mask(x, seed(), 0.5, block_size)
    assert bool(mask.all()) and not bool(out.any())
    assert torch.equal(ARM(x, 0.5, block_size), torch.zeros_like(x))


def test_ratio_not_positive_returns_x_itself():
    x = x_float()
    assert ARM(x, 0.0) is x and ARM(x, -1.0) is x and ARM(x, -0.0) is x


@pytest.mark.parametrize("n, c, k", [(0, 3, 2), (5, 0, 2), (5, 3, 0), (0, 0, 0)])
def test_scores_empty_tensors_work(n, c, k):
    y, p = labels(max(n, 2), max(c, 1))[:n, :c], scores(max(n, 2), max(c, 1))[:n, :c]
    counts = CC(y, p, torch.linspace(0, 1, k, dtype=torch.float64))
    assert counts.shape == (c, k, 4) and bool((counts == 0).all())
    a = AU(y, p)
    assert a.shape == (c,) and (n > 0 or bool(torch.isnan(a).all()))


def test_scores_non_contiguous_infinite_bool_and_requires_grad_work():
    y_nc, p_nc, y, p = _transposed_pair()
    assert not y_nc.is_contiguous() and not p_nc.is_contiguous()
    assert torch.equal(CC(y_nc, p_nc, th()), CC(y, p, th()))
    assert torch.equal(AU(y_nc, p_nc), AU(y, p))
    p_inf = p.clone()
    p_inf[0, 0], p_inf[1, 1] = math.inf, -math.inf  # infinities are valid scores for the ops
    assert CC(y, p_inf, [0.5], check_values=True).shape == (3, 1, 4)
    assert torch.equal(AU(y.bool(), p), AU(y, p))
    assert torch.equal(AU(y, p.clone().requires_grad_()), AU(y, p))
    assert torch.equal(CC(y, p.clone().requires_grad_(), th()), CC(y, p, th()))


def test_multilabel_metrics_valid_edge_cases_work():
    y_nc, p_nc, y, p = _transposed_pair()
    want = MM(y, p)
    assert MM(y_nc, p_nc) == want
    assert MM(y.float().requires_grad_(), p) == want  # labels that require grad
    assert MM(y.numpy().astype(np.float64), p.numpy()) == pytest.approx(want)
    empty = MM(y[:0], p[:0])
    assert set(empty) == set(want) and math.isnan(empty["auroc_macro"])
    assert MM(y[:, :0], p[:, :0])["f1_macro"] == 0.0


def test_set_seed_and_choose_device_accept_their_arguments():
    utils.set_seed(0)
    utils.set_seed(2**63 - 1)
    utils.set_seed(np.int64(7))
    assert utils.choose_device(False).type in ("cpu", "cuda")


def test_inplace_takes_an_empty_expanded_x():
    """An empty x has no elements to share: expanded, it is masked in place
    (nothing to write), as torch's own in-place ops take it."""
    from ssrl_ecg import masking
    x = torch.rand(0, 1, 40).expand(0, 3, 40)
    assert ARM(x, 0.5, 4, inplace=True) is x
    out, mask = masking.span_mask(x, 0.5, 4, inplace=True)
    assert out is x and mask.shape == (0, 40)
    out, dropped = masking.lead_mask(x, 0.5, inplace=True)
    assert out is x and dropped.shape == (0, 3)
