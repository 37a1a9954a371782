import { describe, expect, it } from 'vitest';
import { emptyConnectValues, toConnectInput, validateConnect, type ConnectValues } from './connectForm';
import { DEFAULT_URLS } from './environment';

function values(overrides: Partial<ConnectValues> = {}): ConnectValues {
  return { ...emptyConnectValues(), name: 'Acme prod', environment: 'production', ...overrides };
}

describe('validateConnect', () => {
  it('accepts a name, an environment and the default URLs with no credentials', () => {
    expect(validateConnect(values(), [])).toEqual({});
  });
  it('starts with the documented default URLs and no environment', () => {
    const empty = emptyConnectValues();
    expect(empty.urls).toEqual(DEFAULT_URLS);
    expect(empty.environment).toBe('');
  });
  it('requires a name and an environment', () => {
    const problems = validateConnect(values({ name: '  ', environment: '' }), []);
    expect(Object.keys(problems).sort()).toEqual(['environment', 'name']);
  });
  it('refuses a name already taken, whatever the case', () => {
    expect(validateConnect(values({ name: 'sandbox' }), ['Sandbox']).name).toMatch(/already exists/);
  });
  it('refuses URLs that are not http(s)', () => {
    const problems = validateConnect(
      values({ urls: { vaultstream: 'ftp://x', jwtKeys: 'not a url', vault: 'http://127.0.0.1:9000' } }),
      [],
    );
    expect(Object.keys(problems).sort()).toEqual(['jwtKeys', 'vaultstream']);
  });
  it('wants the vault email and password together', () => {
    expect(Object.keys(validateConnect(values({ vaultPassword: 'pw' }), []))).toEqual(['vaultEmail']);
    expect(Object.keys(validateConnect(values({ vaultEmail: 'a@b.c' }), []))).toEqual(['vaultPassword']);
  });
});

describe('toConnectInput', () => {
  it('trims, drops trailing slashes and sends empty credentials as null', () => {
    const input = toConnectInput(
      values({
        name: ' Acme ',
        urls: { vaultstream: 'https://a.test/', jwtKeys: 'https://b.test/v2/', vault: ' https://c.test ' },
        vaultstreamToken: ' vst_live_x ',
        vaultEmail: '',
        vaultPassword: '',
      }),
    );
    expect(input).toEqual({
      name: 'Acme',
      environment: 'production',
      urls: { vaultstream: 'https://a.test', jwtKeys: 'https://b.test/v2', vault: 'https://c.test' },
      vaultstreamToken: 'vst_live_x',
      jwtKeysApiKey: null,
      vaultEmail: null,
      vaultPassword: null,
    });
  });
  it('keeps a password exactly as typed', () => {
    expect(toConnectInput(values({ vaultEmail: 'a@b.c', vaultPassword: ' p w ' })).vaultPassword).toBe(
      ' p w ',
    );
  });
});
