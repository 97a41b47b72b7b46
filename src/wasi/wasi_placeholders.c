/* Placeholders for wasi:sockets and wasi:http until their modules exist.
 *
 * wf_wasi_add_sockets / wf_wasi_add_http are weak here: the real modules
 * (wasi_sockets*.c, wasi_http*.c) define strong ones and these drop out.
 * The placeholders define every function and resource of those interfaces
 * (as of 0.2.12) so that a command importing them links; each function
 * traps with "<interface>#<name> is not implemented yet" when called. */
#include <stdio.h>

#include "wasi.h"

typedef struct {
  const char *iface, *name;
  int resource;
} placeholder_t;

static const placeholder_t sockets_items[] = {
    {WF_WASI_IFACE("sockets/network"), "network", 1},
    {WF_WASI_IFACE("sockets/network"), "network-error-code", 0},
    {WF_WASI_IFACE("sockets/instance-network"), "instance-network", 0},
    {WF_WASI_IFACE("sockets/ip-name-lookup"), "resolve-address-stream", 1},
    {WF_WASI_IFACE("sockets/ip-name-lookup"), "[method]resolve-address-stream.resolve-next-address", 0},
    {WF_WASI_IFACE("sockets/ip-name-lookup"), "[method]resolve-address-stream.subscribe", 0},
    {WF_WASI_IFACE("sockets/ip-name-lookup"), "resolve-addresses", 0},
    {WF_WASI_IFACE("sockets/tcp"), "tcp-socket", 1},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.start-bind", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.finish-bind", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.start-connect", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.finish-connect", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.start-listen", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.finish-listen", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.accept", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.local-address", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.remote-address", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.is-listening", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.address-family", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-listen-backlog-size", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.keep-alive-enabled", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-keep-alive-enabled", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.keep-alive-idle-time", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-keep-alive-idle-time", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.keep-alive-interval", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-keep-alive-interval", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.keep-alive-count", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-keep-alive-count", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.hop-limit", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-hop-limit", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.receive-buffer-size", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-receive-buffer-size", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.send-buffer-size", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.set-send-buffer-size", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.subscribe", 0},
    {WF_WASI_IFACE("sockets/tcp"), "[method]tcp-socket.shutdown", 0},
    {WF_WASI_IFACE("sockets/tcp-create-socket"), "create-tcp-socket", 0},
    {WF_WASI_IFACE("sockets/udp"), "udp-socket", 1},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.start-bind", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.finish-bind", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.stream", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.local-address", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.remote-address", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.address-family", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.unicast-hop-limit", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.set-unicast-hop-limit", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.receive-buffer-size", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.set-receive-buffer-size", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.send-buffer-size", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.set-send-buffer-size", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]udp-socket.subscribe", 0},
    {WF_WASI_IFACE("sockets/udp"), "incoming-datagram-stream", 1},
    {WF_WASI_IFACE("sockets/udp"), "[method]incoming-datagram-stream.receive", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]incoming-datagram-stream.subscribe", 0},
    {WF_WASI_IFACE("sockets/udp"), "outgoing-datagram-stream", 1},
    {WF_WASI_IFACE("sockets/udp"), "[method]outgoing-datagram-stream.check-send", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]outgoing-datagram-stream.send", 0},
    {WF_WASI_IFACE("sockets/udp"), "[method]outgoing-datagram-stream.subscribe", 0},
    {WF_WASI_IFACE("sockets/udp-create-socket"), "create-udp-socket", 0},
};
static const placeholder_t http_items[] = {
    {WF_WASI_IFACE("http/types"), "fields", 1},
    {WF_WASI_IFACE("http/types"), "[constructor]fields", 0},
    {WF_WASI_IFACE("http/types"), "[static]fields.from-list", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.get", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.has", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.set", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.delete", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.append", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.entries", 0},
    {WF_WASI_IFACE("http/types"), "[method]fields.clone", 0},
    {WF_WASI_IFACE("http/types"), "incoming-request", 1},
    {WF_WASI_IFACE("http/types"), "[method]incoming-request.method", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-request.path-with-query", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-request.scheme", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-request.authority", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-request.headers", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-request.consume", 0},
    {WF_WASI_IFACE("http/types"), "outgoing-request", 1},
    {WF_WASI_IFACE("http/types"), "[constructor]outgoing-request", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.body", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.method", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.set-method", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.path-with-query", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.set-path-with-query", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.scheme", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.set-scheme", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.authority", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.set-authority", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-request.headers", 0},
    {WF_WASI_IFACE("http/types"), "request-options", 1},
    {WF_WASI_IFACE("http/types"), "[constructor]request-options", 0},
    {WF_WASI_IFACE("http/types"), "[method]request-options.connect-timeout", 0},
    {WF_WASI_IFACE("http/types"), "[method]request-options.set-connect-timeout", 0},
    {WF_WASI_IFACE("http/types"), "[method]request-options.first-byte-timeout", 0},
    {WF_WASI_IFACE("http/types"), "[method]request-options.set-first-byte-timeout", 0},
    {WF_WASI_IFACE("http/types"), "[method]request-options.between-bytes-timeout", 0},
    {WF_WASI_IFACE("http/types"), "[method]request-options.set-between-bytes-timeout", 0},
    {WF_WASI_IFACE("http/types"), "response-outparam", 1},
    {WF_WASI_IFACE("http/types"), "[method]response-outparam.send-informational", 0},
    {WF_WASI_IFACE("http/types"), "[static]response-outparam.set", 0},
    {WF_WASI_IFACE("http/types"), "incoming-response", 1},
    {WF_WASI_IFACE("http/types"), "[method]incoming-response.status", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-response.headers", 0},
    {WF_WASI_IFACE("http/types"), "[method]incoming-response.consume", 0},
    {WF_WASI_IFACE("http/types"), "incoming-body", 1},
    {WF_WASI_IFACE("http/types"), "[method]incoming-body.stream", 0},
    {WF_WASI_IFACE("http/types"), "[static]incoming-body.finish", 0},
    {WF_WASI_IFACE("http/types"), "future-trailers", 1},
    {WF_WASI_IFACE("http/types"), "[method]future-trailers.subscribe", 0},
    {WF_WASI_IFACE("http/types"), "[method]future-trailers.get", 0},
    {WF_WASI_IFACE("http/types"), "outgoing-response", 1},
    {WF_WASI_IFACE("http/types"), "[constructor]outgoing-response", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-response.status-code", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-response.set-status-code", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-response.headers", 0},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-response.body", 0},
    {WF_WASI_IFACE("http/types"), "outgoing-body", 1},
    {WF_WASI_IFACE("http/types"), "[method]outgoing-body.write", 0},
    {WF_WASI_IFACE("http/types"), "[static]outgoing-body.finish", 0},
    {WF_WASI_IFACE("http/types"), "future-incoming-response", 1},
    {WF_WASI_IFACE("http/types"), "[method]future-incoming-response.subscribe", 0},
    {WF_WASI_IFACE("http/types"), "[method]future-incoming-response.get", 0},
    {WF_WASI_IFACE("http/types"), "http-error-code", 0},
    {WF_WASI_IFACE("http/incoming-handler"), "handle", 0},
    {WF_WASI_IFACE("http/outgoing-handler"), "handle", 0},
};

static int not_implemented(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                           size_t nresults) {
  (void)args, (void)nargs, (void)results, (void)nresults;
  const placeholder_t *p = env;
  weft_call_trap(call, "%s#%s is not implemented yet", p->iface, p->name);
  return 1;
}

static void no_dtor(void *env, uint64_t rep) { (void)env, (void)rep; }

static weft_status_t define_all(weft_linker_t *l, const placeholder_t *items, size_t n, weft_error_t *err) {
  for (size_t i = 0; i < n; i++) {
    weft_status_t st;
    if (items[i].resource) {
      weft_resource_type_t *rt;
      st = weft_linker_define_resource(l, items[i].iface, items[i].name, no_dtor, NULL, &rt, err);
    } else {
      st = weft_linker_define_func(l, items[i].iface, items[i].name, not_implemented, (void *)&items[i], err);
    }
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}

__attribute__((weak)) weft_status_t wf_wasi_add_sockets(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  (void)k;
  return define_all(l, sockets_items, sizeof sockets_items / sizeof sockets_items[0], err);
}

__attribute__((weak)) weft_status_t wf_wasi_add_http(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  (void)k;
  return define_all(l, http_items, sizeof http_items / sizeof http_items[0], err);
}
