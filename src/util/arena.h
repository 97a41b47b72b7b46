/* A bump arena made of chunks: allocations are 16-byte aligned and zeroed,
 * freed all at once. Implements the public weft_arena_t. */
#ifndef WF_UTIL_ARENA_H
#define WF_UTIL_ARENA_H

#include <stddef.h>

typedef struct wf_arena_chunk {
  struct wf_arena_chunk *next;
  size_t cap, used;
  _Alignas(16) unsigned char data[];
} wf_arena_chunk_t;

struct weft_arena {
  wf_arena_chunk_t *head;      /* current chunk (most recent first) */
  size_t total;                /* bytes of chunks held */
};
typedef struct weft_arena wf_arena_t;

void wf_arena_init(wf_arena_t *a);
void wf_arena_fini(wf_arena_t *a);       /* frees every chunk */
void wf_arena_clear(wf_arena_t *a);      /* frees all but the first chunk, reuses it */
void *wf_arena_alloc(wf_arena_t *a, size_t size);   /* zeroed; NULL on OOM or size overflow */
char *wf_arena_strndup(wf_arena_t *a, const char *s, size_t len);   /* NUL-terminated copy */

#endif
