/* weft_hosts.h — loading host bundles and host manifests (docs/host-bundles.md).
 *
 * A weft_hosts_t is a set of loaded hosts: native libraries that implement
 * WIT interfaces, each under a unique name. Add bundles (a directory with
 * host.toml, or a .tar.gz of one) and manifests (hosts.toml), then link them
 * into a linker for a component: every interface import a host exports gets
 * its functions and resource types defined.
 *
 *   weft_hosts_t *h = weft_hosts_new(0);
 *   weft_hosts_add_bundle(h, "duckdb_host", NULL, &err);
 *   weft_hosts_add_manifest(h, "hosts.toml", &err);
 *   weft_hosts_link(h, linker, component, &err);     // before instantiate
 *   ... weft_linker_instantiate ... (the hosts must outlive the instances)
 *   weft_hosts_free(h);
 *
 * Every failure is one message in err (TOML line:col, WIT file:line:col, a
 * missing library, dlopen's reason, all missing symbols, ...); a failed add
 * leaves the set as it was. */
#ifndef WEFT_HOSTS_H
#define WEFT_HOSTS_H

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_hosts weft_hosts_t;

enum {
  /* Load the WIT and check host.toml and its paths only: no dlopen
   * (bindgen, bundle scaffolding). */
  WEFT_HOSTS_WIT_ONLY = 1u << 0,
  /* dlopen and resolve everything but do not call weft_host_init
   * (`weft bundle check`: nothing of the library runs). */
  WEFT_HOSTS_NO_INIT = 1u << 1,
};

WEFT_API weft_hosts_t *weft_hosts_new(unsigned flags);
/* Calls every host's weft_host_fini, unloads the libraries, removes extracted archives. */
WEFT_API void weft_hosts_free(weft_hosts_t *h);
/* A bundle: a directory with host.toml, or a .tar.gz of one. name: load it
 * under this name instead of host.toml's (NULL: its own). */
WEFT_API weft_status_t weft_hosts_add_bundle(weft_hosts_t *h, const char *path, const char *name,
                                             weft_error_t *err);
/* Explicit form: a WIT file or package directory and a library. world NULL:
 * the only world of the package. */
WEFT_API weft_status_t weft_hosts_add_explicit(weft_hosts_t *h, const char *name, const char *wit,
                                               const char *lib, const char *world, weft_error_t *err);
/* A host manifest (hosts.toml): every [[host]] of it, all or nothing. */
WEFT_API weft_status_t weft_hosts_add_manifest(weft_hosts_t *h, const char *path, weft_error_t *err);
WEFT_API size_t weft_hosts_count(const weft_hosts_t *h);
WEFT_API const char *weft_hosts_name(const weft_hosts_t *h, size_t i);
/* Number of exported functions / resources of host i (for reports). */
WEFT_API size_t weft_hosts_func_count(const weft_hosts_t *h, size_t i);
WEFT_API size_t weft_hosts_resource_count(const weft_hosts_t *h, size_t i);
/* Define, in l, every function and resource type the hosts serve to c's
 * imports (provider selection: an interface import is served by the one
 * host exporting it; a plain-name import equal to a host name selects that
 * host). Checks each served import's types against the host's WIT. Imports
 * no host exports are left alone (WASI or the embedder may serve them). */
WEFT_API weft_status_t weft_hosts_link(weft_hosts_t *h, weft_linker_t *l, const weft_component_t *c,
                                       weft_error_t *err);

/* ---- tooling (weft wit / bindgen / bundle) ---- */
/* The resolved WIT of a .wit file, a WIT package directory, or a component
 * binary (its imports and exports as a world), as text; *out is malloc'd. */
WEFT_API weft_status_t weft_wit_text(const char *path, char **out, weft_error_t *err);
/* The C header (skeleton = 0) or a C skeleton with every function
 * (skeleton = 1) for a bundle dir/.tar.gz or a WIT path (world: NULL for the
 * only one); *out is malloc'd. */
WEFT_API weft_status_t weft_host_bindgen(const char *path, const char *world, int skeleton, char **out,
                                         weft_error_t *err);
/* Write bundle dir as out (a .tar.gz with the entries under the bundle's
 * name); out NULL: NAME.tar.gz in the current directory. *written (malloc'd)
 * receives the path written. */
WEFT_API weft_status_t weft_bundle_pack(const char *dir, const char *out, char **written, weft_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
