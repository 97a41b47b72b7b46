/* weft serve: the guest side. A pool of worker threads (grown on demand up
 * to --max-workers) instantiates the pre-checked component afresh for every
 * request and calls its incoming-handler; a watchdog thread interrupts
 * guests that pass their deadline; a log thread prefixes each request's
 * stdout/stderr lines with its id. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"
#include "weft_wasi.h"

/* ---- requests ---- */

sreq_t *sreq_ref(sreq_t *r) {
  atomic_fetch_add(&r->refs, 1);
  return r;
}

void sreq_unref(sreq_t *r) {
  if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
  weft_http_exchange_unref(r->x);
  pthread_mutex_destroy(&r->mu);
  free(r->uri);
  free(r);
}

/* Interrupt the request's instances (under r->mu): the app's and, with
 * --link, its DEPs' (the guest may be in a call into one). */
static void interrupt_locked(sreq_t *r) {
  if (!r->inst) return;
  weft_cinstance_interrupt(r->inst);
  for (size_t i = 0; i < cli_linkset_count(r->deps); i++) weft_cinstance_interrupt(cli_linkset_instance(r->deps, i));
}

void sreq_cancel(sreq_t *r) {
  pthread_mutex_lock(&r->mu);
  r->cancelled = true;
  interrupt_locked(r);
  pthread_mutex_unlock(&r->mu);
  if (r->x) weft_http_exchange_abort(r->x);
}

void sreq_extend(sreq_t *r) { atomic_store(&r->deadline, weft_http_now_ns() + r->s->timeout_ns); }

/* ---- linking with --link ---- */

int slink_make(serve_t *s, slink_t *k, weft_cinstance_t **inst, char *msg, size_t cap) {
  memset(k, 0, sizeof *k);
  *inst = NULL;
  /* the linker: WASI (the options replayed into a config of its own, which
   * must outlive the linker) and the hosts; cli_wasi_link and the hosts'
   * linking print their own errors */
  pthread_mutex_lock(&s->link_mu);
  int bad = !(k->wasi = cli_wasi_new()) || !(k->linker = weft_linker_new(s->engine));
  for (int j = 0; j < s->wasi_argc && !bad; j++) bad = cli_wasi_option(k->wasi, s->wasi_argc, s->wasi_argv, &j) != 1;
  bad = bad || cli_wasi_link(k->wasi, k->linker, s->path, s->args, s->nargs) ||
        cli_hosts_link(s->hosts, k->linker, s->comp, s->path) || cli_links_hosts(s->links, s->hosts, k->linker);
  pthread_mutex_unlock(&s->link_mu);
  if (bad) {
    snprintf(msg, cap, "%s: linking WASI and the hosts failed", s->path);
    return -1;
  }
  if (!(k->deps = cli_linkset_new(s->links, k->linker, s->comp, s->path, msg, cap))) return -1;
  weft_error_t err;
  weft_status_t st = weft_linker_instantiate(k->linker, s->comp, NULL, inst, &err);
  if (st != WEFT_OK) {
    char why[sizeof err.message + 8];
    snprintf(why, sizeof why, "%s%s", st == WEFT_ERR_TRAP ? "trap: " : "", err.message);
    cli_linkset_explain(k->deps, s->path, why, msg, cap);
    return -1;
  }
  return 0;
}

void slink_free(slink_t *k) {
  cli_linkset_free(k->deps);
  weft_linker_free(k->linker);
  cli_wasi_free(k->wasi);   /* its config served the instances */
  memset(k, 0, sizeof *k);
}

/* ---- running one request ---- */

static void run_request(serve_t *s, sreq_t *r) {
  pthread_mutex_lock(&r->mu);
  bool cancelled = r->cancelled;
  pthread_mutex_unlock(&r->mu);
  if (cancelled) return;
  weft_cinstance_t *inst = NULL;
  weft_error_t err;
  slink_t lk;
  memset(&lk, 0, sizeof lk);
  if (cli_links_count(s->links)) {
    char msg[1536];
    if (slink_make(s, &lk, &inst, msg, sizeof msg) != 0) {
      slog_note(s->log, r->id, "instantiation failed: %s", msg);
      weft_http_exchange_fail(r->x, "the component could not be instantiated");
      slink_free(&lk);
      return;
    }
  } else if (weft_instance_pre_instantiate(s->pre, NULL, &inst, &err) != WEFT_OK) {
    slog_note(s->log, r->id, "instantiation failed: %s", err.message);
    weft_http_exchange_fail(r->x, "the component could not be instantiated");
    return;
  }
  if (s->log) {
    int out_w = -1, err_w = -1;
    if (slog_open(s->log, r->id, &out_w, &err_w) == 0) {
      weft_wasi_instance_stdio(inst, -1, out_w, err_w);
      for (size_t i = 0; i < cli_linkset_count(lk.deps); i++)
        weft_wasi_instance_stdio(cli_linkset_instance(lk.deps, i), -1, out_w, err_w);
      close(out_w);
      close(err_w);
    }
  }
  pthread_mutex_lock(&r->mu);
  r->inst = inst;
  r->deps = lk.deps;
  if (r->cancelled) interrupt_locked(r);
  pthread_mutex_unlock(&r->mu);
  weft_status_t st = weft_http_exchange_call(r->x, inst, &err);
  pthread_mutex_lock(&r->mu);
  r->inst = NULL;
  r->deps = NULL;
  pthread_mutex_unlock(&r->mu);
  if (st == WEFT_ERR_TRAP) {
    slog_note(s->log, r->id, "trap: %s", err.message);
    if (err.backtrace[0]) slog_note(s->log, r->id, "wasm backtrace:\n%s", err.backtrace);
  } else if (st != WEFT_OK) {
    slog_note(s->log, r->id, "%s", err.message);
  }
  weft_cinstance_free(inst);
  slink_free(&lk);   /* the DEPs after the app's instance */
}

