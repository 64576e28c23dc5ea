// single-line editing on code points, shared by TextField and the palette; pure

export interface EditState {
  value: string;
  /** caret position in code points */
  caret: number;
}

export type EditKey =
  | { type: 'insert'; text: string }
  | { type: 'backspace' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'kill_start' }
  | { type: 'kill_end' }
  | { type: 'kill_word' };

export function editText(state: EditState, key: EditKey): EditState {
  const chars = [...state.value];
  const caret = Math.min(Math.max(0, state.caret), chars.length);
  const join = (left: string[], right: string[], at: number): EditState => ({ value: [...left, ...right].join(''), caret: at });
  switch (key.type) {
    case 'insert': {
      const add = [...key.text];
      return join([...chars.slice(0, caret), ...add], chars.slice(caret), caret + add.length);
    }
    case 'backspace':
      return caret === 0 ? { ...state, caret } : join(chars.slice(0, caret - 1), chars.slice(caret), caret - 1);
    case 'left':
      return { ...state, caret: Math.max(0, caret - 1) };
    case 'right':
      return { ...state, caret: Math.min(chars.length, caret + 1) };
    case 'home':
      return { ...state, caret: 0 };
    case 'end':
      return { ...state, caret: chars.length };
    case 'kill_start':
      return join([], chars.slice(caret), 0);
    case 'kill_end':
      return join(chars.slice(0, caret), [], caret);
    case 'kill_word': {
      let start = caret;
      while (start > 0 && chars[start - 1] === ' ') start--;
      while (start > 0 && chars[start - 1] !== ' ') start--;
      return join(chars.slice(0, start), chars.slice(caret), start);
    }
  }
}

/** the edit a key name performs, if any (printable text is handled separately) */
export function editKeyFor(name: string | null): EditKey | null {
  switch (name) {
    case 'backspace':
    case 'ctrl-h':
      return { type: 'backspace' };
    case 'left':
    case 'ctrl-b':
      return { type: 'left' };
    case 'right':
    case 'ctrl-f':
      return { type: 'right' };
    case 'home':
    case 'ctrl-a':
      return { type: 'home' };
    case 'end':
    case 'ctrl-e':
      return { type: 'end' };
    case 'ctrl-u':
      return { type: 'kill_start' };
    case 'ctrl-k':
      return { type: 'kill_end' };
    case 'ctrl-w':
      return { type: 'kill_word' };
    default:
      return null;
  }
}
