/*
 * cuda_driver.h: every CUDA kernel of the torch ops first asks whether the
 * NVIDIA driver can run them (docs/semantics.md section 10.5).
 *
 * The kernels link the CUDA 13 runtime statically; a driver that supports only
 * an older CUDA (a CUDA 12 torch on an old driver still makes CUDA tensors)
 * would otherwise fail the first launch with a bare SSRL_ERR_CUDA. The answer
 * is the same for the whole process, so it is asked once, on the host, before
 * any launch. SSRL_ECG_CUDA_DRIVER_VERSION forces a driver version (tests).
 */
#pragma once

#include <stdexcept>
#include <string>

#include "ssrl_ecg/ssrl_ecg.h"

namespace ssrl_ecg_torch {

/* "" when the kernels can run here, else the sentence of ssrl_cuda_driver_check. */
inline const std::string& cuda_driver_problem() {
  static const std::string problem = [] {
    char buf[512];
    return ssrl_cuda_driver_check(buf, sizeof buf) == SSRL_ERR_CUDA_DRIVER ? std::string(buf)
                                                                           : std::string();
  }();
  return problem;
}

/* Thrown as STD_TORCH_CHECK would (RuntimeError in Python), without its
   source-location prefix: the sentence is the whole message. */
inline void check_cuda_driver(const char* op) {
  const std::string& problem = cuda_driver_problem();
  if (!problem.empty()) {
    throw std::runtime_error(problem + " [ssrl_ecg::" + op + "]");
  }
}

}  // namespace ssrl_ecg_torch
