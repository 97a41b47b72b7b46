/* libFuzzer target: WIT parse + resolve of one single-file buffer, then the
 * printer, and the printed text parsed and resolved again (it must be
 * accepted: the printer only emits what the resolver produced). All
 * features are enabled so gated items are exercised too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  wf_wit_opts_t opts = {NULL, 1};
  wf_error_t err = {0};
  wf_wit_t *w = wf_wit_parse_buffer("fuzz.wit", (const char *)data, size, &opts, &err);
  if (!w) return 0;
  char *txt = wf_wit_print(w);
  if (txt) {
    wf_error_t e2 = {0};
    wf_wit_t *w2 = wf_wit_parse_buffer("printed.wit", txt, strlen(txt), &opts, &e2);
    if (!w2 && getenv("WEFT_FUZZ_WIT_STRICT")) abort();
    wf_wit_free(w2);
    free(txt);
  }
  wf_wit_free(w);
  return 0;
}
