/*
 * ops.h: the torch kernels of the ssrl_ecg ops, one per op and backend.
 *
 * Defined in ops_cpu.cpp (ssrl_*_cpu) and ops_cuda.cpp (ssrl_*_cuda), registered
 * in torch_bindings.cpp. The schemas are docs/semantics.md section 6:
 *
 *   block_mask(x, seed, mask_ratio, block_size) -> (out, mask)
 *   block_mask_(x!, seed, mask_ratio, block_size) -> mask
 *   confusion_counts(y_true, y_prob, thresholds) -> counts [C, K, 4] int64
 *   auroc(y_true, y_prob) -> auroc [C] float64
 *   auroc_auprc(y_true, y_prob) -> (auroc [C], auprc [C]) float64 (docs/semantics.md s.9.2)
 *
 * y_true may be bool or of any integer or floating dtype (values 0 and 1),
 * read in place (docs/semantics.md section 9.1).
 */
#pragma once

#include <cstdint>
#include <tuple>

#include <torch/csrc/stable/tensor.h>

namespace ssrl_ecg_torch {

using torch::stable::Tensor;

std::tuple<Tensor, Tensor> block_mask_cpu(const Tensor& x, const Tensor& seed, double mask_ratio,
                                          int64_t block_size);
Tensor block_mask__cpu(Tensor& x, const Tensor& seed, double mask_ratio, int64_t block_size);
Tensor confusion_counts_cpu(const Tensor& y_true, const Tensor& y_prob, const Tensor& thresholds);
Tensor auroc_cpu(const Tensor& y_true, const Tensor& y_prob);
std::tuple<Tensor, Tensor> auroc_auprc_cpu(const Tensor& y_true, const Tensor& y_prob);

/* In ops_cuda.cpp, or in no_cuda.cpp where the build has no CUDA kernels. */
std::tuple<Tensor, Tensor> block_mask_cuda(const Tensor& x, const Tensor& seed, double mask_ratio,
                                           int64_t block_size);
Tensor block_mask__cuda(Tensor& x, const Tensor& seed, double mask_ratio, int64_t block_size);
Tensor confusion_counts_cuda(const Tensor& y_true, const Tensor& y_prob, const Tensor& thresholds);
Tensor auroc_cuda(const Tensor& y_true, const Tensor& y_prob);
std::tuple<Tensor, Tensor> auroc_auprc_cuda(const Tensor& y_true, const Tensor& y_prob);

}  // namespace ssrl_ecg_torch
