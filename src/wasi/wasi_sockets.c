/* wasi:sockets: network, instance-network, ip-name-lookup (getaddrinfo on
 * a worker thread, readiness through an eventfd), socket addresses,
 * errno -> error-code, socket streams, and wf_wasi_add_sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wasi_sockets.h"

/* ---- values ---- */
static weft_val_t mk(weft_vkind_t k) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  return v;
}

weft_val_t wf_sock_own(const wf_sock_link_t *s, wf_sock_rt_t t, void *obj) {
  weft_val_t v = mk(WEFT_VAL_OWN);
  v.of.res.type = s->rt[t];
  v.of.res.rep = (uint64_t)(uintptr_t)obj;
  return v;
}

static const char *const rt_names[WF_SOCK_RT_COUNT] = {"network", "resolve-address-stream", "tcp-socket",
                                                       "udp-socket", "incoming-datagram-stream",
                                                       "outgoing-datagram-stream"};

void *wf_sock_arg(weft_call_t *call, const wf_sock_link_t *s, wf_sock_rt_t t, const weft_val_t *v) {
  if ((v->kind != WEFT_VAL_BORROW && v->kind != WEFT_VAL_OWN) || v->of.res.type != s->rt[t] || !v->of.res.rep) {
    weft_call_trap(call, "wasi:sockets: argument is not a handle of type %s", rt_names[t]);
    return NULL;
  }
  return (void *)(uintptr_t)v->of.res.rep;
}

int wf_sock_ok(weft_call_t *call, weft_val_t *out, const weft_val_t *payload) {
  return wf_wasi_ok(call, out, payload);
}

int wf_sock_err(weft_call_t *call, weft_val_t *out, int code) {
  return wf_wasi_err_enum(call, out, (uint32_t)code);
}

int wf_sock_check(weft_call_t *call, bool lookup) {
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return -1;
  return lookup ? x->allow_name_lookup : x->allow_network;
}

int wf_sock_errno_code(int e) {
  switch (e) {
  case EACCES: case EPERM: return WF_SE_ACCESS_DENIED;
  case EAFNOSUPPORT: case EOPNOTSUPP: case EPROTONOSUPPORT: return WF_SE_NOT_SUPPORTED;
  case EINVAL: case EDESTADDRREQ: case EISCONN: return WF_SE_INVALID_ARGUMENT;
  case ENOMEM: case ENOBUFS: return WF_SE_OUT_OF_MEMORY;
  case ETIMEDOUT: return WF_SE_TIMEOUT;
  case EALREADY: return WF_SE_CONCURRENCY_CONFLICT;
  case EAGAIN: case EINPROGRESS: return WF_SE_WOULD_BLOCK;
  case EMFILE: case ENFILE: return WF_SE_NEW_SOCKET_LIMIT;
  case EADDRNOTAVAIL: return WF_SE_ADDRESS_NOT_BINDABLE;
  case EADDRINUSE: return WF_SE_ADDRESS_IN_USE;
  case EHOSTUNREACH: case ENETUNREACH: case ENETDOWN: return WF_SE_REMOTE_UNREACHABLE;
  case ECONNREFUSED: return WF_SE_CONNECTION_REFUSED;
  case ECONNRESET: case EPIPE: return WF_SE_CONNECTION_RESET;
  case ECONNABORTED: return WF_SE_CONNECTION_ABORTED;
  case EMSGSIZE: return WF_SE_DATAGRAM_TOO_LARGE;
  default: return WF_SE_UNKNOWN;
  }
}

/* ---- addresses ---- */
int wf_sock_family_of(uint32_t f) { return f == 0 ? AF_INET : AF_INET6; }

