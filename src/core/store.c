/* The store: owns every runtime object made in it (functions, tables,
 * memories, globals, instances), the interned function types and the
 * interpreter state. Freed all at once by wf_store_free. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "runtime.h"

typedef struct {
  void *obj;
  void (*free_fn)(void *);
} owned_t;

struct wf_store {
  wf_exec_t *exec;             /* created lazily by wf_store_exec */
  atomic_uint interrupt;       /* wf_store_interrupt: nonzero = stop */
  atomic_int irq_fd;           /* eventfd written by wf_store_interrupt; -1 until a
                                  host wait first asks for it (wf_store_interrupt_fd) */
  wf_meminst_t *mems;          /* list of memories (fault handler reads it) */
  wf_mempool_t *pool;          /* where memories come from and go back to, or NULL */
  uint32_t uses;               /* times made by wf_store_new_pooled (recycled stores) */
  owned_t *owned;              /* adopted objects */
  size_t nowned, capowned;
  /* Interned function types: id = index in types[]. An open-addressing hash
   * table of (id + 1), 0 = empty, with a power-of-two capacity. */
  wf_functype_t *types;
  uint32_t ntypes, captypes;
  uint32_t *hash;
  uint32_t caphash;
};

/* The flag store and the fd load are sequentially consistent, as are the
 * fd store and the flag load in wf_store_interrupt_fd's callers (they
 * re-check the flag after getting the fd): so either the interrupter sees
 * the fd and wakes it, or the waiter sees the flag before it waits. */
void wf_store_interrupt(wf_store_t *s) {
  atomic_store(&s->interrupt, 1u);
  int fd = atomic_load(&s->irq_fd);
  if (fd >= 0) {
    uint64_t one = 1;
    ssize_t r = write(fd, &one, sizeof one);   /* async-signal-safe; EAGAIN: already signalled */
    (void)r;
  }
}

void wf_store_interrupt_clear(wf_store_t *s) {
  atomic_store(&s->interrupt, 0u);
  int fd = atomic_load(&s->irq_fd);
  if (fd >= 0) {
    uint64_t v;
    ssize_t r = read(fd, &v, sizeof v);        /* drain (non-blocking) */
    (void)r;
  }
}

atomic_uint *wf_store_interrupt_flag(wf_store_t *s) { return &s->interrupt; }

bool wf_store_interrupted(wf_store_t *s) { return atomic_load(&s->interrupt) != 0; }

int wf_store_interrupt_fd(wf_store_t *s) {
  int fd = atomic_load(&s->irq_fd);
  if (fd >= 0) return fd;
  fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return -1;
  atomic_store(&s->irq_fd, fd);   /* only the thread using the store makes it */
  return fd;
}

static wf_store_t *store_alloc(void) {
  wf_store_t *s = calloc(1, sizeof *s);
  if (s) atomic_init(&s->irq_fd, -1);
  return s;
}

wf_store_t *wf_store_new(void) { return wf_store_new_pooled(NULL); }

wf_store_t *wf_store_new_pooled(wf_mempool_t *p) {
  wf_signals_init();
  wf_store_t *s = p ? wf_mempool_take_store(p) : NULL;
  if (!s) s = store_alloc();
  if (s && p) {
    wf_mempool_ref(p);
    s->pool = p;
    s->uses++;
  }
  return s;
}

wf_mempool_t *wf_store_mempool(wf_store_t *s) { return s ? s->pool : NULL; }

/* Free every object the store owns and its memories (given back to its
 * pool if it has one); the interpreter state and interned types stay. */
static void store_empty(wf_store_t *s) {
  for (size_t i = s->nowned; i-- > 0;) s->owned[i].free_fn(s->owned[i].obj);
  s->nowned = 0;
  for (wf_meminst_t *m = s->mems, *next; m; m = next) {
    next = m->next;
    if (s->pool) wf_mempool_release(s->pool, m);
    else wf_memory_free(m);
  }
  s->mems = NULL;
}

