/* wasi:http/types: future-incoming-response (filled by the client's worker
 * thread, read by the guest) and http-error-code. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wasi_http.h"

#define IFACE WF_WASI_IFACE("http/types")

/* ---- future-incoming-response ---- */
struct wf_http_future {
  atomic_uint refs;
  pthread_mutex_t mu;
  int fd;                       /* eventfd: readable once done */
  bool done;
  wf_http_response_t *resp;
  int code;
  char msg[200];
  void (*cancel)(void *);
  void *cancel_env;
};

wf_http_future_t *wf_http_future_new(void) {
  wf_http_future_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (f->fd < 0) {
    free(f);
    return NULL;
  }
  atomic_init(&f->refs, 1);
  pthread_mutex_init(&f->mu, NULL);
  f->code = -1;
  return f;
}

wf_http_future_t *wf_http_future_ref(wf_http_future_t *f) {
  atomic_fetch_add(&f->refs, 1);
  return f;
}

void wf_http_future_unref(wf_http_future_t *f) {
  if (!f || atomic_fetch_sub(&f->refs, 1) != 1) return;
  close(f->fd);
  pthread_mutex_destroy(&f->mu);
  wf_wasi_unref(f->resp);
  free(f);
}

void wf_http_future_resolve(wf_http_future_t *f, wf_http_response_t *resp, int code, const char *msg) {
  pthread_mutex_lock(&f->mu);
  if (f->done) {
    pthread_mutex_unlock(&f->mu);
    wf_wasi_unref(resp);
    return;
  }
  f->done = true;
  f->resp = resp;
  f->code = resp ? -1 : code;
  snprintf(f->msg, sizeof f->msg, "%s", msg ? msg : "");
  f->cancel = NULL;
  uint64_t one = 1;
  ssize_t w = write(f->fd, &one, sizeof one);
  (void)w;
  pthread_mutex_unlock(&f->mu);
}

void wf_http_future_on_cancel(wf_http_future_t *f, void (*fn)(void *), void *env) {
  pthread_mutex_lock(&f->mu);
  f->cancel = f->done ? NULL : fn;
  f->cancel_env = env;
  pthread_mutex_unlock(&f->mu);
}

typedef struct {
  wf_wasi_obj_t obj;
  wf_http_future_t *f;
  bool taken;
} futres_t;

static void futres_destroy(wf_wasi_obj_t *o) {
  futres_t *r = (futres_t *)o;
  /* the cancel callback runs under the future's lock: the client clears it
   * (resolve) before the transfer it points at goes away */
  pthread_mutex_lock(&r->f->mu);
  if (r->f->cancel) r->f->cancel(r->f->cancel_env);
  r->f->cancel = NULL;
  pthread_mutex_unlock(&r->f->mu);
  wf_http_future_unref(r->f);
  free(r);
}

weft_val_t wf_http_future_val(wf_http_link_t *h, wf_http_future_t *f, bool *ok) {
  futres_t *r = calloc(1, sizeof *r);
  *ok = r != NULL;
  if (!r) {
    wf_http_future_unref(f);
    return wf_http_val(WEFT_VAL_OWN);
  }
  wf_wasi_obj_init(&r->obj, futres_destroy);
  r->f = f;
  return wf_http_own(h, WF_HTTP_RT_FUTURE_INCOMING_RESPONSE, r);
}

static void future_readiness(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  futres_t *r = (futres_t *)src;
  w->fd = r->f->fd;
  w->events = POLLIN;
}

HOST_FN(h_future_subscribe) {
  UNUSED_ARGS;
  wf_http_link_t *h = env;
  futres_t *r = wf_http_arg(call, env, WF_HTTP_RT_FUTURE_INCOMING_RESPONSE, &args[0]);
  if (!r) return 1;
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(&r->obj, future_readiness);
  if (!p) {
    weft_call_trap(call, "wasi:http: out of memory");
    return 1;
  }
  results[0] = wf_wasi_own(h->wasi, WF_WASI_RT_POLLABLE, p);
  return 0;
}

/* option<result<result<incoming-response, error-code>>> */
HOST_FN(h_future_get) {
  UNUSED_ARGS;
  futres_t *r = wf_http_arg(call, env, WF_HTTP_RT_FUTURE_INCOMING_RESPONSE, &args[0]);
  if (!r) return 1;
  pthread_mutex_lock(&r->f->mu);
  bool done = r->f->done;
  wf_http_response_t *resp = NULL;
  int code = r->f->code;
  char msg[200];
  snprintf(msg, sizeof msg, "%s", r->f->msg);
  if (done && !r->taken) {
    resp = r->f->resp;
    r->f->resp = NULL;
  }
  pthread_mutex_unlock(&r->f->mu);
  if (!done) return wf_http_opt(call, &results[0], NULL);
  weft_val_t outer, inner, pl;
  if (r->taken) {
    if (wf_http_var(call, &outer, WEFT_VAL_RESULT, 1, NULL)) return 1;
  } else {
    r->taken = true;
    if (resp) {
      pl = wf_http_own(env, WF_HTTP_RT_INCOMING_RESPONSE, resp);
      if (wf_http_var(call, &inner, WEFT_VAL_RESULT, 0, &pl)) return 1;
    } else if (wf_http_error_val(call, code, msg[0] ? msg : NULL, &pl) ||
               wf_http_var(call, &inner, WEFT_VAL_RESULT, 1, &pl)) {
      return 1;
    }
    if (wf_http_var(call, &outer, WEFT_VAL_RESULT, 0, &inner)) return 1;
  }
  return wf_http_opt(call, &results[0], &outer);
}

/* http-error-code(err: borrow<io-error>) -> option<error-code> */
HOST_FN(h_http_error_code) {
  UNUSED_ARGS;
  wf_http_link_t *h = env;
  wf_wasi_ioerr_t *e = wf_wasi_arg(call, h->wasi, WF_WASI_RT_ERROR, &args[0]);
  if (!e) return 1;
  static const char prefix[] = "HTTP error: ";
  if (strncmp(e->msg, prefix, sizeof prefix - 1)) return wf_http_opt(call, &results[0], NULL);
  const char *name = e->msg + sizeof prefix - 1;
  for (int c = 0; c < WF_HTTP_E_COUNT; c++) {
    size_t n = strlen(wf_http_error_name(c));
    if (!strncmp(name, wf_http_error_name(c), n) && (name[n] == 0 || name[n] == ':')) {
      weft_val_t v;
      const char *detail = name[n] == ':' ? name + n + 2 : NULL;
      if (wf_http_error_val(call, c, detail, &v)) return 1;
      return wf_http_opt(call, &results[0], &v);
    }
  }
  return wf_http_opt(call, &results[0], NULL);
}

weft_status_t wf_http_add_future(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err) {
  static const struct {
    const char *name;
    weft_host_fn fn;
  } funcs[] = {
      {"[method]future-incoming-response.subscribe", h_future_subscribe},
      {"[method]future-incoming-response.get", h_future_get},
      {"http-error-code", h_http_error_code},
  };
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_status_t st = weft_linker_define_func(l, IFACE, funcs[i].name, funcs[i].fn, h, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}
