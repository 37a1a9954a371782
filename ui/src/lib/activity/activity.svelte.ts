import { exportFile } from '../app/fileExport';
import { Loadable } from '../app/loadable.svelte';
import { call } from '../backend';

/** What `export_activity` writes. */
export type ActivityExportFormat = 'json' | 'csv';
import type { ActivityReport } from '../types';
import { getPageStores } from '../app/stores.svelte';
import { activityRows, entries, filterRows, inProfile, profilesInLog, type ActionFilter } from './activity';

/** The local activity log (every profile) and the page's filters. */
export class Activity extends Loadable<ActivityReport> {
  report = $state.raw<ActivityReport | null>(null);
  /** When the log was read; relative times are counted from it. */
  // Replaced, never mutated, so a plain Date in $state.raw is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  fetchedAt = $state.raw(new Date());

  /** The profile shown (`null`: all of them); the active profile by default. */
  profile = $state<string | null>(null);
  action = $state<ActionFilter>('all');
  query = $state('');
  /** The export in progress, if any (the native save dialog may be open). */
  exporting = $state<ActivityExportFormat | null>(null);

  /** The active profile when the epoch started. */
  active = $state<string | null>(null);

  rows = $derived(this.report ? activityRows(this.report) : []);
  /** The selected profile's rows, before the action and text filters. */
  profileRows = $derived(this.rows.filter((row) => inProfile(row, this.profile)));
  visible = $derived(
    filterRows(this.profileRows, { profile: this.profile, action: this.action, query: this.query }),
  );
  profiles = $derived(profilesInLog(this.report?.entries ?? [], this.active));
  filtered = $derived(this.action !== 'all' || this.query.trim() !== '');

  #epoch: number | null = null;

  constructor() {
    super({ refreshFailed: 'Could not refresh the activity log' });
  }

  /**
   * Called whenever the page is shown. A new epoch (another profile, new
   * credentials) starts over on the active profile; the same epoch reloads
   * quietly, since the app and the CLI may have added entries since.
   */
  show(epoch: number, activeProfile: string | null): void {
    if (this.#epoch !== epoch) {
      this.#epoch = epoch;
      this.report = null;
      this.reset();
      this.active = activeProfile;
      this.profile = activeProfile;
      this.action = 'all';
      this.query = '';
    }
    void this.load();
  }

  protected fetch(): Promise<ActivityReport> {
    // backend.ts gives up on a read that never answers (TIMEOUTS.local).
    return call('activity_log');
  }

  protected apply(report: ActivityReport): void {
    this.report = report;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.fetchedAt = new Date();
  }

  /**
   * Saves the selected profile's entries (all profiles when "All" is
   * selected) through the native save dialog. Says nothing on cancel.
   */
  async export(format: ActivityExportFormat): Promise<number | null> {
    if (this.exporting) return null;
    this.exporting = format;
    try {
      return await exportFile(
        () => call('export_activity', { format, profile: this.profile }),
        (written) => ['Activity exported', `Wrote ${entries(written)} as ${format.toUpperCase()}.`],
        'Could not export the activity log',
      );
    } finally {
      this.exporting = null;
    }
  }

  clearFilters(): void {
    this.action = 'all';
    this.query = '';
  }
}

/** The app's Activity store (see `PageStores`); created the first time the page is opened. */
export function getActivity(): Activity {
  return getPageStores().get('activity', Activity, () => new Activity());
}
