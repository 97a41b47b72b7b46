/* Tooling behind `weft wit` and `weft bundle pack` (include/weft_hosts.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host.h"

static weft_status_t fail_from(weft_error_t *err, weft_status_t st, const wf_error_t *e) {
  if (err) {
    memset(err, 0, sizeof *err);
    err->status = st;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, "%s", e->msg);
  }
  return st;
}

/* Is the file a wasm binary (component or module)? */
static bool is_wasm(const char *path, uint8_t head[8], size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  *n = fread(head, 1, 8, f);
  fclose(f);
  return *n >= 4 && head[0] == 0 && head[1] == 'a' && head[2] == 's' && head[3] == 'm';
}

WEFT_API weft_status_t weft_wit_text(const char *path, char **out, weft_error_t *err) {
  *out = NULL;
  wf_error_t e = {0};
  struct stat st;
  if (stat(path, &st) != 0) {
    wf_error_set(&e, "%s: %s", path, strerror(errno));
    return fail_from(err, WEFT_ERR_IO, &e);
  }
  uint8_t head[8];
  size_t n = 0;
  if (S_ISREG(st.st_mode) && is_wasm(path, head, &n)) {
    if (weft_binary_is_component(head, n) != 1) {
      wf_error_set(&e, "%s: a core module has no WIT (only components do)", path);
      return fail_from(err, WEFT_ERR_INVALID, &e);
    }
    if (!(*out = wf_hwit_component_text(path, &e))) return fail_from(err, WEFT_ERR_INVALID, &e);
    return WEFT_OK;
  }
  wf_wit_t *w = wf_wit_load_path(path, &e);
  if (!w) return fail_from(err, WEFT_ERR_INVALID, &e);
  *out = wf_wit_print(w);
  wf_wit_free(w);
  if (!*out) {
    wf_error_set(&e, "out of memory");
    return fail_from(err, WEFT_ERR_NOMEM, &e);
  }
  return WEFT_OK;
}

WEFT_API weft_status_t weft_bundle_pack(const char *dir, const char *out, char **written, weft_error_t *err) {
  if (written) *written = NULL;
  wf_error_t e = {0};
  char tp[PATH_MAX + 16];
  snprintf(tp, sizeof tp, "%s/host.toml", dir);
  wf_hbundle_toml_t bt;
  if (!wf_hbundle_toml_parse(tp, &bt, &e)) return fail_from(err, WEFT_ERR_INVALID, &e);
  /* the paths must stay inside before anything is packed */
  char *p = NULL;
  if (!wf_hbundle_path(dir, bt.wit, "wit", &p, &e) || (free(p), p = NULL, !wf_hbundle_path(dir, bt.lib, "lib", &p, &e))) {
    wf_hbundle_toml_fini(&bt);
    return fail_from(err, WEFT_ERR_INVALID, &e);
  }
  free(p);
  char def[PATH_MAX];
  snprintf(def, sizeof def, "%s.tar.gz", bt.name);
  const char *dest = out ? out : def;
  bool ok = wf_hbundle_pack(dir, bt.name, dest, &e);
  wf_hbundle_toml_fini(&bt);
  if (!ok) return fail_from(err, WEFT_ERR_IO, &e);
  if (written && !(*written = strdup(dest))) {
    wf_error_set(&e, "out of memory");
    return fail_from(err, WEFT_ERR_NOMEM, &e);
  }
  return WEFT_OK;
}
