/* WASI: the config object, per-instance state (wf_wasi_ctx_t), the shared
 * helpers of host functions, weft_linker_add_wasi and weft_wasi_run. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi.h"
#include "../api/internal.h"
#include "../util/grow.h"

extern char **environ;

const char wf_wasi_state_key = 0;

typedef struct {
  char *host, *guest;
  int perms;
} cfg_dir_t;

struct weft_wasi_config {
  char **args;
  size_t nargs, cargs;
  char **env;               /* "NAME=VALUE" */
  size_t nenv, cenv;
  bool inherit_env;
  char *cwd;
  cfg_dir_t *dirs;
  size_t ndirs, cdirs;
  int stdio[3];
  bool net, lookup, http;
  wf_wasi_link_t *links;
};

/* ---- refcounted objects ---- */
void wf_wasi_obj_init(wf_wasi_obj_t *o, void (*destroy)(wf_wasi_obj_t *)) {
  o->refs = 1;
  o->destroy = destroy;
}

void *wf_wasi_ref(void *obj) {
  if (obj) ((wf_wasi_obj_t *)obj)->refs++;
  return obj;
}

void wf_wasi_unref(void *obj) {
  wf_wasi_obj_t *o = obj;
  if (!o) return;
  if (--o->refs == 0) o->destroy(o);
}

/* ---- config ---- */
weft_wasi_config_t *weft_wasi_config_new(void) {
  weft_wasi_config_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
  return c;
}

void weft_wasi_config_free(weft_wasi_config_t *c) {
  if (!c) return;
  for (size_t i = 0; i < c->nargs; i++) free(c->args[i]);
  for (size_t i = 0; i < c->nenv; i++) free(c->env[i]);
  for (size_t i = 0; i < c->ndirs; i++) {
    free(c->dirs[i].host);
    free(c->dirs[i].guest);
  }
  free(c->args);
  free(c->env);
  free(c->dirs);
  free(c->cwd);
  for (wf_wasi_link_t *k = c->links, *next; k; k = next) {
    next = k->next;
    for (size_t i = 0; i < sizeof k->ext / sizeof k->ext[0]; i++)
      if (k->ext[i] && k->ext_free[i]) k->ext_free[i](k->ext[i]);
    free(k);
  }
  free(c);
}

weft_status_t weft_wasi_config_arg(weft_wasi_config_t *c, const char *arg) {
  if (!c || !arg) return WEFT_ERR_ARG;
  if (!wf_grow((void **)&c->args, &c->cargs, c->nargs, sizeof *c->args)) return WEFT_ERR_NOMEM;
  char *s = strdup(arg);
  if (!s) return WEFT_ERR_NOMEM;
  c->args[c->nargs++] = s;
  return WEFT_OK;
}

/* Index of NAME in a "NAME=VALUE" list, or -1. */
static long env_find(char **env, size_t n, const char *name, size_t nlen) {
  for (size_t i = 0; i < n; i++)
    if (!strncmp(env[i], name, nlen) && env[i][nlen] == '=') return (long)i;
  return -1;
}

weft_status_t weft_wasi_config_env(weft_wasi_config_t *c, const char *name, const char *value) {
  if (!c || !name || !value || !*name || strchr(name, '=')) return WEFT_ERR_ARG;
  size_t nl = strlen(name), vl = strlen(value);
  char *s = malloc(nl + vl + 2);
  if (!s) return WEFT_ERR_NOMEM;
  memcpy(s, name, nl);
  s[nl] = '=';
  memcpy(s + nl + 1, value, vl + 1);
  long i = env_find(c->env, c->nenv, name, nl);
  if (i >= 0) {
    free(c->env[i]);
    c->env[i] = s;
    return WEFT_OK;
  }
  if (!wf_grow((void **)&c->env, &c->cenv, c->nenv, sizeof *c->env)) {
    free(s);
    return WEFT_ERR_NOMEM;
  }
  c->env[c->nenv++] = s;
  return WEFT_OK;
}

