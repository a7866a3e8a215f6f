/*
 * ssrl_ecg.h: the public C ABI of the ssrl_ecg operator library.
 *
 * Three operations for self-supervised ECG learning, on the CPU (C11) and,
 * where the library was built with CUDA, on the GPU:
 *
 *   block mask        zero random time blocks of x [B, C, T], all channels alike
 *   confusion counts  (TP, FP, TN, FN) for C classes x K thresholds, one pass
 *   AUROC             exact, tie-correct, per class, 64-bit counts
 *
 * The behaviour is specified in docs/semantics.md (sections 1, 2, 3 and 5). C99, no
 * torch and no CUDA headers: usable from C and C++. Every entry point returns an
 * ssrl_status and never aborts; ssrl_status_string() names a status. Sizes are
 * int64_t; arrays are dense and row-major. On error, outputs are left untouched
 * unless the function says otherwise.
 *
 * CUDA entry points take device pointers and a cudaStream_t passed as void *,
 * never synchronize and never allocate: an op that needs scratch space has a
 * ..._workspace_size() query and the caller passes the buffer. In a build
 * without CUDA they exist and return SSRL_ERR_NOT_COMPILED.
 */
#ifndef SSRL_ECG_H
#define SSRL_ECG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ------------------------------------------------------------ */
#define SSRL_ECG_VERSION_MAJOR 0
#define SSRL_ECG_VERSION_MINOR 1
#define SSRL_ECG_VERSION_PATCH 0
#define SSRL_ECG_VERSION_NUMBER \
  (SSRL_ECG_VERSION_MAJOR * 10000 + SSRL_ECG_VERSION_MINOR * 100 + SSRL_ECG_VERSION_PATCH)
#define SSRL_ECG_STRINGIFY_(x) #x
#define SSRL_ECG_STRINGIFY(x) SSRL_ECG_STRINGIFY_(x)
#define SSRL_ECG_VERSION_STRING                                            \
  SSRL_ECG_STRINGIFY(SSRL_ECG_VERSION_MAJOR) "." SSRL_ECG_STRINGIFY(       \
      SSRL_ECG_VERSION_MINOR) "." SSRL_ECG_STRINGIFY(SSRL_ECG_VERSION_PATCH)

/* ---- visibility: only the ssrl_* entry points are exported --------------- */
#if defined(_WIN32)
#  if defined(SSRL_ECG_BUILDING) && !defined(SSRL_ECG_STATIC)
#    define SSRL_API __declspec(dllexport)
#  elif !defined(SSRL_ECG_STATIC)
#    define SSRL_API __declspec(dllimport)
#  else
#    define SSRL_API
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SSRL_API __attribute__((visibility("default")))
#else
#  define SSRL_API
#endif

/* ---- status codes -------------------------------------------------------- */
typedef enum {
  SSRL_OK = 0,
  SSRL_ERR_INVALID_ARGUMENT = 1, /* a scalar argument out of range (ratio, block_size, T) */
  SSRL_ERR_NULL_POINTER = 2,     /* a required pointer is NULL */
  SSRL_ERR_SHAPE = 3,            /* a negative size, or sizes whose product overflows */
  SSRL_ERR_DTYPE = 4,            /* element size not 1/2/4/8, or an unknown ssrl_dtype */
  SSRL_ERR_CUDA = 5,             /* a CUDA launch or CUB call failed */
  SSRL_ERR_LABEL_VALUE = 6,      /* y_true holds a value other than 0 or 1 */
  SSRL_ERR_NAN_SCORE = 7,        /* y_prob holds a NaN */
  SSRL_ERR_NAN_THRESHOLD = 8,    /* thresholds holds a NaN */
  SSRL_ERR_OUT_OF_MEMORY = 9,    /* a CPU scratch allocation failed */
  SSRL_ERR_WORKSPACE = 10,       /* the workspace passed is smaller than its query said */
  SSRL_ERR_NOT_COMPILED = 11,    /* a CUDA entry point in a build without CUDA */
  SSRL_ERR_CUDA_DRIVER = 12,     /* the NVIDIA driver is older than the CUDA the kernels need */
  SSRL_STATUS_COUNT_ = 13        /* number of codes; not a status */
} ssrl_status;

/* Scores are one of the four floating dtypes. Labels (the ..._labels_dtype
   arguments, docs/semantics.md section 9.1) may be any of them too, or an
   integer dtype; bool labels are SSRL_UINT8 (the same bytes). */
