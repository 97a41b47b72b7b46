/* What the freestanding-C wasi:http/incoming-handler test guests share
 * (tests/serve/guest.c, tests/interrupt/guest.c, tests/link/http_app.c):
 * the canonical ABI of the wasi:http and wasi:io imports they use, written
 * out by hand (no bindings generator), a bump allocator for what the host
 * lowers into the guest, a return area, and the answer helpers.
 * Built with clang --target=wasm32 -nostdlib; define GUEST_HEAP_SIZE before
 * including for a heap other than 1 MiB. */
#ifndef WEFT_TESTS_HTTP_GUEST_H
#define WEFT_TESTS_HTTP_GUEST_H
#include <stddef.h>
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define HELPER __attribute__((unused)) static
#define TYPES "wasi:http/types@0.2.12"
#define STREAMS "wasi:io/streams@0.2.12"
#define POLL "wasi:io/poll@0.2.12"

IMPORT(TYPES, "[constructor]fields") int32_t fields_new(void);
IMPORT(TYPES, "[method]fields.append")
void fields_append(int32_t self, const char *n, size_t nl, const char *v, size_t vl, void *ret);
IMPORT(TYPES, "[constructor]outgoing-response") int32_t outresp_new(int32_t headers);
IMPORT(TYPES, "[method]outgoing-response.set-status-code") int32_t outresp_set_status(int32_t self, int32_t s);
IMPORT(TYPES, "[method]outgoing-response.body") void outresp_body(int32_t self, void *ret);
IMPORT(TYPES, "[method]outgoing-body.write") void outbody_write(int32_t self, void *ret);
IMPORT(TYPES, "[static]outgoing-body.finish")
void outbody_finish(int32_t body, int32_t has_trailers, int32_t trailers, void *ret);
IMPORT(TYPES, "[static]response-outparam.set")
void outparam_set(int32_t param, int32_t is_err, int32_t resp, int32_t a, int64_t b, int32_t c, int32_t d, int32_t e,
                  int32_t f);
IMPORT(TYPES, "[method]incoming-request.path-with-query") void inreq_path(int32_t self, void *ret);
IMPORT(TYPES, "[method]incoming-request.consume") void inreq_consume(int32_t self, void *ret);
IMPORT(TYPES, "[method]incoming-body.stream") void inbody_stream(int32_t self, void *ret);
IMPORT(TYPES, "[resource-drop]incoming-body") void inbody_drop(int32_t self);
IMPORT(TYPES, "[resource-drop]incoming-request") void inreq_drop(int32_t self);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush")
void out_write(int32_t self, const void *p, size_t n, void *ret);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_read(int32_t self, int64_t len, void *ret);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop(int32_t self);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop(int32_t self);
IMPORT(POLL, "[method]pollable.block") void pollable_block(int32_t self);
IMPORT(POLL, "[resource-drop]pollable") void pollable_drop(int32_t self);

/* ---- memory: a bump allocator for what the host lowers into us ---- */
#ifndef GUEST_HEAP_SIZE
#define GUEST_HEAP_SIZE (1 << 20)
#endif
static uint8_t heap[GUEST_HEAP_SIZE];
static size_t heap_top;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align,
                                                                 size_t new_size) {
  size_t at = (heap_top + align - 1) & ~(align - 1);
  if (at > sizeof heap || new_size > sizeof heap - at) __builtin_trap();
  heap_top = at + new_size;
  uint8_t *p = heap + at;
  for (size_t i = 0; old && i < old_size && i < new_size; i++) p[i] = ((uint8_t *)old)[i];
  return p;
}

/* The return area of the imports that return through memory. */
static _Alignas(8) uint8_t ret[64];
HELPER int32_t r32(size_t off) { return *(int32_t *)(ret + off); }

HELPER size_t slen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

/* Set the outgoing-response resp on outparam; returns its body's output
 * stream, *body the outgoing-body. */
HELPER int32_t answer_with(int32_t outparam, int32_t resp, int32_t *body) {
  outresp_body(resp, ret);
  if (ret[0]) __builtin_trap();
  *body = r32(4);
  outbody_write(*body, ret);
  if (ret[0]) __builtin_trap();
  int32_t out = r32(4);
  outparam_set(outparam, 0, resp, 0, 0, 0, 0, 0, 0);
  return out;
}

/* A 200 response with no headers (answer_with). */
HELPER int32_t start_answer(int32_t outparam, int32_t *body) {
  return answer_with(outparam, outresp_new(fields_new()), body);
}

/* Finish a body: drop its stream, then outgoing-body.finish with the given
 * trailers fields (or none when trailers < 0). */
HELPER void finish(int32_t out, int32_t body, int32_t trailers) {
  out_drop(out);
  outbody_finish(body, trailers >= 0, trailers >= 0 ? trailers : 0, ret);
  if (ret[0]) __builtin_trap();
}

/* A 200 response whose whole body is text[0..n). */
HELPER void answer(int32_t outparam, const char *text, size_t n) {
  int32_t body;
  int32_t out = start_answer(outparam, &body);
  out_write(out, text, n, ret);
  if (ret[0]) __builtin_trap();
  finish(out, body, -1);
}
#endif
