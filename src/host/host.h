/* Host bundles (docs/host-bundles.md): manifests, bundle loading, the C
 * layouts of WIT types, the libffi call bridge, provider selection and
 * header generation. Internal to src/host/; the public faces are
 * include/weft_hosts.h (embedders, CLI) and include/weft_host.h (libraries). */
#ifndef WF_HOST_HOST_H
#define WF_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ffi.h>

#include "../../include/weft.h"
#include "../../include/weft_host.h"
#include "../../include/weft_hosts.h"
#include "../util/arena.h"
#include "../util/error.h"
#include "../wit/wit.h"

/* ---- C layouts of WIT types (bridge_layout.c) ------------------------------
 * The table of docs/host-bundles.md: records/tuples are C structs, variants
 * { tag; union }, options { bool is_some; T val; }, results
 * { bool is_err; union { T ok; E err; } val; }, strings/lists { ptr; size_t len }. */
#define WF_HL_MAX_DEPTH 64u
typedef struct { uint32_t size, align; } wf_hlay_t;

/* Is t representable (no map, fixed-list, stream, future, error-context;
 * resources only of this WIT), and no deeper than WF_HL_MAX_DEPTH?
 * `where` names the function in the error. */
bool wf_hl_check(const wf_wit_t *w, wf_wit_tref t, const char *where, wf_error_t *err);
/* Layout of a checked type (WF_WIT_NONE: size 0, align 1). */
wf_hlay_t wf_hl_layout(const wf_wit_t *w, wf_wit_tref t);
/* The type behind aliases: either a primitive tref or a type index whose kind
 * is not ALIAS. */
wf_wit_tref wf_hl_resolve(const wf_wit_t *w, wf_wit_tref t);
/* Bytes of a variant/enum tag for n cases: 1, 2 or 4. */
uint32_t wf_hl_tag_size(uint32_t ncases);
/* Bytes of a flags value with n members (uint8/16/32, arrays of uint32 past 32). */
uint32_t wf_hl_flags_size(uint32_t nflags);
/* Offset of field i of a record/tuple. */
uint32_t wf_hl_field_offset(const wf_wit_t *w, wf_wit_tref t, uint32_t i);
/* Offset of the payload union of a variant/option/result. */
uint32_t wf_hl_payload_offset(const wf_wit_t *w, wf_wit_tref t);
/* Passed by value (bool, integers, floats, char, enums, flags up to 32
 * members, resource handles) rather than by const pointer. */
bool wf_hl_is_scalar(const wf_wit_t *w, wf_wit_tref t);
/* The libffi type of a scalar. */
ffi_type *wf_hl_ffi_scalar(const wf_wit_t *w, wf_wit_tref t);

/* How a function returns (3.2 of the contract). */
typedef enum {
  WF_HRET_NONE,     /* void */
  WF_HRET_SCALAR,   /* C return value */
  WF_HRET_PTR,      /* void, trailing T *ret */
  WF_HRET_OPTION,   /* bool (true = some), trailing T *ret */
  WF_HRET_RESULT,   /* bool (true = ok), trailing T *ret unless T is _, E *err unless E is _ */
} wf_hret_t;
typedef struct {
  uint8_t ret;                  /* wf_hret_t */
  wf_wit_tref result;           /* the WIT result type (resolved), or WF_WIT_NONE */
  wf_wit_tref ok, err;          /* OPTION: ok = payload; RESULT: the two sides (NONE if _) */
} wf_hsig_t;
void wf_hl_signature(const wf_wit_t *w, const wf_wit_func_t *f, wf_hsig_t *sig);

/* Symbol pieces: every '-', ':', '/', '.' turned to '_' (into buf). */
void wf_hl_mangle(char *buf, size_t cap, const char *s);
/* The symbol prefix of an interface: ns_pkg_iface. */
void wf_hl_iface_prefix(const wf_wit_t *w, uint32_t iface, char *buf, size_t cap);
/* The C symbol of function f of interface iface ("[method]r.m" -> prefix_r_m,
 * "[constructor]r" -> prefix_r_new). */
void wf_hl_func_symbol(const wf_wit_t *w, uint32_t iface, const wf_wit_func_t *f, char *buf, size_t cap);

/* ---- manifests (manifest.c) ------------------------------------------------ */
typedef struct {
  char *key, *value;
} wf_hkv_t;

/* What one host to load is: a bundle (dir or .tar.gz) or an explicit wit+lib. */
typedef struct {
  char *name;                   /* NULL: the bundle's own name */
  char *bundle;                 /* path of a bundle dir / tar.gz (resolved), or NULL */
  char *wit, *lib, *world;      /* explicit form (absolute or manifest-relative resolved) */
  wf_hkv_t *config; size_t nconfig;   /* overrides */
  bool has_config;
  char *origin;                 /* "FILE:LINE" of the entry, for messages */
} wf_hspec_t;