int wf_sock_open(weft_call_t *call, weft_val_t *result, uint32_t wasi_family, int type, int *family, int *rc) {
  int allowed = wf_sock_check(call, false);
  if (allowed <= 0) {
    *rc = allowed < 0 ? 1 : wf_sock_err(call, result, WF_SE_ACCESS_DENIED);
    return -1;
  }
  *family = wf_sock_family_of(wasi_family);
  int fd = socket(*family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *rc = wf_sock_err(call, result, wf_sock_errno_code(errno));
    return -1;
  }
  if (*family == AF_INET6) {
    int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  return fd;
}

static bool is_record(const weft_val_t *v, size_t n) {
  return v && v->kind == WEFT_VAL_RECORD && v->of.seq.n == n;
}

static bool is_tuple(const weft_val_t *v, size_t n) {
  return v && v->kind == WEFT_VAL_TUPLE && v->of.seq.n == n;
}

int wf_sock_addr_in(weft_call_t *call, const weft_val_t *v, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  const weft_val_t *r = v->kind == WEFT_VAL_VARIANT ? v->of.var.payload : NULL;
  if (v->kind == WEFT_VAL_VARIANT && v->of.var.index == 0 && is_record(r, 2) && is_tuple(&r->of.seq.v[1], 4)) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)r->of.seq.v[0].of.u);
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)r->of.seq.v[1].of.seq.v[i].of.u;
    memcpy(&a->sin_addr, b, 4);
    *len = sizeof *a;
    return 0;
  }
  if (v->kind == WEFT_VAL_VARIANT && v->of.var.index == 1 && is_record(r, 4) && is_tuple(&r->of.seq.v[2], 8)) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)r->of.seq.v[0].of.u);
    a->sin6_flowinfo = htonl((uint32_t)r->of.seq.v[1].of.u);
    for (int i = 0; i < 8; i++) {
      uint16_t w = (uint16_t)r->of.seq.v[2].of.seq.v[i].of.u;
      a->sin6_addr.s6_addr[2 * i] = (uint8_t)(w >> 8);
      a->sin6_addr.s6_addr[2 * i + 1] = (uint8_t)w;
    }
    a->sin6_scope_id = (uint32_t)r->of.seq.v[3].of.u;
    *len = sizeof *a;
    return 0;
  }
  weft_call_trap(call, "wasi:sockets: malformed ip-socket-address value");
  return -1;
}

static weft_val_t uval(weft_vkind_t k, uint64_t u) {
  weft_val_t v = mk(k);
  v.of.u = u;
  return v;
}

/* ip-address tuple (ipv4: 4 x u8, ipv6: 8 x u16) */
static int ip_tuple(weft_call_t *call, const struct sockaddr *sa, weft_val_t *out) {
  bool v4 = sa->sa_family == AF_INET;
  size_t n = v4 ? 4 : 8;
  weft_val_t *e = wf_wasi_new_vals(call, n);
  if (!e) return 1;
  if (v4) {
    const uint8_t *b = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    for (size_t i = 0; i < 4; i++) e[i] = uval(WEFT_VAL_U8, b[i]);
  } else {
    const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    for (size_t i = 0; i < 8; i++) e[i] = uval(WEFT_VAL_U16, (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]));
  }
  *out = mk(WEFT_VAL_TUPLE);
  out->of.seq.v = e;
  out->of.seq.n = n;
  return 0;
}

int wf_sock_addr_out(weft_call_t *call, const struct sockaddr *sa, weft_val_t *out) {
  bool v4 = sa->sa_family == AF_INET;
  size_t nf = v4 ? 2 : 4;
  weft_val_t *f = wf_wasi_new_vals(call, nf);
  weft_val_t *rec = wf_wasi_new_vals(call, 1);
  if (!f || !rec) return 1;
  if (v4) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
    f[0] = uval(WEFT_VAL_U16, ntohs(a->sin_port));
    if (ip_tuple(call, sa, &f[1])) return 1;
  } else {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
    f[0] = uval(WEFT_VAL_U16, ntohs(a->sin6_port));
    f[1] = uval(WEFT_VAL_U32, ntohl(a->sin6_flowinfo));
    if (ip_tuple(call, sa, &f[2])) return 1;
    f[3] = uval(WEFT_VAL_U32, a->sin6_scope_id);
  }
  *rec = mk(WEFT_VAL_RECORD);
  rec->of.seq.v = f;
  rec->of.seq.n = nf;
  *out = mk(WEFT_VAL_VARIANT);
  out->of.var.index = v4 ? 0 : 1;
  out->of.var.payload = rec;
  return 0;
}