typedef enum {
  SSRL_FLOAT32 = 0,
  SSRL_FLOAT64 = 1,
  SSRL_FLOAT16 = 2,
  SSRL_BFLOAT16 = 3,
  SSRL_UINT8 = 4, /* labels only, as every value below */
  SSRL_INT8 = 5,
  SSRL_INT16 = 6,
  SSRL_INT32 = 7,
  SSRL_INT64 = 8,
  SSRL_UINT16 = 9,
  SSRL_UINT32 = 10,
  SSRL_UINT64 = 11
} ssrl_dtype;

/* A static, never-NULL sentence for any value, "unknown status" for others. */
SSRL_API const char *ssrl_status_string(ssrl_status status);

/* SSRL_ECG_VERSION_NUMBER of the library actually loaded. */
SSRL_API unsigned ssrl_version_number(void);
SSRL_API const char *ssrl_version_string(void);

/* 1 when this build holds the CUDA kernels, else 0 (says nothing about a GPU). */
SSRL_API int ssrl_has_cuda(void);

/* ---- the CUDA driver (docs/semantics.md section 10.5) ----------------- */
/* Versions are encoded as cudaDriverGetVersion does: 1000 * major + 10 * minor
   (13000 is CUDA 13.0). */

/* *runtime: the CUDA runtime the kernels were compiled with and link statically;
   *driver: the newest CUDA the installed NVIDIA driver supports, 0 when there is
   no driver. Reads the truth, never the environment. SSRL_ERR_NOT_COMPILED
   without CUDA, SSRL_ERR_NULL_POINTER for a NULL pointer. */
SSRL_API ssrl_status ssrl_cuda_versions(int *runtime, int *driver);

/* Whether kernels built with CUDA `runtime` run on a driver supporting CUDA
   `driver`: SSRL_OK when driver >= the runtime's major version (CUDA's minor
   version compatibility), else SSRL_ERR_CUDA_DRIVER with one sentence in
   message naming both versions and the driver needed. message may be NULL
   (size 0); it is always NUL-terminated when size > 0 ("" on SSRL_OK). */
SSRL_API ssrl_status ssrl_cuda_driver_message(int runtime, int driver, char *message,
                                              size_t size);

/* ssrl_cuda_driver_message() for this build and this machine. The environment
   variable SSRL_ECG_CUDA_DRIVER_VERSION (an integer as above), when set, stands
   in for the driver's version: how tests force the failure. Host code only; no
   CUDA context is created. SSRL_ERR_NOT_COMPILED without CUDA. */
SSRL_API ssrl_status ssrl_cuda_driver_check(char *message, size_t size);

/* ---- block mask (docs/semantics.md section 1) -------------------------- */

/* n_blocks for one sample: max(1, int((T * mask_ratio) // block_size)) with
   Python's float floor division; 0 when mask_ratio <= 0.
   SSRL_ERR_NULL_POINTER: n_blocks NULL. SSRL_ERR_SHAPE: T < 0.
   SSRL_ERR_INVALID_ARGUMENT: mask_ratio NaN, infinite or > 1, block_size < 1,
   T >= 2^32. */
SSRL_API ssrl_status ssrl_block_count(int64_t T, double mask_ratio, int64_t block_size,
                                      int64_t *n_blocks);

/* starts [B, n_blocks]: start_j of sample b, as in section 1 (Philox4x32-10,
   key = seed, counter (i, b)). Errors as ssrl_block_count, plus
   SSRL_ERR_SHAPE for B < 0 and SSRL_ERR_NULL_POINTER for starts NULL when
   B * n_blocks > 0. */
SSRL_API ssrl_status ssrl_block_starts(uint64_t seed, int64_t B, int64_t T, double mask_ratio,
                                       int64_t block_size, int64_t *starts);

/* x, out: [B, C, T] of elem_size bytes each (1, 2, 4 or 8); out == x masks in
   place (only the masked spans are written); mask [B, T] (1 = masked) may be
   NULL; mask_ratio <= 0 copies x and zeroes mask. Uses OpenMP threads where
   built with OpenMP. Partially overlapping x and out are not supported.
   Errors as ssrl_block_starts, plus SSRL_ERR_DTYPE for elem_size and
   SSRL_ERR_OUT_OF_MEMORY for a failed scratch allocation. */
SSRL_API ssrl_status ssrl_block_mask_cpu(const void *x, void *out, uint8_t *mask, int64_t B,
                                         int64_t C, int64_t T, size_t elem_size,
                                         double mask_ratio, int64_t block_size, uint64_t seed);

/* ---- confusion counts (section 2) ---------------------------------------- */

