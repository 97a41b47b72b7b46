/* Public API: engines, the version string, and core modules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *weft_version(void) { return "0.1.0"; }
size_t weft_val_size(void) { return sizeof(weft_val_t); }
size_t weft_error_size(void) { return sizeof(weft_error_t); }

const char *weft_valkind_name(weft_valkind_t kind) {
  switch (kind) {
    case WEFT_I32: return "i32";
    case WEFT_I64: return "i64";
    case WEFT_F32: return "f32";
    case WEFT_F64: return "f64";
    case WEFT_FUNCREF: return "funcref";
    case WEFT_EXTERNREF: return "externref";
  }
  return "?";
}

/* At most this many idle memory reservations are kept for reuse (8 GiB of
 * address space each, nothing committed). */
#define WF_ENGINE_POOLED_MEMORIES 64u

weft_engine_t *weft_engine_new(void) {
  weft_engine_t *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->pool = wf_mempool_new(WF_ENGINE_POOLED_MEMORIES);
  if (!e->pool) {
    free(e);
    return NULL;
  }
  return e;
}

void weft_engine_free(weft_engine_t *engine) {
  if (!engine) return;
  wf_mempool_unref(engine->pool);   /* stores still using it hold their own reference */
  free(engine);
}

weft_status_t weft_module_new(weft_engine_t *engine, const uint8_t *bytes, size_t len,
                              weft_module_t **out, weft_error_t *err) {
  (void)engine;
  *out = NULL;
  if (!bytes && len) {
    wf_api_err(err, WEFT_ERR_ARG, "no module bytes");
    return WEFT_ERR_ARG;
  }
  weft_module_t *mod = calloc(1, sizeof *mod);
  if (!mod) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  static const uint8_t empty[1] = {0};
  wf_error_t e;
  wf_error_clear(&e);
  mod->m = wf_module_decode(bytes ? bytes : empty, len, &e);
  if (!mod->m) {
    free(mod);
    wf_api_err(err, WEFT_ERR_INVALID, "%s", e.failed ? e.msg : "invalid module");
    if (err) err->offset = e.failed && e.has_offset ? (int64_t)e.offset : -1;
    return WEFT_ERR_INVALID;
  }
  atomic_init(&mod->refs, 1);
  *out = mod;
  wf_api_ok(err);
  return WEFT_OK;
}

weft_status_t weft_module_from_file(weft_engine_t *engine, const char *path, weft_module_t **out,
                                    weft_error_t *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    wf_api_err(err, WEFT_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    return WEFT_ERR_IO;
  }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    if (len == cap) {
      uint8_t *n = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!n) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = n;
      cap *= 2;
    }
    size_t r = fread(buf + len, 1, cap - len, f);
    len += r;
    if (r == 0) break;
  }
  int bad = ferror(f);
  int saved = errno;
  fclose(f);
  if (!buf) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory reading %s", path);
    return WEFT_ERR_NOMEM;
  }
  if (bad) {
    free(buf);
    wf_api_err(err, WEFT_ERR_IO, "cannot read %s: %s", path, strerror(saved));
    return WEFT_ERR_IO;
  }
  weft_status_t st = weft_module_new(engine, buf, len, out, err);
  free(buf);
  return st;
}

void wf_api_module_ref(weft_module_t *m) { atomic_fetch_add(&m->refs, 1); }

void weft_module_free(weft_module_t *module) {
  if (!module) return;
  if (atomic_fetch_sub(&module->refs, 1) == 1) {
    wf_module_free(module->m);
    free(module);
  }
}

size_t weft_module_import_count(const weft_module_t *module) { return module->m->nimports; }

void weft_module_import(const weft_module_t *module, size_t i, const char **mod, size_t *mod_len,
                        const char **name, size_t *name_len, weft_extern_kind_t *kind) {
  const wf_module_t *m = module->m;
  if (i >= m->nimports) {
    if (mod) *mod = "";
    if (mod_len) *mod_len = 0;
    if (name) *name = "";
    if (name_len) *name_len = 0;
    if (kind) *kind = WEFT_EXTERN_FUNC;
    return;
  }
  const wf_import_t *im = &m->imports[i];
  if (mod) *mod = im->module;
  if (mod_len) *mod_len = im->module_len;
  if (name) *name = im->name;
  if (name_len) *name_len = im->name_len;
  if (kind) *kind = (weft_extern_kind_t)im->kind;
}

size_t weft_module_export_count(const weft_module_t *module) { return module->m->nexports; }

void weft_module_export(const weft_module_t *module, size_t i, const char **name,
                        size_t *name_len, weft_extern_kind_t *kind) {
  const wf_module_t *m = module->m;
  if (i >= m->nexports) {
    if (name) *name = "";
    if (name_len) *name_len = 0;
    if (kind) *kind = WEFT_EXTERN_FUNC;
    return;
  }
  const wf_export_t *e = &m->exports[i];
  if (name) *name = e->name;
  if (name_len) *name_len = e->name_len;
  if (kind) *kind = (weft_extern_kind_t)e->kind;
}
