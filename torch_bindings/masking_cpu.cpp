/*
 * masking_cpu.cpp: the CPU kernels of span_mask, lead_mask and token_mask.
 *
 * Each checks its arguments (masking_ops.h), makes x contiguous, allocates the
 * outputs through torch and calls the C library's ssrl_*_cpu function. A
 * strided x of an in-place op is masked in a contiguous copy, then copied
 * back, as block_mask_ does. Semantics: docs/semantics.md, "Masks for
 * self-supervised pretraining".
 */
#include <torch/csrc/stable/ops.h>

#include "alloc.h"
#include "masking_ops.h"

namespace ssrl_ecg_torch {
namespace {

/* fill made contiguous (x stands in when there is none; never read then). */
Tensor contiguous_fill(const std::optional<Tensor>& fill, const Tensor& x) {
  return fill.has_value() ? contiguous_of(*fill) : x;
}

}  // namespace

std::tuple<Tensor, Tensor> span_mask_cpu(const Tensor& x, const Tensor& seed, double mask_ratio,
                                         int64_t span, bool per_lead, bool exact,
                                         std::optional<Tensor> fill) {
  const MaskShape s = check_span_mask_args("span_mask", x, seed, mask_ratio, span, fill);
  const Tensor xc = contiguous_of(x);
  const Tensor fc = contiguous_fill(fill, x);
  Tensor out = empty_as(xc, {s.B, s.C, s.T});
  Tensor mask = per_lead ? empty_on(xc, {s.B, s.C, s.T}, aoti_torch_dtype_bool())
                         : empty_on(xc, {s.B, s.T}, aoti_torch_dtype_bool());
  check_status(
      ssrl_span_mask_cpu(xc.const_data_ptr(), out.mutable_data_ptr(), mask_bytes(mask), s.B, s.C,
                         s.T, s.elem_size, mask_ratio, span, per_lead, exact,
                         fill.has_value() ? fc.const_data_ptr() : nullptr, host_seed(seed)),
      "span_mask", "x");
  return {out, mask};
}

Tensor span_mask__cpu(Tensor& x, const Tensor& seed, double mask_ratio, int64_t span, bool per_lead,
                      bool exact, std::optional<Tensor> fill) {
  const MaskShape s = check_span_mask_args("span_mask_", x, seed, mask_ratio, span, fill);
  const Tensor fc = contiguous_fill(fill, x);
  Tensor mask = per_lead ? empty_on(x, {s.B, s.C, s.T}, aoti_torch_dtype_bool())
                         : empty_on(x, {s.B, s.T}, aoti_torch_dtype_bool());
  const bool direct = x.is_contiguous();
  Tensor xc = direct ? x : torch::stable::contiguous(x);
  void* data = xc.mutable_data_ptr();
  check_status(
      ssrl_span_mask_cpu(data, data, mask_bytes(mask), s.B, s.C, s.T, s.elem_size, mask_ratio, span,
                         per_lead, exact, fill.has_value() ? fc.const_data_ptr() : nullptr,
                         host_seed(seed)),
      "span_mask_", "x");
  if (!direct) {
    torch::stable::copy_(x, xc);
  }
  return mask;
}

std::tuple<Tensor, Tensor> lead_mask_cpu(const Tensor& x, const Tensor& seed, double p,
                                         bool exact) {
  const MaskShape s = check_lead_mask_args("lead_mask", x, seed, p);
  const Tensor xc = contiguous_of(x);
  Tensor out = empty_as(xc, {s.B, s.C, s.T});
  Tensor dropped = empty_on(xc, {s.B, s.C}, aoti_torch_dtype_bool());
  check_status(ssrl_lead_mask_cpu(xc.const_data_ptr(), out.mutable_data_ptr(), mask_bytes(dropped),
                                  s.B, s.C, s.T, s.elem_size, p, exact, host_seed(seed)),
               "lead_mask", "x");
  return {out, dropped};
}

Tensor lead_mask__cpu(Tensor& x, const Tensor& seed, double p, bool exact) {
  const MaskShape s = check_lead_mask_args("lead_mask_", x, seed, p);
  Tensor dropped = empty_on(x, {s.B, s.C}, aoti_torch_dtype_bool());
  const bool direct = x.is_contiguous();
  Tensor xc = direct ? x : torch::stable::contiguous(x);
  void* data = xc.mutable_data_ptr();
  check_status(ssrl_lead_mask_cpu(data, data, mask_bytes(dropped), s.B, s.C, s.T, s.elem_size, p,
                                  exact, host_seed(seed)),
               "lead_mask_", "x");
  if (!direct) {
    torch::stable::copy_(x, xc);
  }
  return dropped;
}

std::tuple<Tensor, Tensor, Tensor> token_mask_cpu(const Tensor& seed, int64_t B, int64_t G,
                                                  int64_t L, double mask_ratio) {
  const int64_t len_keep = check_token_mask_args("token_mask", seed, B, G, L, mask_ratio);
  SSRL_TORCH_CHECK_ARG(seed.is_cpu(), "token_mask", "seed", "must be a CPU tensor here");
  int64_t rows = 0;
  SSRL_TORCH_CHECK_ARG(!__builtin_mul_overflow(B, G, &rows), "token_mask", "shape", "is too large");
  Tensor ids_keep = empty_on(seed, {B, G, len_keep}, aoti_torch_dtype_int64());
  Tensor ids_restore = empty_on(seed, {B, G, L}, aoti_torch_dtype_int64());
  Tensor mask = empty_on(seed, {B, G, L}, aoti_torch_dtype_float32());
  check_status(ssrl_token_mask_cpu(
                   rows, L, mask_ratio, host_seed(seed), ids_keep.mutable_data_ptr<int64_t>(),
                   ids_restore.mutable_data_ptr<int64_t>(), mask.mutable_data_ptr<float>()),
               "token_mask", "shape");
  return {ids_keep, ids_restore, mask};
}

}  // namespace ssrl_ecg_torch
