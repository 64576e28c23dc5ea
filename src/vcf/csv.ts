// CSV fields for COPY … WITH (FORMAT csv): an empty unquoted field is NULL, so an
// empty string must be quoted

const NEEDS_QUOTES = /[",\n\r]/;

export function csvText(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  if (s === '') return '""';
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** non-finite numbers (NaN from "nan", ±inf) have no place in a double column: NULL */
export function csvNumber(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '' : String(n);
}

export function csvInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isInteger(n) || n > 2147483647 || n < -2147483648 ? '' : String(n);
}
