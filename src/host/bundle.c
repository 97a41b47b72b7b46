/* Bundle directories and archives: paths of host.toml kept inside the
 * bundle, .tar.gz extraction (libarchive) into a private temporary
 * directory with every escaping entry refused, removal, and packing. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

static char *dups(const char *s) {
  size_t n = strlen(s);
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

/* Does the relative path have a ".." component? */
static bool has_dotdot(const char *p) {
  while (*p) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.') return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

/* Is `p` equal to `dir` or below it (both canonical)? */
static bool inside(const char *dir, const char *p) {
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/') return true;
  return strncmp(dir, p, n) == 0 && (p[n] == 0 || p[n] == '/');
}

bool wf_hbundle_path(const char *dir, const char *rel, const char *what, char **out, wf_error_t *err) {
  *out = NULL;
  if (rel[0] == '/' || rel[0] == '~')
    return wf_error_set(err, "%s/host.toml: %s path '%s' escapes the bundle (absolute paths are refused)", dir, what,
                        rel);
  if (has_dotdot(rel))
    return wf_error_set(err, "%s/host.toml: %s path '%s' escapes the bundle ('..' is refused)", dir, what, rel);
  char rdir[PATH_MAX], rp[PATH_MAX], joined[PATH_MAX * 2];
  if (!realpath(dir, rdir)) return wf_error_set(err, "%s: %s", dir, strerror(errno));
  snprintf(joined, sizeof joined, "%s/%s", rdir, rel);
  if (!realpath(joined, rp)) {
    int e = errno;
    return wf_error_set(err, "%s/host.toml: %s '%s' not found in the bundle (%s)", dir, what, rel, strerror(e));
  }
  if (!inside(rdir, rp))
    return wf_error_set(err, "%s/host.toml: %s path '%s' escapes the bundle (a symlink leads to %s)", dir, what, rel,
                        rp);
  if (!(*out = dups(rp))) return wf_error_set(err, "out of memory");
  return true;
}

bool wf_hbundle_is_tarball(const char *path) {
  size_t n = strlen(path);
  return (n > 7 && !strcmp(path + n - 7, ".tar.gz")) || (n > 4 && !strcmp(path + n - 4, ".tgz"));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st; (void)f;
  if (flag == FTW_DP) rmdir(p); else unlink(p);
  return 0;
}

void wf_hbundle_rmtree(const char *dir) {
  if (dir && *dir) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* An archive entry name that stays inside the extraction dir. */
static const char *entry_escapes(const char *name) {
  if (!name || !*name) return "an empty name";
  if (name[0] == '/') return "an absolute path";
  if (has_dotdot(name)) return "a '..' component";
  return NULL;
}

/* The bundle root in an extracted tree: the dir itself if it has host.toml,
 * else its only subdirectory if that has one. */
static char *find_root(const char *tmp) {
  char p[PATH_MAX + 32];
  struct stat st;
  snprintf(p, sizeof p, "%s/host.toml", tmp);
  if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) return dups(tmp);
  DIR *d = opendir(tmp);
  if (!d) return NULL;
  char *found = NULL;
  int dirs = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if ((size_t)snprintf(p, sizeof p, "%s/%s", tmp, e->d_name) >= sizeof p) continue;
    if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    dirs++;
    char t[PATH_MAX + 64];
    if ((size_t)snprintf(t, sizeof t, "%s/host.toml", p) >= sizeof t) continue;
    if (!found && lstat(t, &st) == 0 && S_ISREG(st.st_mode)) found = dups(p);
  }
  closedir(d);
  if (dirs != 1) { free(found); return NULL; }
  return found;
}

#define WF_HBUNDLE_MAX_ENTRIES 100000u
#define WF_HBUNDLE_MAX_BYTES (1ull << 32)

