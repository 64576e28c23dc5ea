import { normalizeStatus, type CommandInput, type Rejection, rejectionPrefix } from '../core/index.ts';
import type { Span, Tone } from './kit/index.ts';

// how domain values read on screen: a glyph and a word, a tone only on top

const STATUS_GLYPH: Record<string, string> = {
  created: '○',
  analyzing: '◐',
  review: '◑',
  sign_off: '◕',
  completed: '●',
  cancelled: '✕',
  draft: '○',
  submitted: '◑',
};

const STATUS_TONE: Record<string, Tone> = {
  analyzing: 'info',
  review: 'warn',
  sign_off: 'accent',
  completed: 'ok',
  cancelled: 'muted',
  submitted: 'info',
};

/** legacy statuses read as their current name, with the stored word kept */
export function statusText(status: string): string {
  const canonical = normalizeStatus(status);
  const glyph = STATUS_GLYPH[canonical] ?? '·';
  return canonical === status ? `${glyph} ${status}` : `${glyph} ${canonical} (${status})`;
}

export function statusTone(status: string): Tone | undefined {
  return STATUS_TONE[normalizeStatus(status)];
}

export const STAGE_STATE_GLYPH: Record<string, string> = {
  unassigned: '·',
  pending: '○',
  in_progress: '▶',
  on_hold: '‖',
  completed: '✓',
  skipped: '↷',
};

export function stageStateText(state: string | null): string {
  if (!state) return '';
  return `${STAGE_STATE_GLYPH[state] ?? '·'} ${state}`;
}

export function stageStateTone(state: string | null): Tone | undefined {
  switch (state) {
    case 'in_progress':
      return 'info';
    case 'on_hold':
      return 'warn';
    case 'completed':
      return 'ok';
    case 'skipped':
      return 'muted';
    default:
      return undefined;
  }
}

export function priorityText(priority: string): string {
  return priority === 'high' ? '▲ high' : priority === 'low' ? '▽ low' : '■ med';
}

export function priorityTone(priority: string): Tone | undefined {
  return priority === 'high' ? 'danger' : priority === 'low' ? 'muted' : undefined;
}

/** 2026-05-01 14:03 in UTC: server time is the time that counts */
export function shortTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

export function shortDate(iso: string): string {
  return iso.slice(0, 10);
}

/** '3m', '5h', '2d' since `iso` */
export function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** a rejection with the prefix users recognise ('Permission denied: …') */
export function rejectionText(r: Pick<Rejection, 'code' | 'message'>): string {
  const prefix = rejectionPrefix(r.code);
  return r.message.startsWith(prefix) ? r.message : `${prefix}: ${r.message}`;
}

/** a command in a few words: 'start stage', 'transition → review' */
export function commandText(command: CommandInput): string {
  switch (command.type) {
    case 'stage.transition':
      return `${command.action} stage${command.stageCode ? ` ${command.stageCode}` : ''}`;
    case 'stage.assign':
      return 'assign stage';
    case 'order.transition':
      return `transition → ${command.to}`;
    case 'order.update':
      return `edit ${Object.keys(command.patch).join(', ')}`;
    case 'order.create':
      return `create ${command.fields.displayId}`;
    case 'order.delete':
      return 'delete order';
    case 'note.samplesSent':
      return 'samples sent';
    default:
      return command.type;
  }
}

export function spans(...parts: (Span | string | false | null | undefined)[]): Span[] {
  return parts.filter((p): p is Span | string => typeof p === 'string' || (typeof p === 'object' && p !== null)).map((p) => (typeof p === 'string' ? { text: p } : p));
}

/** a span whose tone may be absent */
export function toned(text: string, tone: Tone | undefined): Span {
  return tone ? { text, tone } : { text };
}

/** at most `lines` lines of `width` cells, the last one cut with an ellipsis when more was left */
export function wrapText(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  const words = text.split(/\s+/).filter(Boolean);
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if ([...next].length <= width) {
      line = next;
      continue;
    }
    if (line) out.push(line);
    line = word;
    if (out.length === lines) break;
  }
  if (line && out.length < lines) out.push(line);
  const used = out.join(' ').split(/\s+/).filter(Boolean).length;
  if (used < words.length && out.length > 0) {
    const last = out[out.length - 1] ?? '';
    out[out.length - 1] = `${[...last].slice(0, Math.max(0, width - 1)).join('')}…`;
  }
  return out.slice(0, lines);
}
