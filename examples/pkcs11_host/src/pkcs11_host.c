/* pkcs11_host: the example:pkcs11/token interface (wit/pkcs11.wit) over a
 * PKCS#11 module loaded with p11-kit (Debian's libp11-kit), by default
 * SoftHSM 2.
 *
 * Each loaded instance of the bundle loads the module through p11-kit
 * (managed mode: p11-kit gives every caller its own view, so several hosts
 * or programs can use one module) and initialises it. A guest's `session`
 * is a `sess_t *` here: a PKCS#11 session, logged in, closed when the guest
 * drops it. Private keys are generated sensitive and not extractable: they
 * never leave the token, only public keys and signatures reach the guest.
 * Guest input is untrusted: labels are bounded, `random` is capped, and
 * every buffer size comes from the module, never from the guest.
 *
 * Config: module (path of the PKCS#11 module; required). */
#define _POSIX_C_SOURCE 200809L
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"

WEFT_HOST_EXPORT const uint32_t weft_host_abi_version = WEFT_HOST_ABI_VERSION;

#define MAX_LABEL 128
#define MAX_RANDOM 65536

typedef struct {
  CK_FUNCTION_LIST *m;
} state_t;

typedef struct {
  CK_FUNCTION_LIST *m;
  CK_SESSION_HANDLE h;
} sess_t;

typedef example_pkcs11_list_u8_t bytes_t;

/* ---- messages ---- */
static const char *rv_name(CK_RV rv) {
  switch (rv) {
  case CKR_OK: return "CKR_OK";
  case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
  case CKR_DATA_LEN_RANGE: return "CKR_DATA_LEN_RANGE";
  case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
  case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
  case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
  case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
  case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
  case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
  case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
  case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
  case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
  case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
  case CKR_SIGNATURE_INVALID: return "CKR_SIGNATURE_INVALID";
  case CKR_SIGNATURE_LEN_RANGE: return "CKR_SIGNATURE_LEN_RANGE";
  case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
  case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
  case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
  case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
  case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
  default: return NULL;
  }
}

static weft_string str_dup(const void *s, size_t n) {
  weft_string r = {malloc(n ? n : 1), n};
  if (!r.ptr) r.len = 0;
  else if (n) memcpy(r.ptr, s, n);
  return r;
}
static weft_string str_c(const char *s) { return str_dup(s, strlen(s)); }

/* "WHAT: CKR_NAME" (or the code in hex) into *err; returns false. */
static bool fail_rv(weft_string *err, const char *what, CK_RV rv) {
  char buf[256];
  const char *n = rv_name(rv);
  if (n) snprintf(buf, sizeof buf, "%s: %s", what, n);
  else snprintf(buf, sizeof buf, "%s: PKCS#11 error 0x%lx", what, (unsigned long)rv);
  *err = str_c(buf);
  return false;
}
static bool fail(weft_string *err, const char *msg) {
  *err = str_c(msg);
  return false;
}

/* A fixed-size, blank-padded PKCS#11 text field without its padding. */
static weft_string padded(const CK_UTF8CHAR *s, size_t n) {
  while (n && (s[n - 1] == ' ' || s[n - 1] == 0)) n--;
  return str_dup(s, n);
}

/* ---- load / unload ---- */
WEFT_HOST_EXPORT int weft_host_init(const weft_host_api *api, const weft_host_config *cfg, void **state, char **err) {
  (void)api;
  const char *path = weft_host_config_get(cfg, "module");
  char buf[512];
  if (!path) {
    *err = strdup("config: `module` (the PKCS#11 module's path) is required");
    return 1;
  }
  CK_FUNCTION_LIST *m = p11_kit_module_load(path, 0);
  if (!m) {
    const char *why = p11_kit_message();
    snprintf(buf, sizeof buf, "cannot load PKCS#11 module '%s': %s", path, why ? why : "unknown error");
    *err = strdup(buf);
    return 1;
  }
  CK_RV rv = p11_kit_module_initialize(m);
  if (rv != CKR_OK) {
    const char *why = p11_kit_message();
    snprintf(buf, sizeof buf, "cannot initialise PKCS#11 module '%s': %s", path,
             why ? why : (rv_name(rv) ? rv_name(rv) : "error"));
    p11_kit_module_release(m);
    *err = strdup(buf);
    return 1;
  }
  state_t *s = malloc(sizeof *s);
  if (!s) {
    p11_kit_module_finalize(m);
    p11_kit_module_release(m);
    *err = strdup("out of memory");
    return 1;
  }
  s->m = m;
  *state = s;
  return 0;
}

