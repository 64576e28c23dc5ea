// identical to TRIM(BOTH '-' FROM REGEXP_REPLACE(LOWER(display_id), '[^a-z0-9]+', '-', 'g'))
export function slugify(displayId: string): string {
  return displayId
    // JS lowercases İ (U+0130) to "i" + U+0307, PostgreSQL's LOWER (PGlite C.UTF-8, glibc) to "i": the one code point where they differ
    .replace(/\u0130/g, 'i')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export const SLUG_SQL = `TRIM(BOTH '-' FROM REGEXP_REPLACE(LOWER(display_id), '[^a-z0-9]+', '-', 'g'))`;
