/*
 * ops_cuda.cpp: the CUDA kernels of the ssrl_ecg torch ops.
 *
 * Each checks its arguments (checks.h), makes its inputs contiguous, allocates
 * outputs and scratch through torch's caching allocator and calls the C
 * library's ssrl_*_cuda launcher on torch's *current* stream of the input's
 * device. Nothing here synchronizes:
 *
 *   - a seed on the CPU is copied to the device with a non-blocking copy (from
 *     pageable memory, which cannot be captured in a CUDA graph: pass the seed on
 *     the device there; the launcher reads it from the device, so a graph
 *     replays with whatever seed the tensor holds then);
 *   - workspace is a uint8 tensor of the size the launcher's query asks for;
 *   - bad values (labels outside {0, 1}, NaN scores or thresholds) are only seen
 *     on the device. Reading the launcher's `invalid` flag would synchronize,
 *     so these ops pass none: the outputs for a class with bad values are
 *     unspecified, and the Python layer checks values without a sync
 *     (ssrl_ecg.utils.metrics_and_flags) or with one (ops.py, check_values=True).
 *
 * Compiled as C++ (no kernels here, no CUDA headers); needs USE_CUDA for the
 * CUDA declarations in the torch shim.
 */
#include <torch/csrc/inductor/aoti_torch/c/shim.h>
#include <torch/csrc/stable/accelerator.h>
#include <torch/csrc/stable/ops.h>

#include <optional>

#include "checks.h"
#include "cuda_driver.h"
#include "ops.h"

