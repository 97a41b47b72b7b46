/* A WASI command that uses a PKCS#11 token through the pkcs11 host bundle
 * (examples/pkcs11_host, SoftHSM 2 through p11-kit): it lists the tokens,
 * logs in, generates an EC P-256 and an RSA 2048 key pair on the token,
 * signs a message with each, verifies the signatures (and a tampered
 * message), and shows the errors a guest gets back. The private keys never
 * leave the token.
 *   weft run --host-bundle DIR pkcs11_app.wasm TOKEN-LABEL PIN [hex]
 * With `hex`, it also prints the EC public key and signature in full, so
 * that a test can check the signature with another implementation.
 * Built by examples/guests/build.sh. */
#include "abi.h"

typedef struct {
  uint64_t slot;
  str_t label, manufacturer, model, serial;
  uint8_t initialized;
} token_info_t;   /* record token-info: 48 bytes, align 8 */
typedef struct { uint8_t is_err; union { struct { token_info_t *ptr; size_t len; } ok; str_t err; } val; } res_tokens_t;
typedef struct { uint8_t is_err; union { int32_t ok; str_t err; } val; } res_session_t;
typedef struct { uint8_t is_err; union { uint8_t ok; str_t err; } val; } res_bool_t;
typedef int32_t session_t;
enum { EC_P256 = 0, RSA2048 = 1 };

#define IMPORT(name) __attribute__((import_module("example:pkcs11/token@0.1.0"), import_name(name)))
IMPORT("tokens") void p11_tokens(res_tokens_t *ret);
IMPORT("[static]session.login") void p11_login(const char *, size_t, const char *, size_t, res_session_t *ret);
IMPORT("[method]session.generate-key") void p11_generate(session_t, int32_t kind, const char *, size_t, res_bytes_t *ret);
IMPORT("[method]session.sign") void p11_sign(session_t, const char *, size_t, const uint8_t *, size_t, res_bytes_t *ret);
IMPORT("[method]session.verify")
void p11_verify(session_t, const char *, size_t, const uint8_t *, size_t, const uint8_t *, size_t, res_bool_t *ret);
IMPORT("[method]session.keys") void p11_keys(session_t, res_strs_t *ret);
IMPORT("[method]session.random") void p11_random(session_t, uint32_t len, res_bytes_t *ret);
IMPORT("[resource-drop]session") void p11_drop(session_t);

static void hex(const char *what, bytes_t b) {
  char buf[64];
  size_t k = 0;
  for (size_t i = 0; i < b.len && i < 8; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, "%02x", b.ptr[i]);
  printf("%s: %zu bytes (%s...)\n", what, b.len, buf);
}
static int err(const char *what, str_t e) {
  printf("%s: error: %.*s\n", what, (int)e.len, e.ptr);
  free_str(e);
  return -1;
}
static void free_bytes(bytes_t b) { if (b.len) free(b.ptr); }
static int full_hex;
static void hex_full(const char *what, bytes_t b) {
  if (!full_hex) return;
  printf("%s: ", what);
  for (size_t i = 0; i < b.len; i++) printf("%02x", b.ptr[i]);
  printf("\n");
}

