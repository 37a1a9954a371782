import { describe, expect, it } from 'vitest';
import { formatRelative, formatRelativeShort } from './time';

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
