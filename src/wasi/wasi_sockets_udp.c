/* wasi:sockets/udp and udp-create-socket: a non-blocking host datagram
 * socket, its incoming/outgoing datagram streams (which hold a reference to
 * it) and pollables by fd readiness. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_sockets.h"

#define MAX_DGRAM 65535
#define MAX_BATCH 64          /* datagrams per receive / send permit */
#define MAX_RECEIVE_BYTES (256u * 1024u)   /* receive stops taking datagrams past this */

typedef enum { U_UNBOUND, U_BIND_STARTED, U_BOUND } ustate_t;

typedef struct {
  wf_wasi_obj_t obj;
  int fd;
  int family;
  ustate_t st;
  bool connected;
  uint32_t generation;   /* bumped by every stream(): older streams stop working */
} udp_t;

typedef struct {
  wf_wasi_obj_t obj;
  udp_t *u;              /* a reference */
  uint32_t generation;
  uint64_t permit;       /* outgoing: datagrams the last check-send allowed */
} dstream_t;

static void udp_destroy(wf_wasi_obj_t *o) {
  udp_t *u = (udp_t *)o;
  if (u->fd >= 0) close(u->fd);
  free(u);
}

static void dstream_destroy(wf_wasi_obj_t *o) {
  dstream_t *d = (dstream_t *)o;
  wf_wasi_unref(d->u);
  free(d);
}

#define PROLOGUE      \
  (void)nargs;        \
  (void)nresults;     \
  udp_t *u = wf_sock_arg(call, env, WF_SOCK_RT_UDP, &args[0]); \
  if (!u) return 1

static weft_val_t mk(weft_vkind_t k) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  return v;
}

HOST_FN(h_create) {
  (void)nargs;
  (void)nresults;
  int family, rc;
  int fd = wf_sock_open(call, &results[0], args[0].of.var.index, SOCK_DGRAM, &family, &rc);
  if (fd < 0) return rc;
  udp_t *u = calloc(1, sizeof *u);
  if (!u) {
    close(fd);
    return wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY);
  }
  wf_wasi_obj_init(&u->obj, udp_destroy);
  u->fd = fd;
  u->family = family;
  weft_val_t own = wf_sock_own(env, WF_SOCK_RT_UDP, u);
  return wf_sock_ok(call, &results[0], &own);
}

HOST_FN(h_start_bind) {
  PROLOGUE;
  if (!wf_sock_arg(call, env, WF_SOCK_RT_NETWORK, &args[1])) return 1;
  int allowed = wf_sock_check(call, false);
  if (allowed < 0) return 1;
  if (!allowed) return wf_sock_err(call, &results[0], WF_SE_ACCESS_DENIED);
  if (u->st != U_UNBOUND) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  struct sockaddr_storage ss;
  socklen_t len;
  if (wf_sock_addr_in(call, &args[2], &ss, &len) < 0) return 1;
  if (ss.ss_family != u->family) return wf_sock_err(call, &results[0], WF_SE_INVALID_ARGUMENT);
  if (bind(u->fd, (struct sockaddr *)&ss, len) != 0) return wf_sock_err(call, &results[0], wf_sock_errno_code(errno));
  u->st = U_BIND_STARTED;
  return wf_sock_ok(call, &results[0], NULL);
}

HOST_FN(h_finish_bind) {
  PROLOGUE;
  if (u->st != U_BIND_STARTED) return wf_sock_err(call, &results[0], WF_SE_NOT_IN_PROGRESS);
  u->st = U_BOUND;
  return wf_sock_ok(call, &results[0], NULL);
}

static dstream_t *dstream_new(udp_t *u) {
  dstream_t *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  wf_wasi_obj_init(&d->obj, dstream_destroy);
  d->u = wf_wasi_ref(u);
  d->generation = u->generation;
  return d;
}

/* stream(remote-address: option<ip-socket-address>)
 *   -> result<tuple<incoming-datagram-stream, outgoing-datagram-stream>, error-code> */
