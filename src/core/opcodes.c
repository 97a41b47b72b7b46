/* Static opcode facts, expanded from opcodes.def. */
#include "module.h"

const wf_opinfo_t wf_opinfo[WF_OP_COUNT] = {
#define WF_OP(id, name, code, imm, sig) [WF_OP_##id] = {name, code, WF_IMM_##imm, sig},
#include "opcodes.def"
#undef WF_OP
};

/* wf_opcode_t + 1 of each binary opcode (0: none): one-byte opcodes at
 * their value, 0xFC-prefixed ones at 0x100 + sub. */
_Static_assert(WF_OP_COUNT < 255, "opcode ids fit a byte");
const uint8_t wf_opcode_ids[0x200] = {
#define WF_OP(id, name, code, imm, sig) [(code) < 0x100 ? (code) : 0x100 + ((code) & 0xFF)] = WF_OP_##id + 1,
#include "opcodes.def"
#undef WF_OP
};

const char *wf_valtype_name(uint8_t t) {
  switch (t) {
    case WF_T_I32: return "i32";
    case WF_T_I64: return "i64";
    case WF_T_F32: return "f32";
    case WF_T_F64: return "f64";
    case WF_T_V128: return "v128";
    case WF_T_FUNCREF: return "funcref";
    case WF_T_EXTERNREF: return "externref";
    case WF_T_EXNREF: return "exnref";
    default: return "?";
  }
}
