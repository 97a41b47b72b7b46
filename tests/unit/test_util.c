#include <string.h>

#include "test.h"
#include "util/error.h"
#include "core/module.h"

WF_TEST(error_first_wins) {
  wf_error_t e = {0};
  wf_error_at(&e, 12, "first %d", 1);
  wf_error_at(&e, 99, "second");
  CHECK(e.failed);
  CHECK_EQ(e.offset, 12);
  CHECK(strcmp(e.msg, "first 1") == 0);
  wf_error_clear(&e);
  CHECK(!e.failed);
}

WF_TEST(opcode_table_lookup) {
  CHECK_EQ(wf_opcode_lookup(0x6A), WF_OP_I32_ADD);
  CHECK_EQ(wf_opcode_lookup(0xFC0A), WF_OP_MEMORY_COPY);
  CHECK_EQ(wf_opcode_lookup(0xFF), -1);
  CHECK(strcmp(wf_opinfo[WF_OP_I64_LOAD32_U].name, "i64.load32_u") == 0);
  CHECK(strcmp(wf_opinfo[WF_OP_F64_ADD].sig, "dd:d") == 0);
}
