/*
 * masking.h: argument checks and sizes shared by the CPU code of span_mask,
 * lead_mask and token_mask (ops/span_mask.c, lead_mask.c, token_mask.c) and
 * their CUDA launchers (kernels/span_mask.cu and its twins), so both refuse exactly the same
 * input with the same status and agree on the scratch each row needs.
 * Internal header: not installed; symbols are hidden.
 */
#ifndef SSRL_MASKING_H
#define SSRL_MASKING_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "mask_select.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a validated span_mask call does. */
typedef struct {
  int64_t n;       /* spans per row, 0 when nothing is masked */
  int64_t rows;    /* rows that draw their own spans: B, or B * C per lead */
  int exact;       /* exact placement in effect (0 when T < span: one whole-row span) */
} ssrl_span_plan;

/* Validates span_mask's arguments (ssrl_check_mask_args plus fill) and plans it. */
ssrl_status ssrl_check_span_args(const void *x, const void *out, int64_t B, int64_t C, int64_t T,
                                 size_t elem_size, double mask_ratio, int64_t span, int per_lead,
                                 int exact, ssrl_span_plan *plan);

/* Validates lead_mask's arguments; gives k (exact) and the threshold (not exact). */
ssrl_status ssrl_check_lead_args(const void *x, const void *out, const uint8_t *dropped,
                                 int64_t B, int64_t C, int64_t T, size_t elem_size, double p,
                                 int64_t *k, uint64_t *threshold);

/* Validates token_mask's arguments; gives len_keep. */
ssrl_status ssrl_check_token_args(int64_t rows, int64_t L, double mask_ratio,
                                  const int64_t *ids_keep, const int64_t *ids_restore,
                                  const float *mask, int64_t *len_keep);

#ifdef __cplusplus
}
#endif

/* Bytes of one row's scratch for the span selection: the bitmap over [0, T),
   then the n starts (8-byte aligned: the bitmap is padded to 2 words). */
SSRL_HD uint64_t ssrl_span_bits_words(int64_t T) { return (ssrl_bit_words((uint64_t)T) + 1) & ~(uint64_t)1; }
SSRL_HD uint64_t ssrl_span_row_bytes(int64_t T, int64_t n) {
  return ssrl_span_bits_words(T) * 4u + (uint64_t)n * 8u;
}

#endif /* SSRL_MASKING_H */
