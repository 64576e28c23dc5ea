import { useInput, type Key } from 'ink';
import { createContext, createElement, useContext, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

type Handler = (input: string, key: Key) => void;

interface Route {
  handler: { current: Handler };
  active: { current: boolean };
}

const KeyRouterContext = createContext<Set<Route> | null>(null);

// a run of plain characters in one read ('jjjj' from a held key over SSH,
// ':q' typed fast) reaches useInput as a single input; as keys they count one by one
function splitRun(input: string, key: Key): [string, Key][] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || input.includes('\u001B')) return [[input, key]];
  return chars.map((char) => [
    char,
    {
      ...key,
      shift: /^[A-Z]$/.test(char),
      return: char === '\r' || char === '\n',
      tab: char === '\t',
      delete: char === '\u007F',
    },
  ]);
}

// sync re-renders chained from layout effects count towards React's nested
// update limit (50); longer runs continue from a timer
const CHAIN_LIMIT = 20;

/**
 * Hands keys to the handlers registered with useKeyInput one at a time, each
 * only after React has committed what the previous key did. Without this, Ink
 * calls handlers as keys arrive while React 19 renders later, so the key
 * after ':' reaches the list (and quits on 'q') instead of the palette ':'
 * opened, and fast typing edits a stale value (compare vadimdemedes/ink#759).
 * A key is taken from the queue in this component's layout effect, which runs
 * after the children's layout effects of the same commit have refreshed
 * their handlers and (de)activated their routes.
 */
export function KeyRouter(props: { children?: ReactNode }): ReactNode {
  const [routes] = useState(() => new Set<Route>());
  const queue = useRef<[string, Key][]>([]);
  const chain = useRef(0);
  const [, setTurn] = useState(0);
  useInput((input, key) => {
    queue.current.push(...splitRun(input, key));
    setTurn((t) => t + 1);
  });
  useLayoutEffect(() => {
    const next = queue.current.shift();
    if (next) {
      for (const route of [...routes]) if (route.active.current) route.handler.current(next[0], next[1]);
    }
    if (queue.current.length === 0) {
      chain.current = 0;
    } else if (++chain.current < CHAIN_LIMIT) {
      setTurn((t) => t + 1);
    } else {
      chain.current = 0;
      setTimeout(() => setTurn((t) => t + 1), 0);
    }
  });
  return createElement(KeyRouterContext.Provider, { value: routes }, props.children);
}

/**
 * Ink's useInput for the kit's components. Under a KeyRouter (renderFullScreen
 * provides one) every key sees the screen the previous key produced and
 * (de)activation is immediate; without one it is a plain useInput whose
 * handler reads the latest committed render.
 */
export function useKeyInput(handler: Handler, options: { isActive?: boolean } = {}): void {
  const isActive = options.isActive ?? true;
  const routes = useContext(KeyRouterContext);
  const handlerRef = useRef(handler);
  const activeRef = useRef(isActive);
  useLayoutEffect(() => {
    handlerRef.current = handler;
    activeRef.current = isActive;
  });
  useLayoutEffect(() => {
    if (!routes) return;
    const route: Route = { handler: handlerRef, active: activeRef };
    routes.add(route);
    return () => {
      routes.delete(route);
    };
  }, [routes]);
  const [stable] = useState(() => (input: string, key: Key) => handlerRef.current(input, key));
  useInput(stable, { isActive: routes === null && isActive });
}
