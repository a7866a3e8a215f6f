"""apply_random_mask and nn.BlockMask against the pure-Python reference mask."""

import numpy as np
import pytest
import torch

from reference import n_blocks, reference_mask
from ssrl_ecg.nn import BlockMask
from ssrl_ecg.utils import apply_random_mask, draw_seed, set_seed


def seed_value(generator_seed, device="cpu"):
    """The uint64 mask seed apply_random_mask draws after manual_seed(generator_seed)."""
    g = torch.Generator(device=device).manual_seed(generator_seed)
    return int(draw_seed(torch.device(device), g).item()) & (2**64 - 1)


@pytest.mark.parametrize("shape,ratio,bs", [((4, 12, 1000), 0.15, 50), ((3, 2, 769), 0.5, 7),
                                            ((2, 3, 20), 0.5, 50), ((2, 1, 5125), 0.3, 13),
                                            ((5, 4, 1), 1.0, 1),
                                            # past the C code's 1 MiB threading and 4 MiB
                                            # streaming-store cut-offs; odd row length
                                            ((24, 12, 5000), 0.15, 50), ((9, 24, 5003), 0.2, 7)])
def test_mask_matches_reference(shape, ratio, bs):
    x = torch.randn(shape)
    g = torch.Generator().manual_seed(123)
    out, mask = apply_random_mask(x, ratio, bs, generator=g, return_mask=True)
    B, C, T = shape
    ref = reference_mask(seed_value(123), B, T, ratio, bs)
    np.testing.assert_array_equal(mask.numpy(), ref)
    expect = torch.where(torch.from_numpy(ref)[:, None, :], torch.zeros(()), x)
    assert torch.equal(out, expect)
    assert mask.dtype == torch.bool and mask.shape == (B, T)


def test_masked_spans_are_whole_blocks_across_channels():
    x = torch.rand(8, 12, 1000) + 1.0  # never zero
    out, mask = apply_random_mask(x, 0.15, 50, return_mask=True)
    zero = out == 0
    assert torch.equal(zero.all(dim=1), zero.any(dim=1)), "every channel masked alike"
    assert torch.equal(zero.all(dim=1), mask)
    for b in range(8):
        m = mask[b].numpy().astype(int)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], m, [0]])))
        lengths = edges[1::2] - edges[::2]
        assert (lengths >= 50).all(), "runs are unions of whole blocks"
        assert m.sum() <= n_blocks(1000, 0.15, 50) * 50


def test_nonpositive_ratio_returns_x_itself():
    x = torch.randn(2, 3, 100)
    assert apply_random_mask(x, 0.0) is x
    assert apply_random_mask(x, -0.5, 10) is x
    out, mask = apply_random_mask(x, 0, return_mask=True)
    assert out is x and not mask.any() and mask.shape == (2, 100)


def test_same_seed_same_result_different_seed_differs():
    x = torch.randn(4, 12, 1000)
    set_seed(0)
    a = apply_random_mask(x, 0.15)
    set_seed(0)
    b = apply_random_mask(x, 0.15)
    set_seed(1)
    c = apply_random_mask(x, 0.15)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert not torch.equal(apply_random_mask(x, 0.15), apply_random_mask(x, 0.15))


def test_inplace_and_return_mask_agree_with_default():
    x = torch.randn(4, 12, 1000)
    out = apply_random_mask(x, 0.2, 25, generator=torch.Generator().manual_seed(5))
    out2, mask = apply_random_mask(x, 0.2, 25, generator=torch.Generator().manual_seed(5),
                                   return_mask=True)
    y = x.clone()
    res, mask3 = apply_random_mask(y, 0.2, 25, generator=torch.Generator().manual_seed(5),
                                   return_mask=True, inplace=True)
    assert res is y
    assert torch.equal(out, out2) and torch.equal(out, y) and torch.equal(mask, mask3)
    assert not torch.equal(x, y), "x was masked in place"


def test_input_untouched_out_of_place():
    x = torch.randn(3, 4, 500)
    before = x.clone()
    apply_random_mask(x, 0.5, 10)
    assert torch.equal(x, before)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16,
                                   torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8,
                                   torch.bool])
def test_every_dtype(dtype):
    x = (torch.rand(3, 2, 300) * 10 + 1).to(dtype)
    out, mask = apply_random_mask(x, 0.3, 20, generator=torch.Generator().manual_seed(9),
                                  return_mask=True)
    assert out.dtype == dtype
    assert torch.equal(out, torch.where(mask[:, None, :], torch.zeros((), dtype=dtype), x))


def test_non_contiguous_input():
    base = torch.randn(4, 1000, 12)
    x = base.transpose(1, 2)  # [4, 12, 1000], not contiguous
    out, mask = apply_random_mask(x, 0.15, 50, generator=torch.Generator().manual_seed(1),
                                  return_mask=True)
    ref, ref_mask = apply_random_mask(x.contiguous(), 0.15, 50,
                                      generator=torch.Generator().manual_seed(1), return_mask=True)
    assert torch.equal(out, ref) and torch.equal(mask, ref_mask)


def test_gradient_is_zero_exactly_where_masked():
    x = torch.randn(3, 4, 200, requires_grad=True)
    out, mask = apply_random_mask(x, 0.3, 20, return_mask=True)
    (out * 3).sum().backward()
    expect = torch.where(mask[:, None, :], 0.0, 3.0).expand_as(x)
    assert torch.equal(x.grad, expect)


def test_block_mask_module():
    m = BlockMask(0.15, 50)
    x = torch.rand(2, 12, 1000) + 1
    set_seed(3)
    a = m(x)
    assert ((a == 0).all(dim=1)).any()
    set_seed(3)
    assert torch.equal(m(x), a)
    m_eval = BlockMask(0.15, 50, only_training=True).eval()
    assert m_eval(x) is x
    assert BlockMask(0.0)(x) is x


@pytest.mark.parametrize("call,exc,name", [
    (lambda: apply_random_mask([1, 2, 3], 0.1), TypeError, "x"),
    (lambda: apply_random_mask(torch.zeros(3, 4), 0.1), ValueError, "x"),
    (lambda: apply_random_mask(torch.zeros(1, 3, 4, 5), 0.1), ValueError, "x"),
    (lambda: apply_random_mask(torch.zeros(2, 3, 4), float("nan")), ValueError, "mask_ratio"),
    (lambda: apply_random_mask(torch.zeros(2, 3, 4), float("inf")), ValueError, "mask_ratio"),
    (lambda: apply_random_mask(torch.zeros(2, 3, 4), 1.5), ValueError, "mask_ratio"),
    (lambda: apply_random_mask(torch.zeros(2, 3, 4), "0.1"), TypeError, "mask_ratio"),
    (lambda: apply_random_mask(torch.zeros(2, 3, 4), 0.1, 0), ValueError, "block_size"),
    (lambda: apply_random_mask(torch.zeros(2, 3, 4), 0.1, 2.5), TypeError, "block_size"),
    (lambda: BlockMask(2.0), ValueError, "mask_ratio"),
    (lambda: BlockMask(0.1, -1), ValueError, "block_size"),
])
def test_bad_input_names_the_argument(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
