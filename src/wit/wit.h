/* WIT (the Component Model IDL): parser, resolver and the resolved IR.
 *
 * A wf_wit_t holds every resolved package of one load: the root package(s)
 * and their dependencies, in dependency order (a package comes after the
 * packages it uses). Interfaces, worlds, types and functions live in flat
 * arrays indexed by stable ids; a type reference (wf_wit_tref) is either a
 * primitive or an index into types[], so the component layer can map each
 * WIT type to a component type once by index. See docs/wit.md. */
#ifndef WF_WIT_WIT_H
#define WF_WIT_WIT_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* ---- type references ------------------------------------------------ */
/* A tref >= 0 is an index into wf_wit_t.types; a negative one is a
 * primitive: WF_WIT_PRIM_REF(p) / WF_WIT_REF_PRIM(t). WF_WIT_NONE means
 * "no type" (a result-less function, `result<_, E>`'s ok, a case with no
 * payload). */
typedef int32_t wf_wit_tref;
#define WF_WIT_NONE ((wf_wit_tref)INT32_MIN)
#define WF_WIT_IS_PRIM(t) ((t) < 0 && (t) != WF_WIT_NONE)
#define WF_WIT_PRIM_REF(p) ((wf_wit_tref)(-1 - (int32_t)(p)))
#define WF_WIT_REF_PRIM(t) ((wf_wit_prim_t)(-1 - (t)))

typedef enum {
  WF_WIT_BOOL, WF_WIT_U8, WF_WIT_U16, WF_WIT_U32, WF_WIT_U64,
  WF_WIT_S8, WF_WIT_S16, WF_WIT_S32, WF_WIT_S64, WF_WIT_F32, WF_WIT_F64,
  WF_WIT_CHAR, WF_WIT_STRING, WF_WIT_ERROR_CONTEXT,
  WF_WIT_PRIM_COUNT
} wf_wit_prim_t;

typedef enum {
  WF_WIT_TYPE_ALIAS,      /* type a = <target>; also what `use` creates */
  WF_WIT_TYPE_RECORD,
  WF_WIT_TYPE_VARIANT,
  WF_WIT_TYPE_ENUM,
  WF_WIT_TYPE_FLAGS,
  WF_WIT_TYPE_RESOURCE,
  WF_WIT_TYPE_TUPLE,
  WF_WIT_TYPE_LIST,
  WF_WIT_TYPE_FIXED_LIST, /* list<T, N> */
  WF_WIT_TYPE_MAP,        /* map<K, V> */
  WF_WIT_TYPE_OPTION,
  WF_WIT_TYPE_RESULT,
  WF_WIT_TYPE_OWN,
  WF_WIT_TYPE_BORROW,
  WF_WIT_TYPE_STREAM,     /* stream<T>; elem may be WF_WIT_NONE */
  WF_WIT_TYPE_FUTURE,     /* future<T>; elem may be WF_WIT_NONE */
  WF_WIT_TYPE_KIND_COUNT
} wf_wit_type_kind_t;

typedef enum { WF_WIT_OWNER_NONE, WF_WIT_OWNER_INTERFACE, WF_WIT_OWNER_WORLD } wf_wit_owner_t;

/* Feature gates: @since(version = V), @unstable(feature = F),
 * @deprecated(version = V). */
typedef struct {
  uint8_t kind;            /* 0 none (stable), 1 since, 2 unstable, 3 deprecated */
  const char *value;       /* the version or the feature name */
  const char *since;       /* for deprecated: the paired @since, if any */
} wf_wit_gate_t;

typedef struct {
  const char *name;
  wf_wit_tref type;        /* WF_WIT_NONE for enum/flags entries, payload-less cases */
  const char *docs;
} wf_wit_field_t;

typedef struct {
  const char *name;        /* NULL for anonymous types (list<u8>, ...) */
  uint8_t kind;            /* wf_wit_type_kind_t */
  uint8_t owner_kind;      /* wf_wit_owner_t */
  uint32_t owner;          /* interface or world index */
  /* ALIAS/LIST/OPTION/OWN/BORROW/STREAM/FUTURE/FIXED_LIST: a is the target
   * or element; RESULT: a = ok, b = err; MAP: a = key, b = value. */
  wf_wit_tref a, b;
  uint32_t length;         /* FIXED_LIST */
  /* RECORD fields, VARIANT cases, ENUM/FLAGS names, TUPLE elements (name NULL). */
  wf_wit_field_t *fields;
  uint32_t nfields;
  wf_wit_gate_t gate;
  const char *docs;
} wf_wit_type_t;

typedef enum {
  WF_WIT_FUNC_FREESTANDING, WF_WIT_FUNC_METHOD, WF_WIT_FUNC_STATIC, WF_WIT_FUNC_CONSTRUCTOR
} wf_wit_func_kind_t;

typedef struct {
  const char *name;        /* as in the component: "f", "[method]r.f", "[static]r.f", "[constructor]r" */
  uint8_t kind;            /* wf_wit_func_kind_t */
  uint8_t is_async;
  uint32_t resource;       /* the resource type index, for non-freestanding */
  wf_wit_field_t *params;  /* methods begin with self: borrow<R> */
  uint32_t nparams;
  wf_wit_tref result;      /* WF_WIT_NONE: no result */
  wf_wit_gate_t gate;
  const char *docs;
} wf_wit_func_t;

