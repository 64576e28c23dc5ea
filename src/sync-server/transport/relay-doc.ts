// one document on the relay: the Y.Doc, its awareness, its connections and the
// persistence queue that makes every update durable before anyone else sees it

import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate as encodeAwarenessStates, removeAwarenessStates } from 'y-protocols/awareness';
import { CloseCode, type DocName } from '../../core/wire.ts';
import type { DocStore } from './doc-store.ts';
import { awarenessFrame, encodeAwarenessUpdate, updateFrame, type AwarenessEntry } from './frames.ts';
import { isClientOrigin, type ClientOrigin, type Principal, type RelayLog } from './types.ts';

/** what a document needs from one connection */
export interface DocPeer {
  readonly id: number;
  readonly principal: Principal;
  readonly origin: ClientOrigin;
  /** awareness client ids this connection publishes */
  readonly awarenessIds: Set<number>;
  send(frame: Uint8Array): void;
  close(code: number, reason?: string): void;
}

export interface RelayDocContext {
  store: DocStore;
  log: RelayLog;
  compactAfterUpdates: number;
  maxAwarenessBytes: number;
  maxAwarenessClientsPerConnection: number;
  onUpdate: ((name: string, doc: Y.Doc, update: Uint8Array, origin: ClientOrigin) => void | Promise<void>) | undefined;
  checkAwareness: ((principal: Principal, doc: DocName, state: Record<string, unknown>) => boolean) | undefined;
  /** a write reached this document after it was unloaded */
  onStaleWrite(name: string, update: Uint8Array, origin: unknown): void;
  /** persisting failed for good: the document must be dropped from memory */
  onFailed(doc: RelayDoc): void;
}

export type AwarenessVerdict = { success: true } | { success: false; error: { code: 'awareness_too_big' | 'awareness_invalid'; message: string } };

const LOAD_ORIGIN = Symbol('curio.relay.load');
/** persistence attempts, with the wait before each retry */
const RETRY_DELAYS_MS = [50, 250, 1000];

export class RelayDoc {
  readonly doc = new Y.Doc();
  readonly awareness: Awareness;
  readonly peers = new Set<DocPeer>();
  #chain: Promise<void> = Promise.resolve();
  #storedUpdates: number;
  #compacting = false;
  #snapshotSafe = true;
  #state: 'live' | 'detached' = 'live';
  /** awareness client id → connection id that publishes it */
  readonly #owners = new Map<number, number>();

