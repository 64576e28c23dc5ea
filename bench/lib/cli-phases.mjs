// one curio command taken apart, in a fresh process, the way bin/curio runs it: where the time goes
//
//   CURIO_HOME=… node bench/lib/cli-phases.mjs list|get [ORDER]
//
// prints one JSON object of phase → milliseconds on stdout

const startup = performance.now(); // since this process started
const phases = { 'node start': startup };
let mark = performance.now();
const lap = (name) => {
  const now = performance.now();
  phases[name] = now - mark;
  mark = now;
};

const { setFlagsFromString } = await import('node:v8');
const { register } = await import('tsx/esm/api');
register();
lap('tsx register');

const [what = 'list', ref] = process.argv.slice(2);
// as src/cli/bin.ts does for one-shot commands
setFlagsFromString('--liftoff-only');
const { openPglite, migrate, listOrders, countOrders, findOrder, orderStages, orderSamples } = await import('../../src/db/index.ts');
const { openSession } = await import('../../src/cli/context.ts');
const { readConfig } = await import('../../src/cli/home.ts');
await import('../../src/cli/main.ts');
lap('import curio modules');

const home = process.env.CURIO_HOME;
const db = await openPglite(`${home}/store`);
lap('PGlite open');
await migrate(db);
lap('migrate check');
const s = await openSession({ home, db, config: readConfig(home), close: () => db.close() });
if (!s.success) throw new Error(s.error.message);
const { project, actor } = s.data;
lap('session (token, project, actor)');
if (what === 'get') {
  const o = await findOrder(db, project.id, ref);
  if (!o) throw new Error(`no order ${ref}`);
  await Promise.all([orderStages(db, o.id), orderSamples(db, o.id)]);
} else {
  await listOrders(db, project.id, actor, project.settings, { limit: 100 });
  await countOrders(db, project.id, actor, project.settings, { limit: 0 });
}
lap('query');
await db.close();
lap('close');
phases.total = performance.now();
process.stdout.write(JSON.stringify(phases) + '\n');
