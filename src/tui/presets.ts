import type { VariantFilterPreset } from '../vcf/index.ts';

// saved variant filter presets: per user, in the store's local settings (local_meta), never
// synced. What is read back is checked preset by preset; a broken entry is skipped and
// said so, and never stops the browser.

export interface PresetList {
  /** the user's own presets that read back cleanly */
  presets: VariantFilterPreset[];
  /** what was wrong with what was stored, in words; null when all was well */
  problem: string | null;
}

interface PresetSchema {
  safeParse(value: unknown): { success: true; data: VariantFilterPreset } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

export function presetKey(userId: string): string {
  return `variant_presets:${userId}`;
}

function issueText(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  if (!first) return 'not a preset';
  return `${first.path.length ? `${first.path.map(String).join('.')}: ` : ''}${first.message}`;
}

/** the stored value as presets; anything unreadable is reported, not thrown */
export function readPresets(raw: unknown, schema: PresetSchema): PresetList {
  if (raw === undefined || raw === null) return { presets: [], problem: null };
  const list = typeof raw === 'object' && !Array.isArray(raw) ? (raw as { presets?: unknown }).presets : undefined;
  if (!Array.isArray(list)) {
    return { presets: [], problem: 'Your saved presets are unreadable (not a list of presets); only the built-in ones are offered, and saving one starts a new list' };
  }
  const presets: VariantFilterPreset[] = [];
  const broken: string[] = [];
  list.forEach((entry, i) => {
    const r = schema.safeParse(entry);
    if (r.success) presets.push(r.data);
    else {
      const name = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? ` "${(entry as { name: string }).name}"` : '';
      broken.push(`#${i + 1}${name} (${issueText(r.error)})`);
    }
  });
  const problem = broken.length
    ? `${broken.length} saved preset${broken.length === 1 ? ' is' : 's are'} unreadable and left out: ${broken.join('; ')}; saving a preset keeps only the readable ones`
    : null;
  return { presets, problem };
}

/** what is stored: a versioned list, so a later shape can be told apart */
export function storedPresets(presets: readonly VariantFilterPreset[]): { version: 1; presets: VariantFilterPreset[] } {
  return { version: 1, presets: [...presets] };
}
