/* weft run [options] COMPONENT [ARGS...] for WASI 0.2 commands.
 *
 * Options (wasmtime's spelling):
 *   --dir HOST[::GUEST]   preopen HOST as GUEST (default: the same path)
 *   --env NAME[=VAL]      set NAME (without a value: the host's value)
 *   -S inherit-env        give the guest the whole host environment
 *   -S inherit-network    allow wasi:sockets
 *   -S allow-ip-name-lookup
 *   -S http[=y|n]         wasi:http (on by default)
 * Several -S settings may be given at once, separated by commas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_wasi.h"
#include "weft_wasi.h"

typedef struct {
  char *host, *guest;
} dir_opt_t;

struct cli_wasi {
  dir_opt_t *dirs;
  int ndirs;
  char **envs;       /* NAME or NAME=VAL, as given */
  int nenvs;
  int inherit_env, network, name_lookup, http;
  weft_wasi_config_t *cfg;
};

void cli_wasi_usage(void) {
  fprintf(stderr,
          "  weft run [--dir HOST[::GUEST]] [--env NAME[=VAL]] [-S inherit-env] [-S inherit-network]\n"
          "           [-S allow-ip-name-lookup] [-S http[=n]] COMPONENT.wasm [ARGS...]\n"
          "      run a WASI 0.2 command component (wasi:cli/run); exit status from wasi:cli/exit\n");
}

cli_wasi_t *cli_wasi_new(void) {
  cli_wasi_t *w = calloc(1, sizeof *w);
  if (w) w->http = 1;
  return w;
}

void cli_wasi_free(cli_wasi_t *w) {
  if (!w) return;
  for (int i = 0; i < w->ndirs; i++) {
    free(w->dirs[i].host);
    free(w->dirs[i].guest);
  }
  free(w->dirs);
  free(w->envs);
  weft_wasi_config_free(w->cfg);
  free(w);
}

