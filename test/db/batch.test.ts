// processBatch must come to exactly what processCommand comes to, command by command:
// the same outcomes, rows, history and audit chains. A seeded random mix of commands from
// three clients runs once through processCommand and once through processBatch in
// batches of random size, on two copies of one store, with the clock fixed.
// CURIO_SEED=N repeats a run.

import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_ROLES, type CommandInput } from '../../src/core/index.ts';
import {
  addUser,
  findUser,
  initStore,
  openPglite,
  processBatch,
  processCommand,
  verifyChain,
  type BatchItem,
  type ProcessOutcome,
  type SqlDatabase,
} from '../../src/db/index.ts';
import { rng, seedFromEnv } from '../helpers/relay.ts';

type Rng = ReturnType<typeof rng>;
type Pglite = SqlDatabase & { pglite: { dumpDataDir(c?: 'gzip'): Promise<Blob> } };

const NOW = () => new Date('2026-11-22T10:00:00.000Z');
const STATUSES = ['analyzing', 'review', 'sign_off', 'cancelled', 'completed', 'created'];

let template: Blob;
let projectId: string;
let adminId: string;
let editorId: string;
let viewerId: string;

beforeAll(async () => {
  const db = (await openPglite()) as Pglite;
  try {
    const init = await initStore(db, { projectName: 'batch' });
    if (!init.success) throw new Error(init.error.message);
    projectId = init.data.projectId;
    adminId = init.data.userId;
    for (const [name, role] of [['eddie', 'project_editor'], ['vera', 'project_viewer']] as const) {
      const r = await addUser(db, { projectId, name, role, actorId: adminId });
      if (!r.success) throw new Error(r.error.message);
    }
    editorId = (await findUser(db, 'eddie'))!.id;
    viewerId = (await findUser(db, 'vera'))!.id;
    template = await db.pglite.dumpDataDir('gzip');
  } finally {
    await db.close();
  }
}, 60_000);