HOST_FN(h_stream) {
  PROLOGUE;
  if (u->st != U_BOUND) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  const weft_val_t *o = &args[1];
  if (o->kind == WEFT_VAL_OPTION && o->of.var.index == 1 && o->of.var.payload) {
    struct sockaddr_storage ss;
    socklen_t len;
    if (wf_sock_addr_in(call, o->of.var.payload, &ss, &len) < 0) return 1;
    if (ss.ss_family != u->family || wf_sock_addr_unspecified((struct sockaddr *)&ss) ||
        wf_sock_addr_port((struct sockaddr *)&ss) == 0)
      return wf_sock_err(call, &results[0], WF_SE_INVALID_ARGUMENT);
    if (connect(u->fd, (struct sockaddr *)&ss, len) != 0)
      return wf_sock_err(call, &results[0], wf_sock_errno_code(errno));
    u->connected = true;
  } else if (u->connected) {
    struct sockaddr un;
    memset(&un, 0, sizeof un);
    un.sa_family = AF_UNSPEC;
    connect(u->fd, &un, sizeof un);
    u->connected = false;
  }
  u->generation++;
  dstream_t *in = dstream_new(u), *out = dstream_new(u);
  weft_val_t *tv = wf_wasi_new_vals(call, 3);
  if (!in || !out || !tv) {
    wf_wasi_unref(in);
    wf_wasi_unref(out);
    return tv ? wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY) : 1;
  }
  tv[1] = wf_sock_own(env, WF_SOCK_RT_IN_DGRAM, in);
  tv[2] = wf_sock_own(env, WF_SOCK_RT_OUT_DGRAM, out);
  tv[0] = mk(WEFT_VAL_TUPLE);
  tv[0].of.seq.v = &tv[1];
  tv[0].of.seq.n = 2;
  return wf_sock_ok(call, &results[0], &tv[0]);
}

static int addr_result(weft_call_t *call, udp_t *u, weft_val_t *out, bool remote) {
  if (remote ? !u->connected : u->st == U_UNBOUND) return wf_sock_err(call, out, WF_SE_INVALID_STATE);
  return wf_sock_fd_address(call, u->fd, remote, out);
}

HOST_FN(h_local_address) {
  PROLOGUE;
  return addr_result(call, u, &results[0], false);
}

HOST_FN(h_remote_address) {
  PROLOGUE;
  return addr_result(call, u, &results[0], true);
}

HOST_FN(h_address_family) {
  PROLOGUE;
  results[0] = mk(WEFT_VAL_ENUM);
  results[0].of.var.index = u->family == AF_INET ? 0 : 1;
  return 0;
}

static int get_int(weft_call_t *call, int fd, int level, int opt, weft_vkind_t kind, weft_val_t *out) {
  int v = 0;
  socklen_t l = sizeof v;
  if (getsockopt(fd, level, opt, &v, &l) != 0) return wf_sock_err(call, out, wf_sock_errno_code(errno));
  weft_val_t r = mk(kind);
  r.of.u = (uint64_t)(unsigned)v;
  return wf_sock_ok(call, out, &r);
}

static int set_int(weft_call_t *call, int fd, int level, int opt, uint64_t v, weft_val_t *out) {
  if (v == 0) return wf_sock_err(call, out, WF_SE_INVALID_ARGUMENT);
  int iv = v > 0x7fffffff ? 0x7fffffff : (int)v;
  if (setsockopt(fd, level, opt, &iv, sizeof iv) != 0) return wf_sock_err(call, out, wf_sock_errno_code(errno));
  return wf_sock_ok(call, out, NULL);
}

#define HOP_LEVEL(u) ((u)->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6)
#define HOP_OPT(u) ((u)->family == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS)

HOST_FN(h_hop) {
  PROLOGUE;
  return get_int(call, u->fd, HOP_LEVEL(u), HOP_OPT(u), WEFT_VAL_U8, &results[0]);
}
HOST_FN(h_set_hop) {
  PROLOGUE;
  return set_int(call, u->fd, HOP_LEVEL(u), HOP_OPT(u), args[1].of.u, &results[0]);
}
HOST_FN(h_rcvbuf) {
  PROLOGUE;
  return get_int(call, u->fd, SOL_SOCKET, SO_RCVBUF, WEFT_VAL_U64, &results[0]);
}
HOST_FN(h_set_rcvbuf) {
  PROLOGUE;
  return set_int(call, u->fd, SOL_SOCKET, SO_RCVBUF, args[1].of.u, &results[0]);
}
HOST_FN(h_sndbuf) {
  PROLOGUE;
  return get_int(call, u->fd, SOL_SOCKET, SO_SNDBUF, WEFT_VAL_U64, &results[0]);
}
HOST_FN(h_set_sndbuf) {
  PROLOGUE;
  return set_int(call, u->fd, SOL_SOCKET, SO_SNDBUF, args[1].of.u, &results[0]);
}

