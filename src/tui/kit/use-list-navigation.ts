import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  clampView,
  initialListState,
  listActionFor,
  reduceList,
  type ListAction,
  type ListEnv,
  type ListState,
} from './list-navigation.ts';

export interface ListNavigationOptions extends ListEnv {
  initialCursor?: number;
}

/** what <WindowedList> and <Table> need; spread it into them */
export interface ListView {
  count: number;
  height: number;
  cursor: number;
  offset: number;
  isMarked: (index: number) => boolean;
}

export interface ListNavigation {
  cursor: number;
  offset: number;
  marks: ReadonlySet<string>;
  searching: boolean;
  search: ListState['search'];
  view: ListView;
  isMarked(index: number): boolean;
  dispatch(action: ListAction): void;
  /** runs a list.* command from the table; false when the id is not one */
  handle(id: string, args?: readonly string[]): boolean;
}

/**
 * Cursor, viewport, marks and search over a list of `count` rows of which
 * `height` are visible. Rows are never asked for here: each keypress costs
 * O(1), and the list component asks only for the visible rows.
 */
export function useListNavigation(options: ListNavigationOptions): ListNavigation {
  const [raw, setState] = useState<ListState>(() => initialListState(options.initialCursor ?? 0));
  const env = useRef<ListEnv>(options);
  useLayoutEffect(() => {
    env.current = options;
  });
  // count and height may change under the state (data reloads, resize): clamp on read
  const state = clampView(raw, options);

  const dispatch = useCallback((action: ListAction) => {
    setState((s) => reduceList(clampView(s, env.current), action, env.current));
  }, []);

  const handle = useCallback(
    (id: string, args: readonly string[] = []) => {
      const action = listActionFor(id, args);
      if (!action) return false;
      dispatch(action);
      return true;
    },
    [dispatch],
  );

  const { keyAt } = options;
  const { marks } = state;
  const isMarked = useCallback(
    (index: number) => marks.size > 0 && marks.has(keyAt ? keyAt(index) : String(index)),
    [marks, keyAt],
  );

  const view = useMemo<ListView>(
    () => ({ count: options.count, height: options.height, cursor: state.cursor, offset: state.offset, isMarked }),
    [options.count, options.height, state.cursor, state.offset, isMarked],
  );

  return {
    cursor: state.cursor,
    offset: state.offset,
    marks,
    searching: state.searching,
    search: state.search,
    view,
    isMarked,
    dispatch,
    handle,
  };
}
