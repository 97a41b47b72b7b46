/* weft run for WASI commands (cli/run_wasi.c): the options, the linker
 * set-up (the seam cli/run.c calls) and running wasi:cli/run. */
#ifndef WEFT_CLI_RUN_WASI_H
#define WEFT_CLI_RUN_WASI_H

#include "weft.h"

typedef struct cli_wasi cli_wasi_t;

cli_wasi_t *cli_wasi_new(void);
void cli_wasi_free(cli_wasi_t *w);
/* If argv[*i] is a WASI option of `weft run` (--dir, --env, -S), consume it
 * and its value (advancing *i to the last argv entry used) and return 1;
 * 0 if it is not one; -1 after printing an error. */
int cli_wasi_option(cli_wasi_t *w, int argc, char **argv, int *i);
/* Define WASI in the linker for a command `path` run with args (argv[0]
 * is path's file name). 0 ok, else prints the error and returns 1. */
int cli_wasi_link(cli_wasi_t *w, weft_linker_t *l, const char *path, char **args, int nargs);
/* Call the instance's wasi:cli/run; returns the process exit status: the
 * guest's exit code, 1 for run returning err, 134 after a trap (message and
 * wasm backtrace on stderr). */
int cli_wasi_run(weft_cinstance_t *inst, const char *path);
/* The whole command path: weft run [options] COMPONENT [ARGS...]
 * (argv[0] is "run"). */
int cli_run_wasi_main(int argc, char **argv);
/* Usage lines for the options above. */
void cli_wasi_usage(void);

#endif
