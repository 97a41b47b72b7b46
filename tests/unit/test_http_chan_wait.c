/* wasi:http body channels without eventfds: blocking waits on the
 * channel's condition variable (deadline, wake-up from another thread),
 * readiness reported without an fd when an end is ready, eventfds made on
 * first use with the end's current state, and the pending count. */
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "wasi/wasi_http.h"

static int fd_readable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  return poll(&p, 1, 0) > 0;
}

WF_TEST(http_chan_wait_deadline_and_ready) {
  wf_http_chan_t *c = wf_http_chan_new(4);
  CHECK(c != NULL);
  /* nothing to read: a wait with a deadline 20 ms away times out */
  uint64_t t0 = wf_wasi_monotonic_ns();
  CHECK_EQ(wf_http_chan_wait(c, false, t0 + 20000000u), 0);
  CHECK(wf_wasi_monotonic_ns() - t0 >= 20000000u);
  CHECK_EQ(wf_http_chan_wait(c, true, t0), 1);   /* space: ready at once, even past the deadline */
  CHECK(!wf_http_chan_readable(c));
  CHECK(wf_http_chan_writable(c));
  bool fin = true;
  CHECK_EQ(wf_http_chan_pending(c, &fin), 0);
  CHECK(!fin);

  /* readiness: ready ends need no fd */
  wf_wasi_wait_t w;
  wf_wasi_wait_init(&w);
  wf_http_chan_readiness(c, true, &w);
  CHECK(w.ready);
  CHECK_EQ(w.fd, -1);
  /* an end that is not ready gets an eventfd, made now, not readable */
  wf_wasi_wait_init(&w);
  wf_http_chan_readiness(c, false, &w);
  CHECK(!w.ready);
  CHECK(w.fd >= 0);
  CHECK(!fd_readable(w.fd));
  int data_fd = w.fd;
  CHECK_EQ(wf_http_chan_data_fd(c), data_fd);   /* the same fd from then on */

  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"abcd", 4), 0);
  CHECK(fd_readable(data_fd));                  /* an existing fd follows the state */
  CHECK_EQ(wf_http_chan_pending(c, &fin), 4);
  CHECK(!wf_http_chan_writable(c));
  /* the space fd, made only now, starts with the current state: full */
  int space_fd = wf_http_chan_space_fd(c);
  CHECK(space_fd >= 0);
  CHECK(!fd_readable(space_fd));
  CHECK_EQ(wf_http_chan_wait(c, true, wf_wasi_monotonic_ns() + 1000000u), 0);
  uint8_t buf[8];
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, NULL, NULL, 0), 4);
  CHECK(fd_readable(space_fd));
  CHECK(!fd_readable(data_fd));
  wf_http_chan_finish(c, -1, NULL);
  CHECK(fd_readable(data_fd));                  /* the end is readable */
  CHECK_EQ(wf_http_chan_pending(c, &fin), 0);
  CHECK(fin);
  CHECK_EQ(wf_http_chan_wait(c, false, WF_WASI_NO_DEADLINE), 1);
  wf_http_chan_unref(c);

  /* a channel nobody polls never makes an eventfd: its fds come from the
   * end's state when asked, the end included */
  c = wf_http_chan_new(0);
  CHECK(c != NULL);
  CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"x", 1), 0);
  wf_http_chan_finish(c, -1, NULL);
  CHECK(fd_readable(wf_http_chan_data_fd(c)));
  CHECK(fd_readable(wf_http_chan_space_fd(c)));   /* finished: the writer does not wait */
  wf_http_chan_unref(c);
}

typedef struct {
  wf_http_chan_t *c;
  int mode;   /* 0: write, 1: finish with an error, 2: discard */
} waker_t;

static void *waker(void *arg) {
  waker_t *w = arg;
  usleep(20000);
  if (w->mode == 0) wf_http_chan_write(w->c, (const uint8_t *)"hi", 2);
  else if (w->mode == 1) wf_http_chan_finish(w->c, WF_HTTP_E_CONNECTION_TIMEOUT, "cut off");
  else wf_http_chan_discard(w->c);
  return NULL;
}

