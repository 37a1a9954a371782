// Pure helpers of the Leak check page (unit-tested in findings.test.ts).
import type { PageIntent } from '../app/navigation.svelte';
import type { Finding, FindingKind, ScanReport } from '../types';

export const KIND_LABELS: Record<FindingKind, string> = {
  vaultstream_token: 'VaultStream token',
  private_key: 'Private key',
  stored_credential: 'Stored credential',
};

/** "1 file", "1,204 files". */
const count = (n: number, one: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : `${one}s`}`;

/**
 * What is wrong with the folder typed (null: nothing). A relative path would
 * be resolved against the app's own working directory, so a full one is asked for.
 */
export function folderProblem(root: string): string | null {
  const path = root.trim();
  if (!path) return 'Choose a folder, or type its full path.';
  if (path === '~' || path.startsWith('~/')) return 'Type the full path: ~ is not expanded here.';
  const absolute = path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
  return absolute ? null : 'Type the folder’s full path, e.g. /home/me/project.';
}

/** "3 findings in 1,204 files", or "No leaks found in 1,204 files". */
export function summary(report: ScanReport): string {
  const files = count(report.files, 'file');
  if (report.findings.length === 0) return `No leaks found in ${files}`;
  return `${count(report.findings.length, 'finding')} in ${files}`;
}

/** The finding's file under the folder swept (the sweep names it from the root given). */
export function relativePath(path: string, root: string | null): string {
  const base = root?.replace(/[\\/]+$/, '');
  if (!base) return path;
  for (const sep of ['/', '\\']) {
    if (path.startsWith(base + sep)) return path.slice(base.length + 1);
  }
  return path;
}

/** "deploy/.env:12:7", under `root` when the path is. */
export function location(finding: Finding, root: string | null = null): string {
  return `${relativePath(finding.path, root)}:${finding.line}:${finding.column}`;
}

/** A commit id as git shows it short. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 10);
}

/** What the finding's buttons do: each opens the owning page's own confirmation. */
export interface FindingFixes {
  revoke: PageIntent | null;
  rotate: PageIntent | null;
  deleteKey: PageIntent | null;
  /** The finding belongs to another profile: switch to it to act. */
  otherProfile: string | null;
}

/** The fixes the app offers for `finding` while `active` is the active profile. */
export function fixesFor(finding: Finding, active: string | null): FindingFixes {
  const none: FindingFixes = { revoke: null, rotate: null, deleteKey: null, otherProfile: null };
  const tokenId = finding.tokenId;
  const keyId = finding.kind === 'private_key' ? (finding.keyId ?? finding.localKeyId) : null;
  if (!tokenId && !keyId) return none;
  if (finding.profile !== null && finding.profile !== active)
    return { ...none, otherProfile: finding.profile };
  return {
    revoke: tokenId ? { page: 'tokens', action: 'revoke', id: tokenId } : null,
    rotate: tokenId ? { page: 'tokens', action: 'rotate', id: tokenId, leaked: true } : null,
    deleteKey: keyId ? { page: 'keys', action: 'delete', id: keyId } : null,
    otherProfile: null,
  };
}
