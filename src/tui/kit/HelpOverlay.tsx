import { Box } from 'ink';
import { useState, type ReactNode } from 'react';
import { helpSections, type CommandTable } from './commands.ts';
import { keyNameOf } from './keys.ts';
import type { Line } from './line.ts';
import { LineText } from './LineText.tsx';
import { fit, textWidth } from './text.ts';
import { useTheme } from './theme.ts';
import { useKeyInput } from './use-key-input.ts';

export interface HelpOverlayProps<Ctx, Id extends string> {
  table: CommandTable<Ctx, Id>;
  /** when given, commands unavailable in it are marked */
  ctx?: Ctx;
  width: number;
  /** total lines, title and footer included */
  height: number;
  title?: string;
  onClose: () => void;
  isActive?: boolean;
}

/** every line of the help for a table, as shown by HelpOverlay */
export function helpLines<Ctx, Id extends string>(table: CommandTable<Ctx, Id>, width: number, ctx?: Ctx): Line[] {
  const sections = helpSections(table, ctx);
  const rows = sections.flatMap((s) => s.rows);
  const keysWidth = Math.min(16, Math.max(4, ...rows.map((r) => textWidth(r.keys))));
  const labelWidth = Math.min(20, Math.max(6, ...rows.map((r) => textWidth(r.label))));
  const lines: Line[] = [];
  sections.forEach((section, i) => {
    if (i > 0) lines.push('');
    lines.push([{ text: section.group, tone: 'header' }]);
    for (const row of section.rows) {
      const help = row.available ? row.help : `${row.help} (unavailable here)`;
      lines.push([
        { text: '  ' },
        { text: fit(row.keys, keysWidth), tone: row.available ? 'key' : 'muted' },
        { text: '  ' },
        { text: fit(row.label, labelWidth), ...(row.available ? {} : { tone: 'muted' as const }) },
        { text: '  ' },
        { text: help, ...(row.available ? {} : { tone: 'muted' as const }) },
        ...(row.palette && width >= 100 ? [{ text: `  ${row.palette}`, tone: 'muted' as const }] : []),
      ]);
    }
  });
  return lines;
}

/** the ? overlay: generated from the command table, scrollable with j/k, closed with Esc, ? or q */
export function HelpOverlay<Ctx, Id extends string>(props: HelpOverlayProps<Ctx, Id>): ReactNode {
  const { table, ctx, width, height, onClose, isActive = true } = props;
  const { glyph } = useTheme();
  const lines = helpLines(table, width, ctx);
  const body = Math.max(1, height - 2);
  const maxTop = Math.max(0, lines.length - body);
  const [top, setTop] = useState(0);
  const first = Math.min(top, maxTop);

  useKeyInput(
    (input, key) => {
      const name = keyNameOf(input, key);
      const scroll = (delta: number) => setTop((t) => Math.max(0, Math.min(maxTop, Math.min(t, maxTop) + delta)));
      switch (name) {
        case 'esc':
        case '?':
        case 'q':
          return onClose();
        case 'j':
        case 'down':
          return scroll(1);
        case 'k':
        case 'up':
          return scroll(-1);
        case 'pgdn':
        case 'space':
        case 'ctrl-d':
          return scroll(body);
        case 'pgup':
        case 'ctrl-u':
          return scroll(-body);
        case 'g':
        case 'home':
          return setTop(0);
        case 'G':
        case 'end':
          return setTop(maxTop);
      }
    },
    { isActive },
  );

  const visible = lines.slice(first, first + body);
  const more = lines.length > body;
  const position = more ? `${first + 1}–${first + visible.length} of ${lines.length} · j/k scroll · ` : '';
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <LineText line={[{ text: `${glyph.info} ${props.title ?? 'Keys'}`, tone: 'title' }]} width={width} />
      {visible.map((line, i) => (
        <LineText key={first + i} line={line} width={width} />
      ))}
      {Array.from({ length: body - visible.length }, (_, i) => (
        <LineText key={`pad${i}`} line=" " width={width} />
      ))}
      <LineText line={[{ text: `${position}Esc closes`, tone: 'muted' }]} width={width} />
    </Box>
  );
}
