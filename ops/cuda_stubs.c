/* cuda_stubs.c: the CUDA entry points of a build without CUDA. They exist so
   that one header serves every build, and say SSRL_ERR_NOT_COMPILED. */
#include "ssrl_ecg/ssrl_ecg.h"

SSRL_API ssrl_status ssrl_block_mask_cuda_workspace_size(int64_t B, int64_t T, double mask_ratio,
                                                         int64_t block_size, size_t *bytes) {
  (void)B, (void)T, (void)mask_ratio, (void)block_size, (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_block_mask_cuda(const void *x, void *out, uint8_t *mask, int64_t B,
                                          int64_t C, int64_t T, size_t elem_size,
                                          double mask_ratio, int64_t block_size,
                                          const uint64_t *seed, void *workspace,
                                          size_t workspace_bytes, void *stream) {
  (void)x, (void)out, (void)mask, (void)B, (void)C, (void)T, (void)elem_size;
  (void)mask_ratio, (void)block_size, (void)seed, (void)workspace, (void)workspace_bytes;
  (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_confusion_counts_cuda_workspace_size(int64_t N, int64_t C, int64_t K,
                                                               size_t *bytes) {
  (void)N, (void)C, (void)K, (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_confusion_counts_cuda(const uint8_t *y_true, const void *y_prob,
                                                ssrl_dtype prob_dtype, int64_t N, int64_t C,
                                                const double *thresholds, int64_t K,
                                                int64_t *counts, int32_t *invalid,
                                                void *workspace, size_t workspace_bytes,
                                                void *stream) {
  (void)y_true, (void)y_prob, (void)prob_dtype, (void)N, (void)C, (void)thresholds, (void)K;
  (void)counts, (void)invalid, (void)workspace, (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_auroc_cuda_workspace_size(int64_t N, int64_t C, ssrl_dtype prob_dtype,
                                                    size_t *bytes) {
  (void)N, (void)C, (void)prob_dtype, (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_auroc_cuda(const uint8_t *y_true, const void *y_prob,
                                     ssrl_dtype prob_dtype, int64_t N, int64_t C, double *auroc,
                                     int32_t *invalid, void *workspace, size_t workspace_bytes,
                                     void *stream) {
  (void)y_true, (void)y_prob, (void)prob_dtype, (void)N, (void)C, (void)auroc, (void)invalid;
  (void)workspace, (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_confusion_counts2_cuda(const void *y_true, ssrl_dtype labels_dtype,
                                                 const void *y_prob, ssrl_dtype prob_dtype,
                                                 int64_t N, int64_t C, const double *thresholds,
                                                 int64_t K, int64_t *counts, int32_t *invalid,
                                                 void *workspace, size_t workspace_bytes,
                                                 void *stream) {
  (void)y_true, (void)labels_dtype, (void)y_prob, (void)prob_dtype, (void)N, (void)C;
  (void)thresholds, (void)K, (void)counts, (void)invalid, (void)workspace;
  (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_auroc_auprc_cuda_workspace_size(int64_t N, int64_t C,
                                                          ssrl_dtype prob_dtype, size_t *bytes) {
  (void)N, (void)C, (void)prob_dtype, (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_auroc_auprc_cuda(const void *y_true, ssrl_dtype labels_dtype,
                                           const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                           int64_t C, double *auroc, double *auprc,
                                           int32_t *invalid, void *workspace,
                                           size_t workspace_bytes, void *stream) {
  (void)y_true, (void)labels_dtype, (void)y_prob, (void)prob_dtype, (void)N, (void)C;
  (void)auroc, (void)auprc, (void)invalid, (void)workspace, (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_cuda_versions(int *runtime, int *driver) {
  (void)runtime, (void)driver;
  return SSRL_ERR_NOT_COMPILED;
}