WF_TEST(http_chan_wait_woken_by_other_thread) {
  for (int mode = 0; mode < 3; mode++) {
    wf_http_chan_t *c = wf_http_chan_new(2);
    CHECK(c != NULL);
    if (mode == 2) CHECK_EQ(wf_http_chan_write(c, (const uint8_t *)"ab", 2), 0);   /* full: a writer waits */
    waker_t w = {c, mode};
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, waker, &w), 0);
    uint64_t t0 = wf_wasi_monotonic_ns();
    /* mode 2 waits for space (the reader drops everything), the others for data */
    CHECK_EQ(wf_http_chan_wait(c, mode == 2, t0 + 5000000000u), 1);
    CHECK(wf_wasi_monotonic_ns() - t0 < 4000000000u);   /* woken, not timed out */
    pthread_join(th, NULL);
    uint8_t buf[4];
    int code = -1;
    if (mode == 0) CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), 2);
    if (mode == 1) {
      CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), WF_WASI_FAILED);
      CHECK_EQ(code, WF_HTTP_E_CONNECTION_TIMEOUT);
    }
    if (mode == 2) CHECK_EQ(wf_http_chan_space(c), -1);
    wf_http_chan_unref(c);
  }
}

/* Trailers: a writer thread writes a body and finishes with trailers; the
 * reader, woken by the end, reads the bytes, then takes the trailers once.
 * A second finish drops its trailers (no leak under ASan); an error end and
 * a plain end carry none; trailers the reader never takes are freed with
 * the channel. */
typedef struct {
  wf_http_chan_t *c;
} trailer_writer_t;

static void *trailer_writer(void *arg) {
  trailer_writer_t *w = arg;
  usleep(10000);
  wf_http_chan_write(w->c, (const uint8_t *)"body", 4);
  wf_http_fields_t *t = wf_http_fields_new();
  if (t) wf_http_fields_append(t, "X-Checksum", 10, (const uint8_t *)"1234", 4, false);
  wf_http_chan_finish_trailers(w->c, t);
  return NULL;
}

WF_TEST(http_chan_trailers_handoff) {
  wf_http_chan_t *c = wf_http_chan_new(0);
  CHECK(c != NULL);
  CHECK(wf_http_chan_trailers(c) == NULL);
  trailer_writer_t w = {c};
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, trailer_writer, &w), 0);
  uint8_t buf[16];
  size_t got = 0;
  int code = -1;
  for (;;) {
    CHECK_EQ(wf_http_chan_wait(c, false, wf_wasi_monotonic_ns() + 5000000000u), 1);
    int64_t r = wf_http_chan_read(c, buf + got, sizeof buf - got, &code, NULL, 0);
    if (r == WF_WASI_CLOSED) break;
    CHECK(r > 0);
    if (r <= 0) break;
    got += (size_t)r;
  }
  pthread_join(th, NULL);
  CHECK_EQ(got, 4);
  CHECK(!memcmp(buf, "body", 4));
  CHECK_EQ(wf_http_chan_ended(c, &code), 1);
  CHECK_EQ(code, -1);
  /* a later finish changes nothing and its trailers are dropped */
  wf_http_fields_t *late = wf_http_fields_new();
  wf_http_chan_finish_trailers(c, late);
  const wf_http_fields_t *peek = wf_http_chan_trailers(c);
  CHECK(peek != NULL && peek != late);
  wf_http_fields_t *t = wf_http_chan_take_trailers(c);
  CHECK(t == peek);
  if (t) {
    CHECK(t->immutable);
    CHECK_EQ(t->n, 1);
    const wf_http_field_t *f = wf_http_fields_get(t, "x-checksum");
    CHECK(f != NULL && f->value_len == 4 && !memcmp(f->value, "1234", 4));
  }
  CHECK(wf_http_chan_take_trailers(c) == NULL);   /* taken once */
  CHECK(wf_http_chan_trailers(c) == NULL);
  wf_wasi_unref(t);
  wf_http_chan_unref(c);

  /* an error end: no trailers, the reader sees the error */
  c = wf_http_chan_new(0);
  CHECK(c != NULL);
  wf_http_chan_finish(c, WF_HTTP_E_CONNECTION_TERMINATED, "cut");
  wf_http_chan_finish_trailers(c, wf_http_fields_new());   /* too late: dropped */
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), WF_WASI_FAILED);
  CHECK_EQ(code, WF_HTTP_E_CONNECTION_TERMINATED);
  CHECK(wf_http_chan_take_trailers(c) == NULL);
  wf_http_chan_unref(c);

  /* finish_trailers(NULL) is a plain clean end; untaken trailers are freed
   * with the channel */
  c = wf_http_chan_new(0);
  CHECK(c != NULL);
  wf_http_chan_finish_trailers(c, NULL);
  CHECK_EQ(wf_http_chan_read(c, buf, sizeof buf, &code, NULL, 0), WF_WASI_CLOSED);
  CHECK(wf_http_chan_take_trailers(c) == NULL);
  wf_http_chan_unref(c);
  c = wf_http_chan_new(0);
  CHECK(c != NULL);
  wf_http_chan_finish_trailers(c, wf_http_fields_new());
  wf_http_chan_unref(c);
}
