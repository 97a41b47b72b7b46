/* A small JSON reader for the CLI (wast2json's command lists).
 *
 * json_parse builds a read-only tree in one arena freed by json_free. Strings
 * are decoded (escapes resolved, \u to UTF-8) and carry their byte length, so
 * they may hold NUL bytes; they are also NUL-terminated for convenience.
 * Nesting is limited (JSON_MAX_DEPTH) so hostile input cannot exhaust the
 * stack. */
#ifndef WEFT_CLI_JSON_H
#define WEFT_CLI_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 256

typedef enum {
  JSON_NULL = 0,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_kind_t;

typedef struct json_value json_value_t;
typedef struct json_member json_member_t;

struct json_value {
  json_kind_t kind;
  union {
    double num;
    struct { const char *s; size_t len; } str;
    struct { const json_value_t *items; size_t n; } arr;
    struct { const json_member_t *members; size_t n; } obj;
  } u;
};

struct json_member {
  const char *key;
  size_t key_len;
  json_value_t value;
};

typedef struct json_doc json_doc_t;

/* Parses text[0..len). Returns NULL on error (or out of memory) and writes a
 * message with the line number into err[0..errlen). */
json_doc_t *json_parse(const char *text, size_t len, char *err, size_t errlen);
const json_value_t *json_root(const json_doc_t *doc);
void json_free(json_doc_t *doc);

/* Member `key` of an object, or NULL (also when obj is not an object). */
const json_value_t *json_get(const json_value_t *obj, const char *key);
/* The string of v (and its length if len != NULL), or NULL if v is not a string. */
const char *json_str(const json_value_t *v, size_t *len);
/* Member `key` as a string, or NULL. */
const char *json_get_str(const json_value_t *obj, const char *key, size_t *len);
/* Array length of v, 0 if v is not an array; item i or NULL. */
size_t json_len(const json_value_t *v);
const json_value_t *json_at(const json_value_t *v, size_t i);

#endif
