/* wasi:io/streams: input-stream and output-stream host functions over the
 * vtable stream objects of wasi.h, plus streams over a host fd and over a
 * byte buffer. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi.h"

/* ---- stream objects ---- */
static void istream_destroy(wf_wasi_obj_t *o) {
  wf_wasi_istream_t *s = (wf_wasi_istream_t *)o;
  s->ops->destroy(s);
}
static void ostream_destroy(wf_wasi_obj_t *o) {
  wf_wasi_ostream_t *s = (wf_wasi_ostream_t *)o;
  s->ops->destroy(s);
}

void wf_wasi_istream_init(wf_wasi_istream_t *s, const wf_wasi_istream_ops_t *ops) {
  wf_wasi_obj_init(&s->obj, istream_destroy);
  s->ops = ops;
  s->closed = false;
}

void wf_wasi_ostream_init(wf_wasi_ostream_t *s, const wf_wasi_ostream_ops_t *ops) {
  wf_wasi_obj_init(&s->obj, ostream_destroy);
  s->ops = ops;
  s->closed = false;
}

static wf_wasi_ioerr_t *errno_err(int e) { return wf_wasi_ioerr_new(NULL, e); }

/* fd streams */
typedef struct {
  union { wf_wasi_istream_t in; wf_wasi_ostream_t out; } s;
  int fd;
  bool own;
  bool may_block;   /* output to a pipe, socket or device: a write may block */
} fd_stream_t;

static int64_t fd_read(wf_wasi_istream_t *s, uint8_t *buf, size_t cap, bool blocking, wf_wasi_ioerr_t **err) {
  fd_stream_t *f = (fd_stream_t *)s;
  if (f->fd < 0) return WF_WASI_CLOSED;
  if (!blocking) {
    struct pollfd p = {.fd = f->fd, .events = POLLIN};
    if (poll(&p, 1, 0) == 0) return 0;
  }
  for (;;) {
    ssize_t r = read(f->fd, buf, cap);
    if (r > 0) return r;
    if (r == 0) return WF_WASI_CLOSED;
    if (errno == EINTR) continue;
    if (errno == EAGAIN && !blocking) return 0;
    if (errno == EAGAIN) {
      struct pollfd p = {.fd = f->fd, .events = POLLIN};
      poll(&p, 1, -1);
      continue;
    }
    *err = errno_err(errno);
    return WF_WASI_FAILED;
  }
}

static void fd_in_readiness(wf_wasi_istream_t *s, wf_wasi_wait_t *w) {
  fd_stream_t *f = (fd_stream_t *)s;
  if (f->fd < 0 || s->closed) {
    w->ready = true;
    return;
  }
  w->fd = f->fd;
  w->events = POLLIN;
}

static void fd_destroy_in(wf_wasi_istream_t *s) {
  fd_stream_t *f = (fd_stream_t *)s;
  if (f->own && f->fd >= 0) close(f->fd);
  free(f);
}

/* A regular file always takes a whole budget. A pipe, socket or device
 * takes PIPE_BUF bytes once poll(2) says it is writable (a pipe then has a
 * free page, so the write does not block), and nothing until then: blocking
 * writes wait in wasi:io/poll, where an interrupt wakes them. */
static int64_t fd_check_write(wf_wasi_ostream_t *s, wf_wasi_ioerr_t **err) {
  (void)err;
  fd_stream_t *f = (fd_stream_t *)s;
  if (f->fd < 0 || !f->may_block) return WF_WASI_MAX_IO;
  struct pollfd p = {.fd = f->fd, .events = POLLOUT};
  if (poll(&p, 1, 0) == 0) return 0;
  return PIPE_BUF;   /* POLLERR/POLLHUP too: the write then reports it */
}

int wf_wasi_write_all(int fd, bool sock, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err) {
  while (len) {
    ssize_t r = sock ? send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd, buf, len);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {   /* permitted by check-write: finish it */
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        poll(&p, 1, -1);
        continue;
      }
      if (errno == EPIPE) return WF_WASI_CLOSED;
      *err = errno_err(errno);
      return WF_WASI_FAILED;
    }
    buf += r;
    len -= (size_t)r;
  }
  return 0;
}

static int fd_write(wf_wasi_ostream_t *s, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err) {
  fd_stream_t *f = (fd_stream_t *)s;
  return f->fd < 0 ? 0 : wf_wasi_write_all(f->fd, false, buf, len, err);
}

