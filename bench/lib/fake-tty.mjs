// preloaded into a benchmarked child (node --import): its piped stdin and
// stdout pass for a terminal of CURIO_BENCH_COLUMNS × CURIO_BENCH_ROWS, so
// Curio draws its full-screen UI into the pipe and the parent can time it

const columns = Number(process.env.CURIO_BENCH_COLUMNS ?? 80);
const rows = Number(process.env.CURIO_BENCH_ROWS ?? 24);

Object.assign(process.stdout, { isTTY: true, columns, rows, getWindowSize: () => [columns, rows] });
Object.assign(process.stdin, {
  isTTY: true,
  setRawMode() {
    return process.stdin;
  },
});
