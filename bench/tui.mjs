// the terminal UI against a store of 10,000 orders, as a user at an 80×24
// terminal would feel it:
//
//   node bench/tui.mjs [--moves N] [--orders N] [--starts N] [--fresh]
//
// Each run spawns bin/curio under bench/lib/fake-tty.mjs (its pipes pass for
// an 80×24 terminal) and times what arrives on its stdout:
//   - time to first frame, and to the first frame showing orders, from spawn
//   - keypress-to-frame while moving down the Orders list (j, one key at a
//     time, each after the previous frame has settled)
//   - bytes written to the terminal per cursor move
// The store is built once and cached under the temp dir: `curio init` through
// the real executable, then bulk SQL into PGlite (orders and their stage rows).

import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { BIN, runCurio } from './lib/curio.mjs';
import { SEED_STAGES_SQL } from './lib/seed.mjs';

import { ms, printTable, summarize, writeResults, option } from './lib/report.mjs';

const curio = (args) => runCurio(args, childEnv());

const here = dirname(fileURLToPath(import.meta.url));

const FAKE_TTY = join(here, 'lib', 'fake-tty.mjs');
const DATA_VERSION = 1;
const TARGETS = { key_p95_ms: 16, bytes_per_move: 2048, first_frame_ms: 400, first_data_ms: 1500 };

const moves = option('moves', 200);
const starts = option('starts', 5);
const orderCount = option('orders', 10_000);
const fresh = process.argv.includes('--fresh');
const home = join(tmpdir(), 'curio-bench-tui', `home-${orderCount}`);
const marker = join(home, 'bench.json');

function childEnv() {
  // a pipe is not a terminal to chalk: FORCE_COLOR gives the colours a real terminal would get
  const env = { ...process.env, CURIO_HOME: home, LANG: 'C.UTF-8', FORCE_COLOR: '1', CURIO_BENCH_COLUMNS: '80', CURIO_BENCH_ROWS: '24' };
  delete env.DATABASE_URL;
  delete env.NO_COLOR;
  return env;
}


const uuid = (s) => {
  if (!/^[0-9a-f-]{36}$/.test(s)) throw new Error(`not a uuid: ${s}`);
  return `'${s}'::uuid`;
};

async function build() {
  console.log(`building a store with ${orderCount} orders in ${home} …`);
  rmSync(home, { recursive: true, force: true });
  const init = JSON.parse(await curio(['init', '--project', 'bench', '--json']));
  const users = [init.user_id];
  for (const name of ['bench-ed1', 'bench-ed2']) users.push(JSON.parse(await curio(['admin', 'user', 'add', name, '--role', 'project_editor', '--json'])).user_id);
  const db = await PGlite.create(join(home, 'store'));
  try {
    await db.transaction(async (tx) => {
      await tx.query(`
        INSERT INTO orders (id, project_id, display_id, workflow, status, mode, priority, accession, clinical_indication,
                            ordering_provider, tags, labflow_id, created_by, version, created_at, updated_at)
        SELECT gen_random_uuid(), ${uuid(init.project_id)}, format('ORD-2026-%s', lpad(g::text, 5, '0')), 'clinical',
               (ARRAY['created','analyzing','analyzing','review','review','review','sign_off','completed','completed','cancelled'])[1 + (g * 7) % 10],
               CASE WHEN g % 4 = 0 THEN 'somatic' ELSE 'hereditary' END,
               (ARRAY['low','medium','medium','high'])[1 + (g * 3) % 4], format('ACC%s', g),
               (ARRAY['epilepsy','cardiomyopathy','AML','hearing loss','ataxia'])[1 + g % 5],
               (ARRAY['Dr Ames','Dr Bell','Dr Cole'])[1 + g % 3],
               CASE WHEN g % 10 = 0 THEN ARRAY['trio','urgent'] WHEN g % 3 = 0 THEN ARRAY['trio'] ELSE '{}'::text[] END,
               'system-clinical-v1', (ARRAY[${users.map(uuid).join(', ')}])[1 + g % ${users.length}], 1 + g % 5,
               now() - make_interval(mins => ${orderCount + 1} - g), now() - make_interval(mins => ${orderCount + 1} - g)
        FROM generate_series(1, ${orderCount}) g`);
      await tx.query(SEED_STAGES_SQL);
    });
    await db.exec('ANALYZE orders; ANALYZE order_stages;');
  } finally {
    await db.close();
  }
  writeFileSync(marker, JSON.stringify({ version: DATA_VERSION, orders: orderCount, built_at: new Date().toISOString() }) + '\n');
}