typedef struct { const char *name; uint32_t type; } wf_wit_named_type_t;

typedef struct {
  const char *name;        /* NULL for an inline interface of a world */
  uint32_t package;
  wf_wit_named_type_t *types;   /* in resolution order */
  uint32_t ntypes;
  wf_wit_func_t *funcs;
  uint32_t nfuncs;
  wf_wit_gate_t gate;
  const char *docs;
} wf_wit_interface_t;

typedef enum { WF_WIT_ITEM_INTERFACE, WF_WIT_ITEM_FUNC, WF_WIT_ITEM_TYPE } wf_wit_item_kind_t;

/* One import or export of a world. key is the extern name: for an interface
 * named by path it is the interface's id "ns:pkg/name@ver" (key_is_id=1);
 * otherwise the plain kebab name. */
typedef struct {
  const char *key;
  uint8_t key_is_id;
  uint8_t kind;            /* wf_wit_item_kind_t */
  uint32_t index;          /* interface index, type index */
  wf_wit_func_t func;      /* for WF_WIT_ITEM_FUNC */
  wf_wit_gate_t gate;
} wf_wit_world_item_t;

typedef struct {
  const char *name;
  uint32_t package;
  wf_wit_world_item_t *imports, *exports;
  uint32_t nimports, nexports;
  wf_wit_gate_t gate;
  const char *docs;
} wf_wit_world_t;

typedef struct {
  const char *ns, *name, *version;   /* version NULL if none */
  const char *id;                    /* "ns:name" or "ns:name@version" */
  uint32_t *interfaces, ninterfaces; /* indices, in resolution order */
  uint32_t *worlds, nworlds;
  const char *docs;
} wf_wit_package_t;

typedef struct wf_wit wf_wit_t;
struct wf_wit {
  wf_wit_package_t *packages;   uint32_t npackages;
  wf_wit_interface_t *interfaces; uint32_t ninterfaces;
  wf_wit_world_t *worlds;       uint32_t nworlds;
  wf_wit_type_t *types;         uint32_t ntypes;
  /* The packages named by the loaded path itself (not its deps/), in order. */
  uint32_t *roots; uint32_t nroots;
  void *priv;                   /* allocation state; leave alone */
};

/* Load options. features: comma-separated @unstable features to enable
 * (NULL: none); all_features enables every one. */
typedef struct {
  const char *features;
  int all_features;
} wf_wit_opts_t;

/* A .wit file, or a directory: its *.wit files form one package (plus any
 * nested `package x:y { }` blocks), and deps/ holds dependencies, each a
 * .wit file or a directory. Returns NULL and fills err on failure; the
 * message reads "file:line:col: reason" where a position is known. */
wf_wit_t *wf_wit_load_path(const char *path, wf_error_t *err);
wf_wit_t *wf_wit_load_path_opts(const char *path, const wf_wit_opts_t *opts, wf_error_t *err);
/* One WIT document from memory; name is used in messages. */
wf_wit_t *wf_wit_parse_string(const char *name, const char *text, wf_error_t *err);
wf_wit_t *wf_wit_parse_buffer(const char *name, const char *text, size_t len,
                              const wf_wit_opts_t *opts, wf_error_t *err);
void wf_wit_free(wf_wit_t *w);

/* Lookups: return an index or -1. pkg is "ns:name" or "ns:name@ver"
 * (without a version it matches the only package of that name). */
int32_t wf_wit_find_package(const wf_wit_t *w, const char *pkg);
int32_t wf_wit_find_interface(const wf_wit_t *w, int32_t pkg, const char *name);
int32_t wf_wit_find_world(const wf_wit_t *w, int32_t pkg, const char *name);
/* "ns:pkg/iface@ver" style ids */
int32_t wf_wit_find_interface_id(const wf_wit_t *w, const char *id);
int32_t wf_wit_find_type(const wf_wit_t *w, uint32_t iface, const char *name);
const wf_wit_func_t *wf_wit_find_func(const wf_wit_t *w, uint32_t iface, const char *name);
/* A world's import (exports=0) or export (exports=1) by its extern key
 * ("name" or "ns:pkg/iface@ver"). */
const wf_wit_world_item_t *wf_wit_find_world_item(const wf_wit_t *w, uint32_t world, int exports, const char *key);
/* Follow ALIAS types to the defining type (or primitive). */
wf_wit_tref wf_wit_unalias(const wf_wit_t *w, wf_wit_tref t);
const char *wf_wit_prim_name(wf_wit_prim_t p);
/* The interface's extern name: "ns:pkg/name@ver" (into buf). */
const char *wf_wit_interface_id(const wf_wit_t *w, uint32_t iface, char *buf, size_t cap);

/* Print the resolved packages as WIT text; every package, each in its own
 * `package x:y { ... }` block when there are several. Returns a malloc'd
 * string (NULL on allocation failure). */
char *wf_wit_print(const wf_wit_t *w);

#endif
