/* WASI 0.2 layer: the internal contract between its files (one per
 * interface: wasi_cli.c, wasi_io_*.c, wasi_clocks.c, wasi_random.c,
 * wasi_fs*.c, wasi_ctx.c) and the modules that plug into it later
 * (wasi:sockets, wasi:http).
 *
 * Model
 * - weft_linker_add_wasi makes one wf_wasi_link_t (owned by the config):
 *   the host resource types of WASI, defined once in the linker, plus the
 *   config. Host functions get it as their `env`.
 * - Every instance gets a wf_wasi_ctx_t (per-instance host state, key
 *   WF_WASI_STATE_KEY): copies of args/env, preopened directory fds, stdio
 *   fds, permissions, the exit code. wf_wasi_ctx(call) finds it.
 * - Every WASI resource's rep is a pointer to a refcounted object with a
 *   wf_wasi_obj_t header. A guest handle holds one reference; the host
 *   destructor (one for all WASI types) drops it. Objects that depend on
 *   another (a pollable on its stream, a file stream on its descriptor)
 *   hold a reference, so drop order never matters and nothing dangles.
 * - Streams and pollables are small vtable objects any module can make
 *   (http bodies, tcp streams): implement wf_wasi_istream_ops_t /
 *   wf_wasi_ostream_ops_t, embed the struct first in your object, and hand
 *   it to the guest with wf_wasi_own(). Readiness is described by a
 *   wf_wasi_wait_t (ready now, or an fd + poll events, and/or a deadline),
 *   so wasi:io/poll can wait on any mix of them with one poll(2).
 */
#ifndef WF_WASI_H
#define WF_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/weft.h"
#include "../../include/weft_wasi.h"

/* Interfaces are defined at this version; imports of any 0.2.x match. */
#define WF_WASI_VERSION "0.2.12"
#define WF_WASI_IFACE(x) "wasi:" x "@" WF_WASI_VERSION   /* WF_WASI_IFACE("io/streams") */

/* Limits on guest-chosen sizes (a guest length is clamped, never trusted). */
#define WF_WASI_MAX_IO (64u << 10)         /* bytes per read / write budget */

/* ---- refcounted objects ---------------------------------------------------- */
typedef struct wf_wasi_obj wf_wasi_obj_t;
struct wf_wasi_obj {
  uint32_t refs;
  void (*destroy)(wf_wasi_obj_t *self);   /* frees the object (refs reached 0) */
};
void wf_wasi_obj_init(wf_wasi_obj_t *o, void (*destroy)(wf_wasi_obj_t *));   /* refs = 1 */
void *wf_wasi_ref(void *obj);             /* obj starts with a wf_wasi_obj_t; returns obj */
void wf_wasi_unref(void *obj);            /* NULL ok */

/* ---- readiness ---------------------------------------------------------------- */
#define WF_WASI_NO_DEADLINE UINT64_MAX
typedef struct {
  bool ready;             /* ready now */
  int fd;                 /* else: ready when poll(2) reports `events` on fd (-1: no fd) */
  short events;           /* POLLIN / POLLOUT */
  uint64_t deadline;      /* and/or when the monotonic clock reaches this (ns) */
} wf_wasi_wait_t;         /* neither fd nor deadline and not ready: never ready */
void wf_wasi_wait_init(wf_wasi_wait_t *w);     /* not ready, fd -1, no deadline */
uint64_t wf_wasi_monotonic_ns(void);

/* wasi:io/poll pollable: readiness of a source object, or a deadline. */
typedef struct wf_wasi_pollable wf_wasi_pollable_t;
typedef void (*wf_wasi_readiness_fn)(wf_wasi_obj_t *source, wf_wasi_wait_t *w);
struct wf_wasi_pollable {
  wf_wasi_obj_t obj;
  wf_wasi_obj_t *source;              /* a reference, or NULL */
  wf_wasi_readiness_fn readiness;     /* NULL: ready at `deadline` */
  uint64_t deadline;
};
wf_wasi_pollable_t *wf_wasi_pollable_new(wf_wasi_obj_t *source, wf_wasi_readiness_fn readiness);
wf_wasi_pollable_t *wf_wasi_pollable_deadline(uint64_t deadline_ns);   /* 0: ready now */
void wf_wasi_pollable_wait(wf_wasi_pollable_t *p, wf_wasi_wait_t *w);
/* Block until at least one of ps[0..n) is ready; ready[i] set for each
 * ready one. 0 ok, -1 on a poll(2) failure other than EINTR or when
 * nothing can ever become ready. */