/* y_true [N, C] of 0/1; y_prob [N, C] of prob_dtype; thresholds [K] in any
   order; counts [C, K, 4] int64 = (TP, FP, TN, FN) with the prediction
   y_prob >= threshold compared in prob_dtype (thresholds rounded to it first).
   SSRL_ERR_LABEL_VALUE, SSRL_ERR_NAN_SCORE, SSRL_ERR_NAN_THRESHOLD on bad
   values; SSRL_ERR_SHAPE for negative sizes; SSRL_ERR_DTYPE for prob_dtype. */
SSRL_API ssrl_status ssrl_confusion_counts_cpu(const uint8_t *y_true, const void *y_prob,
                                               ssrl_dtype prob_dtype, int64_t N, int64_t C,
                                               const double *thresholds, int64_t K,
                                               int64_t *counts);

/* As ssrl_confusion_counts_cpu, with y_true [N, C] of labels_dtype (any
   ssrl_dtype: an integer or floating label is valid when it equals 0 or 1,
   docs/semantics.md section 9.1), read in place. SSRL_ERR_DTYPE also for an
   unknown labels_dtype; SSRL_ERR_LABEL_VALUE for any other value (NaN too).
   ssrl_confusion_counts_cpu is this with SSRL_UINT8. */
SSRL_API ssrl_status ssrl_confusion_counts2_cpu(const void *y_true, ssrl_dtype labels_dtype,
                                                const void *y_prob, ssrl_dtype prob_dtype,
                                                int64_t N, int64_t C, const double *thresholds,
                                                int64_t K, int64_t *counts);

/* ---- AUROC (section 3) --------------------------------------------------- */

/* auroc [C] float64, tied scores counted half (Mann-Whitney with mid-ranks);
   NaN for a class whose labels are all 0 or all 1, or when N == 0.
   Errors as ssrl_confusion_counts_cpu (no thresholds). */
SSRL_API ssrl_status ssrl_auroc_cpu(const uint8_t *y_true, const void *y_prob,
                                    ssrl_dtype prob_dtype, int64_t N, int64_t C, double *auroc);

/* ---- AUROC and AUPRC from one sort (docs/semantics.md section 9.2) ------- */

/* auroc [C] as ssrl_auroc_cpu, and auprc [C] float64 (may be NULL: not
   computed) the average precision of scikit-learn's average_precision_score:
   sum over the distinct scores s of the positives, descending, of
   (#pos at s / P) * TP(>= s) / (TP(>= s) + FP(>= s)), each term rounded to a
   multiple of 2^-63 and summed exactly in 64-bit integers (so the sum does
   not depend on its order: the CUDA twin gives the same bits). NaN for a
   class with no positive (or N == 0); 1 for a class with no negative.
   y_true of labels_dtype as ssrl_confusion_counts2_cpu. Errors as
   ssrl_auroc_cpu, plus SSRL_ERR_DTYPE for labels_dtype. */
SSRL_API ssrl_status ssrl_auroc_auprc_cpu(const void *y_true, ssrl_dtype labels_dtype,
                                          const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                          int64_t C, double *auroc, double *auprc);

/* ---- CUDA twins ---------------------------------------------------------- */
/* All pointers below are device pointers; stream is a cudaStream_t (NULL: the
   legacy default stream). Argument errors are found on the host, before any
   launch, with the CPU codes. Bad *values* (labels, NaN) can only be seen on the
   device: the kernels OR a bit into *invalid (device int32, may be NULL),
   1 = SSRL_ERR_LABEL_VALUE seen, 2 = SSRL_ERR_NAN_SCORE seen, 4 =
   SSRL_ERR_NAN_THRESHOLD seen; the caller reads it when it next syncs. The
   outputs for a class with bad values are then unspecified. */

/* Bytes of workspace ssrl_block_mask_cuda needs for B samples of T steps: 0
   when n_blocks <= 2048 (every ECG clip), else about 8 * B * (n_blocks +
   T / 2048) for the starts bucketed by time tile, which keeps the work linear
   in T + n_blocks on long recordings. Errors as ssrl_block_starts, plus
   SSRL_ERR_NULL_POINTER for bytes NULL and SSRL_ERR_SHAPE when the size
   overflows. */
SSRL_API ssrl_status ssrl_block_mask_cuda_workspace_size(int64_t B, int64_t T, double mask_ratio,
                                                         int64_t block_size, size_t *bytes);

/* As ssrl_block_mask_cpu; seed points to one uint64 on the device (read by the
   kernel, so a CUDA graph replays with whatever seed is there). In place
   (out == x) writes only the masked spans. workspace: at least the queried
   bytes (any alignment; NULL when the query says 0), else SSRL_ERR_WORKSPACE. */
