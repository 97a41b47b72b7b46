/* Memory images: memory 0 of a module initialised by mapping, not copying.
 *
 * Instantiation normally copies every active data segment into the fresh
 * memory. For a guest with megabytes of data (a JavaScript engine compiled
 * to wasm) that copy dominates the cost of an instance. So, once per module,
 * the initial contents the segments produce are written to a memfd (up to
 * the last non-zero host page, sealed), and each instance maps that file
 * MAP_PRIVATE over the start of its memory: pages are shared with the page
 * cache until the guest writes one, which then gets a private copy. The
 * rest of the memory stays anonymous, so growing works as before.
 *
 * Publication: the module's `memimage` pointer goes from NULL to BUILDING
 * (compare-and-swap: exactly one thread builds) and then to the image or
 * to NONE. Threads that find BUILDING copy their segments as before rather
 * than wait; after publication the image is read-only. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"

struct wf_memimage {
  int fd;
  uint64_t len;          /* bytes of the file: a host-page multiple <= the initial size */
};

#define IMG_BUILDING ((wf_memimage_t *)(uintptr_t)1)
#define IMG_NONE ((wf_memimage_t *)(uintptr_t)2)

static int write_all(int fd, const uint8_t *p, uint64_t n, uint64_t at) {
  while (n) {
    ssize_t w = pwrite(fd, p, n > ((size_t)1 << 30) ? ((size_t)1 << 30) : (size_t)n, (off_t)at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return 0;
    p += w;
    at += (uint64_t)w;
    n -= (uint64_t)w;
  }
  return 1;
}

/* NULL: the module does not qualify (or no memfd could be made). */
static wf_memimage_t *build(const wf_module_t *m) {
  if (m->nmems == 0 || m->nmem_imports != 0) return NULL;   /* memory 0 imported */
  long hp = sysconf(_SC_PAGESIZE);
  if (hp <= 0 || WF_PAGE_SIZE % (uint64_t)hp != 0) return NULL;
  uint64_t size = (uint64_t)m->mems[0].lim.min * WF_PAGE_SIZE;
  uint64_t total = 0, extent = 0;
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wf_data_t *seg = &m->datas[i];
    if (seg->mode != WF_SEG_ACTIVE) continue;
    /* A segment for another memory may trap after memory 0 got the image
     * but before the segments that follow it were due; the functions that
     * element segments already put in imported tables could see that. */
    if (seg->mem != 0) return NULL;
    if (seg->offset.kind != WF_CONST_I32) return NULL;     /* global.get: known only per instance */
    uint64_t off = (uint32_t)seg->offset.bits;
    if (off + seg->len > size) return NULL;                 /* instantiation traps: copy path */
    total += seg->len;
    uint32_t k = seg->len;
    while (k && !seg->bytes[k - 1]) k--;
    if (k && off + k > extent) extent = off + k;
  }
  if (total < WF_MEMIMAGE_MIN_BYTES || extent == 0) return NULL;
  extent = (extent + (uint64_t)hp - 1) / (uint64_t)hp * (uint64_t)hp;   /* <= size: size is a 64 KiB multiple */

  int fd = memfd_create("weft-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return NULL;
  wf_memimage_t *img = malloc(sizeof *img);
  int ok = img && ftruncate(fd, (off_t)extent) == 0;
  /* in order, so a later segment overwrites an earlier one as at instantiation;
   * bytes past the extent are zero in every segment that reaches there */
  for (uint32_t i = 0; ok && i < m->ndatas; i++) {
    const wf_data_t *seg = &m->datas[i];
    if (seg->mode != WF_SEG_ACTIVE || seg->mem != 0) continue;
    uint64_t off = (uint32_t)seg->offset.bits;
    if (off >= extent) continue;
    uint64_t n = seg->len < extent - off ? seg->len : extent - off;
    ok = write_all(fd, seg->bytes, n, off);
  }
  if (!ok) {
    close(fd);
    free(img);
    return NULL;
  }
  /* Sealed: nothing can change the file under the instances mapping it.
   * (Private writable mappings of a write-sealed memfd are allowed.) Not
   * every kernel or tool knows seals; the file is ours alone either way. */
  (void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  img->fd = fd;
  img->len = extent;
  return img;
}

const wf_memimage_t *wf_memimage_get(const wf_module_t *cm) {
  wf_module_t *m = (wf_module_t *)cm;   /* the module is heap-made; only this field changes */
  wf_memimage_t *img = atomic_load_explicit(&m->memimage, memory_order_acquire);
  if (img == NULL) {
    wf_memimage_t *expect = NULL;
    if (!atomic_compare_exchange_strong_explicit(&m->memimage, &expect, IMG_BUILDING, memory_order_acq_rel,
                                                 memory_order_acquire))
      return expect == IMG_BUILDING || expect == IMG_NONE ? NULL : expect;
    img = build(m);
    atomic_store_explicit(&m->memimage, img ? img : IMG_NONE, memory_order_release);
  }
  return img == IMG_BUILDING || img == IMG_NONE ? NULL : img;
}

uint64_t wf_memimage_len(const wf_memimage_t *img) { return img ? img->len : 0; }

int wf_memimage_map(wf_meminst_t *mem, const wf_memimage_t *img) {
  if (!img || !mem->base || img->len > mem->size || mem->image_len) return 0;
  /* NORESERVE like the rest of the reservation: a private writable mapping
   * would otherwise be charged its whole length up front */
  void *p = mmap(mem->base, (size_t)img->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE,
                 img->fd, 0);
  if (p == mem->base) {
    mem->image_len = img->len;
    return 1;
  }
  /* A failed MAP_FIXED may have unmapped the range: put zero pages back so
   * the reservation stays whole, and copy the segments instead. */
  if (p != MAP_FAILED) munmap(p, (size_t)img->len);
  p = mmap(mem->base, (size_t)img->len, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  return p == mem->base ? 0 : -1;
}

void wf_memimage_release(wf_module_t *m) {
  wf_memimage_t *img = atomic_load_explicit(&m->memimage, memory_order_acquire);
  if (img == NULL || img == IMG_BUILDING || img == IMG_NONE) return;
  close(img->fd);
  free(img);
  atomic_store_explicit(&m->memimage, NULL, memory_order_relaxed);
}