static void running_add(serve_t *s, sreq_t *r) {
  r->rprev = NULL;
  r->rnext = s->running;
  if (s->running) s->running->rprev = r;
  s->running = r;
  r->running = true;
}

static void running_del(serve_t *s, sreq_t *r) {
  if (!r->running) return;
  if (r->rprev) r->rprev->rnext = r->rnext;
  else s->running = r->rnext;
  if (r->rnext) r->rnext->rprev = r->rprev;
  r->running = false;
}

static void *worker_main(void *arg) {
  serve_t *s = arg;
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (!s->qhead && !s->stopping) {
      s->nidle++;
      pthread_cond_wait(&s->cv, &s->mu);
      s->nidle--;
    }
    if (!s->qhead) break;   /* stopping and nothing queued */
    sreq_t *r = s->qhead;
    s->qhead = r->qnext;
    if (!s->qhead) s->qtail = NULL;
    running_add(s, r);
    pthread_mutex_unlock(&s->mu);
    run_request(s, r);
    pthread_mutex_lock(&s->mu);
    running_del(s, r);
    pthread_mutex_unlock(&s->mu);
    sreq_unref(r);
    pthread_mutex_lock(&s->mu);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

int serve_dispatch(serve_t *s, sreq_t *r) {
  pthread_mutex_lock(&s->mu);
  if (s->stopping) {
    pthread_mutex_unlock(&s->mu);
    return -1;
  }
  sreq_ref(r);
  r->qnext = NULL;
  if (s->qtail) s->qtail->qnext = r;
  else s->qhead = r;
  s->qtail = r;
  /* a new worker when none is idle (up to the bound; beyond it requests wait) */
  if (s->nidle == 0 && s->nworkers < s->max_workers) {
    if (s->nworkers == s->capworkers) {
      int nc = s->capworkers ? s->capworkers * 2 : 16;
      pthread_t *nw = realloc(s->workers, (size_t)nc * sizeof *nw);
      if (nw) {
        s->workers = nw;
        s->capworkers = nc;
      }
    }
    if (s->nworkers < s->capworkers && pthread_create(&s->workers[s->nworkers], NULL, worker_main, s) == 0)
      s->nworkers++;
  }
  pthread_cond_signal(&s->cv);
  int ok = s->nworkers > 0;
  pthread_mutex_unlock(&s->mu);
  return ok ? 0 : -1;
}

/* Every 50 ms: cut off guests past their deadline. */
static void *watchdog_main(void *arg) {
  serve_t *s = arg;
  pthread_mutex_lock(&s->mu);
  while (!(s->stopping && s->nworkers == 0)) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->idle_cv, &s->mu, &ts);
    uint64_t now = weft_http_now_ns();
    for (sreq_t *r = s->running; r; r = r->rnext) {
      if (now < atomic_load(&r->deadline)) continue;
      pthread_mutex_lock(&r->mu);
      bool was = r->cancelled;
      pthread_mutex_unlock(&r->mu);
      if (was) {
        /* already cut off: keep interrupting (a guest may have been between calls) */
        pthread_mutex_lock(&r->mu);
        interrupt_locked(r);
        pthread_mutex_unlock(&r->mu);
        continue;
      }
      slog_note(s->log, r->id, "the handler ran past its deadline: interrupted");
      sreq_cancel(r);
    }
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

int serve_workers_start(serve_t *s) {
  if (pthread_create(&s->watchdog, NULL, watchdog_main, s) != 0) return -1;
  s->watchdog_started = true;
  return 0;
}

void serve_workers_stop(serve_t *s) {
  pthread_mutex_lock(&s->mu);
  s->stopping = true;
  pthread_cond_broadcast(&s->cv);
  int n = s->nworkers;
  pthread_mutex_unlock(&s->mu);
  for (int i = 0; i < n; i++) pthread_join(s->workers[i], NULL);
  pthread_mutex_lock(&s->mu);
  s->nworkers = 0;
  pthread_cond_broadcast(&s->idle_cv);
  pthread_mutex_unlock(&s->mu);
  if (s->watchdog_started) pthread_join(s->watchdog, NULL);
  free(s->workers);
  s->workers = NULL;
}

/* ---- request-id-prefixed stdio ---- */

typedef struct spipe {
  int fd;
  int to;                 /* 1 or 2 */
  slog_t *log;
  uint64_t id;
  char line[1024];
  size_t len;
} spipe_t;

struct slog {
  int ep;
  int wake[2];            /* a byte: stop */
  pthread_t th;
  pthread_mutex_t out_mu; /* whole lines at a time */
  atomic_int open;        /* pipes not yet at EOF */
};

static void write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

static void emit(spipe_t *p, const char *data, size_t n, bool nl) {
  char head[40];
  int hl = snprintf(head, sizeof head, "[req %llu] ", (unsigned long long)p->id);
  pthread_mutex_lock(&p->log->out_mu);
  write_all(p->to, head, (size_t)hl);
  write_all(p->to, data, n);
  if (nl) write_all(p->to, "\n", 1);
  pthread_mutex_unlock(&p->log->out_mu);
}

/* Split what arrived into lines; long lines go out in pieces. */
static void take(spipe_t *p, const char *buf, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (buf[i] == '\n') {
      emit(p, p->line, p->len, true);
      p->len = 0;
      continue;
    }
    if (p->len == sizeof p->line) {
      emit(p, p->line, p->len, true);
      p->len = 0;
    }
    p->line[p->len++] = buf[i];
  }
}