static void fd_out_readiness(wf_wasi_ostream_t *s, wf_wasi_wait_t *w) {
  fd_stream_t *f = (fd_stream_t *)s;
  if (f->fd < 0 || !f->may_block || s->closed) {
    w->ready = true;
    return;
  }
  w->fd = f->fd;
  w->events = POLLOUT;
}

static void fd_destroy_out(wf_wasi_ostream_t *s) {
  fd_stream_t *f = (fd_stream_t *)s;
  if (f->own && f->fd >= 0) close(f->fd);
  free(f);
}

static const wf_wasi_istream_ops_t fd_in_ops = {fd_read, fd_in_readiness, fd_destroy_in};
static const wf_wasi_ostream_ops_t fd_out_ops = {fd_check_write, fd_write, NULL, fd_out_readiness, fd_destroy_out};

wf_wasi_istream_t *wf_wasi_fd_istream_new(int fd, bool own_fd) {
  fd_stream_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  wf_wasi_istream_init(&f->s.in, &fd_in_ops);
  f->fd = fd;
  f->own = own_fd;
  return &f->s.in;
}

wf_wasi_ostream_t *wf_wasi_fd_ostream_new(int fd, bool own_fd) {
  fd_stream_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  wf_wasi_ostream_init(&f->s.out, &fd_out_ops);
  f->fd = fd;
  f->own = own_fd;
  struct stat st;
  f->may_block = fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode));
  return &f->s.out;
}

/* memory input stream */
typedef struct {
  wf_wasi_istream_t in;
  size_t len, pos;
  uint8_t data[];
} mem_stream_t;

static int64_t mem_read(wf_wasi_istream_t *s, uint8_t *buf, size_t cap, bool blocking, wf_wasi_ioerr_t **err) {
  (void)blocking;
  (void)err;
  mem_stream_t *m = (mem_stream_t *)s;
  if (m->pos >= m->len) return WF_WASI_CLOSED;
  size_t n = m->len - m->pos < cap ? m->len - m->pos : cap;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return (int64_t)n;
}
static void mem_readiness(wf_wasi_istream_t *s, wf_wasi_wait_t *w) {
  (void)s;
  w->ready = true;
}
static void mem_destroy(wf_wasi_istream_t *s) { free(s); }
static const wf_wasi_istream_ops_t mem_ops = {mem_read, mem_readiness, mem_destroy};

wf_wasi_istream_t *wf_wasi_mem_istream_new(const uint8_t *data, size_t len) {
  mem_stream_t *m = malloc(sizeof *m + (len ? len : 1));
  if (!m) return NULL;
  wf_wasi_istream_init(&m->in, &mem_ops);
  m->len = len;
  m->pos = 0;
  if (len) memcpy(m->data, data, len);
  return &m->in;
}

/* ---- operations shared by the host functions ---- */
static int wait_obj(weft_call_t *call, const char *where, wf_wasi_obj_t *o, wf_wasi_readiness_fn fn);
static void in_readiness(wf_wasi_obj_t *o, wf_wasi_wait_t *w);

/* A blocking read waits here (for readiness, or an interrupt of the calling
 * instance: WF_WASI_INTERRUPTED after the trap is recorded) and then reads
 * without blocking; only a stream that can never signal readiness, or that
 * signals it and still has nothing, is left to block in its own read. */
static int64_t do_read(weft_call_t *call, const char *where, wf_wasi_istream_t *s, uint8_t *buf, size_t cap,
                       bool blocking, wf_wasi_ioerr_t **err) {
  if (s->closed) return WF_WASI_CLOSED;
  int64_t r = s->ops->read(s, buf, cap, false, err);
  if (r == 0 && blocking) {
    int w = wait_obj(call, where, &s->obj, in_readiness);
    if (w == WF_WASI_INTERRUPTED) return WF_WASI_INTERRUPTED;
    r = s->ops->read(s, buf, cap, w != 0, err);
    if (r == 0) r = s->ops->read(s, buf, cap, true, err);
  }
  if (r == WF_WASI_CLOSED) s->closed = true;
  return r;
}

static void in_readiness(wf_wasi_obj_t *o, wf_wasi_wait_t *w) {
  wf_wasi_istream_t *s = (wf_wasi_istream_t *)o;
  if (s->closed) {
    w->ready = true;
    return;
  }
  s->ops->readiness(s, w);
}