WEFT_HOST_EXPORT void weft_host_fini(void *state) {
  state_t *s = state;
  if (!s) return;
  p11_kit_module_finalize(s->m);
  p11_kit_module_release(s->m);
  free(s);
}

/* The slots with a token, malloc'd into *out (count in *n). */
static CK_RV token_slots(CK_FUNCTION_LIST *m, CK_SLOT_ID **out, CK_ULONG *n) {
  *out = NULL;
  *n = 0;
  CK_RV rv = m->C_GetSlotList(CK_TRUE, NULL, n);
  if (rv != CKR_OK) return rv;
  *out = malloc((*n ? *n : 1) * sizeof **out);
  if (!*out) return CKR_HOST_MEMORY;
  rv = m->C_GetSlotList(CK_TRUE, *out, n);
  if (rv != CKR_OK) {
    free(*out);
    *out = NULL;
  }
  return rv;
}

bool example_pkcs11_token_tokens(weft_host_ctx *ctx, example_pkcs11_list_token_token_info_t *ret, weft_string *err) {
  state_t *s = ctx->state;
  CK_SLOT_ID *slots;
  CK_ULONG n;
  CK_RV rv = token_slots(s->m, &slots, &n);
  if (rv != CKR_OK) return fail_rv(err, "C_GetSlotList", rv);
  ret->len = 0;
  ret->ptr = calloc(n ? n : 1, sizeof *ret->ptr);
  if (!ret->ptr) {
    free(slots);
    return fail(err, "out of memory");
  }
  for (CK_ULONG i = 0; i < n; i++) {
    CK_TOKEN_INFO ti;
    if (s->m->C_GetTokenInfo(slots[i], &ti) != CKR_OK) continue;
    example_pkcs11_token_token_info_t *t = &ret->ptr[ret->len++];
    t->slot = slots[i];
    t->label = padded(ti.label, sizeof ti.label);
    t->manufacturer = padded(ti.manufacturerID, sizeof ti.manufacturerID);
    t->model = padded(ti.model, sizeof ti.model);
    t->serial = padded(ti.serialNumber, sizeof ti.serialNumber);
    t->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
  }
  free(slots);
  return true;
}

/* ---- sessions ---- */
bool example_pkcs11_token_session_login(weft_host_ctx *ctx, const weft_string *token_label, const weft_string *pin,
                                        void **ret, weft_string *err) {
  state_t *s = ctx->state;
  if (token_label->len > 32) return fail(err, "a token label has at most 32 bytes");
  if (pin->len > 256) return fail(err, "the PIN is too long");
  CK_SLOT_ID *slots;
  CK_ULONG n;
  CK_RV rv = token_slots(s->m, &slots, &n);
  if (rv != CKR_OK) return fail_rv(err, "C_GetSlotList", rv);
  CK_SLOT_ID slot = 0;
  bool found = false;
  for (CK_ULONG i = 0; i < n && !found; i++) {
    CK_TOKEN_INFO ti;
    if (s->m->C_GetTokenInfo(slots[i], &ti) != CKR_OK) continue;
    weft_string l = padded(ti.label, sizeof ti.label);
    found = l.len == token_label->len && !memcmp(l.ptr, token_label->ptr, l.len);
    free(l.ptr);
    if (found) slot = slots[i];
  }
  free(slots);
  if (!found) {
    char buf[128];
    snprintf(buf, sizeof buf, "no token labelled '%.*s'", (int)token_label->len, (const char *)token_label->ptr);
    return fail(err, buf);
  }
  CK_SESSION_HANDLE h;
  rv = s->m->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
  if (rv != CKR_OK) return fail_rv(err, "C_OpenSession", rv);
  rv = s->m->C_Login(h, CKU_USER, pin->ptr, pin->len);
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    s->m->C_CloseSession(h);
    return fail_rv(err, "C_Login", rv);
  }
  sess_t *se = malloc(sizeof *se);
  if (!se) {
    s->m->C_CloseSession(h);
    return fail(err, "out of memory");
  }
  se->m = s->m;
  se->h = h;
  *ret = se;
  return true;
}

