"""Stream discipline of the CUDA benchmark and test sources, checked without a GPU.

bench/bench_ops_cuda.cu once queued the ops on a non-blocking stream and read
the results back with a plain cudaMemcpy on the legacy default stream, which
is not ordered after a non-blocking stream: at large N it could read buffers
the GPU had not written yet. These tests read the sources and refuse that
pattern: a plain (legacy-stream) cudaMemcpy/cudaMemset in the benchmark, or in
a CUDA test outside the one helper that documents it, and a source that
creates a non-blocking stream and copies on the legacy stream.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEGACY = re.compile(r"\bcudaMem(?:cpy|set)(?:2D|3D|ToSymbol|FromSymbol)?\s*\(")

# cuda_test_util.cuh's Dev helpers copy on the legacy stream on purpose; every
# caller that then launches on a created stream synchronizes the device first.
ALLOWED = {"tests/cuda/cuda_test_util.cuh"}


def _sources():
    for folder, pattern in (("bench", "*.cu"), ("tests/cuda", "*.cu*")):
        yield from sorted((ROOT / folder).glob(pattern))


def _code(path: Path) -> str:
    """The file without // and /* */ comments (docs may name the calls)."""
    text = path.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def legacy_calls(text: str):
    return [m.group(0) for m in LEGACY.finditer(text)]


def test_the_rule_catches_the_old_benchmark_pattern():
    old = """
    cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    ssrl_auroc_cuda(y, p, SSRL_FLOAT32, N, C, auroc, invalid, ws, ws_bytes, stream);
    cudaCheck(cudaMemcpy(got.data(), auroc, C * 8, cudaMemcpyDeviceToHost));
    cudaCheck(cudaMemset (invalid, 0, 4));
    """
    assert legacy_calls(old) == ["cudaMemcpy(", "cudaMemset ("]
    assert legacy_calls("cudaMemcpyAsync(a, b, n, k, s); cudaMemsetAsync(a, 0, n, s);") == []


@pytest.mark.parametrize("path", list(_sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_legacy_stream_copies(path):
    rel = str(path.relative_to(ROOT))
    if rel in ALLOWED:
        pytest.skip("documented legacy-stream helper")
    calls = legacy_calls(_code(path))
    assert calls == [], (f"{rel}: {calls}: queue copies and fills on the stream the ops run on "
                         "(cudaMemcpyAsync/cudaMemsetAsync), then cudaStreamSynchronize it")


def test_sources_found():
    names = {p.name for p in _sources()}
    assert "bench_ops_cuda.cu" in names and "test_cuda_streams.cu" in names
