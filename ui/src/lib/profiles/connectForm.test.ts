import { describe, expect, it } from 'vitest';
import {
  emptyConnectValues,
  toConnectInput,
  urlProblem,
  validateConnect,
  type ConnectValues,
} from './connectForm';
import { DEFAULT_URLS } from '../ui/environment';

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
  it('allows plain http only for this machine', () => {
    for (const ok of ['http://127.0.0.2', 'http://localhost:8080', 'http://[::1]:9000', 'https://10.0.0.1'])
      expect(urlProblem(ok), ok).toBeNull();
    for (const refused of [
      'http://10.0.0.1',
      'http://localhost.evil.com',
      'http://example.com',
      'http://0.0.0.0',
    ])
      expect(urlProblem(refused), refused).toMatch(
        /allowed only for this machine: 127\.0\.0\.1, ::1, localhost/,
      );
    const problems = validateConnect(
      values({ urls: { ...DEFAULT_URLS, vault: 'http://vault.example.com' } }),
      [],
    );
    expect(Object.keys(problems)).toEqual(['vault']);
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
