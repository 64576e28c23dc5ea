import * as Y from 'yjs';
import { canonicalize } from '../core/index.ts';

// How an entry travels in the project document. An entry is a Y.Map of its top-level
// fields, and a field that is itself a plain object (an order's `order`) is a Y.Map of its
// fields too; every other value is stored whole. Writing sets only what changed, so a
// field update to an order sends that field, its version and its time, not the whole
// order with its stages and history to every connected client.
// Readers take entries stored whole (older documents) as well.

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Y.AbstractType) && !(v instanceof Uint8Array);
}

/** the same JSON, whatever the order of keys */
function sameJson(a: unknown, b: unknown): boolean {
  return canonicalize(a ?? null) === canonicalize(b ?? null);
}

/** an entry as plain JSON (null when absent) */
export function readEntry(value: unknown): unknown {
  if (value instanceof Y.Map) return value.toJSON();
  return value ?? null;
}

/** sets the fields of `target` to `value`'s, leaving equal ones alone; `depth` more levels become maps */
function writeFields(target: Y.Map<unknown>, value: Json, depth: number): void {
  for (const key of [...target.keys()]) if (!(key in value) || value[key] === undefined) target.delete(key);
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const current = target.get(key);
    if (depth > 0 && isPlainObject(v)) {
      if (current instanceof Y.Map) writeFields(current, v, depth - 1);
      else {
        const nested = new Y.Map<unknown>();
        target.set(key, nested);
        writeFields(nested, v, depth - 1);
      }
    } else if (current instanceof Y.AbstractType || !sameJson(current, v)) {
      target.set(key, v);
    }
  }
}

/** writes an entry into a map of the project document (null or undefined deletes it); returns whether anything changed */
export function writeEntry(map: Y.Map<unknown>, id: string, value: unknown): boolean {
  const current = map.get(id);
  if (value === null || value === undefined) {
    if (!map.has(id)) return false;
    map.delete(id);
    return true;
  }
  if (!isPlainObject(value)) {
    if (sameJson(readEntry(current), value) && !(current instanceof Y.AbstractType)) return false;
    map.set(id, value);
    return true;
  }
  if (current instanceof Y.Map) {
    if (sameJson(current.toJSON(), value)) return false;
    writeFields(current, value, 1);
    return true;
  }
  const entry = new Y.Map<unknown>();
  map.set(id, entry);
  writeFields(entry, value, 1);
  return true;
}

/**
 * the top-level map and entry id a changed type belongs to, for a change observed in a
 * transaction: the map itself (then every changed key is an entry), or a map nested in
 * one of its entries
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Yjs type: maps, arrays, text
export function entryOf(type: Y.AbstractType<any>, maps: ReadonlyMap<unknown, string>): { map: string; id: string | null } | null {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let child: Y.AbstractType<any> = type;
  let id: string | null = null;
  for (;;) {
    const name = maps.get(child);
    if (name !== undefined) return { map: name, id };
    const item = child._item;
    if (!item || !(item.parent instanceof Y.AbstractType)) return null;
    id = item.parentSub;
    child = item.parent;
  }
}
