"""tests/gpu_check.sh on a machine without a GPU, over a small stand-in bundle.

The real bundle (scripts/gpu_bundle.sh) takes minutes to build, so this test
gives the check a bundle of the same layout whose GoogleTest suites are tiny
scripts printing GoogleTest's summary lines, with the real torch ops library;
pytest (one file) and the Python benchmark run for real. It proves that every
step runs, the report says NO GPU and lists every step, "huge" suites are left
out, at most 8 files land in $OUT, and a failing suite turns the verdict to FAIL
with its failed case named.
"""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ssrl_ecg import _loader

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tests" / "gpu_check.sh"

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available() or shutil.which("nvidia-smi") is not None,
    reason="checks the no-GPU path (on a GPU the real bundle is the test)")

SUITE_OK = """#!/bin/sh
echo "[==========] 3 tests from 1 test suite ran."
echo "[  PASSED  ] 2 tests."
echo "[  SKIPPED ] 1 test, listed below:"
echo "[  SKIPPED ] Gpu.Case"
"""
SUITE_BAD = """#!/bin/sh
echo "[  PASSED  ] 1 test."
echo "[  FAILED  ] 1 test, listed below:"
echo "[  FAILED  ] Fake.BrokenCase"
exit 1
"""
NO_DEVICE = """#!/bin/sh
echo "bench_ops_cuda: no CUDA device (stand-in); nothing to benchmark."
"""


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _bundle(tmp_path: Path, suites: dict) -> Path:
    b = tmp_path / "bundle"
    for d in ("tests", "bin", "lib"):
        (b / d).mkdir(parents=True, exist_ok=True)
    lines = []
    for name, (labels, text) in suites.items():
        _script(b / "tests" / name, text)
        lines.append(f"{name} {labels}")
    (b / "suites.txt").write_text("\n".join(lines) + "\n")
    _script(b / "bin" / "bench_ops_cuda", NO_DEVICE)
    shutil.copy(_loader.load(), b / "_ssrl_ecg_ops.so")
    (b / "MANIFEST").write_text("commit stand-in\n")
    return b


def _run(bundle: Path, out: Path):
    env = dict(os.environ, OUT=str(out), PYTHON=sys.executable,
               SSRL_GPU_CHECK_PYTEST_ARGS="tests/python/test_cuda_sources.py")
    return subprocess.run(["bash", str(CHECK), str(bundle)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_every_step_runs_and_says_no_gpu(tmp_path):
    bundle = _bundle(tmp_path, {"test_ok": ("-", SUITE_OK),
                                "test_big": ("huge", SUITE_BAD)})  # left out: never run
    out = tmp_path / "out"
    r = _run(bundle, out)
    assert r.returncode == 0, r.stdout + r.stderr
    report = (out / "gpu_report.md").read_text()
    assert "verdict: **NO GPU" in report
    for step in ("GoogleTest suites", "pytest on the bundle's ops", "compute-sanitizer",
                 "bench_ops_cuda", "python -m ssrl_ecg bench --device cuda --targets"):
        assert f"| {step}" in report, step
    assert "1 suites ok, 0 failed; cases: 2 passed, 1 skipped, 0 failed" in report
    assert "ok: " in report.split("| pytest on the bundle's ops |")[1].split("\n")[0]
    log = (out / "gpu_check.log").read_text()
    assert "suite test_big: left out (label huge)" in log
    assert "no CUDA device" in log  # the Python benchmark ran and said so
    assert len(list(out.iterdir())) <= 8


def test_a_failing_suite_fails_the_check_and_is_named(tmp_path):
    bundle = _bundle(tmp_path, {"test_ok": ("-", SUITE_OK), "test_bad": ("-", SUITE_BAD)})
    out = tmp_path / "out"
    r = _run(bundle, out)
    assert r.returncode == 1
    report = (out / "gpu_report.md").read_text()
    assert "verdict: **FAIL**" in report
    assert "1 suites ok, 1 failed" in report
    assert "test_bad: [  FAILED  ] Fake.BrokenCase" in report


def test_usage_without_a_bundle(tmp_path):
    r = subprocess.run(["bash", str(CHECK), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "usage" in r.stderr
