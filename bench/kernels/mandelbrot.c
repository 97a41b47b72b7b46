/* Mandelbrot set: a bitmap like the benchmarks-game program, hashed. */
#include "rt.h"

#define W 900
#define H 900
#define ITER 50

static uint8_t bits[(W + 7) / 8 * H];

uint32_t run(void) {
  int row_bytes = (W + 7) / 8;
  for (int y = 0; y < H; y++) {
    double ci = 2.0 * y / H - 1.0;
    for (int xb = 0; xb < row_bytes; xb++) {
      unsigned byte = 0;
      for (int bit = 0; bit < 8; bit++) {
        int x = xb * 8 + bit;
        double cr = 2.0 * x / W - 1.5;
        double zr = 0, zi = 0, tr = 0, ti = 0;
        int i = 0;
        while (i < ITER && tr + ti <= 4.0) {
          zi = 2.0 * zr * zi + ci;
          zr = tr - ti + cr;
          tr = zr * zr;
          ti = zi * zi;
          i++;
        }
        byte = (byte << 1) | (tr + ti <= 4.0 && x < W);
      }
      bits[y * row_bytes + xb] = (uint8_t)byte;
    }
  }
  uint32_t h = 2166136261u;
  for (int i = 0; i < row_bytes * H; i += 4) {
    uint32_t w = 0;
    for (int k = 0; k < 4 && i + k < row_bytes * H; k++) w = w << 8 | bits[i + k];
    h = rt_mix32(h, w);
  }
  return h;
}
