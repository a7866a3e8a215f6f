"""Long recordings through the torch ops on CUDA: past 2048 blocks a sample the
CUDA mask buckets its starts by time tile in a workspace the op allocates
(docs/semantics.md, "Block mask on CUDA"). CUDA = CPU bit for bit, out of place
and in place, on the current stream, and replayed in a CUDA graph with fresh
seeds; the CPU side of each case runs everywhere (the linear-time sort)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ops_cases import CUDA, bits, make_x, seed_tensor
from reference import philox_stream
from ssrl_ecg import ops

# (B, C, T, mask_ratio, block_size): n_blocks 262145, 503316 and 2048 (the last direct size)
LONG = [(2, 3, 2**20 + 7, 0.5, 2), (1, 1, 2**24, 0.15, 5), (3, 2, 2048 * 50, 1.0, 50)]


def _mask_from_starts(seed: int, B: int, T: int, ratio: float, bs: int) -> np.ndarray:
    """[B, T] from the Philox starts, painted one block at a time (numpy)."""
    n = max(1, int((T * ratio) // bs))
    R = max(1, T - bs + 1)
    mask = np.zeros((B, T), dtype=bool)
    for b in range(B):
        u = np.array(philox_stream(seed, b, n), dtype=np.uint64)
        starts = (u * np.uint64(R)) >> np.uint64(32)
        diff = np.zeros(T + 1, dtype=np.int64)
        np.add.at(diff, starts.astype(np.int64), 1)
        np.add.at(diff, np.minimum(starts.astype(np.int64) + bs, T), -1)
        mask[b] = np.cumsum(diff[:T]) > 0
    return mask


def test_cpu_long_mask_equals_painted_starts():
    B, C, T, ratio, bs = LONG[0]
    x = make_x((B, 1, T), torch.float32, seed=4)
    out, mask = ops.block_mask(x, 77, ratio, bs)
    want = torch.from_numpy(_mask_from_starts(77, B, T, ratio, bs))
    assert torch.equal(mask, want)
    assert torch.equal(out, x.masked_fill(want[:, None], 0))


@CUDA
@pytest.mark.parametrize("case", LONG, ids=lambda c: f"T{c[2]}-bs{c[4]}")
def test_cuda_long_equals_cpu(case):
    B, C, T, ratio, bs = case
    x = make_x((B, C, T), torch.float16, seed=5)
    seed = 2**63 + 11
    out, mask = ops.block_mask(x, seed, ratio, bs)
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):  # the op runs on the current stream
        xd = x.cuda()
        out_d, mask_d = ops.block_mask(xd, seed_tensor(seed).cuda(), ratio, bs)
        mask_i = ops.block_mask_(xd, seed_tensor(seed).cuda(), ratio, bs)
    stream.synchronize()
    assert torch.equal(mask_d.cpu(), mask) and torch.equal(bits(out_d.cpu()), bits(out))
    assert torch.equal(mask_i.cpu(), mask) and torch.equal(bits(xd.cpu()), bits(out))


@CUDA
def test_cuda_long_graph_replays_with_fresh_seeds():
    B, C, T, ratio, bs = 2, 2, 300_007, 0.6, 3  # n_blocks 60001: bucketed
    x = make_x((B, C, T), torch.float32, seed=6).cuda()
    seed = seed_tensor(1).cuda()
    ops.block_mask(x, seed, ratio, bs)  # warm up outside the capture
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out, mask = ops.block_mask(x, seed, ratio, bs)
    for s in (3, 2**64 - 5, 3):
        seed.copy_(seed_tensor(s))
        graph.replay()
        torch.cuda.synchronize()
        want_out, want_mask = ops.block_mask(x.cpu(), s, ratio, bs)
        assert torch.equal(mask.cpu(), want_mask), s
        assert torch.equal(out.cpu(), want_out), s
