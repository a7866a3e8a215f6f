"""span_mask, lead_mask and token_mask against hand-computed cases and the
independent references of masking_reference.py (bit for bit), exact counts,
chi-square uniformity, awkward sizes, gradients and in-place calls.

Run (development build):
    SSRL_ECG_OPS_LIBRARY=build/torch_bindings/_ssrl_ecg_ops.so PYTHONPATH=python \\
        python -m pytest tests/python/test_masking.py -q
"""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import pytest
import torch
from scipy.stats import chisquare

import masking_reference as ref
from ssrl_ecg import masking, ops, utils

OPS = torch.ops.ssrl_ecg


def seed_t(seed: int) -> torch.Tensor:
    return torch.tensor([seed - 2**64 if seed >= 2**63 else seed], dtype=torch.int64)


def ramp(B: int, C: int, T: int, dtype=torch.float32) -> torch.Tensor:
    return (torch.arange(B * C * T, dtype=torch.float64).reshape(B, C, T) % 97 + 1).to(dtype)


# ---- hand-computed cases (Philox's known answer: seed 0, row 0 starts with
# 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8) --------------------------------------


def test_token_mask_hand_computed():
    # L = 4, keep int(4 * 0.25) = 1: Floyd's j = 3 draws t = (0x6627e8d5 * 4) >> 32 = 1
    keep, restore, mask = OPS.token_mask(seed_t(0), 1, 1, 4, 0.75)
    assert keep.tolist() == [[[1]]]
    assert restore.tolist() == [[[1, 0, 2, 3]]]
    assert mask.tolist() == [[[1.0, 0.0, 1.0, 1.0]]]


def test_span_mask_exact_hand_computed():
    # T = 10, span 3, ratio 0.5: n = min(3, round(5 / 3)) = 2, M = 10 - 2 * 2 = 6.
    # Floyd: j = 4, t = (0x6627e8d5 * 5) >> 32 = 1; j = 5, t = (0xe169c58d * 6) >> 32 = 5.
    # v = (1, 5) -> starts (1, 5 + 2) = (1, 7): spans [1, 4) and [7, 10).
    x = ramp(1, 2, 10)
    out, mask = OPS.span_mask(x, seed_t(0), 0.5, 3, False, True, None)
    assert mask.int().tolist() == [[0, 1, 1, 1, 0, 0, 0, 1, 1, 1]]
    assert torch.equal(out, x.masked_fill(mask[:, None], 0))


def test_lead_mask_hand_computed():
    # p = 0.5: threshold 2^31; draws 0x6627e8d5 < 2^31, 0xe169c58d, 0xbc57ac4c >= 2^31
    x = ramp(1, 3, 5)
    out, dropped = OPS.lead_mask(x, seed_t(0), 0.5, False)
    assert dropped.tolist() == [[True, False, False]]
    assert torch.equal(out[0, 0], torch.zeros(5)) and torch.equal(out[0, 1:], x[0, 1:])


# ---- the references, bit for bit ---------------------------------------------------------

SPAN_CASES = [
    # B, C, T, ratio, span, per_lead, exact
    (3, 4, 100, 0.3, 7, False, True),
    (2, 3, 100, 0.3, 7, True, True),
    (2, 3, 101, 0.5, 10, True, False),
    (4, 2, 50, 0.65, 5, False, False),
    (2, 2, 7, 0.5, 9, True, True),      # T < span: the whole row
    (2, 2, 9, 0.5, 9, False, True),     # T = span
    (3, 1, 60, 1.0, 6, True, True),     # n spans fill T exactly
    (2, 5, 769, 1e-9, 50, False, True),  # ratio tiny: one span
    (2, 1, 333, 0.8, 1, True, True),    # span 1: a uniform subset of steps
]