static void *slog_main(void *arg) {
  slog_t *l = arg;
  bool stop = false;
  struct epoll_event ev[32];
  char buf[4096];
  while (!stop || l->open > 0) {
    int n = epoll_wait(l->ep, ev, 32, stop ? 200 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && stop) break;   /* writers that never close: give up after shutdown */
    for (int i = 0; i < n; i++) {
      spipe_t *p = ev[i].data.ptr;
      if (!p) {
        stop = true;
        continue;
      }
      ssize_t r = read(p->fd, buf, sizeof buf);
      if (r > 0) {
        take(p, buf, (size_t)r);
        continue;
      }
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (p->len) emit(p, p->line, p->len, true);
      epoll_ctl(l->ep, EPOLL_CTL_DEL, p->fd, NULL);
      close(p->fd);
      free(p);
      atomic_fetch_sub(&l->open, 1);
    }
  }
  return NULL;
}

slog_t *slog_new(void) {
  slog_t *l = calloc(1, sizeof *l);
  if (!l) return NULL;
  l->ep = epoll_create1(EPOLL_CLOEXEC);
  if (l->ep < 0 || pipe2(l->wake, O_CLOEXEC) != 0) {
    if (l->ep >= 0) close(l->ep);
    free(l);
    return NULL;
  }
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake[0], &e);
  pthread_mutex_init(&l->out_mu, NULL);
  if (pthread_create(&l->th, NULL, slog_main, l) != 0) {
    close(l->ep);
    close(l->wake[0]);
    close(l->wake[1]);
    free(l);
    return NULL;
  }
  return l;
}

void slog_free(slog_t *l) {
  if (!l) return;
  write_all(l->wake[1], "x", 1);
  pthread_join(l->th, NULL);
  close(l->ep);   /* pipes still open (never closed by their writer) are leaked at exit */
  close(l->wake[0]);
  close(l->wake[1]);
  pthread_mutex_destroy(&l->out_mu);
  free(l);
}

static int add_pipe(slog_t *l, uint64_t id, int to, int *w) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
  /* the guest's end blocks (its writes wait for us), ours does not */
  int fl = fcntl(fds[1], F_GETFL);
  if (fl >= 0) fcntl(fds[1], F_SETFL, fl & ~O_NONBLOCK);
  spipe_t *p = calloc(1, sizeof *p);
  if (!p) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  p->fd = fds[0];
  p->to = to;
  p->id = id;
  p->log = l;
  atomic_fetch_add(&l->open, 1);
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = p};
  if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fds[0], &e) != 0) {
    atomic_fetch_sub(&l->open, 1);
    close(fds[0]);
    close(fds[1]);
    free(p);
    return -1;
  }
  *w = fds[1];
  return 0;
}

int slog_open(slog_t *l, uint64_t id, int *out_w, int *err_w) {
  if (add_pipe(l, id, 1, out_w) != 0) return -1;
  if (add_pipe(l, id, 2, err_w) != 0) {
    close(*out_w);   /* the stdout pipe ends at EOF by itself */
    return -1;
  }
  return 0;
}

void slog_note(slog_t *l, uint64_t id, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (l) pthread_mutex_lock(&l->out_mu);
  fprintf(stderr, "[req %llu] weft: %s\n", (unsigned long long)id, msg);
  fflush(stderr);
  if (l) pthread_mutex_unlock(&l->out_mu);
}
