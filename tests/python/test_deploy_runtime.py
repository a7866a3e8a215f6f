"""What a deployed build says and does at run time (docs/semantics.md section 10).

- an older torch is refused with the version needed (10.3);
- a CUDA tensor in a build without CUDA kernels gets one sentence saying so
  (10.6), and a CUDA build on a driver too old for its CUDA runtime names both
  versions (10.5): both are host code, reached here without a GPU by sending
  CPU tensors to each op's CUDA kernel (``OpOverload.redispatch``), and the
  driver's version is forced through ``SSRL_ECG_CUDA_DRIVER_VERSION``;
- the op library shares torch's OpenMP runtime: one libgomp in the process,
  one thread pool, torch.set_num_threads obeyed (10.4).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch

import ssrl_ecg  # noqa: F401  (loads the op library)
from ssrl_ecg import _loader


def _x() -> torch.Tensor:
    return torch.randn(2, 3, 40, generator=torch.Generator().manual_seed(0))


def _scores():
    g = torch.Generator().manual_seed(1)
    y_true = (torch.rand(17, 3, generator=g) > 0.5).to(torch.uint8)
    return y_true, torch.rand(17, 3, generator=g)


_SEED = torch.tensor(7, dtype=torch.int64)

#: Every registered op with valid CPU arguments.
_op_calls = {
    "block_mask": lambda: (_x(), _SEED, 0.25, 5),
    "block_mask_": lambda: (_x(), _SEED, 0.25, 5),
    "confusion_counts": lambda: (*_scores(), torch.tensor([0.2, 0.5], dtype=torch.float64)),
    "auroc": lambda: _scores(),
    "auroc_auprc": lambda: _scores(),
    "span_mask": lambda: (_x(), _SEED, 0.3, 4, False, False, None),
    "span_mask_": lambda: (_x(), _SEED, 0.3, 4, True, True, None),
    "lead_mask": lambda: (_x(), _SEED, 0.5, False),
    "lead_mask_": lambda: (_x(), _SEED, 0.5, True),
    "token_mask": lambda: (_SEED, 2, 3, 8, 0.5),
}


def _registered() -> set[str]:
    names = torch._C._dispatch_get_registrations_for_dispatch_key("CPU")
    return {n.split("::", 1)[1] for n in names if n.startswith("ssrl_ecg::")}


def _call_cuda_kernel(name: str):
    """Runs op `name`'s CUDA kernel on CPU tensors (host code only)."""
    op = getattr(torch.ops.ssrl_ecg, name).default
    keys = torch._C.DispatchKeySet(torch._C.DispatchKey.CUDA)
    return op.redispatch(keys, *_op_calls[name]())


def test_every_op_has_a_case():
    assert _registered() == set(_op_calls)


@pytest.mark.parametrize("name", sorted(_op_calls))
def test_every_op_runs_on_the_cpu(name):
    getattr(torch.ops.ssrl_ecg, name)(*_op_calls[name]())


@pytest.mark.parametrize("name", sorted(_op_calls))
def test_cuda_kernel_says_why_it_cannot_run(name):
    with pytest.raises(RuntimeError) as info:
        _call_cuda_kernel(name)
    msg = str(info.value)
    if not _loader.has_cuda_kernels():
        assert f"ssrl_ecg::{name}: this ssrl_ecg build has no CUDA kernels" in msg
        assert "built without the CUDA toolkit" in msg
    elif _loader.cuda_driver_problem() is not None:  # e.g. no driver on this machine
        assert _loader.cuda_driver_problem() in msg
        assert f"[ssrl_ecg::{name}]" in msg
    else:  # a usable driver: the kernel goes on and refuses the CPU tensor
        assert "must be a CUDA tensor" in msg


_FORCED = textwrap.dedent(
    """
    import sys, torch, ssrl_ecg
    sys.path.insert(0, {here!r})
    from test_deploy_runtime import _call_cuda_kernel, _op_calls
    for name in sorted(_op_calls):
        try:
            _call_cuda_kernel(name)
        except RuntimeError as exc:
            print(name, "|", str(exc).splitlines()[0])
        else:
            print(name, "| no error")
    """
)


