/* A growable, NUL-terminated text buffer with printf-style appends. An
 * allocation failure sets `oom` and makes later appends do nothing, so a
 * writer checks once at the end. */
#ifndef WF_UTIL_STRBUF_H
#define WF_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *s;          /* NULL until the first append */
  size_t n, cap;
  bool oom;
} wf_strbuf_t;

void wf_strbuf_printf(wf_strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wf_strbuf_free(wf_strbuf_t *b);

#endif
