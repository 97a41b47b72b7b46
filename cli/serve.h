/* weft serve: the parts shared by cli/serve.c (options, HTTP front end on
 * libmicrohttpd, shutdown) and cli/serve_run.c (guest workers, the
 * deadline watchdog, request-id-prefixed stdio). */
#ifndef WEFT_CLI_SERVE_H
#define WEFT_CLI_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "run_hosts.h"
#include "run_link.h"
#include "run_wasi.h"
#include "weft.h"
#include "weft_serve.h"

typedef struct serve serve_t;

/* One request: shared by its connection thread and the worker running its
 * guest (reference counted). */
typedef struct sreq {
  atomic_uint refs;
  serve_t *s;
  uint64_t id;
  char *uri;                     /* the raw request target */
  weft_http_exchange_t *x;
  pthread_mutex_t mu;
  weft_cinstance_t *inst;        /* while the guest runs (under mu) */
  cli_linkset_t *deps;           /* with --link: the request's DEP instances (under mu) */
  bool cancelled;                /* under mu */
  _Atomic uint64_t deadline;     /* the guest is cut off after this (ns, monotonic) */
  struct sreq *qnext;            /* worker queue (s->mu) */
  struct sreq *rprev, *rnext;    /* running list (s->mu) */
  bool running;                  /* in the running list */
  /* connection side only */
  uint64_t body_bytes;
  bool body_dropped, answered, counted, too_large;
} sreq_t;

typedef struct slog slog_t;

struct serve {
  weft_engine_t *engine;
  weft_component_t *comp;
  weft_linker_t *linker;
  weft_instance_pre_t *pre;     /* comp pre-linked with linker: every request's instance */
  /* with --link (docs/linking.md): each request gets a linker of its own
   * (WASI from the WASI options replayed, the hosts), fresh DEP instances
   * and the app's; link_mu serializes making those linkers */
  cli_links_t *links;
  cli_hosts_t *hosts;
  char **wasi_argv;              /* the WASI options as given */
  int wasi_argc;
  char **args;                   /* the guest's arguments */
  int nargs;
  pthread_mutex_t link_mu;
  const char *path;
  uint64_t timeout_ns;           /* the handler's budget without progress */
  uint64_t max_body;
  int max_workers;
  /* workers */
  pthread_mutex_t mu;
  pthread_cond_t cv;             /* work queued / stopping */
  pthread_cond_t idle_cv;        /* in-flight requests reached 0 */
  sreq_t *qhead, *qtail;
  int nworkers, nidle;
  pthread_t *workers;
  int capworkers;
  bool stopping;
  sreq_t *running;               /* requests whose guest runs */
  atomic_int inflight;           /* requests not yet completed (0 is announced on idle_cv, under mu) */
  atomic_uint_fast64_t next_id;
  pthread_t watchdog;
  bool watchdog_started;
  slog_t *log;
};

sreq_t *sreq_ref(sreq_t *r);
void sreq_unref(sreq_t *r);
/* Stop the request's guest: interrupt running code, wake host waits. */
void sreq_cancel(sreq_t *r);
void sreq_extend(sreq_t *r);     /* progress: the deadline moves on */

/* With --link: what one request's instances are linked with (slink_free
 * after the app's instance is freed). */
typedef struct {
  cli_wasi_t *wasi;
  weft_linker_t *linker;
  cli_linkset_t *deps;
} slink_t;
/* A fresh instance of every DEP, then of the app in *inst. 0; or -1 with
 * the error (naming the files) in msg. */
int slink_make(serve_t *s, slink_t *k, weft_cinstance_t **inst, char *msg, size_t cap);
void slink_free(slink_t *k);

/* Queue r's guest on a worker (takes a reference). 0, -1 on failure. */
int serve_dispatch(serve_t *s, sreq_t *r);
int serve_workers_start(serve_t *s);
void serve_workers_stop(serve_t *s);

/* Request-id-prefixed guest output: pipes whose lines go to our stdout and
 * stderr as "[req N] line". */
slog_t *slog_new(void);
void slog_free(slog_t *l);       /* flushes and stops */
/* Pipes for request id; *out_w and *err_w get write ends the caller closes
 * after handing them to the instance. 0, -1 on failure. */
int slog_open(slog_t *l, uint64_t id, int *out_w, int *err_w);
/* A line of the server's own about a request (stderr, prefixed). */
void slog_note(slog_t *l, uint64_t id, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