@pytest.mark.parametrize("case", SPAN_CASES)
@pytest.mark.parametrize("with_fill", [False, True])
def test_span_mask_matches_reference(case, with_fill):
    B, C, T, ratio, span, per_lead, exact = case
    x = ramp(B, C, T)
    fill = torch.arange(C, dtype=torch.float32) - 7.5 if with_fill else None
    for seed in (0, 12345, 2**64 - 1):
        out, mask = OPS.span_mask(x, seed_t(seed), ratio, span, per_lead, exact, fill)
        want = ref.span_mask(seed, B, C, T, ratio, span, per_lead, exact)
        assert np.array_equal(mask.numpy(), want)
        fill_np = None if fill is None else fill.numpy()
        assert np.array_equal(out.numpy(), ref.apply_span(x.numpy(), want, fill_np))


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("B,C,p", [(5, 12, 0.25), (3, 1, 0.5), (4, 37, 0.9), (2, 6, 1.0),
                                   (2, 6, 0.0), (3, 5, 0.5)])
def test_lead_mask_matches_reference(exact, B, C, p):
    x = ramp(B, C, 33)
    for seed in (0, 99, 2**63 + 5):
        out, dropped = OPS.lead_mask(x, seed_t(seed), p, exact)
        want = ref.lead_dropped(seed, B, C, p, exact)
        assert np.array_equal(dropped.numpy(), want)
        assert torch.equal(out, x.masked_fill(torch.from_numpy(want)[:, :, None], 0))


@pytest.mark.parametrize("rows,L,ratio", [(7, 30, 0.75), (3, 12, 0.5), (4, 1, 0.5), (2, 1, 0.0),
                                          (3, 50, 1.0), (2, 65, 0.1), (5, 10, 0.3),
                                          (2400, 30, 0.75)])  # past 2^16 tokens: threaded
def test_token_mask_matches_reference(rows, L, ratio):
    for seed in (0, 7, 2**64 - 3):
        keep, restore, mask = OPS.token_mask(seed_t(seed), rows, 1, L, ratio)
        wk, wr, wm = ref.token_mask(seed, rows, L, ratio)
        assert np.array_equal(keep[:, 0].numpy(), wk)
        assert np.array_equal(restore[:, 0].numpy(), wr)
        assert np.array_equal(mask[:, 0].numpy(), wm)


def test_span_mask_equals_apply_random_mask():
    x = torch.randn(6, 12, 1000)
    for ratio, span in [(0.15, 50), (0.5, 7), (1.0, 1000), (0.3, 2000)]:
        g1 = torch.Generator().manual_seed(3)
        g2 = torch.Generator().manual_seed(3)
        out, mask = masking.span_mask(x, ratio, span, generator=g1)
        out2, mask2 = utils.apply_random_mask(x, ratio, span, generator=g2, return_mask=True)
        assert torch.equal(out, out2) and torch.equal(mask, mask2)
    utils.set_seed(5)
    a = masking.span_mask(x, 0.2, 40)
    utils.set_seed(5)
    b = utils.apply_random_mask(x, 0.2, 40, return_mask=True)
    assert torch.equal(a[1], b[1])


# ---- exact counts on every row ------------------------------------------------------------


@pytest.mark.parametrize("T,span,ratio", [(1000, 50, 0.15), (5000, 50, 0.65), (101, 10, 0.5),
                                          (60, 6, 1.0), (7, 9, 0.3), (1000, 1, 0.37)])
def test_span_mask_exact_counts(T, span, ratio):
    out, mask = masking.span_mask(torch.ones(8, 3, T), ratio, span, per_lead=True, exact=True)
    n = ref.span_count(T, ratio, span, True)
    want = T if T < span else n * span
    assert (mask.sum(-1) == want).all()
    assert torch.equal(out == 0, mask)


def test_lead_and_token_exact_counts():
    _, dropped = masking.lead_mask(torch.ones(64, 12, 3), 0.3, exact=True)
    assert (dropped.sum(1) == round(0.3 * 12)).all()
    keep, restore, mask = masking.token_mask((64, 12, 30), 0.75)
    assert keep.shape == (64, 12, 7) and (mask.sum(-1) == 23).all()
    assert (keep.diff(dim=-1) > 0).all()  # ascending
    # MAE's decoder: cat(visible, mask tokens) then gather with ids_restore restores order
    tokens = torch.arange(30).expand(64, 12, 30)
    visible = torch.gather(tokens, -1, keep)
    rest = torch.sort(torch.where(mask.bool(), tokens, 99), dim=-1).values[..., :23]
    restored = torch.gather(torch.cat([visible, rest], -1), -1, restore)
    assert torch.equal(restored, tokens)