/* A parsed host.toml. */
typedef struct {
  char *name, *lib, *wit, *world;     /* lib/wit as written (relative to the bundle) */
  wf_hkv_t *config; size_t nconfig;
} wf_hbundle_toml_t;

bool wf_hmanifest_parse(const char *path, wf_hspec_t **specs, size_t *nspecs, wf_error_t *err);
bool wf_hbundle_toml_parse(const char *path, wf_hbundle_toml_t *out, wf_error_t *err);
void wf_hspec_fini(wf_hspec_t *s);
void wf_hbundle_toml_fini(wf_hbundle_toml_t *t);
/* Is s a valid host name (kebab-case label: [a-z0-9-], starts with a letter)? */
bool wf_hname_valid(const char *s);

/* ---- bundle directories and archives (bundle.c) ---------------------------- */
/* Resolve rel (from host.toml) inside the bundle directory dir: refuse
 * absolute paths, '..' and symlinks that leave the bundle. *out is malloc'd. */
bool wf_hbundle_path(const char *dir, const char *rel, const char *what, char **out, wf_error_t *err);
/* Does path end in .tar.gz / .tgz? */
bool wf_hbundle_is_tarball(const char *path);
/* Extract a .tar.gz into a fresh private temp dir (*tmpdir, malloc'd) and
 * find the bundle root in it (*root: the dir holding host.toml). Entries that
 * would land outside (absolute, '..', links leaving it) are refused. */
bool wf_hbundle_extract(const char *tarball, char **tmpdir, char **root, wf_error_t *err);
/* Remove a directory tree made by wf_hbundle_extract. */
void wf_hbundle_rmtree(const char *dir);
/* Write DIR as OUT (.tar.gz) with entries under NAME/. */
bool wf_hbundle_pack(const char *dir, const char *name, const char *out, wf_error_t *err);

/* ---- the bridge (bridge.c) -------------------------------------------------- */
typedef struct wf_hhost wf_hhost_t;

typedef struct {
  wf_hhost_t *host;
  uint32_t iface;               /* interface index in host->wit */
  const wf_wit_func_t *f;
  char *symbol;
  void (*fn)(void);
  wf_hsig_t sig;
  uint32_t nparams;
  bool *pscalar;                /* per WIT param */
  uint32_t nargs;               /* ctx + params + trailing pointers */
  ffi_type **atypes;
  ffi_type *rtype;
  ffi_cif cif;
} wf_hfunc_t;

typedef struct {
  wf_hhost_t *host;
  uint32_t iface;
  uint32_t type;                /* resource type index in host->wit */
  const char *name;
  char *symbol;                 /* <prefix>_<resource>_drop */
  void (*drop)(weft_host_ctx *ctx, void *rep);
} wf_hres_t;

struct wf_hhost {
  char *name;
  char *dir;                    /* bundle dir (NULL: explicit form) */
  char *tmpdir;                 /* extracted archive, removed at free */
  char *lib_path, *wit_path, *world_name;
  wf_wit_t *wit;
  uint32_t world;
  uint32_t *ifaces; uint32_t nifaces;   /* exported interfaces */
  void *dl;
  wf_hkv_t *config; size_t nconfig;
  void *state;
  bool inited;
  weft_host_fini_fn fini;
  wf_hfunc_t *funcs; uint32_t nfuncs;
  wf_hres_t *res; uint32_t nres;
  weft_host_api api;
};

/* Load the WIT, pick the world, collect functions/resources and check their
 * types; then (unless wit_only) dlopen, check the ABI version, resolve every
 * symbol, prepare the call interfaces; then (if run_init) call init. */
bool wf_hhost_load(wf_hhost_t *h, bool wit_only, bool run_init, wf_error_t *err);
void wf_hhost_free(wf_hhost_t *h);
/* Call f with args lifted from the guest; results' nested storage from
 * `arena`. Returns false with trap[] filled when the library (or a bad value
 * it returned) makes the guest trap. rtypes: resource types for own/borrow
 * results, per resource of the host (host->res order). */
bool wf_hfunc_call(wf_hfunc_t *f, weft_resource_type_t *const *rtypes, const weft_val_t *args, size_t nargs,
                   weft_val_t *results, size_t nresults, weft_arena_t *arena, char *trap, size_t trapcap);
/* Run a resource's destructor. */
void wf_hres_drop(wf_hres_t *r, uint64_t rep);

/* ---- header generation (bindgen.c) ---------------------------------------- */
/* A C header for host h's world (h->wit, h->world); malloc'd. skeleton: a C
 * source with an empty body for every function instead. */
char *wf_hbindgen(const wf_hhost_t *h, bool skeleton, wf_error_t *err);

/* ---- WIT of a component (witcomp.c) ---- */
/* The imports and exports of the component at path as WIT text (a world
 * plus one package block per imported/exported interface); malloc'd. */
char *wf_hwit_component_text(const char *path, wf_error_t *err);

/* ---- the set (hosts.c) ---- */
wf_hhost_t *wf_hosts_at(weft_hosts_t *h, size_t i);

#endif