void example_pkcs11_token_session_drop(weft_host_ctx *ctx, void *rep) {
  (void)ctx;
  sess_t *se = rep;
  se->m->C_CloseSession(se->h);
  free(se);
}

/* The one object of `cls` labelled `label`; CKR_OK with *found false if none. */
static CK_RV find_key(sess_t *se, CK_OBJECT_CLASS cls, const weft_string *label, CK_OBJECT_HANDLE *obj, bool *found) {
  CK_ATTRIBUTE tmpl[] = {
      {CKA_CLASS, &cls, sizeof cls},
      {CKA_LABEL, label->ptr, label->len},
  };
  CK_RV rv = se->m->C_FindObjectsInit(se->h, tmpl, 2);
  if (rv != CKR_OK) return rv;
  CK_ULONG n = 0;
  rv = se->m->C_FindObjects(se->h, obj, 1, &n);
  se->m->C_FindObjectsFinal(se->h);
  *found = rv == CKR_OK && n == 1;
  return rv;
}

static bool check_label(const weft_string *label, weft_string *err) {
  if (label->len == 0 || label->len > MAX_LABEL) return fail(err, "a key label has 1 to 128 bytes");
  return true;
}

/* An attribute's value, malloc'd. */
static CK_RV get_attr(sess_t *se, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, bytes_t *out) {
  CK_ATTRIBUTE a = {type, NULL, 0};
  CK_RV rv = se->m->C_GetAttributeValue(se->h, obj, &a, 1);
  if (rv != CKR_OK) return rv;
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return CKR_ATTRIBUTE_TYPE_INVALID;
  out->ptr = malloc(a.ulValueLen ? a.ulValueLen : 1);
  if (!out->ptr) return CKR_HOST_MEMORY;
  a.pValue = out->ptr;
  rv = se->m->C_GetAttributeValue(se->h, obj, &a, 1);
  if (rv != CKR_OK) {
    free(out->ptr);
    out->ptr = NULL;
    return rv;
  }
  out->len = a.ulValueLen;
  return CKR_OK;
}

bool example_pkcs11_token_session_generate_key(weft_host_ctx *ctx, void *self, example_pkcs11_token_key_kind_t kind,
                                               const weft_string *label, bytes_t *ret, weft_string *err) {
  (void)ctx;
  sess_t *se = self;
  if (!check_label(label, err)) return false;
  CK_OBJECT_HANDLE existing;
  bool found = false;
  CK_RV rv = find_key(se, CKO_PRIVATE_KEY, label, &existing, &found);
  if (rv != CKR_OK) return fail_rv(err, "C_FindObjects", rv);
  if (found) return fail(err, "a key with this label already exists on the token");

  static CK_BYTE p256_oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  static CK_BYTE exponent[] = {0x01, 0x00, 0x01};
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG bits = 2048;
  bool ec = kind == EXAMPLE_PKCS11_TOKEN_KEY_KIND_EC_P256;
  CK_MECHANISM mech = {ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
  CK_ATTRIBUTE pub[] = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_VERIFY, &yes, sizeof yes},
      {CKA_LABEL, label->ptr, label->len},
      {CKA_ID, label->ptr, label->len},
      ec ? (CK_ATTRIBUTE){CKA_EC_PARAMS, p256_oid, sizeof p256_oid} : (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof bits},
      {CKA_PUBLIC_EXPONENT, exponent, sizeof exponent},
  };
  CK_ATTRIBUTE priv[] = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_SIGN, &yes, sizeof yes},
      {CKA_LABEL, label->ptr, label->len},
      {CKA_ID, label->ptr, label->len},
  };
  CK_OBJECT_HANDLE hpub, hpriv;
  rv = se->m->C_GenerateKeyPair(se->h, &mech, pub, ec ? 5 : 6, priv, 7, &hpub, &hpriv);
  if (rv != CKR_OK) return fail_rv(err, "C_GenerateKeyPair", rv);
  rv = get_attr(se, hpub, ec ? CKA_EC_POINT : CKA_MODULUS, ret);
  if (rv != CKR_OK) return fail_rv(err, "C_GetAttributeValue (public key)", rv);
  return true;
}

