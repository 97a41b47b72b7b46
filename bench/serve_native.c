/* The native baseline for `weft serve` in make bench: a hello server in C on
 * the same HTTP library and threading mode (libmicrohttpd, a thread per
 * connection), answering what tests/serve/guest.c's hello guest answers
 * (200, content-type text/plain, chunked "hello from weft\n").
 *   serve_native [PORT]    (0 or none: a free port; prints "port N")
 * Stops on SIGINT/SIGTERM. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char BODY[] = "hello from weft\n";

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)cls;
  size_t n = sizeof BODY - 1;
  if (pos >= n) return MHD_CONTENT_READER_END_OF_STREAM;
  size_t k = n - (size_t)pos < max ? n - (size_t)pos : max;
  memcpy(buf, BODY + pos, k);
  return (ssize_t)k;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
  (void)cls, (void)url, (void)method, (void)version, (void)upload;
  if (!*state) {   /* the head: wait for the body (if any) */
    *state = c;
    return MHD_YES;
  }
  if (*upload_size) {
    *upload_size = 0;
    return MHD_YES;
  }
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, NULL, NULL);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "content-type", "text/plain");
  enum MHD_Result rc = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return rc;
}

int main(int argc, char **argv) {
  unsigned port = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 0;
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                              MHD_USE_POLL | MHD_USE_ERROR_LOG,
                                          (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_CONNECTION_LIMIT,
                                          1024u, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "serve_native: cannot listen\n");
    return 1;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("port %u\n", di ? di->port : 0);
  fflush(stdout);
  int sig;
  sigwait(&sigs, &sig);
  MHD_stop_daemon(d);
  return 0;
}
