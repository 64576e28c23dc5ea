// wire-level constants shared by the relay and every client

/** WebSocket close codes (4000–4999 are for applications) */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  MessageTooBig: 1009,
  InternalError: 1011,
  BadRequest: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  EpochChanged: 4409,
  TooManyRequests: 4429,
  ReadOnlyViolation: 4430,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const closeReason: Record<CloseCode, string> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1009: 'message too big',
  1011: 'internal error',
  4400: 'bad request',
  4401: 'unauthorized',
  4403: 'forbidden',
  4404: 'not found',
  4409: 'epoch changed',
  4429: 'too many requests',
  4430: 'read-only document',
};

/** largest frame the relay accepts, in bytes */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** largest awareness state a client may publish, in bytes */
export const MAX_AWARENESS_BYTES = 2048;

/** documents: outbox/<clientId>@<epoch> and project/<projectId>@<epoch> */
export type DocName =
  | { kind: 'outbox'; clientId: string; epoch: number }
  | { kind: 'project'; projectId: string; epoch: number };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseDocName(name: string): DocName | null {
  const m = /^(outbox|project)\/([^@/]+)@(\d{1,9})$/.exec(name);
  if (!m || !ID.test(m[2]!)) return null;
  const epoch = Number(m[3]);
  return m[1] === 'outbox'
    ? { kind: 'outbox', clientId: m[2]!, epoch }
    : { kind: 'project', projectId: m[2]!, epoch };
}

export function formatDocName(doc: DocName): string {
  return doc.kind === 'outbox' ? `outbox/${doc.clientId}@${doc.epoch}` : `project/${doc.projectId}@${doc.epoch}`;
}

/** outbox intents are keyed by zero-padded seq so that keys sort as numbers */
export function seqKey(seq: number): string {
  return String(seq).padStart(12, '0');
}

/** first varuint of every relay frame (the y-websocket message types) */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** second varuint of a Sync frame (y-protocols/sync) */
export const SyncMessageType = {
  Step1: 0,
  Step2: 1,
  Update: 2,
} as const;
export type SyncMessageType = (typeof SyncMessageType)[keyof typeof SyncMessageType];

/**
 * close codes after which reconnecting cannot help: the relay decided (4400–4499,
 * except TooManyRequests, which is retried with backoff) or the client sent something
 * the relay will refuse again (protocol error, unsupported data, frame too big)
 */
export function isFatalCloseCode(code: number): boolean {
  if (code === CloseCode.TooManyRequests) return false;
  if (code >= 4400 && code < 4500) return true;
  return code === CloseCode.ProtocolError || code === CloseCode.UnsupportedData || code === CloseCode.MessageTooBig;
}

/** the close code a client reports when the relay refused the upgrade with an HTTP status */
export function closeCodeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return CloseCode.BadRequest;
    case 401:
      return CloseCode.Unauthorized;
    case 403:
      return CloseCode.Forbidden;
    case 404:
      return CloseCode.NotFound;
    case 409:
    case 410:
      return CloseCode.EpochChanged;
    case 429:
    case 503:
      return CloseCode.TooManyRequests;
    default:
      return 1006; // abnormal closure: retried with backoff
  }
}
