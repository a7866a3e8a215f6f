/*
 * no_cuda.cpp: the CUDA kernels of a build without them (no nvcc at build time,
 * SSRL_ENABLE_CUDA=OFF, or a torch without CUDA): each refuses a CUDA tensor
 * with one sentence that says why and what to do (docs/semantics.md section
 * 10.6), instead of torch's "Could not run ... with arguments from the 'CUDA'
 * backend".
 */
#include <stdexcept>
#include <string>

#include "masking_ops.h"
#include "ops.h"

namespace ssrl_ecg_torch {
namespace {

/* Thrown as STD_TORCH_CHECK would (torch raises it as RuntimeError). */
[[noreturn]] void no_cuda(const char* op) {
  throw std::runtime_error(
      std::string("ssrl_ecg::") + op +
      ": this ssrl_ecg build has no CUDA kernels (it was built without the CUDA "
      "toolkit: no nvcc, SSRL_ENABLE_CUDA=OFF or a torch without CUDA), so it runs "
      "on CPU tensors only. Move the tensors to the CPU, or reinstall ssrl_ecg on a "
      "machine with the CUDA toolkit (nvcc) to build it with "
      "the CUDA kernels.");
}

}  // namespace

std::tuple<Tensor, Tensor> block_mask_cuda(const Tensor&, const Tensor&, double, int64_t) {
  no_cuda("block_mask");
}
Tensor block_mask__cuda(Tensor&, const Tensor&, double, int64_t) { no_cuda("block_mask_"); }
Tensor confusion_counts_cuda(const Tensor&, const Tensor&, const Tensor&) {
  no_cuda("confusion_counts");
}
Tensor auroc_cuda(const Tensor&, const Tensor&) { no_cuda("auroc"); }
std::tuple<Tensor, Tensor> auroc_auprc_cuda(const Tensor&, const Tensor&) {
  no_cuda("auroc_auprc");
}
std::tuple<Tensor, Tensor> span_mask_cuda(const Tensor&, const Tensor&, double, int64_t, bool,
                                          bool, std::optional<Tensor>) {
  no_cuda("span_mask");
}
Tensor span_mask__cuda(Tensor&, const Tensor&, double, int64_t, bool, bool,
                       std::optional<Tensor>) {
  no_cuda("span_mask_");
}
std::tuple<Tensor, Tensor> lead_mask_cuda(const Tensor&, const Tensor&, double, bool) {
  no_cuda("lead_mask");
}
Tensor lead_mask__cuda(Tensor&, const Tensor&, double, bool) { no_cuda("lead_mask_"); }
std::tuple<Tensor, Tensor, Tensor> token_mask_cuda(const Tensor&, int64_t, int64_t, int64_t,
                                                   double) {
  no_cuda("token_mask");
}

}  // namespace ssrl_ecg_torch
