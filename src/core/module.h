/* Decoded and validated core WebAssembly module: the contract between the
 * decoder/validator (decode.c, validate.c) and everything above it
 * (translator, interpreter, runtime). A wf_module_t is immutable once
 * wf_module_decode() returns it, and may be shared by many instances. */
#ifndef WF_CORE_MODULE_H
#define WF_CORE_MODULE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

/* Value types, by their binary encoding. */
enum {
  WF_T_I32 = 0x7F,
  WF_T_I64 = 0x7E,
  WF_T_F32 = 0x7D,
  WF_T_F64 = 0x7C,
  WF_T_V128 = 0x7B, /* rejected by the validator: SIMD is not implemented */
  WF_T_FUNCREF = 0x70,
  WF_T_EXTERNREF = 0x6F,
  WF_T_EXNREF = 0x69,   /* exception handling: (ref null exn); 0 = null */
};

/* Immediate kinds of opcodes.def. */
typedef enum {
  WF_IMM_NONE,
  WF_IMM_BLOCKTYPE,   /* s33: 0x40 empty, a value type, or a type index */
  WF_IMM_LABEL,       /* u32 label depth */
  WF_IMM_BR_TABLE,    /* vec(u32) + u32 default */
  WF_IMM_FUNC,        /* u32 function index */
  WF_IMM_CALL_INDIRECT, /* u32 type index, u32 table index */
  WF_IMM_LOCAL,       /* u32 */
  WF_IMM_GLOBAL,      /* u32 */
  WF_IMM_TABLE,       /* u32 */
  WF_IMM_MEMARG,      /* u32 align, u32 offset */
  WF_IMM_MEM,         /* memory index: one 0x00 byte, or (multi-memory
                         modules) a u32 */
  WF_IMM_I32,         /* s32 LEB */
  WF_IMM_I64,         /* s64 LEB */
  WF_IMM_F32,         /* 4 raw bytes */
  WF_IMM_F64,         /* 8 raw bytes */
  WF_IMM_REFTYPE,     /* one reftype byte */
  WF_IMM_SELECT_T,    /* vec(valtype), length must be 1 */
  WF_IMM_TABLE_INIT,  /* u32 elem index, u32 table index */
  WF_IMM_TABLE_COPY,  /* u32 dst table, u32 src table */
  WF_IMM_MEMORY_INIT, /* u32 data index, 0x00 */
  WF_IMM_MEMORY_COPY, /* 0x00 0x00 */
  WF_IMM_DATA,        /* u32 data index */
  WF_IMM_ELEM,        /* u32 elem index */
  WF_IMM_TAG,         /* u32 tag index */
  WF_IMM_TRY_TABLE,   /* blocktype, vec(catch clause) */
} wf_imm_kind_t;

/* A memarg's flags: bit 6 set means a memory index follows the alignment
 * (multi-memory); the alignment is the low bits. */
#define WF_MEMARG_HAS_MEM 0x40u

/* try_table catch clause kinds (their binary encoding). */
enum { WF_CATCH = 0, WF_CATCH_REF = 1, WF_CATCH_ALL = 2, WF_CATCH_ALL_REF = 3 };

typedef enum {
#define WF_OP(id, name, code, imm, sig) WF_OP_##id,
#include "opcodes.def"
#undef WF_OP
  WF_OP_COUNT
} wf_opcode_t;

/* Static facts about each opcode, indexed by wf_opcode_t (opcodes.c). */
typedef struct {
  const char *name;
  uint16_t code;      /* byte, or 0xFC00|sub */
  uint8_t imm;        /* wf_imm_kind_t */
  const char *sig;    /* "params:results" or NULL */
} wf_opinfo_t;
extern const wf_opinfo_t wf_opinfo[WF_OP_COUNT];
/* Map a binary opcode (byte, or 0xFC00|sub) to wf_opcode_t; -1 if unknown
 * (a table lookup: the decoder and the validator do it per instruction). */
extern const uint8_t wf_opcode_ids[0x200];
static inline int wf_opcode_lookup(uint32_t code) {
  if (code >= 0x100) {
    if ((code & ~0xFFu) != 0xFC00u) return -1;
    code = 0x100 | (code & 0xFF);
  }
  return (int)wf_opcode_ids[code] - 1;
}
/* Text name of a value type ("i32", ..., "externref"); "?" if unknown. */
const char *wf_valtype_name(uint8_t t);

