import type { Tone } from './theme.ts';
import { charWidth, sanitize, textWidth, ELLIPSIS } from './text.ts';

/** a run of text in one tone */
export interface Span {
  text: string;
  tone?: Tone;
}

/** one terminal line: plain text or toned spans */
export type Line = string | readonly Span[];

export function spansOf(line: Line): readonly Span[] {
  return typeof line === 'string' ? [{ text: line }] : line;
}

export function lineWidth(line: Line): number {
  return spansOf(line).reduce((w, span) => w + textWidth(span.text), 0);
}

/**
 * Sanitised and cut to `width` cells with an ellipsis, never wrapping;
 * `pad` fills the rest with spaces (a highlighted row then spans the width).
 */
export function fitLine(line: Line, width: number, pad = false): Span[] {
  const spans = spansOf(line).map((s) => ({ ...s, text: sanitize(s.text) }));
  const total = spans.reduce((w, s) => w + textWidth(s.text), 0);
  const out: Span[] = [];
  if (total <= width) {
    out.push(...spans.filter((s) => s.text !== ''));
    if (pad && total < width) out.push({ text: ' '.repeat(width - total) });
    return out;
  }
  const room = width - textWidth(ELLIPSIS);
  let used = 0;
  let lastTone: Tone | undefined;
  for (const span of spans) {
    let text = '';
    for (const char of span.text) {
      const w = charWidth(char);
      if (used + w > room) break;
      text += char;
      used += w;
    }
    if (text !== '') out.push(span.tone ? { text, tone: span.tone } : { text });
    lastTone = span.tone;
    if (used >= room || text.length < span.text.length) break;
  }
  if (width > 0) out.push(lastTone ? { text: ELLIPSIS, tone: lastTone } : { text: ELLIPSIS });
  if (pad && used + 1 < width) out.push({ text: ' '.repeat(width - used - 1) });
  return out;
}

export function lineText(line: Line): string {
  return spansOf(line)
    .map((s) => s.text)
    .join('');
}
