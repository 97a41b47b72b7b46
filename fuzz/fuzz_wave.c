/* libFuzzer target: the WAVE value parser. Parses the bytes as a call and as
 * a single value; whatever parses is printed, reparsed and must come back
 * structurally equal (the printer's output is canonical). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "component/wave.h"

static void check_value(const char *s, size_t n) {
  wf_error_t err;
  wf_wave_node_t *v = wf_wave_parse_value(s, n, &err);
  if (!v) {
    if (!err.failed || err.msg[0] == 0 || err.offset > n) abort();
    return;
  }
  wf_wave_buf_t b;
  memset(&b, 0, sizeof b);
  if (!wf_wave_print(v, &b)) abort();
  wf_wave_node_t *w = wf_wave_parse_value(b.data, b.len, &err);
  if (!w || !wf_wave_equal(v, w)) abort();
  wf_wave_buf_t b2;
  memset(&b2, 0, sizeof b2);
  if (!wf_wave_print(w, &b2) || b2.len != b.len || memcmp(b.data, b2.data, b.len) != 0) abort();
  wf_wave_buf_free(&b);
  wf_wave_buf_free(&b2);
  wf_wave_free(v);
  wf_wave_free(w);
}

static void check_call(const char *s, size_t n) {
  wf_error_t err;
  wf_wave_call_t *c = wf_wave_parse_call(s, n, &err);
  if (!c) {
    if (!err.failed || err.msg[0] == 0 || err.offset > n) abort();
    return;
  }
  wf_wave_buf_t b;
  memset(&b, 0, sizeof b);
  if (!wf_wave_print_call(c, &b)) abort();
  wf_wave_call_t *d = wf_wave_parse_call(b.data, b.len, &err);
  if (!d || strcmp(c->name, d->name) != 0 || c->nargs != d->nargs) abort();
  for (size_t i = 0; i < c->nargs; i++)
    if (!wf_wave_equal(c->args[i], d->args[i])) abort();
  wf_wave_buf_free(&b);
  wf_wave_call_free(c);
  wf_wave_call_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_value((const char *)data, size);
  check_call((const char *)data, size);
  return 0;
}