static void out_readiness(wf_wasi_obj_t *o, wf_wasi_wait_t *w) {
  wf_wasi_ostream_t *s = (wf_wasi_ostream_t *)o;
  if (s->closed) {
    w->ready = true;
    return;
  }
  s->ops->readiness(s, w);
}

/* 0 ready, WF_WASI_INTERRUPTED (trap recorded), -1 never ready / failed. */
static int wait_obj(weft_call_t *call, const char *where, wf_wasi_obj_t *o, wf_wasi_readiness_fn fn) {
  wf_wasi_pollable_t p;
  memset(&p, 0, sizeof p);
  p.obj.refs = 1;
  p.source = o;
  p.readiness = fn;
  p.deadline = WF_WASI_NO_DEADLINE;
  wf_wasi_pollable_t *pp = &p;
  bool ready;
  return wf_wasi_poll_call(call, where, &pp, 1, &ready);
}

/* Write all of buf, waiting for room (blocking) — then flush when asked. */
static int write_all(weft_call_t *call, const char *where, wf_wasi_ostream_t *s, const uint8_t *buf, size_t len,
                     bool flush, wf_wasi_ioerr_t **err) {
  if (s->closed) return WF_WASI_CLOSED;
  while (len) {
    int64_t room = s->ops->check_write(s, err);
    if (room < 0) return (int)room;
    if (room == 0) {
      if (wait_obj(call, where, &s->obj, out_readiness) == WF_WASI_INTERRUPTED) return WF_WASI_INTERRUPTED;
      continue;
    }
    size_t n = (uint64_t)room < len ? (size_t)room : len;
    int r = s->ops->write(s, buf, n, err);
    if (r < 0) {
      if (r == WF_WASI_CLOSED) s->closed = true;
      return r;
    }
    buf += n;
    len -= n;
  }
  if (flush && s->ops->flush) return s->ops->flush(s, true, err);
  return 0;
}

static size_t clamp_len(uint64_t len) { return len > WF_WASI_MAX_IO ? WF_WASI_MAX_IO : (size_t)len; }

/* ---- input-stream ---- */
static int in_read(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results, bool blocking) {
  wf_wasi_istream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_INPUT_STREAM, &args[0]);
  if (!s) return 1;
  size_t cap = clamp_len(args[1].of.u);
  weft_val_t list;
  if (cap == 0) {
    if (s->closed) return wf_wasi_stream_err(call, env, &results[0], WF_WASI_CLOSED, NULL);
    if (wf_wasi_byte_list(call, NULL, 0, &list)) return 1;
    return wf_wasi_ok(call, &results[0], &list);
  }
  uint8_t *buf = weft_arena_alloc(weft_call_arena(call), cap);
  if (!buf) {
    weft_call_trap(call, "wasi:io/streams: out of memory");
    return 1;
  }
  wf_wasi_ioerr_t *e = NULL;
  int64_t r = do_read(call, "wasi:io/streams input-stream.blocking-read", s, buf, cap, blocking, &e);
  if (r == WF_WASI_INTERRUPTED) return 1;
  if (r < 0) return wf_wasi_stream_err(call, env, &results[0], (int)r, e);
  if (wf_wasi_byte_list(call, buf, (size_t)r, &list)) return 1;
  return wf_wasi_ok(call, &results[0], &list);
}

static int h_read(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return in_read(call, env, args, results, false);
}
static int h_blocking_read(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                           size_t nr) {
  (void)na;
  (void)nr;
  return in_read(call, env, args, results, true);
}

static int in_skip(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results, bool blocking) {
  wf_wasi_istream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_INPUT_STREAM, &args[0]);
  if (!s) return 1;
  size_t cap = clamp_len(args[1].of.u);
  int64_t r = 0;
  if (cap) {
    uint8_t *buf = weft_arena_alloc(weft_call_arena(call), cap);
    if (!buf) {
      weft_call_trap(call, "wasi:io/streams: out of memory");
      return 1;
    }
    wf_wasi_ioerr_t *e = NULL;
    r = do_read(call, "wasi:io/streams input-stream.blocking-skip", s, buf, cap, blocking, &e);
    if (r == WF_WASI_INTERRUPTED) return 1;
    if (r < 0) return wf_wasi_stream_err(call, env, &results[0], (int)r, e);
  }
  weft_val_t n = wf_wasi_u64((uint64_t)r);
  return wf_wasi_ok(call, &results[0], &n);
}

