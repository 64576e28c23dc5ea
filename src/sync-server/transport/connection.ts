// one client connection: one authenticated socket on one document

import * as Y from 'yjs';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, SyncMessageType, closeReason, type CloseCode as CloseCodeValue, type DocName } from '../../core/wire.ts';
import { decodeAwarenessUpdate, decodeClientFrame, isValidStateVector, syncStep1Frame, syncStep2Frame } from './frames.ts';
import type { DocPeer, RelayDoc } from './relay-doc.ts';
import type { Access, ClientOrigin, Principal, RelayLimits, RelayLog } from './types.ts';

/** refills `rate` tokens per second up to `burst` */
class TokenBucket {
  #tokens: number;
  #last = Date.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.#tokens = burst;
  }
  take(n: number): boolean {
    const now = Date.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
}

/** a peer that does not answer the close handshake is cut off after this long */
const CLOSE_GRACE_MS = 2000;

export interface ConnectionInfo {
  readonly connectionId: number;
  readonly principal: Principal;
  readonly docName: DocName;
  readonly name: string;
  readonly access: Access;
}

export class RelayConnection implements DocPeer, ConnectionInfo {
  readonly origin: ClientOrigin;
  readonly awarenessIds = new Set<number>();
  readonly name: string;
  readonly docName: DocName;
  #alive = true;
  #closing = false;
  #queued = 0;
  #chain: Promise<void> = Promise.resolve();
  #killTimer: NodeJS.Timeout | undefined;
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;

  constructor(
    private readonly ws: WebSocket,
    readonly id: number,
    readonly principal: Principal,
    readonly access: Access,
    private readonly relayDoc: RelayDoc,
    private readonly limits: RelayLimits,
    private readonly log: RelayLog,
    onClosed: (conn: RelayConnection, code: number) => void,
  ) {
    this.name = relayDoc.name;
    this.docName = relayDoc.docName;
    this.origin = Object.freeze({ kind: 'client', connectionId: id, principal, docName: relayDoc.docName, access });
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.#bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst);

    ws.on('message', this.#onMessage);
    ws.on('pong', () => {
      this.#alive = true;
    });
    ws.on('error', (err) => this.log('debug', 'socket_error', { connection: id, error: String(err) }));
    ws.once('close', (code: number) => {
      clearTimeout(this.#killTimer);
      this.#closing = true;
      relayDoc.removePeer(this);
      onClosed(this, code);
    });

    relayDoc.addPeer(this);
    // a read-only peer is never asked for its state: an honest client would answer
    // sync step 1 with step 2, which is exactly what read-only connections may not send
    if (access === 'write') this.send(syncStep1Frame(relayDoc.doc));
    const states = relayDoc.awarenessSnapshot();
    if (states) this.send(states);
  }

  get connectionId(): number {
    return this.id;
  }

  send(frame: Uint8Array): void {
    if (this.#closing) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.TooManyRequests, 'slow consumer');
      return;
    }
    this.ws.send(frame, (err) => {
      if (err) this.log('debug', 'send_failed', { connection: this.id, error: String(err) });
    });
  }

  close(code: number, reason?: string): void {
    if (this.#closing) return;
    this.#closing = true;
    const text = truncateReason(reason ?? closeReason[code as CloseCodeValue] ?? '');
    this.log(code === CloseCode.GoingAway || code === CloseCode.Normal ? 'debug' : 'info', 'connection_closed_by_relay', {
      connection: this.id,
      user: this.principal.userId,
      doc: this.name,
      code,
      reason: text,
    });
    try {
      this.ws.close(code, text);
    } catch {
      this.ws.terminate();
    }
    this.#killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.#killTimer.unref();
  }

  /** runs fn once the socket is closed */
  onGone(fn: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) fn();
    else this.ws.once('close', () => fn());
  }

  terminate(): void {
    this.#closing = true;
    this.ws.terminate();
  }

  /** called every heartbeat interval; false when the peer missed the previous ping */
  heartbeat(): boolean {
    if (!this.#alive) {
      this.log('debug', 'peer_dead', { connection: this.id });
      this.terminate();
      return false;
    }
    this.#alive = false;
    try {
      this.ws.ping();
    } catch {
      this.terminate();
      return false;
    }
    return true;
  }

  #onMessage = (data: RawData, isBinary: boolean): void => {
    if (this.#closing) return;
    this.#alive = true;
    if (!isBinary) {
      this.close(CloseCode.UnsupportedData, 'text frames are not part of the protocol');
      return;
    }
    // an owned, exactly sized copy: ws may hand out views into pooled buffers
    const frame = toOwnedBytes(data);
    if (!this.#messages.take(1) || !this.#bytes.take(frame.length) || this.#queued >= this.limits.maxQueuedMessages) {
      this.close(CloseCode.TooManyRequests);
      return;
    }
    this.#queued++;
    this.#chain = this.#chain
      .then(() => (this.#closing ? undefined : this.#handle(frame)))
      .catch((err: unknown) => {
        this.log('error', 'message_handling_failed', { connection: this.id, error: String(err) });
        this.close(CloseCode.InternalError);
      })
      .finally(() => {
        this.#queued--;
      });
  };

  async #handle(frame: Uint8Array): Promise<void> {
    const decoded = decodeClientFrame(frame);
    if (!decoded.success) {
      const { error } = decoded;
      const isWrite = error.messageType === 0 && (error.syncType === SyncMessageType.Step2 || error.syncType === SyncMessageType.Update);
      if (isWrite && this.access !== 'write') this.close(CloseCode.ReadOnlyViolation);
      else this.close(CloseCode.ProtocolError, error.message);
      return;
    }
    const msg = decoded.data;
    switch (msg.type) {
      case 'sync-step1': {
        if (!isValidStateVector(msg.stateVector)) {
          this.close(CloseCode.ProtocolError, 'malformed state vector');
          return;
        }
        // answer with durable state only
        await this.relayDoc.whenFlushed();
        if (this.#closing || !this.relayDoc.live) return;
        this.send(syncStep2Frame(this.relayDoc.doc, msg.stateVector));
        return;
      }
      case 'sync-step2':
      case 'sync-update': {
        if (this.access !== 'write') {
          // refused whole and unread: nothing of it reaches the document
          this.close(CloseCode.ReadOnlyViolation);
          return;
        }
        if (!this.relayDoc.live) return;
        try {
          // applied whole: an update is never filtered (it cannot be partly un-applied)
          Y.applyUpdate(this.relayDoc.doc, msg.update, this.origin);
        } catch (err) {
          this.log('info', 'update_unreadable', { connection: this.id, doc: this.name, error: String(err) });
          this.close(CloseCode.ProtocolError, 'malformed update');
        }
        return;
      }
      case 'awareness': {
        const entries = decodeAwarenessUpdate(msg.update);
        if (!entries.success) {
          this.close(CloseCode.ProtocolError, entries.error.message);
          return;
        }
        if (!this.relayDoc.live) return;
        const verdict = this.relayDoc.receiveAwareness(this, entries.data);
        if (!verdict.success) {
          this.close(verdict.error.code === 'awareness_too_big' ? CloseCode.MessageTooBig : CloseCode.BadRequest, verdict.error.message);
        }
        return;
      }
      case 'query-awareness': {
        const states = this.relayDoc.awarenessSnapshot();
        if (states) this.send(states);
        return;
      }
    }
  }
}

function toOwnedBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data);
}

/** close reasons are limited to 123 bytes */
function truncateReason(reason: string): string {
  const buf = Buffer.from(reason);
  return buf.length <= 123 ? reason : buf.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '…';
}
