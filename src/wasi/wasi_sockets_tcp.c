/* wasi:sockets/tcp and tcp-create-socket: a non-blocking host socket with
 * the state machine of sockets.wit (start-X / finish-X pairs), streams
 * over dups of its fd, and pollables by fd readiness. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_sockets.h"

typedef enum {
  T_UNBOUND, T_BIND_STARTED, T_BOUND, T_LISTEN_STARTED, T_LISTENING, T_CONNECT_STARTED, T_CONNECT_READY,
  T_CONNECTED, T_CLOSED
} tstate_t;

typedef struct {
  wf_wasi_obj_t obj;
  int fd;
  int family;            /* AF_INET / AF_INET6 */
  tstate_t st;
  int pending;           /* errno of a started bind/connect, 0 ok */
  int backlog;
} tcp_t;

static void tcp_destroy(wf_wasi_obj_t *o) {
  tcp_t *t = (tcp_t *)o;
  if (t->fd >= 0) close(t->fd);
  free(t);
}

static tcp_t *tcp_new(int fd, int family, tstate_t st) {
  tcp_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  wf_wasi_obj_init(&t->obj, tcp_destroy);
  t->fd = fd;
  t->family = family;
  t->st = st;
  t->backlog = 128;
  return t;
}

#define PROLOGUE      \
  (void)nargs;        \
  (void)nresults;     \
  tcp_t *t = wf_sock_arg(call, env, WF_SOCK_RT_TCP, &args[0]); \
  if (!t) return 1

static weft_val_t uval(weft_vkind_t k, uint64_t u) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  v.of.u = u;
  return v;
}

/* create-tcp-socket(address-family) -> result<tcp-socket, error-code> */
HOST_FN(h_create) {
  (void)nargs;
  (void)nresults;
  int family, rc;
  int fd = wf_sock_open(call, &results[0], args[0].of.var.index, SOCK_STREAM, &family, &rc);
  if (fd < 0) return rc;
  tcp_t *t = tcp_new(fd, family, T_UNBOUND);
  if (!t) {
    close(fd);
    return wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY);
  }
  weft_val_t own = wf_sock_own(env, WF_SOCK_RT_TCP, t);
  return wf_sock_ok(call, &results[0], &own);
}

/* Address argument checks shared by bind/connect: -1 trap, else 0 with
 * *code = -1 (ok) or an error-code. */
static int addr_arg(weft_call_t *call, tcp_t *t, const weft_val_t *v, struct sockaddr_storage *ss, socklen_t *len,
                    int *code) {
  *code = -1;
  if (wf_sock_addr_in(call, v, ss, len) < 0) return -1;
  if (ss->ss_family != t->family) *code = WF_SE_INVALID_ARGUMENT;
  return 0;
}

