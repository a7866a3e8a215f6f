/*
 * masking_ops.h: the torch kernels of span_mask, lead_mask and token_mask, one
 * per op and backend (masking_cpu.cpp, masking_cuda.cpp), registered in
 * torch_bindings.cpp; argument checks shared by both backends. Semantics:
 * docs/semantics.md, "Masks for self-supervised pretraining".
 *
 *   span_mask(x, seed, mask_ratio, span, per_lead, exact, fill?) -> (out, mask)
 *   span_mask_(x!, seed, mask_ratio, span, per_lead, exact, fill?) -> mask
 *   lead_mask(x, seed, p, exact) -> (out, dropped)
 *   lead_mask_(x!, seed, p, exact) -> dropped
 *   token_mask(seed, B, G, L, mask_ratio) -> (ids_keep, ids_restore, mask)
 */
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>

#include "checks.h"

namespace ssrl_ecg_torch {

/* span_mask's arguments: block_mask's (span is its block_size) plus fill [C]
   of x's dtype on x's device, contiguous. */
inline MaskShape check_span_mask_args(const char* op, const Tensor& x, const Tensor& seed,
                                      double mask_ratio, int64_t span,
                                      const std::optional<Tensor>& fill) {
  const MaskShape s = check_block_mask_args(op, x, seed, mask_ratio, span);
  if (fill.has_value()) {
    const Tensor& f = *fill;
    SSRL_TORCH_CHECK_ARG(f.scalar_type() == x.scalar_type(), op, "fill", "must have x's dtype ",
                         torch::headeronly::toString(x.scalar_type()), ", got ",
                         torch::headeronly::toString(f.scalar_type()));
    SSRL_TORCH_CHECK_ARG(f.dim() == 1 && f.size(0) == s.C, op, "fill", "must be [C] = [", s.C,
                         "], got ", shape_str(f));
    SSRL_TORCH_CHECK_ARG(f.device() == x.device(), op, "fill", "must be on x's device (",
                         device_str(x.device()), "), got ", device_str(f.device()));
  }
  return s;
}

/* lead_mask's arguments: x and seed as block_mask's, p in [0, 1]. */
inline MaskShape check_lead_mask_args(const char* op, const Tensor& x, const Tensor& seed,
                                      double p) {
  const MaskShape s = check_block_mask_args(op, x, seed, 0.0, 1);
  SSRL_TORCH_CHECK_ARG(p >= 0.0 && p <= 1.0, op, "p", "must be in [0, 1], got ", p);
  return s;
}

/* token_mask's arguments; returns len_keep = int(L * (1 - mask_ratio)). */
inline int64_t check_token_mask_args(const char* op, const Tensor& seed, int64_t B, int64_t G,
                                     int64_t L, double mask_ratio) {
  SSRL_TORCH_CHECK_ARG(seed.scalar_type() == ScalarType::Long && seed.numel() == 1, op, "seed",
                       "must be one int64 element (its bits are the uint64 seed)");
  SSRL_TORCH_CHECK_ARG(B >= 0 && G >= 0 && L >= 0, op, "shape", "must be >= 0, got (", B, ", ",
                       G, ", ", L, ")");
  SSRL_TORCH_CHECK_ARG(mask_ratio >= 0.0 && mask_ratio <= 1.0, op, "mask_ratio",
                       "must be in [0, 1], got ", mask_ratio);
  int64_t len_keep = 0;
  check_status(ssrl_token_keep_count(L, mask_ratio, &len_keep), op, "shape");
  return len_keep;
}

std::tuple<Tensor, Tensor> span_mask_cpu(const Tensor& x, const Tensor& seed, double mask_ratio,
                                         int64_t span, bool per_lead, bool exact,
                                         std::optional<Tensor> fill);
Tensor span_mask__cpu(Tensor& x, const Tensor& seed, double mask_ratio, int64_t span,
                      bool per_lead, bool exact, std::optional<Tensor> fill);
std::tuple<Tensor, Tensor> lead_mask_cpu(const Tensor& x, const Tensor& seed, double p,
                                         bool exact);
Tensor lead_mask__cpu(Tensor& x, const Tensor& seed, double p, bool exact);
std::tuple<Tensor, Tensor, Tensor> token_mask_cpu(const Tensor& seed, int64_t B, int64_t G,
                                                  int64_t L, double mask_ratio);

/* In masking_cuda.cpp, or in no_cuda.cpp where the build has no CUDA kernels. */
std::tuple<Tensor, Tensor> span_mask_cuda(const Tensor& x, const Tensor& seed, double mask_ratio,
                                          int64_t span, bool per_lead, bool exact,
                                          std::optional<Tensor> fill);
Tensor span_mask__cuda(Tensor& x, const Tensor& seed, double mask_ratio, int64_t span,
                       bool per_lead, bool exact, std::optional<Tensor> fill);
std::tuple<Tensor, Tensor> lead_mask_cuda(const Tensor& x, const Tensor& seed, double p,
                                          bool exact);
Tensor lead_mask__cuda(Tensor& x, const Tensor& seed, double p, bool exact);
std::tuple<Tensor, Tensor, Tensor> token_mask_cuda(const Tensor& seed, int64_t B, int64_t G,
                                                   int64_t L, double mask_ratio);

}  // namespace ssrl_ecg_torch