SSRL_API ssrl_status ssrl_block_mask_cuda(const void *x, void *out, uint8_t *mask, int64_t B,
                                          int64_t C, int64_t T, size_t elem_size,
                                          double mask_ratio, int64_t block_size,
                                          const uint64_t *seed, void *workspace,
                                          size_t workspace_bytes, void *stream);

/* Bytes of workspace ssrl_confusion_counts_cuda needs for these sizes. */
SSRL_API ssrl_status ssrl_confusion_counts_cuda_workspace_size(int64_t N, int64_t C, int64_t K,
                                                               size_t *bytes);

/* As ssrl_confusion_counts_cpu; thresholds [K] float64 and counts [C, K, 4]
   int64 on the device; workspace of at least the queried size, 256-byte
   aligned. */
SSRL_API ssrl_status ssrl_confusion_counts_cuda(const uint8_t *y_true, const void *y_prob,
                                                ssrl_dtype prob_dtype, int64_t N, int64_t C,
                                                const double *thresholds, int64_t K,
                                                int64_t *counts, int32_t *invalid,
                                                void *workspace, size_t workspace_bytes,
                                                void *stream);

/* Bytes of workspace ssrl_auroc_cuda needs for these sizes and dtype, for the
   current device (CUB sizes its scratch per architecture: SSRL_ERR_CUDA when
   there is no usable device). SSRL_ERR_SHAPE when N * C >= 2^31. */
SSRL_API ssrl_status ssrl_auroc_cuda_workspace_size(int64_t N, int64_t C, ssrl_dtype prob_dtype,
                                                    size_t *bytes);

/* As ssrl_auroc_cpu; auroc [C] float64 on the device. */
SSRL_API ssrl_status ssrl_auroc_cuda(const uint8_t *y_true, const void *y_prob,
                                     ssrl_dtype prob_dtype, int64_t N, int64_t C, double *auroc,
                                     int32_t *invalid, void *workspace, size_t workspace_bytes,
                                     void *stream);

/* As ssrl_confusion_counts_cuda with y_true of labels_dtype (section 9.1).
   Workspace: ssrl_confusion_counts_cuda_workspace_size (the same for every
   labels_dtype). */
SSRL_API ssrl_status ssrl_confusion_counts2_cuda(const void *y_true, ssrl_dtype labels_dtype,
                                                 const void *y_prob, ssrl_dtype prob_dtype,
                                                 int64_t N, int64_t C, const double *thresholds,
                                                 int64_t K, int64_t *counts, int32_t *invalid,
                                                 void *workspace, size_t workspace_bytes,
                                                 void *stream);

/* Bytes of workspace ssrl_auroc_auprc_cuda needs (as ssrl_auroc_cuda's query,
   plus C accumulators). */
SSRL_API ssrl_status ssrl_auroc_auprc_cuda_workspace_size(int64_t N, int64_t C,
                                                          ssrl_dtype prob_dtype, size_t *bytes);

/* As ssrl_auroc_auprc_cpu on the device: auroc and auprc bit-identical to the
   CPU's. auprc may be NULL: then ssrl_auroc_cuda_workspace_size's bytes are
   enough. */
SSRL_API ssrl_status ssrl_auroc_auprc_cuda(const void *y_true, ssrl_dtype labels_dtype,
                                           const void *y_prob, ssrl_dtype prob_dtype, int64_t N,
                                           int64_t C, double *auroc, double *auprc,
                                           int32_t *invalid, void *workspace,
                                           size_t workspace_bytes, void *stream);

/* ---- masks for self-supervised pretraining (docs/semantics.md, "Masks for
   self-supervised pretraining"). Streams and selection: ops/mask_select.h. -- */

/* Spans per row of span_mask. exact = 0: ssrl_block_count's n. exact = 1:
   min(T / span, max(1, round_half_even(T * mask_ratio / span))), and 1 when
   T < span (the one span is the whole row). 0 when mask_ratio <= 0.
   Errors as ssrl_block_count (span is its block_size). */
SSRL_API ssrl_status ssrl_span_count(int64_t T, double mask_ratio, int64_t span, int exact,
                                     int64_t *n_spans);

/* x, out: [B, C, T] of elem_size bytes (out == x masks in place, writing only
   the masked steps); mask [B, T] (per_lead = 0) or [B, C, T] (per_lead = 1),
   1 = masked, may be NULL; fill [C] of elem_size bytes written at the masked
   steps of channel c, or NULL for zeros. Row r (sample b, or b * C + c per
   lead) draws its spans from Philox subsequence r. per_lead = 0, exact = 0 is
   ssrl_block_mask_cpu's mask. mask_ratio <= 0 copies x and zeroes mask.
   Errors as ssrl_block_mask_cpu. */