/* start-bind(network, local-address) -> result<_, error-code> */
HOST_FN(h_start_bind) {
  PROLOGUE;
  if (!wf_sock_arg(call, env, WF_SOCK_RT_NETWORK, &args[1])) return 1;
  int allowed = wf_sock_check(call, false);
  if (allowed < 0) return 1;
  if (!allowed) return wf_sock_err(call, &results[0], WF_SE_ACCESS_DENIED);
  if (t->st != T_UNBOUND) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  struct sockaddr_storage ss;
  socklen_t len;
  int code;
  if (addr_arg(call, t, &args[2], &ss, &len, &code) < 0) return 1;
  if (code >= 0) return wf_sock_err(call, &results[0], code);
  if (wf_sock_addr_port((struct sockaddr *)&ss) != 0) {
    int one = 1;   /* as wasmtime: rebinding a port in TIME_WAIT is allowed */
    setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  if (bind(t->fd, (struct sockaddr *)&ss, len) != 0) {
    int e = errno;
    return wf_sock_err(call, &results[0], e == EADDRINUSE ? WF_SE_ADDRESS_IN_USE : wf_sock_errno_code(e));
  }
  t->st = T_BIND_STARTED;
  return wf_sock_ok(call, &results[0], NULL);
}

HOST_FN(h_finish_bind) {
  PROLOGUE;
  if (t->st != T_BIND_STARTED) return wf_sock_err(call, &results[0], WF_SE_NOT_IN_PROGRESS);
  t->st = T_BOUND;
  return wf_sock_ok(call, &results[0], NULL);
}

/* start-connect(network, remote-address) -> result<_, error-code> */
HOST_FN(h_start_connect) {
  PROLOGUE;
  if (!wf_sock_arg(call, env, WF_SOCK_RT_NETWORK, &args[1])) return 1;
  int allowed = wf_sock_check(call, false);
  if (allowed < 0) return 1;
  if (!allowed) return wf_sock_err(call, &results[0], WF_SE_ACCESS_DENIED);
  struct sockaddr_storage ss;
  socklen_t len;
  int code;
  if (addr_arg(call, t, &args[2], &ss, &len, &code) < 0) return 1;
  if (code < 0 && (wf_sock_addr_unspecified((struct sockaddr *)&ss) || wf_sock_addr_port((struct sockaddr *)&ss) == 0))
    code = WF_SE_INVALID_ARGUMENT;
  if (code >= 0) return wf_sock_err(call, &results[0], code);
  if (t->st != T_UNBOUND && t->st != T_BOUND) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  if (connect(t->fd, (struct sockaddr *)&ss, len) == 0) {
    t->st = T_CONNECT_READY;
    t->pending = 0;
  } else if (errno == EINPROGRESS) {
    t->st = T_CONNECT_STARTED;
  } else {
    int e = errno;
    t->st = T_CLOSED;
    return wf_sock_err(call, &results[0], wf_sock_errno_code(e));
  }
  return wf_sock_ok(call, &results[0], NULL);
}

/* Streams over dups of the socket's fd. */
static int streams(weft_call_t *call, wf_sock_link_t *s, int fd, weft_val_t *in, weft_val_t *out) {
  int a = fcntl(fd, F_DUPFD_CLOEXEC, 3), b = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  (void)call;
  if (a < 0 || b < 0) {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
    return -1;
  }
  wf_wasi_istream_t *is = wf_sock_istream_new(a);
  wf_wasi_ostream_t *os = wf_sock_ostream_new(b);
  if (!is || !os) {
    wf_wasi_unref(is);
    wf_wasi_unref(os);
    return -1;
  }
  *in = wf_wasi_own(s->wasi, WF_WASI_RT_INPUT_STREAM, is);
  *out = wf_wasi_own(s->wasi, WF_WASI_RT_OUTPUT_STREAM, os);
  return 0;
}

/* finish-connect() -> result<tuple<input-stream, output-stream>, error-code> */
HOST_FN(h_finish_connect) {
  PROLOGUE;
  if (t->st != T_CONNECT_STARTED && t->st != T_CONNECT_READY)
    return wf_sock_err(call, &results[0], WF_SE_NOT_IN_PROGRESS);
  if (t->st == T_CONNECT_STARTED) {
    struct pollfd p = {.fd = t->fd, .events = POLLOUT};
    if (poll(&p, 1, 0) <= 0) return wf_sock_err(call, &results[0], WF_SE_WOULD_BLOCK);
    int e = 0;
    socklen_t l = sizeof e;
    getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &l);
    if (e) {
      t->st = T_CLOSED;
      return wf_sock_err(call, &results[0], wf_sock_errno_code(e));
    }
  }
  weft_val_t *tv = wf_wasi_new_vals(call, 3);
  if (!tv) return 1;
  if (streams(call, env, t->fd, &tv[1], &tv[2]) != 0) return wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY);
  t->st = T_CONNECTED;
  tv[0].kind = WEFT_VAL_TUPLE;
  tv[0].of.seq.v = &tv[1];
  tv[0].of.seq.n = 2;
  return wf_sock_ok(call, &results[0], &tv[0]);
}

HOST_FN(h_start_listen) {
  PROLOGUE;
  if (t->st != T_BOUND) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  if (listen(t->fd, t->backlog) != 0) return wf_sock_err(call, &results[0], wf_sock_errno_code(errno));
  t->st = T_LISTEN_STARTED;
  return wf_sock_ok(call, &results[0], NULL);
}

HOST_FN(h_finish_listen) {
  PROLOGUE;
  if (t->st != T_LISTEN_STARTED) return wf_sock_err(call, &results[0], WF_SE_NOT_IN_PROGRESS);
  t->st = T_LISTENING;
  return wf_sock_ok(call, &results[0], NULL);
}

/* accept() -> result<tuple<tcp-socket, input-stream, output-stream>, error-code> */
HOST_FN(h_accept) {
  PROLOGUE;
  if (t->st != T_LISTENING) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  int fd = accept4(t->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return wf_sock_err(call, &results[0], e == EAGAIN || e == EWOULDBLOCK ? WF_SE_WOULD_BLOCK : wf_sock_errno_code(e));
  }
  tcp_t *c = tcp_new(fd, t->family, T_CONNECTED);
  if (!c) {
    close(fd);
    return wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY);
  }
  weft_val_t *tv = wf_wasi_new_vals(call, 4);
  if (!tv) {
    wf_wasi_unref(c);
    return 1;
  }
  if (streams(call, env, fd, &tv[2], &tv[3]) != 0) {
    wf_wasi_unref(c);
    return wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY);
  }
  tv[1] = wf_sock_own(env, WF_SOCK_RT_TCP, c);
  tv[0].kind = WEFT_VAL_TUPLE;
  tv[0].of.seq.v = &tv[1];
  tv[0].of.seq.n = 3;
  return wf_sock_ok(call, &results[0], &tv[0]);
}

