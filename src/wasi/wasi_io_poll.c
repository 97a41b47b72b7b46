/* wasi:io/poll: pollables (readiness of a source object, or a deadline on
 * the monotonic clock) and poll over any mix of them with one poll(2). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasi.h"

void wf_wasi_wait_init(wf_wasi_wait_t *w) {
  w->ready = false;
  w->fd = -1;
  w->events = 0;
  w->deadline = WF_WASI_NO_DEADLINE;
}

uint64_t wf_wasi_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pollable_destroy(wf_wasi_obj_t *o) {
  wf_wasi_pollable_t *p = (wf_wasi_pollable_t *)o;
  wf_wasi_unref(p->source);
  free(p);
}

wf_wasi_pollable_t *wf_wasi_pollable_new(wf_wasi_obj_t *source, wf_wasi_readiness_fn readiness) {
  wf_wasi_pollable_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  wf_wasi_obj_init(&p->obj, pollable_destroy);
  p->source = wf_wasi_ref(source);
  p->readiness = readiness;
  p->deadline = WF_WASI_NO_DEADLINE;
  return p;
}

wf_wasi_pollable_t *wf_wasi_pollable_deadline(uint64_t deadline_ns) {
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(NULL, NULL);
  if (p) p->deadline = deadline_ns;
  return p;
}

void wf_wasi_pollable_wait(wf_wasi_pollable_t *p, wf_wasi_wait_t *w) {
  wf_wasi_wait_init(w);
  if (p->readiness) {
    p->readiness(p->source, w);
  } else {
    w->deadline = p->deadline;
  }
  if (!w->ready && w->deadline != WF_WASI_NO_DEADLINE && wf_wasi_monotonic_ns() >= w->deadline) w->ready = true;
}

/* One round: fills ready[], returns 1 if any is ready, 0 if none is yet,
 * -1 on a poll(2) failure, -2 if nothing can ever become ready, or
 * WF_WASI_INTERRUPTED when irq (an eventfd, or -1) became readable. fds
 * and fdix have room for n + 1 entries. */
static int poll_round(wf_wasi_pollable_t **ps, size_t n, bool *ready, struct pollfd *fds, size_t *fdix, bool block,
                      int irq) {
  size_t nfds = 0, nready = 0;
  uint64_t deadline = WF_WASI_NO_DEADLINE;
  for (size_t i = 0; i < n; i++) {
    wf_wasi_wait_t w;
    wf_wasi_pollable_wait(ps[i], &w);
    ready[i] = w.ready;
    fdix[i] = SIZE_MAX;
    if (w.ready) {
      nready++;
      continue;
    }
    if (w.fd >= 0) {
      fds[nfds].fd = w.fd;
      fds[nfds].events = w.events;
      fds[nfds].revents = 0;
      fdix[i] = nfds++;
    }
    if (w.deadline < deadline) deadline = w.deadline;
  }
  int timeout = -1;
  if (nready || !block) {
    timeout = 0;
  } else if (deadline != WF_WASI_NO_DEADLINE) {
    uint64_t now = wf_wasi_monotonic_ns();
    uint64_t ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;
    timeout = ms > 60000 ? 60000 : (int)ms;
  } else if (!nfds) {
    return -2;   /* nothing can ever become ready */
  }
  size_t irqix = SIZE_MAX;
  if (irq >= 0 && timeout != 0) {
    fds[nfds].fd = irq;
    fds[nfds].events = POLLIN;
    fds[nfds].revents = 0;
    irqix = nfds++;
  }
  if (nfds || timeout > 0) {
    int r = poll(fds, nfds, timeout);
    if (r < 0 && errno != EINTR) return -1;
    if (r > 0 && irqix != SIZE_MAX && fds[irqix].revents) return WF_WASI_INTERRUPTED;
    for (size_t i = 0; r > 0 && i < n; i++)
      if (fdix[i] != SIZE_MAX && fds[fdix[i]].revents) {
        ready[i] = true;
        nready++;
      }
  }
  for (size_t i = 0; i < n; i++)
    if (!ready[i] && ps[i]->readiness == NULL && wf_wasi_monotonic_ns() >= ps[i]->deadline) {
      ready[i] = true;
      nready++;
    }
  return (int)(nready > 0);
}

