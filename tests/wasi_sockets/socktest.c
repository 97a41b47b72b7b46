/* A wasi:sockets test guest written against the canonical ABI by hand
 * (freestanding C, no libc): built with clang --target=wasm32 -nostdlib,
 * then `jco embed` (wit/socktest.wit) and `jco new` make it a component.
 * Each export returns a short text the test script compares. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define IMP(mod, name) __attribute__((import_module(mod), import_name(name)))
#define EXP(name) __attribute__((export_name(name)))
#define V "@0.2.12"

/* ---- freestanding support ---- */
void *memcpy(void *d, const void *s, unsigned long n) {
  u8 *dd = d;
  const u8 *ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void *memset(void *d, int c, unsigned long n) {
  u8 *dd = d;
  while (n--) *dd++ = (u8)c;
  return d;
}

static u8 heap[1 << 20];
static u32 heap_off;
EXP("cabi_realloc") void *cabi_realloc(void *old, u32 old_size, u32 align, u32 new_size) {
  heap_off = (heap_off + align - 1) & ~(align - 1);
  if (heap_off + new_size > sizeof heap) __builtin_trap();
  void *p = heap + heap_off;
  heap_off += new_size;
  if (old) memcpy(p, old, old_size < new_size ? old_size : new_size);
  return p;
}

static char out[4096];
static u32 outlen;
static u32 ret_area[2];
static void put(const char *s) {
  while (*s && outlen < sizeof out) out[outlen++] = *s++;
}
static void putn(const char *s, u32 n) {
  while (n-- && outlen < sizeof out) out[outlen++] = *s++;
}
static void putu(u32 v) {
  char b[12];
  int i = 11;
  b[i] = 0;
  do b[--i] = (char)('0' + v % 10); while ((v /= 10));
  put(b + i);
}
static u32 *result(void) {
  ret_area[0] = (u32)out;
  ret_area[1] = outlen;
  outlen = 0;
  heap_off = 0;   /* the next call starts afresh */
  return ret_area;
}

static const char *const errs[] = {
    "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
    "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
    "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
    "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
    "permanent-resolver-failure"};
static void put_err(const char *what, u8 code) {
  put(what);
  put(": ");
  put(code < sizeof errs / sizeof errs[0] ? errs[code] : "?");
}

/* ---- imports ---- */
IMP("wasi:sockets/instance-network" V, "instance-network") u32 instance_network(void);
IMP("wasi:sockets/network" V, "[resource-drop]network") void drop_network(u32);
IMP("wasi:sockets/tcp-create-socket" V, "create-tcp-socket") void create_tcp_socket(u32 af, void *ret);
#define ADDR_PARAMS u32 d, u32 a0, u32 a1, u32 a2, u32 a3, u32 a4, u32 a5, u32 a6, u32 a7, u32 a8, u32 a9, u32 a10
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.start-connect") void tcp_start_connect(u32 s, u32 net, ADDR_PARAMS, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.finish-connect") void tcp_finish_connect(u32 s, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.start-bind") void tcp_start_bind(u32 s, u32 net, ADDR_PARAMS, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.finish-bind") void tcp_finish_bind(u32 s, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.start-listen") void tcp_start_listen(u32 s, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.finish-listen") void tcp_finish_listen(u32 s, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.accept") void tcp_accept(u32 s, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.local-address") void tcp_local_address(u32 s, void *ret);
IMP("wasi:sockets/tcp" V, "[method]tcp-socket.subscribe") u32 tcp_subscribe(u32 s);
IMP("wasi:sockets/tcp" V, "[resource-drop]tcp-socket") void drop_tcp(u32);
IMP("wasi:sockets/udp-create-socket" V, "create-udp-socket") void create_udp_socket(u32 af, void *ret);
IMP("wasi:sockets/udp" V, "[method]udp-socket.start-bind") void udp_start_bind(u32 s, u32 net, ADDR_PARAMS, void *ret);
IMP("wasi:sockets/udp" V, "[method]udp-socket.finish-bind") void udp_finish_bind(u32 s, void *ret);
IMP("wasi:sockets/udp" V, "[method]udp-socket.stream") void udp_stream(u32 s, u32 some, ADDR_PARAMS, void *ret);
IMP("wasi:sockets/udp" V, "[method]udp-socket.local-address") void udp_local_address(u32 s, void *ret);
IMP("wasi:sockets/udp" V, "[method]incoming-datagram-stream.receive") void udp_receive(u32 s, u64 max, void *ret);
IMP("wasi:sockets/udp" V, "[method]incoming-datagram-stream.subscribe") u32 udp_in_subscribe(u32 s);
IMP("wasi:sockets/udp" V, "[method]outgoing-datagram-stream.check-send") void udp_check_send(u32 s, void *ret);
IMP("wasi:sockets/udp" V, "[method]outgoing-datagram-stream.send") void udp_send(u32 s, void *p, u32 n, void *ret);
IMP("wasi:sockets/udp" V, "[resource-drop]udp-socket") void drop_udp(u32);
IMP("wasi:sockets/udp" V, "[resource-drop]incoming-datagram-stream") void drop_in_dgram(u32);
IMP("wasi:sockets/udp" V, "[resource-drop]outgoing-datagram-stream") void drop_out_dgram(u32);
IMP("wasi:sockets/ip-name-lookup" V, "resolve-addresses") void resolve_addresses(u32 net, const char *p, u32 n, void *ret);
IMP("wasi:sockets/ip-name-lookup" V, "[method]resolve-address-stream.resolve-next-address") void resolve_next(u32 s, void *ret);
IMP("wasi:sockets/ip-name-lookup" V, "[method]resolve-address-stream.subscribe") u32 resolve_subscribe(u32 s);
IMP("wasi:sockets/ip-name-lookup" V, "[resource-drop]resolve-address-stream") void drop_resolve(u32);
IMP("wasi:io/poll" V, "[method]pollable.block") void pollable_block(u32 p);
IMP("wasi:io/poll" V, "[resource-drop]pollable") void drop_pollable(u32 p);
IMP("wasi:io/streams" V, "[method]output-stream.blocking-write-and-flush") void blocking_write(u32 s, const void *p, u32 n, void *ret);
IMP("wasi:io/streams" V, "[method]input-stream.blocking-read") void blocking_read(u32 s, u64 len, void *ret);
IMP("wasi:io/streams" V, "[resource-drop]input-stream") void drop_in(u32);
IMP("wasi:io/streams" V, "[resource-drop]output-stream") void drop_out(u32);

