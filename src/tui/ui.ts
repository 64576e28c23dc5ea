import { createContext, useContext, useLayoutEffect, useRef, type ReactNode } from 'react';
import type { CommandInput } from '../core/index.ts';
import type { SubmitOutcome, TuiBackend } from './backend.ts';
import type { TuiCommandId } from './keymap.ts';
import type { MessageKind } from './kit/index.ts';

// what a screen may ask of the app around it

export type Route =
  | { kind: 'queue' }
  | { kind: 'orders' }
  | { kind: 'sync' }
  | { kind: 'detail'; orderId: string }
  | { kind: 'variants'; orderId: string }
  | { kind: 'report'; orderId: string }
  | { kind: 'form'; mode: 'create' }
  | { kind: 'form'; mode: 'edit'; orderId: string };

/** a route replacing the one in front (after a form is saved) */
export type OpenMode = 'push' | 'replace';

export interface ChoiceOption {
  label: string;
  detail?: string;
  enabled: boolean;
  /** shown when disabled */
  reason?: string | null;
  onPick: () => void;
}

export interface ConfirmRequest {
  title: string;
  message: string | readonly string[];
  confirmLabel?: string;
  destructive?: boolean;
  onConfirm: () => void;
}

/** one line of text asked for on the message line (a note, a reason, a name) */
export interface PromptRequest {
  label: string;
  initial?: string;
  placeholder?: string;
  /** Enter; the text as typed (trimmed by the caller if it wants) */
  onSubmit: (text: string) => void;
}

/** a screen's own dialog in place of the body; `close` takes it away */
export type DialogRender = (body: { width: number; height: number }, close: () => void) => ReactNode;

/** what the palette can complete for the screen in front */
export interface FocusInfo {
  orderIds: readonly string[];
  transitions: readonly string[];
  sortKeys?: readonly string[];
  presetNames?: readonly string[];
}

/** what every screen is given */
export interface ScreenProps {
  width: number;
  height: number;
  /** the screen in front: commands from keys and the palette reach it */
  front: boolean;
  /** it has the keyboard now (no overlay or search prompt over it) */
  active: boolean;
}

/** a screen's answer to a command from the key table; false: not mine */
export type ScreenHandler = (id: TuiCommandId, args: readonly string[]) => boolean;

export interface Ui {
  backend: TuiBackend;
  /** bumps whenever the store changed (a command, the relay, a refresh) */
  version: number;
  notify(kind: MessageKind, text: string): void;
  open(route: Route, mode?: OpenMode): void;
  back(): void;
  confirm(request: ConfirmRequest): void;
  choose(title: string, options: readonly ChoiceOption[]): void;
  prompt(request: PromptRequest): void;
  dialog(render: DialogRender): void;
  /** runs a key-table command that acts on orders (assign, advance, transition, …) */
  orderCommand(id: TuiCommandId, args: readonly string[], orderIds: readonly string[]): void;
  /** submits a command and reports the outcome on the message line */
  perform(command: CommandInput, label: string): Promise<SubmitOutcome>;
  setFocus(info: FocusInfo): void;
  /** names by user id, for assignees and history */
  userName(id: string | null): string | null;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside <UiContext.Provider>');
  return ui;
}

/** the active screen's command handler, registered with the app */
export const HandlerContext = createContext<{ current: ScreenHandler | null }>({ current: null });

/** registers the screen's handler while it is the one in front */
export function useScreenHandler(handler: ScreenHandler, front: boolean): void {
  const slot = useContext(HandlerContext);
  const ref = useRef(handler);
  useLayoutEffect(() => {
    ref.current = handler;
  });
  useLayoutEffect(() => {
    if (!front) return;
    const own: ScreenHandler = (id, args) => ref.current(id, args);
    slot.current = own;
    return () => {
      if (slot.current === own) slot.current = null;
    };
  }, [slot, front]);
}
