/* WASI layer pieces that need no guest: sandboxed path resolution
 * (wasi_fs_path.c), stream objects and pollables (wasi_io_*.c), config. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "wasi/wasi.h"

/* A scratch tree:  T/outside.txt
 *                  T/box/            <- the sandbox (base fd)
 *                  T/box/f.txt, T/box/a/b/, T/box/a/g.txt
 *                  T/box/in -> a/g.txt      (inside)
 *                  T/box/up -> ../outside.txt
 *                  T/box/abs -> /etc
 *                  T/box/a/upup -> ../../outside.txt
 *                  T/box/loop -> loop
 *                  T/box/dirlink -> a       (inside, a directory) */
static int make_tree(char *root, size_t cap) {
  const char *tmp = getenv("TMPDIR");
  snprintf(root, cap, "%s/weft-wasi-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(root)) return -1;
  char p[600];
#define P(x) (snprintf(p, sizeof p, "%s/%s", root, x), p)
  int fd;
  if ((fd = open(P("outside.txt"), O_CREAT | O_WRONLY, 0644)) < 0) return -1;
  close(fd);
  if (mkdir(P("box"), 0755) || mkdir(P("box/a"), 0755) || mkdir(P("box/a/b"), 0755)) return -1;
  if ((fd = open(P("box/f.txt"), O_CREAT | O_WRONLY, 0644)) < 0) return -1;
  if (write(fd, "hello", 5) != 5) return -1;
  close(fd);
  if ((fd = open(P("box/a/g.txt"), O_CREAT | O_WRONLY, 0644)) < 0) return -1;
  close(fd);
  if (symlink("a/g.txt", P("box/in")) || symlink("../outside.txt", P("box/up")) || symlink("/etc", P("box/abs")) ||
      symlink("../../outside.txt", P("box/a/upup")) || symlink("loop", P("box/loop")) ||
      symlink("a", P("box/dirlink")))
    return -1;
#undef P
  return 0;
}

static void remove_tree(const char *root) {
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) { /* best effort */ }
}

static int open_box(const char *root) {
  char p[600];
  snprintf(p, sizeof p, "%s/box", root);
  return open(p, O_RDONLY | O_DIRECTORY);
}

static int try_open(int base, const char *path, int flags, bool follow) {
  int fd = wf_wasi_path_open(base, path, strlen(path), flags, 0644, follow);
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  return fd;
}

WF_TEST(wasi_path_open_inside) {
  char root[512];
  CHECK(make_tree(root, sizeof root) == 0);
  int base = open_box(root);
  CHECK(base >= 0);
  CHECK_EQ(try_open(base, "f.txt", O_RDONLY, false), 0);
  CHECK_EQ(try_open(base, "./a/../f.txt", O_RDONLY, false), 0);
  CHECK_EQ(try_open(base, "a/b/../g.txt", O_RDONLY, false), 0);
  CHECK_EQ(try_open(base, "in", O_RDONLY, true), 0);          /* symlink inside, followed */
  CHECK_EQ(try_open(base, "dirlink/g.txt", O_RDONLY, false), 0);
  CHECK_EQ(try_open(base, ".", O_RDONLY | O_DIRECTORY, false), 0);
  CHECK_EQ(try_open(base, "a/", O_RDONLY | O_DIRECTORY, false), 0);
  CHECK_EQ(try_open(base, "new.txt", O_CREAT | O_WRONLY, false), 0);
  CHECK_EQ(try_open(base, "missing", O_RDONLY, false), -ENOENT);
  CHECK_EQ(try_open(base, "in", O_RDONLY, false), -ELOOP);    /* nofollow on a symlink */
  CHECK_EQ(try_open(base, "loop", O_RDONLY, true), -ELOOP);
  close(base);
  remove_tree(root);
}

WF_TEST(wasi_path_open_escapes_denied) {
  char root[512];
  CHECK(make_tree(root, sizeof root) == 0);
  int base = open_box(root);
  CHECK(base >= 0);
  const char *escapes[] = {"..", "../outside.txt", "a/../../outside.txt", "a/b/../../../outside.txt",
                           "/etc/passwd", "/", "up", "abs", "abs/passwd", "a/upup", "dirlink/../../outside.txt"};
  for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
    int r = try_open(base, escapes[i], O_RDONLY, true);
    if (r != -EPERM) fprintf(stderr, "  escape '%s' gave %d\n", escapes[i], r);
    CHECK_EQ(r, -EPERM);
  }
  /* creating through an escape is refused too, and nothing appears outside */
  CHECK_EQ(try_open(base, "../created.txt", O_CREAT | O_WRONLY, false), -EPERM);
  char p[600];
  snprintf(p, sizeof p, "%s/created.txt", root);
  CHECK(access(p, F_OK) != 0);
  /* bad input */
  CHECK_EQ(wf_wasi_path_open(base, "", 0, O_RDONLY, 0, true), -ENOENT);
  CHECK_EQ(wf_wasi_path_open(base, "f.txt\0x", 7, O_RDONLY, 0, true), -EINVAL);
  char longp[5000];
  memset(longp, 'a', sizeof longp);
  CHECK_EQ(wf_wasi_path_open(base, longp, sizeof longp, O_RDONLY, 0, true), -ENAMETOOLONG);
  close(base);
  remove_tree(root);
}

