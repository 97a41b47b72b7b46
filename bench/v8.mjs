// V8 driver for a benchmark kernel: node bench/v8.mjs FILE.wasm
// Compiles and instantiates the module (not timed with the run), then times
// one call of run() with performance.now(). Prints "CHECKSUM MS COMPILE_MS",
// the checksum as an unsigned 32-bit decimal like every other driver.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

if (process.argv[2] === '--load') {
  // node bench/v8.mjs --load FILE.wasm [RUNS]: median compile + instantiate
  // time of a (large) module. Prints "TOTAL_MS COMPILE_MS INSTANTIATE_MS".
  const bytes = readFileSync(process.argv[3]);
  const runs = Math.max(1, Number(process.argv[4] ?? 5) | 0);
  const tot = [], comp = [], inst = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const m = await WebAssembly.compile(bytes);
    const t1 = performance.now();
    await WebAssembly.instantiate(m, {});
    const t2 = performance.now();
    tot.push(t2 - t0); comp.push(t1 - t0); inst.push(t2 - t1);
  }
  const med = (v) => { v.sort((a, b) => a - b); const n = v.length;
    return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; };
  console.log(`${med(tot).toFixed(3)} ${med(comp).toFixed(3)} ${med(inst).toFixed(3)}`);
  process.exit(0);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/v8.mjs FILE.wasm | --load FILE.wasm [RUNS]');
  process.exit(2);
}
const bytes = readFileSync(file);
const c0 = performance.now();
const module = await WebAssembly.compile(bytes);
const instance = await WebAssembly.instantiate(module, {});
const c1 = performance.now();
const run = instance.exports.run;
if (typeof run !== 'function') {
  console.error(`${file}: no exported function "run"`);
  process.exit(1);
}
const t0 = performance.now();
const r = run();
const t1 = performance.now();
const sum = typeof r === 'bigint' ? BigInt.asUintN(32, r) : (r >>> 0);
console.log(`${sum} ${(t1 - t0).toFixed(3)} ${(c1 - c0).toFixed(3)}`);