static int yes(const char *v) {
  return !v || !strcmp(v, "y") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
}
static int no(const char *v) { return v && (!strcmp(v, "n") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")); }

/* One -S setting "key[=value]". */
static int setting(cli_wasi_t *w, const char *s, size_t len) {
  char buf[128];
  if (len >= sizeof buf) len = sizeof buf - 1;
  memcpy(buf, s, len);
  buf[len] = 0;
  char *val = strchr(buf, '=');
  if (val) *val++ = 0;
  if (val && !yes(val) && !no(val)) {
    fprintf(stderr, "weft: -S %s: value '%s' is not y or n\n", buf, val);
    return -1;
  }
  int on = !val || yes(val);
  if (!strcmp(buf, "inherit-env")) w->inherit_env = on;
  else if (!strcmp(buf, "inherit-network")) w->network = on;
  else if (!strcmp(buf, "allow-ip-name-lookup")) w->name_lookup = on;
  else if (!strcmp(buf, "http")) w->http = on;
  else if (!strcmp(buf, "cli") || !strcmp(buf, "cli-exit-with-code")) (void)on;   /* always on */
  else {
    fprintf(stderr, "weft: unknown -S setting '%s' (inherit-env, inherit-network, allow-ip-name-lookup, http)\n",
            buf);
    return -1;
  }
  return 1;
}

/* The value of an option given as "--opt VALUE" or "--opt=VALUE". */
static const char *opt_value(const char *opt, int argc, char **argv, int *i) {
  size_t n = strlen(opt);
  if (!strncmp(argv[*i], opt, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (strcmp(argv[*i], opt)) return NULL;
  if (*i + 1 >= argc) {
    fprintf(stderr, "weft: %s needs a value\n", opt);
    return "";
  }
  return argv[++*i];
}

static int matches(const char *arg, const char *opt) {
  size_t n = strlen(opt);
  return !strncmp(arg, opt, n) && (arg[n] == 0 || arg[n] == '=');
}

int cli_wasi_option(cli_wasi_t *w, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  if (matches(a, "--dir")) {
    const char *v = opt_value("--dir", argc, argv, i);
    if (!v || !*v) return -1;
    const char *sep = strstr(v, "::");
    dir_opt_t d;
    d.host = sep ? strndup(v, (size_t)(sep - v)) : strdup(v);
    d.guest = strdup(sep ? sep + 2 : v);
    dir_opt_t *nd = realloc(w->dirs, (size_t)(w->ndirs + 1) * sizeof *nd);
    if (!d.host || !d.guest || !nd || !*d.host || !*d.guest) {
      fprintf(stderr, "weft: --dir '%s': expected HOST[::GUEST]\n", v);
      free(d.host);
      free(d.guest);
      if (nd) w->dirs = nd;
      return -1;
    }
    w->dirs = nd;
    w->dirs[w->ndirs++] = d;
    return 1;
  }
  if (matches(a, "--env")) {
    const char *v = opt_value("--env", argc, argv, i);
    if (!v || !*v || *v == '=') {
      fprintf(stderr, "weft: --env needs NAME[=VALUE]\n");
      return -1;
    }
    char **ne = realloc(w->envs, (size_t)(w->nenvs + 1) * sizeof *ne);
    if (!ne) return -1;
    w->envs = ne;
    w->envs[w->nenvs++] = (char *)v;
    return 1;
  }
  if (!strncmp(a, "-S", 2)) {
    const char *v = a[2] ? a + 2 : NULL;
    if (!v) {
      if (*i + 1 >= argc) {
        fprintf(stderr, "weft: -S needs a setting\n");
        return -1;
      }
      v = argv[++*i];
    }
    while (*v) {
      const char *comma = strchr(v, ',');
      size_t len = comma ? (size_t)(comma - v) : strlen(v);
      if (len && setting(w, v, len) < 0) return -1;
      v += len + (comma != NULL);
    }
    return 1;
  }
  return 0;
}

int cli_wasi_link(cli_wasi_t *w, weft_linker_t *l, const char *path, char **args, int nargs) {
  weft_error_t err;
  weft_wasi_config_free(w->cfg);
  w->cfg = weft_wasi_config_new();
  if (!w->cfg) {
    fprintf(stderr, "weft: out of memory\n");
    return 1;
  }
  weft_wasi_config_t *c = w->cfg;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  int bad = weft_wasi_config_arg(c, base) != WEFT_OK;
  for (int i = 0; i < nargs && !bad; i++) bad = weft_wasi_config_arg(c, args[i]) != WEFT_OK;
  weft_wasi_config_inherit_env(c, w->inherit_env);
  for (int i = 0; i < w->nenvs && !bad; i++) {
    const char *e = w->envs[i], *eq = strchr(e, '=');
    if (eq) {
      char *name = strndup(e, (size_t)(eq - e));
      bad = !name || weft_wasi_config_env(c, name, eq + 1) != WEFT_OK;
      free(name);
    } else {
      const char *hv = getenv(e);
      if (hv) bad = weft_wasi_config_env(c, e, hv) != WEFT_OK;
    }
  }
  if (bad) {
    fprintf(stderr, "weft: could not set up the guest's arguments and environment\n");
    return 1;
  }
  for (int i = 0; i < w->ndirs; i++) {
    if (weft_wasi_config_preopen(c, w->dirs[i].host, w->dirs[i].guest, WEFT_WASI_DIR_READ | WEFT_WASI_DIR_WRITE,
                                 &err) != WEFT_OK) {
      fprintf(stderr, "weft: --dir: %s\n", err.message);
      return 1;
    }
  }
  weft_wasi_config_inherit_stdio(c);
  weft_wasi_config_network(c, w->network, w->name_lookup);
  weft_wasi_config_http(c, w->http);
  if (weft_linker_add_wasi(l, c, &err) != WEFT_OK) {
    fprintf(stderr, "weft: defining WASI: %s\n", err.message);
    return 1;
  }
  return 0;
}

int cli_wasi_run(weft_cinstance_t *inst, const char *path) {
  weft_error_t err;
  int code = 0;
  weft_status_t st = weft_wasi_run(inst, &code, &err);
  fflush(stdout);
  if (st == WEFT_OK) return code;
  if (st == WEFT_ERR_TRAP) {
    fprintf(stderr, "weft: trap: %s\n", err.message);
    if (err.backtrace[0]) fprintf(stderr, "wasm backtrace:\n%s", err.backtrace);
    return 134;
  }
  fprintf(stderr, "weft: %s: %s\n", path, err.message);
  return 1;
}

int cli_run_wasi_main(int argc, char **argv) {
  cli_wasi_t *w = cli_wasi_new();
  if (!w) {
    fprintf(stderr, "weft: out of memory\n");
    return 1;
  }
  int i = 1;
  const char *path = NULL;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) {
      i++;
      break;
    }
    if (argv[i][0] != '-' || !argv[i][1]) break;
    int r = cli_wasi_option(w, argc, argv, &i);
    if (r < 0) {
      cli_wasi_free(w);
      return 2;
    }
    if (r == 0) {
      fprintf(stderr, "weft: unknown option '%s'\n", argv[i]);
      cli_wasi_usage();
      cli_wasi_free(w);
      return 2;
    }
  }
  if (i >= argc) {
    cli_wasi_usage();
    cli_wasi_free(w);
    return 2;
  }
  path = argv[i++];
  int rc = 1;
  weft_error_t err;
  weft_engine_t *engine = weft_engine_new();
  weft_component_t *comp = NULL;
  weft_linker_t *l = NULL;
  weft_cinstance_t *inst = NULL;
  if (!engine) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  if (weft_component_from_file(engine, path, &comp, &err) != WEFT_OK) {
    if (err.offset >= 0)
      fprintf(stderr, "weft: %s: offset 0x%llx: %s\n", path, (unsigned long long)err.offset, err.message);
    else
      fprintf(stderr, "weft: %s: %s\n", path, err.message);
    goto out;
  }
  l = weft_linker_new(engine);
  if (!l) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  if (cli_wasi_link(w, l, path, argv + i, argc - i)) goto out;
  weft_status_t st = weft_linker_instantiate(l, comp, NULL, &inst, &err);
  if (st == WEFT_ERR_TRAP) {
    fprintf(stderr, "weft: trap: %s\n", err.message);
    if (err.backtrace[0]) fprintf(stderr, "wasm backtrace:\n%s", err.backtrace);
    rc = 134;
    goto out;
  }
  if (st != WEFT_OK) {
    fprintf(stderr, "weft: %s: %s\n", path, err.message);
    goto out;
  }
  rc = cli_wasi_run(inst, path);
out:
  fflush(stdout);
  weft_cinstance_free(inst);
  weft_linker_free(l);
  weft_component_free(comp);
  weft_engine_free(engine);
  cli_wasi_free(w);
  return rc;
}
