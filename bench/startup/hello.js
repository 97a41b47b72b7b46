// bench/startup.sh: the JavaScript guest, a wasi:cli/run command built by
// componentize-js (jco componentize), so `weft run` and `jco run` both run it.
export const run = {
  run() {
    console.log('hello, world');
  },
};
