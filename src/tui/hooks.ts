import { useEffect, useRef, useState } from 'react';
import type { ListState } from './kit/index.ts';
import { useUi } from './ui.ts';

/**
 * loads `fn` whenever the store version or `deps` change; the previous value
 * stays on screen while the next one loads, so nothing blinks
 */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): { value: T | undefined; loading: boolean; error: Error | null } {
  const { version } = useUi();
  const [state, setState] = useState<{ value: T | undefined; loading: boolean; error: Error | null }>({ value: undefined, loading: true, error: null });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    let live = true;
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    fnRef.current().then(
      (value) => {
        if (live) setState({ value, loading: false, error: null });
      },
      (error: unknown) => {
        if (live) setState((s) => ({ ...s, loading: false, error: error instanceof Error ? error : new Error(String(error)) }));
      },
    );
    return () => {
      live = false;
    };
  }, [version, ...deps]);
  return state;
}

/** says on the message line when a search found nothing or wrapped around */
export function useSearchNotice(search: ListState['search']): void {
  const { notify } = useUi();
  const seen = useRef(search);
  useEffect(() => {
    if (search === seen.current) return;
    seen.current = search;
    if (!search) return;
    if (search.outcome === 'not_found') notify('warn', `Not found: ${search.query}`);
    else if (search.outcome === 'wrapped') notify('info', `Search wrapped around: ${search.query}`);
  }, [search, notify]);
}

/** moves a list back to its top whenever `key` changes: a new query, another item, another pane */
export function useTopOnChange(key: unknown, nav: { dispatch(action: { type: 'top' }): void }): void {
  const shown = useRef(key);
  useEffect(() => {
    if (shown.current === key) return;
    shown.current = key;
    nav.dispatch({ type: 'top' });
  }, [key, nav]);
}