int wf_sock_fd_address(weft_call_t *call, int fd, bool remote, weft_val_t *out) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int r = remote ? getpeername(fd, (struct sockaddr *)&ss, &len) : getsockname(fd, (struct sockaddr *)&ss, &len);
  if (r != 0) return wf_sock_err(call, out, wf_sock_errno_code(errno));
  weft_val_t a;
  if (wf_sock_addr_out(call, (struct sockaddr *)&ss, &a)) return 1;
  return wf_sock_ok(call, out, &a);
}

bool wf_sock_addr_unspecified(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET) return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
  return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

uint16_t wf_sock_addr_port(const struct sockaddr *sa) {
  return ntohs(sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
                                        : ((const struct sockaddr_in6 *)sa)->sin6_port);
}

/* ---- socket streams ---- */
typedef struct {
  union { wf_wasi_istream_t in; wf_wasi_ostream_t out; } s;
  int fd;
} sstream_t;

static int64_t ss_read(wf_wasi_istream_t *s, uint8_t *buf, size_t cap, bool blocking, wf_wasi_ioerr_t **err) {
  sstream_t *x = (sstream_t *)s;
  for (;;) {
    ssize_t r = recv(x->fd, buf, cap, MSG_DONTWAIT);
    if (r > 0) return r;
    if (r == 0) return WF_WASI_CLOSED;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!blocking) return 0;
      struct pollfd p = {.fd = x->fd, .events = POLLIN};
      poll(&p, 1, -1);
      continue;
    }
    *err = wf_wasi_ioerr_new(NULL, errno);
    return WF_WASI_FAILED;
  }
}

static void ss_in_readiness(wf_wasi_istream_t *s, wf_wasi_wait_t *w) {
  w->fd = ((sstream_t *)s)->fd;
  w->events = POLLIN;
}

static void ss_in_destroy(wf_wasi_istream_t *s) {
  sstream_t *x = (sstream_t *)s;
  shutdown(x->fd, SHUT_RD);
  close(x->fd);
  free(x);
}

static int64_t ss_check_write(wf_wasi_ostream_t *s, wf_wasi_ioerr_t **err) {
  sstream_t *x = (sstream_t *)s;
  struct pollfd p = {.fd = x->fd, .events = POLLOUT};
  if (poll(&p, 1, 0) < 0) return 0;
  if (p.revents & (POLLERR | POLLHUP)) {
    int e = 0;
    socklen_t l = sizeof e;
    getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &l);
    if (!e) return WF_WASI_CLOSED;
    *err = wf_wasi_ioerr_new(NULL, e);
    return WF_WASI_FAILED;
  }
  return (p.revents & POLLOUT) ? 65536 : 0;
}

static int ss_write(wf_wasi_ostream_t *s, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err) {
  return wf_wasi_write_all(((sstream_t *)s)->fd, true, buf, len, err);
}

static void ss_out_readiness(wf_wasi_ostream_t *s, wf_wasi_wait_t *w) {
  w->fd = ((sstream_t *)s)->fd;
  w->events = POLLOUT;
}

static void ss_out_destroy(wf_wasi_ostream_t *s) {
  sstream_t *x = (sstream_t *)s;
  shutdown(x->fd, SHUT_WR);
  close(x->fd);
  free(x);
}

static const wf_wasi_istream_ops_t ss_in_ops = {ss_read, ss_in_readiness, ss_in_destroy};
static const wf_wasi_ostream_ops_t ss_out_ops = {ss_check_write, ss_write, NULL, ss_out_readiness, ss_out_destroy};

wf_wasi_istream_t *wf_sock_istream_new(int fd) {
  sstream_t *x = calloc(1, sizeof *x);
  if (!x) {
    close(fd);
    return NULL;
  }
  wf_wasi_istream_init(&x->s.in, &ss_in_ops);
  x->fd = fd;
  return &x->s.in;
}

wf_wasi_ostream_t *wf_sock_ostream_new(int fd) {
  sstream_t *x = calloc(1, sizeof *x);
  if (!x) {
    close(fd);
    return NULL;
  }
  wf_wasi_ostream_init(&x->s.out, &ss_out_ops);
  x->fd = fd;
  return &x->s.out;
}

/* ---- network ---- */
static void plain_destroy(wf_wasi_obj_t *o) { free(o); }

