import { describe, expect, it } from 'vitest';
import type { SecretsInfo } from '../types';
import { passphraseMode, passphraseProblem } from './passphrase';

function secrets(overrides: Partial<SecretsInfo>): SecretsInfo {
  return {
    backend: 'keychain',
    description: 'the OS keychain',
    ready: true,
    problem: null,
    encryptedFileExists: false,
    ...overrides,
  };
}

describe('passphraseMode', () => {
  it('offers to create the file when none exists', () => {
    expect(passphraseMode(secrets({ ready: false }))).toBe('create');
    expect(passphraseMode(secrets({ backend: 'memory' }))).toBe('create');
  });
  it('offers to open an existing file when another backend is in use', () => {
    expect(passphraseMode(secrets({ ready: false, encryptedFileExists: true }))).toBe('open');
  });
  it('asks to unlock the encrypted file when it is in use and locked', () => {
    expect(
      passphraseMode(secrets({ backend: 'encrypted_file', ready: false, encryptedFileExists: true })),
    ).toBe('unlock');
  });
  it('asks nothing when the encrypted file is unlocked', () => {
    expect(
      passphraseMode(secrets({ backend: 'encrypted_file', ready: true, encryptedFileExists: true })),
    ).toBe('none');
  });
});

describe('passphraseProblem', () => {
  it('requires at least 8 characters for a new file', () => {
    expect(passphraseProblem('create', '1234567', '1234567')).toMatch(/at least 8/);
    expect(passphraseProblem('create', '12345678', '12345678')).toBeNull();
  });
  it('requires the confirmation to match for a new file', () => {
    expect(passphraseProblem('create', '12345678', '12345679')).toMatch(/differ/);
  });
  it('only requires something when unlocking or opening', () => {
    expect(passphraseProblem('unlock', '', '')).toMatch(/Enter/);
    expect(passphraseProblem('unlock', 'short', '')).toBeNull();
    expect(passphraseProblem('open', 'short', '')).toBeNull();
  });
});