# ---- chi-square uniformity (fixed seeds: deterministic) --------------------------------------


def _chi2_uniform(patterns: list[tuple], universe: list[tuple]) -> float:
    counts = {p: 0 for p in universe}
    for p in patterns:
        counts[p] += 1  # KeyError: a pattern outside the allowed placements
    return chisquare(list(counts.values())).pvalue


def test_span_exact_placements_uniform():
    T, span, n = 10, 2, 2  # ratio 0.4 -> 2 spans; M = 8: C(8, 2) = 28 placements
    g = torch.Generator().manual_seed(2024)
    _, mask = masking.span_mask(torch.ones(28 * 300, 1, T), 0.4, span, exact=True, generator=g)
    universe = []
    for v in itertools.combinations(range(T - n * (span - 1)), n):
        m = np.zeros(T, dtype=bool)
        for i, vi in enumerate(v):
            m[vi + i * (span - 1):vi + i * (span - 1) + span] = True
        universe.append(tuple(m))
    assert len(universe) == math.comb(8, 2)
    assert _chi2_uniform([tuple(r) for r in mask.numpy()], universe) > 1e-3


def test_span_overlapping_starts_uniform():
    # one span per row (ratio small): its start is uniform over T - span + 1 places
    g = torch.Generator().manual_seed(7)
    _, mask = masking.span_mask(torch.ones(17 * 400, 1, 20), 0.01, 4, generator=g)
    starts = mask.int().argmax(-1).tolist()
    assert _chi2_uniform([(s,) for s in starts], [(s,) for s in range(17)]) > 1e-3


def test_lead_exact_subsets_uniform():
    g = torch.Generator().manual_seed(11)
    _, dropped = masking.lead_mask(torch.ones(20 * 300, 6, 1), 0.5, exact=True, generator=g)
    universe = [tuple(np.isin(range(6), s)) for s in itertools.combinations(range(6), 3)]
    assert _chi2_uniform([tuple(r) for r in dropped.numpy()], universe) > 1e-3


def test_lead_independent_rate():
    g = torch.Generator().manual_seed(13)
    _, dropped = masking.lead_mask(torch.ones(4000, 12, 1), 0.25, generator=g)
    k = dropped.sum(1).numpy()  # Binomial(12, 0.25) per sample
    probs = np.array([math.comb(12, i) * 0.25**i * 0.75**(12 - i) for i in range(13)])
    observed = np.bincount(k, minlength=13)
    expected = probs * len(k)
    keep = expected >= 5  # pool the sparse tail
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    assert chisquare(obs, exp).pvalue > 1e-3


def test_token_keep_sets_uniform():
    g = torch.Generator().manual_seed(17)
    keep, _, _ = masking.token_mask((300, 20, 6), 0.5, generator=g)  # C(6, 3) = 20 keep-sets
    universe = list(itertools.combinations(range(6), 3))
    assert _chi2_uniform([tuple(r) for r in keep.reshape(-1, 3).tolist()], universe) > 1e-3


# ---- awkward sizes, dtypes, in place, ratio <= 0 ----------------------------------------------


@pytest.mark.parametrize("shape", [(0, 3, 10), (2, 0, 10), (2, 3, 0), (1, 1, 1)])
def test_empty_and_tiny(shape):
    x = torch.ones(shape)
    for per_lead, exact in itertools.product([False, True], repeat=2):
        out, mask = masking.span_mask(x, 0.5, 3, per_lead=per_lead, exact=exact)
        assert out.shape == x.shape
        assert mask.shape == (shape if per_lead else (shape[0], shape[2]))
        if shape == (1, 1, 1):
            assert mask.all()
    out, dropped = masking.lead_mask(x, 0.5, exact=True)
    assert dropped.shape == shape[:2] and out.shape == shape
    keep, restore, mask = masking.token_mask((0, 5), 0.5)
    assert keep.shape == (0, 2) and restore.shape == (0, 5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64, torch.int8,
                                   torch.int64, torch.bool, torch.uint8])
