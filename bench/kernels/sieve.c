/* Sieve of Eratosthenes over a byte array, repeated with growing limits. */
#include "rt.h"

#define LIMIT 4000000
#define REPS 6

static uint8_t composite[LIMIT + 1];

uint32_t run(void) {
  uint32_t h = 2166136261u;
  for (int rep = 0; rep < REPS; rep++) {
    int lim = LIMIT - rep * 100000;
    memset(composite, 0, (size_t)lim + 1);
    for (int i = 2; (long)i * i <= lim; i++)
      if (!composite[i])
        for (int j = i * i; j <= lim; j += i) composite[j] = 1;
    uint32_t count = 0, sum = 0;
    for (int i = 2; i <= lim; i++)
      if (!composite[i]) { count++; sum += (uint32_t)i; }
    h = rt_mix32(h, count);
    h = rt_mix32(h, sum);
  }
  return h;
}
