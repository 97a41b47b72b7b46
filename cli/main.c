/* weft — command-line entry: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "weft.h"

static void usage(FILE *out) {
  fprintf(out,
          "weft %s — a WebAssembly runtime\n"
          "\n"
          "usage:\n"
          "  weft run MODULE.wasm [--invoke NAME [ARGS...]]\n"
          "      instantiate a core module and call an export with numeric arguments\n"
          "  weft wast SCRIPT.json...\n"
          "      run spec test scripts converted by wast2json; prints N passed, M failed\n"
          "  weft --version | --help\n",
          weft_version());
}

int main(int argc, char **argv) {
  if (argc < 2) { usage(stderr); return 2; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "run")) return cli_run_main(argc - 1, argv + 1);
  if (!strcmp(cmd, "wast")) return cli_wast_main(argc - 1, argv + 1);
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("weft %s\n", weft_version());
    return 0;
  }
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "weft: unknown command '%s'\n\n", cmd);
  usage(stderr);
  return 2;
}
