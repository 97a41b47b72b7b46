/* Making a released linear memory read as zero again, for the next
 * instance that takes its reservation from the pool (memory.c).
 *
 * madvise(MADV_DONTNEED) is the obvious way, but in a process with threads
 * on other cores it costs a TLB shoot-down (an interrupt to every core that
 * runs one of our threads), and the next instance then faults every page
 * it touches back in, one kernel-zeroed page at a time. A server making an
 * instance per request paid ~11% of its time there. So when few pages were
 * touched, they are found in /proc/self/pagemap (present, or swapped out:
 * both hold old data) and cleared with memset: no interrupt, and the pages
 * stay mapped for the next instance. Many pages touched (or huge pages, or
 * no pagemap) fall back to MADV_DONTNEED. The pagemap file is opened once
 * per memory pool (memory.c), which is the engine's. Pages never touched read as zero
 * already. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"

/* At most this much is cleared with memset; above it the kernel's way is
 * cheaper than the copy through the cache. */
#define ZERO_MAX ((size_t)1 << 20)
/* Memories up to this size are scanned (8 bytes of pagemap per page, some
 * 5 ns each). */
#define SCAN_MAX ((size_t)16 << 20)
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)

int wf_mem_zero_open(void) { return open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC); }

static bool dontneed(uint8_t *base, size_t len) { return madvise(base, len, MADV_DONTNEED) == 0; }

/* Clears the pages of [base, base+len) that pagemap says hold data, in one
 * pass; false when it cannot tell or too many do (then some pages may be
 * cleared already, and the caller has the kernel do the rest). */
static bool clear_touched(int pagemap_fd, uint8_t *base, size_t len) {
  long ps = sysconf(_SC_PAGESIZE);
  if (ps <= 0 || (ps & (ps - 1))) return false;
  size_t page_size = (size_t)ps;
  if (pagemap_fd < 0 || len > SCAN_MAX || (uintptr_t)base % page_size || len % page_size) return false;
  enum { CHUNK = 512 };
  uint64_t pm[CHUNK];
  size_t npages = len / page_size, cleared = 0;
  for (size_t i = 0; i < npages; i += CHUNK) {
    size_t n = npages - i < CHUNK ? npages - i : CHUNK;
    off_t at = (off_t)(((uintptr_t)base / page_size + i) * sizeof(uint64_t));
    if (pread(pagemap_fd, pm, n * sizeof(uint64_t), at) != (ssize_t)(n * sizeof(uint64_t))) return false;
    for (size_t k = 0; k < n;) {
      if (!(pm[k] & (PM_PRESENT | PM_SWAPPED))) {
        k++;
        continue;
      }
      size_t run = k;
      while (run < n && (pm[run] & (PM_PRESENT | PM_SWAPPED))) run++;
      cleared += (run - k) * page_size;
      if (cleared > ZERO_MAX) return false;
      memset(base + (i + k) * page_size, 0, (run - k) * page_size);
      k = run;
    }
  }
  return true;
}

bool wf_mem_zero(int pagemap_fd, uint8_t *base, size_t len) {
  if (!len) return true;
  return clear_touched(pagemap_fd, base, len) || dontneed(base, len);
}
