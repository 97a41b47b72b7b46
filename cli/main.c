/* weft — command-line entry: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "weft.h"

static void usage(FILE *out) {
  fprintf(out,
          "weft %s — a WebAssembly and component model runtime\n"
          "\n"
          "usage:\n"
          "  weft run MODULE.wasm [--invoke NAME [ARGS...]]\n"
          "      instantiate a core module and call an export with numeric arguments\n"
          "  weft run [OPTIONS] COMPONENT.wasm [--invoke 'NAME(ARGS...)'] [ARGS...]\n"
          "      run a WASI 0.2 command component, or call an exported function (NAME\n"
          "      or IFACE#NAME) with arguments in WAVE and print its result in WAVE\n"
          "      (weft run --help lists the OPTIONS)\n"
          "  weft serve [--addr HOST:PORT] [OPTIONS] COMPONENT.wasm\n"
          "      serve a wasi:http/incoming-handler component over HTTP, a fresh instance\n"
          "      per request (weft serve --help for the options)\n"
          "  weft wast SCRIPT.json...\n"
          "      run spec test scripts converted by wast2json; prints N passed, M failed\n"
          "  weft wit PATH\n"
          "      print the resolved WIT of a .wit file, a WIT directory or a component\n"
          "  weft bindgen --host BUNDLE|WIT [-o FILE]\n"
          "      the C header a host-bundle library implements\n"
          "  weft bundle new NAME --wit DIR | check DIR|TAR | pack DIR\n"
          "      scaffold, check and pack host bundles (docs/host-bundles.md)\n"
          "  weft --version | --help\n",
          weft_version());
}

int main(int argc, char **argv) {
  if (argc < 2) { usage(stderr); return 2; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "run")) return cli_run_main(argc - 1, argv + 1);
  /* wasmtime's other spelling of the same command */
  if (!strcmp(cmd, "component") && argc > 2 && !strcmp(argv[2], "run")) return cli_run_main(argc - 2, argv + 2);
  if (!strcmp(cmd, "wast")) return cli_wast_main(argc - 1, argv + 1);
  /* the seed's spelling: weft component run ... */
  if (!strcmp(cmd, "component") && argc > 2 && !strcmp(argv[2], "run")) return cli_run_main(argc - 2, argv + 2);
  if (!strcmp(cmd, "wit")) return cli_wit_main(argc - 1, argv + 1);
  if (!strcmp(cmd, "bindgen")) return cli_bindgen_main(argc - 1, argv + 1);
  if (!strcmp(cmd, "bundle")) return cli_bundle_main(argc - 1, argv + 1);
  if (!strcmp(cmd, "serve")) return cli_serve_main(argc - 1, argv + 1);
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