function cached() {
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    return m.version === DATA_VERSION && m.orders === orderCount;
  } catch {
    return false;
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;

/** bin/curio on the store, its output timestamped as it arrives */
function launch() {
  const started = performance.now();
  const nodeArgs = (process.env.CURIO_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', FAKE_TTY, BIN], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks = [];
  let stderr = '';
  child.stdout.on('data', (data) => chunks.push({ at: performance.now(), bytes: data.length, text: data.toString('utf8') }));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const text = (from = 0) => chunks.slice(from).map((c) => c.text).join('');
  /** resolves with the time the output first matched, after chunk `from` */
  const until = (pattern, from = 0, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      const check = () => {
        let seen = '';
        for (let i = from; i < chunks.length; i++) {
          seen += chunks[i].text;
          if (pattern.test(seen.replace(ANSI, ''))) return resolve(chunks[i].at);
        }
        if (performance.now() > deadline) return reject(new Error(`no ${pattern} on screen within ${timeoutMs} ms\n${stderr}`));
        setTimeout(check, 2);
      };
      check();
    });
  /** waits until nothing has been written for `quietMs` */
  const settle = async (quietMs = 40) => {
    for (;;) {
      const last = chunks.at(-1)?.at ?? started;
      if (performance.now() - last >= quietMs) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { child, chunks, started, text, until, settle, exited, stderr: () => stderr };
}

async function quit(run) {
  run.child.stdin.write('q');
  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
  if (code !== 0) {
    run.child.kill('SIGKILL');
    throw new Error(`curio did not quit cleanly (${code})\n${run.stderr()}`);
  }
}

if (fresh || !cached()) await build();
else console.log(`using the cached store in ${home} (--fresh rebuilds it)`);

// start-up: the splash, then the queue with its rows
const firstFrame = [];
const firstData = [];
for (let i = 0; i < starts; i++) {
  const run = launch();
  const frame = await run.until(/Curio/);
  const data = await run.until(/ORD-2026-\d{5}/);
  firstFrame.push(frame - run.started);
  firstData.push(data - run.started);
  await run.settle();
  await quit(run);
}

// moving through the Orders list
const run = launch();
await run.until(/ORD-2026-\d{5}/);
await run.settle(100);
run.child.stdin.write('2');
await run.until(/Orders 10000 │/, run.chunks.length - 1);
await run.settle(300);
const latencies = [];
const bytes = [];
for (let i = 0; i < moves; i++) {
  const from = run.chunks.length;
  const sent = performance.now();
  run.child.stdin.write('j');
  const position = new RegExp(`${i + 2}/${orderCount}`);
  const shown = await run.until(position, from);
  latencies.push(shown - sent);
  await run.settle(25);
  bytes.push(run.chunks.slice(from).reduce((n, c) => n + c.bytes, 0));
}
await quit(run);

const key = summarize(latencies);
const perMove = summarize(bytes);
const ff = summarize(firstFrame);
const fd = summarize(firstData);
const verdict = (ok) => (ok ? 'ok' : 'MISSED');
printTable(
  ['MEASURE', 'RUNS', 'MEDIAN', 'P95', 'MAX', 'TARGET', ''],
  [
    ['first frame (ms from spawn)', ff.runs, ms(ff.median), ms(ff.p95), ms(ff.max), `< ${TARGETS.first_frame_ms}`, verdict(ff.median < TARGETS.first_frame_ms)],
    ['first frame with orders (ms)', fd.runs, ms(fd.median), ms(fd.p95), ms(fd.max), `< ${TARGETS.first_data_ms}`, verdict(fd.median < TARGETS.first_data_ms)],
    ['keypress to frame, j (ms)', key.runs, ms(key.median), ms(key.p95), ms(key.max), `p95 < ${TARGETS.key_p95_ms}`, verdict(key.p95 < TARGETS.key_p95_ms)],
    ['bytes written per move', perMove.runs, perMove.median, perMove.p95, perMove.max, `< ${TARGETS.bytes_per_move}`, verdict(perMove.p95 < TARGETS.bytes_per_move)],
  ],
);

const file = writeResults('tui', {
  benchmark: 'tui',
  orders: orderCount,
  terminal: '80x24',
  moves,
  starts,
  targets: TARGETS,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  at: new Date().toISOString(),
  first_frame_ms: { ...Object.fromEntries(Object.entries(ff).map(([k, v]) => [k, ms(v)])), samples: firstFrame.map(ms) },
  first_data_ms: { ...Object.fromEntries(Object.entries(fd).map(([k, v]) => [k, ms(v)])), samples: firstData.map(ms) },
  keypress_ms: Object.fromEntries(Object.entries(key).map(([k, v]) => [k, ms(v)])),
  bytes_per_move: perMove,
});
console.log(`\nwrote ${file}`);