/** a uuid from the seeded generator, so both runs get the same commands */
function uuid(r: Rng): string {
  const hex = Array.from({ length: 32 }, () => r.int(16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** a mix of commands that are accepted and refused for many reasons, touching few orders */
function randomItems(r: Rng, count: number): BatchItem[] {
  const clients = [
    { clientId: 'admin1', userId: adminId, seq: 0 },
    { clientId: 'admin2', userId: adminId, seq: 0 },
    { clientId: 'editor', userId: editorId, seq: 0 },
    { clientId: 'viewer', userId: viewerId, seq: 0 },
  ];
  const orders: string[] = [];
  const samples: string[] = [];
  const items: BatchItem[] = [];
  const command = (): CommandInput | { type: string } => {
    if (orders.length === 0 || r.chance(0.12)) {
      const orderId = uuid(r);
      orders.push(orderId);
      // a small pool of display ids: some creates collide
      return { type: 'order.create', orderId, fields: { displayId: `ORD-${r.int(25)}` } };
    }
    const orderId = r.pick(orders.slice(-4));
    const base = r.chance(0.3) ? { baseVersion: 1 + r.int(6) } : {};
    switch (r.int(12)) {
      case 0:
      case 1:
        return { type: 'order.update', orderId, patch: { description: `d${r.int(1000)}` }, ...base };
      case 2:
        return r.chance(0.5)
          ? { type: 'order.update', orderId, patch: { priority: r.pick(['low', 'medium', 'high'] as const) } }
          : { type: 'order.update', orderId, patch: { tags: [`t${r.int(3)}`, 'x'], properties: { k: r.int(5), nested: { on: r.chance(0.5) } }, accession: r.chance(0.5) ? null : 'A1' } };
      case 3:
        return { type: 'order.update', orderId, patch: { displayId: `ORD-${r.int(25)}` } };
      case 4:
        return { type: 'order.transition', orderId, to: r.pick(STATUSES), ...base };
      case 5:
        return { type: 'stage.assign', orderId, userId: r.pick([adminId, editorId]) };
      case 6:
        return { type: 'stage.transition', orderId, action: r.pick(['start', 'hold', 'resume', 'complete', 'skip'] as const), ...(r.chance(0.3) ? { note: 'n' } : {}) };
      case 7: {
        const sampleId = uuid(r);
        samples.push(sampleId);
        return { type: 'sample.create', sampleId, fields: { displayId: `S-${r.int(10)}` } };
      }
      case 8:
        return samples.length
          ? { type: 'order.addSample', orderId, sampleId: r.pick(samples), role: r.pick(SAMPLE_ROLES) }
          : { type: 'note.samplesSent', orderId };
      case 9:
        return r.chance(0.5) ? { type: 'settings.set', key: 'allowDeleteSubmitted', value: r.chance(0.5) } : { type: 'order.delete', orderId };
      case 10:
        return { type: 'no.such.command' };
      default:
        return { type: 'note.samplesSent', orderId, text: 'sent' };
    }
  };
  for (let i = 0; i < count; i++) {
    const c = r.chance(0.1) ? clients[3]! : r.pick(clients.slice(0, 3));
    c.seq += 1;
    items.push({ projectId, userId: c.userId, envelope: { mid: `${c.clientId}:${c.seq}`, clientId: c.clientId, seq: c.seq, clientTime: 'x', command: command() } });
    // now and then an earlier command again, as a client does after a lost acknowledgement
    if (i > 5 && r.chance(0.05)) items.push(r.pick(items.slice(0, -1)));
  }
  return items;
}

/** what a caller sees of an outcome: everything but the server's sequence number */
function seen(o: ProcessOutcome) {
  if (o.kind !== 'result') return o;
  const { serverSeq: _serverSeq, ...result } = o.result;
  return { kind: o.kind, duplicate: o.duplicate, result, events: o.events.map((e) => e.type) };
}

async function tables(db: SqlDatabase) {
  const q = (sql: string) => db.query(sql);
  return {
    orders: await q('SELECT * FROM orders ORDER BY id'),
    stages: await q('SELECT * FROM order_stages ORDER BY order_id, position'),
    samples: await q('SELECT * FROM samples ORDER BY id'),
    links: await q('SELECT * FROM order_samples ORDER BY order_id, sample_id'),
    notes: await q('SELECT * FROM status_notes ORDER BY id'),
    history: await q('SELECT * FROM stage_transitions ORDER BY seq'),
    audit: await q('SELECT * FROM audit_log ORDER BY seq'),
    results: await q('SELECT * FROM command_results ORDER BY server_seq'),
    cursors: await q('SELECT * FROM client_cursors ORDER BY client_id'),
    projects: await q('SELECT * FROM projects ORDER BY id'),
  };
}

describe('processBatch', () => {
  const seed = seedFromEnv();

  it(`comes to what processCommand comes to, command by command (seed ${seed})`, async () => {
    const r = rng(seed);
    const items = randomItems(r, 240);
    const one = await openPglite(undefined, { loadDataDir: template });
    const many = await openPglite(undefined, { loadDataDir: template });
    try {
      const expected: ProcessOutcome[] = [];
      for (const item of items) expected.push(await processCommand(one, item, { now: NOW }));
      const got: ProcessOutcome[] = [];
      for (let at = 0; at < items.length; ) {
        const size = 1 + r.int(30);
        got.push(...(await processBatch(many, items.slice(at, at + size), { now: NOW })));
        at += size;
      }
      expect(got.map(seen)).toEqual(expected.map(seen));
      const accepted = expected.filter((o) => o.kind === 'result' && o.result.status === 'accepted' && !o.duplicate).length;
      const rejected = expected.filter((o) => o.kind === 'result' && o.result.status === 'rejected').length;
      // the mix exercises both sides
      expect(accepted).toBeGreaterThan(40);
      expect(rejected).toBeGreaterThan(40);
      expect(await tables(many)).toEqual(await tables(one));
      for (const chain of ['audit', 'transitions'] as const) expect((await verifyChain(many, chain)).problem).toBeNull();
    } finally {
      await one.close();
      await many.close();
    }
  }, 120_000);

  it('holds what follows a gap and answers a repeated command with its stored result', async () => {
    const db = await openPglite(undefined, { loadDataDir: template });
    try {
      const env = (seq: number, command: unknown) => ({ projectId, userId: adminId, envelope: { mid: `g:${seq}`, clientId: 'g', seq, clientTime: 'x', command } });
      const first = env(1, { type: 'settings.set', key: 'departmentSharing', value: true });
      const out = await processBatch(db, [first, env(3, { type: 'settings.set', key: 'departmentSharing', value: false }), first]);
      expect(out[0]).toMatchObject({ kind: 'result', duplicate: false, result: { status: 'accepted' } });
      expect(out[1]).toEqual({ kind: 'held', expectedSeq: 2 });
      expect(out[2]).toMatchObject({ kind: 'result', duplicate: true, result: { mid: 'g:1', status: 'accepted' } });
      expect((await db.query('SELECT last_seq FROM client_cursors WHERE client_id = $1', ['g']))[0]).toEqual({ last_seq: 1 });
    } finally {
      await db.close();
    }
  }, 60_000);

  it('a batch that fails rolls back whole and runs again command by command', async () => {
    const db = await openPglite(undefined, { loadDataDir: template });
    try {
      const orderId = '11111111-1111-4111-8111-111111111111';
      const items = [1, 2, 3].map((seq) => ({
        projectId,
        userId: adminId,
        envelope: { mid: `f:${seq}`, clientId: 'f', seq, clientTime: 'x', command: seq === 1 ? { type: 'order.create', orderId, fields: { displayId: 'F-1' } } : { type: 'order.update', orderId, patch: { description: `v${seq}` } } },
      }));
      let failures = 0;
      const retried: unknown[] = [];
      const out = await processBatch(db, items, {
        // the batch's commit fails once; the retry runs each command in its own transaction
        beforeCommit: async () => {
          if (failures++ === 0) throw new Error('disk full');
        },
        onBatchRetry: (err) => retried.push(err),
      });
      expect(retried).toHaveLength(1);
      expect(out.map((o) => o.kind === 'result' && o.result.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect((await db.query<{ description: string; version: number }>('SELECT description, version FROM orders'))[0]).toEqual({ description: 'v3', version: 3 });
      expect((await db.query('SELECT mid FROM command_results WHERE client_id = $1 ORDER BY seq', ['f'])).map((r) => r.mid)).toEqual(['f:1', 'f:2', 'f:3']);
      expect((await verifyChain(db, 'audit')).problem).toBeNull();
    } finally {
      await db.close();
    }
  }, 60_000);
});
