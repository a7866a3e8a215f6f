"""Side-by-side benchmarks of the ssrl_ecg ops against what a user would pick instead.

    python -m ssrl_ecg bench [--quick | --smoke] [--device cpu|cuda|all] [--out DIR]
                             [--malloc pinned|default] [--only GROUPS] [--busy-core]
    python -m ssrl_ecg.bench ...          (the same)

Modules: ``common`` (settings, plans, timing), ``mask`` and ``metrics`` (the
alternatives, their validation and timing), ``report`` (targets, environment,
tables, plots), ``run`` (the command line). ``masking``: span_mask, lead_mask and
token_mask against transformers' and fairseq-signals' span masks, a pure-torch
per-lead composition, ``rand < p`` lead drops and MAE's ``random_masking``, each
with the masked fraction it reaches (see its docstring). ``streaming`` (issue 11):
MultilabelMetrics (AUROC + AUPRC) against scikit-learn and torchmetrics at
[2e5, 71] and [1e6, 71], confusion_counts at K = 1002 against K = 1, and
multilabel_metrics with one core busy (``--busy-core``). ``--only`` runs some
groups: mask, metrics, binned, masking, streaming, counts_k, busy.

Every alternative runs in this one process and run, on the same data, each
validated before it is timed; a table gives each one's time as a ratio of ours
and, for masking, the fraction of the bandwidth ceiling (``x.clone()``) reached.

apply_random_mask (x [B, 12, T] float32, mask_ratio 0.15, block_size 50)
    ours            ``apply_random_mask``: out of place, ``return_mask=True``
                    (the op always makes the mask; this returns it), ``inplace=True``
    reference loop  the seed page's per-sample Python loop of slice writes, numpy RNG
    pure torch      starts by ``torch.randint`` on the device, a [B, T] mask by
                    scatter_add + cumsum, or by arange comparisons, then masked_fill
    HF-style        span mask made with numpy on the host (``np.put_along_axis``, as
                    transformers' ``_compute_mask_indices``), copied over, multiplied
    x.clone()       one read and one write of x: the bandwidth ceiling
    Shapes [64, 12, 1000] (the reference's training config), [256, 12, 5000] and a
    sweep of B at [B, 12, 1000]. Validation, per shape: the seed our op draws is run
    through Philox4x32-10 written here in numpy (docs/semantics.md section 1); ours must
    give that mask exactly, and every other method, fed those starts, ours
    (``torch.equal``; the HF-style multiply may write -0.0 for 0).

multilabel_metrics (y_true uint8, y_prob float32 [N, C], C in {5, 71})
    ours, the scikit-learn reference of the seed page, torchmetrics' functional
    multilabel F1 (macro), AUROC (macro), recall and specificity (micro). Ours must
    match scikit-learn to 1e-9 (above scikit-learn's cap: a numpy mid-rank
    reference; on a GPU beyond that: our CPU op); torchmetrics, which works in
    float32, to 1e-5.

confusion_counts with K = 100 thresholds ``torch.linspace(0, 1, 100)`` (what
    torchmetrics' ``thresholds=100`` means) vs torchmetrics'
    ``multilabel_precision_recall_curve`` and its per-class binary loop; our counts
    must equal a sort-based torch reference exactly, torchmetrics' precision and
    recall ours to 1e-6.

Timing: a first call (warm-up, and the result that is validated), then rounds
that time every method once, in an order shuffled each round, until ``reps``
rounds or the time budget; the median is reported. A first call of an
alternative slower than ``slow_s`` is itself the measurement (scikit-learn at
large N). CPU times use ``time.perf_counter``; GPU times CUDA events around
back-to-back calls lasting ~1 ms. Mask inputs rotate over copies totalling
256 MiB or 32 copies, whichever is fewer (98 MB at [64, 12, 1000]; small
batches stay in cache, as they would in training), one rotation for all
methods, so each call reads memory no other call has just cached. glibc
malloc's thresholds are pinned first (``--malloc default`` leaves them; see
``pin_malloc``); outputs of 32 MiB and more land on fresh pages on every call
(``fresh_outputs_hook`` and ``heap_scrubber``, untimed).

Caps (each skipped row says why), chosen so the full CPU run fits 24 GB and a
few minutes on 2 cores: scikit-learn and torchmetrics at N*C <= 7.1e7 and
N <= 1e6 (1e6 x 71 takes ~30 s a call each there), N*C <= 2e6 in --quick;
anything on the CPU at N*C <= 1e8 (1e7 x 71 float32 is 2.8 GB of scores and
~10 GB with the AUROC scratch; a GPU runs it); torchmetrics' multilabel binned
path materialises [N, C, K] int64 tensors and runs where ~25*N*C*K bytes fit in
half the free memory and 6 GB; its per-class loop (C*K passes over N) at
N*C <= 2e6 (1e6 in --quick).

Output in --out (default ``bench/results/<device-kind>/`` under the current
directory): results.json (environment and every figure), results.md (the tables
and the targets with pass/short), PNG plots (time vs size, log-log). Exit status
0 when every method that ran was validated, else 1.
"""

from .common import PLANS, Clock, Plan, measure_all, pin_malloc
from .mask import (MASK_METHODS, bench_mask, hf_numpy, philox_starts, pure_torch, reference_loop,
                   validate_mask)
from .metrics import bench_binned, bench_metrics, numpy_reference, sklearn_reference
from .run import main

__all__ = ["PLANS", "Clock", "Plan", "measure_all", "pin_malloc", "MASK_METHODS", "bench_mask",
           "hf_numpy", "philox_starts", "pure_torch", "reference_loop", "validate_mask",
           "bench_binned", "bench_metrics", "numpy_reference", "sklearn_reference", "main"]
