/* wasi:http internals that need no guest: body channels (bounds, ends,
 * errors, discard, eventfd readiness, a producer on another thread), field
 * validation, error-code names, sockets' errno map. Guests are exercised
 * by tests/cli/wasi_http.sh and tests/cli/wasi_sockets.sh. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "test.h"
#include "wasi/wasi_http.h"
#include "wasi/wasi_sockets.h"

static int readable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  return poll(&p, 1, 0) > 0;
}

WF_TEST(http_chan_bounds_and_end) {
  wf_http_chan_t *c = wf_http_chan_new(8);
  CHECK(c != NULL);
  CHECK_EQ(wf_http_chan_space(c), 8);
  CHECK(readable(wf_http_chan_space_fd(c)));
  CHECK(!readable(wf_http_chan_data_fd(c)));
  uint8_t buf[16];
  int code = -1;
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), 0);   /* nothing yet */
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"abcdefgh", 8), 0);
  CHECK_EQ(wf_http_chan_space(c), 0);                                    /* full */
  CHECK(!readable(wf_http_chan_space_fd(c)));
  CHECK(readable(wf_http_chan_data_fd(c)));
  CHECK_EQ(wf_http_chan_read(c, buf, 3, &code, NULL, 0), 3);
  CHECK(!memcmp(buf, "abc", 3));
  CHECK_EQ(wf_http_chan_space(c), 3);
  CHECK(readable(wf_http_chan_space_fd(c)));
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"ij", 2), 0);
  wf_http_chan_finish(c, -1, NULL);
  CHECK_EQ(wf_http_chan_space(c), -1);                                   /* finished */
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"x", 1), -1);
  CHECK(!wf_http_chan_ended(c, NULL));                                   /* bytes left */
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), 7);
  CHECK(!memcmp(buf, "defghij", 7));
  CHECK(readable(wf_http_chan_data_fd(c)));                              /* the end is readable */
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), WF_WASI_CLOSED);
  CHECK(wf_http_chan_ended(c, &code));
  CHECK_EQ(code, -1);
  CHECK_EQ(wf_http_chan_written(c), 10);
  wf_http_chan_unref(c);
}

WF_TEST(http_chan_error_end_and_discard) {
  wf_http_chan_t *c = wf_http_chan_new(0);
  CHECK(c != NULL);
  CHECK_EQ(wf_http_chan_space(c), WF_HTTP_CHAN_LIMIT);
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"abc", 3), 0);
  wf_http_chan_finish(c, WF_HTTP_E_CONNECTION_TERMINATED, "peer went away");
  wf_http_chan_finish(c, -1, NULL);   /* the first finish wins */
  uint8_t buf[8];
  int code = -1;
  char msg[64] = "";
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, msg, sizeof msg), 3);
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, msg, sizeof msg), WF_WASI_FAILED);
  CHECK_EQ(code, WF_HTTP_E_CONNECTION_TERMINATED);
  CHECK(!strcmp(msg, "peer went away"));
  wf_http_chan_unref(c);

  /* discard: buffered bytes dropped, the writer sees the reader gone, the
   * data fd signals only the end */
  c = wf_http_chan_new(4);
  CHECK(c != NULL);
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"abcd", 4), 0);
  wf_http_chan_discard(c);
  CHECK(!readable(wf_http_chan_data_fd(c)));
  CHECK_EQ(wf_http_chan_space(c), -1);
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"e", 1), -1);
  CHECK(readable(wf_http_chan_space_fd(c)));   /* a blocked writer wakes to see it */
  CHECK(!wf_http_chan_ended(c, NULL));
  wf_http_chan_finish(c, -1, NULL);
  CHECK(readable(wf_http_chan_data_fd(c)));
  CHECK(wf_http_chan_ended(c, NULL));
  wf_http_chan_unref(c);
}

typedef struct {
  wf_http_chan_t *c;
  size_t total;
  int wakes;
} producer_t;

static void *produce(void *arg) {
  producer_t *p = arg;
  uint8_t block[1000];
  for (size_t i = 0; i < sizeof block; i++) block[i] = (uint8_t)i;
  size_t sent = 0;
  while (sent < p->total) {
    int64_t space = wf_http_chan_space(p->c);
    if (space < 0) return NULL;
    if (space == 0) {   /* wait for the reader, as the curl worker would */
      struct pollfd fd = {.fd = wf_http_chan_space_fd(p->c), .events = POLLIN};
      poll(&fd, 1, 1000);
      continue;
    }
    size_t off = sent % sizeof block;   /* the stream is 0..999 repeated */
    size_t n = sizeof block - off;
    if (p->total - sent < n) n = p->total - sent;
    if ((size_t)space < n) n = (size_t)space;
    wf_http_chan_write(p->c, block + off, n);
    sent += n;
  }
  wf_http_chan_finish(p->c, -1, NULL);
  return NULL;
}

