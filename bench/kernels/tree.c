/* Binary trees: allocate, walk and free many short-lived trees through the
 * free-list allocator (a malloc-heavy workload). */
#include "rt.h"

#define MAX_DEPTH 16
#define MIN_DEPTH 4

typedef struct node { struct node *left, *right; uint32_t val; } node_t;

static node_t *make(int depth, uint32_t v) {
  node_t *n = rt_alloc(sizeof *n);
  if (!n) return NULL;
  n->val = v;
  if (depth > 0) {
    n->left = make(depth - 1, v * 2);
    n->right = make(depth - 1, v * 2 + 1);
  } else {
    n->left = n->right = NULL;
  }
  return n;
}

static uint32_t check(const node_t *n) {
  if (!n) return 0;
  return 1 + (n->val & 7) + check(n->left) + check(n->right);
}

static void release(node_t *n) {
  if (!n) return;
  release(n->left);
  release(n->right);
  rt_free(n);
}

uint32_t run(void) {
  rt_alloc_reset();
  uint32_t h = 2166136261u;
  node_t *longlived = make(MAX_DEPTH, 1);
  for (int d = MIN_DEPTH; d <= MAX_DEPTH; d += 2) {
    int iters = 1 << (MAX_DEPTH - d + MIN_DEPTH);
    uint32_t c = 0;
    for (int i = 0; i < iters; i++) {
      node_t *t = make(d, (uint32_t)i);
      c += check(t);
      release(t);
    }
    h = rt_mix32(h, c);
  }
  h = rt_mix32(h, check(longlived));
  release(longlived);
  return h;
}