static void ready_now(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  (void)src;
  w->ready = true;
}

static void in_readiness(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  dstream_t *d = (dstream_t *)src;
  w->fd = d->u->fd;
  w->events = POLLIN;
}

static void out_readiness(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  dstream_t *d = (dstream_t *)src;
  w->fd = d->u->fd;
  w->events = POLLOUT;
}

static int subscribe(weft_call_t *call, wf_sock_link_t *s, wf_wasi_obj_t *o, wf_wasi_readiness_fn fn,
                     weft_val_t *out) {
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(o, fn);
  if (!p) {
    weft_call_trap(call, "wasi:sockets: out of memory");
    return 1;
  }
  *out = wf_wasi_own(s->wasi, WF_WASI_RT_POLLABLE, p);
  return 0;
}

HOST_FN(h_subscribe) {
  PROLOGUE;
  return subscribe(call, env, &u->obj, ready_now, &results[0]);
}

/* incoming-datagram-stream.receive(max-results: u64) -> result<list<incoming-datagram>, error-code> */
HOST_FN(h_receive) {
  (void)nargs;
  (void)nresults;
  dstream_t *d = wf_sock_arg(call, env, WF_SOCK_RT_IN_DGRAM, &args[0]);
  if (!d) return 1;
  if (d->generation != d->u->generation) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  uint64_t max = args[1].of.u;
  if (max > MAX_BATCH) max = MAX_BATCH;
  weft_val_t *list = wf_wasi_new_vals(call, (size_t)max);
  uint8_t *buf = malloc(MAX_DGRAM);
  if (!list || !buf) {
    free(buf);
    return list ? wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY) : 1;
  }
  size_t n = 0, bytes = 0;
  int err = 0;
  while (n < max && bytes < MAX_RECEIVE_BYTES) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    ssize_t r = recvfrom(d->u->fd, buf, MAX_DGRAM, MSG_DONTWAIT, (struct sockaddr *)&ss, &len);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    weft_val_t *f = wf_wasi_new_vals(call, 2);
    if (!f || wf_wasi_byte_list(call, buf, (size_t)r, &f[0]) || wf_sock_addr_out(call, (struct sockaddr *)&ss, &f[1])) {
      free(buf);
      return 1;
    }
    bytes += (size_t)r;
    list[n] = mk(WEFT_VAL_RECORD);
    list[n].of.seq.v = f;
    list[n].of.seq.n = 2;
    n++;
  }
  free(buf);
  if (n == 0 && err) return wf_sock_err(call, &results[0], wf_sock_errno_code(err));
  weft_val_t l = mk(WEFT_VAL_LIST);
  l.of.seq.v = list;
  l.of.seq.n = n;
  return wf_sock_ok(call, &results[0], &l);
}

HOST_FN(h_in_subscribe) {
  (void)nargs;
  (void)nresults;
  dstream_t *d = wf_sock_arg(call, env, WF_SOCK_RT_IN_DGRAM, &args[0]);
  return d ? subscribe(call, env, &d->obj, in_readiness, &results[0]) : 1;
}

/* outgoing-datagram-stream.check-send() -> result<u64, error-code> */
HOST_FN(h_check_send) {
  (void)nargs;
  (void)nresults;
  dstream_t *d = wf_sock_arg(call, env, WF_SOCK_RT_OUT_DGRAM, &args[0]);
  if (!d) return 1;
  if (d->generation != d->u->generation) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  struct pollfd p = {.fd = d->u->fd, .events = POLLOUT};
  d->permit = poll(&p, 1, 0) > 0 && (p.revents & POLLOUT) ? MAX_BATCH : 0;
  weft_val_t v = wf_wasi_u64(d->permit);
  return wf_sock_ok(call, &results[0], &v);
}

