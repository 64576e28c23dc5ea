import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Line } from './line.ts';
import { LineText } from './LineText.tsx';
import { useTheme } from './theme.ts';

export interface WindowedListProps {
  count: number;
  height: number;
  cursor: number;
  offset: number;
  width: number;
  /** row content; undefined while a lazily fetched row is still loading */
  rowAt: (index: number) => Line | undefined;
  isMarked?: (index: number) => boolean;
  /** an unfocused list still shows its cursor glyph, without the highlight */
  focused?: boolean;
  emptyText?: string;
}

/** cells taken by the cursor and mark columns before each row */
export const ROW_GUTTER = 3;

/**
 * Renders rows offset…offset+height-1 only, one line each. The cursor row
 * carries '›' and inverse video, marked rows '*', so neither depends on colour.
 */
export function WindowedList(props: WindowedListProps): ReactNode {
  const { count, height, cursor, offset, width, rowAt, isMarked, focused = true, emptyText = 'Nothing here' } = props;
  const { glyph } = useTheme();
  if (count === 0) {
    return (
      <Box height={Math.max(1, height)} width={width}>
        <LineText line={[{ text: `   ${emptyText}`, tone: 'muted' }]} width={width} />
      </Box>
    );
  }
  const end = Math.min(count, offset + Math.max(1, height));
  const rows: ReactNode[] = [];
  for (let index = offset; index < end; index++) {
    const isCursor = index === cursor;
    const marked = isMarked?.(index) ?? false;
    const gutter = `${isCursor ? glyph.cursor : ' '}${marked ? glyph.mark : ' '} `;
    const line = rowAt(index);
    const body: Line = line === undefined ? [{ text: glyph.ellipsis, tone: 'muted' }] : line;
    const content: Line = [{ text: gutter, ...(marked ? { tone: 'accent' as const } : {}) }, ...(typeof body === 'string' ? [{ text: body }] : body)];
    rows.push(
      isCursor && focused ? (
        <LineText key={index} line={content} width={width} tone="cursor" pad />
      ) : (
        <LineText key={index} line={content} width={width} />
      ),
    );
  }
  return (
    <Box flexDirection="column" width={width} height={Math.max(1, height)} overflow="hidden">
      {rows.length > 0 ? rows : <Text> </Text>}
    </Box>
  );
}
