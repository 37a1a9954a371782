import { describe, expect, it } from 'vitest';
import { documentedScopes } from '../../test/backend';
import {
  emptyNewToken,
  endOfDay,
  expiresAt,
  groupScopes,
  presetActive,
  SCOPE_PRESETS,
  toNewTokenInput,
  validateNewToken,
  type NewTokenValues,
} from './newToken';

const NOW = new Date(2026, 6, 4, 15, 30); // 4 Jul 2026, 15:30 local
const DAY = 24 * 60 * 60 * 1000;

const values = (overrides: Partial<NewTokenValues> = {}): NewTokenValues => ({
  ...emptyNewToken(),
  name: 'CI',
  scopes: ['content:read'],
  ...overrides,
});

describe('validateNewToken', () => {
  it('accepts a named token with a scope and the default 90 days', () => {
    expect(validateNewToken(values(), NOW)).toEqual({});
    expect(emptyNewToken().expiry).toBe('90');
  });

  it('needs a name that is not only spaces, and at least one scope', () => {
    const problems = validateNewToken(values({ name: '   ', scopes: [] }), NOW);
    expect(Object.keys(problems).sort()).toEqual(['name', 'scopes']);
  });

  it('needs a custom date after today', () => {
    const custom = (customDate: string) =>
      validateNewToken(values({ expiry: 'custom', customDate }), NOW).expiry;
    expect(custom('')).toMatch(/Choose/);
    expect(custom('2026-02-31')).toMatch(/Choose/);
    expect(custom('2026-07-03')).toMatch(/future/);
    expect(custom('2026-07-04')).toMatch(/future/);
    expect(custom('2026-07-05')).toBeUndefined();
  });
});

describe('expiresAt', () => {
  it('is null for never, now + N days for the presets', () => {
    expect(expiresAt({ expiry: 'never', customDate: '' }, NOW)).toBeNull();
    for (const days of [30, 90, 365] as const) {
      const at = expiresAt({ expiry: String(days) as '30' | '90' | '365', customDate: '' }, NOW);
      expect(new Date(at as string).getTime() - NOW.getTime()).toBe(days * DAY);
    }
  });

  it('is the end of the custom day in local time, as RFC 3339', () => {
    const at = expiresAt({ expiry: 'custom', customDate: '2026-12-31' }, NOW) as string;
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(new Date(at).getTime()).toBe(new Date(2026, 11, 31, 23, 59, 59, 999).getTime());
    expect(endOfDay('31/12/2026')).toBeNull();
  });
});

describe('toNewTokenInput', () => {
  it('is exactly name (trimmed), scopes and expiresAt', () => {
    expect(toNewTokenInput(values({ name: '  CI/CD  ', expiry: 'never' }), NOW)).toStrictEqual({
      name: 'CI/CD',
      scopes: ['content:read'],
      expiresAt: null,
    });
  });
});

describe('scopes', () => {
  it('groups by area in the order Content, Admin, Analytics, Webhooks, whatever the case', () => {
    const shuffled = [...documentedScopes].reverse().map((s) => ({ ...s, area: s.area.toLowerCase() }));
    const groups = groupScopes(shuffled);
    expect(groups.map((g) => g.area)).toEqual(['Content', 'Admin', 'Analytics', 'Webhooks']);
    expect(groups.flatMap((g) => g.scopes)).toHaveLength(6);
  });

  it('has least-privilege presets of one scope each, none with admin', () => {
    for (const preset of SCOPE_PRESETS) {
      expect(preset.scopes).toHaveLength(1);
      expect(preset.scopes[0]).not.toMatch(/^admin:/);
    }
    const ingestion = SCOPE_PRESETS.find((p) => p.label === 'Content ingestion');
    expect(ingestion?.scopes).toEqual(['content:write']);
    expect(presetActive(ingestion!, ['content:write'])).toBe(true);
    expect(presetActive(ingestion!, ['content:write', 'content:read'])).toBe(false);
  });
});
