#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void wf_strbuf_printf(wf_strbuf_t *b, const char *fmt, ...) {
  if (b->oom) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) { b->oom = true; return; }
  if (b->n + (size_t)n + 1 > b->cap) {
    size_t nc = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
    char *ns = realloc(b->s, nc);
    if (!ns) { b->oom = true; return; }
    b->s = ns;
    b->cap = nc;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

void wf_strbuf_free(wf_strbuf_t *b) {
  free(b->s);
  b->s = NULL;
  b->n = b->cap = 0;
  b->oom = false;
}
