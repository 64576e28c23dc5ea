// whole-process timings of `curio orders list` and `curio orders get` on a store of 10,000 orders
//
//   node bench/cli-orders.mjs [--runs N] [--orders N] [--fresh]
//
// The store is built once and cached under the temp dir: `curio init` through the real
// executable, then bulk SQL straight into PGlite (orders + their order_stages rows, as the
// default clinical labflow would have left them). Each timed run spawns bin/curio.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { SEED_STAGES_SQL } from './lib/seed.mjs';
import { ms, printTable, summarize, writeResults, option } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'curio');
const PHASES = join(here, 'lib', 'cli-phases.mjs');
const TARGET_MEDIAN_MS = 1000;
// bump when the generated data changes shape
const DATA_VERSION = 1;

const runs = option('runs', 10);
const orderCount = option('orders', 10_000);
const fresh = process.argv.includes('--fresh');
const cacheDir = join(tmpdir(), 'curio-bench-cli-orders');
const home = join(cacheDir, `home-${orderCount}`);
const marker = join(home, 'bench.json');

/** runs bin/curio in its own process; resolves with its wall time */
function curio(args, { check = true, script = BIN } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CURIO_HOME: home };
    delete env.DATABASE_URL;
    const started = performance.now();
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      if (check && code !== 0) reject(new Error(`curio ${args.join(' ')} exited ${code}\n${stderr}`));
      else resolve({ code, stdout, stderr, elapsed });
    });
  });
}

const uuid = (s) => {
  if (!/^[0-9a-f-]{36}$/.test(s)) throw new Error(`not a uuid: ${s}`);
  return `'${s}'::uuid`;
};

async function build() {
  console.log(`building a store with ${orderCount} orders in ${home} …`);
  const t0 = performance.now();
  rmSync(home, { recursive: true, force: true });
  const init = JSON.parse((await curio(['init', '--project', 'bench', '--json'])).stdout);
  const users = [init.user_id];
  for (const name of ['bench-ed1', 'bench-ed2', 'bench-ed3'])
    users.push(JSON.parse((await curio(['admin', 'user', 'add', name, '--role', 'project_editor', '--json'])).stdout).user_id);
  const db = await PGlite.create(join(home, 'store'));
  try {
    const userArray = `ARRAY[${users.map(uuid).join(', ')}]`;
    await db.transaction(async (tx) => {
      await tx.query(`
        INSERT INTO orders (id, project_id, display_id, workflow, status, mode, priority, accession, clinical_indication,
                            ordering_provider, tags, labflow_id, created_by, version, created_at, updated_at)
        SELECT gen_random_uuid(), ${uuid(init.project_id)}, format('ORD-2026-%s', lpad(g::text, 5, '0')), 'clinical',
               (ARRAY['created','analyzing','analyzing','review','review','review','sign_off','completed','completed','cancelled'])[1 + (g * 7) % 10],
               CASE WHEN g % 4 = 0 THEN 'somatic' ELSE 'hereditary' END,
               (ARRAY['low','medium','medium','high'])[1 + (g * 3) % 4],
               format('ACC%s', g),
               (ARRAY['epilepsy','cardiomyopathy','AML','hearing loss','ataxia'])[1 + g % 5],
               (ARRAY['Dr Ames','Dr Bell','Dr Cole'])[1 + g % 3],
               CASE WHEN g % 10 = 0 THEN ARRAY['trio','urgent'] WHEN g % 3 = 0 THEN ARRAY['trio']
                    WHEN g % 7 = 0 THEN ARRAY['research'] ELSE '{}'::text[] END,
               'system-clinical-v1', (${userArray})[1 + g % ${users.length}], 1 + g % 5,
               now() - make_interval(mins => ${orderCount + 1} - g),
               now() - make_interval(mins => ${orderCount + 1} - g) + interval '30 seconds'
        FROM generate_series(1, ${orderCount}) g`);
      await tx.query(SEED_STAGES_SQL);
    });
    await db.exec('ANALYZE orders; ANALYZE order_stages;');
    const counts = (await db.query(`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM order_stages)::int AS stages`)).rows[0];
    console.log(`  ${counts.orders} orders, ${counts.stages} stage rows in ${ms((performance.now() - t0) / 1000)} s`);
  } finally {
    await db.close();
  }
  writeFileSync(marker, JSON.stringify({ version: DATA_VERSION, orders: orderCount, built_at: new Date().toISOString() }) + '\n');
}

