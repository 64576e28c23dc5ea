import { useCallback, useMemo, useState } from 'react';
import { keyNameOf } from './keys.ts';
import { useKeyInput } from './use-key-input.ts';

export type Validators<V> = { [K in keyof V]?: (value: V[K], values: V) => string | null };

export interface FormOptions<V> {
  initial: V;
  validate?: Validators<V>;
  /** Tab order; defaults to the keys of `initial` */
  order?: readonly (keyof V & string)[];
  onSubmit: (values: V) => void;
  /** Tab / Shift-Tab move between fields (default true) */
  keys?: boolean;
}

export interface FieldBinding<T> {
  value: T;
  onChange: (value: T) => void;
  /** Enter: the next field, or submit from the last one */
  onSubmit: () => void;
  focus: boolean;
  error: string | null;
}

export interface Form<V> {
  values: V;
  /** every current validation failure, shown or not */
  problems: Partial<Record<keyof V, string>>;
  valid: boolean;
  focused: keyof V & string;
  set<K extends keyof V>(field: K, value: V[K]): void;
  focus(field: keyof V & string): void;
  focusNext(): void;
  focusPrev(): void;
  /** validates everything; calls onSubmit and returns true when valid */
  submit(): boolean;
  reset(values?: V): void;
  field<K extends keyof V & string>(name: K): FieldBinding<V[K]>;
}

export function validateAll<V>(values: V, validate: Validators<V> = {}): Partial<Record<keyof V, string>> {
  const problems: Partial<Record<keyof V, string>> = {};
  for (const name of Object.keys(validate) as (keyof V)[]) {
    const message = validate[name]?.(values[name], values);
    if (message) problems[name] = message;
  }
  return problems;
}

/**
 * Values, inline validation and focus for a small form. A field shows its
 * message once it has been edited or a submit was attempted, not before.
 */
export function useForm<V extends object>(options: FormOptions<V>): Form<V> {
  const { initial, validate, onSubmit } = options;
  // the tab order is fixed for the form's lifetime
  const [order] = useState(() => options.order ?? (Object.keys(initial) as (keyof V & string)[]));
  const [values, setValues] = useState<V>(initial);
  const [touched, setTouched] = useState<ReadonlySet<keyof V>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [focused, setFocused] = useState<keyof V & string>(order[0] as keyof V & string);

  const problems = useMemo(() => validateAll(values, validate), [values, validate]);
  const valid = Object.keys(problems).length === 0;

  const set = useCallback(<K extends keyof V>(field: K, value: V[K]) => {
    setValues((prev) => ({ ...prev, [field]: value }));
    setTouched((prev) => (prev.has(field) ? prev : new Set(prev).add(field)));
  }, []);
  const move = useCallback(
    (delta: number) =>
      setFocused((current) => {
        const i = order.indexOf(current);
        return order[(i + delta + order.length) % order.length] ?? current;
      }),
    [order],
  );
  const submit = () => {
    setAttempted(true);
    if (!valid) {
      const first = order.find((name) => problems[name]);
      if (first) setFocused(first);
      return false;
    }
    onSubmit(values);
    return true;
  };

  useKeyInput(
    (input, key) => {
      const name = keyNameOf(input, key);
      if (name === 'tab') move(1);
      else if (name === 'shift-tab') move(-1);
    },
    { isActive: options.keys !== false },
  );

  return {
    values,
    problems,
    valid,
    focused,
    set,
    focus: setFocused,
    focusNext: () => move(1),
    focusPrev: () => move(-1),
    submit,
    reset: (next = initial) => {
      setValues(next);
      setTouched(new Set());
      setAttempted(false);
    },
    field: (name) => ({
      value: values[name],
      onChange: (value) => set(name, value),
      onSubmit: () => (order.indexOf(name) === order.length - 1 ? void submit() : move(1)),
      focus: focused === name,
      error: attempted || touched.has(name) ? (problems[name] ?? null) : null,
    }),
  };
}