void wf_store_discard(wf_store_t *s) {
  if (!s) return;
  if (s->exec) wf_exec_free(s->exec);
  s->exec = NULL;
  store_empty(s);
  free(s->owned);
  for (uint32_t i = 0; i < s->ntypes; i++) {
    free(s->types[i].params);
    free(s->types[i].results);
  }
  free(s->types);
  free(s->hash);
  int fd = atomic_load(&s->irq_fd);
  if (fd >= 0) close(fd);
  free(s);
}

void wf_store_free(wf_store_t *s) {
  if (!s) return;
  wf_mempool_t *p = s->pool;
  if (!p) {
    wf_store_discard(s);
    return;
  }
  /* A pooled store goes back to its pool, emptied, for the next instance:
   * its interpreter stacks are kept (no mmap/munmap per instance). */
  store_empty(s);
  s->pool = NULL;
  wf_store_interrupt_clear(s);
  if (s->uses >= WF_STORE_MAX_USES || !wf_mempool_give_store(p, s)) wf_store_discard(s);
  wf_mempool_unref(p);   /* may free p and the idle stores it holds, s among them */
}

wf_exec_t *wf_store_exec(wf_store_t *s) {
  wf_signals_init();           /* also gives this thread its signal stack */
  if (!s->exec) s->exec = wf_exec_new(s);
  return s->exec;
}

wf_meminst_t *wf_store_memories(wf_store_t *s) { return s ? s->mems : NULL; }

void wf_store_add_memory(wf_store_t *s, wf_meminst_t *m) {
  m->next = s->mems;
  s->mems = m;
}

int wf_store_adopt(wf_store_t *s, void *obj, void (*free_fn)(void *)) {
  if (s->nowned == s->capowned) {
    size_t cap = s->capowned ? s->capowned * 2 : 32;
    owned_t *n = realloc(s->owned, cap * sizeof *n);
    if (!n) return 0;
    s->owned = n;
    s->capowned = cap;
  }
  s->owned[s->nowned].obj = obj;
  s->owned[s->nowned].free_fn = free_fn;
  s->nowned++;
  return 1;
}

/* ---- type interning ---- */

static uint32_t type_hash(const wf_functype_t *t) {
  uint32_t h = 2166136261u;
  h = (h ^ t->nparams) * 16777619u;
  for (uint32_t i = 0; i < t->nparams; i++) h = (h ^ t->params[i]) * 16777619u;
  h = (h ^ 0xFFu) * 16777619u;
  h = (h ^ t->nresults) * 16777619u;
  for (uint32_t i = 0; i < t->nresults; i++) h = (h ^ t->results[i]) * 16777619u;
  return h;
}

static int type_equal(const wf_functype_t *a, const wf_functype_t *b) {
  return a->nparams == b->nparams && a->nresults == b->nresults &&
         (a->nparams == 0 || !memcmp(a->params, b->params, a->nparams)) &&
         (a->nresults == 0 || !memcmp(a->results, b->results, a->nresults));
}

static int rehash(wf_store_t *s, uint32_t cap) {
  uint32_t *h = calloc(cap, sizeof *h);
  if (!h) return 0;
  for (uint32_t id = 0; id < s->ntypes; id++) {
    uint32_t i = type_hash(&s->types[id]) & (cap - 1);
    while (h[i]) i = (i + 1) & (cap - 1);
    h[i] = id + 1;
  }
  free(s->hash);
  s->hash = h;
  s->caphash = cap;
  return 1;
}

static uint8_t *dup_bytes(const uint8_t *p, uint32_t n) {
  uint8_t *d = malloc(n ? n : 1);
  if (d && n) memcpy(d, p, n);
  return d;
}

/* Returns the id of t in the store, adding it if new. On OOM returns
 * UINT32_MAX (never equal to a real id, so calls through it fail safely). */
