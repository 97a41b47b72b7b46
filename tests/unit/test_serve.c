/* The serving side of wasi:http without a guest (include/weft_serve.h):
 * head validation, the request body's bound and its drop, outcomes without
 * a response, deadlines. The guest side runs in tests/cli/serve.sh. */
#include <string.h>

#include "test.h"
#include "weft_serve.h"

static weft_http_exchange_t *mk(const char *method, const char *path, const weft_http_header_t *h, size_t n,
                                int body, char *msg) {
  return weft_http_exchange_new(method, "http", "example.com", path, h, n, body, msg, 200);
}

WF_TEST(serve_head_validation) {
  char msg[200];
  weft_http_header_t ok[] = {{"Content-Type", (const uint8_t *)"text/plain", 10},
                             {"x-tab", (const uint8_t *)"a\tb", 3}};
  weft_http_exchange_t *x = mk("GET", "/a?b=c", ok, 2, 0, msg);
  CHECK(x != NULL);
  weft_http_exchange_unref(x);
  CHECK(mk("G(T", "/", NULL, 0, 0, msg) == NULL);
  CHECK(strstr(msg, "method") != NULL);
  CHECK(mk("", "/", NULL, 0, 0, msg) == NULL);
  weft_http_header_t badname[] = {{"bad name", (const uint8_t *)"v", 1}};
  CHECK(mk("GET", "/", badname, 1, 0, msg) == NULL);
  CHECK(strstr(msg, "bad name") != NULL);
  weft_http_header_t ctl[] = {{"x-a", (const uint8_t *)"a\x01" "b", 3}};
  CHECK(mk("GET", "/", ctl, 1, 0, msg) == NULL);
  CHECK(strstr(msg, "control character") != NULL);
  weft_http_header_t crlf[] = {{"x-a", (const uint8_t *)"a\r\nb: c", 7}};
  CHECK(mk("GET", "/", crlf, 1, 0, msg) == NULL);
  weft_http_header_t del[] = {{"x-a", (const uint8_t *)"a\x7f", 2}};
  CHECK(mk("GET", "/", del, 1, 0, msg) == NULL);
}

WF_TEST(serve_no_response) {
  char msg[200];
  weft_http_exchange_t *x = mk("GET", "/", NULL, 0, 0, msg);
  CHECK(x != NULL);
  /* nobody answers: the deadline passes */
  CHECK_EQ(weft_http_exchange_wait_response(x, weft_http_now_ns() + 20 * 1000000ull), WEFT_HTTP_TIMEOUT);
  weft_http_exchange_fail(x, "could not instantiate");
  CHECK_EQ(weft_http_exchange_wait_response(x, weft_http_now_ns()), 0);
  CHECK(strcmp(weft_http_exchange_error(x), "could not instantiate") == 0);
  CHECK_EQ(weft_http_exchange_bad_request(x), 0);
  /* the first outcome stays */
  weft_http_exchange_abort(x);
  CHECK(strcmp(weft_http_exchange_error(x), "could not instantiate") == 0);
  weft_http_exchange_unref(x);
}

WF_TEST(serve_call_without_instance) {
  char msg[200];
  weft_http_exchange_t *x = mk("GET", "/", NULL, 0, 0, msg);
  CHECK(x != NULL);
  weft_error_t err;
  CHECK_EQ(weft_http_exchange_call(x, NULL, &err), WEFT_ERR_LINK);
  CHECK_EQ(weft_http_exchange_wait_response(x, weft_http_now_ns() + 1000000000ull), 0);
  CHECK(strstr(weft_http_exchange_error(x), "incoming-handler") != NULL);
  weft_http_exchange_unref(x);
}

WF_TEST(serve_request_body_bound) {
  char msg[200];
  weft_http_exchange_t *x = mk("POST", "/", NULL, 0, 1, msg);
  CHECK(x != NULL);
  static uint8_t chunk[64 * 1024];
  /* nobody reads: the buffer (256 KiB) fills, then the deadline passes */
  int rc = 0;
  size_t sent = 0;
  for (int i = 0; i < 16 && rc == 0; i++) {
    rc = weft_http_exchange_body_write(x, chunk, sizeof chunk, weft_http_now_ns() + 20 * 1000000ull);
    if (rc == 0) sent += sizeof chunk;
  }
  CHECK_EQ(rc, WEFT_HTTP_TIMEOUT);
  CHECK(sent >= 256 * 1024 && sent < 16 * sizeof chunk);
  /* after an abort the body is refused: the writer stops */
  weft_http_exchange_abort(x);
  CHECK_EQ(weft_http_exchange_body_write(x, chunk, 10, weft_http_now_ns() + 1000000000ull), 1);
  weft_http_exchange_unref(x);
}

WF_TEST(serve_no_body) {
  char msg[200];
  weft_http_exchange_t *x = mk("GET", "/", NULL, 0, 0, msg);
  CHECK(x != NULL);
  CHECK_EQ(weft_http_exchange_body_write(x, (const uint8_t *)"x", 1, weft_http_now_ns()), 1);
  weft_http_exchange_body_end(x, 1);
  CHECK_EQ(weft_http_exchange_trailer_count(x), 0);
  uint8_t buf[8];
  CHECK_EQ(weft_http_exchange_read(x, buf, sizeof buf, weft_http_now_ns()), 0);
  weft_http_exchange_unref(x);
}