def test_dtypes_and_fill(dtype):
    x = ramp(3, 4, 57).to(dtype)
    fill = torch.tensor([1, 0, 1, 1]).to(dtype)
    s = seed_t(42)
    out, mask = OPS.span_mask(x, s, 0.4, 5, True, True, fill)
    want = ref.span_mask(42, 3, 4, 57, 0.4, 5, True, True)
    assert np.array_equal(mask.numpy(), want)
    assert torch.equal(out, torch.where(mask, fill[None, :, None], x))
    out, dropped = OPS.lead_mask(x, s, 0.5, True)
    assert torch.equal(out, x.masked_fill(dropped[:, :, None], 0))


def test_inplace_matches_out_of_place():
    x = torch.randn(4, 5, 300)
    strided = torch.randn(4, 300, 5).transpose(1, 2)
    fill = torch.randn(5)
    for per_lead, exact in itertools.product([False, True], repeat=2):
        for base in (x, strided):
            a, b = base.clone(), base.clone()
            out, mask = OPS.span_mask(a, seed_t(9), 0.3, 20, per_lead, exact, fill)
            mask_ = OPS.span_mask_(b, seed_t(9), 0.3, 20, per_lead, exact, fill)
            assert torch.equal(mask, mask_) and torch.equal(out, b)
    a = x.clone()
    got, dropped = masking.lead_mask(a, 0.5, inplace=True, generator=torch.Generator().manual_seed(1))
    assert got is a
    out, dropped2 = masking.lead_mask(x, 0.5, generator=torch.Generator().manual_seed(1))
    assert torch.equal(dropped, dropped2) and torch.equal(out, a)
    b = x.clone()
    got, mask = masking.span_mask(b, 0.3, 20, exact=True, inplace=True,
                                  generator=torch.Generator().manual_seed(2))
    assert got is b and torch.equal(b, x.masked_fill(mask[:, None], 0))


def test_ratio_zero_returns_x():
    x = torch.randn(2, 3, 40)
    out, mask = masking.span_mask(x, 0.0, 5, per_lead=True)
    assert out is x and mask.shape == (2, 3, 40) and not mask.any()
    out, mask = masking.span_mask(x, -1.0, 5)
    assert out is x and mask.shape == (2, 40) and not mask.any()


# ---- gradients -----------------------------------------------------------------------------------


@pytest.mark.parametrize("per_lead", [False, True])
def test_span_mask_gradients(per_lead):
    x = torch.randn(3, 4, 80, dtype=torch.float64, requires_grad=True)
    fill = torch.randn(4, dtype=torch.float32, requires_grad=True)  # cast to x's dtype
    g = torch.Generator().manual_seed(4)
    out, mask = masking.span_mask(x, 0.4, 8, per_lead=per_lead, exact=True, fill=fill, generator=g)
    w = torch.randn(3, 4, 80, dtype=torch.float64)
    (out * w).sum().backward()
    m = mask if per_lead else mask[:, None].expand(3, 4, 80)
    assert torch.equal(x.grad, torch.where(m, 0.0, w))
    want_fill = torch.where(m, w, 0.0).sum((0, 2)).float()
    torch.testing.assert_close(fill.grad, want_fill)
    torch.autograd.gradcheck(
        lambda a, f: OPS.span_mask(a, seed_t(3), 0.4, 8, per_lead, False, f)[0],
        (torch.randn(2, 3, 30, dtype=torch.float64, requires_grad=True),
         torch.randn(3, dtype=torch.float64, requires_grad=True)))


