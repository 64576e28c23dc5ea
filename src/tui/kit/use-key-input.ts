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
  // nothing delivered is still waiting for its commit
  const settled = useRef(true);
  const [, setTurn] = useState(0);
  const deliver = ([input, key]: [string, Key]) => {
    for (const route of [...routes]) if (route.active.current) route.handler.current(input, key);
  };
  useInput((input, key) => {
    const keys = splitRun(input, key);
    // with nothing in flight the handlers already see what the last key did: the
    // first key runs now, so its update and this turn render as one commit. Ink
    // throttles frames (maxFps): a key handled a commit later would wait out the
    // throttle window behind the commit that only queued it, ~33 ms per key
    const first = settled.current && queue.current.length === 0 ? keys.shift() : undefined;
    queue.current.push(...keys);
    settled.current = false;
    if (first) deliver(first);
    setTurn((t) => t + 1);
  });
  useLayoutEffect(() => {
    const next = queue.current.shift();
    if (next) deliver(next);
    if (!next && queue.current.length === 0) {
      chain.current = 0;
      settled.current = true;
    } else if (++chain.current < CHAIN_LIMIT) {
      // one more turn even when the handler changed nothing, so the queue drains and settles
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
