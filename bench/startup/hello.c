/* bench/startup.sh: the hello-world C command (clang --target=wasm32-wasi,
 * then jco new --wasi-command). */
#include <stdio.h>

int main(void) {
  puts("hello, world");
  return 0;
}