bool wf_hbundle_extract(const char *tarball, char **tmpdir, char **root, wf_error_t *err) {
  *tmpdir = *root = NULL;
  struct stat st;
  if (stat(tarball, &st) != 0) return wf_error_set(err, "%s: %s", tarball, strerror(errno));
  const char *td = getenv("TMPDIR");
  char tmpl[PATH_MAX];
  snprintf(tmpl, sizeof tmpl, "%s/weft-bundle-XXXXXX", td && *td ? td : "/tmp");
  if (!mkdtemp(tmpl)) return wf_error_set(err, "%s: cannot make a temporary directory: %s", tarball, strerror(errno));
  char base[PATH_MAX];
  if (!realpath(tmpl, base)) { wf_hbundle_rmtree(tmpl); return wf_error_set(err, "%s: %s", tmpl, strerror(errno)); }

  struct archive *a = archive_read_new();
  struct archive *out = archive_write_disk_new();
  bool ok = false;
  if (!a || !out) { wf_error_set(err, "out of memory"); goto done; }
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                          ARCHIVE_EXTRACT_PERM);
  /* (names are checked above and made absolute under base, so libarchive's
   * NOABSOLUTEPATHS cannot be used; its symlink check still applies) */
  if (archive_read_open_filename(a, tarball, 65536) != ARCHIVE_OK) {
    wf_error_set(err, "%s: not a readable .tar.gz: %s", tarball, archive_error_string(a));
    goto done;
  }
  struct archive_entry *e;
  uint32_t count = 0;
  uint64_t total = 0;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *name = archive_entry_pathname(e);
    const char *why = entry_escapes(name);
    if (why) {
      wf_error_set(err, "%s: entry '%s' escapes the bundle (%s); nothing was kept", tarball, name ? name : "", why);
      goto done;
    }
    if (++count > WF_HBUNDLE_MAX_ENTRIES) {
      wf_error_set(err, "%s: more than %u entries", tarball, WF_HBUNDLE_MAX_ENTRIES);
      goto done;
    }
    mode_t type = archive_entry_filetype(e);
    const char *hl = archive_entry_hardlink(e);
    if (hl && (why = entry_escapes(hl))) {
      wf_error_set(err, "%s: hard link '%s' -> '%s' escapes the bundle (%s)", tarball, name, hl, why);
      goto done;
    }
    if (type == AE_IFLNK) {
      const char *tgt = archive_entry_symlink(e);
      /* resolve the target against the entry's directory, lexically */
      char joined[PATH_MAX * 2];
      const char *slash = strrchr(name, '/');
      if (!tgt || tgt[0] == '/') {
        wf_error_set(err, "%s: symlink '%s' -> '%s' escapes the bundle (absolute target)", tarball, name,
                     tgt ? tgt : "");
        goto done;
      }
      snprintf(joined, sizeof joined, "%.*s%s", slash ? (int)(slash - name + 1) : 0, name, tgt);
      int depth = 0;
      bool esc = false;
      for (const char *p = joined; *p;) {
        const char *q = strchr(p, '/');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') { if (--depth < 0) esc = true; }
        else if (n && !(n == 1 && p[0] == '.')) depth++;
        if (!q) break;
        p = q + 1;
      }
      if (esc) {
        wf_error_set(err, "%s: symlink '%s' -> '%s' escapes the bundle", tarball, name, tgt);
        goto done;
      }
    } else if (type != AE_IFREG && type != AE_IFDIR && !hl) {
      wf_error_set(err, "%s: entry '%s' is not a file, directory or link", tarball, name);
      goto done;
    }
    int64_t sz = archive_entry_size(e);
    if (sz > 0) total += (uint64_t)sz;
    if (total > WF_HBUNDLE_MAX_BYTES) {
      wf_error_set(err, "%s: more than %llu bytes of content", tarball, (unsigned long long)WF_HBUNDLE_MAX_BYTES);
      goto done;
    }
    char dest[PATH_MAX * 2];
    snprintf(dest, sizeof dest, "%s/%s", base, name);
    archive_entry_set_pathname(e, dest);
    if (hl) {
      char hdest[PATH_MAX * 2];
      snprintf(hdest, sizeof hdest, "%s/%s", base, hl);
      archive_entry_set_hardlink(e, hdest);
    }
    if (archive_write_header(out, e) != ARCHIVE_OK) {
      wf_error_set(err, "%s: entry '%s': %s", tarball, name, archive_error_string(out));
      goto done;
    }
    const void *buf; size_t len; la_int64_t off;
    int rr;
    while ((rr = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
      if (archive_write_data_block(out, buf, len, off) != ARCHIVE_OK) {
        wf_error_set(err, "%s: entry '%s': %s", tarball, name, archive_error_string(out));
        goto done;
      }
    if (rr != ARCHIVE_EOF) {
      wf_error_set(err, "%s: entry '%s': %s", tarball, name, archive_error_string(a));
      goto done;
    }
    if (archive_write_finish_entry(out) != ARCHIVE_OK) {
      wf_error_set(err, "%s: entry '%s': %s", tarball, name, archive_error_string(out));
      goto done;
    }
  }
  if (r != ARCHIVE_EOF) {
    wf_error_set(err, "%s: %s", tarball, archive_error_string(a));
    goto done;
  }
  if (!(*root = find_root(base))) {
    wf_error_set(err, "%s: no host.toml at the top of the archive or in its only directory", tarball);
    goto done;
  }
  ok = true;
done:
  if (a) archive_read_free(a);
  if (out) archive_write_free(out);
  if (!ok) {
    wf_hbundle_rmtree(base);
    free(*root);
    *root = NULL;
    return false;
  }
  if (!(*tmpdir = dups(base))) {
    wf_hbundle_rmtree(base);
    free(*root);
    *root = NULL;
    return wf_error_set(err, "out of memory");
  }
  return true;
}

