"""span_mask, lead_mask and token_mask on CUDA: bit for bit the CPU result for
the same seed (every mode, dtypes, fill, in place, strided), the same result
from the same generator state, the current stream, no host sync, and CUDA-graph
replays that draw fresh masks. Skipped without a GPU."""

from __future__ import annotations

import itertools

import pytest
import torch

from ssrl_ecg import masking, utils

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
OPS = torch.ops.ssrl_ecg


def seed_t(seed: int) -> torch.Tensor:
    return torch.tensor([seed], dtype=torch.int64)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64,
                                   torch.int8, torch.int64])
@pytest.mark.parametrize("shape,ratio,span", [((64, 12, 1000), 0.15, 50), ((3, 5, 769), 0.5, 7),
                                              ((2, 3, 7), 0.5, 9), ((4, 2, 60), 1.0, 6)])
def test_span_mask_cuda_equals_cpu(dtype, shape, ratio, span):
    x = (torch.randn(shape) * 10).to(dtype)
    fill = (torch.randn(shape[1]) * 10).to(dtype)
    s = seed_t(0x1234_5678_9ABC)
    for per_lead, exact, f in itertools.product([False, True], [False, True], [None, fill]):
        want = OPS.span_mask(x, s, ratio, span, per_lead, exact, f)
        got = OPS.span_mask(x.cuda(), s.cuda(), ratio, span, per_lead, exact,
                            None if f is None else f.cuda())
        assert all(torch.equal(g.cpu(), w) for g, w in zip(got, want))
        y = x.cuda()
        mask = OPS.span_mask_(y, s, ratio, span, per_lead, exact, None if f is None else f.cuda())
        assert torch.equal(y.cpu(), want[0]) and torch.equal(mask.cpu(), want[1])


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int8])
def test_lead_and_token_mask_cuda_equal_cpu(dtype):
    x = (torch.randn(300, 12, 50) * 10).to(dtype)
    strided = x.transpose(0, 2).contiguous().transpose(0, 2)
    s = seed_t(-5)
    for exact, p in itertools.product([False, True], [0.0, 0.25, 0.5, 1.0]):
        want = OPS.lead_mask(x, s, p, exact)
        got = OPS.lead_mask(strided.cuda(), s.cuda(), p, exact)
        assert all(torch.equal(g.cpu(), w) for g, w in zip(got, want))
    for B, G, L, r in [(256, 12, 30, 0.75), (256, 1, 50, 0.75), (64, 1, 12, 0.5), (3, 2, 1, 0.5)]:
        want = OPS.token_mask(s, B, G, L, r)
        got = OPS.token_mask(s.cuda(), B, G, L, r)
        assert all(torch.equal(g.cpu(), w) for g, w in zip(got, want))


def test_same_generator_state_same_masks_on_cpu_and_cuda():
    # the public functions draw their seed on the data's device; with the seed
    # passed explicitly both devices agree, so set_seed reproduces each device
    x = torch.randn(8, 12, 1000, device="cuda")
    utils.set_seed(0)
    a = masking.span_mask(x, 0.3, 20, per_lead=True, exact=True)
    utils.set_seed(0)
    b = masking.span_mask(x, 0.3, 20, per_lead=True, exact=True)
    assert torch.equal(a[1], b[1])


def test_masks_make_no_host_sync_and_use_the_current_stream():
    x = torch.randn(16, 12, 1000, device="cuda")
    fill = torch.randn(12, device="cuda")
    torch.cuda.synchronize()
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        torch.cuda.set_sync_debug_mode("error")
        try:
            out, mask = masking.span_mask(x, 0.3, 20, per_lead=True, exact=True, fill=fill)
            out2, dropped = masking.lead_mask(out, 0.25, exact=True)
            keep, restore, tmask = masking.token_mask((16, 12, 30), 0.75, device="cuda")
        finally:
            torch.cuda.set_sync_debug_mode(0)
    stream.synchronize()
    assert (mask.sum(-1) == mask.sum(-1)[0, 0]).all() and (tmask.sum(-1) == 23).all()


def test_cuda_graph_replays_draw_fresh_masks():
    x = torch.rand(4, 12, 1000, device="cuda") + 1
    outs = [torch.empty_like(x), torch.empty(4, 12, dtype=torch.bool, device="cuda"),
            torch.empty(4, 12, 30, device="cuda")]

    def step():
        out, _ = masking.span_mask(x, 0.3, 20, per_lead=True, exact=True)
        _, dropped = masking.lead_mask(x, 0.5)
        _, _, tmask = masking.token_mask((4, 12, 30), 0.75, device="cuda")
        outs[0].copy_(out)
        outs[1].copy_(dropped)
        outs[2].copy_(tmask)

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        step()  # warm-up
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step()
    seen = []
    for _ in range(3):
        graph.replay()
        torch.cuda.synchronize()
        seen.append([o.clone() for o in outs])
    for k in range(3):
        assert not torch.equal(seen[0][k], seen[1][k]) or not torch.equal(seen[1][k], seen[2][k])
    assert ((seen[0][0] == 0).sum(-1) == (seen[0][0] == 0).sum(-1)[0, 0]).all()  # exact spans


@pytest.mark.parametrize("i", range(6))
def test_opcheck_cuda(i):
    x = torch.randn(3, 4, 64, device="cuda")
    fill = torch.randn(4, device="cuda")
    s = seed_t(1).cuda()
    cases = [(OPS.span_mask.default, (x, s, 0.3, 8, False, False, None)),
             (OPS.span_mask.default, (x, s, 0.3, 8, True, True, fill)),
             (OPS.span_mask_.default, (x.clone(), s, 0.3, 8, True, False, fill)),
             (OPS.lead_mask.default, (x, s, 0.5, True)),
             (OPS.lead_mask_.default, (x.clone(), s, 0.5, False)),
             (OPS.token_mask.default, (s, 4, 12, 30, 0.75))]
    op, args = cases[i]
    torch.library.opcheck(op, args)
