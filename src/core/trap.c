/* Trap messages, and the SIGSEGV/SIGBUS handler that turns a fault inside a
 * linear memory's reservation into a trap (siglongjmp to the fault context
 * pushed by wf_invoke). Any other fault is passed on to the previous handler
 * or, if there was none, re-raised with the default action: real bugs still
 * crash the process. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static const char *const trap_messages[WF_TRAP_COUNT] = {
#define X(id, msg) msg,
    WF_TRAPS(X)
#undef X
};

const char *wf_trap_message(wf_trapcode_t code) {
  if ((unsigned)code >= WF_TRAP_COUNT) return "unknown trap";
  return trap_messages[code];
}

_Thread_local wf_fault_ctx_t *wf_fault_current;

/* Written once under pthread_once, before any handler can run; read-only
 * after that. Not per-engine state: the handler itself is process-wide by
 * nature and only acts on faults inside the current thread's own store. */
static struct sigaction prev_segv, prev_bus;
static pthread_once_t signals_once = PTHREAD_ONCE_INIT;
static pthread_key_t altstack_key;
static int altstack_key_ok;
static _Thread_local int thread_ready;
static _Thread_local void *thread_altstack_mem;   /* also keeps it visibly reachable */

static int addr_in_store(wf_store_t *s, uintptr_t a) {
  for (wf_meminst_t *m = wf_store_memories(s); m; m = m->next) {
    uintptr_t b = (uintptr_t)m->base;
    if (a >= b && a - b < m->reserved) return 1;
  }
  return 0;
}

static void fault_handler(int sig, siginfo_t *info, void *uctx) {
  wf_fault_ctx_t *ctx = wf_fault_current;
  /* Only real faults (si_code > 0), not a signal sent with kill/raise. */
  if (ctx && info && info->si_code > 0 && addr_in_store(ctx->store, (uintptr_t)info->si_addr)) {
    siglongjmp(ctx->jmp, 1);
  }
  const struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
  if (prev->sa_flags & SA_SIGINFO) {
    if (prev->sa_sigaction) {
      prev->sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
    return;
  }
  /* No previous handler: restore the default action. Returning re-runs the
   * faulting instruction, which now kills the process as it would have; a
   * signal sent by kill/raise is re-raised explicitly. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  if (!info || info->si_code <= 0) raise(sig);
}

static void altstack_free(void *p) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  free(p);
}

static void install_handlers(void) {
  altstack_key_ok = pthread_key_create(&altstack_key, altstack_free) == 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fault_handler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &prev_segv);
  sigaction(SIGBUS, &sa, &prev_bus);
}

/* Give the calling thread an alternate signal stack (unless it already has
 * one), so that a fault at the very end of the C stack can still be handled. */
static void thread_altstack(void) {
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) return;
  size_t size = 64 * 1024;
  if (size < (size_t)SIGSTKSZ) size = (size_t)SIGSTKSZ;
  void *mem = malloc(size);
  if (!mem) return;
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_sp = mem;
  ss.ss_size = size;
  if (sigaltstack(&ss, NULL) != 0) {
    free(mem);
    return;
  }
  thread_altstack_mem = mem;
  if (altstack_key_ok) pthread_setspecific(altstack_key, mem);
}

void wf_signals_init(void) {
  if (thread_ready) return;
  pthread_once(&signals_once, install_handlers);
  thread_altstack();
  thread_ready = 1;
}
