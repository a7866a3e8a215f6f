"""The ops inside graphs: TorchScript (saved, reloaded in a fresh process),
torch.export and torch.compile(fullgraph=True)."""

import subprocess
import sys
import textwrap

import torch
import torch.nn.functional as F
from torch import nn

import ssrl_ecg  # noqa: F401
from ssrl_ecg.nn import BlockMask
from ssrl_ecg.utils import draw_seed


class MaskAndScore(nn.Module):
    def forward(self, x: torch.Tensor, seed: torch.Tensor, y_true: torch.Tensor,
                y_prob: torch.Tensor, thresholds: torch.Tensor):
        out, mask = torch.ops.ssrl_ecg.block_mask(x, seed, 0.15, 50)
        counts = torch.ops.ssrl_ecg.confusion_counts(y_true, y_prob, thresholds)
        auc = torch.ops.ssrl_ecg.auroc(y_true, y_prob)
        return out, mask, counts, auc


def inputs():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 12, 1000, generator=g)
    seed = torch.tensor([1234567], dtype=torch.int64)
    y_true = (torch.rand(64, 5, generator=g) < 0.4).to(torch.uint8)
    y_prob = torch.rand(64, 5, generator=g)
    thresholds = torch.tensor([0.25, 0.5, 0.75], dtype=torch.float64)
    return x, seed, y_true, y_prob, thresholds


def assert_all_equal(a, b):
    for u, v in zip(a, b):
        assert torch.equal(u, v)


def test_torchscript_save_and_load_in_fresh_process(tmp_path):
    module = torch.jit.script(MaskAndScore())
    args = inputs()
    eager = MaskAndScore()(*args)
    assert_all_equal(module(*args), eager)
    module.save(str(tmp_path / "m.pt"))
    torch.save(args, tmp_path / "args.pt")
    script = textwrap.dedent(f"""
        import torch, ssrl_ecg
        m = torch.jit.load({str(tmp_path / 'm.pt')!r})
        args = torch.load({str(tmp_path / 'args.pt')!r})
        torch.save(m(*args), {str(tmp_path / 'out.pt')!r})
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    assert_all_equal(torch.load(tmp_path / "out.pt"), eager)


def test_block_mask_module_scripts():
    scripted = torch.jit.script(BlockMask(0.2, 25))
    x = torch.rand(2, 3, 400) + 1
    torch.manual_seed(7)
    a = scripted(x)
    torch.manual_seed(7)
    b = BlockMask(0.2, 25)(x)
    assert torch.equal(a, b)
    assert ((a == 0).all(dim=1)).any()


def test_torch_export():
    args = inputs()
    ep = torch.export.export(MaskAndScore(), args)
    names = {str(n.target) for n in ep.graph.nodes if n.op == "call_function"}
    assert any("ssrl_ecg.block_mask" in n for n in names), names
    assert_all_equal(ep.module()(*args), MaskAndScore()(*args))


def test_compile_fullgraph_training_step():
    torch.manual_seed(0)
    w = torch.randn(12, 5, requires_grad=True)
    x, seed, y_true, _, thresholds = inputs()

    def step(x, seed, w, y_true):
        out, mask = torch.ops.ssrl_ecg.block_mask(x, seed, 0.15, 50)
        logits = out.mean(dim=2) @ w
        loss = F.binary_cross_entropy_with_logits(logits, y_true[:4].float())
        probs = torch.sigmoid(logits).detach()
        counts = torch.ops.ssrl_ecg.confusion_counts(y_true[:4], probs, thresholds)
        auc = torch.ops.ssrl_ecg.auroc(y_true[:4], probs)
        return loss, mask, counts, auc

    compiled = torch.compile(step, fullgraph=True)
    eager = step(x, seed, w, y_true)
    got = compiled(x, seed, w, y_true)
    assert torch.allclose(got[0], eager[0], rtol=1e-6, atol=1e-7)
    assert_all_equal(got[1:3], eager[1:3])
    torch.testing.assert_close(got[3], eager[3], equal_nan=True)
    got[0].backward()
    assert w.grad is not None and torch.isfinite(w.grad).all()


def test_compile_fullgraph_apply_random_mask():
    from ssrl_ecg.utils import apply_random_mask

    def masked(x):
        return apply_random_mask(x, 0.15, 50)

    compiled = torch.compile(masked, fullgraph=True)
    x = torch.rand(2, 3, 500) + 1
    out = compiled(x)
    zero = (out == 0).all(dim=1)
    assert zero.any() and torch.equal((out == 0).any(dim=1), zero)


def test_draw_seed_is_on_device_and_int64():
    s = draw_seed(torch.device("cpu"))
    assert s.dtype == torch.int64 and s.shape == (1,)