void weft_wasi_config_inherit_env(weft_wasi_config_t *c, int on) {
  if (c) c->inherit_env = on != 0;
}

weft_status_t weft_wasi_config_cwd(weft_wasi_config_t *c, const char *guest_path) {
  if (!c) return WEFT_ERR_ARG;
  char *s = guest_path ? strdup(guest_path) : NULL;
  if (guest_path && !s) return WEFT_ERR_NOMEM;
  free(c->cwd);
  c->cwd = s;
  return WEFT_OK;
}

weft_status_t weft_wasi_config_preopen(weft_wasi_config_t *c, const char *host_path, const char *guest_path,
                                       int perms, weft_error_t *err) {
  if (!c || !host_path || !guest_path || !*guest_path)
    return wf_api_fail(err, WEFT_ERR_ARG, "preopen: a host path and a non-empty guest path are required");
  struct stat st;
  if (stat(host_path, &st) != 0)
    return wf_api_fail(err, WEFT_ERR_IO, "preopen '%s': %s", host_path, strerror(errno));
  if (!S_ISDIR(st.st_mode)) return wf_api_fail(err, WEFT_ERR_IO, "preopen '%s': not a directory", host_path);
  if (!wf_grow((void **)&c->dirs, &c->cdirs, c->ndirs, sizeof *c->dirs))
    return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
  cfg_dir_t d = {strdup(host_path), strdup(guest_path), perms & (WEFT_WASI_DIR_READ | WEFT_WASI_DIR_WRITE)};
  if (!d.host || !d.guest) {
    free(d.host);
    free(d.guest);
    return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
  }
  c->dirs[c->ndirs++] = d;
  return WEFT_OK;
}

void weft_wasi_config_stdio(weft_wasi_config_t *c, int in_fd, int out_fd, int err_fd) {
  if (!c) return;
  c->stdio[0] = in_fd;
  c->stdio[1] = out_fd;
  c->stdio[2] = err_fd;
}

void weft_wasi_config_inherit_stdio(weft_wasi_config_t *c) { weft_wasi_config_stdio(c, 0, 1, 2); }

void weft_wasi_config_network(weft_wasi_config_t *c, int allow_network, int allow_name_lookup) {
  if (!c) return;
  c->net = allow_network != 0;
  c->lookup = allow_name_lookup != 0;
}

void weft_wasi_config_http(weft_wasi_config_t *c, int on) {
  if (c) c->http = on != 0;
}

/* ---- per-instance state ---- */
static void ctx_free(void *state) {
  wf_wasi_ctx_t *x = state;
  if (!x) return;
  for (size_t i = 0; i < x->nargs; i++) free(x->args[i]);
  for (size_t i = 0; i < x->nenv; i++) free(x->env[i]);
  for (size_t i = 0; i < x->npreopens; i++) {
    if (x->preopens[i].fd >= 0) close(x->preopens[i].fd);
    free(x->preopens[i].guest);
  }
  for (int i = 0; i < 3; i++)
    if (x->stdio[i] >= 0) close(x->stdio[i]);
  free(x->args);
  free(x->env);
  free(x->preopens);
  free(x->cwd);
  free(x);
}

static char *dup_or_fail(const char *s, bool *ok) {
  char *d = strdup(s);
  if (!d) *ok = false;
  return d;
}