/* How a key signs: RSA keys with CKM_SHA256_RSA_PKCS over the data; EC
 * keys with CKM_ECDSA over a SHA-256 digest the token computes (SoftHSM, as
 * many tokens, has no combined ECDSA-with-SHA-256 mechanism). `input` is
 * what the signature operation takes: the data itself or `digest`. */
static CK_RV sign_input(sess_t *se, CK_OBJECT_HANDLE key, const bytes_t *data, CK_MECHANISM_TYPE *mech,
                        CK_BYTE digest[32], const CK_BYTE **input, CK_ULONG *input_len) {
  CK_KEY_TYPE kt;
  CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof kt};
  CK_RV rv = se->m->C_GetAttributeValue(se->h, key, &a, 1);
  if (rv != CKR_OK) return rv;
  if (kt == CKK_RSA) {
    *mech = CKM_SHA256_RSA_PKCS;
    *input = data->ptr;
    *input_len = data->len;
    return CKR_OK;
  }
  if (kt != CKK_EC) return CKR_KEY_TYPE_INCONSISTENT;
  CK_MECHANISM sha = {CKM_SHA256, NULL, 0};
  CK_ULONG n = 32;
  if ((rv = se->m->C_DigestInit(se->h, &sha)) != CKR_OK) return rv;
  if ((rv = se->m->C_Digest(se->h, data->ptr, data->len, digest, &n)) != CKR_OK) return rv;
  if (n != 32) return CKR_GENERAL_ERROR;
  *mech = CKM_ECDSA;
  *input = digest;
  *input_len = n;
  return CKR_OK;
}

bool example_pkcs11_token_session_sign(weft_host_ctx *ctx, void *self, const weft_string *label, const bytes_t *data,
                                       bytes_t *ret, weft_string *err) {
  (void)ctx;
  sess_t *se = self;
  if (!check_label(label, err)) return false;
  CK_OBJECT_HANDLE key;
  bool found = false;
  CK_RV rv = find_key(se, CKO_PRIVATE_KEY, label, &key, &found);
  if (rv != CKR_OK) return fail_rv(err, "C_FindObjects", rv);
  if (!found) return fail(err, "no private key with this label");
  CK_MECHANISM mech = {0, NULL, 0};
  CK_BYTE digest[32];
  const CK_BYTE *in;
  CK_ULONG in_len;
  if ((rv = sign_input(se, key, data, &mech.mechanism, digest, &in, &in_len)) != CKR_OK)
    return fail_rv(err, "preparing the signature", rv);
  if ((rv = se->m->C_SignInit(se->h, &mech, key)) != CKR_OK) return fail_rv(err, "C_SignInit", rv);
  CK_ULONG n = 0;
  /* size query, then the signature (a failed size query ends the operation) */
  if ((rv = se->m->C_Sign(se->h, (CK_BYTE *)in, in_len, NULL, &n)) != CKR_OK) return fail_rv(err, "C_Sign", rv);
  ret->ptr = malloc(n ? n : 1);
  if (!ret->ptr) {
    uint8_t scratch[1024];
    CK_ULONG sn = sizeof scratch;
    se->m->C_Sign(se->h, (CK_BYTE *)in, in_len, scratch, &sn);   /* ends the operation */
    return fail(err, "out of memory");
  }
  rv = se->m->C_Sign(se->h, (CK_BYTE *)in, in_len, ret->ptr, &n);
  if (rv != CKR_OK) {
    free(ret->ptr);
    ret->ptr = NULL;
    return fail_rv(err, "C_Sign", rv);
  }
  ret->len = n;
  return true;
}

