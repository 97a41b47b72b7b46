/* libFuzzer target: component binary decode + validate (nested core modules
 * are decoded and validated by the core decoder). */
#include <stdint.h>

#include "component/component.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wf_error_t err = {0};
  wf_component_t *c = wf_component_decode(data, size, &err);
  wf_component_free(c);
  return 0;
}
