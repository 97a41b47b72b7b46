/* A WASI command guest for tests/cli/wasi.sh (built with clang
 * --target=wasm32-wasi and adapted with jco's preview1 command adapter).
 *
 *   guest ARGS... : prints what it sees, one "key: value" line each:
 *     args, env (WEFT_A, WEFT_B), stdin (bytes + text), a file written,
 *     read back, appended and listed in the preopened directory /data,
 *     clocks, random; then exits with the code given as the last argument
 *     (if it is a number). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  /* args */
  printf("argc: %d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]: %s\n", i, argv[i]);

  /* env */
  const char *a = getenv("WEFT_A"), *b = getenv("WEFT_B");
  printf("env WEFT_A: %s\n", a ? a : "(unset)");
  printf("env WEFT_B: %s\n", b ? b : "(unset)");
  printf("env HOME: %s\n", getenv("HOME") ? "set" : "(unset)");

  /* stdin */
  char in[4096];
  size_t n = fread(in, 1, sizeof in - 1, stdin);
  in[n] = 0;
  if (n && in[n - 1] == '\n') in[n - 1] = 0;
  printf("stdin: %zu bytes: %s\n", n, in);

  /* files in the preopened directory */
  FILE *f = fopen("/data/out.txt", "w");
  if (!f) {
    printf("file: cannot create /data/out.txt: %s\n", strerror(errno));
  } else {
    fprintf(f, "written by the guest\n");
    fclose(f);
    f = fopen("/data/out.txt", "a");
    if (f) {
      fprintf(f, "appended\n");
      fclose(f);
    }
    char buf[128] = {0};
    f = fopen("/data/out.txt", "r");
    size_t r = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    for (char *p = buf; *p; p++)
      if (*p == '\n') *p = '|';
    printf("file: %zu bytes: %s\n", r, buf);
  }
  struct stat st;
  if (stat("/data/given.txt", &st) == 0) printf("stat given.txt: %lld bytes, regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  else printf("stat given.txt: %s\n", strerror(errno));
  if (mkdir("/data/sub", 0755) == 0) printf("mkdir sub: ok\n");
  else printf("mkdir sub: %s\n", strerror(errno));

  /* directory listing, sorted */
  DIR *d = opendir("/data");
  if (!d) {
    printf("list: %s\n", strerror(errno));
  } else {
    char *names[64];
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)) && k < 64)
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[k++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)k, sizeof names[0], cmp);
    printf("list:");
    for (int i = 0; i < k; i++) {
      printf(" %s", names[i]);
      free(names[i]);
    }
    printf("\n");
  }
  if (unlink("/data/out.txt") == 0 && access("/data/out.txt", F_OK) != 0) printf("unlink: ok\n");
  if (rmdir("/data/sub") == 0) printf("rmdir: ok\n");

  /* clocks */
  struct timespec rt, m0, m1;
  clock_gettime(CLOCK_REALTIME, &rt);
  printf("realtime after 2020: %d\n", rt.tv_sec > 1577836800);
  clock_gettime(CLOCK_MONOTONIC, &m0);
  struct timespec nap = {0, 20 * 1000 * 1000};
  nanosleep(&nap, NULL);
  clock_gettime(CLOCK_MONOTONIC, &m1);
  long long dt = (long long)(m1.tv_sec - m0.tv_sec) * 1000000000LL + (m1.tv_nsec - m0.tv_nsec);
  printf("monotonic slept >= 20ms: %d\n", dt >= 20 * 1000 * 1000);

  /* random */
  unsigned char r1[32], r2[32];
  int ok = getentropy(r1, sizeof r1) == 0 && getentropy(r2, sizeof r2) == 0;
  int nonzero = 0;
  for (size_t i = 0; i < sizeof r1; i++) nonzero |= r1[i];
  printf("random: %d\n", ok && nonzero && memcmp(r1, r2, sizeof r1) != 0);

  fflush(stdout);
  /* exit code: the last argument, when it is a number */
  if (argc > 1) {
    char *end;
    long code = strtol(argv[argc - 1], &end, 10);
    if (*argv[argc - 1] && !*end) return (int)code;
  }
  return 0;
}
