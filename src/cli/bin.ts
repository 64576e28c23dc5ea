import { setFlagsFromString } from 'node:v8';

// one-shot commands are over in about a second: V8's optimising tier for PGlite's wasm costs
// them more CPU (~0.5 s) than it gives back, so they stay on the baseline compiler
// (bench/cli-orders.mjs). The relay, sync and bulk loads (vcf ingest, analyses that ingest)
// keep the optimiser.
const ONE_SHOT = new Set(['init', 'login', 'whoami', 'config', 'orders', 'samples', 'stages', 'labflows', 'variants', 'report', 'audit', 'admin', 'status', 'pending']);

/** the process entry: the only place that reads argv and sets the exit code */
export async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  // a terminal UI on a TTY draws live frames even where CI is set (Ink reads CI at import)
  if ((argv.length === 0 || argv[0] === 'tui' || argv[0] === 'demo') && process.stdout.isTTY) process.env.CI = 'false';
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  // `curio` alone is the terminal UI: it draws its first frame before the CLI's modules
  // and the store load (bench/tui.mjs), so main() and its imports stay out of its way
  if (argv.length === 0) {
    // the UI too: tiering PGlite up competes with start-up for the CPU (first frame with
    // orders 1.64 s → 1.43 s, keypress p95 unchanged); a query may take up to twice as long
    setFlagsFromString('--liftoff-only');
    const [{ runHomeTui }, { consoleOutput }] = await Promise.all([import('./cmd-tui.ts'), import('./output.ts')]);
    process.exitCode = await runHomeTui(process.env, io, consoleOutput(false, io.stdout, io.stderr));
    return;
  }
  // must run before PGlite compiles its module (on the first store open)
  if (ONE_SHOT.has(argv[0] ?? '')) setFlagsFromString('--liftoff-only');
  const { main } = await import('./main.ts');
  const code = await main(argv, process.env, io);
  process.exitCode = code;
}
