/* wasi:filesystem/types and wasi:filesystem/preopens: descriptors over host
 * fds (paths resolved by wasi_fs_path.c, never outside their preopen),
 * file streams, directory listing. Permissions follow wasmtime: a
 * descriptor without `read`/`write` refuses those operations with
 * bad-descriptor, and changing a directory needs `mutate-directory`
 * (not-permitted otherwise). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi.h"

/* descriptor-flags, open-flags, path-flags bits; descriptor-type cases */
enum { DF_READ = 1, DF_WRITE = 2, DF_FSYNC = 4, DF_DSYNC = 8, DF_RSYNC = 16, DF_MUTATE = 32 };
enum { OF_CREATE = 1, OF_DIRECTORY = 2, OF_EXCLUSIVE = 4, OF_TRUNCATE = 8 };
enum { PF_FOLLOW = 1 };
enum { DT_UNKNOWN_ = 0, DT_BLOCK_, DT_CHAR_, DT_DIR_, DT_FIFO_, DT_SYMLINK_, DT_REG_, DT_SOCKET_ };

typedef struct {
  wf_wasi_obj_t obj;
  int fd;
  uint32_t flags;        /* descriptor-flags */
} fs_desc_t;

static void desc_destroy(wf_wasi_obj_t *o) {
  fs_desc_t *d = (fs_desc_t *)o;
  if (d->fd >= 0) close(d->fd);
  free(d);
}

static fs_desc_t *desc_new(int fd, uint32_t flags) {
  fs_desc_t *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  wf_wasi_obj_init(&d->obj, desc_destroy);
  d->fd = fd;
  d->flags = flags;
  return d;
}

static uint32_t mode_type(mode_t m) {
  if (S_ISREG(m)) return DT_REG_;
  if (S_ISDIR(m)) return DT_DIR_;
  if (S_ISLNK(m)) return DT_SYMLINK_;
  if (S_ISCHR(m)) return DT_CHAR_;
  if (S_ISBLK(m)) return DT_BLOCK_;
  if (S_ISFIFO(m)) return DT_FIFO_;
  if (S_ISSOCK(m)) return DT_SOCKET_;
  return DT_UNKNOWN_;
}

/* ---- small helpers ---- */
#define HOST_ARGS weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results, size_t nresults
#define UNUSED (void)nargs, (void)nresults

static fs_desc_t *self_desc(weft_call_t *call, void *env, const weft_val_t *v) {
  return wf_wasi_arg(call, env, WF_WASI_RT_DESCRIPTOR, v);
}

static int err_code(weft_call_t *call, weft_val_t *out, int errnum) {
  return wf_wasi_err_enum(call, out, (uint32_t)wf_wasi_fs_code(errnum));
}

static int ok_unit_or(weft_call_t *call, weft_val_t *out, int rc) {
  if (rc < 0) return err_code(call, out, -rc);
  return wf_wasi_ok(call, out, NULL);
}

static int guest_path(const weft_val_t *v, const char **p, size_t *n) {
  if (v->kind != WEFT_VAL_STRING) return -EINVAL;
  *p = v->of.str.ptr;
  *n = v->of.str.len;
  return 0;
}

/* Resolve (desc, path) to (parent fd, base); negative errno on failure. */
typedef struct {
  int parent;
  bool must_dir;
  char base[256 * 4 + 1];
} pathref_t;

static int resolve_parent(fs_desc_t *d, const weft_val_t *pathv, pathref_t *pr) {
  const char *p;
  size_t n;
  if (guest_path(pathv, &p, &n) < 0) return -EINVAL;
  return wf_wasi_path_parent(d->fd, p, n, &pr->parent, pr->base, sizeof pr->base, &pr->must_dir);
}

static int open_path(fs_desc_t *d, const weft_val_t *pathv, int oflags, bool follow) {
  const char *p;
  size_t n;
  if (guest_path(pathv, &p, &n) < 0) return -EINVAL;
  return wf_wasi_path_open(d->fd, p, n, oflags, 0666, follow);
}