typedef struct {
  uint32_t nparams, nresults;
  uint8_t *params;   /* nparams value types */
  uint8_t *results;  /* nresults value types */
} wf_functype_t;

typedef struct {
  uint32_t min;
  uint32_t max;      /* valid when has_max */
  bool has_max;
} wf_limits_t;

typedef struct { uint8_t elem; wf_limits_t lim; } wf_tabletype_t;  /* elem: reftype */
typedef struct { wf_limits_t lim; } wf_memtype_t;                  /* in 64 KiB pages */
typedef struct { uint8_t type; bool mut; } wf_globaltype_t;

typedef enum {
  WF_EXTERN_FUNC = 0,
  WF_EXTERN_TABLE = 1,
  WF_EXTERN_MEMORY = 2,
  WF_EXTERN_GLOBAL = 3,
  WF_EXTERN_TAG = 4,     /* exception handling */
} wf_externkind_t;

/* A constant expression of WebAssembly 2.0: a single instruction then end. */
typedef enum {
  WF_CONST_I32, WF_CONST_I64, WF_CONST_F32, WF_CONST_F64, /* bits in .bits */
  WF_CONST_REF_NULL,   /* .reftype */
  WF_CONST_REF_FUNC,   /* .index = function index */
  WF_CONST_GLOBAL_GET, /* .index = global index (an imported global) */
} wf_constkind_t;

typedef struct {
  uint8_t kind;      /* wf_constkind_t */
  uint8_t reftype;   /* for REF_NULL */
  uint32_t index;    /* for REF_FUNC / GLOBAL_GET */
  uint64_t bits;     /* for numeric constants (f32 in the low 32 bits) */
} wf_constexpr_t;

typedef struct {
  const char *module; uint32_t module_len;   /* point into wf_module_t.bytes; */
  const char *name; uint32_t name_len;       /* valid UTF-8, not NUL-terminated */
  uint8_t kind;                              /* wf_externkind_t */
  union {
    uint32_t type_idx;        /* FUNC, TAG (a function type without results) */
    wf_tabletype_t table;     /* TABLE */
    wf_memtype_t mem;         /* MEMORY */
    wf_globaltype_t global;   /* GLOBAL */
  } u;
} wf_import_t;

typedef struct {
  const char *name; uint32_t name_len;  /* into bytes, not NUL-terminated */
  uint8_t kind;                         /* wf_externkind_t */
  uint32_t index;                       /* in the kind's index space */
} wf_export_t;

typedef struct {
  wf_globaltype_t type;
  wf_constexpr_t init;   /* defined globals only */
} wf_global_t;

typedef enum { WF_SEG_ACTIVE, WF_SEG_PASSIVE, WF_SEG_DECLARATIVE } wf_segmode_t;

typedef struct {
  uint8_t mode;          /* wf_segmode_t */
  uint8_t reftype;       /* WF_T_FUNCREF or WF_T_EXTERNREF */
  uint32_t table;        /* active only */
  wf_constexpr_t offset; /* active only */
  uint32_t count;
  wf_constexpr_t *items; /* count items: REF_FUNC, REF_NULL or GLOBAL_GET */
} wf_elem_t;

typedef struct {
  uint8_t mode;          /* ACTIVE or PASSIVE */
  uint32_t mem;          /* active only */
  wf_constexpr_t offset; /* active only */
  const uint8_t *bytes;  /* into wf_module_t.bytes */
  uint32_t len;
} wf_data_t;

/* A function defined in the module (imports are not here). */
typedef struct {
  uint32_t type_idx;
  uint32_t nlocals;         /* declared locals, params excluded */
  uint8_t *local_types;     /* nlocals types (params are in the functype) */
  const uint8_t *code;      /* the body's instructions, after the local decls,
                               up to and including the final 0x0B */
  uint32_t code_len;
  uint32_t code_offset;     /* byte offset of `code` within the module */
  /* Filled by the validator, for the translator: */
  uint32_t max_stack;       /* greatest operand stack height (values) */
  uint32_t max_depth;       /* greatest control nesting depth, incl. the body */
} wf_func_t;