static void count_wake(void *env) { __atomic_fetch_add(&((producer_t *)env)->wakes, 1, __ATOMIC_SEQ_CST); }

WF_TEST(http_chan_threaded_producer) {
  producer_t p = {wf_http_chan_new(4096), 300000, 0};
  CHECK(p.c != NULL);
  wf_http_chan_on_data(p.c, count_wake, &p);
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, produce, &p), 0);
  size_t got = 0;
  int bad = 0;
  uint8_t buf[777];
  for (;;) {
    int code;
    int64_t r = wf_http_chan_read(p.c, buf, sizeof buf, &code, NULL, 0);
    if (r == WF_WASI_CLOSED) break;
    if (r < 0) {
      bad = 1;
      break;
    }
    if (r == 0) {   /* the data fd is readable exactly when there is progress to make */
      struct pollfd fd = {.fd = wf_http_chan_data_fd(p.c), .events = POLLIN};
      poll(&fd, 1, 1000);
      continue;
    }
    for (int64_t i = 0; i < r; i++)
      if (buf[i] != (uint8_t)((got + (size_t)i) % 1000)) bad = 1;
    got += (size_t)r;
  }
  pthread_join(th, NULL);
  CHECK_EQ(bad, 0);
  CHECK_EQ(got, 300000);
  CHECK(p.wakes > 0);
  wf_http_chan_unref(p.c);
}

WF_TEST(http_fields_rules) {
  wf_http_fields_t *f = wf_http_fields_new();
  CHECK(f != NULL);
  int syntax = 1, forbidden = 2;
  CHECK_EQ(wf_http_fields_append(f, "X-Ok", 4, (const uint8_t *)"yes", 3, true), 0);
  const wf_http_field_t *e = wf_http_fields_get(f, "x-ok");   /* names are lower-cased */
  CHECK(e != NULL);
  CHECK_EQ(e->value_len, 3);
  /* invalid names and values: invalid-syntax, nothing appended */
  size_t n0 = f->n;
  CHECK_EQ(wf_http_fields_append(f, "bad name", 8, (const uint8_t *)"v", 1, true), syntax);
  CHECK_EQ(wf_http_fields_append(f, "", 0, (const uint8_t *)"v", 1, true), syntax);
  CHECK_EQ(wf_http_fields_append(f, "x-v", 3, (const uint8_t *)"a\r\nb", 4, true), syntax);
  CHECK_EQ(wf_http_fields_append(f, "x-v", 3, (const uint8_t *)"a\0b", 3, true), syntax);
  CHECK_EQ(f->n, n0);
  /* hop-by-hop fields are forbidden to guests, allowed to the host */
  CHECK_EQ(wf_http_fields_append(f, "Connection", 10, (const uint8_t *)"close", 5, true), forbidden);
  CHECK_EQ(wf_http_fields_append(f, "host", 4, (const uint8_t *)"a", 1, true), forbidden);
  CHECK_EQ(wf_http_fields_append(f, "transfer-encoding", 17, (const uint8_t *)"chunked", 7, true), forbidden);
  CHECK_EQ(f->n, n0);
  CHECK_EQ(wf_http_fields_append(f, "host", 4, (const uint8_t *)"a", 1, false), 0);
  CHECK_EQ(f->n, n0 + 1);
  /* the whole section is bounded */
  static uint8_t big[WF_HTTP_FIELDS_MAX_BYTES];
  memset(big, 'a', sizeof big);
  CHECK_EQ(wf_http_fields_append(f, "x-big", 5, big, sizeof big, true), syntax);
  CHECK_EQ(f->n, n0 + 1);
  wf_wasi_unref(f);
}

WF_TEST(http_error_names) {
  CHECK(!strcmp(wf_http_error_name(WF_HTTP_E_DNS_TIMEOUT), "DNS-timeout"));
  CHECK(!strcmp(wf_http_error_name(WF_HTTP_E_CONNECTION_REFUSED), "connection-refused"));
  CHECK(!strcmp(wf_http_error_name(WF_HTTP_E_REQUEST_BODY_SIZE), "HTTP-request-body-size"));
  CHECK(!strcmp(wf_http_error_name(WF_HTTP_E_INTERNAL_ERROR), "internal-error"));
  CHECK_EQ(WF_HTTP_E_COUNT, 39);
  CHECK(wf_http_error_name(WF_HTTP_E_COUNT) == NULL);
  CHECK(wf_http_error_name(-1) == NULL);
  CHECK(!strcmp(wf_http_method_name(0), "GET"));
  CHECK(!strcmp(wf_http_method_name(8), "PATCH"));
  CHECK(wf_http_method_name(WF_HTTP_METHOD_OTHER) == NULL);
}

