import { Box } from 'ink';
import { useState, type ReactNode } from 'react';
import type { Result } from '../core/index.ts';
import type { VariantFilter } from '../vcf/index.ts';
import type { OrderQuery } from './backend.ts';
import { wrapText } from './format.ts';
import { STATUS_FILTERS } from './keymap.ts';
import { fit, keyNameOf, LineText, SelectField, TextField, useForm, useKeyInput, useTheme, type SelectOption } from './kit/index.ts';
import type { ChoiceOption } from './ui.ts';
import { fieldsOf, filterOf, parseTiers, parseVaf, type FilterFields } from './variant-filter.ts';

// the app's own dialogs: choosing one of a few actions, and the Orders filter

export interface ChoiceListProps {
  title: string;
  options: readonly ChoiceOption[];
  width: number;
  height: number;
  onClose: () => void;
}

/**
 * A short list to pick from: j/k or ↑/↓ move, Enter or the number picks, Esc
 * closes. Refused options stay listed with the rules' reason and cannot be picked.
 */
export function ChoiceList({ title, options, width, height, onClose }: ChoiceListProps): ReactNode {
  const { glyph } = useTheme();
  const [cursor, setCursor] = useState(() => Math.max(0, options.findIndex((o) => o.enabled)));
  const [notice, setNotice] = useState<string | null>(null);
  const pick = (i: number) => {
    const option = options[i];
    if (!option) return;
    if (!option.enabled) {
      setCursor(i);
      setNotice(option.reason ?? 'not allowed');
      return;
    }
    onClose();
    option.onPick();
  };
  useKeyInput((input, key) => {
    const name = keyNameOf(input, key);
    if (name === 'esc' || name === 'q') return onClose();
    if (name === 'j' || name === 'down') return setCursor((c) => Math.min(options.length - 1, c + 1));
    if (name === 'k' || name === 'up') return setCursor((c) => Math.max(0, c - 1));
    if (name === 'enter') return pick(cursor);
    if (name && /^[1-9]$/.test(name)) return pick(Number(name) - 1);
  });
  const labelWidth = Math.min(28, Math.max(10, ...options.map((o) => o.label.length + 1)));
  const current = options[cursor];
  const footer = notice ?? (current && !current.enabled ? (current.reason ?? '') : null);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <LineText line={[{ text: ` ${title}`, tone: 'title' }]} width={width} />
      {options.map((o, i) => {
        const spans = [
          { text: `${i === cursor ? glyph.cursor : ' '} ` },
          { text: `${i + 1} `, tone: o.enabled ? ('key' as const) : ('muted' as const) },
          { text: fit(o.label, labelWidth), ...(o.enabled ? {} : { tone: 'muted' as const }) },
          o.enabled ? { text: `${glyph.ok} ${o.detail ?? ''}`, tone: 'ok' as const } : { text: `${glyph.error} ${o.reason ?? ''}`, tone: 'muted' as const },
        ];
        return i === cursor ? <LineText key={i} line={spans} width={width} tone="cursor" pad /> : <LineText key={i} line={spans} width={width} />;
      })}
      <LineText line=" " width={width} />
      <LineText line={[{ text: ' j/k move · Enter or 1-9 picks · Esc closes', tone: 'muted' }]} width={width} />
      {footer
        ? wrapText(footer, width - 4, 3).map((l, i) => <LineText key={`why${i}`} line={[{ text: `${i === 0 ? ` ${glyph.error} ` : '   '}${l}`, tone: 'warn' }]} width={width} />)
        : null}
    </Box>
  );
}

interface FilterValues {
  status: string;
  priority: string;
  assignee: string;
  tag: string;
  text: string;
}

export interface FilterDialogProps {
  query: OrderQuery;
  users: readonly string[];
  width: number;
  onApply: (query: OrderQuery) => void;
  onCancel: () => void;
}

const ANY = '';