def test_lead_mask_gradients():
    x = torch.randn(3, 6, 20, dtype=torch.float64, requires_grad=True)
    out, dropped = masking.lead_mask(x, 0.5, exact=True)
    out.sum().backward()
    assert torch.equal(x.grad, (~dropped)[:, :, None].double().expand(3, 6, 20))
    torch.autograd.gradcheck(lambda a: OPS.lead_mask(a, seed_t(3), 0.4, False)[0],
                             (torch.randn(2, 5, 7, dtype=torch.float64, requires_grad=True),))


def _masks(x, fill=None):
    """Every differentiable mask wrapper on x with one seed each: name -> (out, mask)."""
    def gen():
        return torch.Generator().manual_seed(11)
    return {
        "span_mask": masking.span_mask(x, 0.4, 8, exact=True, fill=fill, generator=gen()),
        "span_mask per lead": masking.span_mask(x, 0.4, 8, per_lead=True, fill=fill, generator=gen()),
        "lead_mask": masking.lead_mask(x, 0.5, generator=gen()),
        "apply_random_mask": utils.apply_random_mask(x, 0.4, 8, generator=gen(), return_mask=True),
        "ops.block_mask": ops.block_mask(x, seed_t(11), 0.4, 8),
    }


def test_a_call_that_needs_no_graph_records_none_and_masks_alike():
    # Without an input that requires grad (or with grad mode off) the wrappers
    # skip the Python autograd kernel (ops._call_op); what they return must be
    # what the op returns through it: the same bits, no grad_fn.
    x = torch.randn(3, 4, 80, dtype=torch.float64)
    fill = torch.randn(4, dtype=torch.float64)
    plain = _masks(x, fill)
    with torch.no_grad():
        xg = x.clone().requires_grad_()
        no_grad = _masks(xg, fill.clone().requires_grad_())
    want = {  # the ops called through the autograd dispatch, the same seeds
        "span_mask": OPS.span_mask(x, utils.draw_seed(x.device, torch.Generator().manual_seed(11)),
                                   0.4, 8, False, True, fill),
        "lead_mask": OPS.lead_mask(x, utils.draw_seed(x.device, torch.Generator().manual_seed(11)),
                                   0.5, False),
    }
    for name in plain:
        for got in (plain[name], no_grad[name]):
            assert got[0].grad_fn is None and not got[0].requires_grad, name
            assert torch.equal(got[0], plain[name][0]) and torch.equal(got[1], plain[name][1]), name
        if name in want:
            assert torch.equal(plain[name][0], want[name][0]), name
            assert torch.equal(plain[name][1], want[name][1]), name


def test_a_fill_or_x_that_requires_grad_records_the_graph():
    x = torch.randn(2, 3, 40, dtype=torch.float64)
    fill = torch.randn(3, dtype=torch.float64, requires_grad=True)
    out, mask = masking.span_mask(x, 0.5, 5, exact=True, fill=fill)
    assert out.grad_fn is not None
    out.sum().backward()  # only fill asked for a gradient: it still gets it
    assert torch.equal(fill.grad, torch.full((3,), float(mask.sum()), dtype=torch.float64))
    xg = x.clone().requires_grad_()
    for name, (out, _) in _masks(xg).items():
        assert out.grad_fn is not None and out.requires_grad, name


def test_gradients_reach_x_through_vmap_and_functionalize():
    # Inside a functorch transform x's wrapper says requires_grad False while
    # the tensor beneath requires grad: the call must still record the graph
    # (an independent review found the below-autograd path dropping it).
    xs = torch.randn(2, 3, 2, 40, dtype=torch.float64, requires_grad=True)
    cases = {
        "ops.block_mask": lambda a: ops.block_mask(a, 7, 0.5, 4)[0],
        "span_mask": lambda a: masking.span_mask(a, 0.5, 4, exact=True,
                                                 generator=torch.Generator().manual_seed(3))[0],
        "lead_mask": lambda a: masking.lead_mask(a, 0.5, generator=torch.Generator().manual_seed(3))[0],
    }
    for name, f in cases.items():
        xs.grad = None
        torch.func.vmap(f, randomness="same")(xs).sum().backward()
        x0 = xs[0].detach().requires_grad_()  # the same seed: the same mask per batch entry
        f(x0).sum().backward()
        for b in range(xs.shape[0]):
            assert torch.equal(xs.grad[b], x0.grad), name
        x1 = xs[0].detach().requires_grad_()
        out = torch.func.functionalize(f)(x1)
        assert out.requires_grad, name
        out.sum().backward()
        assert torch.equal(x1.grad, x0.grad), name