  private constructor(
    readonly name: string,
    readonly docName: DocName,
    private readonly ctx: RelayDocContext,
    stored: readonly Uint8Array[],
  ) {
    // a fresh Y.Doc gets a random clientID: never reuse one, or a lost unpersisted write
    // and a new write could share (clientID, clock) and clients would diverge for good
    for (const [i, update] of stored.entries()) {
      try {
        Y.applyUpdate(this.doc, update, LOAD_ORIGIN);
      } catch (err) {
        ctx.log('error', 'stored_update_unreadable', { doc: name, index: i, error: String(err) });
        // the live document does not hold it: compaction must not replace it with a snapshot
        this.#snapshotSafe = false;
      }
    }
    this.#storedUpdates = stored.length;
    this.doc.on('update', this.#onUpdate);
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.#owners.set(this.doc.clientID, -1);
    this.awareness.on('update', this.#onAwarenessUpdate);
    if (this.#storedUpdates >= ctx.compactAfterUpdates) this.#enqueue(() => this.#compact());
  }

  static async load(name: string, docName: DocName, ctx: RelayDocContext): Promise<RelayDoc> {
    const stored = await ctx.store.load(name);
    return new RelayDoc(name, docName, ctx, stored);
  }

  get live(): boolean {
    return this.#state === 'live';
  }

  /** resolves once every update applied so far is stored */
  whenFlushed(): Promise<void> {
    return this.#chain;
  }

  addPeer(peer: DocPeer): void {
    this.peers.add(peer);
  }

  removePeer(peer: DocPeer): void {
    if (!this.peers.delete(peer)) return;
    const ids = [...peer.awarenessIds].filter((id) => this.#owners.get(id) === peer.id);
    for (const id of ids) this.#owners.delete(id);
    if (ids.length > 0 && this.#state === 'live') removeAwarenessStates(this.awareness, ids, null);
  }

  broadcast(frame: Uint8Array, exceptPeerId?: number): void {
    for (const peer of this.peers) if (peer.id !== exceptPeerId) peer.send(frame);
  }

  /** the awareness states of everyone on this document, or null when there are none */
  awarenessSnapshot(): Uint8Array | null {
    const ids = [...this.awareness.getStates().keys()];
    return ids.length === 0 ? null : awarenessFrame(encodeAwarenessStates(this.awareness, ids));
  }

  /**
   * applies the entries a connection may publish: its own client ids (at most
   * maxAwarenessClientsPerConnection), each state JSON (an object or null) within
   * maxAwarenessBytes. Entries about other connections' ids are echoes that y-websocket
   * clients send back routinely; they are skipped, never applied.
   */
  receiveAwareness(peer: DocPeer, entries: readonly AwarenessEntry[]): AwarenessVerdict {
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      const owner = this.#owners.get(entry.clientId);
      if (owner !== undefined && owner !== peer.id) continue;
      if (owner === undefined) {
        const known = this.awareness.meta.get(entry.clientId);
        if (entry.stateJson === 'null') continue;
        if (known !== undefined && entry.clock <= known.clock) continue;
        if (peer.awarenessIds.size >= this.ctx.maxAwarenessClientsPerConnection) {
          this.ctx.log('debug', 'awareness_id_limit', { doc: this.name, connection: peer.id });
          continue;
        }
      }
      if (entry.stateBytes > this.ctx.maxAwarenessBytes) {
        return { success: false, error: { code: 'awareness_too_big', message: 'awareness state too big' } };
      }
      let state: unknown;
      try {
        state = JSON.parse(entry.stateJson);
      } catch {
        return { success: false, error: { code: 'awareness_invalid', message: 'awareness state is not JSON' } };
      }
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) {
        return { success: false, error: { code: 'awareness_invalid', message: 'awareness state is not an object' } };
      }
      if (state !== null && this.ctx.checkAwareness && !this.ctx.checkAwareness(peer.principal, this.docName, state as Record<string, unknown>)) {
        continue;
      }
      if (owner === undefined) {
        this.#owners.set(entry.clientId, peer.id);
        peer.awarenessIds.add(entry.clientId);
      }
      accepted.push(entry);
    }
    if (accepted.length > 0) applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(accepted), peer.origin);
    return { success: true };
  }

  /**
   * takes the document out of service: no more persistence or broadcasts from this
   * instance; a later write to it is handed to onStaleWrite (the live copy)
   */
  detach(): void {
    if (this.#state === 'detached') return;
    this.#state = 'detached';
    this.awareness.off('update', this.#onAwarenessUpdate);
    this.awareness.destroy();
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (this.#state === 'detached') {
      this.ctx.onStaleWrite(this.name, update, origin);
      return;
    }
    // updates that arrive while earlier ones are being stored are stored together
    this.#unstored.push({ update, origin });
    if (this.#unstored.length === 1) this.#enqueue(() => this.#store());
  };

  readonly #unstored: { update: Uint8Array; origin: unknown }[] = [];

  async #store(): Promise<void> {
    const batch = this.#unstored.splice(0);
    if (batch.length === 0) return;
    // issued together, the store writes them in one statement (group commit)
    const stored = await Promise.all(batch.map((b) => this.#persist(b.update)));
    if (stored.some((ok) => !ok)) {
      this.#fail();
      return;
    }
    // durable: now others may see them
    const notify = new Map<number, { update: Uint8Array; origin: ClientOrigin }>();
    for (const { update, origin } of batch) {
      this.broadcast(updateFrame(update), isClientOrigin(origin) ? origin.connectionId : undefined);
      if (isClientOrigin(origin)) notify.set(origin.connectionId, { update, origin });
    }
    // one notice per connection: the hook reads the document, which holds them all
    if (this.ctx.onUpdate) for (const { update, origin } of notify.values()) this.#notify(update, origin);
    if (this.#storedUpdates >= this.ctx.compactAfterUpdates) await this.#compact();
  }

  #onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    // a removed state (left, timed out) frees its id for whoever publishes it next
    for (const id of removed) {
      const owner = this.#owners.get(id);
      if (owner === undefined || owner === -1) continue;
      this.#owners.delete(id);
      for (const peer of this.peers) if (peer.id === owner) peer.awarenessIds.delete(id);
    }
    // back to the sender too: y-websocket clients take it as the sign of a live connection
    this.broadcast(awarenessFrame(encodeAwarenessStates(this.awareness, changed)));
  };

  #enqueue(task: () => Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((err: unknown) => {
      this.ctx.log('error', 'doc_task_failed', { doc: this.name, error: String(err) });
    });
  }

  async #persist(update: Uint8Array): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.#state === 'detached') return false;
      try {
        await this.ctx.store.append(this.name, update);
        this.#storedUpdates++;
        return true;
      } catch (err) {
        const wait = RETRY_DELAYS_MS[attempt];
        this.ctx.log('warn', 'append_failed', { doc: this.name, attempt, error: String(err) });
        if (wait === undefined) return false;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  #fail(): void {
    if (this.#state === 'detached') return;
    this.ctx.log('error', 'doc_persistence_failed', { doc: this.name });
    // clients still hold what was lost and send it again when they reconnect
    for (const peer of this.peers) peer.close(CloseCode.InternalError, 'storage unavailable');
    this.detach();
    this.ctx.onFailed(this);
  }

  #notify(update: Uint8Array, origin: ClientOrigin): void {
    const hook = this.ctx.onUpdate;
    if (!hook) return;
    void Promise.resolve()
      .then(() => hook(this.name, this.doc, update, origin))
      .catch((err: unknown) => this.ctx.log('error', 'on_update_failed', { doc: this.name, error: String(err) }));
  }

  async #compact(): Promise<void> {
    const compact = this.ctx.store.compact?.bind(this.ctx.store);
    if (!compact || this.#compacting) return;
    this.#compacting = true;
    try {
      // the live document holds every stored update (each is applied before it is stored)
      const merged = await compact(this.name, this.#snapshotSafe ? Y.encodeStateAsUpdate(this.doc) : undefined);
      if (merged > 0) this.#storedUpdates = 1;
      this.ctx.log('debug', 'doc_compacted', { doc: this.name, merged });
    } catch (err) {
      this.ctx.log('warn', 'compact_failed', { doc: this.name, error: String(err) });
      this.#storedUpdates = 0; // try again after another batch, not on every update
    } finally {
      this.#compacting = false;
    }
  }
}