static int h_skip(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return in_skip(call, env, args, results, false);
}
static int h_blocking_skip(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                           size_t nr) {
  (void)na;
  (void)nr;
  return in_skip(call, env, args, results, true);
}

static int subscribe(weft_call_t *call, void *env, wf_wasi_obj_t *src, wf_wasi_readiness_fn fn, weft_val_t *out) {
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(src, fn);
  if (!p) {
    weft_call_trap(call, "wasi:io/streams: out of memory");
    return 1;
  }
  *out = wf_wasi_own(env, WF_WASI_RT_POLLABLE, p);
  return 0;
}

static int h_in_subscribe(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                          size_t nr) {
  (void)na;
  (void)nr;
  wf_wasi_istream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_INPUT_STREAM, &args[0]);
  if (!s) return 1;
  return subscribe(call, env, &s->obj, in_readiness, &results[0]);
}

/* ---- output-stream ---- */
static int h_check_write(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                         size_t nr) {
  (void)na;
  (void)nr;
  wf_wasi_ostream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_OUTPUT_STREAM, &args[0]);
  if (!s) return 1;
  if (s->closed) return wf_wasi_stream_err(call, env, &results[0], WF_WASI_CLOSED, NULL);
  wf_wasi_ioerr_t *e = NULL;
  int64_t r = s->ops->check_write(s, &e);
  if (r < 0) return wf_wasi_stream_err(call, env, &results[0], (int)r, e);
  weft_val_t n = wf_wasi_u64((uint64_t)r);
  return wf_wasi_ok(call, &results[0], &n);
}

static int out_write(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results, bool flush) {
  wf_wasi_ostream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_OUTPUT_STREAM, &args[0]);
  if (!s) return 1;
  size_t n;
  uint8_t *b = wf_wasi_list_bytes(call, &args[1], &n);
  if (!b) return 1;
  wf_wasi_ioerr_t *e = NULL;
  int r = write_all(call, flush ? "wasi:io/streams output-stream.blocking-write-and-flush" : "wasi:io/streams output-stream.write", s, b, n, flush, &e);
  if (r == WF_WASI_INTERRUPTED) return 1;
  if (r < 0) return wf_wasi_stream_err(call, env, &results[0], r, e);
  return wf_wasi_ok(call, &results[0], NULL);
}

static int h_write(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return out_write(call, env, args, results, false);
}
static int h_blocking_write_and_flush(weft_call_t *call, void *env, const weft_val_t *args, size_t na,
                                      weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return out_write(call, env, args, results, true);
}

static int out_flush(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results, bool blocking) {
  wf_wasi_ostream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_OUTPUT_STREAM, &args[0]);
  if (!s) return 1;
  if (s->closed) return wf_wasi_stream_err(call, env, &results[0], WF_WASI_CLOSED, NULL);
  wf_wasi_ioerr_t *e = NULL;
  int r = s->ops->flush ? s->ops->flush(s, blocking, &e) : 0;
  if (r < 0) return wf_wasi_stream_err(call, env, &results[0], r, e);
  return wf_wasi_ok(call, &results[0], NULL);
}

static int h_flush(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return out_flush(call, env, args, results, false);
}
static int h_blocking_flush(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                            size_t nr) {
  (void)na;
  (void)nr;
  return out_flush(call, env, args, results, true);
}

static int h_out_subscribe(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                           size_t nr) {
  (void)na;
  (void)nr;
  wf_wasi_ostream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_OUTPUT_STREAM, &args[0]);
  if (!s) return 1;
  return subscribe(call, env, &s->obj, out_readiness, &results[0]);
}

static int out_zeroes(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results, bool flush) {
  wf_wasi_ostream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_OUTPUT_STREAM, &args[0]);
  if (!s) return 1;
  uint64_t left = args[1].of.u;
  static const uint8_t zeros[4096];
  wf_wasi_ioerr_t *e = NULL;
  int r = 0;
  while (left && r == 0) {
    size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
    r = write_all(call, "wasi:io/streams output-stream.blocking-write-zeroes-and-flush", s, zeros, n, false, &e);
    left -= n;
  }
  if (r == 0 && flush && s->ops->flush) r = s->ops->flush(s, true, &e);
  if (r == WF_WASI_INTERRUPTED) return 1;
  if (r < 0) return wf_wasi_stream_err(call, env, &results[0], r, e);
  return wf_wasi_ok(call, &results[0], NULL);
}

