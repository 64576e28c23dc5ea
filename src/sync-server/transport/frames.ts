// decoding and encoding of relay frames (y-websocket framing over y-protocols)
//
// Frames are read with explicit bounds checks: lib0's readVarUint8Array does not check
// the declared length against the buffer, and a received Buffer may be a view into a
// larger pooled ArrayBuffer, so an unchecked read could return bytes of other frames.

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { MessageType, SyncMessageType } from '../../core/wire.ts';

export type ClientFrame =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

export type FrameErrorCode = 'empty' | 'truncated' | 'unknown_message_type' | 'unknown_sync_type' | 'trailing_bytes';

export interface FrameError {
  code: FrameErrorCode;
  message: string;
  /** message type and sync type, when they could be read before the error */
  messageType?: number;
  syncType?: number;
}

export type FrameResult<T> = { success: true; data: T } | { success: false; error: FrameError };

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** the state as sent: JSON text, `null` when the client left */
  stateJson: string;
  /** encoded size of stateJson */
  stateBytes: number;
}

const utf8 = new TextDecoder();

const fail = (code: FrameErrorCode, message: string, extra: Partial<FrameError> = {}): { success: false; error: FrameError } => ({
  success: false,
  error: { code, message, ...extra },
});

function readUint(d: decoding.Decoder): number | null {
  try {
    return decoding.readVarUint(d);
  } catch {
    return null; // unexpected end or beyond 2^53
  }
}

/** a length-prefixed byte string, copied out so it owns an exactly sized buffer */
function readBytes(d: decoding.Decoder): Uint8Array | null {
  const len = readUint(d);
  if (len === null || len > d.arr.length - d.pos) return null;
  const out = d.arr.slice(d.pos, d.pos + len);
  d.pos += len;
  return out;
}

/** decodes one binary frame from a client; never throws */
export function decodeClientFrame(frame: Uint8Array): FrameResult<ClientFrame> {
  if (frame.length === 0) return fail('empty', 'empty frame');
  const d = decoding.createDecoder(frame);
  const messageType = readUint(d);
  if (messageType === null) return fail('truncated', 'unreadable message type');
  let out: ClientFrame;
  switch (messageType) {
    case MessageType.Sync: {
      const syncType = readUint(d);
      if (syncType === null) return fail('truncated', 'unreadable sync type', { messageType });
      if (syncType !== SyncMessageType.Step1 && syncType !== SyncMessageType.Step2 && syncType !== SyncMessageType.Update) {
        return fail('unknown_sync_type', `unknown sync message type ${syncType}`, { messageType, syncType });
      }
      const body = readBytes(d);
      if (body === null) return fail('truncated', 'truncated sync payload', { messageType, syncType });
      out =
        syncType === SyncMessageType.Step1
          ? { type: 'sync-step1', stateVector: body }
          : syncType === SyncMessageType.Step2
            ? { type: 'sync-step2', update: body }
            : { type: 'sync-update', update: body };
      if (decoding.hasContent(d)) return fail('trailing_bytes', 'bytes after the sync payload', { messageType, syncType });
      return { success: true, data: out };
    }
    case MessageType.Awareness: {
      const body = readBytes(d);
      if (body === null) return fail('truncated', 'truncated awareness payload', { messageType });
      out = { type: 'awareness', update: body };
      break;
    }
    case MessageType.QueryAwareness:
      out = { type: 'query-awareness' };
      break;
    default:
      return fail('unknown_message_type', `unknown message type ${messageType}`, { messageType });
  }
  if (decoding.hasContent(d)) return fail('trailing_bytes', 'bytes after the payload', { messageType });
  return { success: true, data: out };
}

/** splits an awareness update into its entries; never throws */
export function decodeAwarenessUpdate(update: Uint8Array): FrameResult<AwarenessEntry[]> {
  const d = decoding.createDecoder(update);
  const count = readUint(d);
  if (count === null) return fail('truncated', 'unreadable awareness entry count');
  const entries: AwarenessEntry[] = [];
  // each entry takes at least three bytes, so the count cannot outgrow the buffer
  if (count > update.length) return fail('truncated', 'awareness entry count exceeds the payload');
  for (let i = 0; i < count; i++) {
    const clientId = readUint(d);
    const clock = readUint(d);
    const text = readBytes(d);
    if (clientId === null || clock === null || text === null) return fail('truncated', 'truncated awareness entry');
    entries.push({ clientId, clock, stateJson: utf8.decode(text), stateBytes: text.length });
  }
  if (decoding.hasContent(d)) return fail('trailing_bytes', 'bytes after the awareness entries');
  return { success: true, data: entries };
}

export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(e, entry.clientId);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, entry.stateJson);
  }
  return encoding.toUint8Array(e);
}

function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Sync);
  encoding.writeVarUint(e, syncType);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export const syncStep1Frame = (doc: Y.Doc): Uint8Array => syncFrame(SyncMessageType.Step1, Y.encodeStateVector(doc));

export const syncStep2Frame = (doc: Y.Doc, stateVector: Uint8Array): Uint8Array =>
  syncFrame(SyncMessageType.Step2, Y.encodeStateAsUpdate(doc, stateVector));

export const updateFrame = (update: Uint8Array): Uint8Array => syncFrame(SyncMessageType.Update, update);

export function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Awareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** a state vector the relay can use; malformed ones are a protocol error */
export function isValidStateVector(sv: Uint8Array): boolean {
  try {
    const d = decoding.createDecoder(sv);
    const n = readUint(d);
    if (n === null || n > sv.length) return false;
    for (let i = 0; i < n; i++) {
      if (readUint(d) === null || readUint(d) === null) return false;
    }
    return !decoding.hasContent(d);
  } catch {
    return false;
  }
}
