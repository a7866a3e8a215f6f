"""CUDA: bit-for-bit equality with the CPU, no host sync in the metrics, and
CUDA-graph capture of a masking step. Skipped without a GPU."""

import numpy as np
import pytest
import torch

import ssrl_ecg
from ssrl_ecg import ops
from ssrl_ecg.utils import apply_random_mask, metrics_and_flags, multilabel_metrics

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64,
                                   torch.int8, torch.int64])
@pytest.mark.parametrize("shape,ratio,bs", [((64, 12, 1000), 0.15, 50), ((3, 5, 769), 0.5, 7),
                                            ((2, 12, 5125), 0.3, 13), ((4, 1, 20), 0.5, 50)])
def test_block_mask_cuda_equals_cpu(dtype, shape, ratio, bs):
    x = (torch.randn(shape) * 10).to(dtype)
    seed = torch.tensor([0x1234_5678_9ABC], dtype=torch.int64)
    out_cpu, mask_cpu = ops.block_mask(x, seed, ratio, bs)
    out_gpu, mask_gpu = ops.block_mask(x.cuda(), seed.cuda(), ratio, bs)
    assert torch.equal(out_gpu.cpu(), out_cpu) and torch.equal(mask_gpu.cpu(), mask_cpu)
    y = x.cuda()
    mask_inplace = ops.block_mask_(y, seed.cuda(), ratio, bs)
    assert torch.equal(y.cpu(), out_cpu) and torch.equal(mask_inplace.cpu(), mask_cpu)


def test_apply_random_mask_reproducible_on_cuda():
    x = torch.randn(8, 12, 1000, device="cuda")
    ssrl_ecg.set_seed(0)
    a = apply_random_mask(x, 0.15)
    ssrl_ecg.set_seed(0)
    b = apply_random_mask(x, 0.15)
    assert torch.equal(a, b)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_counts_and_auroc_cuda_equal_cpu(dtype):
    g = torch.Generator().manual_seed(1)
    y = (torch.rand(5000, 71, generator=g) < 0.3).to(torch.uint8)
    p = (torch.rand(5000, 71, generator=g) * 16).round().div(16).to(dtype)  # heavy ties
    y[:, 3] = 0  # one-label class
    th = torch.linspace(0, 1, 100, dtype=torch.float64)
    assert torch.equal(ops.confusion_counts(y.cuda(), p.cuda(), th.cuda()).cpu(),
                       ops.confusion_counts(y, p, th))
    torch.testing.assert_close(ops.auroc(y.cuda(), p.cuda()).cpu(), ops.auroc(y, p),
                               rtol=0, atol=0, equal_nan=True)


def test_metrics_on_cuda_make_no_host_sync():
    g = torch.Generator().manual_seed(2)
    y = (torch.rand(10000, 5, generator=g) < 0.3).cuda()
    p = torch.rand(10000, 5, generator=g).cuda()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        values = metrics_and_flags(y, p, 0.5)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert values.device.type == "cuda"
    ref = multilabel_metrics(y.cpu(), p.cpu())
    np.testing.assert_allclose(values[:4].cpu().numpy(), list(ref.values()), rtol=0, atol=1e-12)


def test_metrics_on_cuda_reject_bad_values():
    y = torch.tensor([[0, 2], [1, 0]], device="cuda")
    p = torch.rand(2, 2, device="cuda")
    with pytest.raises(ValueError, match="y_true"):
        multilabel_metrics(y, p)
    with pytest.raises(ValueError, match="y_prob"):
        multilabel_metrics(y.clamp(max=1), torch.full((2, 2), float("nan"), device="cuda"))


def test_cuda_graph_replay_gives_fresh_masks():
    x = torch.rand(4, 12, 1000, device="cuda") + 1
    static_out = torch.empty_like(x)
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        static_out.copy_(apply_random_mask(x, 0.15))  # warm-up
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out.copy_(apply_random_mask(x, 0.15))
    masks = []
    for _ in range(3):
        graph.replay()
        torch.cuda.synchronize()
        masks.append((static_out == 0).all(dim=1).clone())
    assert all(m.any() for m in masks)
    assert not torch.equal(masks[0], masks[1]) and not torch.equal(masks[1], masks[2])


def test_runs_on_current_stream():
    x = torch.randn(64, 12, 5000, device="cuda")
    seed = torch.tensor([5], dtype=torch.int64, device="cuda")
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        out, _ = ops.block_mask(x, seed, 0.15, 50)
    s.synchronize()
    ref, _ = ops.block_mask(x.cpu(), seed.cpu(), 0.15, 50)
    assert torch.equal(out.cpu(), ref)