def test_an_old_driver_is_named_with_the_version_needed():
    if not _loader.has_cuda_kernels():
        pytest.skip("this build has no CUDA kernels (no driver is ever asked)")
    env = dict(os.environ, SSRL_ECG_CUDA_DRIVER_VERSION="12040")
    out = subprocess.run(
        [sys.executable, "-c", _FORCED.format(here=os.path.dirname(__file__))],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    ).stdout.splitlines()
    assert len(out) == len(_op_calls), out
    for line in out:
        name, msg = line.split(" | ", 1)
        assert "ssrl_ecg: the CUDA kernels were built with CUDA 13." in msg, line
        assert "need an NVIDIA driver that supports CUDA 13.0 or newer" in msg, line
        assert "this machine's driver supports CUDA 12.4 (driver API version 12040)" in msg, line
        assert msg.endswith(f"[ssrl_ecg::{name}]"), line


def test_driver_problem_from_python(monkeypatch):
    if not _loader.has_cuda_kernels():
        assert _loader.cuda_driver_problem() is None
        return
    monkeypatch.setenv("SSRL_ECG_CUDA_DRIVER_VERSION", "12080")
    assert "supports CUDA 12.8 (driver API version 12080)" in _loader.cuda_driver_problem()
    monkeypatch.setenv("SSRL_ECG_CUDA_DRIVER_VERSION", "13000")
    assert _loader.cuda_driver_problem() is None


@pytest.mark.parametrize("version", ["2.9.1", "2.9.0+cu128", "2.5.1", "1.13.1"])
def test_an_old_torch_is_refused_with_the_version_needed(version):
    with pytest.raises(ImportError, match=r"needs torch >= 2\.10 .* torch " + version.replace("+", r"\+")):
        _loader._check_torch(version)


@pytest.mark.parametrize("version", ["2.10.0", "2.10.0+cpu", "2.11.0+cu130", "2.15.0", "3.0.0.dev1"])
def test_a_new_enough_torch_is_taken(version):
    _loader._check_torch(version)


# ---- OpenMP: torch's runtime, one pool -------------------------------------

_RUNTIMES = textwrap.dedent(
    """
    import os, torch, ssrl_ecg
    torch.ops.ssrl_ecg.block_mask(torch.randn(64, 12, 4096), torch.tensor(1), 0.5, 25)
    names = ("libgomp", "libiomp", "libomp")
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line}
    for p in sorted({os.path.realpath(p) for p in paths}):
        if os.path.basename(p).startswith(names):
            print(p)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_one_openmp_runtime_in_the_process():
    """import torch, ssrl_ecg and an op on OpenMP threads: torch's libgomp alone.

    In a fresh process: other libraries bring their own (scikit-learn's wheel
    vendors a libgomp), which is theirs to answer for.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_", "KMP_"))}
    runtimes = subprocess.run([sys.executable, "-c", _RUNTIMES], env=env, capture_output=True,
                              text=True, timeout=300, check=True).stdout.split()
    assert len(runtimes) == 1, runtimes
    torch_lib = os.path.realpath(os.path.join(os.path.dirname(torch.__file__), "lib"))
    if any(f.startswith("libgomp") for f in os.listdir(torch_lib)):  # torch ships its own
        assert runtimes[0].startswith(torch_lib + os.sep), runtimes


_THREADS = textwrap.dedent(
    """
    import os, torch, ssrl_ecg
    def tasks():
        return len(os.listdir("/proc/self/task"))
    x = torch.randn(64, 12, 4096, generator=torch.Generator().manual_seed(0))
    seed = torch.tensor(3)
    torch.set_num_threads(1)
    ref = torch.ops.ssrl_ecg.block_mask(x, seed, 0.5, 25)
    torch.set_num_threads(3)
    n0 = tasks()
    out = torch.ops.ssrl_ecg.block_mask(x, seed, 0.5, 25)       # our OpenMP team
    n1 = tasks()
    y = torch.nn.functional.conv1d(x, torch.randn(8, 12, 9))     # torch's parallel_for
    n2 = tasks()
    out2 = torch.ops.ssrl_ecg.block_mask(x, seed, 0.5, 25)
    n3 = tasks()
    same = all(torch.equal(a, b) for a, b in zip(ref + ref, out + out2))
    print(n0, n1, n2, n3, int(same))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/task")
def test_openmp_shares_torchs_thread_pool():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_", "KMP_"))}
    out = subprocess.run([sys.executable, "-c", _THREADS], env=env, capture_output=True,
                         text=True, timeout=300, check=True).stdout.split()
    n0, n1, n2, n3, same = map(int, out)
    assert same == 1
    # torch.set_num_threads(3) sized one team: at most 2 workers beside the main thread,
    # reused by torch and by us (a second runtime would add a second team).
    assert n1 - n0 <= 2, out
    assert n2 == n1 and n3 == n1, out
