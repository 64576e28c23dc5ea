import { Box } from 'ink';
import { useMemo, type ReactNode } from 'react';
import { fitColumns, headerLine, rowLine, type Column } from './columns.ts';
import { LineText } from './LineText.tsx';
import { ROW_GUTTER, WindowedList } from './WindowedList.tsx';

export interface TableProps<Row> {
  columns: readonly Column<Row>[];
  rowAt: (index: number) => Row | undefined;
  count: number;
  /** visible data rows (the list's page size); the header adds one line */
  height: number;
  cursor: number;
  offset: number;
  width: number;
  wide?: boolean;
  isMarked?: (index: number) => boolean;
  focused?: boolean;
  emptyText?: string;
}

/** a windowed table: a header line, then only the visible rows */
export function Table<Row>(props: TableProps<Row>): ReactNode {
  const { columns, rowAt, width, wide = false, ...list } = props;
  const fitted = useMemo(() => fitColumns(columns, width - ROW_GUTTER, { wide }), [columns, width, wide]);
  const lineAt = (index: number) => {
    const row = rowAt(index);
    return row === undefined ? undefined : rowLine(fitted, row);
  };
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={[{ text: ' '.repeat(ROW_GUTTER) + headerLine(fitted), tone: 'header' }]} width={width} />
      <WindowedList {...list} width={width} rowAt={lineAt} />
    </Box>
  );
}