HOST_FN(h_instance_network) {
  UNUSED_ARGS;
  wf_wasi_obj_t *n = calloc(1, sizeof *n);
  if (!n) {
    weft_call_trap(call, "wasi:sockets: out of memory");
    return 1;
  }
  wf_wasi_obj_init(n, plain_destroy);
  results[0] = wf_sock_own(env, WF_SOCK_RT_NETWORK, n);
  return 0;
}

/* network-error-code(err: borrow<error>) -> option<error-code> */
HOST_FN(h_network_error_code) {
  UNUSED_ARGS;
  wf_sock_link_t *s = env;
  wf_wasi_ioerr_t *e = wf_wasi_arg(call, s->wasi, WF_WASI_RT_ERROR, &args[0]);
  if (!e) return 1;
  results[0] = mk(WEFT_VAL_OPTION);
  if (!e->errnum) return 0;
  weft_val_t *p = wf_wasi_new_vals(call, 1);
  if (!p) return 1;
  *p = mk(WEFT_VAL_ENUM);
  p->of.var.index = (uint32_t)wf_sock_errno_code(e->errnum);
  results[0].of.var.index = 1;
  results[0].of.var.payload = p;
  return 0;
}

/* ---- ip-name-lookup ---- */
#define MAX_ADDRS 256
#define MAX_LOOKUPS 16   /* getaddrinfo threads in flight per link */

/* Shared by the link and each lookup thread (a thread may outlive the link). */
struct wf_sock_budget {
  atomic_uint refs;
  atomic_uint inflight;
};

static void budget_unref(wf_sock_budget_t *b) {
  if (b && atomic_fetch_sub(&b->refs, 1) == 1) free(b);
}

typedef struct {
  wf_sock_budget_t *budget;
  atomic_uint refs;
  pthread_mutex_t mu;
  int fd;                          /* eventfd: readable once done */
  bool done;
  int error;                       /* error-code, or -1 */
  struct sockaddr_storage *addrs;
  size_t n;
  char name[];
} lookup_t;

typedef struct {
  wf_wasi_obj_t obj;
  lookup_t *l;
  size_t next;
} resolve_t;

static void lookup_unref(lookup_t *l) {
  if (atomic_fetch_sub(&l->refs, 1) != 1) return;
  close(l->fd);
  pthread_mutex_destroy(&l->mu);
  free(l->addrs);
  free(l);
}

static void *lookup_thread(void *arg) {
  lookup_t *l = arg;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;   /* one entry per address */
  int rc = getaddrinfo(l->name, NULL, &hints, &res);
  int error = -1;
  struct sockaddr_storage *addrs = NULL;
  size_t n = 0;
  if (rc == 0) {
    for (struct addrinfo *a = res; a; a = a->ai_next) n += n < MAX_ADDRS;
    addrs = calloc(n ? n : 1, sizeof *addrs);
    n = 0;
    for (struct addrinfo *a = res; addrs && a && n < MAX_ADDRS; a = a->ai_next)
      if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) && a->ai_addrlen <= sizeof *addrs)
        memcpy(&addrs[n++], a->ai_addr, a->ai_addrlen);
    if (!addrs) error = WF_SE_OUT_OF_MEMORY;
    freeaddrinfo(res);
  } else {
    error = rc == EAI_AGAIN ? WF_SE_TEMPORARY_RESOLVER_FAILURE
            : rc == EAI_NONAME || rc == EAI_NODATA ? WF_SE_NAME_UNRESOLVABLE
            : rc == EAI_MEMORY ? WF_SE_OUT_OF_MEMORY
                               : WF_SE_PERMANENT_RESOLVER_FAILURE;
  }
  pthread_mutex_lock(&l->mu);
  l->done = true;
  l->error = error;
  l->addrs = addrs;
  l->n = n;
  uint64_t one = 1;
  ssize_t w = write(l->fd, &one, sizeof one);
  (void)w;
  pthread_mutex_unlock(&l->mu);
  wf_sock_budget_t *b = l->budget;
  atomic_fetch_sub(&b->inflight, 1);
  budget_unref(b);
  lookup_unref(l);
  return NULL;
}

