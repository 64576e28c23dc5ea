import type { CommandSpec } from './commands.ts';

// a cursor over a windowed list: every move is O(1) whatever the row count;
// only search scans rows, and only when asked to

export interface ListGeometry {
  /** rows in the list (all of them, loaded or not) */
  count: number;
  /** rows visible at once */
  height: number;
}

export type SearchOutcome = 'found' | 'wrapped' | 'not_found';

export interface ListState {
  cursor: number;
  /** first visible row */
  offset: number;
  /** keys of marked rows */
  marks: ReadonlySet<string>;
  /** a search prompt is open */
  searching: boolean;
  search: { query: string; outcome: SearchOutcome } | null;
}

export type ListAction =
  | { type: 'down' }
  | { type: 'up' }
  | { type: 'top' }
  | { type: 'bottom' }
  | { type: 'page_down' }
  | { type: 'page_up' }
  | { type: 'half_down' }
  | { type: 'half_up' }
  | { type: 'move_to'; index: number }
  | { type: 'toggle_mark' }
  | { type: 'clear_marks' }
  | { type: 'start_search' }
  | { type: 'cancel_search' }
  | { type: 'search'; query: string }
  | { type: 'search_next' }
  | { type: 'search_prev' };

export interface ListEnv extends ListGeometry {
  /** stable identity of a row, so marks survive reloads; defaults to the index */
  keyAt?: (index: number) => string;
  /** does row `index` match `query`; rows not loaded yet should answer false */
  matches?: (index: number, query: string) => boolean;
}

export function initialListState(cursor = 0): ListState {
  return { cursor, offset: 0, marks: new Set(), searching: false, search: null };
}

/** the same state with cursor and offset inside the list and the cursor on screen */
export function clampView<S extends Pick<ListState, 'cursor' | 'offset'>>(state: S, geometry: ListGeometry): S {
  const height = Math.max(1, geometry.height);
  const last = Math.max(0, geometry.count - 1);
  const cursor = Math.min(Math.max(0, state.cursor), last);
  let offset = Math.min(Math.max(0, state.offset), Math.max(0, geometry.count - height));
  if (cursor < offset) offset = cursor;
  if (cursor >= offset + height) offset = cursor - height + 1;
  if (cursor === state.cursor && offset === state.offset) return state;
  return { ...state, cursor, offset };
}

function scroll(state: ListState, env: ListGeometry, delta: number): ListState {
  // the view and the cursor move together, as in less and vim
  return clampView({ ...state, cursor: state.cursor + delta, offset: state.offset + delta }, env);
}

export interface Match {
  index: number;
  wrapped: boolean;
}

/** next row matching after (or before) `from`, wrapping around; O(count) */
export function findMatch(
  count: number,
  from: number,
  direction: 1 | -1,
  matches: (index: number) => boolean,
  includeFrom = false,
): Match | null {
  if (count <= 0) return null;
  const start = includeFrom ? 0 : 1;
  for (let step = start; step < count + start; step++) {
    const raw = from + direction * step;
    const index = ((raw % count) + count) % count;
    if (matches(index)) return { index, wrapped: direction === 1 ? raw >= count : raw < 0 };
  }
  return null;
}

function jumpToMatch(state: ListState, env: ListEnv, query: string, direction: 1 | -1, includeFrom: boolean): ListState {
  const { matches } = env;
  const found = matches && query !== '' ? findMatch(env.count, state.cursor, direction, (i) => matches(i, query), includeFrom) : null;
  if (!found) return { ...state, searching: false, search: { query, outcome: 'not_found' } };
  const moved = clampView({ ...state, cursor: found.index }, env);
  return { ...moved, searching: false, search: { query, outcome: found.wrapped ? 'wrapped' : 'found' } };
}

export function reduceList(state: ListState, action: ListAction, env: ListEnv): ListState {
  const page = Math.max(1, env.height);
  const half = Math.max(1, Math.floor(env.height / 2));
  switch (action.type) {
    case 'down':
      return clampView({ ...state, cursor: state.cursor + 1 }, env);
    case 'up':
      return clampView({ ...state, cursor: state.cursor - 1 }, env);
    case 'top':
      return clampView({ ...state, cursor: 0, offset: 0 }, env);
    case 'bottom':
      return clampView({ ...state, cursor: env.count - 1, offset: env.count }, env);
    case 'page_down':
      return scroll(state, env, page);
    case 'page_up':
      return scroll(state, env, -page);
    case 'half_down':
      return scroll(state, env, half);
    case 'half_up':
      return scroll(state, env, -half);
    case 'move_to':
      return clampView({ ...state, cursor: action.index }, env);
    case 'toggle_mark': {
      if (env.count === 0) return state;
      const key = env.keyAt ? env.keyAt(state.cursor) : String(state.cursor);
      const marks = new Set(state.marks);
      if (marks.has(key)) marks.delete(key);
      else marks.add(key);
      // marking advances, so Space Space Space marks a run of rows
      return clampView({ ...state, marks, cursor: state.cursor + 1 }, env);
    }
    case 'clear_marks':
      return state.marks.size === 0 ? state : { ...state, marks: new Set() };
    case 'start_search':
      return { ...state, searching: true };
    case 'cancel_search':
      return { ...state, searching: false };
    case 'search':
      return jumpToMatch(state, env, action.query, 1, true);
    case 'search_next':
    case 'search_prev': {
      if (!state.search) return state;
      return jumpToMatch(state, env, state.search.query, action.type === 'search_next' ? 1 : -1, false);
    }
  }
}

