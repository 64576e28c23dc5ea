import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entryOf, readEntry, writeEntry } from '../../src/db/index.ts';

const entry = (description: string | null, version: number) => ({
  order: { id: 'o1', displayId: 'ORD-1', description, version, tags: ['a'], properties: { k: 1 } },
  stages: [{ stageCode: 'wet_lab', state: 'pending' }],
  history: [],
});

describe('project document entries', () => {
  it('read back as written, and a replica reads what the relay wrote', () => {
    const relay = new Y.Doc();
    const orders = relay.getMap('orders');
    expect(writeEntry(orders, 'o1', entry('first', 1))).toBe(true);
    expect(readEntry(orders.get('o1'))).toEqual(entry('first', 1));
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(relay));
    expect(readEntry(replica.getMap('orders').get('o1'))).toEqual(entry('first', 1));
  });

  it('a field update sends the changed fields only, and an unchanged entry sends nothing', () => {
    const doc = new Y.Doc();
    const orders = doc.getMap('orders');
    writeEntry(orders, 'o1', entry('first', 1));
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    expect(writeEntry(orders, 'o1', entry('first', 1))).toBe(false);
    expect(updates).toHaveLength(0);
    doc.transact(() => writeEntry(orders, 'o1', entry('second', 2)));
    expect(updates).toHaveLength(1);
    // the stages, history, tags and properties do not travel again
    const whole = Y.encodeStateAsUpdate((() => {
      const d = new Y.Doc();
      d.getMap('orders').set('o1', entry('second', 2));
      return d;
    })());
    expect(updates[0]!.length).toBeLessThan(whole.length / 2);
    expect(readEntry(orders.get('o1'))).toEqual(entry('second', 2));
  });

  it('fields that disappear are removed; null deletes the entry; entries stored whole still read', () => {
    const doc = new Y.Doc();
    const orders = doc.getMap('orders');
    writeEntry(orders, 'o1', { order: { id: 'o1', note: 'x' }, extra: [1] });
    writeEntry(orders, 'o1', { order: { id: 'o1' } });
    expect(readEntry(orders.get('o1'))).toEqual({ order: { id: 'o1' } });
    orders.set('o2', { order: { id: 'o2' } });
    expect(readEntry(orders.get('o2'))).toEqual({ order: { id: 'o2' } });
    expect(writeEntry(orders, 'o2', { order: { id: 'o2', description: 'now a map' } })).toBe(true);
    expect(orders.get('o2')).toBeInstanceOf(Y.Map);
    expect(writeEntry(orders, 'o1', null)).toBe(true);
    expect(orders.has('o1')).toBe(false);
    expect(readEntry(orders.get('o1'))).toBeNull();
  });

  it('a change deep in an entry names the entry it belongs to', () => {
    const doc = new Y.Doc();
    const orders = doc.getMap('orders');
    const maps = new Map<unknown, string>([[orders, 'orders']]);
    writeEntry(orders, 'o1', entry('first', 1));
    const named: unknown[] = [];
    doc.on('afterTransaction', (tx: Y.Transaction) => {
      for (const [type, keys] of tx.changed) named.push({ at: entryOf(type, maps), keys: [...keys] });
    });
    doc.transact(() => writeEntry(orders, 'o1', entry('second', 2)));
    expect(named).toEqual([{ at: { map: 'orders', id: 'o1' }, keys: expect.arrayContaining(['description', 'version']) }]);
    expect(entryOf(doc.getMap('elsewhere'), maps)).toBeNull();
  });
});
