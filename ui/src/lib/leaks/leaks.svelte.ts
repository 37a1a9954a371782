// The Leak check page's state: the folder, a sweep under way (progress,
// Cancel) and its report. Kept for the app's lifetime (`PageStores`), so a
// sweep goes on, and its findings stay, while another page is open.
import { getPageStores } from '../app/stores.svelte';
import { call, onScanProgress } from '../backend';
import { PortalError } from '../errors/PortalError';
import { showError } from '../errors/showError';
import type { ScanProgress, ScanReport } from '../types';
import { folderProblem } from './findings';

export type LeakCheckStatus = 'idle' | 'running' | 'done' | 'error';

export class LeakCheck {
  /** The folder to sweep, typed or chosen in the native dialog. */
  root = $state('');
  /** Also every commit of the folder's git repository. */
  history = $state(false);
  status = $state<LeakCheckStatus>('idle');
  progress = $state.raw<ScanProgress>({ files: 0, bytes: 0 });
  report = $state.raw<ScanReport | null>(null);
  error = $state.raw<PortalError | null>(null);
  /** What the report is of (the form may have changed since). */
  scanned = $state.raw<{ root: string; history: boolean } | null>(null);
  /** The folder's problem, shown once Start was pressed. */
  problem = $state<string | null>(null);
  picking = $state(false);
  cancelling = $state(false);

  get running(): boolean {
    return this.status === 'running';
  }

  /** The native folder dialog; the chosen folder replaces the path typed. */
  async pick(): Promise<void> {
    if (this.picking || this.running) return;
    this.picking = true;
    try {
      const chosen = await call('pick_scan_folder');
      if (chosen !== null) {
        this.root = chosen;
        this.problem = null;
      }
    } catch (rejection) {
      showError(rejection, 'Could not open the folder dialog');
    } finally {
      this.picking = false;
    }
  }

  /** Sweeps the folder; progress arrives as `scan-progress` events. */
  async start(): Promise<void> {
    if (this.running) return;
    this.problem = folderProblem(this.root);
    if (this.problem) return;
    const root = this.root.trim();
    const history = this.history;
    this.status = 'running';
    this.progress = { files: 0, bytes: 0 };
    this.report = null;
    this.error = null;
    this.cancelling = false;
    const stop = await onScanProgress((progress) => {
      if (this.running) this.progress = progress;
    });
    try {
      const report = await call('scan_folder', { root, history });
      this.report = report;
      this.scanned = { root, history };
      this.progress = { files: report.files, bytes: report.bytes };
      this.status = 'done';
    } catch (rejection) {
      this.error = PortalError.from(rejection);
      this.status = 'error';
    } finally {
      stop();
      this.cancelling = false;
    }
  }

  /** Stops the sweep: it answers with what it found until then. */
  async cancel(): Promise<void> {
    if (!this.running || this.cancelling) return;
    this.cancelling = true;
    try {
      await call('cancel_scan');
    } catch (rejection) {
      this.cancelling = false;
      showError(rejection, 'Could not cancel the leak check');
    }
  }
}

/** The app's Leak check (see `PageStores`); created the first time the page is opened. */
export function getLeakCheck(): LeakCheck {
  return getPageStores().get('leaks', LeakCheck, () => new LeakCheck());
}