export type ListCommandId =
  | 'list.down'
  | 'list.up'
  | 'list.top'
  | 'list.bottom'
  | 'list.page_down'
  | 'list.page_up'
  | 'list.half_down'
  | 'list.half_up'
  | 'list.mark'
  | 'list.clear_marks'
  | 'list.search'
  | 'list.search_next'
  | 'list.search_prev';

const LIST_ACTIONS: Record<ListCommandId, ListAction['type']> = {
  'list.down': 'down',
  'list.up': 'up',
  'list.top': 'top',
  'list.bottom': 'bottom',
  'list.page_down': 'page_down',
  'list.page_up': 'page_up',
  'list.half_down': 'half_down',
  'list.half_up': 'half_up',
  'list.mark': 'toggle_mark',
  'list.clear_marks': 'clear_marks',
  'list.search': 'start_search',
  'list.search_next': 'search_next',
  'list.search_prev': 'search_prev',
};

/** the list action a command id stands for, or null when it is not a list command */
export function listActionFor(id: string, args: readonly string[] = []): ListAction | null {
  if (!(id in LIST_ACTIONS)) return null;
  const type = LIST_ACTIONS[id as ListCommandId];
  if (type === 'start_search' && args.length > 0) return { type: 'search', query: args.join(' ') };
  return { type } as ListAction;
}

export interface ListCommandOptions {
  marks?: boolean;
  search?: boolean;
  /** help section; defaults per kind of command */
  group?: string;
}

/** the conventional list bindings, to spread into a screen's command table */
export function listNavigationCommands(options: ListCommandOptions = {}): CommandSpec<unknown, ListCommandId>[] {
  const nav = options.group ?? 'Navigation';
  const commands: CommandSpec<unknown, ListCommandId>[] = [
    { id: 'list.down', keys: ['j', 'down'], label: 'Down', help: 'Move to the next row', group: nav },
    { id: 'list.up', keys: ['k', 'up'], label: 'Up', help: 'Move to the previous row', group: nav },
    { id: 'list.top', keys: ['g', 'home'], label: 'Top', help: 'Jump to the first row', group: nav, palette: { name: 'top' } },
    { id: 'list.bottom', keys: ['G', 'end'], label: 'Bottom', help: 'Jump to the last row', group: nav, palette: { name: 'bottom' } },
    { id: 'list.page_down', keys: ['pgdn'], label: 'Page down', help: 'Scroll one page down', group: nav },
    { id: 'list.page_up', keys: ['pgup'], label: 'Page up', help: 'Scroll one page up', group: nav },
    { id: 'list.half_down', keys: ['ctrl-d'], label: 'Half page down', help: 'Scroll half a page down', group: nav },
    { id: 'list.half_up', keys: ['ctrl-u'], label: 'Half page up', help: 'Scroll half a page up', group: nav },
  ];
  if (options.marks !== false) {
    const group = options.group ?? 'Selection';
    commands.push(
      { id: 'list.mark', keys: ['space'], label: 'Mark', help: 'Mark or unmark the row and move down', group },
      { id: 'list.clear_marks', keys: [], label: 'Clear marks', help: 'Unmark every row', group, palette: { name: 'unmark' } },
    );
  }
  if (options.search !== false) {
    const group = options.group ?? 'Search';
    commands.push(
      {
        id: 'list.search',
        keys: ['/'],
        label: 'Search',
        help: 'Search forward; Enter jumps to the first match',
        group,
        palette: { name: 'search', args: [{ name: 'text', rest: true, free: true }] },
      },
      { id: 'list.search_next', keys: ['n'], label: 'Next match', help: 'Next match, wrapping at the end', group },
      { id: 'list.search_prev', keys: ['N'], label: 'Previous match', help: 'Previous match, wrapping at the start', group },
    );
  }
  return commands;
}
