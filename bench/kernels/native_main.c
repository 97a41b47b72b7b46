/* Native driver for a benchmark kernel: times one call of run() and prints
 * "CHECKSUM MILLISECONDS", the format every engine driver prints. */
#include <stdio.h>
#include <time.h>

#include "rt.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(void) {
  double t0 = now_ms();
  uint32_t sum = run();
  double t1 = now_ms();
  printf("%u %.3f\n", sum, t1 - t0);
  return 0;
}
