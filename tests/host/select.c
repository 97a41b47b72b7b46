/* Guest of tests/host/select.wit: calls `mixed` through the plain-name
 * import `second` and returns what the host library answered (it names the
 * host instance it runs as). Canonical ABI by hand, like guest.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct { char *ptr; size_t len; } str_t;

__attribute__((import_module("second"), import_name("mixed")))
void mixed(int32_t, int64_t, float, const char *, size_t, int32_t, int32_t, const char *, size_t, int32_t, str_t *);

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align,
                                                                 size_t new_size) {
  (void)old_size;
  if (!new_size) return (void *)align;
  return realloc(old, new_size);
}

__attribute__((export_name("run"))) str_t *run(void) {
  static str_t out;
  mixed(1, 2, 3.0f, "d", 1, 4, 5, "p", 1, 0, &out);
  return &out;
}