# ---- graphs: opcheck, torch.compile, TorchScript modules ---------------------------------------


def opcheck_cases():
    x = torch.randn(3, 4, 64)
    fill = torch.randn(4)
    yield OPS.span_mask.default, (x, seed_t(1), 0.3, 8, False, False, None)
    yield OPS.span_mask.default, (x, seed_t(1), 0.3, 8, True, True, fill)
    yield OPS.span_mask_.default, (x.clone(), seed_t(1), 0.3, 8, True, False, fill)
    yield OPS.lead_mask.default, (x, seed_t(2), 0.5, True)
    yield OPS.lead_mask_.default, (x.clone(), seed_t(2), 0.5, False)
    yield OPS.token_mask.default, (seed_t(3), 4, 12, 30, 0.75)


@pytest.mark.parametrize("i", range(6))
def test_opcheck(i):
    op, args = list(opcheck_cases())[i]
    torch.library.opcheck(op, args)


def test_torch_compile_fullgraph():
    def step(x, fill):
        out, mask = masking.span_mask(x, 0.3, 10, per_lead=True, exact=True, fill=fill)
        dropped_out, dropped = masking.lead_mask(out, 0.25)
        keep, restore, tmask = masking.token_mask((x.shape[0], 12, 30), 0.75)
        return dropped_out, mask, dropped, keep, restore, tmask

    compiled = torch.compile(step, fullgraph=True)
    x = torch.randn(4, 12, 200)
    fill = torch.randn(12)
    utils.set_seed(0)
    got = compiled(x, fill)
    utils.set_seed(0)
    want = step(x, fill)
    for a, b in zip(got, want):
        assert torch.equal(a, b)


def test_torch_compile_fullgraph_with_a_changing_ratio():
    """A ratio schedule under torch.compile(fullgraph=True): once the ratio
    changes, Dynamo traces it as a SymFloat, and the checks must stay in the
    graph for every valid value, down to 0 and below (nothing masked)."""
    x = torch.randn(3, 4, 120)
    for name, call in [
        ("span_mask", lambda x, r: masking.span_mask(x, r, 10)),
        ("apply_random_mask", lambda x, r: utils.apply_random_mask(x, r, 10, return_mask=True)),
        ("token_mask", lambda x, r: masking.token_mask((3, 4, 10), r)),
    ]:
        torch._dynamo.reset()
        compiled = torch.compile(call, fullgraph=True)
        ratios = (0.5, 0.4, 0.0, 1.0) if name == "token_mask" else (0.5, 0.4, 0.0, -0.5, 1.0)
        for r in ratios:
            utils.set_seed(7)
            got = compiled(x, r)
            utils.set_seed(7)
            want = call(x, r)
            for a, b in zip(got, want):
                assert torch.equal(a, b), (name, r)
            if r <= 0 and name != "token_mask":
                assert torch.equal(got[0], x) and not got[1].any(), (name, r)