/** the Orders filter: Tab moves, ←/→ choose, Enter applies from any field, Esc cancels */
export function FilterDialog({ query, users, width, onApply, onCancel }: FilterDialogProps): ReactNode {
  const statusOptions: SelectOption<string>[] = [{ value: ANY, label: 'any' }, ...STATUS_FILTERS.map((s) => ({ value: s, label: s }))];
  const priorityOptions: SelectOption<string>[] = [ANY, 'high', 'medium', 'low'].map((p) => ({ value: p, label: p || 'any' }));
  const assigneeOptions: SelectOption<string>[] = [ANY, 'me', ...users].map((u) => ({ value: u, label: u || 'anyone' }));
  const form = useForm<FilterValues>({
    initial: { status: query.status ?? ANY, priority: query.priority ?? ANY, assignee: query.assignee ?? ANY, tag: query.tag ?? '', text: query.text ?? '' },
    onSubmit: (v) => {
      const next: OrderQuery = { sort: query.sort, descending: query.descending };
      if (v.status) next.status = v.status;
      if (v.priority) next.priority = v.priority;
      if (v.assignee) next.assignee = v.assignee;
      if (v.tag.trim()) next.tag = v.tag.trim();
      if (v.text.trim()) next.text = v.text.trim();
      onApply(next);
    },
  });
  const apply = () => void form.submit();
  const common = (name: keyof FilterValues) => {
    const f = form.field(name);
    return { label: name, labelWidth: 11, width, focus: f.focus, onSubmit: apply, onCancel };
  };
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={[{ text: ' Filter orders', tone: 'title' }]} width={width} />
      <SelectField {...common('status')} options={statusOptions} value={form.values.status} onChange={(v) => form.set('status', v)} />
      <SelectField {...common('priority')} options={priorityOptions} value={form.values.priority} onChange={(v) => form.set('priority', v)} />
      <SelectField {...common('assignee')} options={assigneeOptions} value={form.values.assignee} onChange={(v) => form.set('assignee', v)} />
      <TextField {...common('tag')} value={form.values.tag} onChange={(v) => form.set('tag', v)} placeholder="any tag" />
      <TextField {...common('text')} value={form.values.text} onChange={(v) => form.set('text', v)} placeholder="id, accession, indication, provider…" />
      <LineText line=" " width={width} />
      <LineText line={[{ text: ' Tab/Shift-Tab move · ←/→ or a letter choose · Enter applies · Esc cancels', tone: 'muted' }]} width={width} />
      <LineText line={[{ text: ' Legacy statuses (reviewed, signed_off, amended) find the orders now in review, sign_off, completed.', tone: 'muted' }]} width={width} />
    </Box>
  );
}

export interface VariantFilterDialogProps {
  filter: VariantFilter;
  width: number;
  /** the query layer's own check of the filter (variantFilterSchema) */
  validate: (filter: VariantFilter) => Result<VariantFilter>;
  onApply: (filter: VariantFilter) => void;
  onCancel: () => void;
}

/** the variant browser's filter: Tab moves, Enter applies from any field, Esc cancels */
export function VariantFilterDialog({ filter, width, validate, onApply, onCancel }: VariantFilterDialogProps): ReactNode {
  const { glyph } = useTheme();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<FilterFields>({
    initial: fieldsOf(filter),
    validate: {
      tiers: (v) => {
        const r = parseTiers(v);
        return r.success ? null : r.error.message.replace(/^Invalid input: /, '');
      },
      minVaf: (v) => {
        const r = parseVaf(v);
        return r.success ? null : r.error.message.replace(/^Invalid input: /, '');
      },
    },
    onSubmit: (v) => {
      const parsed = filterOf(v);
      const checked = parsed.success ? validate(parsed.data) : parsed;
      if (!checked.success) return setProblem(checked.error.message);
      onApply(checked.data);
    },
  });
  const apply = () => void form.submit();
  const common = (name: keyof FilterFields) => {
    const f = form.field(name);
    return { label: LABELS[name], labelWidth: 14, width, focus: f.focus, error: f.error, onSubmit: apply, onCancel };
  };
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={[{ text: ' Filter variants', tone: 'title' }]} width={width} />
      <TextField {...common('tiers')} value={form.values.tiers} onChange={(v) => form.set('tiers', v)} placeholder="any, e.g. IA, IB, IIC, IID" />
      <SelectField {...common('tierIV')} options={TIER_IV} value={form.values.tierIV} onChange={(v) => form.set('tierIV', v)} />
      <TextField {...common('minVaf')} value={form.values.minVaf} onChange={(v) => form.set('minVaf', v)} placeholder="none, e.g. 0.05 or 5%" />
      <TextField {...common('genes')} value={form.values.genes} onChange={(v) => form.set('genes', v)} placeholder="any, e.g. KRAS, NRAS" />
      <TextField {...common('category')} value={form.values.category} onChange={(v) => form.set('category', v)} placeholder="any, e.g. SNV, Indel, Fusion, CNV" />
      <SelectField {...common('passOnly')} options={PASS} value={form.values.passOnly} onChange={(v) => form.set('passOnly', v)} />
      <TextField {...common('text')} value={form.values.text} onChange={(v) => form.set('text', v)} placeholder="gene, HGVS, consequence, ID, or chr7:140753336" />
      <LineText line=" " width={width} />
      <LineText line={[{ text: ' Tab/Shift-Tab move · ←/→ choose · Enter applies · Esc cancels', tone: 'muted' }]} width={width} />
      {problem ? <LineText line={[{ text: ` ${glyph.error} ${problem}`, tone: 'danger' }]} width={width} /> : null}
    </Box>
  );
}

const LABELS: Record<keyof FilterFields, string> = {
  tiers: 'tiers',
  tierIV: 'tier IV',
  minVaf: 'min VAF',
  genes: 'genes',
  category: 'category',
  passOnly: 'PASS only',
  text: 'text',
};
const TIER_IV: SelectOption<FilterFields['tierIV']>[] = [
  { value: 'hidden', label: 'hidden' },
  { value: 'shown', label: 'shown' },
];
const PASS: SelectOption<FilterFields['passOnly']>[] = [
  { value: 'no', label: 'no' },
  { value: 'yes', label: 'yes' },
];
