// The Leak check page's state (issue 15 §1): the folder to sweep, whether
// to include git history, the sweep under way (progress, Cancel) and its
// report. No value ever reaches the UI: findings carry masked forms only.
import { createContext } from 'svelte';
import { call, onScanProgress } from '../backend';
import { PortalError } from '../errors/PortalError';
import type { Finding, FindingKind, ScanProgress, ScanReport } from '../types';

export type LeakStatus = 'idle' | 'running' | 'done' | 'error';

export const KIND_LABEL: Record<FindingKind, string> = {
  vaultstream_token: 'VaultStream token',
  private_key: 'Private key',
  stored_credential: 'Stored credential',
};

/** "src/.env:3:7", with the commit's first 10 characters for history. */
export function place(f: Finding): string {
  const at = `${f.path}:${f.line}:${f.column}`;
  return f.commit ? `${at} @ ${f.commit.slice(0, 10)}` : at;
}

export class LeakCheck {
  folder = $state<string | null>(null);
  history = $state(false);
  status = $state<LeakStatus>('idle');
  progress = $state.raw<ScanProgress | null>(null);
  report = $state.raw<ScanReport | null>(null);
  error = $state.raw<PortalError | null>(null);
  cancelling = $state(false);

  get running(): boolean {
    return this.status === 'running';
  }

  /** The native folder dialog; keeps the last folder when cancelled. */
  async choose(): Promise<void> {
    try {
      const chosen = await call('pick_scan_folder');
      if (chosen) this.folder = chosen;
    } catch (e) {
      this.error = PortalError.from(e);
      this.status = 'error';
    }
  }

  /** Sweeps the chosen folder (and its history when asked). */
  async run(): Promise<void> {
    const root = this.folder;
    if (!root || this.running) return;
    this.status = 'running';
    this.progress = { files: 0, bytes: 0 };
    this.error = null;
    this.cancelling = false;
    const stop = await onScanProgress((p) => {
      if (this.running) this.progress = p;
    });
    try {
      this.report = await call('scan_folder', { root, history: this.history });
      this.status = 'done';
    } catch (e) {
      this.error = PortalError.from(e);
      this.status = 'error';
    } finally {
      stop();
    }
  }

  /** Stops the sweep; it answers with what it found until then. */
  async cancel(): Promise<void> {
    if (!this.running) return;
    this.cancelling = true;
    await call('cancel_scan');
  }
}

export const [getLeakCheck, setLeakCheck] = createContext<LeakCheck>();