def test_nn_modules_scripted():
    from ssrl_ecg.nn import LeadMask, SpanMask, TokenMask

    x = torch.randn(2, 12, 300)
    tokens = torch.randn(2, 12, 30, 8)
    for module in (SpanMask(0.3, 20, per_lead=True, exact=True, num_channels=12),
                   LeadMask(0.25, exact=True), TokenMask(0.75)):
        scripted = torch.jit.script(module)
        inp = tokens if isinstance(module, TokenMask) else x
        utils.set_seed(1)
        a = scripted(inp)
        utils.set_seed(1)
        b = module(inp)
        for u, v in zip(a, b):
            assert torch.equal(u, v)
    buf = io.BytesIO()  # saved and loaded back, the learned fill included
    torch.jit.save(torch.jit.script(SpanMask(0.3, 20, exact=True, num_channels=12)), buf)
    buf.seek(0)
    loaded = torch.jit.load(buf)
    out, mask = loaded(x)
    assert torch.equal(out, torch.where(mask[:, None], loaded.fill[None, :, None], x))
    kept, mask, restore = TokenMask(0.75)(tokens)
    assert kept.shape == (2, 12, 7, 8) and mask.shape == (2, 12, 30)
    assert torch.equal(kept, torch.gather(tokens, 2, torch.sort(
        torch.argsort(restore, -1)[..., :7], -1).values[..., None].expand(-1, -1, -1, 8)))


def test_nn_modules_refuse_a_wrong_input_by_name():
    # as the functions do: a ValueError naming x, not the op's RuntimeError (a C++
    # path) or, for TokenMask, gather's "Index tensor must have the same number
    # of dimensions"; scripted modules raise the same message
    from ssrl_ecg.nn import LeadMask, SpanMask, TokenMask

    cases = [(SpanMask(0.3, 5), torch.randn(3, 10), "x must be 3-D"),
             (SpanMask(0.0, 5, per_lead=True), torch.randn(3, 10), "x must be 3-D"),
             (LeadMask(0.3), torch.randn(3, 4, 5, 6), "x must be 3-D"),
             (SpanMask(0.3, 5, num_channels=4), torch.randn(2, 3, 40), "fill 4 \\(num_channels\\)"),
             (TokenMask(0.5), torch.randn(3, 10), "x must be tokens"),
             (TokenMask(0.5), torch.randn(1, 2, 3, 4, 5), "x must be tokens")]
    for module, x, message in cases:
        with pytest.raises(ValueError, match=message):
            module(x)
        with pytest.raises(torch.jit.Error, match=message):
            torch.jit.script(module)(x)


def test_messages_name_the_type_and_the_masks():
    x = torch.randn(2, 3, 40)
    with pytest.raises(TypeError, match="exact must be a bool, got numpy.bool"):
        masking.span_mask(x, 0.5, 5, exact=np.bool_(True))
    with pytest.raises(TypeError, match="x has dtype torch.complex64; the masks take"):
        masking.lead_mask(x.to(torch.complex64), 0.5)


@pytest.mark.parametrize("shape", [(0, 3, 5), (2, 0, 5), (2, 3, 0), (1, 1, 1), (3, 1, 7), (1, 4, 1)])
def test_outputs_are_new_contiguous_tensors_with_torch_strides(shape):
    # the CPU kernels allocate through aoti_torch_empty_strided with strides of
    # their own (torch_bindings/alloc.h): they must be torch's contiguous ones,
    # size-0 and size-1 dims included, and never share x's memory
    B, C, T = shape
    x = torch.ones(shape)
    seed = seed_t(3)
    b, f, i64, f32 = torch.bool, torch.float32, torch.int64, torch.float32
    outs = [(t, dtype) for t, dtype in zip(
        [*OPS.span_mask(x, seed, 0.5, 2, True, True, None),
         *OPS.span_mask(x, seed, 0.5, 2, False, False, None),
         *OPS.lead_mask(x, seed, 0.5, True), *OPS.block_mask(x, seed, 0.5, 2)],
        [f, b, f, b, f, b, f, b])]
    outs += [(OPS.span_mask_(x.clone(), seed, 0.5, 2, True, False, None), b),
             (OPS.lead_mask_(x.clone(), seed, 0.5, False), b)]
    outs += list(zip(OPS.token_mask(seed, B, C, T, 0.5), [i64, i64, f32]))
    for t, dtype in outs:
        assert t.is_contiguous() and t.stride() == torch.empty(t.shape).stride()
        assert t.dtype == dtype and t.device == x.device
        assert t.numel() == 0 or t.data_ptr() != x.data_ptr()
    y = torch.rand(5, 3)
    labels = (y > 0.5).long()
    for t in (OPS.auroc(labels, y), *OPS.auroc_auprc(labels, y)):
        assert t.shape == (3,) and t.dtype == torch.float64 and t.stride() == (1,)
    counts = OPS.confusion_counts(labels, y, torch.tensor([0.5], dtype=torch.float64))
    assert counts.shape == (3, 1, 4) and counts.stride() == (4, 4, 1)