namespace ssrl_ecg_torch {
namespace {

void* current_stream(const Tensor& t) {
  void* stream = nullptr;
  TORCH_ERROR_CODE_CHECK(aoti_torch_get_current_cuda_stream(t.get_device_index(), &stream));
  return stream;
}

/* The seed as a device tensor on x's device. A CPU seed is cloned first, so a
   pinned one cannot be changed by the caller before the queued copy reads it. */
Tensor device_seed(const Tensor& seed, const Tensor& x) {
  if (!seed.is_cpu()) {
    return seed;
  }
  return torch::stable::to(torch::stable::clone(seed), x.device(), /*non_blocking=*/true);
}

/* The block mask's workspace: none for clips of up to 2048 blocks a sample
   (no allocation on the hot path); long recordings get their starts bucketed
   by time tile in it. */
std::optional<Tensor> mask_workspace(const Tensor& x, const MaskShape& s, double mask_ratio,
                                     int64_t block_size, const char* op, size_t* bytes) {
  check_status(ssrl_block_mask_cuda_workspace_size(s.B, s.T, mask_ratio, block_size, bytes), op,
               "x");
  if (*bytes == 0) {
    return std::nullopt;
  }
  return torch::stable::new_empty(x, {static_cast<int64_t>(*bytes)}, ScalarType::Byte);
}

/* The driver first (docs/semantics.md section 10.5), then the device. */
void check_cuda(const char* op, const char* arg, const Tensor& t) {
  check_cuda_driver(op);
  SSRL_TORCH_CHECK_ARG(t.is_cuda(), op, arg, "must be a CUDA tensor, got ", device_str(t.device()));
}

}  // namespace

std::tuple<Tensor, Tensor> block_mask_cuda(const Tensor& x, const Tensor& seed, double mask_ratio,
                                           int64_t block_size) {
  const MaskShape s = check_block_mask_args("block_mask", x, seed, mask_ratio, block_size);
  check_cuda("block_mask", "x", x);
  const torch::stable::accelerator::DeviceGuard guard(x.get_device_index());
  const Tensor xc = torch::stable::contiguous(x);
  Tensor out = torch::stable::new_empty(xc, {s.B, s.C, s.T});
  Tensor mask = torch::stable::new_empty(xc, {s.B, s.T}, ScalarType::Bool);
  const Tensor dseed = device_seed(seed, x);
  size_t ws_bytes = 0;
  std::optional<Tensor> ws = mask_workspace(xc, s, mask_ratio, block_size, "block_mask", &ws_bytes);
  check_status(ssrl_block_mask_cuda(xc.const_data_ptr(), out.mutable_data_ptr(), mask_bytes(mask),
                                    s.B, s.C, s.T, s.elem_size, mask_ratio, block_size,
                                    static_cast<const uint64_t*>(dseed.const_data_ptr()),
                                    ws ? ws->mutable_data_ptr() : nullptr, ws_bytes,
                                    current_stream(x)),
               "block_mask", "x");
  return {out, mask};
}

Tensor block_mask__cuda(Tensor& x, const Tensor& seed, double mask_ratio, int64_t block_size) {
  const MaskShape s = check_block_mask_args("block_mask_", x, seed, mask_ratio, block_size);
  check_cuda("block_mask_", "x", x);
  const torch::stable::accelerator::DeviceGuard guard(x.get_device_index());
  if (mask_ratio <= 0.0) {  // nothing to mask: x stays as it is, not even copied
    return torch::stable::new_zeros(x, {s.B, s.T}, ScalarType::Bool);
  }
  Tensor mask = torch::stable::new_empty(x, {s.B, s.T}, ScalarType::Bool);
  const bool direct = x.is_contiguous();
  Tensor xc = direct ? x : torch::stable::contiguous(x);
  void* data = xc.mutable_data_ptr();
  const Tensor dseed = device_seed(seed, x);
  size_t ws_bytes = 0;
  std::optional<Tensor> ws = mask_workspace(xc, s, mask_ratio, block_size, "block_mask_", &ws_bytes);
  check_status(ssrl_block_mask_cuda(data, data, mask_bytes(mask), s.B, s.C, s.T, s.elem_size,
                                    mask_ratio, block_size,
                                    static_cast<const uint64_t*>(dseed.const_data_ptr()),
                                    ws ? ws->mutable_data_ptr() : nullptr, ws_bytes,
                                    current_stream(x)),
               "block_mask_", "x");
  if (!direct) {
    torch::stable::copy_(x, xc);
  }
  return mask;
}

Tensor confusion_counts_cuda(const Tensor& y_true, const Tensor& y_prob, const Tensor& thresholds) {
  const ScoreShape s = check_score_args("confusion_counts", y_true, y_prob);
  const int64_t K = check_thresholds("confusion_counts", thresholds, y_prob);
  check_cuda("confusion_counts", "y_prob", y_prob);
  const torch::stable::accelerator::DeviceGuard guard(y_prob.get_device_index());
  const Tensor yt = torch::stable::contiguous(y_true);
  const Tensor yp = torch::stable::contiguous(y_prob);
  const Tensor th = torch::stable::contiguous(thresholds);
  size_t bytes = 0;
  check_status(ssrl_confusion_counts_cuda_workspace_size(s.N, s.C, K, &bytes), "confusion_counts",
               "y_prob");
  Tensor workspace =
      torch::stable::new_empty(yp, {static_cast<int64_t>(bytes)}, ScalarType::Byte);
  Tensor counts = torch::stable::new_empty(yp, {s.C, K, 4}, ScalarType::Long);
  check_status(ssrl_confusion_counts2_cuda(labels(yt), s.labels_dtype, yp.const_data_ptr(),
                                           s.dtype, s.N, s.C, th.const_data_ptr<double>(), K,
                                          counts.mutable_data_ptr<int64_t>(),
                                          /*invalid=*/nullptr, workspace.mutable_data_ptr(), bytes, current_stream(yp)),
               "confusion_counts", "y_prob");
  return counts;
}

/* auroc and auroc_auprc are one launch (docs/semantics.md section 9.2): auroc
   alone passes no AUPRC output and needs only the AUROC's workspace. */
static std::tuple<Tensor, Tensor> launch_auroc_auprc(const char* op, const Tensor& y_true,
                                                     const Tensor& y_prob, bool with_auprc) {
  const ScoreShape s = check_score_args(op, y_true, y_prob);
  check_cuda(op, "y_prob", y_prob);
  const torch::stable::accelerator::DeviceGuard guard(y_prob.get_device_index());
  const Tensor yt = torch::stable::contiguous(y_true);
  const Tensor yp = torch::stable::contiguous(y_prob);
  size_t bytes = 0;
  check_status(with_auprc ? ssrl_auroc_auprc_cuda_workspace_size(s.N, s.C, s.dtype, &bytes)
                          : ssrl_auroc_cuda_workspace_size(s.N, s.C, s.dtype, &bytes),
               op, "y_prob");
  Tensor workspace =
      torch::stable::new_empty(yp, {static_cast<int64_t>(bytes)}, ScalarType::Byte);
  Tensor auroc = torch::stable::new_empty(yp, {s.C}, ScalarType::Double);
  Tensor auprc = with_auprc ? torch::stable::new_empty(yp, {s.C}, ScalarType::Double) : auroc;
  check_status(ssrl_auroc_auprc_cuda(labels(yt), s.labels_dtype, yp.const_data_ptr(), s.dtype,
                                     s.N, s.C, auroc.mutable_data_ptr<double>(),
                                     with_auprc ? auprc.mutable_data_ptr<double>() : nullptr,
                                     /*invalid=*/nullptr, workspace.mutable_data_ptr(), bytes,
                                     current_stream(yp)),
               op, "y_prob");
  return {auroc, auprc};
}

Tensor auroc_cuda(const Tensor& y_true, const Tensor& y_prob) {
  return std::get<0>(launch_auroc_auprc("auroc", y_true, y_prob, /*with_auprc=*/false));
}

std::tuple<Tensor, Tensor> auroc_auprc_cuda(const Tensor& y_true, const Tensor& y_prob) {
  return launch_auroc_auprc("auroc_auprc", y_true, y_prob, /*with_auprc=*/true);
}

}  // namespace ssrl_ecg_torch
