/* masking_cuda_stubs.c: the CUDA entry points of span_mask, lead_mask and
   token_mask in a build without CUDA: they exist so that one header serves
   every build, and say SSRL_ERR_NOT_COMPILED. */
#include "ssrl_ecg/ssrl_ecg.h"

SSRL_API ssrl_status ssrl_span_mask_cuda_workspace_size(int64_t B, int64_t C, int64_t T,
                                                        double mask_ratio, int64_t span,
                                                        int per_lead, int exact, size_t *bytes) {
  (void)B, (void)C, (void)T, (void)mask_ratio, (void)span, (void)per_lead, (void)exact;
  (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_span_mask_cuda(const void *x, void *out, uint8_t *mask, int64_t B,
                                         int64_t C, int64_t T, size_t elem_size,
                                         double mask_ratio, int64_t span, int per_lead,
                                         int exact, const void *fill, const uint64_t *seed,
                                         void *workspace, size_t workspace_bytes, void *stream) {
  (void)x, (void)out, (void)mask, (void)B, (void)C, (void)T, (void)elem_size, (void)mask_ratio;
  (void)span, (void)per_lead, (void)exact, (void)fill, (void)seed, (void)workspace;
  (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_lead_mask_cuda_workspace_size(int64_t B, int64_t C, double p, int exact,
                                                        size_t *bytes) {
  (void)B, (void)C, (void)p, (void)exact, (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_lead_mask_cuda(const void *x, void *out, uint8_t *dropped, int64_t B,
                                         int64_t C, int64_t T, size_t elem_size, double p,
                                         int exact, const uint64_t *seed, void *workspace,
                                         size_t workspace_bytes, void *stream) {
  (void)x, (void)out, (void)dropped, (void)B, (void)C, (void)T, (void)elem_size, (void)p;
  (void)exact, (void)seed, (void)workspace, (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_token_mask_cuda_workspace_size(int64_t rows, int64_t L,
                                                         double mask_ratio, size_t *bytes) {
  (void)rows, (void)L, (void)mask_ratio, (void)bytes;
  return SSRL_ERR_NOT_COMPILED;
}

SSRL_API ssrl_status ssrl_token_mask_cuda(int64_t rows, int64_t L, double mask_ratio,
                                          const uint64_t *seed, int64_t *ids_keep,
                                          int64_t *ids_restore, float *mask, void *workspace,
                                          size_t workspace_bytes, void *stream) {
  (void)rows, (void)L, (void)mask_ratio, (void)seed, (void)ids_keep, (void)ids_restore;
  (void)mask, (void)workspace, (void)workspace_bytes, (void)stream;
  return SSRL_ERR_NOT_COMPILED;
}
