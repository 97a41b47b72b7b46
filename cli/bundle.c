/* weft bundle new NAME --wit PATH [--world W] [--dir DIR]
 * weft bundle check DIR|FILE.tar.gz
 * weft bundle pack DIR [-o FILE.tar.gz]
 * Scaffolding, checking and packing host bundles (docs/host-bundles.md). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "weft.h"
#include "weft_hosts.h"

static void bundle_usage(void) {
  fprintf(stderr,
          "usage: weft bundle new NAME --wit PATH [--world WORLD] [--dir DIR]\n"
          "           scaffold a bundle: host.toml, wit/, src/ (header + skeleton), Makefile\n"
          "       weft bundle check DIR|FILE.tar.gz\n"
          "           load a bundle without running it and report what is wrong\n"
          "       weft bundle pack DIR [-o FILE.tar.gz]\n"
          "           write the bundle as NAME.tar.gz\n");
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) { fprintf(stderr, "weft: cannot write %s: %s\n", path, strerror(errno)); return 1; }
  int bad = fputs(text, f) < 0;
  bad |= fclose(f) != 0;
  if (bad) fprintf(stderr, "weft: cannot write %s\n", path);
  return bad;
}

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) { fprintf(stderr, "weft: cannot read %s: %s\n", from, strerror(errno)); return 1; }
  FILE *out = fopen(to, "wb");
  if (!out) { fclose(in); fprintf(stderr, "weft: cannot write %s: %s\n", to, strerror(errno)); return 1; }
  char buf[65536];
  size_t n;
  int bad = 0;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) bad = 1;
  fclose(in);
  if (fclose(out) != 0) bad = 1;
  if (bad) fprintf(stderr, "weft: cannot write %s\n", to);
  return bad;
}

/* Copy the .wit files and deps/ of a WIT directory (no symlinks followed). */
static int copy_tree(const char *from, const char *to, int depth) {
  if (depth > 16) { fprintf(stderr, "weft: %s: directories nested too deep\n", from); return 1; }
  if (mkdir(to, 0755) != 0 && errno != EEXIST) { fprintf(stderr, "weft: mkdir %s: %s\n", to, strerror(errno)); return 1; }
  DIR *d = opendir(from);
  if (!d) { fprintf(stderr, "weft: %s: %s\n", from, strerror(errno)); return 1; }
  int rc = 0;
  for (struct dirent *e; !rc && (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    char a[PATH_MAX * 2], b[PATH_MAX * 2];
    snprintf(a, sizeof a, "%s/%s", from, e->d_name);
    snprintf(b, sizeof b, "%s/%s", to, e->d_name);
    struct stat st;
    if (lstat(a, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) rc = copy_tree(a, b, depth + 1);
    else if (S_ISREG(st.st_mode)) rc = copy_file(a, b);
  }
  closedir(d);
  return rc;
}

static const char *base_name(const char *p) {
  static char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", p);
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
  const char *s = strrchr(buf, '/');
  return s ? s + 1 : buf;
}

/* weft_host.h next to this weft: BINDIR/../include or BINDIR/include. */
static int find_host_header(char *out, size_t cap) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return 0;
  exe[n] = 0;
  char *s = strrchr(exe, '/');
  if (!s) return 0;
  *s = 0;
  const char *tries[] = {"../include/weft_host.h", "include/weft_host.h", "../../include/weft_host.h"};
  for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
    if ((size_t)snprintf(out, cap, "%s/%s", exe, tries[i]) >= cap) continue;
    if (access(out, R_OK) == 0) return 1;
  }
  return 0;
}