static void resolve_destroy(wf_wasi_obj_t *o) {
  resolve_t *r = (resolve_t *)o;
  lookup_unref(r->l);
  free(r);
}

/* A host name (letters, digits, '-', '.', '_') or an IP address literal. */
static bool valid_name(const char *s, size_t n) {
  if (!n || n > 253) return false;
  unsigned char tmp[sizeof(struct in6_addr)];
  char buf[256];
  memcpy(buf, s, n);
  buf[n] = 0;
  if (inet_pton(AF_INET, buf, tmp) == 1 || inet_pton(AF_INET6, buf, tmp) == 1) return true;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
          c == '_'))
      return false;
  }
  return true;
}

/* resolve-addresses(network: borrow<network>, name: string) -> result<resolve-address-stream, error-code> */
HOST_FN(h_resolve_addresses) {
  UNUSED_ARGS;
  if (!wf_sock_arg(call, env, WF_SOCK_RT_NETWORK, &args[0])) return 1;
  if (args[1].kind != WEFT_VAL_STRING) {
    weft_call_trap(call, "wasi:sockets: resolve-addresses expects a string");
    return 1;
  }
  int allowed = wf_sock_check(call, true);
  if (allowed < 0) return 1;
  if (!allowed) return wf_sock_err(call, &results[0], WF_SE_ACCESS_DENIED);
  const char *name = args[1].of.str.ptr;
  size_t n = args[1].of.str.len;
  if (!valid_name(name, n)) return wf_sock_err(call, &results[0], WF_SE_INVALID_ARGUMENT);
  wf_sock_link_t *s = env;
  if (atomic_fetch_add(&s->lookups->inflight, 1) >= MAX_LOOKUPS) {
    atomic_fetch_sub(&s->lookups->inflight, 1);
    return wf_sock_err(call, &results[0], WF_SE_TEMPORARY_RESOLVER_FAILURE);
  }
  lookup_t *l = calloc(1, sizeof *l + n + 1);
  resolve_t *r = calloc(1, sizeof *r);
  if (!l || !r || (l->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
    if (l) free(l);
    free(r);
    atomic_fetch_sub(&s->lookups->inflight, 1);
    return wf_sock_err(call, &results[0], WF_SE_OUT_OF_MEMORY);
  }
  l->budget = s->lookups;
  atomic_fetch_add(&s->lookups->refs, 1);
  memcpy(l->name, name, n);
  atomic_init(&l->refs, 2);   /* the thread's and the stream's */
  pthread_mutex_init(&l->mu, NULL);
  l->error = -1;
  pthread_t th;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&th, &at, lookup_thread, l);
  pthread_attr_destroy(&at);
  if (rc != 0) {
    close(l->fd);
    pthread_mutex_destroy(&l->mu);
    free(l);
    free(r);
    atomic_fetch_sub(&s->lookups->inflight, 1);
    budget_unref(s->lookups);
    return wf_sock_err(call, &results[0], WF_SE_TEMPORARY_RESOLVER_FAILURE);
  }
  wf_wasi_obj_init(&r->obj, resolve_destroy);
  r->l = l;
  weft_val_t own = wf_sock_own(env, WF_SOCK_RT_RESOLVE_STREAM, r);
  return wf_sock_ok(call, &results[0], &own);
}

/* resolve-next-address() -> result<option<ip-address>, error-code> */
HOST_FN(h_resolve_next) {
  UNUSED_ARGS;
  resolve_t *r = wf_sock_arg(call, env, WF_SOCK_RT_RESOLVE_STREAM, &args[0]);
  if (!r) return 1;
  lookup_t *l = r->l;
  pthread_mutex_lock(&l->mu);
  bool done = l->done;
  int error = l->error;
  struct sockaddr_storage a;
  bool have = done && error < 0 && r->next < l->n;
  if (have) a = l->addrs[r->next++];
  pthread_mutex_unlock(&l->mu);
  if (!done) return wf_sock_err(call, &results[0], WF_SE_WOULD_BLOCK);
  if (error >= 0) return wf_sock_err(call, &results[0], error);
  weft_val_t o = mk(WEFT_VAL_OPTION);
  if (have) {
    weft_val_t *ip = wf_wasi_new_vals(call, 2);
    if (!ip || ip_tuple(call, (struct sockaddr *)&a, &ip[1])) return 1;
    ip[0] = mk(WEFT_VAL_VARIANT);
    ip[0].of.var.index = a.ss_family == AF_INET ? 0 : 1;
    ip[0].of.var.payload = &ip[1];
    o.of.var.index = 1;
    o.of.var.payload = &ip[0];
  }
  return wf_sock_ok(call, &results[0], &o);
}