static int addr_result(weft_call_t *call, tcp_t *t, weft_val_t *out, bool remote) {
  if (remote ? t->st != T_CONNECTED : (t->st == T_UNBOUND || t->st == T_CLOSED))
    return wf_sock_err(call, out, WF_SE_INVALID_STATE);
  return wf_sock_fd_address(call, t->fd, remote, out);
}

HOST_FN(h_local_address) {
  PROLOGUE;
  return addr_result(call, t, &results[0], false);
}

HOST_FN(h_remote_address) {
  PROLOGUE;
  return addr_result(call, t, &results[0], true);
}

HOST_FN(h_is_listening) {
  PROLOGUE;
  results[0] = wf_wasi_bool(t->st == T_LISTENING);
  return 0;
}

HOST_FN(h_address_family) {
  PROLOGUE;
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_ENUM;
  results[0].of.var.index = t->family == AF_INET ? 0 : 1;
  return 0;
}

HOST_FN(h_set_backlog) {
  PROLOGUE;
  uint64_t v = args[1].of.u;
  if (v == 0) return wf_sock_err(call, &results[0], WF_SE_INVALID_ARGUMENT);
  t->backlog = v > 4096 ? 4096 : (int)v;
  if (t->st == T_LISTENING && listen(t->fd, t->backlog) != 0)
    return wf_sock_err(call, &results[0], wf_sock_errno_code(errno));
  return wf_sock_ok(call, &results[0], NULL);
}

/* Integer socket options: get as `kind`, scaled by `scale` (seconds -> ns). */
typedef struct {
  int level, opt;
  weft_vkind_t kind;
  uint64_t scale;
} sopt_t;

static const sopt_t O_KEEPALIVE = {SOL_SOCKET, SO_KEEPALIVE, WEFT_VAL_BOOL, 1};
static const sopt_t O_KEEPIDLE = {IPPROTO_TCP, TCP_KEEPIDLE, WEFT_VAL_U64, 1000000000u};
static const sopt_t O_KEEPINTVL = {IPPROTO_TCP, TCP_KEEPINTVL, WEFT_VAL_U64, 1000000000u};
static const sopt_t O_KEEPCNT = {IPPROTO_TCP, TCP_KEEPCNT, WEFT_VAL_U32, 1};
static const sopt_t O_RCVBUF = {SOL_SOCKET, SO_RCVBUF, WEFT_VAL_U64, 1};
static const sopt_t O_SNDBUF = {SOL_SOCKET, SO_SNDBUF, WEFT_VAL_U64, 1};

static sopt_t hop_opt(int family) {
  sopt_t o = {family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, family == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS,
              WEFT_VAL_U8, 1};
  return o;
}

static int get_opt(weft_call_t *call, int fd, sopt_t o, weft_val_t *out) {
  int v = 0;
  socklen_t l = sizeof v;
  if (getsockopt(fd, o.level, o.opt, &v, &l) != 0) return wf_sock_err(call, out, wf_sock_errno_code(errno));
  weft_val_t r = o.kind == WEFT_VAL_BOOL ? wf_wasi_bool(v != 0) : uval(o.kind, (uint64_t)(unsigned)v * o.scale);
  return wf_sock_ok(call, out, &r);
}

static int set_opt(weft_call_t *call, int fd, sopt_t o, const weft_val_t *arg, weft_val_t *out) {
  uint64_t v = o.kind == WEFT_VAL_BOOL ? (uint64_t)(arg->of.b != 0) : arg->of.u;
  if (o.kind != WEFT_VAL_BOOL) {
    if (v == 0) return wf_sock_err(call, out, WF_SE_INVALID_ARGUMENT);
    v = (v + o.scale - 1) / o.scale;   /* durations round up to whole seconds */
    if (v > 0x7fffffff) v = 0x7fffffff;
  }
  int iv = (int)v;
  if (setsockopt(fd, o.level, o.opt, &iv, sizeof iv) != 0) return wf_sock_err(call, out, wf_sock_errno_code(errno));
  return wf_sock_ok(call, out, NULL);
}

#define OPT_FNS(get, set, O)                                  \
  HOST_FN(get) {                                              \
    PROLOGUE;                                                 \
    return get_opt(call, t->fd, O, &results[0]);              \
  }                                                           \
  HOST_FN(set) {                                              \
    PROLOGUE;                                                 \
    return set_opt(call, t->fd, O, &args[1], &results[0]);    \
  }
