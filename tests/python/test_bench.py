"""Smoke test of the side-by-side benchmarks (ssrl_ecg.bench) on tiny sizes.

Checks that one run writes its JSON, markdown and plots, and that every method
that ran was validated against its reference before it was timed.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch

from reference import philox_stream
from ssrl_ecg import bench

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")


def test_philox_starts_is_the_curand_stream():
    # R = 2^32 makes start = u: the raw stream, against the pure-Python reference
    got = bench.philox_starts(0, 1, 4, 2**32)[0].tolist()
    assert got == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    seed = 0xDEADBEEF12345678
    got = bench.philox_starts(seed, 3, 6, 2**32)
    for b in range(3):
        assert got[b].tolist() == philox_stream(seed, b, 6)


def test_alternatives_agree_with_ours_on_given_starts():
    x = torch.randn(5, 3, 333)
    valid = bench.validate_mask(x)
    assert set(valid) == set(bench.MASK_METHODS)
    assert all(valid.values()), valid


def test_smoke_run_writes_validated_results(tmp_path):
    assert bench.main(["--quick", "--smoke", "--device", "cpu", "--out", tmp_path]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    env = results["env"]
    for key in ("date", "cpu", "cores", "torch", "ssrl_ecg", "device_names"):
        assert env[key], key
    assert results["validated"] is True

    cpu = results["devices"]["cpu"]
    assert {r["method"] for r in cpu["mask"]} == set(bench.MASK_METHODS)
    for section in ("mask", "mask_sweep", "metrics", "binned"):
        assert cpu[section], section
        for row in cpu[section]:
            if row["time_s"] is None:
                assert row["note"].startswith("skipped"), row
                continue
            assert row["validated"] is True, row
            assert row["time_s"] > 0 and row["reps"] >= 1

    ours = [r for r in cpu["metrics"] if r["method"] == "ours"]
    assert ours and all(r["reference"] == "scikit-learn" and r["max_abs_diff"] <= 1e-9
                        for r in ours)
    assert {r["status"] for r in results["targets"]} <= {"pass", "short", "n/a"}

    report = (tmp_path / "results.md").read_text()
    assert "## Targets" in report and "multilabel_metrics" in report
    for png in ("mask_sweep_cpu.png", "metrics_c5_cpu.png", "metrics_c71_cpu.png"):
        assert (tmp_path / png).stat().st_size > 0, png
    assert sorted(results["plots"]) == sorted(p.name for p in tmp_path.glob("*.png"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
def test_cuda_without_gpu_says_so(tmp_path, capsys):
    assert bench.main(["--smoke", "--device", "cuda", "--out", tmp_path]) == 1
    assert "no CUDA device" in capsys.readouterr().out


def test_plain_progress_without_tqdm(capsys):
    from ssrl_ecg.bench.run import _PlainProgress

    bar = _PlainProgress([("a", 1), ("b", 2)], desc="ssrl_ecg bench", unit="case")
    seen = []
    for label, value in bar:
        bar.set_postfix_str(label)
        seen.append(value)
    assert seen == [1, 2]
    assert capsys.readouterr().out.splitlines() == [
        "ssrl_ecg bench: 1/2", "  a", "ssrl_ecg bench: 2/2", "  b"]


def test_measure_all_shuffles_the_order_each_round():
    from dataclasses import replace

    from ssrl_ecg.bench.common import measure_all

    calls = []
    methods = [(name, (lambda n=name: calls.append(n)), None) for name in "abcd"]
    plan = replace(bench.PLANS["smoke"], reps=12, budget_s=60.0)
    rows = measure_all(bench.Clock(torch.device("cpu")), methods, plan)
    assert [r["reps"] for r in rows] == [12] * 4
    rounds = [calls[4 + 4 * i: 8 + 4 * i] for i in range(12)]  # after the warm-up calls
    assert all(sorted(r) == list("abcd") for r in rounds)
    assert len({r[0] for r in rounds}) > 1, "the same method ran first in every round"


def test_ratios_pair_the_rounds():
    from ssrl_ecg.bench.common import paired_ratio, ratio_of

    # a slow stretch (3x) begins in round 3, after ours ran and before clone
    ours = dict(method="ours", time_s=1.1, times_s=[1.1, 1.1, 1.1, 3.3, 3.3], shape=[1])
    clone = dict(method="clone", time_s=3.0, times_s=[1.0, 1.0, 3.0, 3.0, 3.0], shape=[1])
    assert paired_ratio(ours, clone) == pytest.approx(1.1)  # the medians' ratio: 0.37
    assert paired_ratio(clone, ours) == pytest.approx(1 / 1.1)
    # four rounds: 1.0, 1.1, 1.3, 1.4; the middle two meet in the geometric
    # mean, so the inverse pairing is the exact inverse
    even_a = dict(ours, times_s=[1.0, 1.1, 1.3, 1.4])
    even_b = dict(clone, times_s=[1.0, 1.0, 1.0, 1.0])
    assert paired_ratio(even_a, even_b) == pytest.approx((1.1 * 1.3) ** 0.5)
    assert paired_ratio(even_a, even_b) * paired_ratio(even_b, even_a) == pytest.approx(1.0)
    # a single-run row, or repeats in other rounds: the ratio of the medians
    single = dict(method="loop", time_s=6.6, times_s=[6.6], note="single run (first call)",
                  shape=[1])
    assert paired_ratio(single, ours) == pytest.approx(6.0)
    assert paired_ratio(ours, dict(clone, times_s=[2.0, 4.0])) == pytest.approx(1.1 / 3.0)
    assert paired_ratio(None, ours) is None and paired_ratio(ours, dict(clone, time_s=None)) is None
    rows = [ours, clone, single]
    assert ratio_of(rows, "loop", "ours", shape=[1]) == pytest.approx(6.0)
    assert ratio_of(rows, "ours", "clone", shape=[2]) is None


def test_mask_methods_share_one_input_rotation(monkeypatch):
    from dataclasses import replace

    from ssrl_ecg.bench import mask as mask_bench

    seen = []

    def runner(x):
        seen.append(x.data_ptr())
        return x

    monkeypatch.setattr(mask_bench, "_mask_runners",
                        lambda: {m: runner for m in ("ours", "ours_inplace", "clone")})
    plan = replace(bench.PLANS["smoke"], reps=12, budget_s=60.0)  # 39 calls over 32 copies
    rows = bench.bench_mask(torch.device("cpu"), plan, 2, 100, bench.Clock(torch.device("cpu")),
                            ["ours", "ours_inplace", "clone"])
    copies = rows[0]["copies"]
    assert copies > 3 and len(seen) > copies
    # every call takes the next copy, whichever method makes it
    order = seen[:copies]
    assert len(set(order)) == copies
    assert seen == [order[i % copies] for i in range(len(seen))]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt is Linux-only")
def test_pin_malloc_pins_glibc_thresholds():
    assert bench.pin_malloc().startswith("pinned: glibc M_MMAP_THRESHOLD 32 MiB")


def test_measure_all_hands_every_result_to_after():
    from dataclasses import replace

    from ssrl_ecg.bench.common import measure_all

    made, seen = [], []

    def make(name):
        def fn():
            made.append(object())
            return made[-1]
        return fn

    plan = replace(bench.PLANS["smoke"], reps=5, budget_s=60.0)
    measure_all(bench.Clock(torch.device("cpu")), [(n, make(n), None) for n in "ab"], plan,
                after=seen.append)
    assert len(made) == 2 * (1 + 5)  # warm-up and 5 rounds of two methods
    assert [id(o) for o in seen] == [id(o) for o in made]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise is Linux's")
def test_large_outputs_land_on_fresh_pages_inputs_are_kept():
    """The hook hands the pages of a large output back to the system: they read
    as zeros afterwards (fresh anonymous pages) and fault again when written,
    wherever glibc served the block from. Smaller outputs and inputs (what an
    in-place method returns) keep their data. Checked on live tensors, so the
    test does not depend on how this process's heap happens to be laid out."""
    import resource

    from ssrl_ecg.bench.common import FRESH_BYTES, fresh_outputs_hook

    def faults_of(fn):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        fn()
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    assert fresh_outputs_hook(torch.device("meta"), []) is None
    bench.pin_malloc()
    x = torch.full((FRESH_BYTES,), 7, dtype=torch.uint8)  # an input: never dropped
    after = fresh_outputs_hook(torch.device("cpu"), [x])
    out = torch.ones(64 << 20, dtype=torch.uint8)
    mask = torch.ones(16 << 20, dtype=torch.uint8)  # under the threshold: kept, reused

    after((out, mask, x, x[1:]))
    page = os.sysconf("SC_PAGE_SIZE")
    # its whole pages were dropped (zero-filled on read); the partial pages at its ends are kept
    assert int(out.count_nonzero()) < 2 * page
    assert bool((mask == 1).all()) and bool((x == 7).all())
    assert faults_of(lambda: out.fill_(2)) > 16  # fresh pages again (16384, or 32 huge pages)
    assert faults_of(lambda: out.fill_(3)) < 16  # without the hook: warm
    assert bool((out == 3).all())


