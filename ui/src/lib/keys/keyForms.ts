// Pure logic of the keys screens: name rules, PEM sniffing, TTL presets,
// labels and short fingerprints (the wizard's steps: wizard/keyWizard.ts).
import type { Fingerprints, KeyStatus, Pairing } from '../types';

export const KEY_SIZES = [2048, 3072, 4096] as const;
export const DEFAULT_BITS = 2048;
export const MAX_NAME = 50;

/** Same rule as Rust (`validate_key_name`): 1 to 50 characters, not only spaces. */
export function validateKeyName(name: string): string | null {
  const n = [...name].length;
  if (n === 0 || name.trim() === '') return 'A key name needs 1 to 50 characters.';
  if (n > MAX_NAME) return `A key name has at most 50 characters (this one has ${n}).`;
  return null;
}

export type PemSniff = 'public' | 'private' | 'encrypted' | 'unknown';

/** What the pasted PEM looks like, to ask for a passphrase before importing. */
export function sniffPem(text: string): PemSniff {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (!label) return 'unknown';
  if (label === 'ENCRYPTED PRIVATE KEY') return 'encrypted';
  if (label.endsWith('PRIVATE KEY')) return 'private';
  if (label.endsWith('PUBLIC KEY') || label.includes('CERTIFICATE')) return 'public';
  return 'unknown';
}

export const TTL_PRESETS: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 15 * 60, label: '15 minutes' },
  { seconds: 60 * 60, label: '1 hour' },
  { seconds: 6 * 60 * 60, label: '6 hours' },
  { seconds: 24 * 60 * 60, label: '1 day' },
  { seconds: 7 * 24 * 60 * 60, label: '7 days' },
  { seconds: 30 * 24 * 60 * 60, label: '30 days' },
];
export const DEFAULT_TTL = 60 * 60;

/** A profile's longest signed-JWT lifetime when it sets none (Rust's default). */
export const DEFAULT_JWT_MAX_TTL = 7 * 24 * 60 * 60;

/** The lifetimes a profile whose cap is `cap` seconds allows. */
export function ttlPresetsWithin(cap: number): ReadonlyArray<{ seconds: number; label: string }> {
  return TTL_PRESETS.filter((p) => p.seconds <= cap);
}

export const PAIRING_LABELS: Record<Pairing, string> = {
  paired: 'Paired',
  no_private_key_here: 'No private key here',
  not_uploaded: 'Not uploaded',
  unchecked: 'Not checked',
};

export const PAIRING_HINTS: Record<Pairing, string> = {
  paired: 'Uploaded, and its private key is on this computer: it can sign JWTs here.',
  no_private_key_here: 'Uploaded, but its private key is not on this computer: sign elsewhere.',
  not_uploaded: 'A private key on this computer whose public half is not uploaded yet.',
  unchecked:
    'A private key on this computer; whether it is uploaded is not known while the JWT keys API does not answer.',
};

/** `ab:cd:ef:01:23:45…`: enough to tell keys apart in a table. */
export function shortFingerprint(f: Fingerprints | null): string {
  if (!f) return 'unreadable key';
  return f.sha256.length > 17 ? `${f.sha256.slice(0, 17)}…` : f.sha256;
}

/** The row's id: the server id, else the local id of a key never uploaded. */
export function rowId(row: KeyStatus): string {
  return row.server?.id ?? row.local?.localId ?? '';
}

export function rowName(row: KeyStatus): string {
  return row.server?.name ?? row.local?.name ?? '';
}

/** "1 more hour", "5 more hours": how long a key's live JWTs last (rounded up). */
export function hoursLeft(hours: number | null): string {
  if (hours === null) return 'no longer';
  return hours === 1 ? '1 more hour' : `${hours} more hours`;
}