static int h_write_zeroes(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                          size_t nr) {
  (void)na;
  (void)nr;
  return out_zeroes(call, env, args, results, false);
}
static int h_blocking_write_zeroes(weft_call_t *call, void *env, const weft_val_t *args, size_t na,
                                   weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return out_zeroes(call, env, args, results, true);
}

static int out_splice(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results, bool blocking) {
  wf_wasi_ostream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_OUTPUT_STREAM, &args[0]);
  if (!s) return 1;
  wf_wasi_istream_t *in = wf_wasi_arg(call, env, WF_WASI_RT_INPUT_STREAM, &args[1]);
  if (!in) return 1;
  if (s->closed) return wf_wasi_stream_err(call, env, &results[0], WF_WASI_CLOSED, NULL);
  wf_wasi_ioerr_t *e = NULL;
  int64_t room = s->ops->check_write(s, &e);
  if (room < 0) return wf_wasi_stream_err(call, env, &results[0], (int)room, e);
  if (room == 0 && blocking) {
    if (wait_obj(call, "wasi:io/streams output-stream.blocking-splice", &s->obj, out_readiness) == WF_WASI_INTERRUPTED)
      return 1;
    room = s->ops->check_write(s, &e);
    if (room < 0) return wf_wasi_stream_err(call, env, &results[0], (int)room, e);
  }
  size_t cap = clamp_len(args[2].of.u);
  if ((uint64_t)room < cap) cap = (size_t)room;
  int64_t got = 0;
  if (cap) {
    uint8_t *buf = weft_arena_alloc(weft_call_arena(call), cap);
    if (!buf) {
      weft_call_trap(call, "wasi:io/streams: out of memory");
      return 1;
    }
    got = do_read(call, "wasi:io/streams output-stream.blocking-splice", in, buf, cap, blocking, &e);
    if (got == WF_WASI_INTERRUPTED) return 1;
    if (got < 0) return wf_wasi_stream_err(call, env, &results[0], (int)got, e);
    int r = got ? write_all(call, "wasi:io/streams output-stream.blocking-splice", s, buf, (size_t)got, blocking, &e)
                : 0;
    if (r == WF_WASI_INTERRUPTED) return 1;
    if (r < 0) return wf_wasi_stream_err(call, env, &results[0], r, e);
  }
  weft_val_t n = wf_wasi_u64((uint64_t)got);
  return wf_wasi_ok(call, &results[0], &n);
}

static int h_splice(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results, size_t nr) {
  (void)na;
  (void)nr;
  return out_splice(call, env, args, results, false);
}
static int h_blocking_splice(weft_call_t *call, void *env, const weft_val_t *args, size_t na, weft_val_t *results,
                             size_t nr) {
  (void)na;
  (void)nr;
  return out_splice(call, env, args, results, true);
}

weft_status_t wf_wasi_add_io_streams(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  static const struct {
    const char *name;
    weft_host_fn fn;
  } fns[] = {
      {"[method]input-stream.read", h_read},
      {"[method]input-stream.blocking-read", h_blocking_read},
      {"[method]input-stream.skip", h_skip},
      {"[method]input-stream.blocking-skip", h_blocking_skip},
      {"[method]input-stream.subscribe", h_in_subscribe},
      {"[method]output-stream.check-write", h_check_write},
      {"[method]output-stream.write", h_write},
      {"[method]output-stream.blocking-write-and-flush", h_blocking_write_and_flush},
      {"[method]output-stream.flush", h_flush},
      {"[method]output-stream.blocking-flush", h_blocking_flush},
      {"[method]output-stream.subscribe", h_out_subscribe},
      {"[method]output-stream.write-zeroes", h_write_zeroes},
      {"[method]output-stream.blocking-write-zeroes-and-flush", h_blocking_write_zeroes},
      {"[method]output-stream.splice", h_splice},
      {"[method]output-stream.blocking-splice", h_blocking_splice},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    weft_status_t st = wf_wasi_def(l, WF_WASI_IFACE("io/streams"), fns[i].name, fns[i].fn, k, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}
