import {
  Command,
  CommandEnvelope,
  decide,
  type CommandResult,
  type Event,
  type RejectionCode,
} from '../core/index.ts';
import { appendAudit } from './chain.ts';
import type { Sql } from './sql.ts';
import { loadActor, loadDecideState, writeEvents } from './state.ts';

export type ProcessOutcome =
  /** the command's result: new, or the stored one for a repeated command id */
  | { kind: 'result'; result: CommandResult; duplicate: boolean; events: Event[] }
  /** an earlier seq of this client has not arrived yet: hold until the gap fills */
  | { kind: 'held'; expectedSeq: number }
  /** not an envelope at all (no usable command id): nothing can be stored */
  | { kind: 'malformed'; message: string };

export interface ProcessOptions {
  now?: () => Date;
  /** test hook: runs inside the transaction after all writes, before commit */
  beforeCommit?: (tx: Sql) => Promise<void>;
}

type Row = Record<string, unknown>;

function toResult(r: Row): CommandResult {
  return {
    mid: String(r.mid),
    clientId: String(r.client_id),
    seq: Number(r.seq),
    status: r.status as CommandResult['status'],
    code: (r.code as RejectionCode | null) ?? null,
    message: (r.message as string | null) ?? null,
    commandType: (r.command_type as string | null) ?? null,
    entityType: (r.entity_type as string | null) ?? null,
    entityId: (r.entity_id as string | null) ?? null,
    entityVersion: r.entity_version === null || r.entity_version === undefined ? null : Number(r.entity_version),
    serverSeq: Number(r.server_seq),
    serverTime: r.server_time instanceof Date ? r.server_time.toISOString() : String(r.server_time),
    current: r.current ?? null,
  };
}

async function storeResult(tx: Sql, projectId: string, userId: string, r: Omit<CommandResult, 'serverSeq'>): Promise<CommandResult> {
  // the result and the cursor in one statement: one round trip less per command
  const rows = await tx.query<Row>(
    `WITH bumped AS (UPDATE client_cursors SET last_seq = $3 WHERE client_id = $2)
     INSERT INTO command_results (mid, client_id, seq, project_id, user_id, command_type, status, code, message, entity_type,
       entity_id, entity_version, server_seq, server_time, current)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,nextval('server_seq'),$13,$14::jsonb) RETURNING *`,
    [
      r.mid, r.clientId, r.seq, projectId, userId, r.commandType, r.status, r.code, r.message, r.entityType, r.entityId,
      r.entityVersion, r.serverTime, r.current === null || r.current === undefined ? null : JSON.stringify(r.current),
    ],
  );
  return toResult(rows[0]!);
}

