import { Box } from 'ink';
import { useCallback, useState, type ReactNode } from 'react';
import { LineText } from './LineText.tsx';
import { textWidth } from './text.ts';
import { useTheme } from './theme.ts';

export interface PaneProps {
  title: string;
  focused: boolean;
  width: number;
  /** total lines including the title line */
  height?: number;
  /** right-aligned in the title line, e.g. '12/480' */
  info?: string;
  children?: ReactNode;
}

/**
 * A titled region. The title rule costs one line instead of a full border
 * (two lines and two columns a pane cannot spare at 80×24); focus shows as
 * '▸' and a bold title as well as colour.
 */
export function Pane({ title, focused, width, height, info, children }: PaneProps): ReactNode {
  const { glyph } = useTheme();
  const head = `${focused ? glyph.focus : glyph.rule} ${title} `;
  const tail = info ? ` ${info} ${glyph.rule}` : '';
  const fill = Math.max(0, width - textWidth(head) - textWidth(tail) - 1);
  return (
    <Box flexDirection="column" width={width} {...(height === undefined ? {} : { height, overflow: 'hidden' as const })}>
      <LineText
        line={[
          { text: glyph.rule },
          { text: head, tone: focused ? 'accent' : 'muted' },
          { text: glyph.rule.repeat(fill) + tail, tone: 'muted' },
        ]}
        width={width}
        tone={focused ? 'title' : 'muted'}
      />
      {children}
    </Box>
  );
}

/** pane ids in Tab order; wraps at both ends */
export function cyclePane<Id extends string>(ids: readonly Id[], current: Id, delta: number): Id {
  const i = ids.indexOf(current);
  return ids[(((i < 0 ? 0 : i) + delta) % ids.length + ids.length) % ids.length] ?? current;
}

export interface PaneFocus<Id extends string> {
  focused: Id;
  isFocused(id: Id): boolean;
  next(): void;
  prev(): void;
  focus(id: Id): void;
}

/** which pane has the keyboard; bind next/prev to Tab/Shift-Tab in the command table */
export function usePaneFocus<Id extends string>(ids: readonly Id[], initial?: Id): PaneFocus<Id> {
  const [focused, setFocused] = useState<Id>(initial ?? (ids[0] as Id));
  const next = useCallback(() => setFocused((f) => cyclePane(ids, f, 1)), [ids]);
  const prev = useCallback(() => setFocused((f) => cyclePane(ids, f, -1)), [ids]);
  return { focused, isFocused: (id) => id === focused, next, prev, focus: setFocused };
}