int wf_wasi_poll(wf_wasi_pollable_t **ps, size_t n, bool *ready);
/* The same, also woken when the calling instance is interrupted
 * (weft_cinstance_interrupt, a serve timeout): then WF_WASI_INTERRUPTED,
 * after wf_call_interrupted(call, where) recorded the trap (the host
 * function returns non-zero). call NULL: not interruptible. */
#define WF_WASI_INTERRUPTED (-3)
int wf_wasi_poll_call(weft_call_t *call, const char *where, wf_wasi_pollable_t **ps, size_t n, bool *ready);

/* ---- interrupts (src/api/interrupt.c) ------------------------------------------
 * A host function about to block gets the calling instance's interrupt
 * eventfd (readable once it is interrupted; -1 if none could be made),
 * then checks wf_call_interrupt_pending, then waits on the fd with the
 * rest: an interrupt in between is never missed. When it fires, return
 * wf_call_interrupted(call, "wasi:io/poll.poll"): the guest traps with
 * WEFT_TRAP_INTERRUPT, message "interrupted (while blocked in <where>)". */
int wf_call_interrupt_fd(weft_call_t *call);
bool wf_call_interrupt_pending(weft_call_t *call);
int wf_call_interrupted(weft_call_t *call, const char *where);   /* returns 1 */

/* ---- wasi:io/error ------------------------------------------------------------ */
typedef struct {
  wf_wasi_obj_t obj;
  int errnum;             /* host errno behind it, or 0 */
  int fs_code;            /* wasi:filesystem error-code index, or -1 */
  char msg[];             /* NUL-terminated */
} wf_wasi_ioerr_t;
wf_wasi_ioerr_t *wf_wasi_ioerr_new(const char *msg, int errnum);   /* fs_code from errnum */
/* Write all of buf to fd (a socket: send without SIGPIPE), waiting for
 * POLLOUT when it would block (what check-write granted must be finished):
 * 0, WF_WASI_CLOSED (EPIPE) or WF_WASI_FAILED with *err (wasi_io_streams.c). */
int wf_wasi_write_all(int fd, bool sock, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err);

/* ---- streams ------------------------------------------------------------------------
 * Results of stream operations: a count/OK (>= 0), or end of stream, or a
 * failure that comes with a new error object (*err, one reference). */
#define WF_WASI_CLOSED (-1)
#define WF_WASI_FAILED (-2)

typedef struct wf_wasi_istream wf_wasi_istream_t;
typedef struct wf_wasi_ostream wf_wasi_ostream_t;
typedef struct {
  /* Read at most cap (> 0) bytes. !blocking: 0 when nothing is available
   * now; blocking: wait for at least one byte or the end. */
  int64_t (*read)(wf_wasi_istream_t *s, uint8_t *buf, size_t cap, bool blocking, wf_wasi_ioerr_t **err);
  void (*readiness)(wf_wasi_istream_t *s, wf_wasi_wait_t *w);
  void (*destroy)(wf_wasi_istream_t *s);  /* free the implementation's object */
} wf_wasi_istream_ops_t;
typedef struct {
  /* Bytes write may take now (0: none yet; wait on readiness). */
  int64_t (*check_write)(wf_wasi_ostream_t *s, wf_wasi_ioerr_t **err);
  /* Take all len bytes (len <= the last check_write). 0, CLOSED or FAILED. */
  int (*write)(wf_wasi_ostream_t *s, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err);
  /* Flush buffered bytes (NULL: nothing is ever buffered). */
  int (*flush)(wf_wasi_ostream_t *s, bool blocking, wf_wasi_ioerr_t **err);
  void (*readiness)(wf_wasi_ostream_t *s, wf_wasi_wait_t *w);
  void (*destroy)(wf_wasi_ostream_t *s);
} wf_wasi_ostream_ops_t;
/* Embed first in an implementation's object; init sets refs = 1. */
struct wf_wasi_istream { wf_wasi_obj_t obj; const wf_wasi_istream_ops_t *ops; bool closed; };
struct wf_wasi_ostream { wf_wasi_obj_t obj; const wf_wasi_ostream_ops_t *ops; bool closed; };
void wf_wasi_istream_init(wf_wasi_istream_t *s, const wf_wasi_istream_ops_t *ops);
void wf_wasi_ostream_init(wf_wasi_ostream_t *s, const wf_wasi_ostream_ops_t *ops);

/* Streams over a host fd (pipes, ttys, sockets, stdio); own_fd: close it
 * with the stream. fd -1: an empty input / an output that discards. */