/* return areas: 8-aligned, big enough for every result here */
static _Alignas(8) u8 r[64];
#define R8(off) (*(u8 *)(r + (off)))
#define R16(off) (*(u16 *)(r + (off)))
#define R32(off) (*(u32 *)(r + (off)))

static void wait(u32 pollable) {
  pollable_block(pollable);
  drop_pollable(pollable);
}

/* ipv4 127.0.0.1:port as flat ip-socket-address arguments */
#define LOOPBACK(port) 0, (port), 127, 0, 0, 1, 0, 0, 0, 0, 0, 0

/* ---- exports ---- */
static int tcp_connect(u32 net, u16 port, u32 *sock, u32 *in, u32 *outs) {
  create_tcp_socket(0, r);
  if (R8(0)) {
    put_err("create", R8(4));
    return -1;
  }
  *sock = R32(4);
  tcp_start_connect(*sock, net, LOOPBACK(port), r);
  if (R8(0)) {
    put_err("start-connect", R8(1));
    return -1;
  }
  for (;;) {
    tcp_finish_connect(*sock, r);
    if (!R8(0)) break;
    if (R8(4) != 8) {   /* would-block: wait */
      put_err("connect", R8(4));
      return -1;
    }
    wait(tcp_subscribe(*sock));
  }
  *in = R32(4);
  *outs = R32(8);
  return 0;
}

/* read until n bytes or the end; appends to out */
static void read_some(u32 in, u32 want) {
  u32 got = 0;
  while (got < want) {
    blocking_read(in, want - got, r);
    if (R8(0)) break;   /* closed or failed */
    const char *p = (const char *)R32(4);
    u32 n = R32(8);
    putn(p, n);
    got += n;
  }
}

EXP("tcp-echo") u32 *tcp_echo(u32 port, const char *msg, u32 mlen) {
  u32 net = instance_network(), s, in, o;
  if (tcp_connect(net, (u16)port, &s, &in, &o) == 0) {
    blocking_write(o, "ping ", 5, r);
    blocking_write(o, msg, mlen, r);
    if (R8(0)) {
      put("write failed");
    } else {
      read_some(in, 5 + mlen);
    }
    drop_in(in);
    drop_out(o);
    drop_tcp(s);
  }
  drop_network(net);
  return result();
}

EXP("refused") u32 *refused(u32 port) {
  u32 net = instance_network(), s, in, o;
  if (tcp_connect(net, (u16)port, &s, &in, &o) == 0) {
    put("connected?");
    drop_in(in);
    drop_out(o);
  }
  drop_network(net);
  return result();
}

