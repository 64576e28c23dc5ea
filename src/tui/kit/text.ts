// terminal cell widths, truncation and sanitising; pure

const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf}|[\u{FE00}-\u{FE0F}])$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;

// east asian wide and fullwidth ranges that matter in practice
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x20000, 0x3fffd],
];

export function charWidth(char: string): number {
  const cp = char.codePointAt(0);
  if (cp === undefined) return 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  for (const [lo, hi] of WIDE_RANGES) if (cp >= lo && cp <= hi) return 2;
  if (cp >= 0x1f000 && EMOJI.test(char)) return 2;
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

// control characters (ESC above all) in data must never reach the terminal:
// a stored description could otherwise move the cursor or recolour the screen,
// and a newline would break the one-line-per-row layout
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function sanitize(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : '\uFFFD'));
}

export const ELLIPSIS = '…';

/** cut to at most `width` cells, ending in an ellipsis when something was cut */
export function truncate(text: string, width: number, ellipsis: string = ELLIPSIS): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  const room = width - textWidth(ellipsis);
  if (room < 0) return ellipsis.slice(0, width);
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > room) break;
    out += char;
    used += w;
  }
  return out + ellipsis;
}

export function padEnd(text: string, width: number): string {
  const w = textWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}

export function padStart(text: string, width: number): string {
  const w = textWidth(text);
  return w >= width ? text : ' '.repeat(width - w) + text;
}

/** exactly `width` cells: truncated or padded */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  return align === 'right' ? padStart(cut, width) : padEnd(cut, width);
}

/** the last `width` cells of text (for inputs longer than their field) */
export function tail(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const chars = [...text];
  let out = '';
  let used = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const char = chars[i] ?? '';
    const w = charWidth(char);
    if (used + w > width) break;
    out = char + out;
    used += w;
  }
  return out;
}

export function commonPrefix(values: readonly string[]): string {
  const [first, ...rest] = values;
  if (first === undefined) return '';
  let end = first.length;
  for (const value of rest) {
    let i = 0;
    while (i < end && i < value.length && value[i]?.toLowerCase() === first[i]?.toLowerCase()) i++;
    end = i;
  }
  return first.slice(0, end);
}

/** edit distance, for "did you mean" suggestions */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
