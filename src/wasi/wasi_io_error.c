/* wasi:io/error: the error resource (a message plus the errno behind it),
 * and the errno -> wasi:filesystem error-code map. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wasi.h"

static void ioerr_destroy(wf_wasi_obj_t *o) { free(o); }

wf_wasi_ioerr_t *wf_wasi_ioerr_new(const char *msg, int errnum) {
  if (!msg) msg = errnum ? strerror(errnum) : "error";
  size_t n = strlen(msg);
  if (n > 1024) n = 1024;
  wf_wasi_ioerr_t *e = malloc(sizeof *e + n + 1);
  if (!e) return NULL;
  wf_wasi_obj_init(&e->obj, ioerr_destroy);
  e->errnum = errnum;
  e->fs_code = errnum ? wf_wasi_fs_code(errnum) : -1;
  memcpy(e->msg, msg, n);
  e->msg[n] = 0;
  return e;
}

int wf_wasi_fs_code(int errnum) {
  switch (errnum) {
  case EACCES: return WF_FS_ACCESS;
  case EAGAIN: return WF_FS_WOULD_BLOCK;
  case EALREADY: return WF_FS_ALREADY;
  case EBADF: return WF_FS_BAD_DESCRIPTOR;
  case EBUSY: return WF_FS_BUSY;
  case EDEADLK: return WF_FS_DEADLOCK;
  case EDQUOT: return WF_FS_QUOTA;
  case EEXIST: return WF_FS_EXIST;
  case EFBIG: return WF_FS_FILE_TOO_LARGE;
  case EILSEQ: return WF_FS_ILLEGAL_BYTE_SEQUENCE;
  case EINPROGRESS: return WF_FS_IN_PROGRESS;
  case EINTR: return WF_FS_INTERRUPTED;
  case EINVAL: return WF_FS_INVALID;
  case EIO: return WF_FS_IO;
  case EISDIR: return WF_FS_IS_DIRECTORY;
  case ELOOP: return WF_FS_LOOP;
  case EMLINK: return WF_FS_TOO_MANY_LINKS;
  case EMSGSIZE: return WF_FS_MESSAGE_SIZE;
  case ENAMETOOLONG: return WF_FS_NAME_TOO_LONG;
  case ENODEV: return WF_FS_NO_DEVICE;
  case ENOENT: return WF_FS_NO_ENTRY;
  case ENOLCK: return WF_FS_NO_LOCK;
  case ENOMEM: return WF_FS_INSUFFICIENT_MEMORY;
  case ENOSPC: return WF_FS_INSUFFICIENT_SPACE;
  case ENOTDIR: return WF_FS_NOT_DIRECTORY;
  case ENOTEMPTY: return WF_FS_NOT_EMPTY;
  case ENOTRECOVERABLE: return WF_FS_NOT_RECOVERABLE;
  case ENOTSUP: return WF_FS_UNSUPPORTED;
  case ENOTTY: return WF_FS_NO_TTY;
  case ENXIO: return WF_FS_NO_SUCH_DEVICE;
  case EOVERFLOW: return WF_FS_OVERFLOW;
  case EPERM: return WF_FS_NOT_PERMITTED;
  case EXDEV: return WF_FS_CROSS_DEVICE;   /* callers map sandbox escapes separately */
  case EPIPE: return WF_FS_PIPE;
  case EROFS: return WF_FS_READ_ONLY;
  case ESPIPE: return WF_FS_INVALID_SEEK;
  case ETXTBSY: return WF_FS_TEXT_FILE_BUSY;
  default: return WF_FS_IO;
  }
}

static int h_to_debug_string(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                             weft_val_t *results, size_t nresults) {
  (void)nargs;
  (void)nresults;
  wf_wasi_ioerr_t *e = wf_wasi_arg(call, env, WF_WASI_RT_ERROR, &args[0]);
  if (!e) return 1;
  results[0] = wf_wasi_str(call, e->msg, strlen(e->msg));
  return 0;
}

weft_status_t wf_wasi_add_io_error(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  return wf_wasi_def(l, WF_WASI_IFACE("io/error"), "[method]error.to-debug-string", h_to_debug_string, k, err);
}
