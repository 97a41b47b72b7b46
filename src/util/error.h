/* Errors as values: a status plus a message that says where and what. */
#ifndef WF_UTIL_ERROR_H
#define WF_UTIL_ERROR_H

#include <stddef.h>
#include <stdarg.h>

#define WF_ERRMSG_MAX 512

typedef struct {
  int failed;                 /* 0 = no error recorded */
  size_t offset;              /* byte offset in the input, when has_offset */
  int has_offset;
  char msg[WF_ERRMSG_MAX];    /* NUL-terminated reason */
} wf_error_t;

/* Record an error at a byte offset (first error wins; later calls are ignored).
 * Always returns 0 so callers can `return wf_error_at(...)` from bool functions. */
int wf_error_at(wf_error_t *e, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error with no offset. Returns 0. */
int wf_error_set(wf_error_t *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wf_error_clear(wf_error_t *e);

#endif
