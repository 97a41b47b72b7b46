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