static int bundle_new(int argc, char **argv) {
  const char *name = NULL, *wit = NULL, *world = NULL, *dir = NULL;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--wit") && i + 1 < argc) wit = argv[++i];
    else if (!strcmp(argv[i], "--world") && i + 1 < argc) world = argv[++i];
    else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    else if (argv[i][0] != '-' && !name) name = argv[i];
    else { bundle_usage(); return 2; }
  }
  if (!name || !wit) { bundle_usage(); return 2; }
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_') || name[0] == '-') {
      fprintf(stderr, "weft: bundle name '%s': use lower-case letters, digits, '-' and '_'\n", name);
      return 2;
    }
  if (!dir) dir = name;
  struct stat st;
  if (stat(dir, &st) == 0) { fprintf(stderr, "weft: %s already exists\n", dir); return 1; }
  if (stat(wit, &st) != 0) { fprintf(stderr, "weft: %s: %s\n", wit, strerror(errno)); return 1; }
  char p[PATH_MAX * 3], q[PATH_MAX * 2], lib[256];
  snprintf(lib, sizeof lib, "lib%s.so", name);
  for (char *c = lib; *c; c++) if (*c == '-') *c = '_';
  /* a WIT directory becomes the bundle's wit/; a single file goes into it */
  char witrel[PATH_MAX + 8];
  if (S_ISDIR(st.st_mode)) snprintf(witrel, sizeof witrel, "wit");
  else snprintf(witrel, sizeof witrel, "wit/%s", base_name(wit));
  if (mkdir(dir, 0755) != 0) { fprintf(stderr, "weft: mkdir %s: %s\n", dir, strerror(errno)); return 1; }
  snprintf(p, sizeof p, "%s/wit", dir);
  if (!S_ISDIR(st.st_mode) && mkdir(p, 0755) != 0) { fprintf(stderr, "weft: mkdir %s: %s\n", p, strerror(errno)); return 1; }
  snprintf(p, sizeof p, "%s/src", dir);
  if (mkdir(p, 0755) != 0) { fprintf(stderr, "weft: mkdir %s: %s\n", p, strerror(errno)); return 1; }
  snprintf(p, sizeof p, "%s/%s", dir, witrel);
  if (S_ISDIR(st.st_mode) ? copy_tree(wit, p, 0) : copy_file(wit, p)) return 1;
  char toml[PATH_MAX * 2];
  snprintf(toml, sizeof toml,
           "[host]\nname = \"%s\"\nlib = \"lib/%s\"\nwit = \"%s\"\n%s%s%s\n"
           "# [host.config]   string settings handed to weft_host_init\n# key = \"value\"\n",
           name, lib, witrel, world ? "world = \"" : "", world ? world : "", world ? "\"\n" : "");
  snprintf(p, sizeof p, "%s/host.toml", dir);
  if (write_file(p, toml)) return 1;
  char *hdr = NULL, *skel = NULL;
  weft_error_t err;
  if (weft_host_bindgen(dir, NULL, 0, &hdr, &err) != WEFT_OK || weft_host_bindgen(dir, NULL, 1, &skel, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s\n", err.message);
    free(hdr);
    return 1;
  }
  snprintf(p, sizeof p, "%s/src/bindings.h", dir);
  int rc = write_file(p, hdr);
  snprintf(p, sizeof p, "%s/src/%s.c", dir, name);
  rc |= write_file(p, skel);
  free(hdr);
  free(skel);
  if (rc) return 1;
  int have_hdr = find_host_header(q, sizeof q);
  if (have_hdr) {
    snprintf(p, sizeof p, "%s/src/weft_host.h", dir);
    if (copy_file(q, p)) return 1;
  }
  char mk[4096];
  snprintf(mk, sizeof mk,
           "# Builds lib/%s from src/*.c. weft_host.h: src/ has a copy%s; or set WEFT_INCLUDE.\n"
           "CC ?= cc\nCFLAGS ?= -O2 -g\nWEFT_INCLUDE ?= src\n\n"
           "lib/%s: $(wildcard src/*.c) src/bindings.h\n"
           "\t@mkdir -p lib\n"
           "\t$(CC) -std=c17 -Wall -Wextra -fPIC -shared -fvisibility=hidden $(CFLAGS) -I$(WEFT_INCLUDE) -Isrc \\\n"
           "\t  -o $@ $(filter %%.c,$^) $(LDLIBS)\n\n"
           "# After changing the WIT: regenerate the header (your src/*.c stays).\n"
           "bindings:\n\tweft bindgen --host . -o src/bindings.h\n\n"
           "check: lib/%s\n\tweft bundle check .\n\n"
           "pack: lib/%s\n\tweft bundle pack .\n\n"
           ".PHONY: bindings check pack\n",
           lib, have_hdr ? "" : " (not found next to weft: copy it there)", lib, lib, lib);
  snprintf(p, sizeof p, "%s/Makefile", dir);
  if (write_file(p, mk)) return 1;
  printf("created %s/: host.toml, %s, src/bindings.h, src/%s.c, Makefile\n", dir, witrel, name);
  return 0;
}

static int bundle_check(int argc, char **argv) {
  if (argc != 3) { bundle_usage(); return 2; }
  weft_hosts_t *h = weft_hosts_new(WEFT_HOSTS_NO_INIT);
  if (!h) { fprintf(stderr, "weft: out of memory\n"); return 1; }
  weft_error_t err;
  int rc = 0;
  if (weft_hosts_add_bundle(h, argv[2], NULL, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s\n", err.message);
    rc = 1;
  } else {
    printf("%s: ok: host '%s', %zu functions, %zu resources\n", argv[2], weft_hosts_name(h, 0),
           weft_hosts_func_count(h, 0), weft_hosts_resource_count(h, 0));
  }
  weft_hosts_free(h);
  return rc;
}

static int bundle_pack(int argc, char **argv) {
  const char *dir = NULL, *out = NULL;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (argv[i][0] != '-' && !dir) dir = argv[i];
    else { bundle_usage(); return 2; }
  }
  if (!dir) { bundle_usage(); return 2; }
  char *written = NULL;
  weft_error_t err;
  if (weft_bundle_pack(dir, out, &written, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s\n", err.message);
    return 1;
  }
  printf("wrote %s\n", written);
  free(written);
  return 0;
}

int cli_bundle_main(int argc, char **argv) {
  if (argc < 2) { bundle_usage(); return 2; }
  if (!strcmp(argv[1], "new")) return bundle_new(argc, argv);
  if (!strcmp(argv[1], "check")) return bundle_check(argc, argv);
  if (!strcmp(argv[1], "pack")) return bundle_pack(argc, argv);
  bundle_usage();
  return 2;
}
