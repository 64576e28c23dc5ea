import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { LineText } from './LineText.tsx';
import { useTheme, type Tone } from './theme.ts';

export type MessageKind = 'info' | 'ok' | 'warn' | 'error';

export interface Message {
  kind: MessageKind;
  text: string;
}

const TONE: Record<MessageKind, Tone> = { info: 'info', ok: 'ok', warn: 'warn', error: 'danger' };

export interface MessageLineProps {
  message: Message | null;
  width: number;
}

/** one line for feedback; always present, so the layout does not jump when it empties */
export function MessageLine({ message, width }: MessageLineProps): ReactNode {
  const { glyph } = useTheme();
  if (!message) return <LineText line=" " width={width} />;
  const mark = { info: glyph.info, ok: glyph.ok, warn: glyph.warn, error: glyph.error }[message.kind];
  return <LineText line={[{ text: ` ${mark} ${message.text}`, tone: TONE[message.kind] }]} width={width} />;
}

export interface MessageOptions {
  /** how long info and ok messages stay; warnings and errors stay until replaced */
  timeoutMs?: number;
}

export interface MessageState {
  message: Message | null;
  show(kind: MessageKind, text: string, options?: { sticky?: boolean }): void;
  clear(): void;
}

/** the toast behind a MessageLine */
export function useMessage(options: MessageOptions = {}): MessageState {
  const timeoutMs = options.timeoutMs ?? 4000;
  const [message, setMessage] = useState<Message | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const stop = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = undefined;
  };
  useEffect(() => stop, []);
  const show = useCallback(
    (kind: MessageKind, text: string, opts: { sticky?: boolean } = {}) => {
      stop();
      setMessage({ kind, text });
      const sticky = opts.sticky ?? (kind === 'warn' || kind === 'error');
      if (!sticky) {
        timer.current = setTimeout(() => {
          timer.current = undefined;
          setMessage(null);
        }, timeoutMs);
        timer.current.unref?.();
      }
    },
    [timeoutMs],
  );
  const clear = useCallback(() => {
    stop();
    setMessage(null);
  }, []);
  return { message, show, clear };
}
