import { Box } from 'ink';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { AMP_TIERS, type CommandInput, type Curation, type Result } from '../../core/index.ts';
import type { VariantFilter, VariantFilterPreset, VariantRow, VariantSort } from '../../vcf/index.ts';
import { checkWith } from '../actions.ts';
import { rejectionText } from '../format.ts';
import { useLoad, useTopOnChange } from '../hooks.ts';
import { KeysetWindow } from '../keyset-window.ts';
import { ACMG_CLASSES } from '../keymap.ts';
import { LineText, Pane, Table, useListNavigation, useTheme, WindowedList, type Span } from '../kit/index.ts';
import { VariantFilterDialog } from '../overlays.tsx';
import type { PresetList } from '../presets.ts';
import { orderRight, readOnlyText, refusalText } from '../rights.ts';
import { useScreenHandler, useUi, type ScreenProps } from '../ui.ts';
import { columnTitle, locusText, tierText, variantColumns, WIDE_SCROLLING, type VariantView } from '../variant-columns.ts';
import { variantDetailLines } from '../variant-detail.ts';
import { describeFilter, parseGenes, parseTiers, parseVaf, queryKey, sortText, toggleTierIV, withField } from '../variant-filter.ts';
import { useVcfArea } from '../vcf-area.ts';

export interface VariantScreenProps extends ScreenProps {
  orderId: string;
}

/** rows per query: several screens, so one query covers a screen and its margins */
const PAGE = 200;
/** while a file is being ingested, its rows so far are re-read this often */
const POLL_MS = 1000;
/** how long a page waits for the "building the … index" notice to be drawn before the build holds the thread */
const INDEX_NOTICE_MS = 50;

type CurationPatch = Pick<Extract<CommandInput, { type: 'variant.curate' }>, 'tierOverride' | 'acmgClass' | 'reportable' | 'note'>;

