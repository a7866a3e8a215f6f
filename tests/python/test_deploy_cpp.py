"""A model calling the ssrl_ecg ops, run from C++ with no Python in the process
(docs/semantics.md sections 10.1 and 10.2).

The model (ops directly: block_mask, a small Conv1d encoder, confusion_counts
and auroc on its outputs) is scripted with TorchScript and, separately,
exported with torch.export and compiled by AOTInductor. The C++ programs of
examples/torch are built once per session against the LibTorch of the torch
wheel in use and the op library in use (find_package(ssrl_ecg_torch_ops)); they
read the inputs and write the outputs as tuples of tensors (torch.save format).
Their outputs must equal eager's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import ssrl_ecg
from ssrl_ecg import _loader

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "torch"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the C++ examples are built and run on Linux"
)


class Scorer(nn.Module):
    """Masks, encodes and scores: every output depends on an ssrl_ecg op."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.encoder = nn.Sequential(
            nn.Conv1d(12, 16, 7, padding=3), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
            nn.Linear(16, 5),
        )
        with torch.no_grad():
            for p in self.encoder.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)

    def forward(self, x, seed, y_true, thresholds):
        masked, mask = torch.ops.ssrl_ecg.block_mask(x, seed, 0.25, 25)
        prob = torch.sigmoid(self.encoder(masked))
        counts = torch.ops.ssrl_ecg.confusion_counts(y_true, prob, thresholds)
        auc = torch.ops.ssrl_ecg.auroc(y_true, prob)
        return prob, mask, counts, auc


def _inputs():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(32, 12, 500, generator=g)
    seed = torch.tensor([123456789], dtype=torch.int64)
    y_true = (torch.rand(32, 5, generator=g) > 0.5).to(torch.uint8)
    thresholds = torch.linspace(0, 1, 11, dtype=torch.float64)
    return x, seed, y_true, thresholds


def _cmake() -> str:
    here = Path(sys.executable).parent / "cmake"
    found = str(here) if here.exists() else shutil.which("cmake")
    if found is None or shutil.which("c++") is None:
        pytest.skip("needs cmake and a C++ compiler")
    return found


@pytest.fixture(scope="session")
def programs(tmp_path_factory) -> Path:
    """examples/torch built once against this torch and this op library."""
    cmake = _cmake()
    build = tmp_path_factory.mktemp("example-torch")
    prefix = ";".join([torch.utils.cmake_prefix_path, ssrl_ecg.cmake_prefix_path])
    configure = [cmake, "-S", str(EXAMPLE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                 f"-DCMAKE_PREFIX_PATH={prefix}", f"-DSSRL_ECG_OPS_LIBRARY={os.path.abspath(_loader.load())}"]
    for cmd in (configure, [cmake, "--build", str(build), "-j", "2"]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return build


def _run(program: Path, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([str(program), *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


def _assert_no_python(program: Path) -> None:
    linked = subprocess.run(["ldd", str(program)], capture_output=True, text=True).stdout
    assert "libpython" not in linked, linked


def _assert_equal(got, want) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert torch.equal(g, w) or (g.isnan() == w.isnan()).all() and torch.equal(
            g.nan_to_num(), w.nan_to_num()), (g, w)


def test_torchscript_in_cpp_equals_eager(programs, tmp_path):
    model = Scorer().eval()
    inputs = _inputs()
    with torch.no_grad():
        want = model(*inputs)
    torch.jit.script(model).save(str(tmp_path / "model.pt"))
    torch.save(inputs, tmp_path / "inputs.pt")
    exe = programs / "run_torchscript"
    _assert_no_python(exe)
    done = _run(exe, tmp_path / "model.pt", tmp_path / "inputs.pt", tmp_path / "outputs.pt")
    assert "output 3" in done.stdout
    _assert_equal(torch.load(tmp_path / "outputs.pt"), want)


@pytest.fixture(scope="session")
def aoti_package(tmp_path_factory) -> Path:
    """The model exported and compiled by AOTInductor, once."""
    path = tmp_path_factory.mktemp("aoti") / "scorer.pt2"
    with torch.no_grad():
        exported = torch.export.export(Scorer().eval(), _inputs())
        torch._inductor.aoti_compile_and_package(exported, package_path=str(path))
    return path


def _eager():
    with torch.no_grad():
        return Scorer().eval()(*_inputs())


def _assert_close_to_eager(got) -> None:
    """Inductor's own code for the encoder may round differently; the op outputs match."""
    prob, mask, counts, auc = _eager()
    torch.testing.assert_close(got[0], prob, rtol=1e-5, atol=1e-6)
    assert torch.equal(got[1], mask)
    # the ops on the package's own prob: exactly the eager ops' results
    y_true, thresholds = _inputs()[2:]
    assert torch.equal(got[2], torch.ops.ssrl_ecg.confusion_counts(y_true, got[0], thresholds))
    _assert_equal([got[3]], [torch.ops.ssrl_ecg.auroc(y_true, got[0])])
    if torch.equal(got[0], prob):
        _assert_equal(got, (prob, mask, counts, auc))


def test_aoti_package_in_python_equals_eager(aoti_package):
    runner = torch._inductor.aoti_load_package(str(aoti_package))
    with torch.no_grad():
        _assert_close_to_eager(runner(*_inputs()))


def test_aoti_package_in_cpp_equals_python(programs, aoti_package, tmp_path):
    torch.save(_inputs(), tmp_path / "inputs.pt")
    exe = programs / "run_aoti"
    _assert_no_python(exe)
    _run(exe, os.path.abspath(_loader.load()), aoti_package, tmp_path / "inputs.pt", tmp_path / "outputs.pt")
    got = torch.load(tmp_path / "outputs.pt")
    _assert_close_to_eager(got)
    with torch.no_grad():
        in_python = torch._inductor.aoti_load_package(str(aoti_package))(*_inputs())
    _assert_equal(got, in_python)


def test_cpp_program_without_the_ops_says_what_is_missing(programs, aoti_package, tmp_path):
    """run_aoti given no op library: a clear failure, not a crash."""
    torch.save(_inputs(), tmp_path / "inputs.pt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([str(programs / "run_aoti"), str(tmp_path / "missing.so"),
                           str(aoti_package), str(tmp_path / "inputs.pt"), str(tmp_path / "o.pt")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1
    assert "cannot load the ssrl_ecg op library" in done.stderr
