/* --host-bundle / --host-config for weft run: see cli/run_hosts.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_hosts.h"
#include "weft_hosts.h"

struct cli_hosts {
  struct { const char *path; int manifest; } *opts;
  size_t n, cap;
  weft_hosts_t *loaded;
};

cli_hosts_t *cli_hosts_new(void) { return calloc(1, sizeof(cli_hosts_t)); }

void cli_hosts_free(cli_hosts_t *h) {
  if (!h) return;
  weft_hosts_free(h->loaded);
  free(h->opts);
  free(h);
}

int cli_hosts_option(cli_hosts_t *h, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  int manifest;
  if (!strcmp(a, "--host-bundle")) manifest = 0;
  else if (!strcmp(a, "--host-config")) manifest = 1;
  else return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "weft: %s needs a %s\n", a, manifest ? "hosts.toml path" : "bundle directory or .tar.gz");
    return -1;
  }
  if (h->n == h->cap) {
    size_t nc = h->cap ? h->cap * 2 : 4;
    void *nv = realloc(h->opts, nc * sizeof *h->opts);
    if (!nv) { fprintf(stderr, "weft: out of memory\n"); return -1; }
    h->opts = nv;
    h->cap = nc;
  }
  h->opts[h->n].path = argv[++*i];
  h->opts[h->n].manifest = manifest;
  h->n++;
  return 1;
}

int cli_hosts_link(cli_hosts_t *h, weft_linker_t *l, const weft_component_t *c, const char *path) {
  if (!h || !h->n) return 0;
  weft_error_t err;
  if (!h->loaded) {
    if (!(h->loaded = weft_hosts_new(0))) { fprintf(stderr, "weft: out of memory\n"); return 1; }
    for (size_t i = 0; i < h->n; i++) {
      weft_status_t st = h->opts[i].manifest ? weft_hosts_add_manifest(h->loaded, h->opts[i].path, &err)
                                             : weft_hosts_add_bundle(h->loaded, h->opts[i].path, NULL, &err);
      if (st != WEFT_OK) {
        fprintf(stderr, "weft: %s\n", err.message);
        return 1;
      }
    }
  }
  if (weft_hosts_link(h->loaded, l, c, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s: %s\n", path, err.message);
    return 1;
  }
  return 0;
}

void cli_hosts_usage(void) {
  fprintf(stderr, "  --host-bundle DIR|FILE.tar.gz   load a host bundle (repeatable)\n"
                  "  --host-config FILE              load the hosts of a manifest, hosts.toml (repeatable)\n");
}
