/* A wasi:http/incoming-handler guest for tests/cli/interrupt.sh, in
 * freestanding C with the canonical ABI written out by hand (built like the
 * `weft serve` test guests: clang --target=wasm32, jco embed, jco new;
 * tests/interrupt/build.sh).
 *   /sleep   waits an hour: monotonic-clock.subscribe-duration +
 *            pollable.block, then answers 200 "woke"
 *   /poll    the same through wasi:io/poll.poll
 *   /read    blocking-read of the request body until it ends, then 200
 *            "read N bytes" (a client that never sends it leaves it waiting)
 *   else     200 "awake\n" */
#include "../guest/http_guest.h"

IMPORT("wasi:clocks/monotonic-clock@0.2.12", "subscribe-duration") int32_t subscribe_duration(int64_t ns);
IMPORT(POLL, "poll") void poll_list(const int32_t *p, size_t n, void *ret);

static int is(const char *path, size_t n, const char *want) {
  size_t k = slen(want);
  if (n < k) return 0;
  for (size_t i = 0; i < k; i++)
    if (path[i] != want[i]) return 0;
  return n == k || path[k] == '?';
}

#define HOUR_NS (3600LL * 1000000000LL)

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle"))) void handle(int32_t req, int32_t outparam) {
  heap_top = 0;
  inreq_path(req, ret);
  const char *path = ret[0] ? (const char *)(uintptr_t)r32(4) : "";
  size_t n = ret[0] ? (size_t)r32(8) : 0;
  if (is(path, n, "/sleep")) {
    inreq_drop(req);
    int32_t p = subscribe_duration(HOUR_NS);
    pollable_block(p);
    pollable_drop(p);
    answer(outparam, "woke\n", 5);
  } else if (is(path, n, "/poll")) {
    inreq_drop(req);
    static int32_t ps[1];
    ps[0] = subscribe_duration(HOUR_NS);
    poll_list(ps, 1, ret);
    pollable_drop(ps[0]);
    answer(outparam, "woke\n", 5);
  } else if (is(path, n, "/read")) {
    inreq_consume(req, ret);
    if (ret[0]) __builtin_trap();
    int32_t ibody = r32(4);
    inbody_stream(ibody, ret);
    if (ret[0]) __builtin_trap();
    int32_t in = r32(4);
    uint64_t total = 0;
    for (;;) {
      in_read(in, 65536, ret);
      if (ret[0]) break;
      total += (uint32_t)r32(8);
      heap_top = 0;
    }
    in_drop(in);
    inbody_drop(ibody);
    inreq_drop(req);
    char msg[40] = "read ";
    char tmp[24];
    int k = 0, m = 5;
    do {
      tmp[k++] = (char)('0' + total % 10);
      total /= 10;
    } while (total);
    while (k) msg[m++] = tmp[--k];
    const char *tail = " bytes\n";
    for (size_t i = 0; tail[i]; i++) msg[m++] = tail[i];
    answer(outparam, msg, (size_t)m);
  } else {
    inreq_drop(req);
    answer(outparam, "awake\n", 6);
  }
}
