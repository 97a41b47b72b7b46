/* weft_host.h — the header a host-bundle library is written against.
 *
 * A host bundle is a native library (plus its WIT and a host.toml) that
 * implements the interfaces its WIT world exports; weft loads it at run time
 * and links components that import those interfaces to it. The library needs
 * no link against weft: everything the runtime offers reaches it through the
 * versioned function table `weft_host_api` handed to every call.
 *
 * ABI version 1 (docs/host-bundles.md has the whole contract):
 *   - export `const uint32_t weft_host_abi_version = WEFT_HOST_ABI_VERSION;`
 *   - optional `weft_host_init` / `weft_host_fini` (signatures below)
 *   - one function per exported WIT function, named
 *     <namespace>_<package>_<interface>_<function> ('-', ':', '/' -> '_'),
 *     first parameter `weft_host_ctx *ctx`
 *   - one `<prefix>_<resource>_drop(weft_host_ctx *ctx, void *rep)` per
 *     exported resource.
 * `weft bindgen --host BUNDLE` writes the exact types and prototypes.
 *
 * Ownership: everything passed in is borrowed for the call; everything passed
 * out (strings, list buffers, nested buffers) must come from malloc and is
 * freed by weft after it has copied it into the guest. */
#ifndef WEFT_HOST_H
#define WEFT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_HOST_ABI_VERSION 1u

/* Symbols the library exports must be visible (for -fvisibility=hidden builds). */
#if defined(__GNUC__)
#define WEFT_HOST_EXPORT __attribute__((visibility("default")))
#else
#define WEFT_HOST_EXPORT
#endif

/* WIT `string`: UTF-8, len bytes. Strings weft passes in are also
 * NUL-terminated (the NUL is not counted in len); strings returned need not be. */
typedef struct weft_string {
  uint8_t *ptr;
  size_t len;
} weft_string;

/* WIT `list<string>` (other lists are generated per element type by bindgen,
 * all shaped { T *ptr; size_t len; }). */
typedef struct weft_list_string {
  weft_string *ptr;
  size_t len;
} weft_list_string;

typedef struct weft_host_ctx weft_host_ctx;

/* Log levels for weft_host_api.log. */
enum { WEFT_HOST_LOG_ERROR = 0, WEFT_HOST_LOG_WARN = 1, WEFT_HOST_LOG_INFO = 2, WEFT_HOST_LOG_DEBUG = 3 };

/* The runtime's function table. Later ABI versions only append members;
 * `size` is sizeof the table the runtime passes, so a library can test for a
 * member with offsetof(weft_host_api, member) < api->size. */
typedef struct weft_host_api {
  uint32_t abi_version;   /* WEFT_HOST_ABI_VERSION */
  uint32_t size;          /* sizeof(weft_host_api) in the runtime */
  /* Make the calling guest trap once this function returns, with msg
   * (copied). The function's results are ignored (outputs are still freed).
   * Only meaningful inside a call of an exported function. */
  void (*trap)(weft_host_ctx *ctx, const char *msg);
  /* A message on weft's diagnostic stream (stderr), prefixed with the host
   * name. ctx may be NULL (in weft_host_init). */
  void (*log)(weft_host_ctx *ctx, int level, const char *msg);
} weft_host_api;

/* Context of one call into the library. */
struct weft_host_ctx {
  void *state;                 /* what weft_host_init stored (NULL without init) */
  const weft_host_api *api;
  const char *host_name;       /* the name this instance of the library was loaded under */
  void *weft_private;          /* the runtime's; do not touch */
};

typedef struct weft_host_config_entry {
  const char *key;
  const char *value;
} weft_host_config_entry;

/* The host's name and its configuration: the [host.config] table of
 * host.toml, overridden key by key by the manifest's `config`. Valid during
 * weft_host_init only (copy what you keep). */
typedef struct weft_host_config {
  const char *host_name;
  size_t count;
  const weft_host_config_entry *entries;
} weft_host_config;

/* The value of `key`, or NULL. */
static inline const char *weft_host_config_get(const weft_host_config *cfg, const char *key) {
  for (size_t i = 0; cfg && i < cfg->count; i++) {
    const char *a = cfg->entries[i].key, *b = key;
    while (*a && *a == *b) { a++; b++; }
    if (*a == *b) return cfg->entries[i].value;
  }
  return NULL;
}

/* Optional entry points (define them with these exact signatures):
 *   int weft_host_init(const weft_host_api *api, const weft_host_config *cfg,
 *                      void **state, char **err);
 *       once per loaded instance; 0 = success; on failure set *err to a
 *       malloc'd message and return non-zero (loading fails with it).
 *   void weft_host_fini(void *state);
 *       once per instance when weft unloads it. */
typedef int (*weft_host_init_fn)(const weft_host_api *api, const weft_host_config *cfg, void **state,
                                 char **err);
typedef void (*weft_host_fini_fn)(void *state);

#ifdef __cplusplus
}
#endif
#endif
