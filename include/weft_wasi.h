/* weft — WASI 0.2 for components (wasi:cli/command and what it imports).
 *
 * A weft_wasi_config_t describes what a guest may see: arguments, environment,
 * preopened directories, stdio and network permissions. weft_linker_add_wasi
 * defines every WASI 0.2 interface in a linker (at @0.2.12; imports of any
 * 0.2.x match semver-compatibly) and gives each instance the linker makes its
 * own WASI state, built from the config when the instance is created.
 *
 * The config must outlive the linker and every instance made by it.
 * Guest paths never resolve outside their preopened directory. */
#ifndef WEFT_WASI_H
#define WEFT_WASI_H

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_wasi_config weft_wasi_config_t;

WEFT_API weft_wasi_config_t *weft_wasi_config_new(void);
WEFT_API void weft_wasi_config_free(weft_wasi_config_t *cfg);

/* Append one argument (the first is the program name, argv[0]). */
WEFT_API weft_status_t weft_wasi_config_arg(weft_wasi_config_t *cfg, const char *arg);
/* Set NAME=VALUE (replaces an earlier value of NAME). */
WEFT_API weft_status_t weft_wasi_config_env(weft_wasi_config_t *cfg, const char *name, const char *value);
/* Add the host's environment (at instantiation; explicit env entries win). */
WEFT_API void weft_wasi_config_inherit_env(weft_wasi_config_t *cfg, int on);
/* What wasi:cli/environment.initial-cwd returns (NULL: none, the default). */
WEFT_API weft_status_t weft_wasi_config_cwd(weft_wasi_config_t *cfg, const char *guest_path);

/* Preopen host directory `host_path` as `guest_path` (e.g. "/" or "."). The
 * directory is opened at instantiation. perms: WEFT_WASI_DIR_READ|WRITE. */
#define WEFT_WASI_DIR_READ 1
#define WEFT_WASI_DIR_WRITE 2
WEFT_API weft_status_t weft_wasi_config_preopen(weft_wasi_config_t *cfg, const char *host_path,
                                                const char *guest_path, int perms, weft_error_t *err);

/* Host file descriptors behind the guest's stdin, stdout, stderr (each is
 * duplicated at instantiation); -1: empty stdin / discarded output. The
 * default is -1 for all three. */
WEFT_API void weft_wasi_config_stdio(weft_wasi_config_t *cfg, int in_fd, int out_fd, int err_fd);
WEFT_API void weft_wasi_config_inherit_stdio(weft_wasi_config_t *cfg);   /* 0, 1, 2 */

/* Permissions, all off by default: sockets (wasi:sockets), name lookup
 * (wasi:sockets/ip-name-lookup), outgoing HTTP (wasi:http). */
WEFT_API void weft_wasi_config_network(weft_wasi_config_t *cfg, int allow_network, int allow_name_lookup);
WEFT_API void weft_wasi_config_http(weft_wasi_config_t *cfg, int on);

/* Define WASI 0.2 in the linker, served from cfg (which must outlive it). */
WEFT_API weft_status_t weft_linker_add_wasi(weft_linker_t *l, weft_wasi_config_t *cfg, weft_error_t *err);

/* 1 and *code if the instance called wasi:cli/exit (exit(ok) = 0,
 * exit(err) = 1, exit-with-code(n) = n); 0 otherwise. */
WEFT_API int weft_wasi_exit_code(weft_cinstance_t *inst, int *code);

/* Call the instance's wasi:cli/run#run and give the process exit code:
 * 0 for ok, 1 for err, the code passed to wasi:cli/exit if the guest exited.
 * Returns WEFT_OK when *exit_code is set (even a non-zero one); a trap (other
 * than exit) is WEFT_ERR_TRAP with message and backtrace in err; an instance
 * without wasi:cli/run is WEFT_ERR_LINK. */
WEFT_API weft_status_t weft_wasi_run(weft_cinstance_t *inst, int *exit_code, weft_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
