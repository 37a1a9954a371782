// Date formatting for tables: a short relative text, the exact time on hover.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses an ISO 8601 timestamp; `null` for missing or unparseable values. */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 60 * 60 * 1000],
  ['minute', 60 * 1000],
];

const shortFormat = new Intl.RelativeTimeFormat('en', { numeric: 'always', style: 'short' });

/** "in 3 days", "2 months ago", "just now". */
export function formatRelative(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  for (const [unit, size] of UNITS) {
    if (abs >= size) return relativeFormat.format(Math.trunc(diff / size), unit);
  }
  return 'just now';
}

/**
 * For narrow columns: "14 min. ago", "in 2 mo.", "1 yr. ago"; days as in
 * `formatRelative` ("yesterday", "in 5 days"), and "just now".
 */
export function formatRelativeShort(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  for (const [unit, size] of UNITS) {
    if (abs < size) continue;
    const value = Math.trunc(diff / size);
    return unit === 'day' ? relativeFormat.format(value, unit) : shortFormat.format(value, unit);
  }
  return 'just now';
}

const absoluteFormat = new Intl.DateTimeFormat('en', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** "Jul 4, 2026, 03:30 PM UTC" in the local time zone. */
export function formatAbsolute(date: Date): string {
  return absoluteFormat.format(date);
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