def test_the_heap_scrubber_makes_a_warm_free_region_fresh():
    """Freed blocks under the threshold merge into a free heap region that
    still has its pages; a large block served from it keeps their old bytes
    and skips its page faults (the bimodal rows heap_scrubber names). After
    scrub() the same block reads as fresh zero pages. Checked by content, not
    by counting faults (with transparent huge pages one fault maps 2 MiB).
    Blocks from libc's malloc, as torch's CPU allocator takes them."""
    import ctypes

    import numpy as np

    from ssrl_ecg.bench.common import FRESH_BYTES, heap_scrubber

    cpu = torch.device("cpu")
    assert heap_scrubber(cpu, FRESH_BYTES - 1) is None  # small outputs stay reused
    assert heap_scrubber(torch.device("meta"), FRESH_BYTES) is None
    bench.pin_malloc()
    scrub = heap_scrubber(cpu, FRESH_BYTES)
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    big, small = 40 << 20, 16 << 20

    def old_bytes_in_a_large_block(scrub_now):
        """(the large block came from the freed region, the share of its bytes
        that still hold the region's old value 1)"""
        blocks = [libc.malloc(small) for _ in range(4)]
        for p in blocks:
            ctypes.memset(p, 1, small)  # resident
        for p in blocks:
            libc.free(p)  # one free region of 64 MiB with its pages
        scrub_now()
        p = libc.malloc(big)
        inside = min(blocks) <= p < max(blocks) + small
        data = np.frombuffer((ctypes.c_uint8 * big).from_address(p), dtype=np.uint8)
        share = float((data == 1).mean())
        libc.free(p)
        return inside, share

    inside, share = old_bytes_in_a_large_block(lambda: None)
    if not inside or share < 0.5:
        pytest.skip("this heap did not serve the large block from the warm region")
    inside, share = old_bytes_in_a_large_block(scrub)
    assert share < 0.01, f"{share:.0%} of the block kept its old bytes"


