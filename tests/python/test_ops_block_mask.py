"""torch.ops.ssrl_ecg.block_mask / block_mask_ against an independent Philox mask
(ops_cases.py, from docs/semantics.md section 1): the known answer, hand-computed cases,
every dtype bit for bit, strided inputs, empty shapes, determinism, autograd."""

from __future__ import annotations

import pytest
import torch

from ops_cases import (ALL_X_DTYPES, bits, expected_out, make_x, philox4x32_10, reference_mask,
                       seed_tensor)
from ssrl_ecg import ops


# ---- block mask: the stream, hand-computed cases, the reference -------------------


def test_philox_known_answer():
    # docs/semantics.md section 1 (Random123's known-answer test).
    got = philox4x32_10((0, 0, 0, 0), (0, 0))
    assert got == (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)


def test_block_mask_hand_computed():
    # seed 0, sample 0: u_0 = 0x6627e8d5, u_1 = 0xe169c58d (the known answer).
    # T = 10, block_size = 3: R = 8, start_0 = (u_0 * 8) >> 32 = 3, start_1 = 7.
    x = torch.arange(1.0, 21.0).reshape(1, 2, 10)
    # mask_ratio 0.3: 10 * 0.3 = 3.0000000000000004, // 3 -> 1 block at 3.
    out, mask = ops.block_mask(x, 0, 0.3, 3)
    assert mask[0].nonzero().flatten().tolist() == [3, 4, 5]
    # mask_ratio 0.6: 10 * 0.6 = 6.0, // 3 -> 2 blocks, at 3 and 7.
    out, mask = ops.block_mask(x, 0, 0.6, 3)
    assert mask[0].nonzero().flatten().tolist() == [3, 4, 5, 7, 8, 9]
    keep = torch.tensor([1, 1, 1, 0, 0, 0, 1, 0, 0, 0], dtype=torch.float32)
    torch.testing.assert_close(out, x * keep, rtol=0, atol=0)


@pytest.mark.parametrize("T, block_size", [(5, 8), (7, 7), (1, 1)])
def test_block_mask_block_covers_short_sample(T, block_size):
    # T <= block_size: R = 1, the one start is 0 and the block covers the sample.
    x = torch.ones(3, 2, T)
    out, mask = ops.block_mask(x, 123, 0.5, block_size)
    assert mask.all()
    assert (out == 0).all()


@pytest.mark.parametrize(
    "seed, B, T, mask_ratio, block_size",
    [
        (0, 3, 100, 0.25, 10),
        (1, 4, 769, 0.5, 50),
        (2**63 + 12345, 5, 97, 0.3, 7),  # seed bits with the sign bit set
        (0xDEADBEEFCAFEBABE, 2, 129, 1.0, 1),  # many blocks: several Philox groups
        (42, 6, 33, 0.7, 5),
        (7, 2, 100, 0.29, 1),  # 100 * 0.29 = 28.999999999999996: 28 blocks
        (9, 3, 64, 1e-9, 4),  # a tiny ratio still draws one block
    ],
)
def test_block_mask_matches_reference(seed, B, T, mask_ratio, block_size):
    x = make_x((B, 3, T), torch.float32)
    expected = reference_mask(seed, B, T, mask_ratio, block_size)
    for s in (seed, seed_tensor(seed)):
        out, mask = ops.block_mask(x, s, mask_ratio, block_size)
        assert mask.dtype == torch.bool and mask.shape == (B, T)
        assert torch.equal(mask, expected)
        assert torch.equal(bits(out), expected_out(x, expected))


@pytest.mark.parametrize("dtype", ALL_X_DTYPES, ids=str)
def test_block_mask_every_dtype(dtype):
    B, C, T, seed = 3, 4, 101, 2024
    x = make_x((B, C, T), dtype)
    x_before = x.clone()
    expected = reference_mask(seed, B, T, 0.4, 6)
    out, mask = ops.block_mask(x, seed, 0.4, 6)
    assert out.dtype == dtype and out.shape == x.shape and out.is_contiguous()
    assert torch.equal(mask, expected)
    assert torch.equal(bits(out), expected_out(x, expected))
    assert torch.equal(bits(x), bits(x_before)), "block_mask changed its input"


@pytest.mark.parametrize("dtype", ALL_X_DTYPES, ids=str)
def test_block_mask_inplace_equals_out_of_place(dtype):
    x = make_x((4, 3, 77), dtype, seed=3)
    out, mask = ops.block_mask(x, 99, 0.35, 4)
    y = x.clone()
    ptr = y.data_ptr()
    mask_ = ops.block_mask_(y, 99, 0.35, 4)
    assert y.data_ptr() == ptr
    assert torch.equal(mask_, mask)
    assert torch.equal(bits(y), bits(out))


