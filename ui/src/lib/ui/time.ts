// Date formatting for tables: a short relative text, the exact time on hover.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses an ISO 8601 timestamp; `null` for missing or unparseable values. */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// English only, written out rather than through Intl: the token list shows
// three dates per row at start-up, and WebKitGTK's Intl formatters load ICU's
// locale data (~4 MB of the window's memory, and time before the first rows).
// time.test.ts checks these against Intl's own output.

type Unit = 'year' | 'month' | 'day' | 'hour' | 'minute';

const UNITS: Array<[Unit, number]> = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 60 * 60 * 1000],
  ['minute', 60 * 1000],
];

/** The largest unit that fits `diff` (ms, signed) and its whole count; null under a minute. */
function largestUnit(diff: number): [Unit, number] | null {
  const abs = Math.abs(diff);
  for (const [unit, size] of UNITS) {
    if (abs >= size) return [unit, Math.trunc(diff / size)];
  }
  return null;
}

/** "in <phrase>" for a future `count`, "<phrase> ago" for a past one (never 0 here). */
function inOrAgo(count: number, phrase: string): string {
  return count > 0 ? `in ${phrase}` : `${phrase} ago`;
}

/** "in 3 days", "2 months ago". */
function spelled(count: number, unit: string): string {
  const n = Math.abs(count);
  return inOrAgo(count, `${n} ${unit}${n === 1 ? '' : 's'}`);
}

/** "yesterday", "next month", "last year", as Intl's `numeric: 'auto'`. */
function named(count: number, unit: Unit): string | null {
  if (count === 1)
    return unit === 'day' ? 'tomorrow' : unit === 'month' || unit === 'year' ? `next ${unit}` : null;
  if (count === -1)
    return unit === 'day' ? 'yesterday' : unit === 'month' || unit === 'year' ? `last ${unit}` : null;
  return null;
}

const SHORT: Record<Exclude<Unit, 'day'>, string> = {
  year: 'yr.',
  month: 'mo.',
  hour: 'hr.',
  minute: 'min.',
};

/** "in 3 days", "2 months ago", "yesterday", "just now". */
export function formatRelative(date: Date, now: Date): string {
  const found = largestUnit(date.getTime() - now.getTime());
  if (!found) return 'just now';
  const [unit, count] = found;
  return named(count, unit) ?? spelled(count, unit);
}

/**
 * For narrow columns: "14 min. ago", "in 2 mo.", "1 yr. ago"; days as in
 * `formatRelative` ("yesterday", "in 5 days"), and "just now".
 */
export function formatRelativeShort(date: Date, now: Date): string {
  const found = largestUnit(date.getTime() - now.getTime());
  if (!found) return 'just now';
  const [unit, count] = found;
  if (unit === 'day') return named(count, unit) ?? spelled(count, unit);
  return inOrAgo(count, `${Math.abs(count)} ${SHORT[unit]}`);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** "UTC", "UTC+2", "UTC-3:30": the local zone's offset at `date`. */
function zone(date: Date): string {
  const east = -date.getTimezoneOffset();
  if (east === 0) return 'UTC';
  const abs = Math.abs(east);
  const minutes = abs % 60;
  return `UTC${east > 0 ? '+' : '-'}${Math.floor(abs / 60)}${minutes ? `:${two(minutes)}` : ''}`;
}

/** "Jul 4, 2026, 03:30 PM UTC+2" in the local time zone. */
export function formatAbsolute(date: Date): string {
  const hours = date.getHours();
  const clock = `${two(hours % 12 === 0 ? 12 : hours % 12)}:${two(date.getMinutes())} ${hours < 12 ? 'AM' : 'PM'}`;
  return `${MONTHS[date.getMonth()]} ${date.getDate()}, ${date.getFullYear()}, ${clock} ${zone(date)}`;
}

/** Whole days from `from` to `now` (0 for less than a day). */
export function daysBetween(from: Date, now: Date): number {
  return Math.floor((now.getTime() - from.getTime()) / DAY_MS);
}

/** "today", "1 day", "45 days", "2 years". */
export function formatAge(from: Date, now: Date): string {
  const days = daysBetween(from, now);
  if (days < 1) return 'today';
  if (days < 730) return days === 1 ? '1 day' : `${days} days`;
  return `${Math.floor(days / 365)} years`;
}

export { DAY_MS };
