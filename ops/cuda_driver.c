/* cuda_driver.c: one readable sentence when the NVIDIA driver is too old for
   the CUDA runtime the kernels link statically (docs/semantics.md section
   10.5), instead of SSRL_ERR_CUDA from the first launch. Host code, built with
   and without CUDA, so the message can be tested on any machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ssrl_ecg/ssrl_ecg.h"

/* The oldest Linux driver branch of each CUDA major version (NVIDIA's CUDA
   compatibility table); 0 where we do not know it. */
static int min_linux_driver(int major) {
  switch (major) {
    case 11: return 450;
    case 12: return 525;
    case 13: return 580;
    default: return 0;
  }
}

SSRL_API ssrl_status ssrl_cuda_driver_message(int runtime, int driver, char *message,
                                              size_t size) {
  const int major = runtime / 1000, minor = (runtime % 1000) / 10;
  if (size > 0 && message != NULL) message[0] = '\0';
  if (driver >= major * 1000) return SSRL_OK;
  if (size == 0 || message == NULL) return SSRL_ERR_CUDA_DRIVER;
  char found[128], branch[64] = "";
  if (driver <= 0) {
    snprintf(found, sizeof found, "no NVIDIA driver was found on this machine");
  } else {
    snprintf(found, sizeof found, "this machine's driver supports CUDA %d.%d (driver API version %d)",
             driver / 1000, (driver % 1000) / 10, driver);
  }
  if (min_linux_driver(major) > 0) {
    snprintf(branch, sizeof branch, " (on Linux, driver %d or newer)", min_linux_driver(major));
  }
  snprintf(message, size,
           "ssrl_ecg: the CUDA kernels were built with CUDA %d.%d and need an NVIDIA driver that "
           "supports CUDA %d.0 or newer%s; %s. Install or update the NVIDIA driver, or run "
           "ssrl_ecg on CPU tensors.",
           major, minor, major, branch, found);
  return SSRL_ERR_CUDA_DRIVER;
}

SSRL_API ssrl_status ssrl_cuda_driver_check(char *message, size_t size) {
  int runtime = 0, driver = 0;
  if (size > 0 && message != NULL) message[0] = '\0';
  const ssrl_status st = ssrl_cuda_versions(&runtime, &driver);
  if (st != SSRL_OK) return st;
  const char *forced = getenv("SSRL_ECG_CUDA_DRIVER_VERSION");
  if (forced != NULL && forced[0] != '\0') {
    char *end = NULL;
    errno = 0;
    const long v = strtol(forced, &end, 10);
    if (errno == 0 && end != forced && *end == '\0' && v >= 0 && v < 1000000) driver = (int)v;
  }
  return ssrl_cuda_driver_message(runtime, driver, message, size);
}
