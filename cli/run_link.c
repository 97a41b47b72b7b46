/* --link DEP.wasm for weft run and weft serve: see cli/run_link.h and
 * docs/linking.md. The DEPs are instantiated in command-line order; an
 * instance import of a DEP or of the app is served by the one earlier DEP
 * that exports it (semver-compatibly), defined in the linker under the
 * importer's own name so that it wins over WASI and the host bundles. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_link.h"

typedef struct {
  const char *path;
  weft_component_t *comp;
} dep_t;

struct cli_links {
  dep_t *deps;
  size_t n, cap;
};

/* An import of the last component linked and the DEP that serves it. */
typedef struct {
  const char *name;      /* owned by the importing component */
  size_t dep;
} served_t;

struct cli_linkset {
  const cli_links_t *k;
  weft_cinstance_t **inst;   /* k->n, made in order */
  size_t ninst;
  served_t *served;          /* of the last component linked */
  size_t nserved;
};

cli_links_t *cli_links_new(void) { return calloc(1, sizeof(cli_links_t)); }

void cli_links_unload(cli_links_t *k) {
  for (size_t i = k ? k->n : 0; i-- > 0;) {
    weft_component_free(k->deps[i].comp);
    k->deps[i].comp = NULL;
  }
}

void cli_links_free(cli_links_t *k) {
  if (!k) return;
  cli_links_unload(k);
  free(k->deps);
  free(k);
}

int cli_links_option(cli_links_t *k, int argc, char **argv, int *i) {
  if (strcmp(argv[*i], "--link") != 0) return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "weft: --link needs a component file\n");
    return -1;
  }
  if (k->n == k->cap) {
    size_t nc = k->cap ? k->cap * 2 : 4;
    dep_t *nv = realloc(k->deps, nc * sizeof *nv);
    if (!nv) {
      fprintf(stderr, "weft: out of memory\n");
      return -1;
    }
    k->deps = nv;
    k->cap = nc;
  }
  k->deps[k->n].path = argv[++*i];
  k->deps[k->n].comp = NULL;
  k->n++;
  return 1;
}

size_t cli_links_count(const cli_links_t *k) { return k ? k->n : 0; }

int cli_links_load(cli_links_t *k, weft_engine_t *e) {
  for (size_t i = 0; i < k->n; i++) {
    dep_t *d = &k->deps[i];
    if (d->comp) continue;
    weft_error_t err;
    weft_status_t st = weft_component_from_file(e, d->path, &d->comp, &err);
    if (st == WEFT_OK) continue;
    if (err.offset >= 0)
      fprintf(stderr, "weft: --link %s: offset 0x%llx: %s\n", d->path, (unsigned long long)err.offset, err.message);
    else if (st == WEFT_ERR_IO)
      fprintf(stderr, "weft: --link: %s\n", err.message);
    else
      fprintf(stderr, "weft: --link %s: %s\n", d->path, err.message);
    return 1;
  }
  return 0;
}

static void say(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, cap, fmt, ap);
  va_end(ap);
}

/* Define in l each instance import of c (named `who` in messages) that one
 * of the first `upto` DEPs exports; remembered in s->served. 0 ok. */
static int serve_imports(cli_linkset_t *s, weft_linker_t *l, const weft_component_t *c, const char *who, size_t upto,
                         char *msg, size_t cap) {
  const cli_links_t *k = s->k;
  s->nserved = 0;
  size_t ni = weft_component_import_count(c);
  for (size_t i = 0; i < ni; i++) {
    weft_item_kind_t kind;
    const char *name = weft_component_import(c, i, &kind);
    if (kind != WEFT_ITEM_INSTANCE || !name) continue;
    size_t found = SIZE_MAX;
    for (size_t j = 0; j < upto; j++) {
      if (!weft_cinstance_has_instance(s->inst[j], name)) continue;
      if (found != SIZE_MAX) {
        say(msg, cap, "%s imports `%s`, which both --link %s and --link %s export (link only one of them)", who,
            name, k->deps[found].path, k->deps[j].path);
        return 1;
      }
      found = j;
    }
    if (found == SIZE_MAX) continue;
    weft_error_t err;
    if (weft_linker_define_instance(l, name, s->inst[found], name, &err) != WEFT_OK) {
      say(msg, cap, "%s: with --link %s: %s", who, k->deps[found].path, err.message);
      return 1;
    }
    s->served[s->nserved].name = name;
    s->served[s->nserved].dep = found;
    s->nserved++;
  }
  return 0;
}

