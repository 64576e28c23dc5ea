import type { Line, Span } from './line.ts';
import { fit, textWidth } from './text.ts';
import type { Tone } from './theme.ts';

export interface Column<Row> {
  id: string;
  title: string;
  value: (row: Row) => string;
  tone?: (row: Row) => Tone | undefined;
  /** cells the column needs to be worth showing; defaults to the title's width */
  minWidth?: number;
  maxWidth?: number;
  /** share of the spare width it takes; 0 keeps it at minWidth */
  grow?: number;
  /** lower numbers are kept longer as the terminal narrows; 0 is never dropped */
  priority?: number;
  align?: 'left' | 'right';
  /** shown only in wide mode */
  wideOnly?: boolean;
}

export interface FittedColumn<Row> {
  column: Column<Row>;
  width: number;
}

export interface FitOptions {
  wide?: boolean;
  gap?: number;
}

function minOf<Row>(column: Column<Row>): number {
  return Math.max(1, column.minWidth ?? textWidth(column.title));
}

/**
 * Chooses the columns that fit `width` by priority (dropping the least
 * important first) and shares the spare width among growing columns;
 * the result keeps the table's column order.
 */
export function fitColumns<Row>(columns: readonly Column<Row>[], width: number, options: FitOptions = {}): FittedColumn<Row>[] {
  const gap = options.gap ?? 1;
  const candidates = columns
    .map((column, order) => ({ column, order }))
    .filter(({ column }) => options.wide || !column.wideOnly)
    .sort((a, b) => (a.column.priority ?? 1) - (b.column.priority ?? 1) || a.order - b.order);
  const chosen: { column: Column<Row>; order: number; width: number }[] = [];
  let used = 0;
  for (const { column, order } of candidates) {
    const need = minOf(column) + (chosen.length > 0 ? gap : 0);
    if (used + need > width) {
      if (chosen.length === 0) chosen.push({ column, order, width: Math.max(0, width) });
      break;
    }
    chosen.push({ column, order, width: minOf(column) });
    used += need;
  }
  let spare = Math.max(0, width - used);
  // hand out spare cells one share at a time so caps are respected exactly
  let growing = chosen.filter((c) => (c.column.grow ?? 0) > 0);
  while (spare > 0 && growing.length > 0) {
    const shares = growing.reduce((s, c) => s + (c.column.grow ?? 0), 0);
    let given = 0;
    for (const c of growing) {
      const cap = c.column.maxWidth ?? Infinity;
      const portion = Math.min(cap - c.width, Math.max(1, Math.floor((spare * (c.column.grow ?? 0)) / shares)));
      const take = Math.min(portion, spare - given);
      c.width += take;
      given += take;
      if (given >= spare) break;
    }
    spare -= given;
    growing = growing.filter((c) => c.width < (c.column.maxWidth ?? Infinity));
    if (given === 0) break;
  }
  return chosen.sort((a, b) => a.order - b.order).map(({ column, width: w }) => ({ column, width: w }));
}

export function rowLine<Row>(fitted: readonly FittedColumn<Row>[], row: Row, gap = 1): Line {
  const spans: Span[] = [];
  fitted.forEach(({ column, width }, i) => {
    if (i > 0) spans.push({ text: ' '.repeat(gap) });
    const tone = column.tone?.(row);
    const text = fit(column.value(row), width, column.align ?? 'left');
    spans.push(tone ? { text, tone } : { text });
  });
  return spans;
}

export function headerLine<Row>(fitted: readonly FittedColumn<Row>[], gap = 1): string {
  return fitted.map(({ column, width }) => fit(column.title, width, column.align ?? 'left')).join(' '.repeat(gap));
}