static int poll_loop(weft_call_t *call, wf_wasi_pollable_t **ps, size_t n, bool *ready) {
  if (!n) return 0;
  /* the fd first, then the flag: an interrupt between them still wakes us */
  int irq = call ? wf_call_interrupt_fd(call) : -1;
  if (call && wf_call_interrupt_pending(call)) return WF_WASI_INTERRUPTED;
  struct pollfd *fds = n < SIZE_MAX / sizeof *fds - 1 ? calloc(n + 1, sizeof *fds) : NULL;
  size_t *fdix = calloc(n, sizeof *fdix);
  int rc = -1;
  if (fds && fdix) {
    for (;;) {
      int r = poll_round(ps, n, ready, fds, fdix, true, irq);
      /* no eventfd (none could be made): still notice the flag every round */
      if (r == WF_WASI_INTERRUPTED || (call && r == 0 && wf_call_interrupt_pending(call))) {
        rc = WF_WASI_INTERRUPTED;
        break;
      }
      if (r < 0) break;
      if (r > 0) {
        rc = 0;
        break;
      }
    }
  }
  free(fds);
  free(fdix);
  return rc;
}

int wf_wasi_poll(wf_wasi_pollable_t **ps, size_t n, bool *ready) { return poll_loop(NULL, ps, n, ready); }

int wf_wasi_poll_call(weft_call_t *call, const char *where, wf_wasi_pollable_t **ps, size_t n, bool *ready) {
  int r = poll_loop(call, ps, n, ready);
  if (r == WF_WASI_INTERRUPTED) wf_call_interrupted(call, where);
  return r;
}

/* ---- host functions ---- */
static int h_ready(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  (void)nargs;
  (void)nresults;
  wf_wasi_pollable_t *p = wf_wasi_arg(call, env, WF_WASI_RT_POLLABLE, &args[0]);
  if (!p) return 1;
  wf_wasi_wait_t w;
  wf_wasi_pollable_wait(p, &w);
  bool r = w.ready;
  if (!r && w.fd >= 0) {
    struct pollfd fd = {.fd = w.fd, .events = w.events};
    r = poll(&fd, 1, 0) > 0;
  }
  results[0] = wf_wasi_bool(r);
  return 0;
}

static int h_block(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  (void)nargs;
  (void)results;
  (void)nresults;
  wf_wasi_pollable_t *p = wf_wasi_arg(call, env, WF_WASI_RT_POLLABLE, &args[0]);
  if (!p) return 1;
  bool ready;
  int r = wf_wasi_poll_call(call, "wasi:io/poll pollable.block", &p, 1, &ready);
  if (r == WF_WASI_INTERRUPTED) return 1;
  if (r != 0) {
    weft_call_trap(call, "wasi:io/poll: pollable.block waits on something that can never become ready");
    return 1;
  }
  return 0;
}

static int h_poll(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                  size_t nresults) {
  (void)nargs;
  (void)nresults;
  if (args[0].kind != WEFT_VAL_LIST) {
    weft_call_trap(call, "wasi:io/poll.poll: expected a list of pollables");
    return 1;
  }
  size_t n = args[0].of.seq.n;
  if (n == 0) {
    weft_call_trap(call, "wasi:io/poll.poll: the list of pollables is empty");
    return 1;
  }
  if (n > UINT32_MAX) {
    weft_call_trap(call, "wasi:io/poll.poll: too many pollables (%zu)", n);
    return 1;
  }
  weft_arena_t *a = weft_call_arena(call);
  wf_wasi_pollable_t **ps = weft_arena_alloc(a, n * sizeof *ps);
  bool *ready = weft_arena_alloc(a, n * sizeof *ready);
  if (!ps || !ready) {
    weft_call_trap(call, "wasi:io/poll.poll: out of memory for %zu pollables", n);
    return 1;
  }
  for (size_t i = 0; i < n; i++)
    if (!(ps[i] = wf_wasi_arg(call, env, WF_WASI_RT_POLLABLE, &args[0].of.seq.v[i]))) return 1;
  int r = wf_wasi_poll_call(call, "wasi:io/poll.poll", ps, n, ready);
  if (r == WF_WASI_INTERRUPTED) return 1;
  if (r != 0) {
    weft_call_trap(call, "wasi:io/poll.poll: waits on pollables that can never become ready");
    return 1;
  }
  size_t nr = 0;
  for (size_t i = 0; i < n; i++) nr += ready[i];
  weft_val_t *out = wf_wasi_new_vals(call, nr);
  if (!out) return 1;
  size_t j = 0;
  for (size_t i = 0; i < n; i++)
    if (ready[i]) {
      out[j].kind = WEFT_VAL_U32;
      out[j++].of.u = i;
    }
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_LIST;
  results[0].of.seq.v = out;
  results[0].of.seq.n = nr;
  return 0;
}

weft_status_t wf_wasi_add_io_poll(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  const char *i = WF_WASI_IFACE("io/poll");
  weft_status_t st = wf_wasi_def(l, i, "[method]pollable.ready", h_ready, k, err);
  if (st == WEFT_OK) st = wf_wasi_def(l, i, "[method]pollable.block", h_block, k, err);
  if (st == WEFT_OK) st = wf_wasi_def(l, i, "poll", h_poll, k, err);
  return st;
}
