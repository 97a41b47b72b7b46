/* Static opcode facts, expanded from opcodes.def. */
#include "module.h"

const wf_opinfo_t wf_opinfo[WF_OP_COUNT] = {
#define WF_OP(id, name, code, imm, sig) [WF_OP_##id] = {name, code, WF_IMM_##imm, sig},
#include "opcodes.def"
#undef WF_OP
};

int wf_opcode_lookup(uint32_t code) {
  switch (code) {
#define WF_OP(id, name, c, imm, sig) case c: return WF_OP_##id;
#include "opcodes.def"
#undef WF_OP
    default: return -1;
  }
}

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
