/* wasi:sockets 0.2 — shared between wasi_sockets.c (network,
 * instance-network, ip-name-lookup, addresses, errors, registration),
 * wasi_sockets_tcp.c and wasi_sockets_udp.c.
 *
 * Sockets are non-blocking host sockets; a resource's rep is a pointer to a
 * wf_wasi_obj_t-refcounted object (like every WASI resource). Permissions
 * come from the instance's WASI ctx: creating, binding and connecting
 * sockets need allow_network (-S inherit-network), name lookup needs
 * allow_name_lookup (-S allow-ip-name-lookup); otherwise access-denied. */
#ifndef WF_WASI_SOCKETS_H
#define WF_WASI_SOCKETS_H

#include <sys/socket.h>

#include "wasi.h"

/* network.error-code (enum order of sockets.wit) */
enum {
  WF_SE_UNKNOWN = 0, WF_SE_ACCESS_DENIED, WF_SE_NOT_SUPPORTED, WF_SE_INVALID_ARGUMENT, WF_SE_OUT_OF_MEMORY,
  WF_SE_TIMEOUT, WF_SE_CONCURRENCY_CONFLICT, WF_SE_NOT_IN_PROGRESS, WF_SE_WOULD_BLOCK, WF_SE_INVALID_STATE,
  WF_SE_NEW_SOCKET_LIMIT, WF_SE_ADDRESS_NOT_BINDABLE, WF_SE_ADDRESS_IN_USE, WF_SE_REMOTE_UNREACHABLE,
  WF_SE_CONNECTION_REFUSED, WF_SE_CONNECTION_RESET, WF_SE_CONNECTION_ABORTED, WF_SE_DATAGRAM_TOO_LARGE,
  WF_SE_NAME_UNRESOLVABLE, WF_SE_TEMPORARY_RESOLVER_FAILURE, WF_SE_PERMANENT_RESOLVER_FAILURE,
};
int wf_sock_errno_code(int errnum);

typedef enum {
  WF_SOCK_RT_NETWORK = 0, WF_SOCK_RT_RESOLVE_STREAM, WF_SOCK_RT_TCP, WF_SOCK_RT_UDP,
  WF_SOCK_RT_IN_DGRAM, WF_SOCK_RT_OUT_DGRAM, WF_SOCK_RT_COUNT
} wf_sock_rt_t;

typedef struct wf_sock_budget wf_sock_budget_t;   /* name lookups in flight (wasi_sockets.c) */
typedef struct {
  const wf_wasi_link_t *wasi;
  weft_resource_type_t *rt[WF_SOCK_RT_COUNT];
  wf_sock_budget_t *lookups;
} wf_sock_link_t;

weft_val_t wf_sock_own(const wf_sock_link_t *s, wf_sock_rt_t t, void *obj);
void *wf_sock_arg(weft_call_t *call, const wf_sock_link_t *s, wf_sock_rt_t t, const weft_val_t *v);

/* ip-address-family: ipv4 0, ipv6 1 */
int wf_sock_family_of(uint32_t wasi_family);       /* AF_INET / AF_INET6 */
/* An ip-socket-address value -> sockaddr. 0 ok, -1 malformed value (a
 * trap was recorded). ss->ss_family: AF_INET / AF_INET6. */
int wf_sock_addr_in(weft_call_t *call, const weft_val_t *v, struct sockaddr_storage *ss, socklen_t *len);
/* sockaddr -> ip-socket-address value (nested storage in the call arena). */
int wf_sock_addr_out(weft_call_t *call, const struct sockaddr *sa, weft_val_t *out);
/* The socket's local (or remote) address as result<ip-socket-address, error-code> in *out. */
int wf_sock_fd_address(weft_call_t *call, int fd, bool remote, weft_val_t *out);
/* The unspecified address (0.0.0.0 / ::) or port 0. */
bool wf_sock_addr_unspecified(const struct sockaddr *sa);
uint16_t wf_sock_addr_port(const struct sockaddr *sa);

/* result<_, error-code> / ok(payload) / err(code) helpers. */
int wf_sock_ok(weft_call_t *call, weft_val_t *out, const weft_val_t *payload);
int wf_sock_err(weft_call_t *call, weft_val_t *out, int code);
/* The ctx permission check: 1 allowed, 0 denied, -1 after a trap (no ctx). */
int wf_sock_check(weft_call_t *call, bool lookup);
/* The socket of create-tcp-socket / create-udp-socket (type SOCK_STREAM or
 * SOCK_DGRAM, non-blocking, IPv6 sockets v6-only): the fd, or -1 with the
 * host function's return value in *rc (permission denied and socket errors
 * already set as the error result). */
int wf_sock_open(weft_call_t *call, weft_val_t *result, uint32_t wasi_family, int type, int *family, int *rc);

/* Streams over a connected socket (take ownership of fd). */
wf_wasi_istream_t *wf_sock_istream_new(int fd);
wf_wasi_ostream_t *wf_sock_ostream_new(int fd);

weft_status_t wf_sock_add_tcp(weft_linker_t *l, wf_sock_link_t *s, weft_error_t *err);
weft_status_t wf_sock_add_udp(weft_linker_t *l, wf_sock_link_t *s, weft_error_t *err);

#endif
