/* status.c: the one table of status strings, the version and build queries. */
#include "ssrl_ecg/ssrl_ecg.h"

static const char *const kStatusStrings[SSRL_STATUS_COUNT_] = {
    [SSRL_OK] = "success",
    [SSRL_ERR_INVALID_ARGUMENT] = "invalid argument",
    [SSRL_ERR_NULL_POINTER] = "null pointer",
    [SSRL_ERR_SHAPE] = "invalid shape (negative size or size overflow)",
    [SSRL_ERR_DTYPE] = "unsupported dtype or element size",
    [SSRL_ERR_CUDA] = "CUDA error",
    [SSRL_ERR_LABEL_VALUE] = "label outside {0, 1}",
    [SSRL_ERR_NAN_SCORE] = "NaN score",
    [SSRL_ERR_NAN_THRESHOLD] = "NaN threshold",
    [SSRL_ERR_OUT_OF_MEMORY] = "out of memory",
    [SSRL_ERR_WORKSPACE] = "workspace too small",
    [SSRL_ERR_NOT_COMPILED] = "not compiled in this build (no CUDA)",
    [SSRL_ERR_CUDA_DRIVER] = "the NVIDIA driver is too old for this build's CUDA kernels",
};

SSRL_API const char *ssrl_status_string(ssrl_status status) {
  if ((int)status < 0 || (int)status >= SSRL_STATUS_COUNT_) return "unknown status";
  return kStatusStrings[status];
}

SSRL_API unsigned ssrl_version_number(void) { return SSRL_ECG_VERSION_NUMBER; }

SSRL_API const char *ssrl_version_string(void) { return SSRL_ECG_VERSION_STRING; }

SSRL_API int ssrl_has_cuda(void) {
#ifdef SSRL_ECG_NO_CUDA
  return 0;
#else
  return 1;
#endif
}
