/*
 * mask_and_score.c: the C ABI end to end, with no torch.
 *
 * Masks a [4, 12, 1000] float batch (15% in 50-step blocks), then scores 200
 * samples x 5 classes of made-up predictions: confusion counts at 0.5 and the
 * exact AUROC per class. Build against an installed ssrl_ecg:
 *   cmake -S examples -B build-example -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build-example
 *   ./build-example/mask_and_score
 */
#include <stdio.h>
#include <stdlib.h>

#include <ssrl_ecg/ssrl_ecg.h>

#define CHECK(call)                                                                 \
  do {                                                                              \
    ssrl_status st_ = (call);                                                       \
    if (st_ != SSRL_OK) {                                                           \
      fprintf(stderr, "%s failed: %s\n", #call, ssrl_status_string(st_));           \
      return 1;                                                                     \
    }                                                                               \
  } while (0)

enum { B = 4, C = 12, T = 1000, N = 200, K = 5 };

int main(void) {
  printf("ssrl_ecg %s (CUDA kernels: %s)\n", ssrl_version_string(), ssrl_has_cuda() ? "yes" : "no");
  float *x = malloc(sizeof(float) * B * C * T), *out = malloc(sizeof(float) * B * C * T);
  uint8_t *mask = malloc(B * T);
  if (!x || !out || !mask) return 1;
  for (int i = 0; i < B * C * T; ++i) x[i] = 1.0f + (float)(i % 7);
  CHECK(ssrl_block_mask_cpu(x, out, mask, B, C, T, sizeof(float), 0.15, 50, 2024));
  for (int b = 0; b < B; ++b) {
    int masked = 0;
    for (int t = 0; t < T; ++t) masked += mask[b * T + t];
    printf("sample %d: %d of %d time steps masked\n", b, masked, T);
  }

  uint8_t y[N * K];
  double p[N * K], threshold = 0.5, auroc[K];
  int64_t counts[K * 4];
  srand(7);
  for (int i = 0; i < N * K; ++i) {
    y[i] = (uint8_t)(rand() % 3 == 0);
    p[i] = 0.6 * rand() / (double)RAND_MAX + 0.4 * y[i];
  }
  CHECK(ssrl_confusion_counts_cpu(y, p, SSRL_FLOAT64, N, K, &threshold, 1, counts));
  CHECK(ssrl_auroc_cpu(y, p, SSRL_FLOAT64, N, K, auroc));
  for (int c = 0; c < K; ++c)
    printf("class %d: TP %lld FP %lld TN %lld FN %lld AUROC %.4f\n", c, (long long)counts[c * 4],
           (long long)counts[c * 4 + 1], (long long)counts[c * 4 + 2], (long long)counts[c * 4 + 3],
           auroc[c]);
  /* bad input is a status, never a crash */
  printf("mask_ratio 1.5 -> %s\n",
         ssrl_status_string(ssrl_block_mask_cpu(x, out, mask, B, C, T, 4, 1.5, 50, 1)));
  free(x), free(out), free(mask);
  return 0;
}
