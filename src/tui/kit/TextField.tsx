import { Box, type Key } from 'ink';
import { useState, type ReactNode } from 'react';
import { insertableText, keyNameOf } from './keys.ts';
import type { Span } from './line.ts';
import { LineText } from './LineText.tsx';
import { charWidth, padEnd, sanitize, textWidth } from './text.ts';
import { editKeyFor, editText, type EditState } from './text-edit.ts';
import { useTheme, type Theme } from './theme.ts';
import { useKeyInput } from './use-key-input.ts';

/** the spans of an input with its caret kept in view */
export function inputSpans(
  state: EditState,
  width: number,
  options: { focused: boolean; theme: Theme; placeholder?: string; mask?: string },
): Span[] {
  const { focused, theme, placeholder, mask } = options;
  const shown = mask ? mask.repeat([...state.value].length) : sanitize(state.value);
  if (shown === '' && placeholder && !focused) return [{ text: placeholder, tone: 'muted' }];
  if (!focused) return [{ text: shown }];
  const chars = [...shown];
  const caret = Math.min(state.caret, chars.length);
  // scroll left just enough that the caret's cell fits
  let start = 0;
  let before = chars.slice(0, caret).reduce((w, c) => w + charWidth(c), 0);
  while (start < caret && before + 1 > width) {
    before -= charWidth(chars[start] ?? '');
    start++;
  }
  const left = chars.slice(start, caret).join('');
  const spans: Span[] = [{ text: left }];
  let room = width - textWidth(left);
  if (theme.color) {
    spans.push({ text: chars[caret] ?? ' ', tone: 'cursor' });
    room -= charWidth(chars[caret] ?? ' ');
    spans.push({ text: takeCells(chars.slice(caret + 1), room) });
  } else {
    // no inverse video without colour support: a caret glyph marks the spot
    spans.push({ text: theme.glyph.caret });
    room -= 1;
    spans.push({ text: takeCells(chars.slice(caret), room) });
  }
  if (shown === '' && placeholder) spans.push({ text: ` ${placeholder}`, tone: 'muted' });
  return spans;
}

function takeCells(chars: readonly string[], room: number): string {
  let out = '';
  let used = 0;
  for (const c of chars) {
    const w = charWidth(c);
    if (used + w > room) break;
    out += c;
    used += w;
  }
  return out;
}

/** the caret follows typing; an outside change of the value puts it at the end */
export function useEditState(value: string): [EditState, (next: EditState) => void] {
  const [own, setOwn] = useState<EditState>({ value, caret: [...value].length });
  const state = own.value === value ? own : { value, caret: [...value].length };
  return [state, setOwn];
}

/** applies a keypress to an edit state; null when the key is not an edit */
export function editForKey(state: EditState, input: string, key: Key): EditState | null {
  const edit = editKeyFor(keyNameOf(input, key));
  if (edit) return editText(state, edit);
  const text = insertableText(input, key);
  return text === '' ? null : editText(state, { type: 'insert', text });
}

export interface TextFieldProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit?: (value: string) => void;
  onCancel?: () => void;
  width: number;
  label?: string;
  labelWidth?: number;
  /** text before the value, e.g. '/' for a search prompt */
  prefix?: string;
  focus?: boolean;
  placeholder?: string;
  /** inline validation message shown under the field */
  error?: string | null;
  /** e.g. '•' for secrets */
  mask?: string;
}

export function TextField(props: TextFieldProps): ReactNode {
  const { value, onChange, onSubmit, onCancel, width, label, prefix = '', focus = true, placeholder, error, mask } = props;
  const theme = useTheme();
  const [state, setState] = useEditState(value);

  useKeyInput(
    (input, key) => {
      const name = keyNameOf(input, key);
      if (name === 'enter') return onSubmit?.(state.value);
      if (name === 'esc') return onCancel?.();
      const next = editForKey(state, input, key);
      if (!next) return;
      setState(next);
      if (next.value !== state.value) onChange(next.value);
    },
    { isActive: focus },
  );

  const labelWidth = label ? (props.labelWidth ?? textWidth(label) + 2) : 0;
  const labelText = label ? padEnd(`${label}:`, labelWidth) : '';
  const fieldWidth = Math.max(1, width - labelWidth - textWidth(prefix));
  const spans: Span[] = [
    ...(label ? [{ text: labelText, ...(focus ? { tone: 'title' as const } : {}) }] : []),
    ...(prefix ? [{ text: prefix, tone: 'accent' as const }] : []),
    ...inputSpans(state, fieldWidth, { focused: focus, theme, ...(placeholder ? { placeholder } : {}), ...(mask ? { mask } : {}) }),
  ];
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={spans} width={width} />
      {error ? (
        <LineText line={[{ text: `${' '.repeat(labelWidth)}${theme.glyph.error} ${error}`, tone: 'danger' }]} width={width} />
      ) : null}
    </Box>
  );
}