int cli_links_hosts(const cli_links_t *k, cli_hosts_t *hosts, weft_linker_t *l) {
  for (size_t i = 0; i < k->n; i++) {
    char who[512];
    snprintf(who, sizeof who, "--link %s", k->deps[i].path);
    if (cli_hosts_link(hosts, l, k->deps[i].comp, who)) return 1;
  }
  return 0;
}

cli_linkset_t *cli_linkset_new(const cli_links_t *k, weft_linker_t *l, const weft_component_t *app,
                               const char *app_path, char *msg, size_t cap) {
  cli_linkset_t *s = calloc(1, sizeof *s);
  size_t most = weft_component_import_count(app);
  for (size_t i = 0; i < k->n; i++) {
    size_t ni = weft_component_import_count(k->deps[i].comp);
    if (ni > most) most = ni;
  }
  if (s) {
    s->k = k;
    s->inst = calloc(k->n + 1, sizeof *s->inst);
    s->served = calloc(most + 1, sizeof *s->served);
  }
  if (!s || !s->inst || !s->served) {
    say(msg, cap, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < k->n; i++) {
    const dep_t *d = &k->deps[i];
    char who[512];
    snprintf(who, sizeof who, "--link %s", d->path);
    if (serve_imports(s, l, d->comp, who, i, msg, cap)) goto fail;
    weft_error_t err;
    weft_status_t st = weft_linker_instantiate(l, d->comp, NULL, &s->inst[i], &err);
    if (st != WEFT_OK) {
      char why[sizeof err.message + 32];
      snprintf(why, sizeof why, "%s%s", st == WEFT_ERR_TRAP ? "trap: " : "", err.message);
      cli_linkset_explain(s, who, why, msg, cap);
      goto fail;
    }
    s->ninst = i + 1;
  }
  if (serve_imports(s, l, app, app_path, k->n, msg, cap)) goto fail;
  return s;
fail:
  cli_linkset_free(s);
  return NULL;
}

void cli_linkset_free(cli_linkset_t *s) {
  if (!s) return;
  for (size_t i = s->ninst; i-- > 0;) weft_cinstance_free(s->inst[i]);
  free(s->inst);
  free(s->served);
  free(s);
}

size_t cli_linkset_count(const cli_linkset_t *s) { return s ? s->ninst : 0; }

weft_cinstance_t *cli_linkset_instance(const cli_linkset_t *s, size_t i) {
  return s && i < s->ninst ? s->inst[i] : NULL;
}

void cli_linkset_explain(const cli_linkset_t *s, const char *app_path, const char *why, char *msg, size_t cap) {
  for (size_t i = 0; s && i < s->nserved; i++) {
    /* the linker's messages name the import as `iface` or `iface#item` */
    const char *name = s->served[i].name;
    size_t nl = strlen(name);
    for (const char *p = strchr(why, '`'); p; p = strchr(p + 1, '`')) {
      if (strncmp(p + 1, name, nl) != 0 || (p[nl + 1] != '`' && p[nl + 1] != '#')) continue;
      say(msg, cap, "%s: with --link %s: %s", app_path, s->k->deps[s->served[i].dep].path, why);
      return;
    }
  }
  say(msg, cap, "%s: %s", app_path, why);
}

void cli_links_usage(void) {
  fprintf(stderr,
          "  --link DEP.wasm                 instantiate component DEP first (repeatable, in order): the\n"
          "                                  interfaces it exports serve the imports of the components\n"
          "                                  after it, over WASI and host bundles; an import two DEPs\n"
          "                                  export is an error; DEPs are not run (docs/linking.md)\n");
}
