import { Box } from 'ink';
import type { ReactNode } from 'react';
import { LineText } from './LineText.tsx';
import { useTerminalSize } from './use-terminal-size.ts';

export interface BodySize {
  width: number;
  height: number;
}

type Slot = ReactNode | ((body: BodySize) => ReactNode);

export interface ScreenProps {
  /** a string becomes a one-line title */
  header?: ReactNode;
  /** lines the header takes (default 1 when there is one) */
  headerLines?: number;
  footer?: ReactNode;
  /** lines the footer takes (default 1 when there is one) */
  footerLines?: number;
  /** replaces the body while open (help, palette, dialogs); header and footer stay */
  overlay?: Slot;
  children: Slot;
  minColumns?: number;
  minRows?: number;
}

/**
 * The live frame is at most rows-1 lines: Ink 6 clears the whole terminal
 * and redraws from scratch whenever the previous frame was as tall as the
 * terminal (ink.js onRender, `lastOutputHeight >= rows`), which flickers over
 * SSH; one spare line keeps it on the incremental path (vadimdemedes/ink#450).
 */
export function frameHeight(rows: number): number {
  return Math.max(1, rows - 1);
}

export function Screen(props: ScreenProps): ReactNode {
  const { columns, rows } = useTerminalSize();
  const { header, footer, overlay, children, minColumns = 40, minRows = 8 } = props;
  const height = frameHeight(rows);
  if (columns < minColumns || rows < minRows) {
    return (
      <LineText line={`Terminal too small (${columns}×${rows}); needs at least ${minColumns}×${minRows}.`} width={columns} />
    );
  }
  const headerLines = header === undefined ? 0 : (props.headerLines ?? 1);
  const footerLines = footer === undefined ? 0 : (props.footerLines ?? 1);
  const body: BodySize = { width: columns, height: Math.max(1, height - headerLines - footerLines) };
  const slot = overlay ?? children;
  return (
    <Box flexDirection="column" width={columns} height={height} overflow="hidden">
      {header === undefined ? null : (
        <Box height={headerLines} flexShrink={0} overflow="hidden">
          {typeof header === 'string' ? <LineText line={[{ text: header, tone: 'title' }]} width={columns} /> : header}
        </Box>
      )}
      <Box flexDirection="column" height={body.height} flexShrink={0} overflow="hidden">
        {typeof slot === 'function' ? slot(body) : slot}
      </Box>
      {footer === undefined ? null : (
        <Box flexDirection="column" height={footerLines} flexShrink={0} overflow="hidden">
          {footer}
        </Box>
      )}
    </Box>
  );
}
