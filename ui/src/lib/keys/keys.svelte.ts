import { deleteKey, keysOverview } from '../backend';
import { PortalError } from '../errors/PortalError';
import { showError } from '../errors/showError';
import type { KeyStatus } from '../types';
import { rowId } from './keyForms';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** The active profile's JWT keys, paired with the private keys kept here. */
export class Keys {
  rows = $state.raw<KeyStatus[]>([]);
  status = $state<LoadStatus>('idle');
  refreshing = $state(false);
  error = $state.raw<PortalError | null>(null);
  /**
   * The JWT keys API did not answer, but keys are kept here: they are the
   * rows (unchecked), and this says why the server's are missing.
   */
  serverError = $state.raw<PortalError | null>(null);
  /** The profile can run the sandbox playback check. */
  sandbox = $state(false);

  /** Keys whose private half is here and whose public half is uploaded: they can sign. */
  signable = $derived(this.rows.filter((r) => r.pairing === 'paired' && r.server));

  #request = 0;

  async load(): Promise<void> {
    const request = ++this.#request;
    const hadRows = this.status === 'ready';
    if (hadRows) this.refreshing = true;
    else this.status = 'loading';
    try {
      const overview = await keysOverview();
      if (request !== this.#request) return;
      this.rows = overview.rows;
      this.sandbox = overview.sandbox;
      this.serverError = overview.serverError ? PortalError.from(overview.serverError) : null;
      this.error = null;
      this.status = 'ready';
    } catch (rejection) {
      if (request !== this.#request) return;
      if (hadRows) {
        showError(rejection, 'Could not refresh the keys');
      } else {
        this.error = PortalError.from(rejection);
        this.status = 'error';
      }
    } finally {
      if (request === this.#request) this.refreshing = false;
    }
  }

  /** Deletes the key (and its private half when asked); reloads the list. */
  async remove(row: KeyStatus, deleteLocal: boolean): Promise<boolean> {
    try {
      await deleteKey(row.server?.id ?? null, row.local?.localId ?? null, deleteLocal);
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
