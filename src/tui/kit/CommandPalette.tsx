import { Box } from 'ink';
import { useState, type ReactNode } from 'react';
import type { CommandTable } from './commands.ts';
import { keyNameOf } from './keys.ts';
import type { Span } from './line.ts';
import { LineText } from './LineText.tsx';
import {
  acceptCandidate,
  completePalette,
  parsePalette,
  type PaletteCompletion,
} from './palette.ts';
import { commonPrefix, fit, textWidth } from './text.ts';
import { useTheme } from './theme.ts';
import { editForKey, inputSpans } from './TextField.tsx';
import type { EditState } from './text-edit.ts';
import { useKeyInput } from './use-key-input.ts';

export interface CommandPaletteProps<Ctx, Id extends string> {
  table: CommandTable<Ctx, Id>;
  ctx: Ctx;
  width: number;
  onRun: (id: Id, args: readonly string[]) => void;
  onCancel: () => void;
  /** suggestion lines shown under the input (default 5) */
  suggestions?: number;
  initial?: string;
  isActive?: boolean;
}

interface Cycle {
  base: string;
  completion: PaletteCompletion;
  index: number;
}

interface Notice {
  kind: 'warn' | 'error';
  text: string;
}

/** lines the palette occupies for a given `suggestions` count */
export function paletteHeight(suggestions = 5): number {
  return suggestions + 2;
}

/**
 * The : prompt. Typing filters the commands; Tab completes the word at the
 * end (a unique match, else the common prefix, else it cycles through the
 * matches; Shift-Tab and ↑/↓ cycle too), Enter runs, Esc closes. A line that
 * does not parse stays open with the reason under it.
 */
export function CommandPalette<Ctx, Id extends string>(props: CommandPaletteProps<Ctx, Id>): ReactNode {
  const { table, ctx, width, onRun, onCancel, isActive = true } = props;
  const shown = props.suggestions ?? 5;
  const theme = useTheme();
  const [edit, setEdit] = useState<EditState>(() => ({ value: props.initial ?? '', caret: [...(props.initial ?? '')].length }));
  const [cycle, setCycle] = useState<Cycle | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const atEnd = (value: string): EditState => ({ value, caret: [...value].length });

  const complete = (delta: 1 | -1) => {
    if (cycle) {
      const n = cycle.completion.candidates.length;
      const index = (cycle.index + delta + n) % n;
      const candidate = cycle.completion.candidates[index];
      if (!candidate) return;
      setCycle({ ...cycle, index });
      setEdit(atEnd(acceptCandidate(cycle.base, cycle.completion, { ...candidate, more: false })));
      return;
    }
    const completion = completePalette(table, edit.value, ctx);
    const { candidates } = completion;
    const [only] = candidates;
    if (!only) {
      setNotice({ kind: 'warn', text: completion.command ? 'Nothing to complete here' : 'No command starts with that' });
      return;
    }
    setNotice(null);
    if (candidates.length === 1) {
      setEdit(atEnd(acceptCandidate(edit.value, completion, only)));
      return;
    }
    const prefix = commonPrefix(candidates.map((c) => c.value));
    if (prefix.length > completion.prefix.length && candidates.every((c) => c.value.toLowerCase().startsWith(prefix.toLowerCase()))) {
      setEdit(atEnd(acceptCandidate(edit.value, completion, { ...only, value: prefix, more: false })));
      return;
    }
    const index = delta === 1 ? 0 : candidates.length - 1;
    const candidate = candidates[index] ?? only;
    setCycle({ base: edit.value, completion, index });
    setEdit(atEnd(acceptCandidate(edit.value, completion, { ...candidate, more: false })));
  };

  useKeyInput(
    (input, key) => {
      const name = keyNameOf(input, key);
      if (name === 'esc') return onCancel();
      if (name === 'enter') {
        const result = parsePalette(table, edit.value, ctx);
        if (result.success) return onRun(result.data.id, result.data.args);
        setCycle(null);
        return setNotice({ kind: 'error', text: result.error.message });
      }
      if (name === 'tab' || name === 'down') return complete(1);
      if (name === 'shift-tab' || name === 'up') return complete(-1);
      const next = editForKey(edit, input, key);
      if (!next) return;
      setEdit(next);
      setCycle(null);
      setNotice(null);
    },
    { isActive },
  );

  const completion = cycle?.completion ?? completePalette(table, edit.value, ctx);
  const selected = cycle?.index ?? -1;
  const candidates = completion.candidates;
  const start = selected >= shown ? selected - shown + 1 : 0;
  const window = candidates.slice(start, start + shown);
  const displayWidth = Math.min(28, Math.max(8, ...window.map((c) => textWidth(c.display))));

  const input: Span[] = [{ text: ':', tone: 'accent' }, ...inputSpans(edit, width - 1, { focused: isActive, theme })];
  let status: Span[];
  if (notice) {
    status = [{ text: `${notice.kind === 'error' ? theme.glyph.error : theme.glyph.warn} ${notice.text}`, tone: notice.kind === 'error' ? 'danger' : 'warn' }];
  } else if (completion.command) {
    status = [{ text: `${completion.command.usage} — ${completion.command.help}`, tone: 'muted' }];
  } else {
    status = [{ text: 'Tab completes · Enter runs · Esc closes', tone: 'muted' }];
  }
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={input} width={width} />
      {Array.from({ length: shown }, (_, i) => {
        const candidate = window[i];
        if (!candidate) return <LineText key={i} line=" " width={width} />;
        const isSelected = start + i === selected;
        const line: Span[] = [
          { text: `${isSelected ? theme.glyph.cursor : ' '} ` },
          { text: fit(candidate.display, displayWidth), tone: 'key' },
          { text: `  ${candidate.detail}`, tone: 'muted' },
        ];
        return isSelected ? (
          <LineText key={i} line={line} width={width} tone="cursor" pad />
        ) : (
          <LineText key={i} line={line} width={width} />
        );
      })}
      <LineText line={status} width={width} />
    </Box>
  );
}
