"""The command line: runs the cases with a progress bar and writes the results."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from ..utils import apply_random_mask, multilabel_metrics
from .common import BLOCK_SIZE, CHANNELS, K_BINNED, MASK_RATIO, PLANS, Clock, Plan, pin_malloc
from .mask import bench_mask
from .masking import TOKEN_SHAPES, bench_span, bench_token
from .metrics import (bench_binned, bench_metrics, have_module, load_torchmetrics,
                      sklearn_reference, synthetic_scores, torchmetrics_metrics)
from .report import device_kind, environment, evaluate_targets, json_safe, markdown, plots
from .streaming import bench_busy, bench_counts_k, bench_streaming

#: --only groups: the case labels each one selects (a case label starts with "<dev> ")
GROUPS = {"mask": ("mask [", "mask sweep"), "metrics": ("metrics [",), "binned": ("counts K=100",),
          "masking": ("span/lead", "token_mask"), "streaming": ("MultilabelMetrics",),
          "counts_k": ("counts K=1002",), "busy": ("multilabel_metrics busy",)}


# ---- the run ----------------------------------------------------------------------------------


def _warm_up(device: torch.device, tmf) -> None:
    """First-call costs (imports, thread pools, CUDA context) outside every timing."""
    y, p = synthetic_scores(64, 5, device)
    multilabel_metrics(y, p)
    apply_random_mask(torch.randn(2, CHANNELS, 200, device=device), MASK_RATIO, BLOCK_SIZE)
    if have_module("sklearn"):
        sklearn_reference(y.cpu().numpy(), p.cpu().numpy())
    if tmf is not None:
        torchmetrics_metrics(tmf, y, p)
    if device.type == "cuda":
        torch.cuda.synchronize()


def _cases(devices, plan, tmf, results, busy_core=False):
    """(label, thunk) per benchmark case; each thunk appends its rows to results."""
    cases = []
    for device in devices:
        dev, clock = device.type, Clock(device)
        res = results["devices"].setdefault(
            dev, {"mask": [], "mask_sweep": [], "metrics": [], "binned": []})
        for B, T in plan.mask_shapes:
            cases.append((f"{dev} mask [{B},12,{T}]", lambda d=device, c=clock, r=res, B=B, T=T:
                          r["mask"].extend(bench_mask(d, plan, B, T, c))))
        for B in plan.sweep_b:
            cases.append((f"{dev} mask sweep B={B}", lambda d=device, c=clock, r=res, B=B:
                          r["mask_sweep"].extend(bench_mask(d, plan, B, 1000, c))))
        for C in plan.metric_c:
            for N in plan.metric_n:
                if dev == "cpu" and N * C > plan.cpu_cap:
                    continue
                cases.append((f"{dev} metrics [{N},{C}]", lambda d=device, c=clock, r=res, N=N, C=C:
                              r["metrics"].extend(bench_metrics(d, plan, N, C, c, tmf))))
        for N, C in plan.binned:
            cases.append((f"{dev} counts K=100 [{N},{C}]",
                          lambda d=device, c=clock, r=res, N=N, C=C:
                          r["binned"].extend(bench_binned(d, plan, N, C, c, tmf))))
        # the masks for self-supervised pretraining (bench/masking.py)
        res.setdefault("span", [])
        res.setdefault("token", [])
        for B, T in plan.mask_shapes:
            cases.append((f"{dev} span/lead masks [{B},12,{T}]",
                          lambda d=device, c=clock, r=res, B=B, T=T:
                          r["span"].extend(bench_span(d, plan, B, T, c))))
        for name in TOKEN_SHAPES:
            cases.append((f"{dev} token_mask {name}", lambda d=device, c=clock, r=res, n=name:
                          r["token"].extend(bench_token(d, plan, 256, n, c))))
        # issue 11 (bench/streaming.py)
        for key in ("streaming", "counts_k", "busy"):
            res.setdefault(key, [])
        for N in plan.stream_n:
            if dev == "cpu" and N * 71 > plan.cpu_cap:
                continue
            cases.append((f"{dev} MultilabelMetrics [{N},71]",
                          lambda d=device, c=clock, r=res, N=N:
                          r["streaming"].extend(bench_streaming(d, plan, N, 71, c, tmf))))
        cases.append((f"{dev} counts K=1002 vs K=1 [{plan.counts_k_n},71]",
                      lambda d=device, c=clock, r=res:
                      r["counts_k"].extend(bench_counts_k(d, plan, plan.counts_k_n, 71, c))))
        if dev == "cpu":
            for flag in ((False, True) if busy_core else (False,)):
                cases.append((f"{dev} multilabel_metrics busy={flag} [{plan.busy_n},71]",
                              lambda d=device, c=clock, r=res, b=flag:
                              r["busy"].extend(bench_busy(d, plan, plan.busy_n, 71, c, b))))
    return cases


def _notes(plan: Plan, tmf, skipped_cuda: bool) -> List[str]:
    notes = [
        f"mode {plan.mode}: up to {plan.reps} timed repeats after a first call, taken in "
        f"turns across the methods of a case, within {plan.budget_s} s per method (at least "
        f"3); an alternative's first call over {plan.slow_s} s is its measurement.",
        "ratios of two methods' times (time / x.clone(), time / ours, the targets) are paired: "
        "the median over rounds of the ratio within each round, where both were repeated in "
        "the same rounds; otherwise (a single-run alternative) the ratio of the medians.",
        "mask bandwidth: every method is charged 2 x the bytes of x (one read, one write); "
        "'of clone BW' = time(x.clone()) / time, so in place can exceed 100%.",
        "the reference loop draws starts in [0, T - block_size), ours (and the pure-torch and "
        "HF-style rows) in [0, T - block_size]; validation feeds every method our starts.",
        f"caps: scikit-learn and torchmetrics at N*C <= {plan.baseline_cap:.3g} and N <= "
        f"{plan.baseline_max_n:.3g}; the CPU at "
        f"N*C <= {plan.cpu_cap:.3g} (1e7 x 71 is 2.8 GB of float32 scores, ~10 GB with the AUROC "
        f"scratch); above the scikit-learn cap ours is checked against a numpy mid-rank "
        f"reference (N*C <= {plan.numpy_ref_cap:.3g}), beyond that (GPU) against our CPU op.",
        "torchmetrics rows use its defaults (validate_args=True) and work in float32: agreement "
        "to 1e-5 is required of them, 1e-9 of ours.",
        f"confusion_counts K={K_BINNED}: thresholds torch.linspace(0, 1, {K_BINNED}) (float32, "
        "what torchmetrics' thresholds=100 builds), float64 copies of them for ours.",
        "metrics inputs are not rotated: [21837, 71] fits in a GPU's L2, as it does in practice.",
    ]
    if tmf is None:
        notes.append("torchmetrics is not installed: its rows are n/a (pip install torchmetrics).")
    if skipped_cuda:
        notes.append("no CUDA device: CUDA rows and GPU targets skipped.")
    return notes


class _PlainProgress:
    """What the run uses of tqdm, printing a line per case."""

    def __init__(self, items, desc: str = "", unit: str = ""):
        self.items, self.desc = list(items), desc

    def __iter__(self):
        for i, item in enumerate(self.items):
            print(f"{self.desc}: {i + 1}/{len(self.items)}", flush=True)
            yield item

    def set_postfix_str(self, text: str) -> None:
        print(f"  {text}", flush=True)


def main(argv: Optional[List[Any]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ssrl_ecg bench",
                                     description="Side-by-side benchmarks (see ssrl_ecg.bench).")
    parser.add_argument("--quick", action="store_true", help="smaller sweep (well under a minute)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, seconds (for tests); wins over --quick")
    parser.add_argument("--targets", action="store_true",
                        help="only the shapes of the target table (the GPU proof)")
    parser.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                        help="cpu rows always with all; cuda rows where a GPU is present")
    parser.add_argument("--out", default=None,
                        help="output folder (default bench/results/<device-kind>/)")
    parser.add_argument("--only", default=None,
                        help="comma-separated groups to run: " + ", ".join(GROUPS))
    parser.add_argument("--busy-core", action="store_true",
                        help="also time multilabel_metrics with a process spinning on one core")
    parser.add_argument("--malloc", choices=("pinned", "default"), default="pinned",
                        help="pinned (default): fix glibc's mmap/trim thresholds so that "
                             "page faults do not depend on allocation history (see pin_malloc)")
    argv = sys.argv[1:] if argv is None else [os.fspath(a) for a in argv]
    if argv[:1] == ["--"]:  # python -m ssrl_ecg bench -- --quick
        argv = argv[1:]
    args = parser.parse_args(argv)
    plan = PLANS["smoke" if args.smoke else "quick" if args.quick else
                 "targets" if args.targets else "full"]

    devices = [torch.device("cpu")] if args.device in ("cpu", "all") else []
    skipped_cuda = False
    if args.device in ("cuda", "all"):
        if torch.cuda.is_available():
            devices.append(torch.device("cuda"))
        elif args.device == "cuda":
            print("ssrl_ecg bench: --device cuda but no CUDA device is available")
            return 1
        else:
            skipped_cuda = True
    out = Path(args.out) if args.out else Path("bench") / "results" / device_kind(devices)
    out.mkdir(parents=True, exist_ok=True)

    try:
        from tqdm import tqdm
    except ImportError:  # a bare machine: a line per case instead of a bar
        tqdm = _PlainProgress

    malloc = pin_malloc() if args.malloc == "pinned" else "default"

    tmf = load_torchmetrics()
    np.random.seed(0)
    torch.manual_seed(0)
    t_start = time.perf_counter()
    for device in devices:
        _warm_up(device, tmf)
    results: Dict[str, Any] = {"env": dict(environment(devices, plan), malloc=malloc),
                               "plan": plan.__dict__,
                               "devices": {}, "notes": _notes(plan, tmf, skipped_cuda)}
    cases = _cases(devices, plan, tmf, results, args.busy_core)
    if args.only:
        wanted = [g.strip() for g in args.only.split(",") if g.strip()]
        unknown = [g for g in wanted if g not in GROUPS]
        if unknown:
            parser.error(f"--only: unknown group(s) {unknown}; known: {list(GROUPS)}")
        keys = tuple(k for g in wanted for k in GROUPS[g])
        cases = [c for c in cases if c[0].split(" ", 1)[1].startswith(keys)]
        results["only"] = wanted
    bar = tqdm(cases, desc="ssrl_ecg bench", unit="case")
    for label, run in bar:
        bar.set_postfix_str(label)
        run()
    results["targets"] = evaluate_targets(results["devices"],
                                          results["env"].get("device_names"))
    ran = [r for res in results["devices"].values() for rows in res.values() for r in rows
           if r.get("validated") is not None]
    results["validated"] = all(r["validated"] for r in ran)
    results["wall_s"] = time.perf_counter() - t_start
    results["plots"] = plots(results, out)
    (out / "results.json").write_text(json.dumps(json_safe(results), indent=1) + "\n")
    report = markdown(results)
    (out / "results.md").write_text(report)
    print(report)
    print(f"wrote {out}/results.json, results.md and {len(results['plots'])} plots "
          f"in {results['wall_s']:.0f} s; all validated: {results['validated']}")
    return 0 if results["validated"] else 1