static void *ctx_new(void *env, weft_cinstance_t *inst) {
  (void)inst;
  const wf_wasi_link_t *k = env;
  const weft_wasi_config_t *c = k->cfg;
  wf_wasi_ctx_t *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->link = k;
  x->stdio[0] = x->stdio[1] = x->stdio[2] = -1;
  bool ok = true;
  x->args = calloc(c->nargs + 1, sizeof *x->args);
  ok = x->args != NULL;
  for (size_t i = 0; ok && i < c->nargs; i++) x->args[x->nargs++] = dup_or_fail(c->args[i], &ok);
  /* inherited environment first, explicit entries override it */
  size_t nhost = 0;
  if (c->inherit_env)
    while (environ && environ[nhost]) nhost++;
  x->env = ok ? calloc(nhost + c->nenv + 1, sizeof *x->env) : NULL;
  ok = ok && x->env;
  for (size_t i = 0; ok && i < nhost; i++) {
    const char *eq = strchr(environ[i], '=');
    if (!eq || eq == environ[i]) continue;
    if (env_find(c->env, c->nenv, environ[i], (size_t)(eq - environ[i])) >= 0) continue;
    x->env[x->nenv++] = dup_or_fail(environ[i], &ok);
  }
  for (size_t i = 0; ok && i < c->nenv; i++) x->env[x->nenv++] = dup_or_fail(c->env[i], &ok);
  if (ok && c->cwd) x->cwd = dup_or_fail(c->cwd, &ok);
  x->preopens = ok ? calloc(c->ndirs + 1, sizeof *x->preopens) : NULL;
  ok = ok && x->preopens;
  for (size_t i = 0; ok && i < c->ndirs; i++) {
    int fd = open(c->dirs[i].host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      ok = false;
      break;
    }
    wf_wasi_preopen_t *p = &x->preopens[x->npreopens++];
    p->fd = fd;
    p->perms = c->dirs[i].perms;
    p->guest = dup_or_fail(c->dirs[i].guest, &ok);
  }
  for (int i = 0; ok && i < 3; i++) {
    if (c->stdio[i] < 0) continue;
    x->stdio[i] = fcntl(c->stdio[i], F_DUPFD_CLOEXEC, 3);
    if (x->stdio[i] < 0) ok = false;
  }
  x->allow_network = c->net;
  x->allow_name_lookup = c->lookup;
  x->http = c->http;
  /* insecure generator: seeded once per instance from the OS */
  if (ok) {
    /* getrandom(2): no file descriptor to open per instance */
    if (getrandom(x->insecure, sizeof x->insecure, GRND_NONBLOCK) != (ssize_t)sizeof x->insecure)
      x->insecure[0] = wf_wasi_monotonic_ns() | 1;
    if (!x->insecure[0] && !x->insecure[1]) x->insecure[0] = 1;
  }
  if (!ok) {
    ctx_free(x);
    return NULL;
  }
  return x;
}

wf_wasi_ctx_t *wf_wasi_ctx(weft_call_t *call) {
  wf_wasi_ctx_t *x = weft_call_state(call, WF_WASI_STATE_KEY);
  if (!x) weft_call_trap(call, "WASI host function called from an instance without WASI state");
  return x;
}

/* ---- helpers for host functions ---- */
weft_status_t wf_wasi_def(weft_linker_t *l, const char *iface, const char *name, weft_host_fn fn, void *env,
                          weft_error_t *err) {
  return weft_linker_define_func(l, iface, name, fn, env, err);
}

weft_val_t wf_wasi_own(const wf_wasi_link_t *k, wf_wasi_rt_t t, void *obj) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WEFT_VAL_OWN;
  v.of.res.type = k->rt[t];
  v.of.res.rep = (uint64_t)(uintptr_t)obj;
  return v;
}

void *wf_wasi_arg(weft_call_t *call, const wf_wasi_link_t *k, wf_wasi_rt_t t, const weft_val_t *v) {
  if ((v->kind != WEFT_VAL_BORROW && v->kind != WEFT_VAL_OWN) || v->of.res.type != k->rt[t] || !v->of.res.rep) {
    weft_call_trap(call, "WASI: argument is not a handle of the expected resource type");
    return NULL;
  }
  return (void *)(uintptr_t)v->of.res.rep;
}

weft_val_t *wf_wasi_new_vals(weft_call_t *call, size_t n) {
  weft_val_t *v = weft_arena_alloc(weft_call_arena(call), (n ? n : 1) * sizeof *v);
  if (!v) weft_call_trap(call, "WASI: out of memory");
  return v;
}