def test_a_strided_x_is_masked_as_its_contiguous_copy():
    x = ramp(3, 4, 40).transpose(0, 1).contiguous().transpose(0, 1)  # not contiguous
    assert not x.is_contiguous()
    for call in (lambda t: OPS.span_mask(t, seed_t(9), 0.4, 5, True, True, None),
                 lambda t: OPS.lead_mask(t, seed_t(9), 0.5, False),
                 lambda t: OPS.block_mask(t, seed_t(9), 0.4, 5)):
        for a, b in zip(call(x), call(x.contiguous())):
            assert torch.equal(a, b)


# ---- the common call's one-expression check (ops._plain_call) ------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.int16, torch.bool])
@pytest.mark.parametrize("grad", [False, True])
def test_the_common_call_masks_as_the_general_checks_do(dtype, grad):
    """A float ratio, an int span and a plain tensor take the one-expression
    check; numpy scalars (float and int subclasses) and a Parameter take the
    general checks. Both must give the same bits, gradients and generator state."""
    grad = grad and dtype.is_floating_point
    x = ramp(3, 4, 90, dtype)

    def run(fn, x_in, *args, **kw):
        if type(x_in) is torch.Tensor:
            x_in = x_in.detach().clone().requires_grad_(grad)
        g = torch.Generator().manual_seed(17)
        out, mask = fn(x_in, *args, generator=g, **kw)
        dx = torch.autograd.grad(out.sum(), x_in)[0] if grad else None
        return out.detach(), mask, dx, g.get_state()

    def same(a, b):
        for u, v in zip(a, b):
            assert (u is None and v is None) or torch.equal(u, v)

    for per_lead, exact in itertools.product([False, True], repeat=2):
        kw = dict(per_lead=per_lead, exact=exact)
        same(run(masking.span_mask, x, 0.4, 7, **kw),
             run(masking.span_mask, x, np.float64(0.4), np.int64(7), **kw))
        if grad:  # a Parameter is a Tensor subclass: the general checks
            same(run(masking.span_mask, x, 0.4, 7, **kw),
                 run(masking.span_mask, torch.nn.Parameter(x.clone()), 0.4, 7, **kw))
    for exact in (False, True):
        same(run(masking.lead_mask, x, 0.5, exact=exact),
             run(masking.lead_mask, x, np.float64(0.5), exact=exact))
    same(run(lambda *a, **k: utils.apply_random_mask(*a, return_mask=True, **k), x, 0.4, 7),
         run(lambda *a, **k: utils.apply_random_mask(*a, return_mask=True, **k), x,
             np.float64(0.4), np.int64(7)))


def test_the_common_call_skips_the_general_checks(monkeypatch):
    """What the one-expression check is for: the common call of each mask
    wrapper never reaches the general checks (ops._plain_call says why)."""
    def refused(*args):
        raise AssertionError("the general checks ran")

    monkeypatch.setattr(ops, "_check_x", refused)
    monkeypatch.setattr(ops, "_mask_ratio", refused)
    x = ramp(2, 3, 60)
    g = torch.Generator().manual_seed(3)
    masking.span_mask(x, 0.5, 10, exact=True, generator=g)
    masking.span_mask(x, 0.5, 10, per_lead=True)
    masking.lead_mask(x, 0.25, exact=True)
    utils.apply_random_mask(x, 0.5, 10)
    with pytest.raises(AssertionError, match="general checks"):  # the monkeypatch works
        masking.span_mask(x, np.float64(0.5), 10)
