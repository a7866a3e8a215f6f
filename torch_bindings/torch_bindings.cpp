/*
 * torch_bindings.cpp: the ssrl_ecg torch ops, their schemas written once
 * (docs/semantics.md section 6), and the registration of each backend's kernels.
 *
 * Built on the stable libtorch ABI (torch/csrc/stable, TORCH_TARGET_VERSION
 * 2.10), so one binary loads into any torch >= 2.10:
 *
 *   import torch; torch.ops.load_library(".../_ssrl_ecg_ops.so")
 *   out, mask = torch.ops.ssrl_ecg.block_mask(x, seed, 0.25, 50)
 *
 * The stable library has no per-op dispatch key, so a def and its kernels
 * cannot share one block: the schemas come first, then one block per backend,
 * in the same order. Fake kernels and autograd are registered in Python
 * (ssrl_ecg/ops.py).
 */
#include <torch/csrc/stable/library.h>

#include "masking_ops.h"
#include "ops.h"

using namespace ssrl_ecg_torch;

STABLE_TORCH_LIBRARY(ssrl_ecg, m) {
  // Zero random time blocks of x [B, C, T], all channels alike; mask [B, T] bool.
  m.def("block_mask(Tensor x, Tensor seed, float mask_ratio, int block_size)"
        " -> (Tensor out, Tensor mask)");
  // block_mask in place: x is masked where it lies; returns the mask.
  m.def("block_mask_(Tensor(a!) x, Tensor seed, float mask_ratio, int block_size)"
        " -> Tensor mask");
  // (TP, FP, TN, FN) [C, K, 4] int64 for every class and threshold, y_prob >= t.
  m.def("confusion_counts(Tensor y_true, Tensor y_prob, Tensor thresholds) -> Tensor counts");
  // Exact per-class AUROC [C] float64, ties counted half; NaN for a one-label class.
  m.def("auroc(Tensor y_true, Tensor y_prob) -> Tensor auroc");
  // AUROC and average precision [C] float64 from one sort; AUPRC NaN for a class with no positive.
  m.def("auroc_auprc(Tensor y_true, Tensor y_prob) -> (Tensor auroc, Tensor auprc)");
  // Masks for self-supervised pretraining (docs/semantics.md): random time spans,
  // per sample or per lead, overlapping or exact, zeros or fill[c]; mask [B, T] or [B, C, T].
  m.def("span_mask(Tensor x, Tensor seed, float mask_ratio, int span, bool per_lead, bool exact,"
        " Tensor? fill) -> (Tensor out, Tensor mask)");
  // span_mask in place: x is masked where it lies; returns the mask.
  m.def("span_mask_(Tensor(a!) x, Tensor seed, float mask_ratio, int span, bool per_lead,"
        " bool exact, Tensor? fill) -> Tensor mask");
  // Zero whole leads, each with probability p or exactly round(p * C); dropped [B, C] bool.
  m.def("lead_mask(Tensor x, Tensor seed, float p, bool exact) -> (Tensor out, Tensor dropped)");
  // lead_mask in place; returns dropped.
  m.def("lead_mask_(Tensor(a!) x, Tensor seed, float p, bool exact) -> Tensor dropped");
  // MAE token masking of B * G groups of L tokens on seed's device.
  m.def("token_mask(Tensor seed, int B, int G, int L, float mask_ratio)"
        " -> (Tensor ids_keep, Tensor ids_restore, Tensor mask)");
}

STABLE_TORCH_LIBRARY_IMPL(ssrl_ecg, CPU, m) {
  m.impl("block_mask", TORCH_BOX(&block_mask_cpu));
  m.impl("block_mask_", TORCH_BOX(&block_mask__cpu));
  m.impl("confusion_counts", TORCH_BOX(&confusion_counts_cpu));
  m.impl("auroc", TORCH_BOX(&auroc_cpu));
  m.impl("auroc_auprc", TORCH_BOX(&auroc_auprc_cpu));
  m.impl("span_mask", TORCH_BOX(&span_mask_cpu));
  m.impl("span_mask_", TORCH_BOX(&span_mask__cpu));
  m.impl("lead_mask", TORCH_BOX(&lead_mask_cpu));
  m.impl("lead_mask_", TORCH_BOX(&lead_mask__cpu));
  m.impl("token_mask", TORCH_BOX(&token_mask_cpu));
}

// The CUDA kernels, or in a build without them (no_cuda.cpp) kernels that say
// so on a CUDA tensor (docs/semantics.md section 10.6).
STABLE_TORCH_LIBRARY_IMPL(ssrl_ecg, CUDA, m) {
  m.impl("block_mask", TORCH_BOX(&block_mask_cuda));
  m.impl("block_mask_", TORCH_BOX(&block_mask__cuda));
  m.impl("confusion_counts", TORCH_BOX(&confusion_counts_cuda));
  m.impl("auroc", TORCH_BOX(&auroc_cuda));
  m.impl("auroc_auprc", TORCH_BOX(&auroc_auprc_cuda));
  m.impl("span_mask", TORCH_BOX(&span_mask_cuda));
  m.impl("span_mask_", TORCH_BOX(&span_mask__cuda));
  m.impl("lead_mask", TORCH_BOX(&lead_mask_cuda));
  m.impl("lead_mask_", TORCH_BOX(&lead_mask__cuda));
  m.impl("token_mask", TORCH_BOX(&token_mask_cuda));
}
