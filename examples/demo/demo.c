/* weft demo: a small freestanding C program compiled to a core WebAssembly
 * module with no imports (see build.sh). Exports:
 *   nqueens(n: i32) -> i32     solutions of the n-queens puzzle (n <= 16)
 *                              nqueens 8 = 92, nqueens 10 = 724
 *   fib(n: i32) -> i64         n-th Fibonacci number, fib 90 = 2880067194370816120
 *   count_primes(n: i32) -> i32  primes below n (sieve in linear memory),
 *                              count_primes 1000000 = 78498
 *   collatz(n: i32) -> i32     the start below n with the longest Collatz
 *                              chain, collatz 100000 = 77031
 *   pi(terms: i32) -> f64      Leibniz series for pi
 */
#include <stdint.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#define EXPORT(name)
#endif

static int32_t solve(uint32_t all, uint32_t cols, uint32_t d1, uint32_t d2) {
  if (cols == all) return 1;
  int32_t count = 0;
  uint32_t free_ = all & ~(cols | d1 | d2);
  while (free_) {
    uint32_t bit = free_ & (0u - free_);
    free_ ^= bit;
    count += solve(all, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
  }
  return count;
}

EXPORT(nqueens) int32_t nqueens(int32_t n) {
  if (n < 1 || n > 16) return -1;
  return solve((1u << n) - 1, 0, 0, 0);
}

EXPORT(fib) int64_t fib(int32_t n) {
  uint64_t a = 0, b = 1;
  for (int32_t i = 0; i < n; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  return (int64_t)a;
}

#define SIEVE_MAX 16000000
static uint8_t composite[SIEVE_MAX];

EXPORT(count_primes) int32_t count_primes(int32_t n) {
  if (n < 2) return 0;
  if (n > SIEVE_MAX) return -1;
  for (int32_t i = 0; i < n; i++) composite[i] = 0;
  int32_t count = 0;
  for (int32_t i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (int64_t j = (int64_t)i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}

EXPORT(collatz) int32_t collatz(int32_t n) {
  int32_t best = 1, best_len = 1;
  for (int32_t s = 1; s < n; s++) {
    uint64_t x = (uint64_t)s;
    int32_t len = 1;
    while (x != 1) {
      x = (x & 1) ? 3 * x + 1 : x / 2;
      len++;
    }
    if (len > best_len) { best_len = len; best = s; }
  }
  return best;
}

EXPORT(pi) double pi(int32_t terms) {
  double s = 0.0, sign = 1.0;
  for (int32_t k = 0; k < terms; k++) {
    s += sign / (2.0 * k + 1.0);
    sign = -sign;
  }
  return 4.0 * s;
}