int wf_wasi_ok(weft_call_t *call, weft_val_t *out, const weft_val_t *payload) {
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_RESULT;
  out->of.var.index = 0;
  if (payload) {
    weft_val_t *p = wf_wasi_new_vals(call, 1);
    if (!p) return 1;
    *p = *payload;
    out->of.var.payload = p;
  }
  return 0;
}

int wf_wasi_err_enum(weft_call_t *call, weft_val_t *out, uint32_t code) {
  weft_val_t *p = wf_wasi_new_vals(call, 1);
  if (!p) return 1;
  p->kind = WEFT_VAL_ENUM;
  p->of.var.index = code;
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_RESULT;
  out->of.var.index = 1;
  out->of.var.payload = p;
  return 0;
}

int wf_wasi_stream_err(weft_call_t *call, const wf_wasi_link_t *k, weft_val_t *out, int rc, wf_wasi_ioerr_t *e) {
  weft_val_t *p = wf_wasi_new_vals(call, 2);
  if (!p) {
    wf_wasi_unref(e);
    return 1;
  }
  p[0].kind = WEFT_VAL_VARIANT;
  if (rc == WF_WASI_FAILED && e) {
    p[0].of.var.index = 0;   /* last-operation-failed(error) */
    p[1] = wf_wasi_own(k, WF_WASI_RT_ERROR, e);
    p[0].of.var.payload = &p[1];
  } else {
    wf_wasi_unref(e);
    p[0].of.var.index = 1;   /* closed */
  }
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_RESULT;
  out->of.var.index = 1;
  out->of.var.payload = p;
  return 0;
}

weft_val_t wf_wasi_u64(uint64_t v) {
  weft_val_t r;
  memset(&r, 0, sizeof r);
  r.kind = WEFT_VAL_U64;
  r.of.u = v;
  return r;
}

weft_val_t wf_wasi_bool(bool b) {
  weft_val_t r;
  memset(&r, 0, sizeof r);
  r.kind = WEFT_VAL_BOOL;
  r.of.b = b;
  return r;
}

weft_val_t wf_wasi_str(weft_call_t *call, const char *s, size_t len) {
  weft_val_t r;
  memset(&r, 0, sizeof r);
  r.kind = WEFT_VAL_STRING;
  char *p = weft_arena_alloc(weft_call_arena(call), len + 1);
  if (p) {
    memcpy(p, s, len);
    r.of.str.ptr = p;
    r.of.str.len = len;
  } else {
    r.of.str.ptr = "";
  }
  return r;
}

int wf_wasi_byte_list(weft_call_t *call, const uint8_t *p, size_t n, weft_val_t *out) {
  weft_val_t *v = wf_wasi_new_vals(call, n);
  if (!v) return 1;
  for (size_t i = 0; i < n; i++) {
    v[i].kind = WEFT_VAL_U8;
    v[i].of.u = p[i];
  }
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_LIST;
  out->of.seq.v = v;
  out->of.seq.n = n;
  return 0;
}

uint8_t *wf_wasi_list_bytes(weft_call_t *call, const weft_val_t *list, size_t *n) {
  if (list->kind != WEFT_VAL_LIST) {
    weft_call_trap(call, "WASI: expected a list<u8> argument");
    return NULL;
  }
  size_t len = list->of.seq.n;
  uint8_t *b = weft_arena_alloc(weft_call_arena(call), len ? len : 1);
  if (!b) {
    weft_call_trap(call, "WASI: out of memory for a %zu-byte list", len);
    return NULL;
  }
  for (size_t i = 0; i < len; i++) b[i] = (uint8_t)list->of.seq.v[i].of.u;
  *n = len;
  return b;
}

/* ---- linker ---- */
static void wasi_dtor(void *env, uint64_t rep) {
  (void)env;
  wf_wasi_unref((void *)(uintptr_t)rep);
}

