import { describe, expect, it, vi } from 'vitest';
import { formatAbsolute, formatRelative, formatRelativeShort } from './time';

const now = new Date('2026-06-15T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;

describe('relative times', () => {
  it('reads naturally', () => {
    expect(formatRelative(at(-14 * MIN), now)).toBe('14 minutes ago');
    expect(formatRelative(at(-DAY), now)).toBe('yesterday');
    expect(formatRelative(at(5 * DAY), now)).toBe('in 5 days');
    expect(formatRelative(at(-10 * 1000), now)).toBe('just now');
  });

  it('abbreviates units for narrow columns, but not days', () => {
    expect(formatRelativeShort(at(-14 * MIN), now)).toBe('14 min. ago');
    expect(formatRelativeShort(at(-4 * 60 * MIN), now)).toBe('4 hr. ago');
    expect(formatRelativeShort(at(-DAY), now)).toBe('yesterday');
    expect(formatRelativeShort(at(-10 * DAY), now)).toBe('10 days ago');
    expect(formatRelativeShort(at(5 * DAY), now)).toBe('in 5 days');
    expect(formatRelativeShort(at(-40 * DAY), now)).toBe('1 mo. ago');
    expect(formatRelativeShort(at(330 * DAY), now)).toBe('in 11 mo.');
    expect(formatRelativeShort(at(-400 * DAY), now)).toBe('1 yr. ago');
    expect(formatRelativeShort(at(-10 * 1000), now)).toBe('just now');
  });
});

describe('the same words as Intl (en)', () => {
  // The formatters are written out (no ICU at start-up); Node's Intl is the reference.
  const auto = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const short = new Intl.RelativeTimeFormat('en', { numeric: 'always', style: 'short' });
  const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 365 * DAY],
    ['month', 30 * DAY],
    ['day', DAY],
    ['hour', 60 * MIN],
    ['minute', MIN],
  ];
  const offsets = [
    1,
    2,
    5,
    11,
    59,
    61,
    119,
    60 * 23,
    60 * 25,
    60 * 24 * 29,
    60 * 24 * 31,
    60 * 24 * 59,
    60 * 24 * 364,
  ]
    .flatMap((m) => [m * MIN, m * MIN + 30 * 1000])
    .concat([365 * DAY, 366 * DAY, 800 * DAY, 2000 * DAY]);

  for (const sign of [1, -1]) {
    it(sign > 0 ? 'for the future' : 'for the past', () => {
      for (const offset of offsets) {
        const diff = sign * offset;
        const [unit, size] = UNITS.find(([, s]) => offset >= s)!;
        const value = Math.trunc(diff / size);
        expect(formatRelative(at(diff), now), `${diff} ms`).toBe(auto.format(value, unit));
        const expectedShort = unit === 'day' ? auto.format(value, unit) : short.format(value, unit);
        expect(formatRelativeShort(at(diff), now), `${diff} ms`).toBe(expectedShort);
      }
    });
  }
});

describe('absolute times', () => {
  it('spells the local date, a 12-hour clock and the UTC offset', () => {
    const date = new Date(2026, 6, 4, 15, 30); // local time
    const at = (minutesWest: number) => {
      vi.spyOn(date, 'getTimezoneOffset').mockReturnValue(minutesWest);
      return formatAbsolute(date);
    };
    expect(at(0)).toBe('Jul 4, 2026, 03:30 PM UTC');
    expect(at(-120)).toBe('Jul 4, 2026, 03:30 PM UTC+2');
    expect(at(-330)).toBe('Jul 4, 2026, 03:30 PM UTC+5:30');
    expect(at(210)).toBe('Jul 4, 2026, 03:30 PM UTC-3:30');
    expect(formatAbsolute(new Date(2026, 0, 9, 0, 5))).toMatch(/^Jan 9, 2026, 12:05 AM UTC/);
    expect(formatAbsolute(new Date(2026, 11, 31, 12, 0))).toMatch(/^Dec 31, 2026, 12:00 PM UTC/);
  });
});
