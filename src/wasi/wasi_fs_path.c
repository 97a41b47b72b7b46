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
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi.h"

#define PATH_CAP 4096

static int openat2_beneath(int dirfd, const char *path, int flags, unsigned mode) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) return (int)fd;
    if (errno == EINTR || errno == EAGAIN) continue;
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