OPT_FNS(h_keepalive, h_set_keepalive, O_KEEPALIVE)
OPT_FNS(h_keepidle, h_set_keepidle, O_KEEPIDLE)
OPT_FNS(h_keepintvl, h_set_keepintvl, O_KEEPINTVL)
OPT_FNS(h_keepcnt, h_set_keepcnt, O_KEEPCNT)
OPT_FNS(h_rcvbuf, h_set_rcvbuf, O_RCVBUF)
OPT_FNS(h_sndbuf, h_set_sndbuf, O_SNDBUF)
OPT_FNS(h_hop, h_set_hop, hop_opt(t->family))

static void tcp_readiness(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  tcp_t *t = (tcp_t *)src;
  if (t->st == T_CONNECT_STARTED) {
    w->fd = t->fd;
    w->events = POLLOUT;
  } else if (t->st == T_LISTENING) {
    w->fd = t->fd;
    w->events = POLLIN;
  } else {
    w->ready = true;
  }
}

HOST_FN(h_subscribe) {
  PROLOGUE;
  wf_sock_link_t *s = env;
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(&t->obj, tcp_readiness);
  if (!p) {
    weft_call_trap(call, "wasi:sockets: out of memory");
    return 1;
  }
  results[0] = wf_wasi_own(s->wasi, WF_WASI_RT_POLLABLE, p);
  return 0;
}

HOST_FN(h_shutdown) {
  PROLOGUE;
  if (t->st != T_CONNECTED) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  uint32_t k = args[1].of.var.index;
  int how = k == 0 ? SHUT_RD : k == 1 ? SHUT_WR : SHUT_RDWR;
  if (shutdown(t->fd, how) != 0) return wf_sock_err(call, &results[0], wf_sock_errno_code(errno));
  return wf_sock_ok(call, &results[0], NULL);
}

weft_status_t wf_sock_add_tcp(weft_linker_t *l, wf_sock_link_t *s, weft_error_t *err) {
  static const struct {
    const char *name;
    weft_host_fn fn;
  } funcs[] = {
      {"[method]tcp-socket.start-bind", h_start_bind},
      {"[method]tcp-socket.finish-bind", h_finish_bind},
      {"[method]tcp-socket.start-connect", h_start_connect},
      {"[method]tcp-socket.finish-connect", h_finish_connect},
      {"[method]tcp-socket.start-listen", h_start_listen},
      {"[method]tcp-socket.finish-listen", h_finish_listen},
      {"[method]tcp-socket.accept", h_accept},
      {"[method]tcp-socket.local-address", h_local_address},
      {"[method]tcp-socket.remote-address", h_remote_address},
      {"[method]tcp-socket.is-listening", h_is_listening},
      {"[method]tcp-socket.address-family", h_address_family},
      {"[method]tcp-socket.set-listen-backlog-size", h_set_backlog},
      {"[method]tcp-socket.keep-alive-enabled", h_keepalive},
      {"[method]tcp-socket.set-keep-alive-enabled", h_set_keepalive},
      {"[method]tcp-socket.keep-alive-idle-time", h_keepidle},
      {"[method]tcp-socket.set-keep-alive-idle-time", h_set_keepidle},
      {"[method]tcp-socket.keep-alive-interval", h_keepintvl},
      {"[method]tcp-socket.set-keep-alive-interval", h_set_keepintvl},
      {"[method]tcp-socket.keep-alive-count", h_keepcnt},
      {"[method]tcp-socket.set-keep-alive-count", h_set_keepcnt},
      {"[method]tcp-socket.hop-limit", h_hop},
      {"[method]tcp-socket.set-hop-limit", h_set_hop},
      {"[method]tcp-socket.receive-buffer-size", h_rcvbuf},
      {"[method]tcp-socket.set-receive-buffer-size", h_set_rcvbuf},
      {"[method]tcp-socket.send-buffer-size", h_sndbuf},
      {"[method]tcp-socket.set-send-buffer-size", h_set_sndbuf},
      {"[method]tcp-socket.subscribe", h_subscribe},
      {"[method]tcp-socket.shutdown", h_shutdown},
  };
  const char *tcp = WF_WASI_IFACE("sockets/tcp");
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_status_t st = weft_linker_define_func(l, tcp, funcs[i].name, funcs[i].fn, s, err);
    if (st != WEFT_OK) return st;
  }
  return weft_linker_define_func(l, WF_WASI_IFACE("sockets/tcp-create-socket"), "create-tcp-socket", h_create, s,
                                 err);
}
