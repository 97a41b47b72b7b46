/* weft wast: what the core runner (wast.c) and the component-model runner
 * (cwast.c) share: per-script counts, running one script in a forked child
 * with a time limit, and reading a script file. */
#ifndef WEFT_CLI_WAST_FORK_H
#define WEFT_CLI_WAST_FORK_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* Why units were skipped (the component runner reports them apart). */
typedef enum {
  WAST_SKIP_TEXT = 0,   /* a text-format module/component (no binary to run) */
  WAST_SKIP_NYI,        /* the script is listed in the suite's nyi.txt */
  WAST_SKIP_ASYNC,      /* needs the async canonical ABI (out of scope: weft is sync only) */
  WAST_SKIP_KINDS
} wast_skip_t;

/* Counts of one script, or a total. Lives in shared memory while a forked
 * child runs the script, so what ran before a crash still counts. */
typedef struct {
  uint64_t passed, failed, skipped, mismatched;
  uint64_t skipped_by[WAST_SKIP_KINDS];   /* parts of `skipped` by reason */
  uint64_t last_line;          /* line of the command being run */
  int done;                    /* the script ran to its end */
} wast_counts_t;

/* Names given in a script ("$name", register "as") -> an object (a
 * module/component instance or definition; NULL: it failed to load). */
typedef struct {
  char *name;
  size_t len;
  void *obj;
} wast_binding_t;
typedef struct {
  wast_binding_t *v;
  size_t n, cap;
} wast_bindings_t;
/* Binds (or rebinds) name -> obj; -1 on OOM. */
int wast_bind(wast_bindings_t *b, const char *name, size_t len, void *obj);
wast_binding_t *wast_lookup(wast_bindings_t *b, const char *name, size_t len);
void wast_bindings_free(wast_bindings_t *b);

/* Opens the script at `path`: its directory goes to dir (for the files it
 * names) and its parsed JSON to *doc; returns its "commands" array. On
 * failure prints "LABEL: error: ...", counts one failure, marks the script
 * done and returns NULL (*doc is then NULL). */
const json_value_t *wast_open_script(const char *path, const char *label, char *dir, size_t dircap,
                                     json_doc_t **doc, wast_counts_t *cnt);

/* Runs the script at `path`, filling *cnt. */
typedef void (*wast_script_fn)(const char *path, int verbose, void *ctx, wast_counts_t *cnt);
/* Prints the summary line of one script. */
typedef void (*wast_summary_fn)(const char *label, const wast_counts_t *cnt);

/* Runs `run` on one script in a child process (in this process when
 * fork_ is 0 or forking fails) with a time limit of `timeout` seconds (0:
 * none), prints its summary, and returns its counts in *out. A crash, a
 * timeout, an unexpected exit status or a script that stops early adds one
 * failure and says so. */
void wast_run_script(const char *path, const char *label, int verbose, int fork_,
                     unsigned timeout, wast_script_fn run, wast_summary_fn summary, void *ctx,
                     wast_counts_t *out);

/* Adds the counts of c to *total. */
void wast_counts_add(wast_counts_t *total, const wast_counts_t *c);

/* Reads a whole file (at most 1 GiB). Returns a malloc'd buffer (caller
 * frees) and its length, or NULL with a reason in why[0..whylen). */
char *wast_read_file(const char *path, size_t *len, char *why, size_t whylen);

#endif