function entityOf(command: Command): { type: string; id: string } {
  if ('orderId' in command) return { type: 'order', id: command.orderId };
  if ('sampleId' in command) return { type: 'sample', id: command.sampleId };
  if ('labflowId' in command) return { type: 'labflow', id: command.labflowId };
  if ('analysisId' in command) return { type: 'analysis', id: command.analysisId };
  return { type: 'project', id: '' };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

/**
 * processes one command of one client, exactly once and in seq order, in ONE transaction:
 * decide against current rows (roles read now), write rows + history + audit + result,
 * bump the client's cursor. A rejection consumes the seq and is stored like a result.
 */
export async function processCommand(
  db: Sql,
  req: { projectId: string; userId: string; envelope: unknown },
  opts: ProcessOptions = {},
): Promise<ProcessOutcome> {
  const env = req.envelope as Partial<CommandEnvelope> | null;
  const head = CommandEnvelope.pick({ mid: true, clientId: true, seq: true }).safeParse(env);
  if (!head.success) return { kind: 'malformed', message: head.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const { mid, clientId, seq } = head.data;
  if (mid !== `${clientId}:${seq}`) return { kind: 'malformed', message: `mid ${mid} does not match ${clientId}:${seq}` };
  const now = (opts.now ?? (() => new Date()))().toISOString();

  try {
    return await db.transaction(async (tx) => {
      // the cursor row exists after a client's first command: lock it; create it only when missing
      const lockCursor = () => tx.query<{ last_seq: number; user_id: string }>('SELECT last_seq, user_id FROM client_cursors WHERE client_id = $1 FOR UPDATE', [clientId]);
      let cursor = (await lockCursor())[0];
      if (!cursor) {
        await tx.query('INSERT INTO client_cursors (client_id, user_id, last_seq) VALUES ($1, $2, 0) ON CONFLICT (client_id) DO NOTHING', [clientId, req.userId]);
        cursor = (await lockCursor())[0]!;
      }
      const last = Number(cursor.last_seq);
      if (seq <= last) {
        const stored = (await tx.query<Row>('SELECT * FROM command_results WHERE mid = $1', [mid]))[0];
        if (stored) return { kind: 'result' as const, result: toResult(stored), duplicate: true, events: [] };
        return { kind: 'malformed' as const, message: `seq ${seq} of ${clientId} was consumed but has no stored result` };
      }
      if (seq > last + 1) return { kind: 'held' as const, expectedSeq: last + 1 };

      const base = { mid, clientId, seq, serverTime: now, entityVersion: null, current: null };
      const reject = async (code: RejectionCode, message: string, commandType: string | null, entity: { type: string; id: string } | null, current: unknown = null) => {
        const result = await storeResult(tx, req.projectId, req.userId, {
          ...base,
          status: 'rejected',
          code,
          message,
          commandType,
          entityType: entity?.type ?? null,
          entityId: entity?.id ?? null,
          current,
        });
        return { kind: 'result' as const, result, duplicate: false, events: [] };
      };

      if (cursor.user_id !== req.userId) return reject('permission_denied', `Permission denied: client ${clientId} belongs to another user`, null, null);
      const parsed = Command.safeParse(env?.command);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const type = typeof (env?.command as { type?: unknown } | undefined)?.type === 'string' ? String((env!.command as { type: string }).type) : null;
        return reject('invalid_input', `Invalid input: ${issue.path.join('.') || 'command'}: ${issue.message}`, type, null);
      }
      const command = parsed.data;
      const entity = entityOf(command);
      const actor = await loadActor(tx, req.projectId, req.userId);
      if (!actor) return reject('permission_denied', 'Permission denied: your account is revoked or unknown', command.type, entity);
      // removed from the project (or never in it): say so, rather than "not found" for every order
      if (!actor.projectRole && !actor.facilityRole && !actor.orgRole && !actor.superadmin)
        return reject('permission_denied', 'Permission denied: you have no role in this project', command.type, entity);
      const state = await loadDecideState(tx, req.projectId, actor, command, now);
      if (!state) return reject('not_found', `Not found: project ${req.projectId}`, command.type, entity);
      const decided = decide(state, command);
      if (!decided.success) return reject(decided.error.code, decided.error.message, command.type, entity, decided.error.current ?? null);

      const { events, audit, entityVersion } = decided.data;
      await writeEvents(tx, req.projectId, events);
      await appendAudit(tx, [{ ...audit, projectId: req.projectId, actorId: actor.userId, at: now, mid }]);
      const result = await storeResult(tx, req.projectId, req.userId, {
        ...base,
        status: 'accepted',
        code: null,
        message: null,
        commandType: command.type,
        entityType: audit.entityType,
        entityId: audit.entityId,
        entityVersion,
      });
      if (opts.beforeCommit) await opts.beforeCommit(tx);
      return { kind: 'result' as const, result, duplicate: false, events };
    });
  } catch (err) {
    // a unique index caught a race the loader could not see: store it as a conflict
    if (!isUniqueViolation(err)) throw err;
    return db.transaction(async (tx) => {
      const result = await storeResult(tx, req.projectId, req.userId, {
        mid,
        clientId,
        seq,
        serverTime: now,
        status: 'rejected',
        code: 'conflict',
        message: 'Conflict: a display id in this command is already used in this project',
        commandType: null,
        entityType: null,
        entityId: null,
        entityVersion: null,
        current: null,
      });
      return { kind: 'result' as const, result, duplicate: false, events: [] };
    });
  }
}
