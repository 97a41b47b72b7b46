/* Fannkuch-redux: pancake flips over all permutations of n elements. */
#include "rt.h"

#define NFANN 9
#define REPS 3

static int fannkuch(int n, int *checksum_out) {
  int perm[16], perm1[16], count[16];
  int maxflips = 0, checksum = 0, permcount = 0;
  for (int i = 0; i < n; i++) perm1[i] = i;
  int r = n;
  for (;;) {
    while (r != 1) { count[r - 1] = r; r--; }
    for (int i = 0; i < n; i++) perm[i] = perm1[i];
    int flips = 0;
    int k;
    while ((k = perm[0]) != 0) {
      for (int i = 0, j = k; i < j; i++, j--) { int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
      flips++;
    }
    if (flips > maxflips) maxflips = flips;
    checksum += (permcount & 1) ? -flips : flips;
    for (;;) {
      if (r == n) { *checksum_out = checksum; return maxflips; }
      int p0 = perm1[0];
      for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
      perm1[r] = p0;
      if (--count[r] > 0) break;
      r++;
    }
    permcount++;
  }
}

uint32_t run(void) {
  uint32_t h = 2166136261u;
  for (int rep = 0; rep < REPS; rep++) {
    int cs = 0;
    int mf = fannkuch(NFANN, &cs);
    h = rt_mix32(h, (uint32_t)mf);
    h = rt_mix32(h, (uint32_t)cs);
  }
  return h;
}