static weft_val_t *datetime_opt(weft_call_t *call, weft_val_t *out, const struct timespec *ts) {
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_OPTION;
  if (ts->tv_sec < 0) return out;   /* before the epoch: not representable */
  weft_val_t *v = wf_wasi_new_vals(call, 3);
  if (!v) return NULL;
  v[1] = wf_wasi_u64((uint64_t)ts->tv_sec);
  v[2].kind = WEFT_VAL_U32;
  v[2].of.u = (uint64_t)ts->tv_nsec;
  v[0].kind = WEFT_VAL_RECORD;
  v[0].of.seq.v = &v[1];
  v[0].of.seq.n = 2;
  out->of.var.index = 1;
  out->of.var.payload = &v[0];
  return out;
}

static int stat_result(weft_call_t *call, weft_val_t *out, const struct stat *st) {
  weft_val_t *f = wf_wasi_new_vals(call, 6);
  if (!f) return 1;
  f[0].kind = WEFT_VAL_ENUM;
  f[0].of.var.index = mode_type(st->st_mode);
  f[1] = wf_wasi_u64((uint64_t)st->st_nlink);
  f[2] = wf_wasi_u64((uint64_t)st->st_size);
  if (!datetime_opt(call, &f[3], &st->st_atim) || !datetime_opt(call, &f[4], &st->st_mtim) ||
      !datetime_opt(call, &f[5], &st->st_ctim))
    return 1;
  weft_val_t rec;
  memset(&rec, 0, sizeof rec);
  rec.kind = WEFT_VAL_RECORD;
  rec.of.seq.v = f;
  rec.of.seq.n = 6;
  return wf_wasi_ok(call, out, &rec);
}

/* ---- file streams ---- */
typedef struct {
  union { wf_wasi_istream_t in; wf_wasi_ostream_t out; } s;
  fs_desc_t *d;          /* a reference */
  uint64_t pos;
  bool append;
} file_stream_t;

static int64_t file_read(wf_wasi_istream_t *s, uint8_t *buf, size_t cap, bool blocking, wf_wasi_ioerr_t **err) {
  (void)blocking;
  file_stream_t *f = (file_stream_t *)s;
  if (f->pos > INT64_MAX) return WF_WASI_CLOSED;
  for (;;) {
    ssize_t r = pread(f->d->fd, buf, cap, (off_t)f->pos);
    if (r > 0) {
      f->pos += (uint64_t)r;
      return r;
    }
    if (r == 0) return WF_WASI_CLOSED;
    if (errno == EINTR) continue;
    *err = wf_wasi_ioerr_new(NULL, errno);
    return WF_WASI_FAILED;
  }
}

static void file_in_readiness(wf_wasi_istream_t *s, wf_wasi_wait_t *w) {
  (void)s;
  w->ready = true;
}

static void file_in_destroy(wf_wasi_istream_t *s) {
  file_stream_t *f = (file_stream_t *)s;
  wf_wasi_unref(f->d);
  free(f);
}

static int64_t file_check_write(wf_wasi_ostream_t *s, wf_wasi_ioerr_t **err) {
  (void)s;
  (void)err;
  return WF_WASI_MAX_IO;
}

static int file_write(wf_wasi_ostream_t *s, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err) {
  file_stream_t *f = (file_stream_t *)s;
  while (len) {
    ssize_t r;
    if (f->append) {
      struct stat st;
      if (fstat(f->d->fd, &st) != 0) {
        *err = wf_wasi_ioerr_new(NULL, errno);
        return WF_WASI_FAILED;
      }
      f->pos = (uint64_t)st.st_size;
    }
    if (f->pos > INT64_MAX - len) {
      *err = wf_wasi_ioerr_new(NULL, EFBIG);
      return WF_WASI_FAILED;
    }
    r = pwrite(f->d->fd, buf, len, (off_t)f->pos);
    if (r < 0) {
      if (errno == EINTR) continue;
      *err = wf_wasi_ioerr_new(NULL, errno);
      return WF_WASI_FAILED;
    }
    f->pos += (uint64_t)r;
    buf += r;
    len -= (size_t)r;
  }
  return 0;
}

static void file_out_readiness(wf_wasi_ostream_t *s, wf_wasi_wait_t *w) {
  (void)s;
  w->ready = true;
}

static void file_out_destroy(wf_wasi_ostream_t *s) {
  file_stream_t *f = (file_stream_t *)s;
  wf_wasi_unref(f->d);
  free(f);
}

