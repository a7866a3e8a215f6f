/*
 * ops_cpu.cpp: the CPU kernels of the ssrl_ecg torch ops.
 *
 * Each checks its arguments (checks.h), makes its inputs contiguous, allocates
 * its outputs through torch and calls the C library's ssrl_*_cpu function.
 * Shapes and semantics: docs/semantics.md sections 1-3 and 6.
 */
#include <torch/csrc/stable/ops.h>

#include "alloc.h"
#include "checks.h"
#include "ops.h"

namespace ssrl_ecg_torch {

std::tuple<Tensor, Tensor> block_mask_cpu(const Tensor& x, const Tensor& seed, double mask_ratio,
                                          int64_t block_size) {
  const MaskShape s = check_block_mask_args("block_mask", x, seed, mask_ratio, block_size);
  const Tensor xc = contiguous_of(x);
  Tensor out = empty_as(xc, {s.B, s.C, s.T});
  Tensor mask = empty_on(xc, {s.B, s.T}, aoti_torch_dtype_bool());
  check_status(ssrl_block_mask_cpu(xc.const_data_ptr(), out.mutable_data_ptr(), mask_bytes(mask),
                                   s.B, s.C, s.T, s.elem_size, mask_ratio, block_size,
                                   host_seed(seed)),
               "block_mask", "x");
  return {out, mask};
}

Tensor block_mask__cpu(Tensor& x, const Tensor& seed, double mask_ratio, int64_t block_size) {
  const MaskShape s = check_block_mask_args("block_mask_", x, seed, mask_ratio, block_size);
  if (mask_ratio <= 0.0) {  // nothing to mask: x stays as it is, not even copied
    return torch::stable::new_zeros(x, {s.B, s.T}, ScalarType::Bool);
  }
  Tensor mask = empty_on(x, {s.B, s.T}, aoti_torch_dtype_bool());
  // A strided x is masked in a contiguous copy that is then copied back.
  const bool direct = x.is_contiguous();
  Tensor xc = direct ? x : torch::stable::contiguous(x);
  void* data = xc.mutable_data_ptr();
  check_status(ssrl_block_mask_cpu(data, data, mask_bytes(mask), s.B, s.C, s.T, s.elem_size,
                                   mask_ratio, block_size, host_seed(seed)),
               "block_mask_", "x");
  if (!direct) {
    torch::stable::copy_(x, xc);
  }
  return mask;
}

Tensor confusion_counts_cpu(const Tensor& y_true, const Tensor& y_prob, const Tensor& thresholds) {
  const ScoreShape s = check_score_args("confusion_counts", y_true, y_prob);
  const int64_t K = check_thresholds("confusion_counts", thresholds, y_prob);
  const Tensor yt = contiguous_of(y_true);
  const Tensor yp = contiguous_of(y_prob);
  const Tensor th = contiguous_of(thresholds);
  Tensor counts = empty_on(yp, {s.C, K, 4}, aoti_torch_dtype_int64());
  check_status(ssrl_confusion_counts2_cpu(labels(yt), s.labels_dtype, yp.const_data_ptr(),
                                          s.dtype, s.N, s.C, th.const_data_ptr<double>(), K,
                                          counts.mutable_data_ptr<int64_t>()),
               "confusion_counts", "y_prob");
  return counts;
}

Tensor auroc_cpu(const Tensor& y_true, const Tensor& y_prob) {
  const ScoreShape s = check_score_args("auroc", y_true, y_prob);
  const Tensor yt = contiguous_of(y_true);
  const Tensor yp = contiguous_of(y_prob);
  Tensor auroc = empty_on(yp, {s.C}, aoti_torch_dtype_float64());
  check_status(ssrl_auroc_auprc_cpu(labels(yt), s.labels_dtype, yp.const_data_ptr(), s.dtype,
                                    s.N, s.C, auroc.mutable_data_ptr<double>(), nullptr),
               "auroc", "y_prob");
  return auroc;
}

std::tuple<Tensor, Tensor> auroc_auprc_cpu(const Tensor& y_true, const Tensor& y_prob) {
  const ScoreShape s = check_score_args("auroc_auprc", y_true, y_prob);
  const Tensor yt = contiguous_of(y_true);
  const Tensor yp = contiguous_of(y_prob);
  Tensor auroc = empty_on(yp, {s.C}, aoti_torch_dtype_float64());
  Tensor auprc = empty_on(yp, {s.C}, aoti_torch_dtype_float64());
  check_status(ssrl_auroc_auprc_cpu(labels(yt), s.labels_dtype, yp.const_data_ptr(), s.dtype,
                                    s.N, s.C, auroc.mutable_data_ptr<double>(),
                                    auprc.mutable_data_ptr<double>()),
               "auroc_auprc", "y_prob");
  return {auroc, auprc};
}

}  // namespace ssrl_ecg_torch