static const struct {
  const char *iface, *name;
} rt_names[WF_WASI_RT_COUNT] = {
    [WF_WASI_RT_ERROR] = {WF_WASI_IFACE("io/error"), "error"},
    [WF_WASI_RT_POLLABLE] = {WF_WASI_IFACE("io/poll"), "pollable"},
    [WF_WASI_RT_INPUT_STREAM] = {WF_WASI_IFACE("io/streams"), "input-stream"},
    [WF_WASI_RT_OUTPUT_STREAM] = {WF_WASI_IFACE("io/streams"), "output-stream"},
    [WF_WASI_RT_DESCRIPTOR] = {WF_WASI_IFACE("filesystem/types"), "descriptor"},
    [WF_WASI_RT_DIR_STREAM] = {WF_WASI_IFACE("filesystem/types"), "directory-entry-stream"},
    [WF_WASI_RT_TERMINAL_INPUT] = {WF_WASI_IFACE("cli/terminal-input"), "terminal-input"},
    [WF_WASI_RT_TERMINAL_OUTPUT] = {WF_WASI_IFACE("cli/terminal-output"), "terminal-output"},
};

weft_status_t weft_linker_add_wasi(weft_linker_t *l, weft_wasi_config_t *c, weft_error_t *err) {
  if (!l || !c) return wf_api_fail(err, WEFT_ERR_ARG, "weft_linker_add_wasi: linker and config are required");
  wf_wasi_link_t *k = calloc(1, sizeof *k);
  if (!k) return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
  k->cfg = c;
  k->next = c->links;
  c->links = k;
  weft_status_t st = WEFT_OK;
  for (int i = 0; st == WEFT_OK && i < WF_WASI_RT_COUNT; i++)
    st = weft_linker_define_resource(l, rt_names[i].iface, rt_names[i].name, wasi_dtor, NULL, &k->rt[i], err);
  if (st == WEFT_OK) st = wf_wasi_add_io_error(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_io_poll(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_io_streams(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_cli(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_clocks(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_random(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_fs(l, k, err);
  if (st == WEFT_OK) st = wf_wasi_add_sockets(l, k, err);
  if (st == WEFT_OK && c->http) st = wf_wasi_add_http(l, k, err);
  if (st == WEFT_OK) st = weft_linker_define_state(l, WF_WASI_STATE_KEY, ctx_new, ctx_free, k, err);
  return st;
}

int weft_wasi_exit_code(weft_cinstance_t *inst, int *code) {
  wf_wasi_ctx_t *x = inst ? weft_cinstance_state(inst, WF_WASI_STATE_KEY) : NULL;
  if (!x || !x->exited) return 0;
  if (code) *code = x->exit_code;
  return 1;
}

weft_status_t weft_wasi_run(weft_cinstance_t *inst, int *exit_code, weft_error_t *err) {
  weft_cfunc_t *f = NULL;
  /* the export's version is the guest's: ask for each 0.2.x (newest first) */
  for (int minor = 20; inst && !f && minor >= 0; minor--) {
    char name[40];
    snprintf(name, sizeof name, "wasi:cli/run@0.2.%d", minor);
    f = weft_cinstance_func(inst, name, "run");
  }
  if (!f) return wf_api_fail(err, WEFT_ERR_LINK, "the component does not export wasi:cli/run (not a command)");
  if (weft_cfunc_param_count(f) != 0 || weft_cfunc_result_count(f) != 1)
    return wf_api_fail(err, WEFT_ERR_LINK, "wasi:cli/run#run has an unexpected type");
  weft_arena_t *a = weft_arena_new();
  if (!a) return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
  weft_val_t res;
  memset(&res, 0, sizeof res);
  weft_error_t local;
  weft_error_t *e = err ? err : &local;
  weft_status_t st = weft_cfunc_call(f, NULL, 0, &res, 1, a, e);
  int code = 0;
  if (weft_wasi_exit_code(inst, &code)) {
    st = WEFT_OK;
    memset(e, 0, sizeof *e);
  } else if (st == WEFT_OK) {
    code = (res.kind == WEFT_VAL_RESULT && res.of.var.index == 0) ? 0 : 1;
  }
  weft_arena_free(a);
  if (st == WEFT_OK && exit_code) *exit_code = code;
  return st;
}
