/* Dense double-precision matrix multiply (i-k-j order), repeated. */
#include "rt.h"

#define N 200
#define REPS 10

static double A[N * N], B[N * N], C[N * N];

uint32_t run(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i * N + j] = (double)((i * 7 + j * 3) % 17) / 16.0 - 0.5;
      B[i * N + j] = (double)((i * 5 + j * 11) % 23) / 32.0 - 0.25;
    }
  uint32_t h = 2166136261u;
  for (int r = 0; r < REPS; r++) {
    for (int i = 0; i < N * N; i++) C[i] = 0.0;
    for (int i = 0; i < N; i++)
      for (int k = 0; k < N; k++) {
        double a = A[i * N + k];
        for (int j = 0; j < N; j++) C[i * N + j] += a * B[k * N + j];
      }
    /* feed the result back so repetitions are not redundant */
    for (int i = 0; i < N * N; i++) A[i] = C[i] * 0.125 - A[i] * 0.5;
    for (int i = 0; i < N * N; i += 7) h = rt_mix64(h, rt_f64_bits(C[i]));
  }
  return h;
}
