/* Public API support: filling weft_error_t, and converting values between
 * the public weft_core_val_t and the runtime's 64-bit slots. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void err_reset(weft_error_t *err, weft_status_t st) {
  err->status = st;
  err->trap = WEFT_TRAP_NONE;
  err->offset = -1;
  err->message[0] = 0;
  err->backtrace[0] = 0;
}

void wf_api_ok(weft_error_t *err) {
  if (err) err_reset(err, WEFT_OK);
}

void wf_api_err(weft_error_t *err, weft_status_t st, const char *fmt, ...) {
  if (!err) return;
  err_reset(err, st);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

weft_status_t wf_api_fail(weft_error_t *err, weft_status_t st, const char *fmt, ...) {
  if (!err) return st;
  err_reset(err, st);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return st;
}

weft_trap_code_t wf_api_trap_code(wf_trapcode_t c) {
  switch (c) {
  case WF_TRAP_NONE: return WEFT_TRAP_NONE;
  case WF_TRAP_UNREACHABLE: return WEFT_TRAP_UNREACHABLE;
  case WF_TRAP_MEM_OOB: return WEFT_TRAP_MEM_OOB;
  case WF_TRAP_TABLE_OOB: return WEFT_TRAP_TABLE_OOB;
  case WF_TRAP_UNDEFINED_ELEMENT: return WEFT_TRAP_UNDEFINED_ELEMENT;
  case WF_TRAP_UNINITIALIZED_ELEMENT: return WEFT_TRAP_UNINITIALIZED_ELEMENT;
  case WF_TRAP_INDIRECT_TYPE: return WEFT_TRAP_INDIRECT_TYPE;
  case WF_TRAP_DIV_ZERO: return WEFT_TRAP_DIV_ZERO;
  case WF_TRAP_INT_OVERFLOW: return WEFT_TRAP_INT_OVERFLOW;
  case WF_TRAP_BAD_CONVERSION: return WEFT_TRAP_BAD_CONVERSION;
  case WF_TRAP_STACK_EXHAUSTED: return WEFT_TRAP_STACK_EXHAUSTED;
  case WF_TRAP_OOM: return WEFT_TRAP_OOM;
  case WF_TRAP_COMPONENT: return WEFT_TRAP_COMPONENT;
  case WF_TRAP_INTERRUPT: return WEFT_TRAP_INTERRUPT;
  case WF_TRAP_EXCEPTION: case WF_TRAP_NULL_EXN: case WF_TRAP_BAD_EXN: return WEFT_TRAP_EXCEPTION;
  case WF_TRAP_HOST:
  default: return WEFT_TRAP_HOST;
  }
}

/* The first export naming function `idx`, for frames without a name. */
static const wf_export_t *export_of_func(const wf_module_t *m, uint32_t idx) {
  for (uint32_t i = 0; i < m->nexports; i++)
    if (m->exports[i].kind == WF_EXTERN_FUNC && m->exports[i].index == idx) return &m->exports[i];
  return NULL;
}

void wf_api_trap(weft_error_t *err, const wf_trap_t *t) {
  if (!err) return;
  err_reset(err, WEFT_ERR_TRAP);
  err->trap = wf_api_trap_code(t->code);
  snprintf(err->message, sizeof err->message, "%s",
           t->msg[0] ? t->msg : wf_trap_message(t->code));
  size_t used = 0, cap = sizeof err->backtrace;
  uint32_t n = t->nframes < WF_BACKTRACE_MAX ? t->nframes : WF_BACKTRACE_MAX;
  for (uint32_t i = 0; i < n && used + 1 < cap; i++) {
    const wf_frame_t *f = &t->frames[i];
    int w;
    if (!f->module) {
      w = snprintf(err->backtrace + used, cap - used, "  #%u <host function>\n", i);
    } else {
      const char *name = NULL;
      if (f->module->func_names && f->func_idx < f->module->nfuncs)
        name = f->module->func_names[f->func_idx];
      const wf_export_t *ex = name ? NULL : export_of_func(f->module, f->func_idx);
      if (name)
        w = snprintf(err->backtrace + used, cap - used, "  #%u func[%u] %s\n", i, f->func_idx, name);
      else if (ex)
        w = snprintf(err->backtrace + used, cap - used, "  #%u func[%u] (export \"%.*s\")\n", i,
                     f->func_idx, (int)ex->name_len, ex->name);
      else
        w = snprintf(err->backtrace + used, cap - used, "  #%u func[%u]\n", i, f->func_idx);
    }
    if (w < 0) break;
    if ((size_t)w >= cap - used) {
      /* Truncated: end the text at the last complete line. */
      err->backtrace[used] = 0;
      break;
    }
    used += (size_t)w;
  }
}

int wf_api_valtype(weft_valkind_t k, uint8_t *out) {
  switch (k) {
  case WEFT_I32: *out = WF_T_I32; return 1;
  case WEFT_I64: *out = WF_T_I64; return 1;
  case WEFT_F32: *out = WF_T_F32; return 1;
  case WEFT_F64: *out = WF_T_F64; return 1;
  case WEFT_FUNCREF: *out = WF_T_FUNCREF; return 1;
  case WEFT_EXTERNREF: *out = WF_T_EXTERNREF; return 1;
  default: return 0;
  }
}

weft_valkind_t wf_api_valkind(uint8_t t) {
  switch (t) {
  case WF_T_I64: return WEFT_I64;
  case WF_T_F32: return WEFT_F32;
  case WF_T_F64: return WEFT_F64;
  case WF_T_FUNCREF: return WEFT_FUNCREF;
  case WF_T_EXTERNREF: return WEFT_EXTERNREF;
  case WF_T_I32:
  default: return WEFT_I32;
  }
}

uint64_t wf_api_to_slot(const weft_core_val_t *v) {
  switch (v->kind) {
  case WEFT_I32: return (uint32_t)v->of.i32;
  case WEFT_I64: return (uint64_t)v->of.i64;
  case WEFT_F32: return v->of.f32_bits;
  case WEFT_F64: return v->of.f64_bits;
  case WEFT_FUNCREF: return (uint64_t)(uintptr_t)v->of.funcref;
  case WEFT_EXTERNREF: return v->of.externref;
  default: return 0;
  }
}

weft_core_val_t wf_api_from_slot(uint8_t type, uint64_t slot) {
  weft_core_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = wf_api_valkind(type);
  switch (v.kind) {
  case WEFT_I32: v.of.i32 = (int32_t)(uint32_t)slot; break;
  case WEFT_I64: v.of.i64 = (int64_t)slot; break;
  case WEFT_F32: v.of.f32_bits = (uint32_t)slot; break;
  case WEFT_F64: v.of.f64_bits = slot; break;
  case WEFT_FUNCREF: v.of.funcref = (weft_func_t *)(uintptr_t)slot; break;
  case WEFT_EXTERNREF: v.of.externref = slot; break;
  }
  return v;
}
