/* Path-escape attempts for tests/cli/wasi_sandbox.sh. Uses the raw WASI
 * preview1 calls on the first preopened directory (fd 3), so every path
 * reaches the host unchanged (wasi-libc would reject some on its own).
 * Prints "allowed X" / "denied X errno=N" / "ESCAPED X" per attempt; the
 * script checks that every escape is denied and the sanity cases work.
 *
 * The host prepares, inside the box:  f.txt, a/ (with a/g.txt),
 *   in -> a/g.txt, up -> ../secret.txt, abs -> /etc/passwd, absdir -> /etc,
 *   a/upup -> ../../secret.txt, chain1 -> chain2 -> ../secret.txt,
 *   dirup -> .. ; and beside the box: secret.txt, outdir/. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define BOX 3
static int escapes, allowed_ok;

static void escape(const char *what, __wasi_errno_t e) {
  if (e == 0) printf("ESCAPED %s\n", what);
  else printf("denied %s errno=%d\n", what, (int)e);
  escapes++;
}

static void allowed(const char *what, __wasi_errno_t e) {
  printf("%s %s errno=%d\n", e == 0 ? "allowed" : "REFUSED", what, (int)e);
  allowed_ok += e == 0;
}

static __wasi_errno_t open_at(const char *path, int follow, __wasi_oflags_t of, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(BOX, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, of, rights, rights, 0, &fd);
  if (e == 0) (void)__wasi_fd_close(fd);
  return e;
}

static __wasi_errno_t stat_at(const char *path, int follow) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(BOX, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &st);
}

int main(void) {
  const __wasi_rights_t R = __WASI_RIGHTS_FD_READ, W = __WASI_RIGHTS_FD_WRITE;
  char what[256];

  /* sanity: the sandbox itself works */
  allowed("open f.txt", open_at("f.txt", 0, 0, R));
  allowed("open a/../f.txt", open_at("a/../f.txt", 0, 0, R));
  allowed("open in (symlink inside)", open_at("in", 1, 0, R));
  allowed("stat up (the link itself, not followed)", stat_at("up", 0));
  allowed("open . (the box)", open_at(".", 0, __WASI_OFLAGS_DIRECTORY, R));

  /* opening: lexical escapes, absolute paths, symlinks out */
  static const char *opens[] = {"..", "../secret.txt", "./../secret.txt", "a/../../secret.txt", "a/../a/../../secret.txt",
                                "/etc/passwd", "/", "//etc/passwd", "up", "abs", "absdir", "absdir/passwd",
                                "a/upup", "chain1", "dirup", "dirup/secret.txt", "dirup/box/../secret.txt"};
  for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
    snprintf(what, sizeof what, "open %s (follow)", opens[i]);
    escape(what, open_at(opens[i], 1, 0, R));
    snprintf(what, sizeof what, "open %s (nofollow)", opens[i]);
    escape(what, open_at(opens[i], 0, 0, R));
  }
  escape("create ../created.txt", open_at("../created.txt", 0, __WASI_OFLAGS_CREAT, R | W));
  escape("create dirup/created.txt", open_at("dirup/created.txt", 0, __WASI_OFLAGS_CREAT, R | W));
  escape("truncate through up", open_at("up", 1, __WASI_OFLAGS_TRUNC, R | W));
  escape("create through absdir", open_at("absdir/created.txt", 1, __WASI_OFLAGS_CREAT, R | W));

  /* stat following links out / lexical escapes */
  escape("stat ../secret.txt", stat_at("../secret.txt", 0));
  escape("stat up (follow)", stat_at("up", 1));
  escape("stat absdir/passwd", stat_at("absdir/passwd", 0));
  escape("stat dirup/secret.txt", stat_at("dirup/secret.txt", 0));
  escape("stat /etc/passwd", stat_at("/etc/passwd", 0));

  /* changing things outside */
  escape("mkdir ../newdir", __wasi_path_create_directory(BOX, "../newdir"));
  escape("mkdir dirup/newdir", __wasi_path_create_directory(BOX, "dirup/newdir"));
  escape("mkdir /tmp/newdir", __wasi_path_create_directory(BOX, "/tmp/newdir"));
  escape("unlink ../secret.txt", __wasi_path_unlink_file(BOX, "../secret.txt"));
  escape("unlink dirup/secret.txt", __wasi_path_unlink_file(BOX, "dirup/secret.txt"));
  escape("rmdir ../outdir", __wasi_path_remove_directory(BOX, "../outdir"));
  escape("rmdir dirup/outdir", __wasi_path_remove_directory(BOX, "dirup/outdir"));
  escape("rename f.txt -> ../moved.txt", __wasi_path_rename(BOX, "f.txt", BOX, "../moved.txt"));
  escape("rename ../secret.txt -> stolen.txt", __wasi_path_rename(BOX, "../secret.txt", BOX, "stolen.txt"));
  escape("rename dirup/secret.txt -> stolen.txt", __wasi_path_rename(BOX, "dirup/secret.txt", BOX, "stolen.txt"));
  escape("link ../secret.txt -> hard.txt", __wasi_path_link(BOX, 0, "../secret.txt", BOX, "hard.txt"));
  escape("link f.txt -> ../hard.txt", __wasi_path_link(BOX, 0, "f.txt", BOX, "../hard.txt"));
  escape("link absdir/passwd -> hard.txt", __wasi_path_link(BOX, 0, "absdir/passwd", BOX, "hard.txt"));
  escape("symlink x -> ../newlink", __wasi_path_symlink("x", BOX, "../newlink"));
  escape("symlink newabs -> /etc/passwd", __wasi_path_symlink("/etc/passwd", BOX, "newabs"));
  escape("set times through up", __wasi_path_filestat_set_times(BOX, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up", 0, 0,
                                                                   __WASI_FSTFLAGS_MTIM_NOW));
  escape("set times ../secret.txt", __wasi_path_filestat_set_times(BOX, 0, "../secret.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  uint8_t buf[64];
  __wasi_size_t n;
  escape("readlink dirup/../somelink", __wasi_path_readlink(BOX, "dirup/../somelink", buf, sizeof buf, &n));

  printf("escapes tried: %d, sanity cases allowed: %d\n", escapes, allowed_ok);
  return 0;
}