/* send(datagrams: list<outgoing-datagram>) -> result<u64, error-code> */
HOST_FN(h_send) {
  (void)nargs;
  (void)nresults;
  dstream_t *d = wf_sock_arg(call, env, WF_SOCK_RT_OUT_DGRAM, &args[0]);
  if (!d) return 1;
  if (args[1].kind != WEFT_VAL_LIST) {
    weft_call_trap(call, "wasi:sockets: send expects a list of datagrams");
    return 1;
  }
  size_t n = args[1].of.seq.n;
  if (n > d->permit) {
    weft_call_trap(call, "wasi:sockets: send of %zu datagrams exceeds the %llu permitted by check-send", n,
                   (unsigned long long)d->permit);
    return 1;
  }
  d->permit = 0;
  if (d->generation != d->u->generation) return wf_sock_err(call, &results[0], WF_SE_INVALID_STATE);
  uint64_t sent = 0;
  for (size_t i = 0; i < n; i++) {
    const weft_val_t *dg = &args[1].of.seq.v[i];
    if (dg->kind != WEFT_VAL_RECORD || dg->of.seq.n != 2) {
      weft_call_trap(call, "wasi:sockets: malformed outgoing-datagram");
      return 1;
    }
    size_t len;
    uint8_t *data = wf_wasi_list_bytes(call, &dg->of.seq.v[0], &len);
    if (!data) return 1;
    const weft_val_t *ra = &dg->of.seq.v[1];
    struct sockaddr_storage ss;
    socklen_t slen = 0;
    int code = -1;
    bool has = ra->kind == WEFT_VAL_OPTION && ra->of.var.index == 1 && ra->of.var.payload;
    if (has) {
      if (wf_sock_addr_in(call, ra->of.var.payload, &ss, &slen) < 0) return 1;
      if (ss.ss_family != d->u->family || wf_sock_addr_unspecified((struct sockaddr *)&ss) ||
          wf_sock_addr_port((struct sockaddr *)&ss) == 0)
        code = WF_SE_INVALID_ARGUMENT;
      if (d->u->connected) code = WF_SE_INVALID_ARGUMENT;   /* only the connected peer */
    } else if (!d->u->connected) {
      code = WF_SE_INVALID_ARGUMENT;
    }
    if (code < 0 && len > MAX_DGRAM) code = WF_SE_DATAGRAM_TOO_LARGE;
    ssize_t r = 0;
    if (code < 0) {
      r = has ? sendto(d->u->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, slen)
              : send(d->u->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (r < 0) code = errno == EAGAIN || errno == EWOULDBLOCK ? -2 : wf_sock_errno_code(errno);
    }
    if (code == -2) break;   /* would block: report what went out */
    if (code >= 0) {
      if (sent == 0) return wf_sock_err(call, &results[0], code);
      break;
    }
    sent++;
  }
  weft_val_t v = wf_wasi_u64(sent);
  return wf_sock_ok(call, &results[0], &v);
}

HOST_FN(h_out_subscribe) {
  (void)nargs;
  (void)nresults;
  dstream_t *d = wf_sock_arg(call, env, WF_SOCK_RT_OUT_DGRAM, &args[0]);
  return d ? subscribe(call, env, &d->obj, out_readiness, &results[0]) : 1;
}

weft_status_t wf_sock_add_udp(weft_linker_t *l, wf_sock_link_t *s, weft_error_t *err) {
  static const struct {
    const char *name;
    weft_host_fn fn;
  } funcs[] = {
      {"[method]udp-socket.start-bind", h_start_bind},
      {"[method]udp-socket.finish-bind", h_finish_bind},
      {"[method]udp-socket.stream", h_stream},
      {"[method]udp-socket.local-address", h_local_address},
      {"[method]udp-socket.remote-address", h_remote_address},
      {"[method]udp-socket.address-family", h_address_family},
      {"[method]udp-socket.unicast-hop-limit", h_hop},
      {"[method]udp-socket.set-unicast-hop-limit", h_set_hop},
      {"[method]udp-socket.receive-buffer-size", h_rcvbuf},
      {"[method]udp-socket.set-receive-buffer-size", h_set_rcvbuf},
      {"[method]udp-socket.send-buffer-size", h_sndbuf},
      {"[method]udp-socket.set-send-buffer-size", h_set_sndbuf},
      {"[method]udp-socket.subscribe", h_subscribe},
      {"[method]incoming-datagram-stream.receive", h_receive},
      {"[method]incoming-datagram-stream.subscribe", h_in_subscribe},
      {"[method]outgoing-datagram-stream.check-send", h_check_send},
      {"[method]outgoing-datagram-stream.send", h_send},
      {"[method]outgoing-datagram-stream.subscribe", h_out_subscribe},
  };
  const char *udp = WF_WASI_IFACE("sockets/udp");
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_status_t st = weft_linker_define_func(l, udp, funcs[i].name, funcs[i].fn, s, err);
    if (st != WEFT_OK) return st;
  }
  return weft_linker_define_func(l, WF_WASI_IFACE("sockets/udp-create-socket"), "create-udp-socket", h_create, s,
                                 err);
}