wf_wasi_istream_t *wf_wasi_fd_istream_new(int fd, bool own_fd);
wf_wasi_ostream_t *wf_wasi_fd_ostream_new(int fd, bool own_fd);
/* An input stream over a copy of bytes (tests, request bodies). */
wf_wasi_istream_t *wf_wasi_mem_istream_new(const uint8_t *data, size_t len);

/* ---- resource types --------------------------------------------------------------- */
typedef enum {
  WF_WASI_RT_ERROR = 0,        /* wasi:io/error.error                 wf_wasi_ioerr_t */
  WF_WASI_RT_POLLABLE,         /* wasi:io/poll.pollable               wf_wasi_pollable_t */
  WF_WASI_RT_INPUT_STREAM,     /* wasi:io/streams.input-stream        wf_wasi_istream_t */
  WF_WASI_RT_OUTPUT_STREAM,    /* wasi:io/streams.output-stream       wf_wasi_ostream_t */
  WF_WASI_RT_DESCRIPTOR,       /* wasi:filesystem/types.descriptor    (wasi_fs.c) */
  WF_WASI_RT_DIR_STREAM,       /* wasi:filesystem/types.directory-entry-stream */
  WF_WASI_RT_TERMINAL_INPUT,   /* wasi:cli/terminal-input.terminal-input */
  WF_WASI_RT_TERMINAL_OUTPUT,  /* wasi:cli/terminal-output.terminal-output */
  WF_WASI_RT_COUNT
} wf_wasi_rt_t;

/* What weft_linker_add_wasi made for one linker (owned by the config). */
typedef struct wf_wasi_link wf_wasi_link_t;
struct wf_wasi_link {
  weft_wasi_config_t *cfg;
  weft_resource_type_t *rt[WF_WASI_RT_COUNT];
  /* Link-level data of plug-ins (sockets, http): freed with the config. */
  void *ext[4];
  void (*ext_free[4])(void *);
  wf_wasi_link_t *next;
};
enum { WF_WASI_EXT_SOCKETS = 0, WF_WASI_EXT_HTTP = 1 };

/* ---- per-instance state ---------------------------------------------------------- */
typedef struct {
  int fd;                 /* O_DIRECTORY fd, owned by the ctx */
  char *guest;            /* guest path ("/", ".", "data") */
  int perms;              /* WEFT_WASI_DIR_READ|WRITE */
} wf_wasi_preopen_t;

typedef struct wf_wasi_ctx wf_wasi_ctx_t;
struct wf_wasi_ctx {
  const wf_wasi_link_t *link;
  char **args;
  size_t nargs;
  char **env;             /* "NAME=VALUE" */
  size_t nenv;
  char *cwd;              /* NULL: none */
  wf_wasi_preopen_t *preopens;
  size_t npreopens;
  int stdio[3];           /* owned dups of the configured fds, or -1 */
  bool allow_network, allow_name_lookup, http;
  bool exited;
  int exit_code;
  uint64_t insecure[2];   /* wasi:random/insecure state */
};
extern const char wf_wasi_state_key;        /* weft_linker_define_state key */
#define WF_WASI_STATE_KEY ((const void *)&wf_wasi_state_key)
/* The calling instance's ctx; NULL (after weft_call_trap) if it has none. */
wf_wasi_ctx_t *wf_wasi_ctx(weft_call_t *call);
/* Trap message used by wasi:cli/exit (weft_wasi_run recognises it). */
#define WF_WASI_EXIT_TRAP "wasi:cli/exit called"

/* ---- helpers for host functions ------------------------------------------------------ */
/* Define fn in interface iface (a literal: WF_WASI_IFACE("io/streams")). */
weft_status_t wf_wasi_def(weft_linker_t *l, const char *iface, const char *name, weft_host_fn fn,
                          void *env, weft_error_t *err);
/* An owned resource value handing obj (its reference) to the guest. */
weft_val_t wf_wasi_own(const wf_wasi_link_t *k, wf_wasi_rt_t t, void *obj);
/* The object behind a borrow/own argument of WASI type t; NULL (after a
 * trap) if the value is not of that type. */
void *wf_wasi_arg(weft_call_t *call, const wf_wasi_link_t *k, wf_wasi_rt_t t, const weft_val_t *v);
/* Result builders: RESULT ok (payload may be NULL), RESULT err with an enum
 * or own payload. Payloads are allocated in the call arena (NULL: trap). */