SSRL_API ssrl_status ssrl_span_mask_cpu(const void *x, void *out, uint8_t *mask, int64_t B,
                                        int64_t C, int64_t T, size_t elem_size,
                                        double mask_ratio, int64_t span, int per_lead,
                                        int exact, const void *fill, uint64_t seed);

/* Leads dropped per sample by lead_mask(exact = 1): round_half_even(p * C).
   SSRL_ERR_INVALID_ARGUMENT: p NaN or outside [0, 1], C >= 2^32.
   SSRL_ERR_SHAPE: C < 0. SSRL_ERR_NULL_POINTER: k NULL. */
SSRL_API ssrl_status ssrl_lead_count(int64_t C, double p, int64_t *k);

/* x, out: [B, C, T] (out == x in place: only dropped leads are written);
   dropped [B, C] (1 = zeroed lead), required when B * C > 0. Sample b draws
   from Philox subsequence b: exact = 0 drops lead c iff u_c < floor(p * 2^32)
   (all for p = 1); exact = 1 drops a uniform ssrl_lead_count subset (Floyd).
   Errors as ssrl_lead_count plus ssrl_block_mask_cpu's shape, dtype and
   pointer errors. */
SSRL_API ssrl_status ssrl_lead_mask_cpu(const void *x, void *out, uint8_t *dropped, int64_t B,
                                        int64_t C, int64_t T, size_t elem_size, double p,
                                        int exact, uint64_t seed);

/* Tokens kept per group by token_mask: (int64)(L * (1 - mask_ratio)).
   SSRL_ERR_INVALID_ARGUMENT: mask_ratio NaN or outside [0, 1], L >= 2^32.
   SSRL_ERR_SHAPE: L < 0. SSRL_ERR_NULL_POINTER: len_keep NULL. */
SSRL_API ssrl_status ssrl_token_keep_count(int64_t L, double mask_ratio, int64_t *len_keep);

/* rows groups of L tokens (row r draws from Philox subsequence r); a uniform
   len_keep-subset kept per row (Floyd). ids_keep [rows, len_keep] kept ids
   ascending; ids_restore [rows, L] the inverse of "kept ascending, then masked
   ascending"; mask [rows, L] 0.0 kept, 1.0 masked. Errors as
   ssrl_token_keep_count, plus SSRL_ERR_SHAPE for rows < 0 or sizes that
   overflow, SSRL_ERR_NULL_POINTER for a NULL output with work to do. */
SSRL_API ssrl_status ssrl_token_mask_cpu(int64_t rows, int64_t L, double mask_ratio,
                                         uint64_t seed, int64_t *ids_keep, int64_t *ids_restore,
                                         float *mask);

/* CUDA twins: device pointers, seed one uint64 on the device (read by the
   kernels: CUDA graphs replay with fresh seeds), stream a cudaStream_t; no
   sync, no allocation. The selections need per-row bitmaps (span_mask with
   block_mask's rule needs its buckets instead): the caller passes
   a workspace of at least the queried size (any alignment). */
SSRL_API ssrl_status ssrl_span_mask_cuda_workspace_size(int64_t B, int64_t C, int64_t T,
                                                        double mask_ratio, int64_t span,
                                                        int per_lead, int exact, size_t *bytes);
SSRL_API ssrl_status ssrl_span_mask_cuda(const void *x, void *out, uint8_t *mask, int64_t B,
                                         int64_t C, int64_t T, size_t elem_size,
                                         double mask_ratio, int64_t span, int per_lead,
                                         int exact, const void *fill, const uint64_t *seed,
                                         void *workspace, size_t workspace_bytes, void *stream);
SSRL_API ssrl_status ssrl_lead_mask_cuda_workspace_size(int64_t B, int64_t C, double p, int exact,
                                                        size_t *bytes);
SSRL_API ssrl_status ssrl_lead_mask_cuda(const void *x, void *out, uint8_t *dropped, int64_t B,
                                         int64_t C, int64_t T, size_t elem_size, double p,
                                         int exact, const uint64_t *seed, void *workspace,
                                         size_t workspace_bytes, void *stream);
SSRL_API ssrl_status ssrl_token_mask_cuda_workspace_size(int64_t rows, int64_t L,
                                                         double mask_ratio, size_t *bytes);
SSRL_API ssrl_status ssrl_token_mask_cuda(int64_t rows, int64_t L, double mask_ratio,
                                          const uint64_t *seed, int64_t *ids_keep,
                                          int64_t *ids_restore, float *mask, void *workspace,
                                          size_t workspace_bytes, void *stream);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SSRL_ECG_H */