static void resolve_readiness(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  resolve_t *r = (resolve_t *)src;
  w->fd = r->l->fd;
  w->events = POLLIN;
}

HOST_FN(h_resolve_subscribe) {
  UNUSED_ARGS;
  wf_sock_link_t *s = env;
  resolve_t *r = wf_sock_arg(call, env, WF_SOCK_RT_RESOLVE_STREAM, &args[0]);
  if (!r) return 1;
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(&r->obj, resolve_readiness);
  if (!p) {
    weft_call_trap(call, "wasi:sockets: out of memory");
    return 1;
  }
  results[0] = wf_wasi_own(s->wasi, WF_WASI_RT_POLLABLE, p);
  return 0;
}

/* ---- registration ---- */
static void sock_dtor(void *env, uint64_t rep) {
  (void)env;
  wf_wasi_unref((void *)(uintptr_t)rep);
}

static void sock_link_free(void *p) {
  wf_sock_link_t *s = p;
  budget_unref(s->lookups);
  free(s);
}

weft_status_t wf_wasi_add_sockets(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  wf_sock_link_t *s = calloc(1, sizeof *s);
  if (!s) return WEFT_ERR_NOMEM;
  if (!(s->lookups = calloc(1, sizeof *s->lookups))) {
    free(s);
    return WEFT_ERR_NOMEM;
  }
  atomic_init(&s->lookups->refs, 1);
  atomic_init(&s->lookups->inflight, 0);
  s->wasi = k;
  k->ext[WF_WASI_EXT_SOCKETS] = s;
  k->ext_free[WF_WASI_EXT_SOCKETS] = sock_link_free;
  static const struct {
    wf_sock_rt_t t;
    const char *iface;
  } types[] = {
      {WF_SOCK_RT_NETWORK, WF_WASI_IFACE("sockets/network")},
      {WF_SOCK_RT_RESOLVE_STREAM, WF_WASI_IFACE("sockets/ip-name-lookup")},
      {WF_SOCK_RT_TCP, WF_WASI_IFACE("sockets/tcp")},
      {WF_SOCK_RT_UDP, WF_WASI_IFACE("sockets/udp")},
      {WF_SOCK_RT_IN_DGRAM, WF_WASI_IFACE("sockets/udp")},
      {WF_SOCK_RT_OUT_DGRAM, WF_WASI_IFACE("sockets/udp")},
  };
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    weft_status_t st =
        weft_linker_define_resource(l, types[i].iface, rt_names[types[i].t], sock_dtor, s, &s->rt[types[i].t], err);
    if (st != WEFT_OK) return st;
  }
  static const struct {
    const char *iface, *name;
    weft_host_fn fn;
  } funcs[] = {
      {WF_WASI_IFACE("sockets/network"), "network-error-code", h_network_error_code},
      {WF_WASI_IFACE("sockets/instance-network"), "instance-network", h_instance_network},
      {WF_WASI_IFACE("sockets/ip-name-lookup"), "resolve-addresses", h_resolve_addresses},
      {WF_WASI_IFACE("sockets/ip-name-lookup"), "[method]resolve-address-stream.resolve-next-address",
       h_resolve_next},
      {WF_WASI_IFACE("sockets/ip-name-lookup"), "[method]resolve-address-stream.subscribe", h_resolve_subscribe},
  };
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_status_t st = weft_linker_define_func(l, funcs[i].iface, funcs[i].name, funcs[i].fn, s, err);
    if (st != WEFT_OK) return st;
  }
  weft_status_t st = wf_sock_add_tcp(l, s, err);
  if (st == WEFT_OK) st = wf_sock_add_udp(l, s, err);
  return st;
}
