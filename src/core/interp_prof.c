/* A developer aid for the interpreter, not built by default: counts
 * executed instructions and adjacent pairs, printed at exit. Build with
 * EXTRA_CFLAGS=-DWF_INTERP_PROFILE (interp.c's NEXT() then calls
 * wf_interp_prof_count). Without the flag this file defines nothing. */
#ifdef WF_INTERP_PROFILE
#include <stdlib.h>

#include "interp_exec.h"

/* Developer aid (not built by default): count executed instructions and
 * adjacent pairs, printed at exit. Build with EXTRA_CFLAGS=-DWF_INTERP_PROFILE. */
#include <stdio.h>
#define PROF_N 4096
static struct { const void *h; uint64_t n; } prof1[PROF_N];
static struct { const void *a, *b; uint64_t n; } prof2[PROF_N * 4];
static const void *prof_prev;
static const void *const *prof_tbl;
static const char *prof_name(const void *h) {
  static char buf[8][64];
  static int k;
  char *b = buf[k++ & 7];
  for (int i = 0; i < WF_X_COUNT; i++)
    if (prof_tbl[i] == h) {
      if (i < WF_OP_COUNT) snprintf(b, 64, "%s", wf_opinfo[i].name);
      else {
        static const char *const xn[] = {   /* in the order of interp.h's enum */
#define X(n) #n,
          WF_XOPS(X)
#undef X
#define X(n) #n "_K",
          WF_KOPS(X)
#undef X
#define X(n) "BRC_" #n, "BRC_" #n "_K",
          WF_BRCOPS(X)
#undef X
#define X(n) #n "_RR", #n "_RK",
          WF_MEMOPS(X)
#undef X
#define X(n) "BRC_" #n, "BRCN_" #n,
          WF_FBRCOPS(X)
#undef X
#define X(n, l) #n "_MB", #n "_MA",
          WF_MARITH(X)
#undef X
#define X(n, ...) "P_" #n, "P_" #n "_A", "P_" #n "_C",
          WF_PAIRS(X)
#undef X
#define X(n, l) #n "_RMB", #n "_RMA",
          WF_MARITH(X)
#undef X
#define X(n, ...) "S_" #n,
          WF_OPSTORES(X)
#undef X
#define X(n) #n "_A", #n "_B", #n "_KA",
          WF_KOPS(X)
#undef X
#define X(n) #n "_A", #n "_B",
          WF_FACCOPS(X)
#undef X
#define X(n) "AB_" #n, "AB_" #n "_K",
          WF_LOOPOPS(X)
#undef X
#define X(n, l) #n "_MBR", #n "_MAR", #n "_MBK", #n "_MAK",
          WF_MARITH(X)
#undef X
#define X(n) #n "_A", #n "_RKA",
          WF_LOADOPS(X)
#undef X
#define X(n) "BRC_" #n "_A", "BRC_" #n "_KA",
          WF_BRCOPS(X)
#undef X
#define X(n) "BRA_" #n,
          WF_LOOPOPS(X)
#undef X
#define X(n) "ABR_" #n, "ABR_" #n "_K",
          WF_LOOPOPS(X)
#undef X
#define X(n) "LBRC_" #n, "LBRC_" #n "_K", "LBRC8_" #n, "LBRC8_" #n "_K",
          WF_LOOPOPS(X)
#undef X
        };
        _Static_assert(sizeof xn / sizeof *xn == WF_X_COUNT - WF_OP_COUNT, "names");
        snprintf(b, 64, "%s", i - WF_OP_COUNT < (int)(sizeof xn / sizeof *xn) ? xn[i - WF_OP_COUNT] : "x?");
      }
      return b;
    }
  return "?";
}
static int prof_cmp1(const void *a, const void *b) {
  uint64_t x = ((const uint64_t *)a)[1], y = ((const uint64_t *)b)[1];
  return x < y ? 1 : x > y ? -1 : 0;
}
static int prof_cmp2(const void *a, const void *b) {
  uint64_t x = ((const uint64_t *)a)[2], y = ((const uint64_t *)b)[2];
  return x < y ? 1 : x > y ? -1 : 0;
}
static void prof_dump(void) {
  uint64_t tot = 0;
  for (int i = 0; i < PROF_N; i++) tot += prof1[i].n;
  qsort(prof1, PROF_N, sizeof prof1[0], prof_cmp1);
  qsort(prof2, PROF_N * 4, sizeof prof2[0], prof_cmp2);
  fprintf(stderr, "total %llu\n", (unsigned long long)tot);
  for (int i = 0; i < 40 && prof1[i].n; i++)
    fprintf(stderr, "%6.2f%% %s\n", 100.0 * (double)prof1[i].n / (double)tot, prof_name(prof1[i].h));
  for (int i = 0; i < 40 && prof2[i].n; i++)
    fprintf(stderr, "%6.2f%% %s -> %s\n", 100.0 * (double)prof2[i].n / (double)tot,
            prof_name(prof2[i].a), prof_name(prof2[i].b));
}
void wf_interp_prof_count(const void *h) {
  if (!prof_tbl) { prof_tbl = wf_interp_handlers(); atexit(prof_dump); }
  size_t k = ((uintptr_t)h >> 2) % PROF_N;
  while (prof1[k].h && prof1[k].h != h) k = (k + 1) % PROF_N;
  prof1[k].h = h; prof1[k].n++;
  size_t j = (((uintptr_t)h >> 2) * 31 + ((uintptr_t)prof_prev >> 2)) % (PROF_N * 4);
  while (prof2[j].a && (prof2[j].a != prof_prev || prof2[j].b != h)) j = (j + 1) % (PROF_N * 4);
  prof2[j].a = prof_prev; prof2[j].b = h; prof2[j].n++;
  prof_prev = h;
}
#endif
