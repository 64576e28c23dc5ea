import type { ReactNode } from 'react';
import type { Span } from './line.ts';
import { LineText } from './LineText.tsx';
import { textWidth } from './text.ts';
import { useTheme, type Glyphs, type Tone } from './theme.ts';

/** 'local': a standalone store, with no relay to be connected to */
export type ConnectionState = 'online' | 'offline' | 'reconnecting' | 'local';

export interface StatusSegment {
  text: string;
  tone?: Tone;
  /** lower numbers survive longer on a narrow terminal */
  priority: number;
}

export function connectionSegment(state: ConnectionState, glyph: Glyphs): StatusSegment {
  switch (state) {
    case 'online':
      return { text: `${glyph.online} online`, tone: 'ok', priority: 0 };
    case 'offline':
      return { text: `${glyph.offline} offline`, tone: 'warn', priority: 0 };
    case 'reconnecting':
      return { text: `${glyph.reconnecting} reconnecting`, tone: 'pending', priority: 0 };
    case 'local':
      return { text: `${glyph.local} local store`, tone: 'muted', priority: 0 };
  }
}

/** drops the least important segments until the bar fits; keeps their order */
export function fitSegments(segments: readonly StatusSegment[], width: number, separatorWidth: number): StatusSegment[] {
  const kept = [...segments];
  const total = () => kept.reduce((w, s, i) => w + textWidth(s.text) + (i > 0 ? separatorWidth : 0), 0);
  while (kept.length > 1 && total() > width) {
    let drop = 0;
    kept.forEach((s, i) => {
      if (s.priority >= (kept[drop]?.priority ?? -Infinity)) drop = i;
    });
    kept.splice(drop, 1);
  }
  return kept;
}

export interface StatusBarProps {
  width: number;
  user?: string;
  project?: string;
  role?: string;
  connection: ConnectionState;
  /** commands waiting to reach the server */
  queued?: number;
  /** commands the server refused, waiting for the user */
  rejected?: number;
  /** right-hand hint such as '? help  : commands' */
  hint?: string;
  extra?: readonly StatusSegment[];
}

export function StatusBar(props: StatusBarProps): ReactNode {
  const { glyph } = useTheme();
  const { width, user, project, role, connection, queued = 0, rejected = 0, hint, extra = [] } = props;
  const segments: StatusSegment[] = [];
  if (user) segments.push({ text: user, tone: 'title', priority: 2 });
  if (project) segments.push({ text: project, priority: 2 });
  if (role) segments.push({ text: role, tone: 'muted', priority: 3 });
  segments.push(connectionSegment(connection, glyph));
  if (queued > 0) segments.push({ text: `${glyph.queued} ${queued} queued`, tone: 'pending', priority: 1 });
  if (rejected > 0) segments.push({ text: `${glyph.error} ${rejected} rejected`, tone: 'danger', priority: 0 });
  segments.push(...extra);
  const separator = ` ${glyph.separator} `;
  const hintWidth = hint ? textWidth(hint) + 2 : 0;
  const room = width - 1 - (hintWidth > 0 && width - hintWidth >= 40 ? hintWidth : 0);
  const kept = fitSegments(segments, room, textWidth(separator));
  const spans: Span[] = [{ text: ' ' }];
  kept.forEach((s, i) => {
    if (i > 0) spans.push({ text: separator, tone: 'muted' });
    spans.push(s.tone ? { text: s.text, tone: s.tone } : { text: s.text });
  });
  const used = spans.reduce((w, s) => w + textWidth(s.text), 0);
  if (hint && room < width - 1 && used + hintWidth <= width) {
    spans.push({ text: ' '.repeat(width - used - textWidth(hint) - 1) }, { text: hint, tone: 'muted' }, { text: ' ' });
  }
  return <LineText line={spans} width={width} />;
}