WF_TEST(sockets_errno_map) {
  CHECK_EQ(wf_sock_errno_code(ECONNREFUSED), WF_SE_CONNECTION_REFUSED);
  CHECK_EQ(wf_sock_errno_code(EADDRINUSE), WF_SE_ADDRESS_IN_USE);
  CHECK_EQ(wf_sock_errno_code(EAGAIN), WF_SE_WOULD_BLOCK);
  CHECK_EQ(wf_sock_errno_code(EACCES), WF_SE_ACCESS_DENIED);
  CHECK_EQ(wf_sock_errno_code(EMSGSIZE), WF_SE_DATAGRAM_TOO_LARGE);
  CHECK_EQ(wf_sock_errno_code(12345), WF_SE_UNKNOWN);
  CHECK_EQ(WF_SE_PERMANENT_RESOLVER_FAILURE, 20);
}

WF_TEST(http_incoming_request_api) {
  wf_http_link_t h;
  memset(&h, 0, sizeof h);   /* no linker: handles carry NULL types here */
  wf_http_header_t hd[2] = {{"Content-Type", (const uint8_t *)"text/plain", 10},
                            {"X-Id", (const uint8_t *)"7", 1}};
  wf_http_chan_t *body = wf_http_chan_new(0);
  CHECK(body != NULL);
  weft_val_t v;
  char msg[128] = "";
  CHECK_EQ(wf_http_incoming_request_new(&h, "PROPFIND", "https", "example.com:8443", "/a/b?c=d", hd, 2, body, &v,
                                        msg, sizeof msg),
           0);
  CHECK_EQ(v.kind, WEFT_VAL_OWN);
  wf_http_request_t *r = (wf_http_request_t *)(uintptr_t)v.of.res.rep;
  CHECK(r->incoming);
  CHECK_EQ(r->method, WF_HTTP_METHOD_OTHER);
  CHECK(!strcmp(r->method_other, "PROPFIND"));
  CHECK_EQ(r->scheme, 1);
  CHECK(!strcmp(r->authority, "example.com:8443") && !strcmp(r->path, "/a/b?c=d"));
  CHECK(r->headers->immutable);
  CHECK(wf_http_fields_get(r->headers, "x-id") != NULL);
  CHECK(r->body == body);
  wf_wasi_unref(r);   /* unconsumed: the body is discarded, serve's writes fail */
  CHECK_EQ(wf_http_chan_write(body, (const uint8_t *)"x", 1), -1);
  wf_http_chan_unref(body);

  /* GET without a body: an empty, finished body */
  CHECK_EQ(wf_http_incoming_request_new(&h, "GET", NULL, NULL, "/", NULL, 0, NULL, &v, msg, sizeof msg), 0);
  r = (wf_http_request_t *)(uintptr_t)v.of.res.rep;
  CHECK_EQ(r->method, 0);
  CHECK_EQ(r->scheme, WF_HTTP_SCHEME_NONE);
  CHECK(wf_http_chan_ended(r->body, NULL));
  wf_wasi_unref(r);

  /* hostile heads are refused with a message */
  CHECK_EQ(wf_http_incoming_request_new(&h, "GE T", NULL, NULL, "/", NULL, 0, NULL, &v, msg, sizeof msg), -1);
  CHECK(strstr(msg, "method") != NULL);
  CHECK_EQ(wf_http_incoming_request_new(&h, "GET", NULL, "a/b", "/", NULL, 0, NULL, &v, msg, sizeof msg), -1);
  CHECK(strstr(msg, "authority") != NULL);
  CHECK_EQ(wf_http_incoming_request_new(&h, "GET", NULL, NULL, "no-slash", NULL, 0, NULL, &v, msg, sizeof msg), -1);
  CHECK(strstr(msg, "target") != NULL);
  wf_http_header_t bad = {"X-Bad", (const uint8_t *)"a\r\nb", 4};
  CHECK_EQ(wf_http_incoming_request_new(&h, "GET", NULL, NULL, "/", &bad, 1, NULL, &v, msg, sizeof msg), -1);
  CHECK(strstr(msg, "X-Bad") != NULL);

  /* outparam: one reference for serve, one in the value */
  wf_http_outparam_t *op = NULL;
  CHECK_EQ(wf_http_outparam_new(&h, &v, &op), 0);
  CHECK(op != NULL && !op->set && op->error_code == -1);
  CHECK_EQ(op->obj.refs, 2);
  CHECK((void *)(uintptr_t)v.of.res.rep == (void *)op);
  wf_wasi_unref(op);
  wf_wasi_unref(op);
}
