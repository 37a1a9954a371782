import { describe, expect, it } from 'vitest';
import { emptyUserJwt, jwtExpiry, playerSnippet, toUserJwtRequest, validateUserJwt } from './userJwt';

describe('user JWT form', () => {
  it('needs both ids and a TTL of 1 to 86400 whole seconds', () => {
    expect(Object.keys(validateUserJwt(emptyUserJwt())).sort()).toEqual(['contentId', 'userId']);
    const base = { ...emptyUserJwt(), userId: 'u', contentId: 'c', ttl: 'custom' as const };
    expect(validateUserJwt({ ...base, customTtl: '86400' })).toEqual({});
    expect(validateUserJwt({ ...base, customTtl: '1' })).toEqual({});
    for (const bad of ['', '0', '86401', '1.5', '-3', 'ten']) {
      expect(validateUserJwt({ ...base, customTtl: bad }).ttl).toBeDefined();
    }
  });

  it('sends the documented body, trimmed', () => {
    expect(
      toUserJwtRequest({ ...emptyUserJwt(), userId: ' usr_xyz789 ', contentId: 'c_7a3b9f1d ', ttl: '86400' }),
    ).toStrictEqual({ user_id: 'usr_xyz789', content_id: 'c_7a3b9f1d', ttl_seconds: 86400 });
  });

  it('builds the documented player snippet, escaping quotes', () => {
    expect(playerSnippet('c_7a3b9f1d', 'eyJ.a.b')).toBe(
      "VSPlayer.mount('#player', { contentId: 'c_7a3b9f1d', jwt: 'eyJ.a.b' });",
    );
    expect(playerSnippet("it's", 'x')).toContain("contentId: 'it\\'s'");
  });

  it('takes the expiry from expiresAt, else the exp claim', () => {
    expect(jwtExpiry({ expiresAt: '2026-07-04T15:30:00Z', claims: {} })?.toISOString()).toBe(
      '2026-07-04T15:30:00.000Z',
    );
    expect(jwtExpiry({ expiresAt: null, claims: { exp: 1_800_000_000 } })?.getTime()).toBe(1_800_000_000_000);
    expect(jwtExpiry({ expiresAt: null, claims: null })).toBeNull();
  });
});