EXP("tcp-self") u32 *tcp_self(void) {
  u32 net = instance_network();
  create_tcp_socket(0, r);
  if (R8(0)) {
    put_err("create", R8(4));
    return result();
  }
  u32 ls = R32(4);
  tcp_start_bind(ls, net, LOOPBACK(0), r);
  if (R8(0)) {
    put_err("bind", R8(1));
    return result();
  }
  tcp_finish_bind(ls, r);
  tcp_start_listen(ls, r);
  if (R8(0)) {
    put_err("listen", R8(1));
    return result();
  }
  tcp_finish_listen(ls, r);
  tcp_local_address(ls, r);
  if (R8(0) || R8(4) != 0) {
    put("local-address failed");
    return result();
  }
  u16 port = R16(8);
  if (R8(10) != 127 || R8(13) != 1 || port == 0) {
    put("bad local address");
    return result();
  }
  u32 cs, cin, cout;
  if (tcp_connect(net, port, &cs, &cin, &cout) != 0) return result();
  for (;;) {
    tcp_accept(ls, r);
    if (!R8(0)) break;
    if (R8(4) != 8) {
      put_err("accept", R8(4));
      return result();
    }
    wait(tcp_subscribe(ls));
  }
  u32 as = R32(4), ain = R32(8), aout = R32(12);
  blocking_write(cout, "hello over loopback", 19, r);
  put("accepted: ");
  read_some(ain, 19);
  drop_out(cout);   /* the peer then sees the end of its stream */
  blocking_read(ain, 10, r);
  put(R8(0) && R8(4) == 1 ? " / closed" : " / not closed");
  drop_in(ain);
  drop_out(aout);
  drop_tcp(as);
  drop_in(cin);
  drop_tcp(cs);
  drop_tcp(ls);
  drop_network(net);
  return result();
}

static u32 udp_bound(u32 net, u16 *port) {
  create_udp_socket(0, r);
  if (R8(0)) {
    put_err("create", R8(4));
    return 0;
  }
  u32 s = R32(4);
  udp_start_bind(s, net, LOOPBACK(0), r);
  if (R8(0)) {
    put_err("bind", R8(1));
    return 0;
  }
  udp_finish_bind(s, r);
  udp_local_address(s, r);
  *port = R16(8);
  return s;
}

EXP("udp-self") u32 *udp_self(void) {
  u32 net = instance_network();
  u16 pa, pb;
  u32 a = udp_bound(net, &pa);
  if (!a) return result();
  u32 b = udp_bound(net, &pb);
  if (!b) return result();
  udp_stream(a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r);   /* a: not connected */
  if (R8(0)) {
    put_err("stream", R8(4));
    return result();
  }
  u32 ain = R32(4), aout = R32(8);
  udp_stream(b, 1, LOOPBACK(pa), r);   /* b: connected to a */
  if (R8(0)) {
    put_err("stream", R8(4));
    return result();
  }
  u32 bin = R32(4), bout = R32(8);
  udp_check_send(bout, r);
  if (R8(0) || *(u64 *)(r + 8) == 0) {
    put("check-send failed");
    return result();
  }
  /* outgoing-datagram { data: list<u8> @0, remote-address: option<ip-socket-address> @8 } (44 bytes) */
  static _Alignas(4) u8 dg[44];
  *(u32 *)(dg + 0) = (u32) "datagram!";
  *(u32 *)(dg + 4) = 9;
  dg[8] = 0;   /* none: b is connected */
  udp_send(bout, dg, 1, r);
  if (R8(0)) {
    put_err("send", R8(8));
    return result();
  }
  put("sent ");
  putu((u32) * (u64 *)(r + 8));
  for (int tries = 0; tries < 100; tries++) {
    udp_receive(ain, 4, r);
    if (R8(0)) {
      put_err(" receive", R8(4));
      return result();
    }
    if (R32(8) == 0) {
      wait(udp_in_subscribe(ain));
      continue;
    }
    /* incoming-datagram { data @0, remote-address @8: variant disc @8, port @12, ipv4 @14 } */
    u8 *d = (u8 *)R32(4);
    put(", received '");
    putn((const char *)*(u32 *)d, *(u32 *)(d + 4));
    put("' from port ");
    putu(*(u16 *)(d + 12) == pb ? 1 : 0);
    break;
  }
  drop_in_dgram(ain);
  drop_out_dgram(aout);
  drop_in_dgram(bin);
  drop_out_dgram(bout);
  drop_udp(a);
  drop_udp(b);
  drop_network(net);
  return result();
}

EXP("lookup") u32 *lookup(const char *name, u32 len) {
  u32 net = instance_network();
  resolve_addresses(net, name, len, r);
  if (R8(0)) {
    put_err("resolve", R8(4));
    drop_network(net);
    return result();
  }
  u32 s = R32(4);
  int n = 0;
  for (;;) {
    resolve_next(s, r);
    if (R8(0)) {
      if (R8(2) == 8) {   /* would-block */
        wait(resolve_subscribe(s));
        continue;
      }
      put_err("lookup", R8(2));
      break;
    }
    if (!R8(2)) break;   /* none: the end */
    if (n++) put(" ");
    if (R8(4) == 0) {
      for (int i = 0; i < 4; i++) {
        if (i) put(".");
        putu(R8(6 + i));
      }
    } else {
      put("ipv6");
      if (R16(6) == 0 && R16(20) == 1) put(":loopback");
    }
  }
  drop_resolve(s);
  drop_network(net);
  return result();
}

EXP("create-tcp") u32 *create_tcp(void) {
  create_tcp_socket(0, r);
  if (R8(0)) {
    put_err("create", R8(4));
  } else {
    put("ok");
    drop_tcp(R32(4));
  }
  return result();
}