WF_TEST(wasi_path_parent) {
  char root[512];
  CHECK(make_tree(root, sizeof root) == 0);
  int base = open_box(root);
  CHECK(base >= 0);
  int parent;
  char name[256];
  bool must_dir;
  CHECK_EQ(wf_wasi_path_parent(base, "a/b/new", 7, &parent, name, sizeof name, &must_dir), 0);
  CHECK(!strcmp(name, "new") && !must_dir);
  close(parent);
  CHECK_EQ(wf_wasi_path_parent(base, "a/b/", 4, &parent, name, sizeof name, &must_dir), 0);
  CHECK(!strcmp(name, "b") && must_dir);
  close(parent);
  /* the last component of "x/.." is never handed to an *at() call as ".." */
  CHECK_EQ(wf_wasi_path_parent(base, "a/..", 4, &parent, name, sizeof name, &must_dir), 0);
  CHECK(!strcmp(name, "."));
  close(parent);
  /* escapes in the parent part are refused */
  CHECK_EQ(wf_wasi_path_parent(base, "../x", 4, &parent, name, sizeof name, &must_dir), -EPERM);
  CHECK_EQ(wf_wasi_path_parent(base, "..", 2, &parent, name, sizeof name, &must_dir), -EPERM);
  CHECK_EQ(wf_wasi_path_parent(base, "abs/passwd", 10, &parent, name, sizeof name, &must_dir), -EPERM);
  CHECK_EQ(wf_wasi_path_parent(base, "/tmp/x", 6, &parent, name, sizeof name, &must_dir), -EPERM);
  CHECK_EQ(wf_wasi_path_parent(base, "a/../../x", 9, &parent, name, sizeof name, &must_dir), -EPERM);
  /* a symlink as the last component is returned as a name, not followed */
  CHECK_EQ(wf_wasi_path_parent(base, "up", 2, &parent, name, sizeof name, &must_dir), 0);
  CHECK(!strcmp(name, "up"));
  struct stat st;
  CHECK(fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
  close(parent);
  close(base);
  remove_tree(root);
}

WF_TEST(wasi_mem_stream_and_refs) {
  wf_wasi_istream_t *s = wf_wasi_mem_istream_new((const uint8_t *)"abcdef", 6);
  CHECK(s != NULL);
  uint8_t buf[4];
  wf_wasi_ioerr_t *e = NULL;
  CHECK_EQ(s->ops->read(s, buf, 4, false, &e), 4);
  CHECK(!memcmp(buf, "abcd", 4));
  /* a pollable keeps its stream alive after the guest drops the stream */
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(&s->obj, NULL);
  CHECK(p != NULL);
  CHECK_EQ(s->obj.refs, 2);
  wf_wasi_unref(s);
  CHECK_EQ(s->obj.refs, 1);
  CHECK_EQ(s->ops->read(s, buf, 4, false, &e), 2);
  CHECK_EQ(s->ops->read(s, buf, 4, false, &e), WF_WASI_CLOSED);
  wf_wasi_unref(p);   /* frees both */
}

WF_TEST(wasi_fd_streams_and_poll) {
  int fds[2];
  CHECK(pipe(fds) == 0);
  wf_wasi_istream_t *in = wf_wasi_fd_istream_new(fds[0], true);
  wf_wasi_ostream_t *out = wf_wasi_fd_ostream_new(fds[1], true);
  CHECK(in && out);
  uint8_t buf[8];
  wf_wasi_ioerr_t *e = NULL;
  CHECK_EQ(in->ops->read(in, buf, sizeof buf, false, &e), 0);   /* nothing yet, no blocking */
  /* a pipe with no data is not ready; a 20 ms deadline wins the poll */
  wf_wasi_wait_t w;
  wf_wasi_wait_init(&w);
  in->ops->readiness(in, &w);
  CHECK(!w.ready && w.fd == fds[0]);
  uint64_t t0 = wf_wasi_monotonic_ns();
  wf_wasi_pollable_t *dl = wf_wasi_pollable_deadline(t0 + 20000000u);
  CHECK(dl != NULL);
  bool ready[1];
  CHECK_EQ(wf_wasi_poll(&dl, 1, ready), 0);
  CHECK(ready[0]);
  CHECK(wf_wasi_monotonic_ns() - t0 >= 20000000u);
  wf_wasi_unref(dl);
  CHECK_EQ(out->ops->check_write(out, &e) > 0, 1);
  CHECK_EQ(out->ops->write(out, (const uint8_t *)"hi", 2, &e), 0);
  CHECK_EQ(in->ops->read(in, buf, sizeof buf, true, &e), 2);
  CHECK(!memcmp(buf, "hi", 2));
  wf_wasi_unref(out);   /* closes the write end: the reader sees the end */
  CHECK_EQ(in->ops->read(in, buf, sizeof buf, true, &e), WF_WASI_CLOSED);
  wf_wasi_unref(in);
  /* fd -1: empty input, discarding output */
  wf_wasi_istream_t *none = wf_wasi_fd_istream_new(-1, false);
  CHECK_EQ(none->ops->read(none, buf, 1, true, &e), WF_WASI_CLOSED);
  wf_wasi_unref(none);
}

WF_TEST(wasi_errno_codes_and_config) {
  CHECK_EQ(wf_wasi_fs_code(ENOENT), WF_FS_NO_ENTRY);
  CHECK_EQ(wf_wasi_fs_code(EPERM), WF_FS_NOT_PERMITTED);
  CHECK_EQ(wf_wasi_fs_code(ENOTEMPTY), WF_FS_NOT_EMPTY);
  CHECK_EQ(wf_wasi_fs_code(EXDEV), WF_FS_CROSS_DEVICE);
  wf_wasi_ioerr_t *e = wf_wasi_ioerr_new(NULL, EACCES);
  CHECK(e && e->fs_code == WF_FS_ACCESS && strlen(e->msg) > 0);
  wf_wasi_unref(e);
  weft_wasi_config_t *c = weft_wasi_config_new();
  CHECK(c != NULL);
  CHECK_EQ(weft_wasi_config_env(c, "A=B", "x"), WEFT_ERR_ARG);
  CHECK_EQ(weft_wasi_config_env(c, "A", "1"), WEFT_OK);
  CHECK_EQ(weft_wasi_config_env(c, "A", "2"), WEFT_OK);
  weft_error_t err;
  CHECK_EQ(weft_wasi_config_preopen(c, "/nonexistent-weft-dir", "/", 3, &err), WEFT_ERR_IO);
  CHECK(strstr(err.message, "nonexistent-weft-dir") != NULL);
  weft_wasi_config_free(c);
}

/* Property: whatever path a guest builds from `..`, `.`, names, symlinks
 * (in and out) and slashes, an fd that opens is inside the box. */
WF_TEST(wasi_path_random_never_escapes) {
  char root[512];
  CHECK(make_tree(root, sizeof root) == 0);
  int base = open_box(root);
  CHECK(base >= 0);
  char boxreal[PATH_MAX], p[600];
  snprintf(p, sizeof p, "%s/box", root);
  CHECK(realpath(p, boxreal) != NULL);
  size_t blen = strlen(boxreal);
  static const char *parts[] = {"..", ".", "a", "b", "f.txt", "in", "up", "abs", "dirlink", "loop", "upup", "", "/"};
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  int opened = 0;
  for (int iter = 0; iter < 3000; iter++) {
    char path[256] = "";
    int n = 1 + (int)(rng % 6);
    for (int k = 0; k < n; k++) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      const char *part = parts[rng % (sizeof parts / sizeof parts[0])];
      if (k) strcat(path, "/");
      strcat(path, part);
    }
    int fd = wf_wasi_path_open(base, path, strlen(path), O_PATH, 0, (rng >> 20) & 1);
    if (fd < 0) continue;
    opened++;
    char link[64], where[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t r = readlink(link, where, sizeof where - 1);
    close(fd);
    CHECK(r > 0);
    where[r] = 0;
    if (strncmp(where, boxreal, blen) || (where[blen] && where[blen] != '/'))
      fprintf(stderr, "  '%s' opened %s, outside %s\n", path, where, boxreal);
    CHECK(!strncmp(where, boxreal, blen) && (!where[blen] || where[blen] == '/'));
  }
  CHECK(opened > 100);   /* the property was exercised, not vacuous */
  close(base);
  remove_tree(root);
}
