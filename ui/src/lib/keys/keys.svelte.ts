import { Loadable } from '../app/loadable.svelte';
import { call, keysOverview } from '../backend';
import { PortalError } from '../errors/PortalError';
import { showError } from '../errors/showError';
import type { KeysOverview, KeyStatus, ScheduledDeletion } from '../types';
import { rowId, rowName } from './keyForms';

/** The active profile's JWT keys, paired with the private keys kept here. */
export class Keys extends Loadable<KeysOverview> {
  rows = $state.raw<KeyStatus[]>([]);
  /**
   * The JWT keys API did not answer, but keys are kept here: they are the
   * rows (unchecked), and this says why the server's are missing.
   */
  serverError = $state.raw<PortalError | null>(null);
  /** The profile can run the sandbox playback check. */
  sandbox = $state(false);
  /** Deletions scheduled for when a key's last signed JWT expires. */
  scheduled = $state.raw<ScheduledDeletion[]>([]);
  /** The profile's default signing key (a server id). */
  defaultKey = $state<string | null>(null);

  /**
   * Keys whose private half is here and whose public half is uploaded: they
   * can sign. The default signing key comes first.
   */
  signable = $derived(
    this.rows
      .filter((r) => r.pairing === 'paired' && r.server)
      .sort((a, b) => Number(b.server?.id === this.defaultKey) - Number(a.server?.id === this.defaultKey)),
  );

  constructor() {
    super({ refreshFailed: 'Could not refresh the keys' });
  }

  protected fetch(): Promise<KeysOverview> {
    return keysOverview();
  }

  protected apply(overview: KeysOverview): void {
    this.rows = overview.rows;
    this.sandbox = overview.sandbox;
    this.scheduled = overview.scheduled;
    this.defaultKey = overview.defaultKid;
    this.serverError = overview.serverError ? PortalError.from(overview.serverError) : null;
  }

  /** Schedules the key's deletion for when its last signed JWT expires; reloads the list. */
  async schedule(row: KeyStatus, deleteLocal: boolean): Promise<ScheduledDeletion | null> {
    return this.change(`Could not schedule the deletion of “${rowName(row)}”`, () =>
      call('schedule_key_deletion', { serverId: row.server?.id ?? '', deleteLocal }),
    );
  }

  /** Makes the key the profile's default signing key; resolves once the list is reloaded. */
  async makeDefault(row: KeyStatus): Promise<void> {
    await this.change(`Could not make “${rowName(row)}” the default signing key`, () =>
      call('set_default_key', { serverId: row.server?.id ?? '' }),
    );
  }

  /** Calls off a scheduled deletion; reloads the list. */
  async cancelSchedule(deletion: ScheduledDeletion): Promise<ScheduledDeletion | null> {
    return this.change(`Could not call off the deletion of “${deletion.name}”`, () =>
      call('cancel_key_deletion', { serverId: deletion.kid }),
    );
  }

  /** Runs a change, says what went wrong, and reloads either way: it resolves once the list shows the change. */
  private async change<T>(failure: string, run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (rejection) {
      showError(rejection, failure);
      return null;
    } finally {
      await this.load();
    }
  }

  /** Deletes the key (and its private half when asked); reloads the list. */
  async remove(row: KeyStatus, deleteLocal: boolean): Promise<boolean> {
    try {
      await call('delete_key', {
        serverId: row.server?.id ?? null,
        localId: row.local?.localId ?? null,
        deleteLocal,
      });
      this.rows = this.rows.filter((r) => rowId(r) !== rowId(row));
      return true;
    } catch (rejection) {
      showError(rejection, `Could not delete “${row.server?.name ?? row.local?.name ?? ''}”`);
      return false;
    } finally {
      void this.load();
    }
  }
}