bool example_pkcs11_token_session_verify(weft_host_ctx *ctx, void *self, const weft_string *label, const bytes_t *data,
                                         const bytes_t *signature, bool *ret, weft_string *err) {
  (void)ctx;
  sess_t *se = self;
  if (!check_label(label, err)) return false;
  CK_OBJECT_HANDLE key;
  bool found = false;
  CK_RV rv = find_key(se, CKO_PUBLIC_KEY, label, &key, &found);
  if (rv != CKR_OK) return fail_rv(err, "C_FindObjects", rv);
  if (!found) return fail(err, "no public key with this label");
  CK_MECHANISM mech = {0, NULL, 0};
  CK_BYTE digest[32];
  const CK_BYTE *in;
  CK_ULONG in_len;
  if ((rv = sign_input(se, key, data, &mech.mechanism, digest, &in, &in_len)) != CKR_OK)
    return fail_rv(err, "preparing the verification", rv);
  if ((rv = se->m->C_VerifyInit(se->h, &mech, key)) != CKR_OK) return fail_rv(err, "C_VerifyInit", rv);
  rv = se->m->C_Verify(se->h, (CK_BYTE *)in, in_len, signature->ptr, signature->len);
  if (rv == CKR_OK || rv == CKR_SIGNATURE_INVALID || rv == CKR_SIGNATURE_LEN_RANGE) {
    *ret = rv == CKR_OK;
    return true;
  }
  return fail_rv(err, "C_Verify", rv);
}

bool example_pkcs11_token_session_keys(weft_host_ctx *ctx, void *self, weft_list_string *ret, weft_string *err) {
  (void)ctx;
  sess_t *se = self;
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
  CK_RV rv = se->m->C_FindObjectsInit(se->h, tmpl, 1);
  if (rv != CKR_OK) return fail_rv(err, "C_FindObjectsInit", rv);
  size_t cap = 8;
  ret->len = 0;
  ret->ptr = malloc(cap * sizeof *ret->ptr);
  bool ok = ret->ptr != NULL;
  CK_OBJECT_HANDLE batch[16];
  CK_ULONG n = 0;
  while (ok && (rv = se->m->C_FindObjects(se->h, batch, 16, &n)) == CKR_OK && n > 0) {
    for (CK_ULONG i = 0; ok && i < n; i++) {
      bytes_t l = {NULL, 0};
      if (get_attr(se, batch[i], CKA_LABEL, &l) != CKR_OK) continue;
      if (ret->len == cap) {
        void *p = realloc(ret->ptr, 2 * cap * sizeof *ret->ptr);
        if (!p) {
          free(l.ptr);
          ok = false;
          break;
        }
        ret->ptr = p;
        cap *= 2;
      }
      ret->ptr[ret->len].ptr = l.ptr;
      ret->ptr[ret->len].len = l.len;
      ret->len++;
    }
  }
  se->m->C_FindObjectsFinal(se->h);
  if (!ok || rv != CKR_OK) {
    for (size_t i = 0; ret->ptr && i < ret->len; i++) free(ret->ptr[i].ptr);
    free(ret->ptr);
    ret->ptr = NULL;
    ret->len = 0;
    return ok ? fail_rv(err, "C_FindObjects", rv) : fail(err, "out of memory");
  }
  return true;
}

bool example_pkcs11_token_session_random(weft_host_ctx *ctx, void *self, uint32_t len, bytes_t *ret, weft_string *err) {
  (void)ctx;
  sess_t *se = self;
  if (len > MAX_RANDOM) return fail(err, "at most 65536 random bytes per call");
  ret->ptr = malloc(len ? len : 1);
  if (!ret->ptr) return fail(err, "out of memory");
  CK_RV rv = len ? se->m->C_GenerateRandom(se->h, ret->ptr, len) : CKR_OK;
  if (rv != CKR_OK) {
    free(ret->ptr);
    ret->ptr = NULL;
    return fail_rv(err, "C_GenerateRandom", rv);
  }
  ret->len = len;
  return true;
}