static const wf_wasi_istream_ops_t file_in_ops = {file_read, file_in_readiness, file_in_destroy};
static const wf_wasi_ostream_ops_t file_out_ops = {file_check_write, file_write, NULL, file_out_readiness,
                                                   file_out_destroy};

static int stream_method(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, int kind) {
  /* kind 0: read-via-stream, 1: write-via-stream, 2: append-via-stream */
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  if (kind == 0 && !(d->flags & DF_READ)) return err_code(call, out, EBADF);
  if (kind != 0 && !(d->flags & DF_WRITE)) return err_code(call, out, EBADF);
  file_stream_t *f = calloc(1, sizeof *f);
  if (!f) {
    weft_call_trap(call, "wasi:filesystem: out of memory");
    return 1;
  }
  if (kind == 0)
    wf_wasi_istream_init(&f->s.in, &file_in_ops);
  else
    wf_wasi_ostream_init(&f->s.out, &file_out_ops);
  f->d = wf_wasi_ref(d);
  f->pos = kind == 2 ? 0 : args[1].of.u;
  f->append = kind == 2;
  weft_val_t v = wf_wasi_own(env, kind == 0 ? WF_WASI_RT_INPUT_STREAM : WF_WASI_RT_OUTPUT_STREAM, f);
  return wf_wasi_ok(call, out, &v);
}

static int h_read_via_stream(HOST_ARGS) {
  UNUSED;
  return stream_method(call, env, args, &results[0], 0);
}
static int h_write_via_stream(HOST_ARGS) {
  UNUSED;
  return stream_method(call, env, args, &results[0], 1);
}
static int h_append_via_stream(HOST_ARGS) {
  UNUSED;
  return stream_method(call, env, args, &results[0], 2);
}

