import { describe, expect, it } from 'vitest';
import { shortFingerprint, sniffPem, ttlPresetsWithin, validateKeyName } from './keyForms';

describe('key forms', () => {
  it('accepts names of 1 to 50 characters, counted as characters', () => {
    expect(validateKeyName('k')).toBeNull();
    expect(validateKeyName('é'.repeat(50))).toBeNull();
    expect(validateKeyName('x'.repeat(51))).toMatch(/at most 50/);
    expect(validateKeyName('')).toMatch(/1 to 50/);
    expect(validateKeyName('   ')).toMatch(/1 to 50/);
  });

  it('tells public, private and encrypted PEMs apart', () => {
    expect(sniffPem('-----BEGIN PUBLIC KEY-----\n')).toBe('public');
    expect(sniffPem('-----BEGIN RSA PUBLIC KEY-----')).toBe('public');
    expect(sniffPem('-----BEGIN CERTIFICATE-----')).toBe('public');
    expect(sniffPem('-----BEGIN RSA PRIVATE KEY-----')).toBe('private');
    expect(sniffPem('-----BEGIN PRIVATE KEY-----')).toBe('private');
    expect(sniffPem('junk\n-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe('encrypted');
    expect(sniffPem('ssh-rsa AAAA')).toBe('unknown');
  });

  it('shortens fingerprints to six pairs', () => {
    const sha256 = Array.from({ length: 32 }, () => 'ab').join(':');
    expect(shortFingerprint({ sha256, sha256Base64url: '', jwkThumbprint: '' })).toBe('ab:ab:ab:ab:ab:ab…');
    expect(shortFingerprint(null)).toBe('unreadable key');
  });
});

describe('signed JWT lifetimes', () => {
  it('offers only the lifetimes within the profile cap', () => {
    const labels = (cap: number) => ttlPresetsWithin(cap).map((p) => p.label);
    expect(labels(7 * 86_400)).toEqual(['15 minutes', '1 hour', '6 hours', '1 day', '7 days']);
    expect(labels(3600)).toEqual(['15 minutes', '1 hour']);
  });
});
