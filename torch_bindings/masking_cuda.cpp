/*
 * masking_cuda.cpp: the CUDA kernels of span_mask, lead_mask and token_mask.
 *
 * As ops_cuda.cpp: arguments checked (masking_ops.h), outputs and workspace
 * allocated through torch's caching allocator, the C launchers called on
 * torch's *current* stream of the data's device, nothing synchronized. The
 * seed is read by the kernels from device memory (a CPU seed is first copied
 * over without blocking), so a CUDA graph replays with fresh masks.
 * Semantics: docs/semantics.md, "Masks for self-supervised pretraining".
 */
#include <torch/csrc/inductor/aoti_torch/c/shim.h>
#include <torch/csrc/stable/accelerator.h>
#include <torch/csrc/stable/ops.h>

#include "cuda_driver.h"
#include "masking_ops.h"

namespace ssrl_ecg_torch {
namespace {

/* ops_cuda.cpp's helpers of the same names (local there). */
void* stream_of(const Tensor& t) {
  void* stream = nullptr;
  TORCH_ERROR_CODE_CHECK(aoti_torch_get_current_cuda_stream(t.get_device_index(), &stream));
  return stream;
}

Tensor seed_on(const Tensor& seed, const Tensor& like) {
  if (!seed.is_cpu()) {
    return seed;
  }
  return torch::stable::to(torch::stable::clone(seed), like.device(), /*non_blocking=*/true);
}

const uint64_t* seed_ptr(const Tensor& dseed) {
  return static_cast<const uint64_t*>(dseed.const_data_ptr());
}

Tensor workspace(const Tensor& like, size_t bytes) {
  return torch::stable::new_empty(like, {static_cast<int64_t>(bytes)}, ScalarType::Byte);
}

/* The driver first (docs/semantics.md section 10.5), then the device. */
void check_cuda_x(const char* op, const Tensor& x) {
  check_cuda_driver(op);
  SSRL_TORCH_CHECK_ARG(x.is_cuda(), op, "x", "must be a CUDA tensor, got ", device_str(x.device()));
}

/* span_mask and span_mask_: out == x masks in place. */
void span_launch(const char* op, const Tensor& xc, Tensor& out, Tensor& mask, const MaskShape& s,
                 const Tensor& seed, double mask_ratio, int64_t span, bool per_lead, bool exact,
                 const std::optional<Tensor>& fill) {
  size_t bytes = 0;
  check_status(ssrl_span_mask_cuda_workspace_size(s.B, s.C, s.T, mask_ratio, span, per_lead,
                                                  exact, &bytes),
               op, "x");
  Tensor ws = workspace(xc, bytes);
  const Tensor fc = fill.has_value() ? torch::stable::contiguous(*fill) : xc;  // xc: unused
  const Tensor dseed = seed_on(seed, xc);
  check_status(ssrl_span_mask_cuda(xc.const_data_ptr(), out.mutable_data_ptr(), mask_bytes(mask),
                                   s.B, s.C, s.T, s.elem_size, mask_ratio, span, per_lead, exact,
                                   fill.has_value() ? fc.const_data_ptr() : nullptr,
                                   seed_ptr(dseed), ws.mutable_data_ptr(), bytes, stream_of(xc)),
               op, "x");
}

void lead_launch(const char* op, const Tensor& xc, Tensor& out, Tensor& dropped,
                 const MaskShape& s, const Tensor& seed, double p, bool exact) {
  size_t bytes = 0;
  check_status(ssrl_lead_mask_cuda_workspace_size(s.B, s.C, p, exact, &bytes), op, "x");
  Tensor ws = workspace(xc, bytes);
  const Tensor dseed = seed_on(seed, xc);
  check_status(ssrl_lead_mask_cuda(xc.const_data_ptr(), out.mutable_data_ptr(),
                                   mask_bytes(dropped), s.B, s.C, s.T, s.elem_size, p, exact,
                                   seed_ptr(dseed), ws.mutable_data_ptr(), bytes, stream_of(xc)),
               op, "x");
}

Tensor mask_like(const Tensor& x, const MaskShape& s, bool per_lead) {
  return per_lead ? torch::stable::new_empty(x, {s.B, s.C, s.T}, ScalarType::Bool)
                  : torch::stable::new_empty(x, {s.B, s.T}, ScalarType::Bool);
}

}  // namespace

std::tuple<Tensor, Tensor> span_mask_cuda(const Tensor& x, const Tensor& seed, double mask_ratio,
                                          int64_t span, bool per_lead, bool exact,
                                          std::optional<Tensor> fill) {
  const MaskShape s = check_span_mask_args("span_mask", x, seed, mask_ratio, span, fill);
  check_cuda_x("span_mask", x);
  const torch::stable::accelerator::DeviceGuard guard(x.get_device_index());
  const Tensor xc = torch::stable::contiguous(x);
  Tensor out = torch::stable::new_empty(xc, {s.B, s.C, s.T});
  Tensor mask = mask_like(xc, s, per_lead);
  span_launch("span_mask", xc, out, mask, s, seed, mask_ratio, span, per_lead, exact, fill);
  return {out, mask};
}

Tensor span_mask__cuda(Tensor& x, const Tensor& seed, double mask_ratio, int64_t span,
                       bool per_lead, bool exact, std::optional<Tensor> fill) {
  const MaskShape s = check_span_mask_args("span_mask_", x, seed, mask_ratio, span, fill);
  check_cuda_x("span_mask_", x);
  const torch::stable::accelerator::DeviceGuard guard(x.get_device_index());
  Tensor mask = mask_like(x, s, per_lead);
  const bool direct = x.is_contiguous();
  Tensor xc = direct ? x : torch::stable::contiguous(x);
  span_launch("span_mask_", xc, xc, mask, s, seed, mask_ratio, span, per_lead, exact, fill);
  if (!direct) {
    torch::stable::copy_(x, xc);
  }
  return mask;
}

std::tuple<Tensor, Tensor> lead_mask_cuda(const Tensor& x, const Tensor& seed, double p,
                                          bool exact) {
  const MaskShape s = check_lead_mask_args("lead_mask", x, seed, p);
  check_cuda_x("lead_mask", x);
  const torch::stable::accelerator::DeviceGuard guard(x.get_device_index());
  const Tensor xc = torch::stable::contiguous(x);
  Tensor out = torch::stable::new_empty(xc, {s.B, s.C, s.T});
  Tensor dropped = torch::stable::new_empty(xc, {s.B, s.C}, ScalarType::Bool);
  lead_launch("lead_mask", xc, out, dropped, s, seed, p, exact);
  return {out, dropped};
}

Tensor lead_mask__cuda(Tensor& x, const Tensor& seed, double p, bool exact) {
  const MaskShape s = check_lead_mask_args("lead_mask_", x, seed, p);
  check_cuda_x("lead_mask_", x);
  const torch::stable::accelerator::DeviceGuard guard(x.get_device_index());
  Tensor dropped = torch::stable::new_empty(x, {s.B, s.C}, ScalarType::Bool);
  const bool direct = x.is_contiguous();
  Tensor xc = direct ? x : torch::stable::contiguous(x);
  lead_launch("lead_mask_", xc, xc, dropped, s, seed, p, exact);
  if (!direct) {
    torch::stable::copy_(x, xc);
  }
  return dropped;
}

std::tuple<Tensor, Tensor, Tensor> token_mask_cuda(const Tensor& seed, int64_t B, int64_t G,
                                                   int64_t L, double mask_ratio) {
  const int64_t len_keep = check_token_mask_args("token_mask", seed, B, G, L, mask_ratio);
  check_cuda_driver("token_mask");
  SSRL_TORCH_CHECK_ARG(seed.is_cuda(), "token_mask", "seed", "must be a CUDA tensor here");
  const torch::stable::accelerator::DeviceGuard guard(seed.get_device_index());
  int64_t rows = 0;
  SSRL_TORCH_CHECK_ARG(!__builtin_mul_overflow(B, G, &rows), "token_mask", "shape",
                       "is too large");
  size_t bytes = 0;
  check_status(ssrl_token_mask_cuda_workspace_size(rows, L, mask_ratio, &bytes), "token_mask",
               "shape");
  Tensor ws = workspace(seed, bytes);
  Tensor ids_keep = torch::stable::new_empty(seed, {B, G, len_keep}, ScalarType::Long);
  Tensor ids_restore = torch::stable::new_empty(seed, {B, G, L}, ScalarType::Long);
  Tensor mask = torch::stable::new_empty(seed, {B, G, L}, ScalarType::Float);
  check_status(ssrl_token_mask_cuda(rows, L, mask_ratio, seed_ptr(seed),
                                    ids_keep.mutable_data_ptr<int64_t>(),
                                    ids_restore.mutable_data_ptr<int64_t>(),
                                    mask.mutable_data_ptr<float>(), ws.mutable_data_ptr(), bytes,
                                    stream_of(seed)),
               "token_mask", "shape");
  return {ids_keep, ids_restore, mask};
}

}  // namespace ssrl_ecg_torch
