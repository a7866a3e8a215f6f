/*
 * alloc.h: the CPU kernels' contiguous inputs and new outputs, without a trip
 * through the boxed dispatcher.
 *
 * torch::stable::contiguous and new_empty (TORCH_TARGET_VERSION 2.10) call
 * torch_call_dispatcher, which finds the aten op by its name and boxes every
 * argument on each call. A mask call makes three of them, and on a small x
 * they were about a quarter of the op's own time: measured with a [2, 2, 100]
 * span_mask called below autograd after other work (every op of a training
 * step runs cold like this), 15.2 us a call with them and 11.5 us with these
 * (medians of 300, interleaved with x.clone(), 4.8-5.1 us, on a 2-core AMD
 * EPYC). Same tensors as before: x itself when it is contiguous (what
 * aten::contiguous returns), and a new contiguous tensor on like's device.
 *
 * Unlike new_empty, the shim does not fill new memory under
 * torch.use_deterministic_algorithms(True) with fill_uninitialized_memory:
 * every kernel using these writes every byte of its outputs (the C entry
 * points promise it), so nothing uninitialized ever shows.
 */
#pragma once

#include <cstdint>
#include <initializer_list>

#include <torch/csrc/inductor/aoti_torch/c/shim.h>
#include <torch/csrc/stable/ops.h>
#include <torch/csrc/stable/tensor.h>
#include <torch/headeronly/util/Exception.h>

namespace ssrl_ecg_torch {

/* x, or a contiguous copy of it. */
inline torch::stable::Tensor contiguous_of(const torch::stable::Tensor& x) {
  return x.is_contiguous() ? x : torch::stable::contiguous(x);
}

/* An uninitialized contiguous tensor of `sizes` (at most 4) and dtype (an
   aoti_torch_dtype_*) on like's device. */
inline torch::stable::Tensor empty_on(const torch::stable::Tensor& like,
                                      std::initializer_list<int64_t> sizes, int32_t dtype) {
  int64_t size[4], stride[4];
  int64_t ndim = 0;
  STD_TORCH_CHECK(sizes.size() <= 4, "ssrl_ecg: empty_on takes at most 4 dims");
  for (int64_t v : sizes) size[ndim++] = v;
  for (int64_t i = ndim - 1, step = 1; i >= 0; --i) {  // torch's contiguous strides
    stride[i] = step;
    if (i > 0) step *= size[i] > 1 ? size[i] : 1;  // the shape was checked to fit
  }
  int32_t device_type = 0, device_index = 0;
  TORCH_ERROR_CODE_CHECK(aoti_torch_get_device_type(like.get(), &device_type));
  TORCH_ERROR_CODE_CHECK(aoti_torch_get_device_index(like.get(), &device_index));
  AtenTensorHandle handle = nullptr;
  TORCH_ERROR_CODE_CHECK(
      aoti_torch_empty_strided(ndim, size, stride, dtype, device_type, device_index, &handle));
  return torch::stable::Tensor(handle);
}

/* empty_on with like's dtype. */
inline torch::stable::Tensor empty_as(const torch::stable::Tensor& like,
                                      std::initializer_list<int64_t> sizes) {
  int32_t dtype = 0;
  TORCH_ERROR_CODE_CHECK(aoti_torch_get_dtype(like.get(), &dtype));
  return empty_on(like, sizes, dtype);
}

}  // namespace ssrl_ecg_torch