function cached() {
  if (!existsSync(marker)) return false;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    return m.version === DATA_VERSION && m.orders === orderCount;
  } catch {
    return false;
  }
}

if (fresh || !cached()) await build();
else console.log(`using the cached store in ${home} (--fresh rebuilds it)`);

// a stale cache (say, the schema changed) is rebuilt once
const warm = await curio(['orders', 'list', '--limit', '1', '--json'], { check: false });
if (warm.code !== 0) {
  console.log(`the cached store does not answer (${warm.stderr.trim()}); rebuilding`);
  await build();
  await curio(['orders', 'list', '--limit', '1', '--json']);
}

const middle = `ORD-2026-${String(Math.ceil(orderCount / 2)).padStart(5, '0')}`;
const cases = [
  { name: 'curio --version (start-up only)', args: ['--version'] },
  { name: 'curio orders list', args: ['orders', 'list'] },
  { name: 'curio orders list --status review --json', args: ['orders', 'list', '--status', 'review', '--json'] },
  { name: `curio orders get ${middle}`, args: ['orders', 'get', middle] },
];

const loadBefore = loadavg();
const results = [];
for (const c of cases) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await curio(c.args);
    times.push(r.elapsed);
    bytes = r.stdout.length;
  }
  const s = summarize(times);
  results.push({ command: c.name, args: c.args, ...s, stdout_bytes: bytes, samples_ms: times.map(ms) });
}

// the same work taken apart in a fresh process: where the time goes (medians)
const phaseRuns = { list: [], get: [] };
for (let i = 0; i < runs; i++)
  for (const what of ['list', 'get']) phaseRuns[what].push(JSON.parse((await curio([what, middle], { script: PHASES })).stdout));
const phaseNames = Object.keys(phaseRuns.list[0]);
const phaseMedians = Object.fromEntries(
  Object.entries(phaseRuns).map(([what, list]) => [what, Object.fromEntries(phaseNames.map((p) => [p, ms(summarize(list.map((r) => r[p])).median)]))]),
);
const loadAfter = loadavg();

printTable(
  ['COMMAND', 'RUNS', 'MIN ms', 'MEDIAN ms', 'P95 ms', 'MAX ms', 'TARGET'],
  results.map((r) => [r.command, r.runs, ms(r.min), ms(r.median), ms(r.p95), ms(r.max), r.args[0] === '--version' ? '-' : r.median < TARGET_MEDIAN_MS ? 'ok' : 'MISSED']),
);

console.log(`\nwhere the time goes (median ms of ${runs} fresh processes; "query" = list 100 + count, or get + stages + samples):`);
printTable(
  ['PHASE', 'orders list', 'orders get'],
  phaseNames.map((p) => [p, phaseMedians.list[p], phaseMedians.get[p]]),
);
console.log(`load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} → ${loadAfter.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);

const file = writeResults('cli-orders', {
  benchmark: 'cli-orders',
  orders: orderCount,
  runs,
  target_median_ms: TARGET_MEDIAN_MS,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  load_average: { before: loadBefore, after: loadAfter },
  at: new Date().toISOString(),
  phases_median_ms: phaseMedians,
  results: results.map((r) => ({
    command: r.command,
    runs: r.runs,
    min_ms: ms(r.min),
    median_ms: ms(r.median),
    p95_ms: ms(r.p95),
    max_ms: ms(r.max),
    mean_ms: ms(r.mean),
    stdout_bytes: r.stdout_bytes,
    samples_ms: r.samples_ms,
  })),
});
console.log(`\nwrote ${file}`);
