import { Box } from 'ink';
import type { ReactNode } from 'react';
import { keyNameOf } from './keys.ts';
import type { Span } from './line.ts';
import { LineText } from './LineText.tsx';
import { padEnd, textWidth } from './text.ts';
import { useTheme } from './theme.ts';
import { useKeyInput } from './use-key-input.ts';

export interface SelectOption<V> {
  value: V;
  label: string;
}

export interface SelectFieldProps<V> {
  options: readonly SelectOption<V>[];
  value: V;
  onChange: (value: V) => void;
  onSubmit?: (value: V) => void;
  onCancel?: () => void;
  width: number;
  label?: string;
  labelWidth?: number;
  focus?: boolean;
  error?: string | null;
}

/** one choice out of a few; ←/→ and Space cycle, a letter jumps to the next option starting with it */
export function SelectField<V>(props: SelectFieldProps<V>): ReactNode {
  const { options, value, onChange, onSubmit, onCancel, width, label, focus = true, error } = props;
  const { glyph } = useTheme();
  const index = Math.max(0, options.findIndex((o) => Object.is(o.value, value)));

  useKeyInput(
    (input, key) => {
      const name = keyNameOf(input, key);
      const step = (delta: number) => {
        const next = options[(index + delta + options.length) % options.length];
        if (next && options.length > 1) onChange(next.value);
      };
      if (name === 'right' || name === 'space') return step(1);
      if (name === 'left') return step(-1);
      if (name === 'enter') return onSubmit?.(options[index]?.value ?? value);
      if (name === 'esc') return onCancel?.();
      if (name && [...name].length === 1) {
        const lower = name.toLowerCase();
        const order = [...options.slice(index + 1), ...options.slice(0, index + 1)];
        const hit = order.find((o) => o.label.toLowerCase().startsWith(lower));
        if (hit) onChange(hit.value);
      }
    },
    { isActive: focus },
  );

  const labelWidth = label ? (props.labelWidth ?? textWidth(label) + 2) : 0;
  const current = options[index]?.label ?? '';
  const spans: Span[] = [];
  if (label) spans.push({ text: padEnd(`${label}:`, labelWidth), ...(focus ? { tone: 'title' as const } : {}) });
  if (focus) {
    spans.push(
      { text: `${glyph.left} `, tone: 'accent' },
      { text: current, tone: 'cursor' },
      { text: ` ${glyph.right}`, tone: 'accent' },
      { text: `  ${index + 1}/${options.length}`, tone: 'muted' },
    );
  } else {
    spans.push({ text: `  ${current}` });
  }
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={spans} width={width} />
      {error ? (
        <LineText line={[{ text: `${' '.repeat(labelWidth)}${glyph.error} ${error}`, tone: 'danger' }]} width={width} />
      ) : null}
    </Box>
  );
}