static int h_advise(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  static const int adv[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                            POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  uint32_t a = args[3].of.var.index;
  if (a >= 6) return err_code(call, &results[0], EINVAL);
  if (args[1].of.u > INT64_MAX || args[2].of.u > INT64_MAX) return err_code(call, &results[0], EINVAL);
  int r = posix_fadvise(d->fd, (off_t)args[1].of.u, (off_t)args[2].of.u, adv[a]);
  return ok_unit_or(call, &results[0], r ? -r : 0);
}

/* sync and sync-data: fsync or fdatasync of the descriptor. */
static int sync_desc(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *results,
                     int (*fn)(int)) {
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  int r = fn(d->fd);
  /* directories and read-only files may refuse: not an error worth reporting */
  if (r != 0 && (errno == EINVAL || errno == EBADF)) r = 0;
  return ok_unit_or(call, &results[0], r ? -errno : 0);
}

static int h_sync_data(HOST_ARGS) {
  UNUSED;
  return sync_desc(call, env, args, results, fdatasync);
}

static int h_sync(HOST_ARGS) {
  UNUSED;
  return sync_desc(call, env, args, results, fsync);
}

static int h_get_flags(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WEFT_VAL_FLAGS;
  v.of.flags = d->flags;
  return wf_wasi_ok(call, &results[0], &v);
}

static int h_get_type(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct stat st;
  if (fstat(d->fd, &st) != 0) return err_code(call, &results[0], errno);
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WEFT_VAL_ENUM;
  v.of.var.index = mode_type(st.st_mode);
  return wf_wasi_ok(call, &results[0], &v);
}

static int h_set_size(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  if (!(d->flags & DF_WRITE)) return err_code(call, &results[0], EBADF);
  if (args[1].of.u > INT64_MAX) return err_code(call, &results[0], EFBIG);
  int r = ftruncate(d->fd, (off_t)args[1].of.u);
  return ok_unit_or(call, &results[0], r ? -errno : 0);
}

/* new-timestamp variant -> timespec (no-change, now, timestamp(datetime)) */
static void new_ts(const weft_val_t *v, struct timespec *ts) {
  uint32_t c = v->of.var.index;
  ts->tv_sec = 0;
  if (c == 0) {
    ts->tv_nsec = UTIME_OMIT;
  } else if (c == 1 || !v->of.var.payload || v->of.var.payload->of.seq.n != 2) {
    ts->tv_nsec = UTIME_NOW;
  } else {
    const weft_val_t *f = v->of.var.payload->of.seq.v;
    uint64_t s = f[0].of.u, ns = f[1].of.u;
    ts->tv_sec = s > (uint64_t)INT64_MAX ? INT64_MAX : (time_t)s;
    ts->tv_nsec = ns >= 1000000000u ? 999999999 : (long)ns;
  }
}

static int h_set_times(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct timespec ts[2];
  new_ts(&args[1], &ts[0]);
  new_ts(&args[2], &ts[1]);
  int r = futimens(d->fd, ts);
  return ok_unit_or(call, &results[0], r ? -errno : 0);
}

static int h_read(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  if (!(d->flags & DF_READ)) return err_code(call, &results[0], EBADF);
  uint64_t want = args[1].of.u, off = args[2].of.u;
  if (off > INT64_MAX) return err_code(call, &results[0], EINVAL);
  size_t cap = want > WF_WASI_MAX_IO ? WF_WASI_MAX_IO : (size_t)want;
  uint8_t *buf = weft_arena_alloc(weft_call_arena(call), cap ? cap : 1);
  if (!buf) {
    weft_call_trap(call, "wasi:filesystem: out of memory");
    return 1;
  }
  ssize_t r = 0;
  if (cap) {
    do r = pread(d->fd, buf, cap, (off_t)off);
    while (r < 0 && errno == EINTR);
    if (r < 0) return err_code(call, &results[0], errno);
  }
  weft_val_t *t = wf_wasi_new_vals(call, 3);
  if (!t) return 1;
  if (wf_wasi_byte_list(call, buf, (size_t)r, &t[1])) return 1;
  t[2] = wf_wasi_bool(cap > 0 && r == 0);
  t[0].kind = WEFT_VAL_TUPLE;
  t[0].of.seq.v = &t[1];
  t[0].of.seq.n = 2;
  return wf_wasi_ok(call, &results[0], &t[0]);
}

static int h_write(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  if (!(d->flags & DF_WRITE)) return err_code(call, &results[0], EBADF);
  size_t n;
  uint8_t *b = wf_wasi_list_bytes(call, &args[1], &n);
  if (!b) return 1;
  uint64_t off = args[2].of.u;
  if (off > INT64_MAX - n) return err_code(call, &results[0], EFBIG);
  ssize_t r;
  do r = pwrite(d->fd, b, n, (off_t)off);
  while (r < 0 && errno == EINTR);
  if (r < 0) return err_code(call, &results[0], errno);
  weft_val_t v = wf_wasi_u64((uint64_t)r);
  return wf_wasi_ok(call, &results[0], &v);
}

/* ---- directory streams ---- */
typedef struct {
  wf_wasi_obj_t obj;
  DIR *dir;
} dir_stream_t;

static void dir_destroy(wf_wasi_obj_t *o) {
  dir_stream_t *s = (dir_stream_t *)o;
  if (s->dir) closedir(s->dir);
  free(s);
}

static int h_read_directory(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  if (!(d->flags & DF_READ)) return err_code(call, &results[0], EBADF);
  int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return err_code(call, &results[0], errno);
  DIR *dir = fdopendir(fd);
  if (!dir) {
    int e = errno;
    close(fd);
    return err_code(call, &results[0], e);
  }
  dir_stream_t *s = calloc(1, sizeof *s);
  if (!s) {
    closedir(dir);
    weft_call_trap(call, "wasi:filesystem: out of memory");
    return 1;
  }
  wf_wasi_obj_init(&s->obj, dir_destroy);
  s->dir = dir;
  weft_val_t v = wf_wasi_own(env, WF_WASI_RT_DIR_STREAM, s);
  return wf_wasi_ok(call, &results[0], &v);
}

static int h_read_directory_entry(HOST_ARGS) {
  UNUSED;
  dir_stream_t *s = wf_wasi_arg(call, env, WF_WASI_RT_DIR_STREAM, &args[0]);
  if (!s) return 1;
  struct dirent *e;
  for (;;) {
    errno = 0;
    e = readdir(s->dir);
    if (!e) {
      if (errno) return err_code(call, &results[0], errno);
      weft_val_t none;
      memset(&none, 0, sizeof none);
      none.kind = WEFT_VAL_OPTION;
      return wf_wasi_ok(call, &results[0], &none);
    }
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) break;
  }
  uint32_t t;
  switch (e->d_type) {
  case DT_REG: t = DT_REG_; break;
  case DT_DIR: t = DT_DIR_; break;
  case DT_LNK: t = DT_SYMLINK_; break;
  case DT_CHR: t = DT_CHAR_; break;
  case DT_BLK: t = DT_BLOCK_; break;
  case DT_FIFO: t = DT_FIFO_; break;
  case DT_SOCK: t = DT_SOCKET_; break;
  default: {
    struct stat st;
    t = fstatat(dirfd(s->dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? mode_type(st.st_mode) : DT_UNKNOWN_;
  }
  }
  weft_val_t *v = wf_wasi_new_vals(call, 4);
  if (!v) return 1;
  v[2].kind = WEFT_VAL_ENUM;
  v[2].of.var.index = t;
  v[3] = wf_wasi_str(call, e->d_name, strlen(e->d_name));
  v[1].kind = WEFT_VAL_RECORD;
  v[1].of.seq.v = &v[2];
  v[1].of.seq.n = 2;
  v[0].kind = WEFT_VAL_OPTION;
  v[0].of.var.index = 1;
  v[0].of.var.payload = &v[1];
  return wf_wasi_ok(call, &results[0], &v[0]);
}

/* ---- path operations ---- */
static int need_mutate(fs_desc_t *d) { return (d->flags & DF_MUTATE) ? 0 : -EPERM; }

static int h_create_directory_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  int r = need_mutate(d);
  pathref_t pr;
  if (r == 0) r = resolve_parent(d, &args[1], &pr);
  if (r == 0) {
    r = mkdirat(pr.parent, pr.base, 0777) ? -errno : 0;
    close(pr.parent);
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_stat(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct stat st;
  if (fstat(d->fd, &st) != 0) return err_code(call, &results[0], errno);
  return stat_result(call, &results[0], &st);
}

/* stat of (d, path): following a final symlink (beneath) or not */
static int stat_path(fs_desc_t *d, const weft_val_t *pathv, bool follow, struct stat *st) {
  pathref_t pr;
  int r = resolve_parent(d, pathv, &pr);
  if (r < 0) return r;
  if (!follow && !pr.must_dir) {
    r = fstatat(pr.parent, pr.base, st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
    close(pr.parent);
    return r;
  }
  close(pr.parent);
  int fd = open_path(d, pathv, O_PATH, true);
  if (fd < 0) return fd;
  r = fstat(fd, st) ? -errno : 0;
  close(fd);
  if (r == 0 && pr.must_dir && !S_ISDIR(st->st_mode)) r = -ENOTDIR;
  return r;
}

static int h_stat_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct stat st;
  int r = stat_path(d, &args[2], (args[1].of.flags & PF_FOLLOW) != 0, &st);
  if (r < 0) return err_code(call, &results[0], -r);
  return stat_result(call, &results[0], &st);
}

static int h_set_times_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct timespec ts[2];
  new_ts(&args[3], &ts[0]);
  new_ts(&args[4], &ts[1]);
  int r;
  if (args[1].of.flags & PF_FOLLOW) {
    int fd = open_path(d, &args[2], O_PATH, true);
    if (fd < 0) return err_code(call, &results[0], -fd);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    r = utimensat(AT_FDCWD, proc, ts, 0) ? -errno : 0;
    close(fd);
  } else {
    pathref_t pr;
    r = resolve_parent(d, &args[2], &pr);
    if (r == 0) {
      r = utimensat(pr.parent, pr.base, ts, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
      close(pr.parent);
    }
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_link_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  fs_desc_t *nd = self_desc(call, env, &args[3]);
  if (!nd) return 1;
  if (args[1].of.flags & PF_FOLLOW) return err_code(call, &results[0], EINVAL);
  int r = need_mutate(nd);
  pathref_t a, b;
  if (r == 0) r = resolve_parent(d, &args[2], &a);
  if (r == 0) {
    r = resolve_parent(nd, &args[4], &b);
    if (r == 0) {
      if (a.must_dir || b.must_dir) {
        struct stat st;
        r = fstatat(a.parent, a.base, &st, AT_SYMLINK_NOFOLLOW) ? -errno : S_ISDIR(st.st_mode) ? -EPERM : -ENOENT;
      } else {
        r = linkat(a.parent, a.base, b.parent, b.base, 0) ? -errno : 0;
      }
      close(b.parent);
    }
    close(a.parent);
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_open_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  uint32_t pf = args[1].of.flags, of = args[3].of.flags, df = args[4].of.flags;
  int oflags = 0;
  if (of & OF_CREATE) oflags |= O_CREAT;
  if (of & OF_DIRECTORY) oflags |= O_DIRECTORY;
  if (of & OF_EXCLUSIVE) oflags |= O_EXCL;
  if (of & OF_TRUNCATE) oflags |= O_TRUNC;
  if ((df & DF_READ) && (df & DF_WRITE))
    oflags |= O_RDWR;
  else if (df & DF_WRITE)
    oflags |= O_WRONLY;
  else
    oflags |= O_RDONLY;
  if (df & DF_FSYNC) oflags |= O_SYNC;
  if (df & DF_DSYNC) oflags |= O_DSYNC;
  if (df & DF_RSYNC) oflags |= O_RSYNC;
  /* writing, creating or truncating needs a directory we may change */
  if ((df & (DF_WRITE | DF_MUTATE)) || (of & (OF_CREATE | OF_TRUNCATE)))
    if (!(d->flags & DF_MUTATE)) return err_code(call, &results[0], EPERM);
  if ((of & OF_DIRECTORY) && (df & DF_WRITE)) return err_code(call, &results[0], EISDIR);
  if ((of & OF_TRUNCATE) && !(df & DF_WRITE)) return err_code(call, &results[0], EBADF);
  int fd = open_path(d, &args[2], oflags, (pf & PF_FOLLOW) != 0);
  if (fd == -EISDIR && !(df & DF_WRITE)) fd = open_path(d, &args[2], O_RDONLY | O_DIRECTORY, (pf & PF_FOLLOW) != 0);
  if (fd < 0) return err_code(call, &results[0], -fd);
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    /* a directory gets its parent's rights (read, mutate), whatever was asked */
    df = (df & ~(uint32_t)(DF_READ | DF_MUTATE)) | (d->flags & (DF_READ | DF_MUTATE));
  } else {
    df &= ~(uint32_t)DF_MUTATE;
  }
  fs_desc_t *nd = desc_new(fd, df);
  if (!nd) {
    close(fd);
    weft_call_trap(call, "wasi:filesystem: out of memory");
    return 1;
  }
  weft_val_t v = wf_wasi_own(env, WF_WASI_RT_DESCRIPTOR, nd);
  return wf_wasi_ok(call, &results[0], &v);
}

static int h_readlink_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  pathref_t pr;
  int r = resolve_parent(d, &args[1], &pr);
  if (r < 0) return err_code(call, &results[0], -r);
  char buf[4096];
  ssize_t n = readlinkat(pr.parent, pr.base, buf, sizeof buf);
  int e = errno;
  close(pr.parent);
  if (n < 0) return err_code(call, &results[0], e);
  if ((size_t)n >= sizeof buf) return err_code(call, &results[0], ENAMETOOLONG);
  weft_val_t v = wf_wasi_str(call, buf, (size_t)n);
  return wf_wasi_ok(call, &results[0], &v);
}

static int h_remove_directory_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  int r = need_mutate(d);
  pathref_t pr;
  if (r == 0) r = resolve_parent(d, &args[1], &pr);
  if (r == 0) {
    r = unlinkat(pr.parent, pr.base, AT_REMOVEDIR) ? -errno : 0;
    close(pr.parent);
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_rename_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  fs_desc_t *nd = self_desc(call, env, &args[2]);
  if (!nd) return 1;
  int r = need_mutate(d);
  if (r == 0) r = need_mutate(nd);
  pathref_t a, b;
  if (r == 0) r = resolve_parent(d, &args[1], &a);
  if (r == 0) {
    r = resolve_parent(nd, &args[3], &b);
    if (r == 0) {
      struct stat st;
      if ((a.must_dir || b.must_dir) && fstatat(a.parent, a.base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          !S_ISDIR(st.st_mode))
        r = -ENOTDIR;
      else
        r = renameat(a.parent, a.base, b.parent, b.base) ? -errno : 0;
      close(b.parent);
    }
    close(a.parent);
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_symlink_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  int r = need_mutate(d);
  const char *tp;
  size_t tn;
  if (r == 0 && guest_path(&args[1], &tp, &tn) < 0) r = -EINVAL;
  char target[4096];
  if (r == 0) {
    if (tn >= sizeof target) r = -ENAMETOOLONG;
    else if (tn == 0) r = -ENOENT;
    else if (memchr(tp, 0, tn)) r = -EINVAL;
    else if (tp[0] == '/') r = -EPERM;   /* a link can only point inside */
  }
  pathref_t pr;
  if (r == 0) r = resolve_parent(d, &args[2], &pr);
  if (r == 0) {
    memcpy(target, tp, tn);
    target[tn] = 0;
    if (pr.must_dir) {
      struct stat st;
      r = fstatat(pr.parent, pr.base, &st, AT_SYMLINK_NOFOLLOW) == 0 ? -EEXIST : -ENOENT;
    } else {
      r = symlinkat(target, pr.parent, pr.base) ? -errno : 0;
    }
    close(pr.parent);
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_unlink_file_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  int r = need_mutate(d);
  pathref_t pr;
  if (r == 0) r = resolve_parent(d, &args[1], &pr);
  if (r == 0) {
    struct stat st;
    if (pr.must_dir && fstatat(pr.parent, pr.base, &st, AT_SYMLINK_NOFOLLOW) == 0)
      r = S_ISDIR(st.st_mode) ? -EISDIR : -ENOTDIR;
    else
      r = unlinkat(pr.parent, pr.base, 0) ? -errno : 0;
    close(pr.parent);
  }
  return ok_unit_or(call, &results[0], r);
}

static int h_is_same_object(HOST_ARGS) {
  UNUSED;
  fs_desc_t *a = self_desc(call, env, &args[0]);
  if (!a) return 1;
  fs_desc_t *b = self_desc(call, env, &args[1]);
  if (!b) return 1;
  struct stat sa, sb;
  bool same = fstat(a->fd, &sa) == 0 && fstat(b->fd, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  results[0] = wf_wasi_bool(same);
  return 0;
}

static int hash_result(weft_call_t *call, weft_val_t *out, const struct stat *st) {
  weft_val_t *f = wf_wasi_new_vals(call, 2);
  if (!f) return 1;
  /* a keyed-free mix of identity and change time: equal for the same object state */
  uint64_t lo = (uint64_t)st->st_ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)st->st_dev;
  uint64_t hi = (uint64_t)st->st_dev * 0xC2B2AE3D27D4EB4Full ^ (uint64_t)st->st_ino;
  f[0] = wf_wasi_u64(lo);
  f[1] = wf_wasi_u64(hi);
  weft_val_t rec;
  memset(&rec, 0, sizeof rec);
  rec.kind = WEFT_VAL_RECORD;
  rec.of.seq.v = f;
  rec.of.seq.n = 2;
  return wf_wasi_ok(call, out, &rec);
}

static int h_metadata_hash(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct stat st;
  if (fstat(d->fd, &st) != 0) return err_code(call, &results[0], errno);
  return hash_result(call, &results[0], &st);
}

static int h_metadata_hash_at(HOST_ARGS) {
  UNUSED;
  fs_desc_t *d = self_desc(call, env, &args[0]);
  if (!d) return 1;
  struct stat st;
  int r = stat_path(d, &args[2], (args[1].of.flags & PF_FOLLOW) != 0, &st);
  if (r < 0) return err_code(call, &results[0], -r);
  return hash_result(call, &results[0], &st);
}

static int h_filesystem_error_code(HOST_ARGS) {
  UNUSED;
  wf_wasi_ioerr_t *e = wf_wasi_arg(call, env, WF_WASI_RT_ERROR, &args[0]);
  if (!e) return 1;
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_OPTION;
  if (e->fs_code >= 0) {
    weft_val_t *p = wf_wasi_new_vals(call, 1);
    if (!p) return 1;
    p->kind = WEFT_VAL_ENUM;
    p->of.var.index = (uint32_t)e->fs_code;
    results[0].of.var.index = 1;
    results[0].of.var.payload = p;
  }
  return 0;
}

static int h_get_directories(HOST_ARGS) {
  (void)args;
  UNUSED;
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  size_t n = x->npreopens;
  weft_val_t *tuples = wf_wasi_new_vals(call, n);
  weft_val_t *members = wf_wasi_new_vals(call, 2 * n);
  if (!tuples || !members) return 1;
  for (size_t i = 0; i < n; i++) {
    const wf_wasi_preopen_t *p = &x->preopens[i];
    int fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 3);
    uint32_t flags = 0;
    if (p->perms & WEFT_WASI_DIR_READ) flags |= DF_READ;
    if (p->perms & WEFT_WASI_DIR_WRITE) flags |= DF_MUTATE;
    fs_desc_t *d = fd >= 0 ? desc_new(fd, flags) : NULL;
    if (!d) {
      if (fd >= 0) close(fd);
      for (size_t j = 0; j < i; j++) wf_wasi_unref((void *)(uintptr_t)members[2 * j].of.res.rep);
      weft_call_trap(call, "wasi:filesystem/preopens: could not duplicate a preopened directory: %s",
                     strerror(errno));
      return 1;
    }
    members[2 * i] = wf_wasi_own(env, WF_WASI_RT_DESCRIPTOR, d);
    members[2 * i + 1] = wf_wasi_str(call, p->guest, strlen(p->guest));
    tuples[i].kind = WEFT_VAL_TUPLE;
    tuples[i].of.seq.v = &members[2 * i];
    tuples[i].of.seq.n = 2;
  }
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_LIST;
  results[0].of.seq.v = tuples;
  results[0].of.seq.n = n;
  return 0;
}

weft_status_t wf_wasi_add_fs(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  static const struct {
    const char *name;
    weft_host_fn fn;
  } fns[] = {
      {"[method]descriptor.read-via-stream", h_read_via_stream},
      {"[method]descriptor.write-via-stream", h_write_via_stream},
      {"[method]descriptor.append-via-stream", h_append_via_stream},
      {"[method]descriptor.advise", h_advise},
      {"[method]descriptor.sync-data", h_sync_data},
      {"[method]descriptor.get-flags", h_get_flags},
      {"[method]descriptor.get-type", h_get_type},
      {"[method]descriptor.set-size", h_set_size},
      {"[method]descriptor.set-times", h_set_times},
      {"[method]descriptor.read", h_read},
      {"[method]descriptor.write", h_write},
      {"[method]descriptor.read-directory", h_read_directory},
      {"[method]descriptor.sync", h_sync},
      {"[method]descriptor.create-directory-at", h_create_directory_at},
      {"[method]descriptor.stat", h_stat},
      {"[method]descriptor.stat-at", h_stat_at},
      {"[method]descriptor.set-times-at", h_set_times_at},
      {"[method]descriptor.link-at", h_link_at},
      {"[method]descriptor.open-at", h_open_at},
      {"[method]descriptor.readlink-at", h_readlink_at},
      {"[method]descriptor.remove-directory-at", h_remove_directory_at},
      {"[method]descriptor.rename-at", h_rename_at},
      {"[method]descriptor.symlink-at", h_symlink_at},
      {"[method]descriptor.unlink-file-at", h_unlink_file_at},
      {"[method]descriptor.is-same-object", h_is_same_object},
      {"[method]descriptor.metadata-hash", h_metadata_hash},
      {"[method]descriptor.metadata-hash-at", h_metadata_hash_at},
      {"[method]directory-entry-stream.read-directory-entry", h_read_directory_entry},
      {"filesystem-error-code", h_filesystem_error_code},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    weft_status_t st = wf_wasi_def(l, WF_WASI_IFACE("filesystem/types"), fns[i].name, fns[i].fn, k, err);
    if (st != WEFT_OK) return st;
  }
  return wf_wasi_def(l, WF_WASI_IFACE("filesystem/preopens"), "get-directories", h_get_directories, k, err);
}
