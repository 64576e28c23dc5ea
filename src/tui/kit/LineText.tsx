import { Text } from 'ink';
import type { ReactNode } from 'react';
import { fitLine, type Line } from './line.ts';
import { useTheme, type Tone } from './theme.ts';

export interface LineTextProps {
  line: Line;
  width: number;
  /** style of the whole line, under the spans' own tones */
  tone?: Tone;
  /** pad to the full width (for highlighted rows) */
  pad?: boolean;
}

/** one line, never wrapped: sanitised, truncated with an ellipsis */
export function LineText({ line, width, tone, pad = false }: LineTextProps): ReactNode {
  const theme = useTheme();
  const spans = fitLine(line, width, pad);
  return (
    <Text wrap="truncate-end" {...(tone ? theme.style(tone) : {})}>
      {spans.map((span, i) =>
        span.tone ? (
          <Text key={i} {...theme.style(span.tone)}>
            {span.text}
          </Text>
        ) : (
          span.text
        ),
      )}
    </Text>
  );
}
