import { Box } from 'ink';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { DisplayId, OrderFields, Tag, type CommandInput, type Order } from '../../core/index.ts';
import { useLoad } from '../hooks.ts';
import { LineText, SelectField, TextField, useForm, useKeyInput, keyNameOf, type SelectOption, type Validators } from '../kit/index.ts';
import { useUi, type ScreenProps } from '../ui.ts';

export interface OrderFormValues {
  displayId: string;
  workflow: 'clinical' | 'facility';
  priority: 'low' | 'medium' | 'high';
  mode: 'hereditary' | 'somatic';
  clinicalIndication: string;
  orderingProvider: string;
  orderingFacility: string;
  accession: string;
  externalId: string;
  description: string;
  tags: string;
}

const LABELS: Record<keyof OrderFormValues, string> = {
  displayId: 'Display id',
  workflow: 'Workflow',
  priority: 'Priority',
  mode: 'Mode',
  clinicalIndication: 'Indication',
  orderingProvider: 'Provider',
  orderingFacility: 'Facility',
  accession: 'Accession',
  externalId: 'External id',
  description: 'Description',
  tags: 'Tags',
};

const PRIORITY_OPTIONS: readonly SelectOption<OrderFormValues['priority']>[] = [
  { value: 'low', label: 'low' },
  { value: 'medium', label: 'medium' },
  { value: 'high', label: 'high' },
];

const MODE_OPTIONS: readonly SelectOption<OrderFormValues['mode']>[] = [
  { value: 'hereditary', label: 'hereditary' },
  { value: 'somatic', label: 'somatic' },
];

const TEXT_FIELDS = ['clinicalIndication', 'orderingProvider', 'orderingFacility', 'accession', 'externalId', 'description'] as const;

function firstIssue(schema: z.ZodType, value: unknown): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : (r.error.issues[0]?.message ?? 'invalid');
}

export function splitTags(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** the same schemas the commands are checked with, field by field */
export const ORDER_FORM_VALIDATORS: Validators<OrderFormValues> = {
  displayId: (v) => firstIssue(DisplayId, v),
  clinicalIndication: (v) => firstIssue(OrderFields.shape.clinicalIndication, v || null),
  orderingProvider: (v) => firstIssue(OrderFields.shape.orderingProvider, v || null),
  orderingFacility: (v) => firstIssue(OrderFields.shape.orderingFacility, v || null),
  accession: (v) => firstIssue(OrderFields.shape.accession, v || null),
  externalId: (v) => firstIssue(OrderFields.shape.externalId, v || null),
  description: (v) => firstIssue(OrderFields.shape.description, v || null),
  tags: (v) => {
    for (const tag of splitTags(v)) {
      const issue = firstIssue(Tag, tag);
      if (issue) return `tag "${tag}" ${issue}`;
    }
    return splitTags(v).length > 50 ? 'at most 50 tags' : null;
  },
};

export function valuesOf(order: Order | null, workflow: 'clinical' | 'facility'): OrderFormValues {
  return {
    displayId: order?.displayId ?? '',
    workflow: order?.workflow ?? workflow,
    priority: order?.priority ?? 'medium',
    mode: order?.mode ?? 'hereditary',
    clinicalIndication: order?.clinicalIndication ?? '',
    orderingProvider: order?.orderingProvider ?? '',
    orderingFacility: order?.orderingFacility ?? '',
    accession: order?.accession ?? '',
    externalId: order?.externalId ?? '',
    description: order?.description ?? '',
    tags: order?.tags.join(', ') ?? '',
  };
}

/** the command a filled form stands for; null when an edit changes nothing */
export function formCommand(values: OrderFormValues, order: Order | null, newId: () => string): CommandInput | null {
  const text = (v: string) => (v.trim() === '' ? null : v.trim());
  const fields = {
    displayId: values.displayId.trim(),
    priority: values.priority,
    mode: values.mode,
    clinicalIndication: text(values.clinicalIndication),
    orderingProvider: text(values.orderingProvider),
    orderingFacility: text(values.orderingFacility),
    accession: text(values.accession),
    externalId: text(values.externalId),
    description: text(values.description),
    tags: splitTags(values.tags),
  };
  if (!order) return { type: 'order.create', orderId: newId(), workflow: values.workflow, fields };
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const before = order[k as keyof typeof fields];
    if (JSON.stringify(before) !== JSON.stringify(v)) patch[k] = v;
  }
  if (Object.keys(patch).length === 0) return null;
  return { type: 'order.update', orderId: order.id, baseVersion: order.version, patch };
}

export interface OrderFormScreenProps extends ScreenProps {
  mode: 'create' | 'edit';
  orderId?: string;
}

/** create or edit an order; the form keeps the keyboard until saved or left with Esc */
export function OrderFormScreen(props: OrderFormScreenProps): ReactNode {
  const ui = useUi();
  const { backend } = ui;
  const data = useLoad(async () => (props.orderId ? backend.findOrder(props.orderId) : null), [props.orderId]);
  // the order as it was when editing began: its version goes with the change,
  // so an edit made meanwhile by someone else is refused, not overwritten
  const first = useRef<{ order: Order | null } | null>(null);
  if (!first.current && (props.mode === 'create' || data.value !== undefined)) first.current = { order: data.value ?? null };
  if (!first.current) return <LineText line={[{ text: ' loading…', tone: 'muted' }]} width={props.width} />;
  const { order } = first.current;
  if (props.mode === 'edit' && !order) {
    return <LineText line={[{ text: ' This order is gone or not visible to you — Esc goes back', tone: 'warn' }]} width={props.width} />;
  }
  return <OrderForm order={order} {...props} />;
}

