#include "error.h"

#include <stdio.h>
#include <string.h>

static int record(wf_error_t *e, int has_off, size_t off, const char *fmt, va_list ap) {
  if (!e || e->failed) return 0;
  e->failed = 1;
  e->has_offset = has_off;
  e->offset = off;
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  return 0;
}

int wf_error_at(wf_error_t *e, size_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(e, 1, offset, fmt, ap);
  va_end(ap);
  return 0;
}

int wf_error_set(wf_error_t *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(e, 0, 0, fmt, ap);
  va_end(ap);
  return 0;
}

void wf_error_clear(wf_error_t *e) {
  if (e) memset(e, 0, sizeof *e);
}
