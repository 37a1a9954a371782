import type { SecretsInfo } from '../types';

export const MIN_PASSPHRASE_LENGTH = 8;

/**
 * - create: no encrypted file yet; choose a passphrase (typed twice).
 * - open: a file exists but another backend is in use; switch to it.
 * - unlock: the encrypted file is in use and locked.
 * - none: the encrypted file is in use and unlocked.
 */
export type PassphraseMode = 'create' | 'open' | 'unlock' | 'none';

export function passphraseMode(secrets: SecretsInfo): PassphraseMode {
  if (secrets.backend === 'encrypted_file') return secrets.ready ? 'none' : 'unlock';
  return secrets.encryptedFileExists ? 'open' : 'create';
}

/** The problem with what was typed, or null when it can be sent. */
export function passphraseProblem(mode: PassphraseMode, passphrase: string, confirm: string): string | null {
  if (mode === 'none') return null;
  if (!passphrase) return 'Enter the passphrase.';
  if (mode !== 'create') return null;
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) return `Use at least ${MIN_PASSPHRASE_LENGTH} characters.`;
  if (passphrase !== confirm) return 'The two passphrases differ.';
  return null;
}
