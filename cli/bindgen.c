/* weft bindgen --host BUNDLE|WIT [--world W] [--skeleton] [-o FILE]
 * The C header (types and prototypes) a host-bundle library implements, or
 * with --skeleton a C source with every function stubbed to trap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft.h"
#include "weft_hosts.h"

static void bindgen_usage(void) {
  fprintf(stderr, "usage: weft bindgen --host BUNDLE|WIT [--world WORLD] [--skeleton] [-o FILE]\n"
                  "  BUNDLE: a bundle directory or .tar.gz; WIT: a .wit file or package directory\n");
}

int cli_bindgen_main(int argc, char **argv) {
  const char *src = NULL, *world = NULL, *out = NULL;
  int skeleton = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--host") && i + 1 < argc) src = argv[++i];
    else if (!strcmp(argv[i], "--world") && i + 1 < argc) world = argv[++i];
    else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--skeleton")) skeleton = 1;
    else { bindgen_usage(); return 2; }
  }
  if (!src) { bindgen_usage(); return 2; }
  char *text = NULL;
  weft_error_t err;
  if (weft_host_bindgen(src, world, skeleton, &text, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s\n", err.message);
    return 1;
  }
  int rc = 0;
  if (out) {
    FILE *f = fopen(out, "w");
    if (!f || fputs(text, f) < 0) { fprintf(stderr, "weft: cannot write %s\n", out); rc = 1; }
    if (f && fclose(f) != 0) { fprintf(stderr, "weft: cannot write %s\n", out); rc = 1; }
  } else {
    fputs(text, stdout);
  }
  free(text);
  return rc;
}
