#!/usr/bin/env node
// runs every benchmark in turn; each prints its table and writes bench/results/<name>.json.
// `npm run bench -- cli-orders tui` runs only the named ones.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = ['cli-orders', 'tui', 'tui-variants', 'sync', 'vcf-ingest'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of wanted) {
  const file = join(here, `${name}.mjs`);
  if (!existsSync(file)) {
    console.error(`no benchmark named ${name} (have: ${all.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