/* ---- packing ---- */
typedef struct {
  struct archive *a;
  const char *dir;      /* canonical bundle dir */
  const char *name;     /* top-level name in the archive */
  wf_error_t *err;
  bool failed;
} pack_t;

static bool pack_rec(pack_t *pk, const char *rel, int depth) {
  if (depth > 64) return wf_error_set(pk->err, "%s: directories nested too deep", pk->dir);
  char path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s%s%s", pk->dir, *rel ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) return wf_error_set(pk->err, "%s: %s", path, strerror(errno));
  /* sorted listing for reproducible archives */
  char **names = NULL;
  size_t n = 0, cap = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) break;
      names = nn;
    }
    names[n++] = dups(e->d_name);
  }
  closedir(d);
  for (size_t i = 0; i + 1 < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (names[i] && names[j] && strcmp(names[i], names[j]) > 0) { char *t = names[i]; names[i] = names[j]; names[j] = t; }
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    if (!names[i]) { ok = wf_error_set(pk->err, "out of memory"); break; }
    char sub[PATH_MAX], full[PATH_MAX * 2], arc[PATH_MAX * 2];
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
    snprintf(full, sizeof full, "%s/%s", pk->dir, sub);
    snprintf(arc, sizeof arc, "%s/%s", pk->name, sub);
    struct stat st;
    if (lstat(full, &st) != 0) { ok = wf_error_set(pk->err, "%s: %s", full, strerror(errno)); break; }
    struct archive_entry *e = archive_entry_new();
    if (!e) { ok = wf_error_set(pk->err, "out of memory"); break; }
    archive_entry_set_pathname(e, arc);
    archive_entry_set_perm(e, st.st_mode & 0777);
    archive_entry_set_mtime(e, st.st_mtime, 0);
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e, AE_IFDIR);
      ok = archive_write_header(pk->a, e) == ARCHIVE_OK ? pack_rec(pk, sub, depth + 1)
                                                          : wf_error_set(pk->err, "%s: %s", arc, archive_error_string(pk->a));
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, st.st_size);
      if (archive_write_header(pk->a, e) != ARCHIVE_OK) {
        ok = wf_error_set(pk->err, "%s: %s", arc, archive_error_string(pk->a));
      } else {
        int fd = open(full, O_RDONLY);
        if (fd < 0) ok = wf_error_set(pk->err, "%s: %s", full, strerror(errno));
        char buf[65536];
        ssize_t r;
        while (ok && (r = read(fd, buf, sizeof buf)) > 0)
          if (archive_write_data(pk->a, buf, (size_t)r) != r) ok = wf_error_set(pk->err, "%s: %s", arc, archive_error_string(pk->a));
        if (fd >= 0) close(fd);
      }
    } else if (S_ISLNK(st.st_mode)) {
      char tgt[PATH_MAX];
      ssize_t tl = readlink(full, tgt, sizeof tgt - 1);
      if (tl < 0) ok = wf_error_set(pk->err, "%s: %s", full, strerror(errno));
      else {
        tgt[tl] = 0;
        char real[PATH_MAX];
        if (!realpath(full, real) || !inside(pk->dir, real))
          ok = wf_error_set(pk->err, "%s: symlink '%s' leaves the bundle; not packed", full, tgt);
        else {
          archive_entry_set_filetype(e, AE_IFLNK);
          archive_entry_set_symlink(e, tgt);
          if (archive_write_header(pk->a, e) != ARCHIVE_OK) ok = wf_error_set(pk->err, "%s: %s", arc, archive_error_string(pk->a));
        }
      }
    }
    archive_entry_free(e);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return ok;
}

bool wf_hbundle_pack(const char *dir, const char *name, const char *out, wf_error_t *err) {
  char rdir[PATH_MAX];
  if (!realpath(dir, rdir)) return wf_error_set(err, "%s: %s", dir, strerror(errno));
  struct archive *a = archive_write_new();
  if (!a) return wf_error_set(err, "out of memory");
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  bool ok = false;
  if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
    wf_error_set(err, "%s: %s", out, archive_error_string(a));
  } else {
    pack_t pk = {a, rdir, name, err, false};
    struct archive_entry *e = archive_entry_new();
    if (e) {
      archive_entry_set_pathname(e, name);
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, 0755);
      ok = archive_write_header(a, e) == ARCHIVE_OK;
      archive_entry_free(e);
    }
    if (!ok) wf_error_set(err, "%s: %s", out, archive_error_string(a));
    else ok = pack_rec(&pk, "", 0);
    if (archive_write_close(a) != ARCHIVE_OK && ok) ok = wf_error_set(err, "%s: %s", out, archive_error_string(a));
  }
  archive_write_free(a);
  if (!ok) unlink(out);
  return ok;
}