weft_val_t *wf_wasi_new_vals(weft_call_t *call, size_t n);
int wf_wasi_ok(weft_call_t *call, weft_val_t *out, const weft_val_t *payload);
int wf_wasi_err_enum(weft_call_t *call, weft_val_t *out, uint32_t code);
/* result<_, stream-error>-style results: WF_WASI_CLOSED -> err(closed),
 * WF_WASI_FAILED -> err(last-operation-failed(e)). */
int wf_wasi_stream_err(weft_call_t *call, const wf_wasi_link_t *k, weft_val_t *out, int rc, wf_wasi_ioerr_t *e);
weft_val_t wf_wasi_u64(uint64_t v);
weft_val_t wf_wasi_bool(bool b);
weft_val_t wf_wasi_str(weft_call_t *call, const char *s, size_t len);   /* copied to the arena */
/* list<u8> <-> bytes (in the call arena). Non-zero / NULL after a trap. */
int wf_wasi_byte_list(weft_call_t *call, const uint8_t *p, size_t n, weft_val_t *out);
uint8_t *wf_wasi_list_bytes(weft_call_t *call, const weft_val_t *list, size_t *n);

/* ---- wasi:filesystem error-code (enum order of filesystem.wit) ------------------------ */
enum {
  WF_FS_ACCESS = 0, WF_FS_WOULD_BLOCK, WF_FS_ALREADY, WF_FS_BAD_DESCRIPTOR, WF_FS_BUSY,
  WF_FS_DEADLOCK, WF_FS_QUOTA, WF_FS_EXIST, WF_FS_FILE_TOO_LARGE, WF_FS_ILLEGAL_BYTE_SEQUENCE,
  WF_FS_IN_PROGRESS, WF_FS_INTERRUPTED, WF_FS_INVALID, WF_FS_IO, WF_FS_IS_DIRECTORY, WF_FS_LOOP,
  WF_FS_TOO_MANY_LINKS, WF_FS_MESSAGE_SIZE, WF_FS_NAME_TOO_LONG, WF_FS_NO_DEVICE, WF_FS_NO_ENTRY,
  WF_FS_NO_LOCK, WF_FS_INSUFFICIENT_MEMORY, WF_FS_INSUFFICIENT_SPACE, WF_FS_NOT_DIRECTORY,
  WF_FS_NOT_EMPTY, WF_FS_NOT_RECOVERABLE, WF_FS_UNSUPPORTED, WF_FS_NO_TTY, WF_FS_NO_SUCH_DEVICE,
  WF_FS_OVERFLOW, WF_FS_NOT_PERMITTED, WF_FS_PIPE, WF_FS_READ_ONLY, WF_FS_INVALID_SEEK,
  WF_FS_TEXT_FILE_BUSY, WF_FS_CROSS_DEVICE,
};
int wf_wasi_fs_code(int errnum);

/* ---- sandboxed path resolution (wasi_fs_path.c) --------------------------------------
 * Guest paths are relative to a directory fd and never resolve outside it:
 * absolute paths, `..` above the base, and symlinks leading out fail
 * (openat2 RESOLVE_BENEATH). Results are a negative errno or >= 0. */
/* Open path beneath dirfd with open(2) flags; follow: follow a final symlink. */
int wf_wasi_path_open(int dirfd, const char *path, size_t len, int oflags, unsigned mode, bool follow);
/* Resolve all but the last component: *parent gets an O_PATH directory fd
 * beneath dirfd (close it), base the last component (NUL-terminated, no
 * '/', never "." or ".."; cap bytes). must_dir: the path ended in '/'. */
int wf_wasi_path_parent(int dirfd, const char *path, size_t len, int *parent, char *base, size_t cap,
                        bool *must_dir);

/* ---- registration (one per file) ------------------------------------------------------ */
weft_status_t wf_wasi_add_cli(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_io_error(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_io_poll(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_io_streams(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_clocks(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_random(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_fs(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
/* Hooks for the plug-ins, called by weft_linker_add_wasi after the rest:
 * wasi:sockets always (permissions are checked per call from the ctx,
 * wasi_sockets*.c), wasi:http when the config enables it (wasi_http*.c). */
weft_status_t wf_wasi_add_sockets(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);
weft_status_t wf_wasi_add_http(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err);

/* The shape of every WASI host function (a weft_host_fn), for the files
 * that define them; UNUSED_ARGS for a body that uses none of the four. */
#define HOST_FN(name) \
  static int name(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results, \
                  size_t nresults)
#define UNUSED_ARGS \
  (void)nargs;      \
  (void)nresults;   \
  (void)results;    \
  (void)args

#endif