uint32_t wf_store_intern_type(wf_store_t *s, const wf_functype_t *t) {
  uint32_t hv = type_hash(t);
  if (s->caphash) {
    for (uint32_t i = hv & (s->caphash - 1); s->hash[i]; i = (i + 1) & (s->caphash - 1)) {
      uint32_t id = s->hash[i] - 1;
      if (type_equal(&s->types[id], t)) return id;
    }
  }
  if (s->ntypes >= UINT32_MAX / 4) return UINT32_MAX;
  /* Keep the load factor at most 1/2. */
  if ((uint64_t)(s->ntypes + 1) * 2 > s->caphash) {
    if (!rehash(s, s->caphash ? s->caphash * 2 : 64)) return UINT32_MAX;
  }
  if (s->ntypes == s->captypes) {
    uint32_t cap = s->captypes ? s->captypes * 2 : 32;
    wf_functype_t *n = realloc(s->types, (size_t)cap * sizeof *n);
    if (!n) return UINT32_MAX;
    s->types = n;
    s->captypes = cap;
  }
  wf_functype_t c = {t->nparams, t->nresults, dup_bytes(t->params, t->nparams),
                     dup_bytes(t->results, t->nresults)};
  if (!c.params || !c.results) {
    free(c.params);
    free(c.results);
    return UINT32_MAX;
  }
  uint32_t id = s->ntypes++;
  s->types[id] = c;
  uint32_t i = hv & (s->caphash - 1);
  while (s->hash[i]) i = (i + 1) & (s->caphash - 1);
  s->hash[i] = id + 1;
  return id;
}

/* ---- host functions and globals ---- */

static void free_funcinst(void *p) {
  wf_funcinst_t *f = p;
  if (f->host_env_free) f->host_env_free(f->host_env);
  free(f->host_type.params);
  free(f->host_type.results);
  free(f);
}

/* A host function of type *type; own_type: the type's arrays are
 * f->host_type's (freed with f), else borrowed from the caller. */
static wf_funcinst_t *host_func(wf_store_t *s, wf_funcinst_t *f, const wf_functype_t *type, wf_host_fn_t fn,
                                void *env, void (*env_free)(void *)) {
  f->type = type;
  f->type_id = wf_store_intern_type(s, type);
  if (f->type_id == UINT32_MAX) goto fail;
  f->host = fn;
  f->host_env = env;
  if (!wf_store_adopt(s, f, free_funcinst)) goto fail;
  f->host_env_free = env_free;   /* owned from here on */
  return f;
fail:
  free(f->host_type.params);
  free(f->host_type.results);
  free(f);
  return NULL;
}

wf_funcinst_t *wf_host_func_new(wf_store_t *s, const uint8_t *params, uint32_t np,
                                const uint8_t *results, uint32_t nr,
                                wf_host_fn_t fn, void *env, void (*env_free)(void *)) {
  if (!fn || np > WF_MAX_PARAMS || nr > WF_MAX_RESULTS) return NULL;
  wf_funcinst_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->host_type.nparams = np;
  f->host_type.nresults = nr;
  f->host_type.params = dup_bytes(params, np);
  f->host_type.results = dup_bytes(results, nr);
  if (!f->host_type.params || !f->host_type.results) {
    free(f->host_type.params);
    free(f->host_type.results);
    free(f);
    return NULL;
  }
  return host_func(s, f, &f->host_type, fn, env, env_free);
}

wf_funcinst_t *wf_host_func_new_typed(wf_store_t *s, const wf_functype_t *type, wf_host_fn_t fn, void *env,
                                      void (*env_free)(void *)) {
  if (!fn || type->nparams > WF_MAX_PARAMS || type->nresults > WF_MAX_RESULTS) return NULL;
  wf_funcinst_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  return host_func(s, f, type, fn, env, env_free);
}

wf_globalinst_t *wf_global_new(wf_store_t *s, const wf_globaltype_t *t, uint64_t val) {
  wf_globalinst_t *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->type = *t;
  g->val = val;
  if (!wf_store_adopt(s, g, free)) {
    free(g);
    return NULL;
  }
  return g;
}

wf_taginst_t *wf_tag_new(wf_store_t *s, const wf_functype_t *type) {
  uint32_t id = wf_store_intern_type(s, type);
  if (id == UINT32_MAX) return NULL;
  wf_taginst_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->type = type;
  t->type_id = id;
  if (!wf_store_adopt(s, t, free)) {
    free(t);
    return NULL;
  }
  return t;
}