typedef struct wf_module {
  const uint8_t *bytes;      /* the binary: an owned copy, or borrowed */
  size_t len;
  bool bytes_borrowed;       /* WF_FEATURE_BORROW_BYTES: not freed with it */

  wf_functype_t *types;  uint32_t ntypes;
  wf_import_t *imports;  uint32_t nimports;

  /* Index spaces: imported entries first, then defined ones. */
  uint32_t nfuncs, nfunc_imports;
  uint32_t *func_type;       /* nfuncs: type index of each function */
  wf_func_t *funcs;          /* nfuncs - nfunc_imports defined functions */

  uint32_t ntables, ntable_imports;
  wf_tabletype_t *tables;    /* ntables */

  uint32_t nmems, nmem_imports;
  wf_memtype_t *mems;        /* nmems (several with multi-memory) */

  uint32_t nglobals, nglobal_imports;
  wf_global_t *globals;      /* nglobals (imported ones have no init) */

  uint32_t ntags, ntag_imports;
  uint32_t *tag_type;        /* ntags: type index of each tag (no results) */

  wf_export_t *exports;  uint32_t nexports;

  bool has_start; uint32_t start;

  wf_elem_t *elems;      uint32_t nelems;
  wf_data_t *datas;      uint32_t ndatas;
  bool has_datacount;

  /* From the "name" custom section, when present and well formed: names of
   * functions by index (NULL where absent), for backtraces. NUL-terminated. */
  char **func_names;     /* nfuncs entries or NULL */

  /* Interpreter code shared by the module's instances (translate.c): per
   * defined function, a template published once (compare-and-swap) and
   * never changed after; NULL until the function is first translated.
   * Freed (free()) with the module. NULL array: nothing is shared. */
  _Atomic(struct wf_code_tmpl *) *code_tmpls;   /* nfuncs - nfunc_imports */

  /* Copy-on-write image of memory 0's initial contents (memimage.c): built
   * on the first instantiation that asks, published once, freed with the
   * module. NULL until then; see memimage.c for the marker values. */
  _Atomic(struct wf_memimage *) memimage;
} wf_module_t;

/* Limits that protect the host from hostile modules. */
#define WF_MAX_TYPES      1000000u
#define WF_MAX_FUNCS      1000000u
#define WF_MAX_IMPORTS    100000u
#define WF_MAX_EXPORTS    100000u
#define WF_MAX_LOCALS     50000u      /* per function, params included */
#define WF_MAX_PARAMS     1000u
#define WF_MAX_RESULTS    1000u
#define WF_MAX_TABLES     100000u
#define WF_MAX_GLOBALS    1000000u
#define WF_MAX_SEGMENTS   100000u
#define WF_MAX_BR_TABLE   1000000u
#define WF_MAX_NESTING    10000u      /* control depth within one function */
#define WF_MAX_FUNC_SIZE  (7u << 20)  /* bytes of one body */
#define WF_MAX_TABLE_ELEMS 10000000u  /* a table may not grow past this */
#define WF_MAX_MEM_PAGES  65536u
#define WF_MAX_MEMORIES   100u        /* each reserves 8 GiB of address space */
#define WF_MAX_TAGS       100000u

/* Decode and validate `len` bytes (copied). On failure returns NULL and fills
 * *err with the byte offset and a reason whose text follows the spec
 * interpreter's wording where the spec tests check it ("unexpected end",
 * "magic header not detected", "type mismatch", ...). */
wf_module_t *wf_module_decode(const uint8_t *bytes, size_t len, wf_error_t *err);

/* Proposals beyond WebAssembly 2.0 that conflict with its test suite, on
 * request. (Exception handling -- tags, throw, throw_ref, try_table, exnref
 * -- is always accepted: 2.0 has no meaning for those encodings.) */
#define WF_FEATURE_MULTI_MEMORY 0x1u   /* else "multiple memories" is invalid */
/* Not a proposal: the caller keeps `bytes` alive and unchanged for as long
 * as the module (a component's core modules point into its copy), so the
 * module uses them instead of copying. */
#define WF_FEATURE_BORROW_BYTES 0x2u
/* wf_module_decode with `features` (WF_FEATURE_* flags); wf_module_decode
 * is this with none. Core modules inside components use multi-memory. */
wf_module_t *wf_module_decode_ex(const uint8_t *bytes, size_t len, uint32_t features,
                                 wf_error_t *err);
void wf_module_free(wf_module_t *m);
/* Frees the module's memory image, if any (memimage.c; wf_module_free calls it). */
void wf_memimage_release(wf_module_t *m);

/* Convenience: the type of function `idx` of m. */
static inline const wf_functype_t *wf_module_functype(const wf_module_t *m, uint32_t idx) {
  return &m->types[m->func_type[idx]];
}

#endif
