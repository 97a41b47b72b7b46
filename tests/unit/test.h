/* A tiny unit-test runner: WF_TEST(name) { ... } registers a case; CHECK and
 * CHECK_EQ record failures with file:line and carry on to the next case. */
#ifndef WF_TEST_H
#define WF_TEST_H

#include <stdint.h>
#include <stdio.h>

typedef void (*wf_test_fn)(int *failed);
void wf_test_register(const char *name, wf_test_fn fn);

#define WF_TEST(name)                                                      \
  static void test_##name(int *wf_failed_);                                \
  __attribute__((constructor)) static void register_##name(void) {         \
    wf_test_register(#name, test_##name);                                  \
  }                                                                        \
  static void test_##name(int *wf_failed_)

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      *wf_failed_ = 1;                                                     \
      return;                                                              \
    }                                                                      \
  } while (0)

#define CHECK_EQ(a, b)                                                     \
  do {                                                                     \
    long long wf_a_ = (long long)(a), wf_b_ = (long long)(b);              \
    if (wf_a_ != wf_b_) {                                                  \
      fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, \
              __LINE__, #a, #b, wf_a_, wf_b_);                             \
      *wf_failed_ = 1;                                                     \
      return;                                                              \
    }                                                                      \
  } while (0)

#endif