function rowLabel(r: VariantRow): string {
  return [r.gene, r.hgvsP ?? r.hgvsC ?? locusText(r)].filter(Boolean).join(' ');
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * the variant browser of one order: a windowed table over the variant cache, read a
 * keyset page at a time around the cursor; filters, sorts and presets; a detail pane
 * with every INFO and FORMAT field; curation keys checked by the rules before sending
 */
export function VariantScreen({ orderId, width, height, front, active }: VariantScreenProps): ReactNode {
  const ui = useUi();
  const { backend, version, notify } = ui;
  const theme = useTheme();
  const area = useVcfArea();
  const aggData = useLoad(() => backend.aggregate(orderId), [orderId]);
  const agg = aggData.value ?? null;
  const [poll, setPoll] = useState(0);
  const sourceData = useLoad(() => backend.variantSource(orderId), [orderId, poll]);
  const source = sourceData.value ?? null;

  const [filter, setFilter] = useState<VariantFilter>({});
  const [chosenSort, setSort] = useState<VariantSort | null>(null);
  const sort = chosenSort ?? area?.DEFAULT_SORT ?? null;
  const [wide, setWide] = useState(false);
  const [scroll, setScroll] = useState(0);
  const [detailOpen, setDetailOpen] = useState(false);
  const [pane, setPane] = useState<'table' | 'detail'>('table');
  const [presets, setPresets] = useState<PresetList | null>(null);
  const [, setTick] = useState(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const redraw = () => {
    if (mounted.current) setTick((t) => t + 1);
  };

  // curations of the rows held, read with each page and again when the store changes
  const curations = useRef(new Map<string, Curation>());
  const loading = source?.loading ?? false;
  const fileId = source?.file?.id ?? null;
  const key = area && source && sort ? `${fileId}|${loading}|${queryKey(filter, sort)}` : null;

  // the query whose first page is in: its count waits for it, since PGlite runs one query at
  // a time and a count reads every matching row (half a second at a million), which the
  // page would otherwise wait behind
  const [paged, setPaged] = useState<string | null>(null);
  // the column whose index the query is building on its first use (a second or more)
  const [building, setBuilding] = useState<string | null>(null);
  const winRef = useRef<KeysetWindow<VariantRow> | null>(null);
  if (!winRef.current) winRef.current = new KeysetWindow<VariantRow>(async () => ({ rows: [], next: null }), { pageSize: PAGE, onLoad: redraw });
  const win = winRef.current;
  const winKey = useRef<string | null>(null);
  if (key !== null && sort && winKey.current !== key) {
    winKey.current = key;
    const f = filter;
    const s = sort;
    const l = loading;
    const k = key;
    const onIndexBuild = async (column: string) => {
      if (!mounted.current) return;
      setBuilding(column);
      // the database holds this thread while it builds: the notice is drawn first
      await new Promise((resolve) => setTimeout(resolve, INDEX_NOTICE_MS));
    };
    win.reset(async (after, reverse, limit) => {
      const page = await backend
        .variantPage(orderId, { filter: f, sort: s, after, reverse, limit, loading: l, onIndexBuild })
        .finally(() => mounted.current && setBuilding(null));
      if (mounted.current) setPaged(k);
      const found = await backend.curations(orderId, page.rows.map((r) => r.id));
      for (const r of page.rows) {
        const c = found.get(r.id);
        if (c) curations.current.set(r.id, c);
        else curations.current.delete(r.id);
      }
      return page;
    });
  }

  // the count of the active filter: once per query after its first page, and again when a loading file has grown
  const grown = loading ? (source?.loadedRows ?? null) : null;
  const [counted, setCounted] = useState<{ key: string; n: number } | null>(null);
  useEffect(() => {
    if (key === null || paged !== key) return;
    let live = true;
    backend.variantCount(orderId, filter, loading).then(
      (n) => {
        if (!live || winKey.current !== key) return;
        win.setCount(n);
        setCounted({ key, n });
      },
      (err: Error) => live && notify('error', `Counting variants: ${err.message}`),
    );
    return () => {
      live = false;
    };
    // filter and loading are part of key; the shown file is counted again only when it has grown
  }, [key, paged, grown, backend, orderId, win, notify]);
  const count = counted?.key === key ? counted.n : null;

  const ingesting = (source?.loading ?? false) || (source?.newerLoading ?? false);
  useEffect(() => {
    if (!ingesting) return;
    const timer = setInterval(() => setPoll((p) => p + 1), POLL_MS);
    return () => clearInterval(timer);
  }, [ingesting]);

  // a curation saved (here or by the relay): the marks of the rows held are read again
  const seenVersion = useRef(version);
  useEffect(() => {
    if (seenVersion.current === version) return;
    seenVersion.current = version;
    const ids = win.heldEntries().map(([, r]) => r.id);
    void backend.curations(orderId, ids).then((found) => {
      curations.current = found;
      redraw();
    });
  }, [version, backend, orderId, win]);

  useEffect(() => {
    let live = true;
    void backend.variantPresets().then((p) => live && setPresets(p));
    return () => {
      live = false;
    };
  }, [backend]);
  const allPresets: readonly VariantFilterPreset[] = useMemo(() => [...(area?.DEFAULT_FILTER_PRESETS ?? []), ...(presets?.presets ?? [])], [area, presets]);

  const detailHeight = detailOpen ? Math.max(4, Math.floor((height - 4) / 2)) : 0;
  const tableRows = Math.max(1, height - 4 - detailHeight);
  const listCount = key === null ? 0 : (win.count ?? win.reachable);
  const nav = useListNavigation({ count: listCount, height: tableRows, keyAt: (i) => win.rowAt(i)?.id ?? `#${i}` });
  useEffect(() => {
    if (key !== null) void win.ensure(nav.offset, nav.offset + tableRows);
  });

  // a new query starts at the top
  useTopOnChange(key, nav);

  const current = key === null ? undefined : win.rowAt(nav.cursor);
  const detailId = detailOpen ? (current?.id ?? null) : null;
  const detailOrdinal = detailOpen ? current?.ordinal : undefined;
  const detail = useLoad(
    () => (detailId ? backend.variant(orderId, detailId, loading, detailOrdinal) : Promise.resolve(null)),
    [detailId, detailOrdinal, loading],
  );
  const detailLines = useMemo(
    () => (detail.value && detail.value.id === detailId ? variantDetailLines(detail.value, curations.current.get(detail.value.id), ui.userName, width - 4) : []),
    // curations change with the store version
    [detail.value, detailId, ui.userName, width, version],
  );
  const detailNav = useListNavigation({ count: detailLines.length, height: Math.max(1, detailHeight - 1) });
  // another variant's details start at their top
  useTopOnChange(detailId, detailNav);

  const displayId = agg?.order.displayId ?? null;
  const { setFocus } = ui;
  const sortKeys = area?.VARIANT_SORT_KEYS;
  const presetNames = allPresets.map((p) => p.name).join('\n');
  useEffect(() => {
    if (active && displayId) setFocus({ orderIds: [displayId], transitions: [], sortKeys: sortKeys ?? [], presetNames: presetNames ? presetNames.split('\n') : [] });
  }, [active, displayId, sortKeys, presetNames, setFocus]);

  const actor = backend.actor();
  const viewRight = agg ? orderRight(actor, agg, 'browser_viewable', `viewing the variants of order ${agg.order.displayId}`) : null;
  const readOnly = agg ? readOnlyText(actor, agg, 'browser_editable', ui.userName) : null;

  const validated = (next: VariantFilter): Result<VariantFilter> => {
    if (!area) return { success: false, error: { code: 'invalid_input', message: 'Invalid input: the variant area is still loading' } };
    const r = area.variantFilterSchema.safeParse(next);
    if (r.success) return { success: true, data: r.data };
    const issue = r.error.issues[0];
    return { success: false, error: { code: 'invalid_input', message: `Invalid input: ${issue?.path.join('.') ?? 'filter'}: ${issue?.message ?? 'not valid'}` } };
  };
  const applyFilter = (next: VariantFilter, said?: string) => {
    const r = validated(next);
    if (!r.success) return notify('error', r.error.message);
    setFilter(r.data);
    notify('info', said ?? `Filter: ${describeFilter(r.data)}`);
  };
  const applyPreset = (p: VariantFilterPreset) => {
    setFilter(p.filter);
    setSort(p.sort);
    notify('ok', `Preset "${p.name}": ${describeFilter(p.filter)} · sort ${sortText(p.sort)}`);
  };

  const mayCurate = (): boolean => {
    if (!agg) {
      notify('info', 'Still reading the order — try again in a moment');
      return false;
    }
    const right = orderRight(actor, agg, 'browser_editable', `curating variants of order ${agg.order.displayId}`);
    if (!right.success) {
      notify('error', refusalText(right.error, agg, 'curating', ui.userName));
      return false;
    }
    if (!current) {
      notify('warn', 'No variant under the cursor');
      return false;
    }
    return true;
  };
  const curate = (row: VariantRow, patch: CurationPatch, what: string) => {
    if (!agg) return;
    const existing = curations.current.get(row.id) ?? null;
    const command: CommandInput = { type: 'variant.curate', orderId, variantId: row.id, baseVersion: existing?.version ?? 0, ...patch };
    const refused = checkWith({ agg, actor: backend.actor(), project: backend.project() }, command, { curation: existing });
    if (refused) return notify('error', refusalText(refused, agg, 'curating', ui.userName));
    void ui.perform(command, `${agg.order.displayId} ${rowLabel(row)}: ${what}`);
  };

  const savePreset = (name: string) => {
    if (!sort) return;
    const trimmed = name.trim();
    if (!trimmed) return notify('warn', 'A preset needs a name; nothing saved');
    void backend.saveVariantPreset({ name: trimmed, filter, sort }).then((r) => {
      if (!r.success) return notify('error', rejectionText(r.error));
      setPresets(r.data);
      notify('ok', `${r.data.replaced ? 'Replaced' : 'Saved'} preset "${trimmed}": ${describeFilter(filter)} · sort ${sortText(sort)} (p picks it)`);
    });
  };

  useScreenHandler((id, args) => {
    const arg = args.join(' ').trim();
    switch (id) {
      case 'app.back':
        if (!detailOpen) return false;
        setDetailOpen(false);
        setPane('table');
        return true;
      case 'app.pane':
      case 'app.pane_prev':
        if (!detailOpen) notify('info', "Enter shows the variant's details; Tab then moves into them");
        else setPane((p) => (p === 'table' ? 'detail' : 'table'));
        return true;
      case 'variants.detail':
        setDetailOpen((o) => !o);
        setPane('table');
        return true;
      case 'list.search':
        if (arg) applyFilter(withField(filter, 'text', arg), `Showing variants matching "${arg}" — n/N step through them, :text all clears`);
        return true;
      case 'list.search_next':
      case 'list.search_prev':
        if (!filter.text) notify('info', '/ filters by text; n and N then step through the matches');
        else nav.dispatch({ type: id === 'list.search_next' ? 'down' : 'up' });
        return true;
      case 'list.bottom':
        if (pane === 'table' && win.count === null) {
          notify('info', 'Still counting the variants — G works in a moment');
          return true;
        }
        break;
      case 'variants.filter':
        ui.dialog((body, close) => (
          <VariantFilterDialog
            filter={filter}
            width={body.width}
            validate={validated}
            onCancel={() => {
              close();
              notify('info', 'Filter unchanged');
            }}
            onApply={(next) => {
              close();
              applyFilter(next);
            }}
          />
        ));
        return true;
      case 'variants.clear':
        applyFilter({}, 'Filters cleared: every variant but tier IV');
        return true;
      case 'variants.sort': {
        if (!sortKeys || !sort) return true;
        const keyArg = args[0];
        const dirArg = args[1];
        const nextKey = keyArg ?? sortKeys[(sortKeys.indexOf(sort.key) + 1) % sortKeys.length] ?? sort.key;
        const next = { key: nextKey as VariantSort['key'], dir: dirArg === 'asc' || dirArg === 'desc' ? dirArg : sort.dir };
        setSort(next);
        notify('info', `Sorted by ${sortText(next)} — S reverses, :sort COL asc|desc picks`);
        return true;
      }
      case 'variants.reverse':
        if (!sort) return true;
        setSort({ key: sort.key, dir: sort.dir === 'asc' ? 'desc' : 'asc' });
        notify('info', `Sorted by ${sortText({ key: sort.key, dir: sort.dir === 'asc' ? 'desc' : 'asc' })}`);
        return true;
      case 'variants.tier_iv': {
        const next = toggleTierIV(filter);
        applyFilter(next, next.hideTierIV === false ? 'Tier IV shown' : 'Tier IV hidden');
        return true;
      }
      case 'variants.gene':
        applyFilter(withField(withField(filter, 'gene', undefined), 'genes', parseGenes(arg)));
        return true;
      case 'variants.tiers': {
        const r = parseTiers(arg);
        if (!r.success) notify('error', r.error.message);
        else applyFilter(withField(filter, 'tiers', r.data));
        return true;
      }
      case 'variants.min_vaf': {
        const r = parseVaf(arg);
        if (!r.success) notify('error', r.error.message);
        else applyFilter(withField(filter, 'minVaf', r.data));
        return true;
      }
      case 'variants.category':
        applyFilter(withField(filter, 'category', arg === '' || arg.toLowerCase() === 'all' ? undefined : arg));
        return true;
      case 'variants.pass': {
        const on = arg === '' ? !filter.passOnly : arg === 'on';
        applyFilter(withField(filter, 'passOnly', on ? true : undefined));
        return true;
      }
      case 'variants.text':
        applyFilter(withField(filter, 'text', arg === '' || arg.toLowerCase() === 'all' ? undefined : arg));
        return true;
      case 'variants.presets': {
        if (arg) {
          const found = allPresets.find((p) => p.name.toLowerCase() === arg.toLowerCase());
          if (found) applyPreset(found);
          else notify('error', `Not found: preset "${arg}" (p lists them)`);
          return true;
        }
        if (presets?.problem) notify('warn', presets.problem);
        ui.choose(
          'Filter presets',
          allPresets.map((p, i) => ({
            label: p.name,
            detail: `${i < (area?.DEFAULT_FILTER_PRESETS.length ?? 0) ? '' : 'yours · '}${describeFilter(p.filter)} · ${sortText(p.sort)}`,
            enabled: true,
            onPick: () => applyPreset(p),
          })),
        );
        return true;
      }
      case 'variants.save_preset':
        if (arg) savePreset(arg);
        else ui.prompt({ label: 'Save filter and sort as', placeholder: 'a name, e.g. My AML panel', onSubmit: savePreset });
        return true;
      case 'variants.wide':
        setWide((w) => !w);
        setScroll(0);
        notify('info', wide ? 'Fitting columns' : 'Every column: ←/→ scroll them, w again fits them');
        return true;
      case 'variants.left':
      case 'variants.right': {
        if (!wide) {
          notify('info', 'w shows every column; ←/→ then scroll them');
          return true;
        }
        const next = Math.min(WIDE_SCROLLING.length - 1, Math.max(0, scroll + (id === 'variants.right' ? 1 : -1)));
        setScroll(next);
        return true;
      }
      case 'variants.set_tier': {
        if (!mayCurate() || !current) return true;
        const row = current;
        const pick = (tier: string | undefined) => {
          if (tier === 'none') curate(row, { tierOverride: null }, `tier back to the file's (${row.tier ?? '—'})`);
          else if (tier) curate(row, { tierOverride: tier as (typeof AMP_TIERS)[number] }, `tier ${tier}`);
        };
        if (args[0]) pick(args[0]);
        else
          ui.choose(`Tier of ${rowLabel(row)} (now ${tierText({ row, curation: curations.current.get(row.id) })})`, [
            ...AMP_TIERS.map((t) => ({ label: `Tier ${t}`, detail: t === row.tier ? 'as in the file' : '', enabled: true, onPick: () => pick(t) })),
            { label: 'none', detail: `the file's tier (${row.tier ?? '—'})`, enabled: true, onPick: () => pick('none') },
          ]);
        return true;
      }
      case 'variants.acmg': {
        if (!mayCurate() || !current) return true;
        const row = current;
        const pick = (cls: string) => curate(row, { acmgClass: cls === 'none' ? null : (cls as (typeof ACMG_CLASSES)[number]) }, cls === 'none' ? 'ACMG class cleared' : `ACMG ${cls}`);
        if (args[0]) pick(args[0]);
        else
          ui.choose(`ACMG class of ${rowLabel(row)} (now ${curations.current.get(row.id)?.acmgClass ?? 'none'})`, [
            ...ACMG_CLASSES.map((c) => ({ label: c, detail: ACMG_NAMES[c], enabled: true, onPick: () => pick(c) })),
            { label: 'none', detail: 'not classified', enabled: true, onPick: () => pick('none') },
          ]);
        return true;
      }
      case 'variants.reportable': {
        if (!mayCurate() || !current) return true;
        const now = curations.current.get(current.id)?.reportable ?? null;
        const next = args[0] === 'auto' ? null : args[0] === 'yes' ? true : args[0] === 'no' ? false : now !== true;
        curate(current, { reportable: next }, next === null ? 'reportable by the rules' : next ? 'reportable' : 'not reportable');
        return true;
      }
      case 'variants.note': {
        if (!mayCurate() || !current) return true;
        const row = current;
        const save = (text: string) => {
          const note = text.trim();
          const before = curations.current.get(row.id)?.note ?? null;
          if ((before ?? '') === note) return notify('info', 'Note unchanged');
          curate(row, { note: note === '' ? null : note }, note === '' ? 'note cleared' : 'note saved');
        };
        if (arg) save(arg);
        else ui.prompt({ label: `Note on ${rowLabel(row)}`, initial: curations.current.get(row.id)?.note ?? '', placeholder: 'empty clears the note', onSubmit: save });
        return true;
      }
      default:
        break;
    }
    if (detailOpen && pane === 'detail' && detailNav.handle(id, args)) return true;
    return nav.handle(id, args);
  }, front);

  // --- drawing ----------------------------------------------------------------------
  const columns = useMemo(() => variantColumns({ wide, scroll, sort }), [wide, scroll, sort]);
  const file = source?.file ?? null;
  // the order is in the breadcrumb above: this line is the file and where the cursor is
  const head: Span[] = [{ text: ` ${file ? fileName(file.path) : source?.stale ? `${fileName(source.stale.path)} was cleared by an upgrade of Curio` : 'no VCF'}`, tone: 'title' }];
  if (file?.sample) head.push({ text: ` (${file.sample})`, tone: 'muted' });
  if (source?.loading) head.push({ text: ` · ${theme.glyph.reconnecting} ingesting… ${thousands(source.loadedRows ?? 0)} rows so far`, tone: 'pending' });
  if (count !== null && file) {
    head.push({ text: ` · ${thousands(count)}${file && !loading ? ` of ${thousands(file.recordCount)}` : ''} variants` });
    head.push({ text: ` · ${count > 0 ? nav.cursor + 1 : 0}/${thousands(count)}`, tone: 'muted' });
  } else if (key !== null && file) head.push({ text: ' · counting…', tone: 'muted' });
  if (source?.newerLoading) head.push({ text: ` · ${theme.glyph.reconnecting} a newer file is being ingested (${thousands(source.loadedRows ?? 0)} rows so far)`, tone: 'pending' });
  if (building) head.push({ text: ` · ${theme.glyph.reconnecting} building the ${building} index (once per file)…`, tone: 'pending' });

  const filterLine: Span[] = [
    { text: ' filter: ', tone: 'muted' },
    { text: describeFilter(filter) },
    { text: '  sort: ', tone: 'muted' },
    { text: sort ? sortText(sort) : '…' },
  ];
  if (wide) {
    const shown = WIDE_SCROLLING.slice(scroll).map(columnTitle);
    filterLine.push({ text: `  wide: from ${shown[0] ?? ''} (${scroll > 0 ? '←' : ''}${scroll < WIDE_SCROLLING.length - 1 ? '→' : ''})`, tone: 'accent' });
  }

  // the row shows tier, ACMG and the mark; what it cannot show is the note
  const note = current ? curations.current.get(current.id)?.note : undefined;
  const status: Span[] = readOnly
    ? [{ text: ` ${theme.glyph.warn} ${readOnly}`, tone: 'warn' }]
    : note
      ? [{ text: ` ✎ note: ${note.replace(/\s+/g, ' ')}` }]
      : [{ text: ' ✎ t tier · a ACMG · Space reportable · e note · Enter details', tone: 'muted' }];

  let body: ReactNode;
  if (viewRight && !viewRight.success) {
    body = <LineText line={[{ text: ` ${theme.glyph.error} ${agg ? refusalText(viewRight.error, agg, 'viewing variants', ui.userName) : rejectionText(viewRight.error)} — Esc goes back`, tone: 'danger' }]} width={width} />;
  } else {
    const empty = win.error
      ? `${theme.glyph.error} Reading variants failed: ${win.error.message}`
      : key === null || count === null
        ? 'loading…'
        : !file
          ? source?.stale
            ? `Ingest the file again to browse it: curio vcf ingest ${displayId ?? 'ORDER'} FILE`
            : `No VCF ingested for this order yet: curio vcf ingest ${displayId ?? 'ORDER'} FILE`
          : 'No variant matches — F clears the filters, 4 shows tier IV';
    body = (
      <>
        <Table
          columns={columns}
          rowAt={(i): VariantView | undefined => {
            const row = win.rowAt(i);
            return row ? { row, curation: curations.current.get(row.id) } : undefined;
          }}
          {...nav.view}
          width={width}
          wide={wide}
          focused={active && pane === 'table'}
          emptyText={empty}
        />
        {detailOpen ? (
          <Pane title={current ? `Details · ${rowLabel(current)}` : 'Details'} focused={pane === 'detail'} width={width} height={detailHeight} info={detailLines.length ? `${detailNav.cursor + 1}/${detailLines.length} Tab` : ''}>
            <WindowedList
              {...detailNav.view}
              width={width}
              rowAt={(i) => detailLines[i]}
              focused={active && pane === 'detail'}
              emptyText={detail.loading ? 'loading…' : 'No variant under the cursor'}
            />
          </Pane>
        ) : null}
      </>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText line={head} width={width} />
      <LineText line={filterLine} width={width} />
      <Box flexDirection="column" width={width} height={height - 3} overflow="hidden">
        {body}
      </Box>
      <LineText line={status} width={width} />
    </Box>
  );
}

const ACMG_NAMES: Record<(typeof ACMG_CLASSES)[number], string> = {
  P: 'pathogenic',
  LP: 'likely pathogenic',
  VUS: 'uncertain significance',
  LB: 'likely benign',
  B: 'benign',
};
