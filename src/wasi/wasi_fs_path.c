/* Sandboxed path resolution for wasi:filesystem.
 *
 * Every guest path is resolved beneath a directory fd with openat2(2) and
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: the kernel refuses absolute
 * paths, `..` above the base and symlinks (absolute or relative) that lead
 * out, atomically, so there is no check-then-use race. Operations that act
 * on a name rather than on an opened file (mkdir, unlink, rename, symlink,
 * link, readlink, stat without following) first resolve the parent
 * directory that way and then use the last component, which is a single
 * name (never "." / ".."), with *at() calls that do not follow it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi.h"

#define PATH_CAP 4096

/* ---- the same without openat2 (kernels before 5.6, valgrind) -----------------
 * A walk one component at a time from dirfd, keeping an fd for every level
 * (so `..` pops a level and can never go above the base), never following a
 * symlink in the kernel: each one is read with readlinkat and its target
 * (which must be relative) is spliced in front of the rest of the path, at
 * most WALK_MAX_LINKS times. The final open uses O_NOFOLLOW whenever the last
 * component was not (or must not be) a symlink, so a symlink swapped in
 * between the check and the open fails instead of being followed. */
#define WALK_MAX_LINKS 40
#define WALK_MAX_DEPTH 512

static int walk_beneath(int dirfd, const char *path, int flags, unsigned mode) {
  int fds[WALK_MAX_DEPTH];
  int depth = 0, links = 0, r = -EINVAL;
  bool follow_last = !(flags & O_NOFOLLOW);
  char work[2 * PATH_CAP], target[PATH_CAP];
  size_t wl = strlen(path);
  if (wl >= sizeof work) return -ENAMETOOLONG;
  memcpy(work, path, wl + 1);
  fds[0] = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fds[0] < 0) return -errno;
  size_t pos = 0;
  for (;;) {
    while (work[pos] == '/') pos++;
    if (!work[pos]) {   /* the path names the current directory itself */
      int fd = openat(fds[depth], ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC, mode);
      r = fd >= 0 ? fd : -errno;
      break;
    }
    size_t end = pos;
    while (work[end] && work[end] != '/') end++;
    size_t after = end;
    while (work[after] == '/') after++;
    bool last = !work[after], trailing = last && end != after;
    char comp[PATH_CAP];
    size_t cl = end - pos;
    if (cl >= sizeof comp) { r = -ENAMETOOLONG; break; }
    memcpy(comp, work + pos, cl);
    comp[cl] = 0;
    pos = after;
    if (!strcmp(comp, ".")) continue;
    if (!strcmp(comp, "..")) {
      if (depth == 0) { r = -EPERM; break; }
      close(fds[depth--]);
      continue;
    }
    /* what is there now (O_PATH|O_NOFOLLOW opens a symlink itself) */
    int probe = openat(fds[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    bool is_link = false, exists = probe >= 0;
    if (exists) {
      if (fstat(probe, &st) != 0) { r = -errno; close(probe); break; }
      is_link = S_ISLNK(st.st_mode);
    } else if (errno != ENOENT || !last) {
      r = -errno;
      break;
    }
    if (is_link && (!last || follow_last || trailing)) {
      close(probe);
      ssize_t n = readlinkat(fds[depth], comp, target, sizeof target - 1);
      if (n < 0) { r = -errno; break; }
      target[n] = 0;
      if (n == 0 || target[0] == '/') { r = -EPERM; break; }
      if (++links > WALK_MAX_LINKS) { r = -ELOOP; break; }
      /* work = target + "/" + rest */
      size_t rest = strlen(work + pos);
      if ((size_t)n + 1 + rest >= sizeof work) { r = -ENAMETOOLONG; break; }
      memmove(work + n + 1, work + pos, rest + 1);
      memcpy(work, target, (size_t)n);
      work[n] = (rest || trailing) ? '/' : 0;   /* a trailing slash keeps "must be a directory" */
      pos = 0;
      continue;
    }
    if (!last || trailing) {
      if (!exists) { r = -ENOENT; break; }
      if (!S_ISDIR(st.st_mode)) { close(probe); r = -ENOTDIR; break; }
      if (depth + 1 >= WALK_MAX_DEPTH) { close(probe); r = -ENAMETOOLONG; break; }
      if (!last) {
        fds[++depth] = probe;
        continue;
      }
    }
    if (exists) close(probe);
    int fd = openat(fds[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    r = fd >= 0 ? fd : -errno;
    break;
  }
  for (int i = 0; i <= depth; i++) close(fds[i]);
  return r;
}

static int openat2_beneath(int dirfd, const char *path, int flags, unsigned mode) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  /* test knob: WEFT_WASI_FORCE_WALK=1 runs the fallback on kernels that have openat2 */
  const char *force = getenv("WEFT_WASI_FORCE_WALK");
  if (force && force[0] == '1') return walk_beneath(dirfd, path, flags, mode);
  for (;;) {
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) return (int)fd;
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == ENOSYS) return walk_beneath(dirfd, path, flags, mode);
    /* EXDEV: the path tried to leave the directory */
    return errno == EXDEV ? -EPERM : -errno;
  }
}

/* Copy a guest path into buf (NUL-terminated) after the checks every path
 * gets: not empty, no NUL byte, not absolute, not too long. */
static int check_path(const char *path, size_t len, char *buf) {
  if (len == 0) return -ENOENT;
  if (len >= PATH_CAP) return -ENAMETOOLONG;
  if (memchr(path, 0, len)) return -EINVAL;
  if (path[0] == '/') return -EPERM;
  memcpy(buf, path, len);
  buf[len] = 0;
  return 0;
}

int wf_wasi_path_open(int dirfd, const char *path, size_t len, int oflags, unsigned mode, bool follow) {
  char buf[PATH_CAP];
  int r = check_path(path, len, buf);
  if (r < 0) return r;
  if (!follow) oflags |= O_NOFOLLOW;
  /* a trailing slash makes the kernel follow a final symlink: keep that
   * beneath too (openat2 checks every step, including that one) */
  return openat2_beneath(dirfd, buf, oflags, mode);
}

int wf_wasi_path_parent(int dirfd, const char *path, size_t len, int *parent, char *base, size_t cap,
                        bool *must_dir) {
  char buf[PATH_CAP];
  int r = check_path(path, len, buf);
  if (r < 0) return r;
  *must_dir = false;
  while (len > 1 && buf[len - 1] == '/') {
    buf[--len] = 0;
    *must_dir = true;
  }
  char *slash = strrchr(buf, '/');
  const char *name = slash ? slash + 1 : buf;
  if (!strcmp(name, ".") || !strcmp(name, "..")) {
    /* the path names a directory itself: resolve all of it, use "." */
    int fd = openat2_beneath(dirfd, buf, O_PATH | O_DIRECTORY, 0);
    if (fd < 0) return fd;
    if (cap < 2) {
      close(fd);
      return -ENAMETOOLONG;
    }
    strcpy(base, ".");
    *parent = fd;
    return 0;
  }
  size_t nl = strlen(name);
  if (nl + 1 > cap) return -ENAMETOOLONG;
  memcpy(base, name, nl + 1);
  int fd;
  if (!slash) {
    fd = openat2_beneath(dirfd, ".", O_PATH | O_DIRECTORY, 0);
  } else {
    if (slash == buf) return -EPERM;   /* unreachable: absolute paths are refused */
    *slash = 0;
    fd = openat2_beneath(dirfd, buf, O_PATH | O_DIRECTORY, 0);
  }
  if (fd < 0) return fd;
  *parent = fd;
  return 0;
}