def strided_views(base_shape=(3, 50, 4)):
    """[B, C, T] views that are not contiguous, of a [B, T, C]-ish base."""
    base = make_x(base_shape, torch.float32, seed=5)
    yield "transposed", base, lambda t: t.permute(0, 2, 1)
    wide = make_x((3, 4, 100), torch.float32, seed=6)
    yield "step", wide, lambda t: t[:, :, ::2]
    yield "channel-slice", wide, lambda t: t[:, 1:3, :]


@pytest.mark.parametrize("case", ["transposed", "step", "channel-slice"])
def test_block_mask_non_contiguous(case):
    base, view = next((b, v) for name, b, v in strided_views() if name == case)
    x = view(base)
    assert not x.is_contiguous()
    out, mask = ops.block_mask(x, 11, 0.3, 5)
    ref_out, ref_mask = ops.block_mask(x.contiguous(), 11, 0.3, 5)
    assert torch.equal(mask, ref_mask) and torch.equal(out, ref_out)
    # in place on the strided view writes through to the base
    base_copy = base.clone()
    mask_ = ops.block_mask_(view(base_copy), 11, 0.3, 5)
    assert torch.equal(mask_, ref_mask)
    assert torch.equal(view(base_copy), ref_out)
    untouched = torch.ones_like(base_copy, dtype=torch.bool)
    view(untouched).fill_(False)
    assert torch.equal(base_copy[untouched], base[untouched])


@pytest.mark.parametrize("mask_ratio", [0.0, -0.0, -0.5, -1e300])
def test_block_mask_ratio_not_positive(mask_ratio):
    x = make_x((2, 3, 40), torch.float32)
    out, mask = ops.block_mask(x, 1, mask_ratio, 5)
    assert not mask.any() and mask.shape == (2, 40)
    assert torch.equal(out, x) and out.data_ptr() != x.data_ptr()
    y = x.clone()
    mask_ = ops.block_mask_(y, 1, mask_ratio, 5)
    assert not mask_.any() and torch.equal(y, x)
    # strided x is left as it is too
    z = x.clone().transpose(0, 1).contiguous().transpose(0, 1)
    assert not z.is_contiguous()
    assert not ops.block_mask_(z, 1, mask_ratio, 5).any() and torch.equal(z, x)


@pytest.mark.parametrize("shape", [(0, 3, 10), (2, 0, 10), (2, 3, 0), (0, 0, 0)])
def test_block_mask_empty(shape):
    x = torch.ones(shape)
    out, mask = ops.block_mask(x, 5, 0.5, 3)
    assert out.shape == shape and mask.shape == (shape[0], shape[2])
    B, C, T = shape
    if C == 0:  # the mask exists even where x has no channels
        assert torch.equal(mask, reference_mask(5, B, T, 0.5, 3))
    assert ops.block_mask_(x, 5, 0.5, 3).shape == (B, T)


def test_block_mask_ratio_one_and_full_cover():
    x = make_x((2, 2, 30), torch.float64)
    out, mask = ops.block_mask(x, 3, 1.0, 30)
    assert mask.all() and not out.any()


def test_block_mask_seed_determinism():
    x = make_x((4, 2, 200), torch.float32)
    _, m1 = ops.block_mask(x, 77, 0.3, 10)
    _, m2 = ops.block_mask(x, seed_tensor(77), 0.3, 10)
    _, m3 = ops.block_mask(x, 78, 0.3, 10)
    assert torch.equal(m1, m2)
    assert not torch.equal(m1, m3)
    assert not torch.equal(m1[0], m1[1])  # each sample has its own stream


# ---- autograd -------------------------------------------------------------------


def test_block_mask_gradient_zero_exactly_where_masked():
    x = torch.randn(3, 4, 60, dtype=torch.float64, requires_grad=True)
    out, mask = ops.block_mask(x, 8, 0.4, 5)
    assert not mask.requires_grad
    grad_out = torch.randn_like(out)
    out.backward(grad_out)
    expected = grad_out.masked_fill(mask[:, None, :], 0)
    assert torch.equal(x.grad, expected)
    assert torch.equal(x.grad == 0, mask[:, None, :].expand_as(x) | (grad_out == 0))


def test_block_mask_inplace_refuses_grad():
    x = torch.randn(2, 3, 20, requires_grad=True)
    y = x * 1
    for t in (x, y):
        with pytest.raises(ValueError, match="x requires grad"):
            ops.block_mask_(t, 1, 0.5, 2)
    with torch.no_grad():
        mask = ops.block_mask_(y, 1, 0.5, 2)
    assert torch.equal(y == 0, mask[:, None, :].expand_as(y))


def test_block_mask_gradcheck():
    x = torch.randn(2, 3, 17, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: ops.block_mask(t, 4, 0.5, 3)[0], (x,))
    assert torch.autograd.gradgradcheck(lambda t: ops.block_mask(t, 4, 0.5, 3)[0], (x,))
