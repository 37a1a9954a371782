// The Health page's state: the active profile's report (what went stale,
// each with its fix), forgetting a stale saved token value, and the expiry
// calendar export. Kept for the app's lifetime (`PageStores`).
import { exportFile } from '../app/fileExport';
import { Loadable } from '../app/loadable.svelte';
import { getPageStores } from '../app/stores.svelte';
import { call } from '../backend';
import { showError } from '../errors/showError';
import { toasts } from '../errors/toasts.svelte';
import type { HealthReport } from '../types';
import { groupFindings, needingAction } from './findings';

export class Health extends Loadable<HealthReport> {
  report = $state.raw<HealthReport | null>(null);
  groups = $derived(groupFindings(this.report?.findings ?? []));
  /** Findings that need action (the sidebar's count). */
  count = $derived(needingAction(this.report?.findings ?? []));
  /** The id of the saved token being forgotten. */
  forgetting = $state<string | null>(null);
  exporting = $state(false);

  #epoch: number | null = null;

  constructor() {
    super({ refreshFailed: 'Could not refresh the health check' });
  }

  /** Called whenever the page is shown: a new epoch (profile, credentials) starts over. */
  show(epoch: number): void {
    if (this.#epoch !== epoch) {
      this.#epoch = epoch;
      this.report = null;
      this.reset();
    }
    void this.load();
  }

  protected fetch(): Promise<HealthReport> {
    return call('health_report');
  }

  protected apply(report: HealthReport): void {
    this.report = report;
  }

  /** Forgets a saved token value (the token itself is untouched), then checks again. */
  async forget(id: string, subject: string): Promise<boolean> {
    if (this.forgetting) return false;
    this.forgetting = id;
    try {
      await call('forget_saved_token', { id });
      toasts.info('Saved value forgotten', `The value of ${subject} was removed from this computer.`);
      void this.load();
      return true;
    } catch (rejection) {
      showError(rejection, `Could not forget ${subject}`);
      return false;
    } finally {
      this.forgetting = null;
    }
  }

  /** Carries out the scheduled key deletions that are due, then checks again. */
  async retire(): Promise<void> {
    try {
      const report = await call('retire_due_keys');
      const names = report.deleted.map((d) => d.name).join(', ');
      if (names) toasts.info('Keys deleted as scheduled', `${names}: their last JWTs had expired.`);
      for (const f of report.failed) showError(new Error(f.message), `Could not delete “${f.name}”`);
    } catch (rejection) {
      showError(rejection, 'Could not delete the due keys');
    } finally {
      void this.load();
    }
  }

  /**
   * Saves the active profile's token expiries and rotation reminders as an
   * .ics file (the native save dialog). Says nothing on cancel.
   */
  async exportCalendar(): Promise<number | null> {
    if (this.exporting) return null;
    this.exporting = true;
    try {
      return await exportFile(
        () => call('export_calendar'),
        (events) => [
          'Calendar exported',
          `Wrote ${events === 1 ? '1 event' : `${events} events`} (token expiries and rotation reminders, each with alarms 30, 14, 7 and 1 days before) to the file you chose. Importing it again updates the same events.`,
        ],
        'Could not export the calendar',
      );
    } finally {
      this.exporting = false;
    }
  }
}

/** The app's Health store (see `PageStores`); created the first time the page is opened. */
export function getHealth(): Health {
  return getPageStores().get('health', Health, () => new Health());
}
