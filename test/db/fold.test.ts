// the relay projects an order whose commands only updated its fields from the events,
// without reading the rows: the folded entry must equal the entry read back from the store

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput, Event } from '../../src/core/index.ts';
import {
  foldOrderPatches,
  initStore,
  mergeOrderPatches,
  openPglite,
  orderPatchesOf,
  processCommand,
  readOrderEntries,
  type OrderPatches,
  type SqlDatabase,
} from '../../src/db/index.ts';

let db: SqlDatabase;
let projectId: string;
let userId: string;
let seq = 0;

async function run(command: CommandInput): Promise<Event[]> {
  seq += 1;
  const out = await processCommand(db, { projectId, userId, envelope: { mid: `f:${seq}`, clientId: 'f', seq, clientTime: 'x', command } });
  if (out.kind !== 'result' || out.result.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(out)}`);
  return out.events;
}

beforeAll(async () => {
  db = await openPglite();
  const init = await initStore(db, { projectName: 'fold' });
  if (!init.success) throw new Error(init.error.message);
  ({ projectId, userId } = init.data);
}, 60_000);
afterAll(async () => {
  await db.close();
});

describe('folding field updates into an order entry', () => {
  it('gives what reading the rows gives', async () => {
    const orderId = randomUUID();
    await run({ type: 'order.create', orderId, fields: { displayId: 'FOLD-1' } });
    const before = (await readOrderEntries(db, projectId, [orderId])).get(orderId)!;
    const patches = new Map<string, OrderPatches>();
    for (const command of [
      { type: 'order.update', orderId, patch: { description: 'first', priority: 'high' } },
      { type: 'order.update', orderId, patch: { tags: ['b', 'a'], accession: 'ACC-9' } },
      { type: 'order.update', orderId, patch: { description: null, clinicalIndication: 'AML' } },
    ] as CommandInput[])
      mergeOrderPatches(patches, orderPatchesOf(await run(command)));
    const list = patches.get(orderId);
    expect(list).toHaveLength(3);
    const after = (await readOrderEntries(db, projectId, [orderId])).get(orderId)!;
    expect(foldOrderPatches(before, list!)).toEqual(after);
    // and as the document stores it
    expect(JSON.stringify(foldOrderPatches(before, list!))).toBe(JSON.stringify(after));
  });

  it('asks for a read when anything else touched the order', async () => {
    const orderId = randomUUID();
    await run({ type: 'order.create', orderId, fields: { displayId: 'FOLD-2' } });
    expect(orderPatchesOf(await run({ type: 'order.update', orderId, patch: { displayId: 'FOLD-2b' } })).get(orderId)).toBeNull();
    expect(orderPatchesOf(await run({ type: 'order.update', orderId, patch: { properties: { b: 1, a: 2 } } })).get(orderId)).toBeNull();
    expect(orderPatchesOf(await run({ type: 'stage.transition', orderId, action: 'start' })).get(orderId)).toBeNull();
    // a read needed once stays needed, whatever follows
    const patches = new Map<string, OrderPatches>([[orderId, null]]);
    mergeOrderPatches(patches, orderPatchesOf(await run({ type: 'order.update', orderId, patch: { description: 'x' } })));
    expect(patches.get(orderId)).toBeNull();
  });
});