_KEEPS_SMALL_WARM = r"""
import ctypes, gc, sys
import numpy as np
import torch
from ssrl_ecg import bench
from ssrl_ecg.bench.common import FRESH_BYTES, heap_scrubber

bench.pin_malloc()
scrub = heap_scrubber(torch.device("cpu"), FRESH_BYTES)
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
piece, big, small = 16 << 20, 40 << 20, 8 << 20


def old_share(p, n):
    return float((np.frombuffer((ctypes.c_uint8 * n).from_address(p), dtype=np.uint8) == 1).mean())


blocks = [libc.malloc(piece) for _ in range(3)]
fence = libc.malloc(1 << 20)  # keeps the region off the heap's top
for p in blocks:
    ctypes.memset(p, 1, piece)
lo, hi = min(blocks), max(blocks) + piece
if hi - lo != 3 * piece + 2 * (blocks[1] - blocks[0] - piece) or fence < hi:
    sys.exit(3)  # this heap did not place the blocks side by side
for p in blocks:
    libc.free(p)  # one free region of 48 MiB with its pages
scrub()
p = libc.malloc(big)
assert not lo <= p < hi and old_share(p, big) < 0.01, "the large block was not a fresh mapping"
libc.free(p)
q = libc.malloc(small)
assert lo <= q < hi, "the small block did not come from the region's rest"
assert old_share(q, small) > 0.99, "the small block lost its pages"
libc.free(q)
"""


