/* An embedder of libweft (public headers only) that stops a guest blocked
 * in a host wait from a signal handler: it calls export NAME of
 * waits.wasm (tests/interrupt/waits.wat: "poll-hour", "block-hour",
 * "read-stdin" on a pipe nobody writes) and a SIGALRM after 200 ms calls
 * weft_cinstance_interrupt. Prints "NAME: trap CODE after MS ms: MESSAGE"
 * (or "NAME: returned") and exits 0 if it trapped with WEFT_TRAP_INTERRUPT.
 *   signal_host WAITS.wasm NAME */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "weft.h"
#include "weft_wasi.h"

static weft_cinstance_t *volatile victim;

static void on_alarm(int sig) {
  (void)sig;
  weft_cinstance_interrupt(victim);   /* async-signal-safe */
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: signal_host WAITS.wasm NAME\n");
    return 2;
  }
  int in[2];
  if (pipe(in)) return 2;
  weft_error_t err;
  weft_engine_t *e = weft_engine_new();
  weft_component_t *c = NULL;
  if (weft_component_from_file(e, argv[1], &c, &err) != WEFT_OK) {
    fprintf(stderr, "%s: %s\n", argv[1], err.message);
    return 2;
  }
  weft_wasi_config_t *cfg = weft_wasi_config_new();
  weft_wasi_config_stdio(cfg, in[0], 1, 2);
  weft_linker_t *l = weft_linker_new(e);
  weft_cinstance_t *inst = NULL;
  if (weft_linker_add_wasi(l, cfg, &err) != WEFT_OK || weft_linker_instantiate(l, c, NULL, &inst, &err) != WEFT_OK) {
    fprintf(stderr, "instantiate: %s\n", err.message);
    return 2;
  }
  weft_cfunc_t *f = weft_cinstance_func(inst, NULL, argv[2]);
  if (!f) {
    fprintf(stderr, "no export %s\n", argv[2]);
    return 2;
  }
  victim = inst;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {.it_value = {0, 200000}};
  setitimer(ITIMER_REAL, &it, NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  weft_arena_t *a = weft_arena_new();
  weft_val_t r;
  weft_status_t st = weft_cfunc_call(f, NULL, 0, &r, 1, a, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
  int ok = st == WEFT_ERR_TRAP && err.trap == WEFT_TRAP_INTERRUPT;
  if (st == WEFT_ERR_TRAP) printf("%s: trap %d after %ld ms: %s\n", argv[2], (int)err.trap, ms, err.message);
  else printf("%s: returned (status %d) after %ld ms\n", argv[2], (int)st, ms);
  weft_arena_free(a);
  weft_cinstance_free(inst);
  weft_linker_free(l);
  weft_wasi_config_free(cfg);
  weft_component_free(c);
  weft_engine_free(e);
  close(in[0]);
  close(in[1]);
  return ok ? 0 : 1;
}
