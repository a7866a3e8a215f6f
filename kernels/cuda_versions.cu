/*
 * cuda_versions.cu: which CUDA runtime the kernels were built with, and which
 * CUDA the installed driver supports (docs/semantics.md section 10.5).
 *
 * Host code only. cudaDriverGetVersion creates no context and answers 0 when
 * no driver is installed, so this is safe to call on any machine.
 */
#include <cuda_runtime.h>

#include "ssrl_ecg/ssrl_ecg.h"

extern "C" SSRL_API ssrl_status ssrl_cuda_versions(int *runtime, int *driver) {
  if (runtime == NULL || driver == NULL) return SSRL_ERR_NULL_POINTER;
  int found = 0;
  if (cudaDriverGetVersion(&found) != cudaSuccess) found = 0;
  *runtime = CUDART_VERSION;
  *driver = found;
  return SSRL_OK;
}
