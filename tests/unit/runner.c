/* Runs every registered unit test (or those whose name contains argv[1]) and
 * ends with the summary line "unit: N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define MAX_TESTS 4096
static struct { const char *name; wf_test_fn fn; } tests[MAX_TESTS];
static int ntests;

void wf_test_register(const char *name, wf_test_fn fn) {
  if (ntests == MAX_TESTS) { fprintf(stderr, "too many tests\n"); exit(2); }
  tests[ntests].name = name;
  tests[ntests].fn = fn;
  ntests++;
}

int main(int argc, char **argv) {
  const char *filter = argc > 1 ? argv[1] : NULL;
  int passed = 0, failed = 0;
  for (int i = 0; i < ntests; i++) {
    if (filter && !strstr(tests[i].name, filter)) continue;
    int f = 0;
    tests[i].fn(&f);
    if (f) { failed++; fprintf(stderr, "FAIL %s\n", tests[i].name); }
    else passed++;
  }
  printf("unit: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