/* Generates a key pair, signs msg, verifies it and a tampered copy. */
static int key_round(session_t s, int kind, const char *label, const char *msg) {
  res_bytes_t pub;
  p11_generate(s, kind, label, strlen(label), &pub);
  if (pub.is_err) return err("generate-key", pub.val.err);
  printf("key '%s' generated on the token\n", label);
  hex("  public key", pub.val.ok);
  if (kind == EC_P256) hex_full("ec-public-key", pub.val.ok);
  free_bytes(pub.val.ok);
  res_bytes_t sig;
  p11_sign(s, label, strlen(label), (const uint8_t *)msg, strlen(msg), &sig);
  if (sig.is_err) return err("sign", sig.val.err);
  hex("  signature", sig.val.ok);
  if (kind == EC_P256) hex_full("ec-signature", sig.val.ok);
  res_bool_t ok;
  p11_verify(s, label, strlen(label), (const uint8_t *)msg, strlen(msg), sig.val.ok.ptr, sig.val.ok.len, &ok);
  if (ok.is_err) return err("verify", ok.val.err);
  printf("  verify(message): %s\n", ok.val.ok ? "valid" : "INVALID");
  char tampered[256];
  snprintf(tampered, sizeof tampered, "%s!", msg);
  res_bool_t bad;
  p11_verify(s, label, strlen(label), (const uint8_t *)tampered, strlen(tampered), sig.val.ok.ptr, sig.val.ok.len,
             &bad);
  if (bad.is_err) return err("verify", bad.val.err);
  printf("  verify(tampered message): %s\n", bad.val.ok ? "valid" : "invalid");
  free_bytes(sig.val.ok);
  return ok.val.ok && !bad.val.ok ? 0 : -1;
}

int main(int argc, char **argv) {
  guest_init();
  if (argc < 3) {
    fprintf(stderr, "usage: pkcs11_app TOKEN-LABEL PIN\n");
    return 2;
  }
  const char *label = argv[1], *pin = argv[2];
  full_hex = argc > 3 && !strcmp(argv[3], "hex");
  res_tokens_t t;
  p11_tokens(&t);
  if (t.is_err) return err("tokens", t.val.err) ? 1 : 0;
  printf("PKCS#11 from a component, through the pkcs11 host bundle\n");
  for (size_t i = 0; i < t.val.ok.len; i++) {
    token_info_t *ti = &t.val.ok.ptr[i];
    printf("token '%.*s' (%.*s, %.*s), initialized: %s\n", (int)ti->label.len, ti->label.ptr,
           (int)ti->manufacturer.len, ti->manufacturer.ptr, (int)ti->model.len, ti->model.ptr,
           ti->initialized ? "yes" : "no");
    free_str(ti->label); free_str(ti->manufacturer); free_str(ti->model); free_str(ti->serial);
  }
  if (t.val.ok.len) free(t.val.ok.ptr);

  res_session_t wrong;
  p11_login(label, strlen(label), "not-the-pin", 11, &wrong);
  if (!wrong.is_err) { printf("login with a wrong PIN succeeded\n"); return 1; }
  err("login with a wrong PIN", wrong.val.err);

  res_session_t r;
  p11_login(label, strlen(label), pin, strlen(pin), &r);
  if (r.is_err) return err("login", r.val.err) ? 1 : 0;
  session_t s = r.val.ok;
  printf("logged in to '%s'\n", label);

  const char *msg = "weft signs this message";
  if (key_round(s, EC_P256, "app-ec", msg) || key_round(s, RSA2048, "app-rsa", msg)) return 1;

  res_strs_t keys;
  p11_keys(s, &keys);
  if (keys.is_err) return err("keys", keys.val.err) ? 1 : 0;
  printf("private keys on the token:");
  for (size_t i = 0; i < keys.val.ok.len; i++) printf(" %.*s", (int)keys.val.ok.ptr[i].len, keys.val.ok.ptr[i].ptr);
  printf("\n");
  free_strs(keys.val.ok);

  res_bytes_t rnd;
  p11_random(s, 32, &rnd);
  if (rnd.is_err) return err("random", rnd.val.err) ? 1 : 0;
  printf("random from the token: %zu bytes\n", rnd.val.ok.len);
  free_bytes(rnd.val.ok);

  printf("errors come back as values:\n");
  res_bytes_t e;
  p11_generate(s, EC_P256, "app-ec", 6, &e);
  if (e.is_err) err("generate-key app-ec again", e.val.err);
  p11_sign(s, "nosuch", 6, (const uint8_t *)msg, strlen(msg), &e);
  if (e.is_err) err("sign with nosuch", e.val.err);
  p11_random(s, 1u << 20, &e);
  if (e.is_err) err("random 1 MiB", e.val.err);
  p11_drop(s);
  return 0;
}
