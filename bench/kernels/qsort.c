/* Quicksort (median of three, insertion sort for small ranges) of random
 * 32-bit keys, then a sortedness check and a position-weighted checksum. */
#include "rt.h"

#define NKEYS 1000000

static uint32_t keys[NKEYS];

static void insertion(uint32_t *a, int n) {
  for (int i = 1; i < n; i++) {
    uint32_t v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

static void quicksort(uint32_t *a, int n) {
  while (n > 16) {
    uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    int i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
      i++; j--;
    }
    /* recurse into the smaller half, loop on the larger */
    int left = j + 1;
    if (left < n - left) { quicksort(a, left); a += left; n -= left; }
    else { quicksort(a + left, n - left); n = left; }
  }
  insertion(a, n);
}

uint32_t run(void) {
  uint32_t seed = 0x9e3779b9u;
  for (int i = 0; i < NKEYS; i++) keys[i] = rt_rand(&seed) % 5000000u;
  quicksort(keys, NKEYS);
  uint32_t h = 2166136261u, bad = 0;
  for (int i = 1; i < NKEYS; i++) bad += keys[i - 1] > keys[i];
  for (int i = 0; i < NKEYS; i += 3) h = rt_mix32(h, keys[i] + (uint32_t)i);
  return rt_mix32(h, bad);
}
