import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../types';
import { DAY_MS } from '../ui/time';
import { EXPIRY_WARNING_DAYS, MAX_AGE_DAYS, hygieneSummary, tokenHygiene } from './hygiene';

const NOW = new Date('2026-07-04T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

/** A healthy token: created yesterday, expires in 60 days, minimal scopes. */
function token(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: 'tok_1',
    name: 'CI',
    scopes: ['content:read'],
    created_at: at(-DAY_MS),
    expires_at: at(60 * DAY_MS),
    last_used_at: null,
    ...overrides,
  };
}

const kinds = (t: ApiToken) => tokenHygiene(t, NOW).map((b) => b.kind);

describe('tokenHygiene', () => {
  it('gives a healthy token no badge', () => {
    expect(tokenHygiene(token(), NOW)).toEqual([]);
  });

  describe('older than 90 days', () => {
    it('is not flagged at exactly 90 days', () => {
      expect(kinds(token({ created_at: at(-MAX_AGE_DAYS * DAY_MS) }))).not.toContain('old');
    });
    it('is flagged one second past 90 days', () => {
      expect(kinds(token({ created_at: at(-MAX_AGE_DAYS * DAY_MS - 1000) }))).toEqual(['old']);
    });
    it('says how old the token is', () => {
      const [badge] = tokenHygiene(token({ created_at: at(-200 * DAY_MS) }), NOW);
      expect(badge.reason).toContain('200 days ago');
      expect(badge.severity).toBe('warning');
    });
    it('is not flagged when the creation date is unknown or unparseable', () => {
      expect(kinds(token({ created_at: null }))).toEqual([]);
      expect(kinds(token({ created_at: 'not a date' }))).toEqual([]);
    });
  });

  describe('no expiry', () => {
    it('is flagged when expires_at is null', () => {
      const badges = tokenHygiene(token({ expires_at: null }), NOW);
      expect(badges.map((b) => b.kind)).toEqual(['no_expiry']);
      expect(badges[0].reason).toMatch(/until revoked/);
    });
    it('is not flagged for an unparseable expiry (unknown, not absent)', () => {
      expect(kinds(token({ expires_at: 'garbage' }))).toEqual([]);
    });
  });

  describe('admin:write', () => {
    it('is flagged when the token holds admin:write', () => {
      const badges = tokenHygiene(token({ scopes: ['content:read', 'admin:write'] }), NOW);
      expect(badges.map((b) => b.kind)).toEqual(['admin_write']);
      expect(badges[0].severity).toBe('danger');
    });
    it('is not flagged for admin:read only', () => {
      expect(kinds(token({ scopes: ['admin:read'] }))).toEqual([]);
    });
  });

  describe('expires within 14 days', () => {
    it('is flagged at exactly 14 days', () => {
      expect(kinds(token({ expires_at: at(EXPIRY_WARNING_DAYS * DAY_MS) }))).toEqual(['expiring_soon']);
    });
    it('is not flagged one second past 14 days', () => {
      expect(kinds(token({ expires_at: at(EXPIRY_WARNING_DAYS * DAY_MS + 1000) }))).toEqual([]);
    });
    it('is flagged one second before expiry, and says when', () => {
      const badges = tokenHygiene(token({ expires_at: at(1000) }), NOW);
      expect(badges.map((b) => b.kind)).toEqual(['expiring_soon']);
      expect(badges[0].reason).toContain('1 hour');
    });
    it('reports the days left', () => {
      const [badge] = tokenHygiene(token({ expires_at: at(3 * DAY_MS) }), NOW);
      expect(badge.reason).toContain('3 days');
    });
  });

  describe('expired', () => {
    it('is flagged at the expiry instant', () => {
      expect(kinds(token({ expires_at: at(0) }))).toEqual(['expired']);
    });
    it('is flagged after expiry and is not also "expires soon"', () => {
      const badges = tokenHygiene(token({ expires_at: at(-2 * DAY_MS) }), NOW);
      expect(badges.map((b) => b.kind)).toEqual(['expired']);
      expect(badges[0].severity).toBe('danger');
      expect(badges[0].reason).toContain('2 days ago');
    });
  });

  it('combines independent findings, most urgent first', () => {
    const t = token({
      created_at: at(-400 * DAY_MS),
      expires_at: at(-1 * DAY_MS),
      scopes: ['admin:write'],
    });
    expect(kinds(t)).toEqual(['expired', 'admin_write', 'old']);
  });

  it('every badge has a label and a reason', () => {
    const t = token({ created_at: at(-100 * DAY_MS), expires_at: null, scopes: ['admin:write'] });
    for (const badge of tokenHygiene(t, NOW)) {
      expect(badge.label.length).toBeGreaterThan(0);
      expect(badge.reason.length).toBeGreaterThan(10);
    }
  });
});

describe('hygieneSummary', () => {
  it('counts tokens per finding and tokens with any finding', () => {
    const summary = hygieneSummary(
      [
        token(),
        token({ expires_at: null }),
        token({ expires_at: null, scopes: ['admin:write'] }),
        token({ expires_at: at(-1000) }),
        token({ expires_at: at(DAY_MS) }),
        token({ created_at: at(-91 * DAY_MS) }),
      ],
      NOW,
    );
    expect(summary.flagged).toBe(5);
    expect(summary.counts).toEqual({
      expired: 1,
      expiring_soon: 1,
      admin_write: 1,
      no_expiry: 2,
      old: 1,
    });
  });

  it('is all zero for no tokens', () => {
    const summary = hygieneSummary([], NOW);
    expect(summary.flagged).toBe(0);
    expect(Object.values(summary.counts).every((n) => n === 0)).toBe(true);
  });
});
