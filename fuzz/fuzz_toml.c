/* libFuzzer target: the TOML parser. Parses the bytes, walks every lookup
 * path of the result once, frees. */
#include <stdint.h>
#include <stdlib.h>

#include "util/toml.h"

static size_t walk(const wf_toml_value_t *v) {
  size_t n = 1;
  for (size_t i = 0; i < wf_toml_len(v); i++) {
    if (v->kind == WF_TOML_TABLE) {
      size_t kl;
      const char *k = wf_toml_key_at(v, i, &kl);
      if (wf_toml_getn(v, k, kl) != wf_toml_at(v, i)) abort(); /* lookup must find it */
    }
    n += walk(wf_toml_at(v, i));
  }
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wf_error_t err;
  wf_toml_value_t *doc = wf_toml_parse((const char *)data, size, "fuzz.toml", &err);
  if (doc) {
    (void)walk(doc);
    (void)wf_toml_get_path(doc, "host.config.\"a.b\"");
  } else if (!err.failed || err.msg[0] == 0) {
    abort(); /* a rejection always carries a message */
  }
  wf_toml_free(doc);
  return 0;
}
