/* weft wit PATH — print the resolved WIT of a .wit file, a WIT package
 * directory (with deps/), or a component binary (its imports and exports). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft.h"
#include "weft_hosts.h"

int cli_wit_main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: weft wit PATH\n"
                    "  PATH: a .wit file, a WIT package directory, or a component (.wasm)\n");
    return 2;
  }
  char *text = NULL;
  weft_error_t err;
  if (weft_wit_text(argv[1], &text, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s\n", err.message);
    return 1;
  }
  fputs(text, stdout);
  size_t n = strlen(text);
  if (n && text[n - 1] != '\n') putchar('\n');
  free(text);
  return 0;
}