def test_the_heap_scrubber_keeps_small_blocks_warm():
    """The scrub holds its 32 MiB slices until it is dropped: a free region
    of 48 MiB with resident pages then serves no large block (glibc maps it
    freshly), and its remaining 16 MiB still serves a small block with its
    pages (the per-lead mask's case). Freeing the slices at once left their
    dropped pages to the next small blocks. In a fresh process: the heap of
    one that ran other tests may not place the blocks side by side."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    run = subprocess.run([sys.executable, "-c", _KEEPS_SMALL_WARM], env=env,
                         capture_output=True, text=True, timeout=120)
    if run.returncode == 3:
        pytest.skip("this heap did not place the blocks side by side")
    assert run.returncode == 0, run.stderr[-2000:]


def test_the_heap_scrubber_holds_at_most_max_plugs(monkeypatch):
    """A method whose freed temporaries leave 32 MiB at the heap's top every
    round (a reviewer's case) would add a plug each round; past MAX_PLUGS
    the slices are freed again."""
    import ctypes
    import gc

    from ssrl_ecg.bench import common

    bench.pin_malloc()
    monkeypatch.setattr(common, "MAX_PLUGS", 2)
    scrub = common.heap_scrubber(torch.device("cpu"), common.FRESH_BYTES)
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    try:
        for _ in range(5):
            tmps = [libc.malloc(15 << 20) for _ in range(3)]
            for t in tmps:
                ctypes.memset(t, 1, 15 << 20)
            for t in tmps:
                libc.free(t)
            scrub()
            assert len(scrub.plugs) <= 2
        assert len(scrub.plugs) == 2, "no round left a region to plug"
    finally:
        del scrub
        gc.collect()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_source_commit_names_the_checkout(tmp_path):
    from ssrl_ecg.bench.report import source_commit

    assert source_commit(tmp_path) is None  # not a checkout: an installed copy
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git + ["init", "-q"], check=True)
    (tmp_path / "f.txt").write_text("a\n")
    subprocess.run(git + ["add", "f.txt"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "one"], check=True)
    head = subprocess.run(git + ["rev-parse", "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    assert source_commit(tmp_path) == head
    (tmp_path / "f.txt").write_text("b\n")
    assert source_commit(tmp_path) == head + "+dirty"


def _gpu_rows(clone, ours, loop, scatter, arange, metrics, torchmetrics):
    """Synthetic CUDA results in the bench's row format (times in seconds)."""
    big = [256, 12, 5000]
    mask = [dict(method=m, shape=big, time_s=t) for m, t in
            (("clone", clone), ("ours", ours), ("reference_loop", loop),
             ("torch_scatter", scatter), ("torch_arange", arange))]
    met = [dict(method="ours", N=1000000, C=71, time_s=metrics),
           dict(method="torchmetrics", N=1000000, C=71, time_s=torchmetrics)]
    return {"cuda": {"mask": mask, "metrics": met}}


def _by_name(targets):
    return {t["target"]: t for t in targets if t["device"] == "cuda"}


def test_gpu_targets_pass_and_fall_short_at_the_issues_goals():
    from ssrl_ecg.bench.report import evaluate_targets
    # clone 100 us; ours 117 us is 85.5% of it, 500x faster than a 58.5 ms loop,
    # 3x faster than the best pure torch (351 us); metrics 2.9 ms and 20x.
    ok = _by_name(evaluate_targets(_gpu_rows(100e-6, 117e-6, 58.5e-3, 351e-6, 900e-6,
                                             2.9e-3, 58e-3), {"cuda": "NVIDIA H200"}))
    assert len(ok) == 5 and {t["status"] for t in ok.values()} == {"pass"}, ok
    frac = ok["mask [256,12,5000] f32 out of place: fraction of copy bandwidth (x.clone())"]
    assert frac["value"] == pytest.approx(100 / 117) and frac["goal"] == ">= 0.85"
    best = ok["mask [256,12,5000] f32 out of place: best pure torch / ours"]
    assert best["value"] == pytest.approx(351 / 117)  # the faster of the two compositions
    # each just past its goal: every target short
    short = _by_name(evaluate_targets(_gpu_rows(100e-6, 118e-6, 58e-3, 350e-6, 340e-6,
                                                3.1e-3, 61e-3), {"cuda": "NVIDIA H100 80GB HBM3"}))
    assert {name: t["status"] for name, t in short.items()} == {name: "short" for name in ok}
    assert short["multilabel_metrics [1000000,71]: time (ms)"]["value"] == pytest.approx(3.1)


def test_gpu_targets_judge_only_h100_h200():
    from ssrl_ecg.bench.report import evaluate_targets
    rows = _gpu_rows(100e-6, 117e-6, 58.5e-3, 351e-6, 900e-6, 2.9e-3, 58e-3)
    other = _by_name(evaluate_targets(rows, {"cuda": "NVIDIA A10G"}))
    assert {t["status"] for t in other.values()} == {"n/a"}
    assert all("A10G" in t["note"] and t["value"] is not None for t in other.values())
    missing = _gpu_rows(100e-6, None, None, None, None, None, None)  # nothing measured
    assert {t["status"] for t in _by_name(evaluate_targets(missing)).values()} == {"n/a"}


def test_issue11_rows_only_and_busy_core(tmp_path):
    # MultilabelMetrics vs scikit-learn and torchmetrics, confusion_counts K = 1002
    # vs K = 1, multilabel_metrics idle and with one core busy: validated, with targets
    argv = ["--smoke", "--device", "cpu", "--only", "streaming,counts_k,busy", "--busy-core",
            "--out", tmp_path]
    assert bench.main(argv) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    cpu = results["devices"]["cpu"]
    assert not cpu["mask"] and not cpu["metrics"]  # --only left them out
    assert {r["method"] for r in cpu["streaming"] if r["time_s"]} >= {"ours", "sklearn"}
    assert {r["method"] for r in cpu["counts_k"]} == {"ours_k1002", "ours_k1"}
    assert {r["busy"] for r in cpu["busy"]} == {False, True}
    for rows in (cpu["streaming"], cpu["counts_k"], cpu["busy"]):
        assert all(r["validated"] is not False for r in rows)
    names = " ".join(t["target"] for t in results["targets"])
    for want in ("time K=1002 / time K=1", "one core busy", "idle"):
        assert want in names, want
    assert "MultilabelMetrics at its defaults" in (tmp_path / "results.md").read_text()
    with pytest.raises(SystemExit):
        bench.main(["--smoke", "--only", "nope", "--out", tmp_path])
