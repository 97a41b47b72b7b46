/* Canonical ABI shapes shared by the example guests (wasm32): how WIT
 * strings, lists and results lie in linear memory, and cabi_realloc, the
 * allocator the runtime calls to hand the guest strings and lists. There is
 * no C wit-bindgen here, so each guest declares its imports with their
 * flattened core signatures by hand (see the comments next to them). */
#ifndef EXAMPLE_GUEST_ABI_H
#define EXAMPLE_GUEST_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *ptr; size_t len; } str_t;           /* string */
typedef struct { str_t *ptr; size_t len; } strs_t;         /* list<string> */
typedef struct { uint8_t *ptr; size_t len; } bytes_t;      /* list<u8> */
/* result<_, string> */
typedef struct { uint8_t is_err; str_t err; } res_unit_t;
/* result<list<string>, string> */
typedef struct { uint8_t is_err; union { strs_t ok; str_t err; } val; } res_strs_t;
/* result<list<u8>, string> */
typedef struct { uint8_t is_err; union { bytes_t ok; str_t err; } val; } res_bytes_t;

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (!new_size) return (void *)align;   /* a non-null pointer for empty buffers */
  return realloc(old, new_size);         /* malloc aligns to 16: enough for every WIT type */
}

/* Call first in main. wasm-ld wraps every export of a WASI command, so
 * cabi_realloc too, to run the C destructors afterwards, and those flush
 * stdout: a flush that writes (a WASI call) while the runtime is inside
 * cabi_realloc is refused ("cannot leave component instance"). With stdout
 * unbuffered there is never anything left to flush. */
static inline void guest_init(void) { setvbuf(stdout, NULL, _IONBF, 0); }

static inline str_t S(const char *s) { str_t r = {(char *)s, strlen(s)}; return r; }
/* Returned buffers come from cabi_realloc: the guest frees them. */
static inline void free_str(str_t s) { if (s.len) free(s.ptr); }
static inline void free_strs(strs_t l) {
  for (size_t i = 0; i < l.len; i++) free_str(l.ptr[i]);
  if (l.len) free(l.ptr);
}
#endif