function OrderForm({ order, width, height, active }: OrderFormScreenProps & { order: Order | null }): ReactNode {
  const ui = useUi();
  const { backend } = ui;
  const actor = backend.actor();
  const workflows = useMemo(() => {
    const out: { value: 'clinical' | 'facility'; label: string }[] = [];
    if (actor.superadmin || (actor.projectRole !== null && actor.projectRole !== 'project_viewer')) out.push({ value: 'clinical', label: 'clinical' });
    if (actor.superadmin || actor.facilityRole !== null) out.push({ value: 'facility', label: 'facility (sequencing desk)' });
    return out.length ? out : [{ value: 'clinical' as const, label: 'clinical' }];
  }, [actor]);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<{ field: keyof OrderFormValues | null; text: string } | null>(null);
  const initial = useMemo(() => valuesOf(order, workflows[0]?.value ?? 'clinical'), [order, workflows]);
  const fieldOrder: (keyof OrderFormValues & string)[] = [
    'displayId',
    ...(order ? [] : (['workflow'] as const)),
    'priority',
    'mode',
    ...TEXT_FIELDS.slice(0, 3),
    ...TEXT_FIELDS.slice(3),
    'tags',
  ];
  const form = useForm<OrderFormValues>({
    initial,
    validate: ORDER_FORM_VALIDATORS,
    order: fieldOrder,
    keys: active,
    onSubmit: (values) => {
      const command = formCommand(values, order, () => globalThis.crypto.randomUUID());
      if (!command) {
        ui.notify('info', 'Nothing changed');
        ui.back();
        return;
      }
      setSaving(true);
      setServerError(null);
      const label = order ? `Saved ${values.displayId}` : `Created ${values.displayId}`;
      void ui.perform(command, label).then((outcome) => {
        setSaving(false);
        if (outcome.status === 'accepted' || outcome.status === 'queued') {
          const id = command.type === 'order.create' ? command.orderId : order?.id;
          if (id) ui.open({ kind: 'detail', orderId: id }, 'replace');
          else ui.back();
          return;
        }
        const message = outcome.status === 'refused' ? outcome.rejection.message : (outcome.result.message ?? 'rejected');
        const path = outcome.status === 'refused' ? outcome.rejection.path : undefined;
        const field = path?.[path.length - 1];
        setServerError({ field: typeof field === 'string' && field in LABELS ? (field as keyof OrderFormValues) : null, text: message });
      });
    },
  });

  // Esc leaves without saving; the fields own every other key
  useKeyInput(
    (input, key) => {
      if (keyNameOf(input, key) === 'esc' && !saving) ui.back();
    },
    { isActive: active },
  );

  const labelWidth = 14;
  const title = order ? `Edit ${order.displayId} (v${order.version})` : 'New order';
  const rows: ReactNode[] = [];
  for (const name of fieldOrder) {
    const binding = form.field(name);
    const error = serverError?.field === name ? serverError.text : binding.error;
    const common = { label: LABELS[name], labelWidth, width, error, focus: active && binding.focus && !saving };
    if (name === 'workflow') {
      rows.push(<SelectField key={name} {...common} options={workflows} value={form.values.workflow} onChange={(v) => form.set('workflow', v)} onSubmit={binding.onSubmit} />);
    } else if (name === 'priority') {
      rows.push(
        <SelectField
          key={name}
          {...common}
          options={PRIORITY_OPTIONS}
          value={form.values.priority}
          onChange={(v) => form.set('priority', v)}
          onSubmit={binding.onSubmit}
        />,
      );
    } else if (name === 'mode') {
      rows.push(
        <SelectField
          key={name}
          {...common}
          options={MODE_OPTIONS}
          value={form.values.mode}
          onChange={(v) => form.set('mode', v)}
          onSubmit={binding.onSubmit}
        />,
      );
    } else {
      const placeholder = name === 'tags' ? 'comma separated' : name === 'displayId' ? 'e.g. ORD-2026-0042' : '';
      rows.push(
        <TextField
          key={name}
          {...common}
          value={form.values[name]}
          onChange={(v) => {
            if (serverError?.field === name) setServerError(null);
            form.set(name, v);
          }}
          onSubmit={binding.onSubmit}
          {...(placeholder ? { placeholder } : {})}
        />,
      );
    }
  }
  const problems = Object.keys(form.problems).length;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <LineText line={[{ text: ` ${title}`, tone: 'title' }, { text: order?.slugFrozen ? '  (display id frozen: files written under its slug)' : '', tone: 'muted' }]} width={width} />
      {rows}
      {serverError && serverError.field === null ? <LineText line={[{ text: ` ✗ ${serverError.text}`, tone: 'danger' }]} width={width} /> : null}
      <LineText
        line={[
          {
            text: saving ? ' saving…' : ` ${problems ? `${problems} to fix · ` : ''}Tab moves · ←/→ choose · Enter: next, saves on the last · Esc cancels`,
            tone: 'muted',
          },
        ]}
        width={width}
      />
    </Box>
  );
}
