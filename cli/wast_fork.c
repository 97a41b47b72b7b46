/* weft wast: running one script in a forked child with a time limit (shared
 * by the core and the component-model runners), and reading script files. */
#include "wast_fork.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

void wast_counts_add(wast_counts_t *total, const wast_counts_t *c) {
  total->passed += c->passed;
  total->failed += c->failed;
  total->skipped += c->skipped;
  total->mismatched += c->mismatched;
  for (int i = 0; i < WAST_SKIP_KINDS; i++) total->skipped_by[i] += c->skipped_by[i];
}

static void run_here(const char *path, const char *label, int verbose, wast_script_fn run,
                     wast_summary_fn summary, void *ctx, wast_counts_t *out) {
  run(path, verbose, ctx, out);
  summary(label, out);
}

void wast_run_script(const char *path, const char *label, int verbose, int fork_,
                     unsigned timeout, wast_script_fn run, wast_summary_fn summary, void *ctx,
                     wast_counts_t *out) {
  memset(out, 0, sizeof *out);
  if (!fork_) {
    run_here(path, label, verbose, run, summary, ctx, out);
    return;
  }
  wast_counts_t *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    run_here(path, label, verbose, run, summary, ctx, out);
    return;
  }
  memset(shared, 0, sizeof *shared);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (timeout) alarm(timeout);
    run(path, verbose, ctx, shared);
    summary(label, shared);
    fflush(stdout);
    exit(shared->failed ? 1 : 0);
  }
  if (pid < 0) {
    munmap(shared, sizeof *shared);
    run_here(path, label, verbose, run, summary, ctx, out);
    return;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  *out = *shared;
  munmap(shared, sizeof *shared);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    out->failed++;
    if (sig == SIGALRM)
      printf("%s: timed out after %us at line %" PRIu64 ": counted as 1 more failure\n", label,
             timeout, out->last_line);
    else
      printf("%s: crashed (signal %d, %s) at line %" PRIu64 ": counted as 1 more failure\n",
             label, sig, strsignal(sig), out->last_line);
    summary(label, out);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) > 1) {
    out->failed++;
    printf("%s: exited with status %d: counted as 1 more failure\n", label, WEXITSTATUS(status));
    if (out->done) printf("%s: 0 passed, 1 failed\n", label);   /* the extra failure */
    else summary(label, out);
  } else if (!out->done) {
    out->failed++;
    printf("%s: stopped at line %" PRIu64 " without finishing: counted as 1 more failure\n",
           label, out->last_line);
    summary(label, out);
  }
  fflush(stdout);
}

char *wast_read_file(const char *path, size_t *len, char *why, size_t whylen) {
  FILE *f = fopen(path, "rb");
  if (!f) { snprintf(why, whylen, "cannot open: %s", strerror(errno)); return NULL; }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n == cap) {
      if (cap > ((size_t)1 << 30)) { free(buf); buf = NULL; break; }
      char *nb = realloc(buf, cap * 2);
      if (!nb) { free(buf); buf = NULL; break; }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int rerr = ferror(f);
  fclose(f);
  if (!buf || rerr) {
    free(buf);
    snprintf(why, whylen, rerr ? "read error" : "out of memory or too large");
    return NULL;
  }
  *len = n;
  return buf;
}

/* ---- name bindings ------------------------------------------------------------ */

int wast_bind(wast_bindings_t *b, const char *name, size_t len, void *obj) {
  wast_binding_t *have = wast_lookup(b, name, len);
  if (have) {
    have->obj = obj;
    return 0;
  }
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 16;
    wast_binding_t *nv = realloc(b->v, cap * sizeof *nv);
    if (!nv) return -1;
    b->v = nv;
    b->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return -1;
  memcpy(copy, name, len);
  copy[len] = '\0';
  b->v[b->n++] = (wast_binding_t){copy, len, obj};
  return 0;
}

wast_binding_t *wast_lookup(wast_bindings_t *b, const char *name, size_t len) {
  for (size_t i = b->n; i-- > 0;)
    if (b->v[i].len == len && !memcmp(b->v[i].name, name, len)) return &b->v[i];
  return NULL;
}

void wast_bindings_free(wast_bindings_t *b) {
  for (size_t i = 0; i < b->n; i++) free(b->v[i].name);
  free(b->v);
  b->v = NULL;
  b->n = b->cap = 0;
}

/* ---- opening a script ------------------------------------------------------------- */

const json_value_t *wast_open_script(const char *path, const char *label, char *dir, size_t dircap,
                                     json_doc_t **out, wast_counts_t *cnt) {
  const char *slash = strrchr(path, '/');
  if (slash) {
    size_t dl = (size_t)(slash - path);
    if (dl == 0) dl = 1;   /* "/x.json" */
    if (dl >= dircap) dl = dircap - 1;
    memcpy(dir, path, dl);
    dir[dl] = '\0';
  } else {
    snprintf(dir, dircap, ".");
  }
  char why[512] = "";
  size_t len = 0;
  char *text = wast_read_file(path, &len, why, sizeof why);
  json_doc_t *doc = text ? json_parse(text, len, why, sizeof why) : NULL;
  free(text);
  const json_value_t *cmds = json_get(json_root(doc), "commands");
  if (!doc || !cmds || cmds->kind != JSON_ARRAY) {
    if (doc) snprintf(why, sizeof why, "no \"commands\" array");
    cnt->failed++;
    printf("%s: error: %s\n", label, why);
    json_free(doc);
    cnt->done = 1;
    *out = NULL;
    return NULL;
  }
  *out = doc;
  return cmds;
}
