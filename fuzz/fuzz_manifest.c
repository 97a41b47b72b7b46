/* libFuzzer target: semantic loading of host.toml / hosts.toml
 * (src/host/manifest.c) and of a whole manifest through the public API
 * (weft_hosts_add_manifest with WEFT_HOSTS_WIT_ONLY: WIT loading and path
 * checks, no dlopen).
 *
 * Each input is written as hosts.toml in a fresh private directory that
 * also holds a small valid WIT file (api.wit) and a bundle (b/host.toml,
 * b/api.wit), so that inputs naming them get past the path checks.
 *
 * Invariants: a refused file gives an error whose message starts with
 * "FILE:LINE:COL: " (or is "out of memory"), and nothing is handed out
 * half-way (no specs, a zeroed host.toml, the host set unchanged); an
 * accepted file gives well-formed entries (valid names, exactly one of
 * bundle or wit+lib, an origin "FILE:LINE"), and the public loader agrees
 * with the parser on how many hosts it holds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"

static const char api_wit[] =
    "package test:fuzz@0.1.0;\n"
    "interface api {\n"
    "  resource counter { constructor(start: u32); next: func() -> u32; }\n"
    "  add: func(a: u32, b: u32) -> u32;\n"
    "}\n"
    "world host { export api; }\n";
static const char bundle_toml[] =
    "[host]\nname = \"bundled\"\nlib = \"libb.so\"\nwit = \"api.wit\"\nworld = \"host\"\n"
    "[host.config]\nlevel = 3\n";

static int write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(data, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* "FILE:LINE:COL: ..." for this file. */
static int located(const char *msg, const char *file) {
  size_t fl = strlen(file);
  if (strncmp(msg, file, fl) != 0 || msg[fl] != ':') return 0;
  const char *p = msg + fl + 1;
  for (int part = 0; part < 2; part++) {
    if (*p < '1' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') p++;
    if (*p++ != ':') return 0;
  }
  return *p == ' ';
}

static void check_manifest(const char *path, size_t *nspecs) {
  wf_hspec_t *specs = (wf_hspec_t *)&specs;   /* must be overwritten */
  size_t n = 12345;
  wf_error_t err = {0};
  *nspecs = SIZE_MAX;
  if (!wf_hmanifest_parse(path, &specs, &n, &err)) {
    if (specs || n || !err.failed) abort();
    if (!located(err.msg, path) && strcmp(err.msg, "out of memory") != 0) {
      fprintf(stderr, "manifest error without FILE:LINE:COL: %s\n", err.msg);
      abort();
    }
    return;
  }
  if (err.failed || (n && !specs)) abort();
  for (size_t i = 0; i < n; i++) {
    wf_hspec_t *s = &specs[i];
    if (!s->name || !wf_hname_valid(s->name) || !s->origin) abort();
    if (strncmp(s->origin, path, strlen(path)) != 0 || s->origin[strlen(path)] != ':') abort();
    if (s->bundle ? (s->wit || s->lib) : (!s->wit || !s->lib)) abort();
    if (s->nconfig && !s->config) abort();
    if (s->nconfig && !s->has_config) abort();
    for (size_t j = 0; j < s->nconfig; j++)
      if (!s->config[j].key || !s->config[j].value) abort();
    wf_hspec_fini(s);
  }
  free(specs);
  *nspecs = n;
}

static void check_bundle_toml(const char *path) {
  wf_hbundle_toml_t t;
  memset(&t, 0x5a, sizeof t);   /* must be overwritten */
  wf_error_t err = {0};
  if (!wf_hbundle_toml_parse(path, &t, &err)) {
    if (t.name || t.lib || t.wit || t.world || t.config || t.nconfig || !err.failed) abort();
    if (!located(err.msg, path) && strcmp(err.msg, "out of memory") != 0) {
      fprintf(stderr, "host.toml error without FILE:LINE:COL: %s\n", err.msg);
      abort();
    }
    return;
  }
  if (err.failed || !t.name || !t.lib || !t.wit || !wf_hname_valid(t.name)) abort();
  for (size_t j = 0; j < t.nconfig; j++)
    if (!t.config[j].key || !t.config[j].value) abort();
  wf_hbundle_toml_fini(&t);
}

static void check_public(const char *path, size_t nspecs) {
  weft_hosts_t *h = weft_hosts_new(WEFT_HOSTS_WIT_ONLY);
  if (!h) return;
  weft_error_t err;
  memset(&err, 0, sizeof err);
  weft_status_t st = weft_hosts_add_manifest(h, path, &err);
  if (st == WEFT_OK) {
    if (weft_hosts_count(h) != nspecs) abort();
    for (size_t i = 0; i < nspecs; i++)
      if (!weft_hosts_name(h, i)) abort();
  } else {
    if (weft_hosts_count(h) != 0 || !err.message[0]) abort();   /* all or nothing */
    if (st == WEFT_ERR_INVALID && nspecs != SIZE_MAX) abort();   /* the parser accepted it */
  }
  weft_hosts_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char dir[] = "/tmp/weft-fuzz-manifest-XXXXXX";
  if (!mkdtemp(dir)) return 0;
  char path[128], wit[128], bdir[128], btoml[128], bwit[128];
  snprintf(path, sizeof path, "%s/hosts.toml", dir);
  snprintf(wit, sizeof wit, "%s/api.wit", dir);
  snprintf(bdir, sizeof bdir, "%s/b", dir);
  snprintf(btoml, sizeof btoml, "%s/b/host.toml", dir);
  snprintf(bwit, sizeof bwit, "%s/b/api.wit", dir);
  if (write_file(path, data, size) && write_file(wit, api_wit, sizeof api_wit - 1) && mkdir(bdir, 0700) == 0 &&
      write_file(btoml, bundle_toml, sizeof bundle_toml - 1) && write_file(bwit, api_wit, sizeof api_wit - 1)) {
    size_t nspecs;
    check_manifest(path, &nspecs);
    check_bundle_toml(path);
    check_public(path, nspecs);
  }
  unlink(bwit);
  unlink(btoml);
  rmdir(bdir);
  unlink(wit);
  unlink(path);
  if (rmdir(dir) != 0) abort();   /* the loaders left something behind */
  return 0;
}
